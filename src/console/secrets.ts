import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/**
 * The console's secrets: passwords (argon2id, @node-rs/argon2's defaults: m=19 MiB, t=2, p=1, the OWASP
 * minimum), and random tokens (sessions, CSRF, invitations) of 256 bits, stored only as their SHA-256
 * where the database does not need the token itself.
 */

export const PASSWORD_MIN_CHARS = 12;
/** argon2 takes any length; a bound keeps a login request from costing more than it should. */
export const PASSWORD_MAX_CHARS = 256;

/** Why a new password is refused (French, shown to the person), or null. */
export function passwordProblem(password: string, email: string): string | null {
  const length = Array.from(password).length;
  if (length < PASSWORD_MIN_CHARS) return `Le mot de passe doit compter au moins ${PASSWORD_MIN_CHARS} caractères.`;
  if (length > PASSWORD_MAX_CHARS) return `Le mot de passe doit compter au plus ${PASSWORD_MAX_CHARS} caractères.`;
  if (/[\u0000-\u001f\u007f]/.test(password)) return 'Le mot de passe ne doit pas contenir de caractère de contrôle.';
  if (password.trim().toLowerCase() === email.trim().toLowerCase()) return 'Le mot de passe ne doit pas être l’adresse électronique.';
  if (new Set(password).size < 4) return 'Le mot de passe est trop répétitif.';
  return null;
}

/** An argon2id hash in PHC form (`$argon2id$v=19$m=19456,t=2,p=1$…`). */
export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'));
}

// Verifying against this when the account does not exist (or has no password yet) costs the same time
// as a real check: the answer's delay does not tell whether an address has an account.
let dummyHash: Promise<string> | null = null;

/** Whether the password matches the hash; with no hash, false after the same work as a real check. */
export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  const candidate = password.normalize('NFC');
  if (Array.from(candidate).length > PASSWORD_MAX_CHARS) return false;
  if (!passwordHash) {
    dummyHash ??= hash(randomToken());
    await verify(await dummyHash, candidate).catch(() => false);
    return false;
  }
  try {
    return await verify(passwordHash, candidate);
  } catch {
    return false;
  }
}

/** 256 random bits, base64url (43 characters). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Constant-time comparison of two strings (false when their lengths differ). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
