import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../../../src/db/client';
import type { SinkMessage } from '../../support/sandbox/smtp-sink';
import { runCommand } from '../../support/sandbox/run-command';
import { withImapSession, type ImapLogin } from '../../support/sandbox/imap-seed';
import { requireProvided } from '../../helpers/require-provided';

/**
 * APPEND every source to `mailbox` over one IMAP session (one session per mail makes a backlog slow to
 * seed), creating it if needed. Right after a `doveadm mailbox delete`, Dovecot may still answer an APPEND
 * with "NO Mailbox was deleted under us" (the old mailbox's processes finishing): create it and try again.
 */
export async function appendAll(login: ImapLogin, raws: (string | Buffer)[], mailbox = 'INBOX'): Promise<void> {
  await withImapSession(login, async (client) => {
    const create = async () => {
      if (mailbox.toUpperCase() !== 'INBOX') await client.mailboxCreate(mailbox).catch(() => {});
    };
    await create();
    for (const raw of raws) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          await client.append(mailbox, raw);
          break;
        } catch (err) {
          const response = String((err as { response?: unknown }).response ?? '');
          if (attempt >= 10 || !/deleted under us|TRYCREATE/i.test(response)) throw err;
          await new Promise((r) => setTimeout(r, 200));
          await create();
        }
      }
    }
  });
}

/** `doveadm -c <the run's dovecot.conf> …`: what an administrator of the mail server runs. */
export async function doveadm(args: string[]): Promise<string> {
  const { configPath } = requireProvided('sandboxDovecot');
  return runCommand('doveadm', ['-c', configPath, ...args]);
}

/** One integer from a `select count(*)::int as n …`. */
export async function countOf(database: Database, query: ReturnType<typeof sql>): Promise<number> {
  return Number((await database.rows<{ n: number }>(query))[0]?.n ?? 0);
}

export interface Deliveries {
  /** Every delivery the sink accepted for the recipient (a same-Message-ID resend counts twice). */
  deliveries: number;
  /** Distinct Message-IDs sent to the recipient. */
  ids: Set<string>;
}

/** What the SMTP sink received, per recipient. */
export function deliveriesByRecipient(messages: SinkMessage[]): Map<string, Deliveries> {
  const by = new Map<string, Deliveries>();
  for (const m of messages) {
    for (const to of m.envelope.to) {
      const d = by.get(to) ?? { deliveries: 0, ids: new Set<string>() };
      d.deliveries += 1;
      d.ids.add(m.messageId ?? '');
      by.set(to, d);
    }
  }
  return by;
}

/** The log lines (JSON) whose `msg` is `message`, parsed. */
export function logLines(lines: string[], message: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of lines) {
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed.msg === message) out.push(parsed);
    } catch {
      // not JSON: a stray line of a child process
    }
  }
  return out;
}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * A PDF padded with random bytes, like a scan: unlike samplePdf's padding of zeros, it does not compress,
 * so the database stores (and a temporary table spills to disk) every byte of it.
 */
export function incompressiblePdf(padBytes: number): Buffer {
  const head = Buffer.from(
    '%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n' +
      '2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n' +
      '3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n' +
      `4 0 obj\n<< /Length ${padBytes} >>\nstream\n`,
    'latin1',
  );
  const tail = Buffer.from('\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
  return Buffer.concat([head, randomBytes(padBytes), tail]);
}
