import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { Hono } from 'hono';
import { PROJECT_ROOT } from '../project-root';
import type { ConsoleEnv } from './console-deps';
import { CONSOLE_CSS } from './console-css';

/**
 * The design system's files (@gouvfr/dsfr's dist/, installed with liquibot), served by the console
 * itself: no CDN, so the CSP can say `'self'`. Only files of the listed kinds, only under dist/.
 */
export const DSFR_DIST = join(PROJECT_ROOT, 'node_modules', '@gouvfr', 'dsfr', 'dist');

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** The file under `root` a URL path names, or null (outside it, a hidden name, or a kind not served). */
export function staticFile(root: string, urlPath: string): { file: string; type: string } | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.split(/[\\/]/).some((part) => part.startsWith('.'))) return null;
  const file = resolve(root, `.${sep}${decoded}`);
  if (!file.startsWith(`${resolve(root)}${sep}`)) return null;
  const type = TYPES[extname(file).toLowerCase()];
  return type ? { file, type } : null;
}

export function registerStaticFiles(app: Hono<ConsoleEnv>, base: string): void {
  app.get('/static/console.css', () => new Response(CONSOLE_CSS, {
    headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' },
  }));
  app.get('/static/dsfr/*', async (c) => {
    const found = staticFile(DSFR_DIST, c.req.path.slice(`${base}/static/dsfr/`.length));
    if (!found) return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    try {
      const content = await readFile(found.file);
      return new Response(new Uint8Array(content), { headers: { 'content-type': found.type, 'cache-control': 'public, max-age=86400' } });
    } catch {
      return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    }
  });
}
