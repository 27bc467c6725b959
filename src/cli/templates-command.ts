import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { isAppError } from '../errors';
import { CATALOG, isTemplateName, TEMPLATE_NAMES, type TemplateName } from '../templates/catalog';
import { checkTemplates, formatIssue } from '../templates/check';
import { buildPreviewEml, previewHtml } from '../templates/preview';
import { formatVariablesReference } from '../templates/reference';
import type { DatabaseTemplate } from '../templates/precedence';
import { TemplateStore, type TemplateRejection } from '../templates/store';
import { parseCommandArgs } from './usage';

export interface TemplatesCommandOptions {
  /** TEMPLATES_DIR from the configuration (edited copies over the shipped templates). */
  templatesDir?: string;
  out: (line: string) => void;
  /** Where errors go; defaults to `out`. */
  err?: (line: string) => void;
  /** Variables of a real ticket for `preview NAME --ticket REF` (wired by the CLI when a database is available). */
  loadTicketVars?: (ref: string, name: TemplateName) => Promise<unknown>;
  /** IANA time zone of the dates in the mails (TIMEZONE); default Europe/Paris. */
  timeZone?: string;
  /** Base for relative paths (`--out`, displayed file names); default process.cwd(). */
  cwd?: string;
  /** The active console versions (wired by the CLI when DATABASE_URL is set): `check` checks them, `preview` uses them. */
  loadDatabaseTemplates?: () => Promise<DatabaseTemplate[]>;
}

export const TEMPLATES_HELP = `Usage: liquibot templates SUBCOMMAND   (each takes --help)

  check [--dir DIR]                 check every mail template; exit 1 if any issue
  vars [NAME]                       every variable of every mail (or of NAME), with examples
  preview NAME [--out DIR] [--ticket REF]
                                    render NAME with sample data: text to the terminal,
                                    NAME.eml and NAME.html to DIR (default ./preview)

Templates are read from TEMPLATES_DIR when set (file by file), else from the shipped templates/.
Mails: ${TEMPLATE_NAMES.join(', ')}. See docs/templates.md.`;

const CHECK_HELP = `Usage: liquibot templates check [--dir DIR]

Checks syntax, forbidden tags (include, render, layout), unknown filters and variables (in every
branch), required variables, and renders every mail in every situation it is sent in.
With DATABASE_URL set, the active console versions (database) are checked too, over the files.
Prints one line per issue: FILE:LINE:COLUMN message. Exit 0 when all is well, 1 otherwise.
--dir DIR   check DIR (an edited copy) instead of TEMPLATES_DIR`;

const VARS_HELP = `Usage: liquibot templates vars [NAME]

Prints every variable of every mail (or of mail NAME): type, description, example value.`;

const PREVIEW_HELP = `Usage: liquibot templates preview NAME [--out DIR] [--ticket REF]

Renders mail NAME with its sample data (or with ticket REF's data), prints the subject and the
text, and writes NAME.eml (multipart/alternative when there is an HTML part) and NAME.html to DIR
(default ./preview).`;

/** `liquibot templates check|vars|preview`. Returns the exit code: 0 ok, 1 problems found, 2 usage error. */
export async function templatesCommand(args: string[], opts: TemplatesCommandOptions): Promise<number> {
  const err = opts.err ?? opts.out;
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'check':
        return await check(rest, opts);
      case 'vars':
        return vars(rest, opts);
      case 'preview':
        return await preview(rest, opts);
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        opts.out(TEMPLATES_HELP);
        return sub === undefined ? 2 : 0;
      default:
        err(`unknown subcommand "${sub}"\n\n${TEMPLATES_HELP}`);
        return 2;
    }
  } catch (e) {
    if (isAppError(e, 'USAGE')) {
      err(`${e.message}\n\n${TEMPLATES_HELP}`);
      return 2;
    }
    throw e;
  }
}

function display(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

async function check(args: string[], opts: TemplatesCommandOptions): Promise<number> {
  const { values } = parseCommandArgs(args, { dir: { type: 'string' } }, false);
  if (values.help) {
    opts.out(CHECK_HELP);
    return 0;
  }
  const cwd = opts.cwd ?? process.cwd();
  const dir = values.dir ?? opts.templatesDir;
  const templatesDir = dir ? resolve(cwd, dir) : null;
  // With --dir the working copy is checked on its own; else the console versions in use are checked too.
  const databaseTemplates = values.dir === undefined && opts.loadDatabaseTemplates ? await opts.loadDatabaseTemplates() : [];
  const issues = checkTemplates({ templatesDir, timeZone: opts.timeZone, databaseTemplates });
  for (const issue of issues) opts.out(formatIssue({ ...issue, file: display(issue.file, cwd) }));
  if (issues.length > 0) {
    opts.out(`${issues.length} issue${issues.length > 1 ? 's' : ''} found`);
    return 1;
  }
  const files = templatesDir ? `${display(templatesDir, cwd)} over the shipped templates` : 'shipped templates';
  const where = databaseTemplates.length > 0
    ? `console versions ${databaseTemplates.map((t) => `${t.name}@v${t.version}`).join(', ')} over ${files}`
    : files;
  opts.out(`OK: ${TEMPLATE_NAMES.length} templates checked (${where})`);
  return 0;
}

function vars(args: string[], opts: TemplatesCommandOptions): number {
  const { values, positionals } = parseCommandArgs(args, {});
  if (values.help) {
    opts.out(VARS_HELP);
    return 0;
  }
  const [name, ...extra] = positionals;
  if (extra.length > 0 || (name !== undefined && !isTemplateName(name))) {
    (opts.err ?? opts.out)(`unknown mail "${name}"; known: ${TEMPLATE_NAMES.join(', ')}`);
    return 2;
  }
  opts.out(formatVariablesReference(name as TemplateName | undefined));
  return 0;
}

async function preview(args: string[], opts: TemplatesCommandOptions): Promise<number> {
  const err = opts.err ?? opts.out;
  const { values, positionals } = parseCommandArgs(args, { out: { type: 'string' }, ticket: { type: 'string' } });
  if (values.help) {
    opts.out(PREVIEW_HELP);
    return 0;
  }
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0 || !isTemplateName(name)) {
    err(`${name === undefined ? 'which mail?' : `unknown mail "${name}"`} known: ${TEMPLATE_NAMES.join(', ')}\n\n${PREVIEW_HELP}`);
    return 2;
  }
  if (values.ticket !== undefined && !opts.loadTicketVars) {
    err('--ticket is not available here (no ticket database wired in)');
    return 2;
  }
  const cwd = opts.cwd ?? process.cwd();
  const rejections: TemplateRejection[] = [];
  const store = new TemplateStore({
    templatesDir: opts.templatesDir ? resolve(cwd, opts.templatesDir) : null,
    timeZone: opts.timeZone,
    onRejected: (r) => rejections.push(r),
  });
  // As the daemon sends it: the active console version over the files, when there is a database.
  if (opts.loadDatabaseTemplates) store.setDatabaseTemplates(await opts.loadDatabaseTemplates());
  for (const r of rejections.filter((x) => x.name === name)) {
    err(`warning: the edited ${name} template is refused; showing the version in use (${r.activeVersion}):`);
    for (const issue of r.errors) err(`  ${formatIssue({ ...issue, file: display(issue.file, cwd) })}`);
  }
  const input = values.ticket !== undefined ? await opts.loadTicketVars!(values.ticket, name) : CATALOG[name].example;
  const mail = store.renderUnknown(name, input);
  const outDir = resolve(cwd, values.out ?? 'preview');
  mkdirSync(outDir, { recursive: true });
  const emlFile = join(outDir, `${name}.eml`);
  const htmlFile = join(outDir, `${name}.html`);
  writeFileSync(emlFile, await buildPreviewEml(mail, CATALOG[name].audience));
  writeFileSync(htmlFile, previewHtml(mail));
  opts.out(`Template: ${name} (version ${mail.templateVersion}, ${store.originOf(name)})`);
  opts.out(`Subject: ${mail.subject}`);
  opts.out('');
  opts.out(mail.text.trimEnd());
  opts.out('');
  opts.out(`Written: ${display(emlFile, cwd)}, ${display(htmlFile, cwd)}${mail.html === null ? ' (text only: no html.liquid)' : ''}`);
  return 0;
}
