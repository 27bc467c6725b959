/**
 * The template editor's own script and styles, served as /static/template-editor.js and .css (the CSP
 * allows no inline script or style). The page works without the script: "Prévisualiser" posts the form
 * and the server answers with the whole page. With it: the variables are inserted at the cursor, and
 * the preview, the errors and the drift warnings follow the typing (the same form, posted in the
 * background; the server sends back the same panel it would put in the page).
 */
export const TEMPLATE_EDITOR_JS = `'use strict';
(function () {
  var form = document.getElementById('template-form');
  var panel = document.getElementById('template-results');
  if (!form || !panel || !window.fetch || !window.FormData) return;
  var previewUrl = form.getAttribute('data-preview-url');
  var fields = Array.prototype.slice.call(form.querySelectorAll('[data-part]'));
  var last = document.getElementById('part-text') || fields[0];
  fields.forEach(function (f) { f.addEventListener('focus', function () { last = f; }); });

  // A variable button writes its text where the cursor was, in the part last used.
  Array.prototype.forEach.call(document.querySelectorAll('[data-insert]'), function (b) {
    b.addEventListener('click', function () {
      var field = last;
      if (!field) return;
      var text = b.getAttribute('data-insert');
      var start = typeof field.selectionStart === 'number' ? field.selectionStart : field.value.length;
      var end = typeof field.selectionEnd === 'number' ? field.selectionEnd : start;
      field.value = field.value.slice(0, start) + text + field.value.slice(end);
      field.focus();
      field.selectionStart = field.selectionEnd = start + text.length;
      schedule();
    });
  });

  var timer = null;
  // One check at a time per page (a check renders the mail in every situation it is sent in, on the
  // daemon's own thread): a change made meanwhile is checked when the answer comes.
  var inFlight = false;
  var again = false;
  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  }
  function done() {
    inFlight = false;
    if (again) {
      again = false;
      schedule();
    }
  }
  function refresh() {
    timer = null;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    panel.setAttribute('aria-busy', 'true');
    fetch(previewUrl, {
      method: 'POST', body: new FormData(form), credentials: 'same-origin',
      headers: { 'Accept': 'application/json' },
    }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    }).then(function (data) {
      // The panel is markup the server built with every value escaped, as in the page itself.
      panel.innerHTML = data.panel;
      panel.setAttribute('aria-busy', 'false');
      done();
    }).catch(function () {
      panel.setAttribute('aria-busy', 'false');
      var note = document.getElementById('template-live-error');
      if (note) note.hidden = false;
      done();
    });
  }
  fields.forEach(function (f) { f.addEventListener('input', schedule); });
  var ref = document.getElementById('preview-ref');
  if (ref) ref.addEventListener('input', schedule);
  var live = document.getElementById('template-live');
  if (live) live.hidden = false;
})();
`;

export const TEMPLATE_EDITOR_CSS = `
.tpl-grid { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
@media (max-width: 62em) { .tpl-grid { grid-template-columns: 1fr; } }
.tpl-code { font-family: "Courier New", monospace; font-size: 0.85rem; line-height: 1.35; min-height: 28rem; white-space: pre; tab-size: 2; }
.tpl-vars { max-height: 40rem; overflow: auto; }
.tpl-vars li { margin-bottom: 0.5rem; list-style: none; }
.tpl-vars ul { padding-left: 0; }
.tpl-var { font-family: "Courier New", monospace; font-size: 0.8rem; }
.tpl-frame { width: 100%; min-height: 32rem; border: 1px solid var(--border-default-grey); background: #fff; }
.tpl-text { white-space: pre-wrap; overflow-wrap: anywhere; font-family: "Courier New", monospace; font-size: 0.8rem;
  background: var(--background-alt-grey); padding: 1rem; border-left: 4px solid var(--border-default-grey); max-height: 32rem; overflow: auto; margin: 0; }
.tpl-excerpt { font-family: "Courier New", monospace; font-size: 0.8rem; white-space: pre; overflow-x: auto; background: var(--background-alt-grey); padding: 0.25rem 0.5rem; margin: 0.25rem 0 0 0; }
.tpl-diff { font-family: "Courier New", monospace; font-size: 0.8rem; white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
.tpl-diff .add { background: #d7f5dd; display: block; }
.tpl-diff .del { background: #fde2e1; display: block; text-decoration: line-through; text-decoration-color: #b34000; }
.tpl-diff .same { display: block; color: var(--text-mention-grey); }
.tpl-diff .skip { display: block; color: var(--text-mention-grey); font-style: italic; }
.tpl-sources dd { margin: 0 0 0.25rem 0; }
.tpl-actions { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: center; }
`;
