import { TemplateStore } from './src/templates/store';
import { CATALOG, TEMPLATE_NAMES, statesOf } from './src/templates/catalog';
const t0 = Date.now();
const store = new TemplateStore({ onRejected: (r) => console.log('REJ', JSON.stringify(r, null, 1)) });
console.log('load ms', Date.now() - t0);
const only = process.argv[2];
for (const name of TEMPLATE_NAMES) {
  if (only && only !== name) continue;
  const r = store.render(name, CATALOG[name].example as never);
  console.log(`===== ${name} ${r.templateVersion}\nSubject: ${r.subject}\n\n${r.text}`);
  if (only && r.html) console.log(r.html);
}
