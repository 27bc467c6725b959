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
      // This instance, live; compared with status's own environment, which lacks the harness's sender,
      // secret and trust settings: status names them, never their values.
      expect(report.instances).toEqual([{ host: expect.any(String), pid: process.pid, startedAt: expect.any(String), beatAt: expect.any(String),
        differs: ['MAIL_FROM', 'AGENTS_ADDRESS', 'RESET_LINK_SECRET', 'AGENT_SENDERS', 'ALLOW_UNSIGNED_AGENT_REPLIES'] }]);
      expect(json.out[0]).not.toContain(h.config.RESET_LINK_SECRET!);
      // With the daemon's own configuration, they agree.
      const same = { ...h.config, HTTP_PORT: loadConfig({ HTTP_PORT: port }).HTTP_PORT };
      const out: string[] = [];
      await statusCommand([], { out: (l) => out.push(l), err: (l) => out.push(l) }, same);
      expect(out.join('\n')).toMatch(/^instances +1 live: \S+ pid \d+ \(up \d+ s\); shared settings as in this environment$/m);
    } else {
      expect(report.mailboxes).toBeNull();
      expect(report.instances).toBeNull();
    }

    const text = await status(h, [], port);
    expect(text.code).toBe(0);
    expect(text.out.join('\n')).toMatch(/daemon +running, healthy/);
    expect(text.out.join('\n')).toMatch(/tickets +awaiting_approval 1 · non_conforming 1 +\(2 in all\)/);
    expect(text.out.join('\n')).toMatch(/imap +connected/);
    expect(text.out.join('\n')).toMatch(/^smtp +ok$/m);
    const escaped = key.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    if (db === 'postgres') expect(text.out.join('\n')).toMatch(new RegExp(`^mailboxes +${escaped} \\(newest mail \\d+ s ago\\)$`, 'm'));
    if (db === 'postgres') expect(text.out.join('\n')).toMatch(/^instances +1 live: .*; shared settings DIFFER from this environment: \S+ pid \d+ \(MAIL_FROM, AGENTS_ADDRESS, RESET_LINK_SECRET, AGENT_SENDERS, ALLOW_UNSIGNED_AGENT_REPLIES\)$/m);
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
      // A stopped instance removed its heartbeat.
      instances: [],
    });
    const off = await status(h, [], 'off');
    expect(off.code).toBe(0);
    expect(off.out.join('\n')).toMatch(/daemon +not asked \(HTTP_PORT=off\)/);
    expect(off.out.join('\n')).toMatch(/^instances +none running$/m);
  });

  it('prints its help', async () => {
    h = await createHarness();
    const { code, out } = await status(h, ['--help'], 'off');
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^Usage: liquibot status \[--json\]/);
  });
});
