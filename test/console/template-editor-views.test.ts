import { describe, expect, it } from 'vitest';
import { driftText, editorBody, resultsPanel } from '../../src/console/template-editor-views';
import { checkDraft } from '../../src/templates/draft';
import { createTemplateEngines } from '../../src/templates/engine';
import { readTemplateSources, SHIPPED_TEMPLATES_DIR } from '../../src/templates/sources';

const engines = createTemplateEngines();
const dirs = { templatesDir: null, shippedDir: SHIPPED_TEMPLATES_DIR };
const files = readTemplateSources('refusal', dirs).parts;
const shipped = { subject: files.subject!.content, text: files.text!.content, html: files.html?.content ?? '' };

describe('the template editor’s markup', () => {
  it('shows a refusal reason with markup as text in the preview, and the error’s line as text', () => {
    const hostile = '<img src=x onerror=alert(1)> "><script>alert(2)</script> motif';
    const ok = checkDraft(engines, 'refusal', shipped, dirs, { ticketRef: 'LJ-261126-0042', requester: { email: 'a@b.fr', name: null }, siret: '73282932000074', reason: hostile, refusedAt: new Date() });
    expect(ok.errors).toEqual([]);
    const panel = resultsPanel(ok, null, 'test').text;
    expect(panel).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(panel).not.toContain('<img');
    expect(panel).not.toContain('<script>');

    const bad = checkDraft(engines, 'refusal', { ...shipped, text: `${shipped.text}\n<b>{{ reason | nope }}</b>\n` }, dirs);
    const errors = resultsPanel(bad, null, 'test').text;
    expect(errors).toContain('Filtre inconnu : « nope ».');
    expect(errors).toContain('&lt;b&gt;{{ reason | nope }}&lt;/b&gt;');
  });

  it('says a drift in French', () => {
    expect(driftText({ kind: 'variable', only: 'html', variable: 'reason' })).toBe('Variable utilisée seulement dans le HTML : {{ reason }}');
    expect(driftText({ kind: 'sentence', only: 'text', sentence: 'Bonjour.' })).toBe('Phrase présente seulement dans le texte : « Bonjour. »');
  });

  it('keeps a subject written on several lines in a textarea (an input would join its lines)', () => {
    const page = (subject: string) => {
      const draft = { ...shipped, subject };
      return editorBody({
        base: '/console', name: 'refusal', csrf: 'c', draft, comment: '', ref: '', expectedActive: 0, frameUrl: null, dataLabel: 'x', notice: null,
        timeZone: 'Europe/Paris', origin: { parts: { subject: 'shipped', text: 'shipped', html: 'shipped' }, active: null }, result: checkDraft(engines, 'refusal', draft, dirs),
      }).text;
    };
    expect(page('[{{ ticketRef }}] Refus\n')).toContain('<input class="fr-input tpl-var" type="text" id="part-subject" name="subject" data-part="subject" spellcheck="false" value="[{{ ticketRef }}] Refus">');
    expect(page('{% if siret %}\n[{{ ticketRef }}] Refus\n{% endif %}\n')).toContain('<textarea class="fr-input tpl-var" id="part-subject" name="subject" data-part="subject" spellcheck="false" rows="4">\n{% if siret %}\n[{{ ticketRef }}] Refus\n{% endif %}\n</textarea>');
  });
});
