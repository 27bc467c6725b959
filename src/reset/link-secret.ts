import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';
import { AppError } from '../errors';

/**
 * The secret reset tokens are derived from. Configured by RESET_LINK_SECRET; on the embedded database
 * (one process, one machine) a random one is generated once and kept in DATA_DIR/reset-link.secret.
 * With PostgreSQL it must be configured, so that every instance derives the same tokens.
 */
export function resolveLinkSecret(config: Pick<Config, 'RESET_LINK_SECRET' | 'DATABASE_URL' | 'DATA_DIR'>): string {
  if (config.RESET_LINK_SECRET) return config.RESET_LINK_SECRET;
  if (config.DATABASE_URL) {
    throw new AppError('CONFIG_INVALID', 'configuration: RESET_LINK_SECRET is required with DATABASE_URL (see .env.example)');
  }
  const file = join(config.DATA_DIR, 'reset-link.secret');
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 32) return secret;
    throw new AppError('CONFIG_INVALID', `configuration: ${file} holds no usable secret (delete it to generate a new one)`);
  }
  mkdirSync(config.DATA_DIR, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
