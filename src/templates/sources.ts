import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TemplateName } from './catalog';
import { TEMPLATE_PARTS, type TemplatePart } from './engine';
import { PROJECT_ROOT } from '../project-root';
import { overlayDatabase, type DatabaseTemplate, type PartSource } from './precedence';

export type { PartOrigin, PartSource } from './precedence';

/** The templates shipped with liquibot, found from the project root so it works from any cwd, bundled or not. */
export const SHIPPED_TEMPLATES_DIR = join(PROJECT_ROOT, 'templates/');

/** Where templates are read from: the deployment's edited copies first, then the shipped ones. */
export interface TemplateDirs {
  /** TEMPLATES_DIR: the deployment's edited copies, or null for shipped templates only. */
  templatesDir: string | null;
  shippedDir: string;
}

/** The files of one mail, after per-file fallback. */
export interface TemplateSources {
  name: TemplateName;
  parts: Record<TemplatePart, PartSource | null>;
  /** sha256 of the effective files, first 12 hex digits. */
  version: string;
}

/** File name of a part inside a template folder. */
export function partFileName(part: TemplatePart): string {
  return `${part}.liquid`;
}

function readIfFile(file: string): string | null {
  try {
    if (!statSync(file).isFile()) return null;
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Computes a template version from its effective files. */
export function versionOf(parts: Record<TemplatePart, PartSource | null>): string {
  const hash = createHash('sha256');
  for (const part of TEMPLATE_PARTS) {
    const source = parts[part];
    if (source === null) continue;
    hash.update(`${part}\0${source.content.length}\0${source.content}\0`);
  }
  return hash.digest('hex').slice(0, 12);
}

/**
 * Reads the files of one mail: each file from TEMPLATES_DIR when it is there, else the shipped one;
 * then the non-null parts of the active database version (console), when given, win over both
 * (precedence.ts). A part absent everywhere is null (html is optional; subject and text are reported
 * missing by the checks).
 */
export function readTemplateSources(name: TemplateName, dirs: TemplateDirs, database: DatabaseTemplate | null = null): TemplateSources {
  const parts = {} as Record<TemplatePart, PartSource | null>;
  for (const part of TEMPLATE_PARTS) {
    parts[part] = null;
    const candidates: Array<[string, PartSource['origin']]> = [];
    if (dirs.templatesDir !== null) candidates.push([join(dirs.templatesDir, name, partFileName(part)), 'custom']);
    candidates.push([join(dirs.shippedDir, name, partFileName(part)), 'shipped']);
    for (const [file, origin] of candidates) {
      const content = readIfFile(file);
      if (content !== null) {
        parts[part] = { part, file, content, origin };
        break;
      }
    }
  }
  const effective = database ? overlayDatabase(parts, database) : parts;
  return { name, parts: effective, version: versionOf(effective) };
}

/** Where a missing required file is expected (the edited copy's folder when there is one). */
export function expectedFile(name: TemplateName, part: TemplatePart, dirs: TemplateDirs): string {
  const base = dirs.templatesDir !== null && existsSync(join(dirs.templatesDir, name)) ? dirs.templatesDir : dirs.shippedDir;
  return join(base, name, partFileName(part));
}
