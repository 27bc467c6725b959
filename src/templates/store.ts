import { existsSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors';
import { CATALOG, TEMPLATE_NAMES, type TemplateName, type TemplateVars } from './catalog';
import { compileTemplate, renderCompiled, type CompiledTemplate, type TemplateIssue } from './compile';
import { createTemplateEngines, MAIL_TIME_ZONE, type TemplateEngines } from './engine';
import type { DatabaseTemplate } from './precedence';
import { readTemplateSources, SHIPPED_TEMPLATES_DIR, type PartOrigin, type TemplateDirs, type TemplateSources } from './sources';

/** A mail ready to hand to the outbox. */
export interface RenderedMail {
  subject: string;
  text: string;
  /** Null when the template has no html.liquid (or it renders empty): send text only. */
  html: string | null;
  templateName: TemplateName;
  templateVersion: string;
}

/** An edit that was refused; the previous good version stays in use. */
export interface TemplateRejection {
  name: TemplateName;
  /** Version of the refused files. */
  version: string;
  /** Version still in use. */
  activeVersion: string;
  errors: TemplateIssue[];
}

export interface TemplateStoreOptions {
  /** TEMPLATES_DIR: the deployment's edited copies; must exist when given. */
  templatesDir?: string | null;
  /** Defaults to the shipped `templates/` folder next to the sources. */
  shippedDir?: string;
  /** IANA time zone of the dates in the mails; default Europe/Paris. */
  timeZone?: string;
  /** Quiet time after the last file event before reloading. Default 250 ms. */
  debounceMs?: number;
  /** Called once per refused version of a template (also at start-up). */
  onRejected?: (rejection: TemplateRejection) => void;
  /** Called when an edit (or a revert) takes effect. */
  onReloaded?: (event: { name: TemplateName; version: string; origin: 'custom' | 'shipped' }) => void;
  /** Called when a watched reload fails unexpectedly (it never throws from a timer). */
  onError?: (err: unknown) => void;
}

/**
 * The mail templates in use: TEMPLATES_DIR with per-file fallback to the shipped templates,
 * each checked before use, hot-reloaded on edit (a bad edit is refused, the last good stays).
 */
export class TemplateStore {
  readonly dirs: TemplateDirs;
  /** Time zone of the dates in the mails. */
  readonly timeZone: string;
  private readonly engines: TemplateEngines;
  private readonly active = new Map<TemplateName, CompiledTemplate>();
  private readonly rejectedVersion = new Map<TemplateName, string>();
  /** The active console versions (template_versions), laid over the files part by part. */
  private database = new Map<TemplateName, DatabaseTemplate>();
  /** Where each part of the template in use comes from, and its database version when it has one. */
  private readonly inUse = new Map<TemplateName, { parts: Record<'subject' | 'text' | 'html', PartOrigin | null>; databaseVersion: number | null }>();
  private readonly options: TemplateStoreOptions;
  private watchers = new Map<string, FSWatcher>();
  /**
   * The edits refused as the store opened (TEMPLATES_DIR's files, before any console version): what
   * `liquibot templates check` reports for them, found without compiling every template a second time.
   */
  readonly openingRejections: readonly TemplateRejection[];
  private timer: NodeJS.Timeout | null = null;

  /** Loads every template; throws AppError TEMPLATE_INVALID if a shipped template is broken. */
  constructor(options: TemplateStoreOptions = {}) {
    this.options = options;
    this.timeZone = options.timeZone ?? MAIL_TIME_ZONE;
    this.engines = createTemplateEngines({ timeZone: this.timeZone });
    const templatesDir = options.templatesDir ?? null;
    if (templatesDir !== null && !(existsSync(templatesDir) && statSync(templatesDir).isDirectory())) {
      throw new AppError('CONFIG_INVALID', `TEMPLATES_DIR is not a directory: ${templatesDir}`);
    }
    this.dirs = { templatesDir, shippedDir: options.shippedDir ?? SHIPPED_TEMPLATES_DIR };
    const shippedOnly: TemplateDirs = { templatesDir: null, shippedDir: this.dirs.shippedDir };
    for (const name of TEMPLATE_NAMES) {
      const shippedSources = readTemplateSources(name, shippedOnly);
      const shipped = compileTemplate(this.engines, shippedSources, shippedOnly);
      if (!shipped.template) {
        const first = shipped.issues[0];
        const where = first ? `${first.file}:${first.line}:${first.column} ${first.message}` : '';
        throw new AppError('TEMPLATE_INVALID', `shipped template ${name} is invalid: ${where}`);
      }
      this.active.set(name, shipped.template);
      this.noteInUse(name, shippedSources);
    }
    this.openingRejections = this.reload();
  }

  /**
   * Renders a mail. The variables are validated against the mail's schema first: a mismatch is a
   * programmer error and throws AppError TEMPLATE_INVALID, as does a render failure.
   */
  render<N extends TemplateName>(name: N, vars: TemplateVars<N>): RenderedMail {
    return this.renderUnknown(name, vars);
  }

  /**
   * Renders a mail from variables that come from outside the type system (a real ticket, a file for a
   * preview): the mail's schema is the only check, with the same errors as render().
   */
  renderUnknown(name: TemplateName, vars: unknown): RenderedMail {
    const template = this.active.get(name);
    if (!template) throw new AppError('TEMPLATE_MISSING', `no template named ${String(name)}`);
    const parsed = CATALOG[name].schema.safeParse(vars);
    if (!parsed.success) {
      throw new AppError('TEMPLATE_INVALID', `variables for template ${name} are invalid: ${z.prettifyError(parsed.error)}`, {
        cause: parsed.error,
      });
    }
    try {
      const parts = renderCompiled(this.engines, template, parsed.data);
      return { ...parts, templateName: name, templateVersion: template.version };
    } catch (err) {
      throw new AppError('TEMPLATE_INVALID', `template ${name} (${template.version}) failed to render`, { cause: err });
    }
  }

  /** Version of the template in use. */
  versionOf(name: TemplateName): string {
    return this.active.get(name)!.version;
  }

  /** Where the template in use comes from. */
  originOf(name: TemplateName): 'custom' | 'shipped' {
    return this.active.get(name)!.origin;
  }

  /** Where each part of the template in use comes from, and the console version in use (null: files only). */
  sourcesInUse(name: TemplateName): { parts: Record<'subject' | 'text' | 'html', PartOrigin | null>; databaseVersion: number | null } {
    return this.inUse.get(name) ?? { parts: { subject: 'shipped', text: 'shipped', html: 'shipped' }, databaseVersion: null };
  }

  /**
   * Replaces the active console versions (one per mail at most; a mail absent from the list is back on
   * its files) and reloads. A version that fails the checks is refused like a bad file edit: the last
   * good template stays in use and onRejected is told once. Returns the refusals of this pass.
   */
  setDatabaseTemplates(versions: readonly DatabaseTemplate[]): TemplateRejection[] {
    this.database = new Map(versions.map((v) => [v.name, v]));
    return this.reload();
  }

  /**
   * Re-reads every template now. Valid changes take effect; invalid ones are refused (and reported
   * through onRejected once per refused version). Returns the refusals of this pass.
   */
  reload(): TemplateRejection[] {
    const rejections: TemplateRejection[] = [];
    for (const name of TEMPLATE_NAMES) {
      const current = this.active.get(name)!;
      let sources: TemplateSources;
      try {
        sources = readTemplateSources(name, this.dirs, this.database.get(name) ?? null);
      } catch (err) {
        const file = join(this.dirs.templatesDir ?? this.dirs.shippedDir, name);
        const message = `cannot read template files: ${err instanceof Error ? err.message : String(err)}`;
        const issue: TemplateIssue = { template: name, part: null, file, line: 1, column: 1, message };
        if (this.rejectedVersion.get(name) === 'unreadable') continue;
        this.rejectedVersion.set(name, 'unreadable');
        const rejection = { name, version: 'unreadable', activeVersion: current.version, errors: [issue] };
        rejections.push(rejection);
        this.options.onRejected?.(rejection);
        continue;
      }
      if (sources.version === current.version) {
        this.noteInUse(name, sources);
        this.rejectedVersion.delete(name);
        continue;
      }
      if (this.rejectedVersion.get(name) === sources.version) continue;
      const result = compileTemplate(this.engines, sources, this.dirs);
      if (result.template) {
        this.active.set(name, result.template);
        this.noteInUse(name, sources);
        this.rejectedVersion.delete(name);
        this.options.onReloaded?.({ name, version: result.template.version, origin: result.template.origin });
      } else {
        this.rejectedVersion.set(name, sources.version);
        const rejection = { name, version: sources.version, activeVersion: current.version, errors: result.issues };
        rejections.push(rejection);
        this.options.onRejected?.(rejection);
      }
    }
    return rejections;
  }

  private noteInUse(name: TemplateName, sources: TemplateSources): void {
    const db = this.database.get(name);
    const parts = { subject: sources.parts.subject?.origin ?? null, text: sources.parts.text?.origin ?? null, html: sources.parts.html?.origin ?? null };
    this.inUse.set(name, { parts, databaseVersion: db && Object.values(parts).includes('database') ? db.version : null });
  }

  /** Watches TEMPLATES_DIR and reloads (debounced) on any change. No-op without TEMPLATES_DIR. */
  watch(): void {
    if (this.dirs.templatesDir === null || this.watchers.size > 0) return;
    this.syncWatchers();
  }

  /** Stops watching. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  // The root and each template folder are watched separately (no recursive watch: it is
  // emulated on Linux); folders created or removed later are picked up on the next event.
  private syncWatchers(): void {
    const root = this.dirs.templatesDir;
    if (root === null) return;
    const wanted = [root, ...TEMPLATE_NAMES.map((n) => join(root, n)).filter((d) => isDirectory(d))];
    for (const [dir, w] of this.watchers) {
      if (!wanted.includes(dir)) {
        w.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of wanted) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, () => this.schedule());
        w.on('error', () => {
          w.close();
          this.watchers.delete(dir);
          this.schedule();
        });
        this.watchers.set(dir, w);
      } catch {
        // the folder vanished between the listing and the watch: the next event resyncs
      }
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      try {
        this.syncWatchers();
        this.reload();
      } catch (err) {
        this.options.onError?.(err);
      }
    }, this.options.debounceMs ?? 250);
    this.timer.unref();
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
