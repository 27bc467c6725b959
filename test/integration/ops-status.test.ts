import { afterEach, describe, expect, it } from 'vitest';
import { statusCommand, type StatusReport } from '../../src/cli/status-command';
import { loadConfig } from '../../src/config';
import { mailboxIdentity } from '../../src/mail/mailbox-identity';
import { buildRequestMail } from '../support/sample-mails';
import { createHarness, type DbKind, type Harness } from './support/liquibot-harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function status(harness: Harness, args: string[], httpPort: string): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
  const config = loadConfig({ DATABASE_URL: harness.config.DATABASE_URL ?? '', DATA_DIR: harness.config.DATA_DIR, HTTP_PORT: httpPort });
  return { code: await statusCommand(args, io, config), out };
}

async function whenHealthy(port: number): Promise<void> {
  const end = Date.now() + 15_000;
  while (Date.now() < end) {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('daemon never healthy');
}

describe.each<DbKind>(['postgres', 'pglite'])('liquibot status on %s', (db) => {
  it('shows tickets, outbox, quarantine and the running daemon’s health', async () => {
    h = await createHarness({ db });
    await h.mailbox.append(buildRequestMail({ from: 'ok@etude.example.fr' }));
    await h.mailbox.append(buildRequestMail({ from: 'bad@etude.example.fr', attachment: 'none' }));
    await h.start();
    await h.waitForProcessed(2);
    const port = String(h.daemon!.operations.http!.port);
    await whenHealthy(Number(port));

    const json = await status(h, ['--json'], port);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.out[0]!) as StatusReport;
    expect(report).toMatchObject({
      healthy: true,
      daemon: { state: 'healthy', imap: 'connected', imapReconnects: 0, reasons: [] },
      // Only one process may open an embedded database: with the daemon up, status asks the daemon.
      database: { kind: db, reachable: true, source: db === 'pglite' ? 'daemon' : 'direct' },
      tickets: { awaiting_approval: 1, non_conforming: 1 },
      outbox: { unsent: 0, oldestUnsentSeconds: null, failed: 0 },
      quarantined: 0,
    });
    expect(Date.now() - Date.parse(report.lastProcessedAt!)).toBeLessThan(60_000);
    // Read from the database: the mailbox it serves, by its identity. Through the daemon: not listed.
    const key = mailboxIdentity(h.config.IMAP_URL!).key;
    if (db === 'postgres') {
      expect(report.mailboxes).toEqual([{ mailbox: key, lastMailAt: expect.any(String) }]);
      expect(Date.now() - Date.parse(report.mailboxes![0]!.lastMailAt!)).toBeLessThan(60_000);
    } else {
      expect(report.mailboxes).toBeNull();
    }

    const text = await status(h, [], port);
    expect(text.code).toBe(0);
    expect(text.out.join('\n')).toMatch(/daemon +running, healthy/);
    expect(text.out.join('\n')).toMatch(/tickets +awaiting_approval 1 · non_conforming 1 +\(2 in all\)/);
    expect(text.out.join('\n')).toMatch(/imap +connected/);
    expect(text.out.join('\n')).toMatch(/^smtp +ok$/m);
    const escaped = key.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    if (db === 'postgres') expect(text.out.join('\n')).toMatch(new RegExp(`^mailboxes +${escaped} \\(newest mail \\d+ s ago\\)$`, 'm'));
    else expect(text.out.join('\n')).not.toMatch(/^mailboxes/m);
    expect(report.daemon).toMatchObject({ smtp: 'ok', smtpError: null, imapError: null });
  });
});

describe('liquibot status without a daemon', () => {
  it('reads the database and exits 1 because nothing answers on HTTP_PORT', async () => {
    h = await createHarness();
    await h.mailbox.append(buildRequestMail({ from: 'ok@etude.example.fr' }));
    await h.start();
    await h.waitForProcessed(1);
    const port = String(h.daemon!.operations.http!.port);
    await h.stopDaemon();
    const { code, out } = await status(h, ['--json'], port);
    expect(code).toBe(1);
    expect(JSON.parse(out[0]!)).toMatchObject({
      healthy: false, daemon: { state: 'unreachable' }, database: { reachable: true, source: 'direct' }, tickets: { awaiting_approval: 1 },
    });
    const off = await status(h, [], 'off');
    expect(off.code).toBe(0);
    expect(off.out.join('\n')).toMatch(/daemon +not asked \(HTTP_PORT=off\)/);
  });

  it('prints its help', async () => {
    h = await createHarness();
    const { code, out } = await status(h, ['--help'], 'off');
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^Usage: liquibot status \[--json\]/);
  });
});
