import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema';
import { eq } from 'drizzle-orm';
import { buildRequestMail } from '../support/sample-mails';
import { parseMail } from '../../src/mail/parse-mail';
import { SHIPPED_TEMPLATES_DIR } from '../../src/templates/sources';
import { createHarness, type Harness } from './support/liquibot-harness';

let h: Harness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const shipped = (name: string, file: string) => readFileSync(join(SHIPPED_TEMPLATES_DIR, name, file), 'utf8');

describe('templates edited while the daemon runs', () => {
  it('refuses to start on a broken template', async () => {
    dir = mkdtempSync(join(tmpdir(), 'liquibot-tpl-'));
    mkdirSync(join(dir, 'acknowledgment'));
    writeFileSync(join(dir, 'acknowledgment', 'text.liquid'), 'Bonjour {{ ticketRef }\n');
    h = await createHarness({ env: { TEMPLATES_DIR: dir } });
    await expect(h.start()).rejects.toThrow(/templates: .*acknowledgment.*text\.liquid:1:/);
  });

  it('a valid edit is used for the next mail; an invalid one is refused, reported to the admins once, and the last good stays', async () => {
    dir = mkdtempSync(join(tmpdir(), 'liquibot-tpl-'));
    h = await createHarness({ env: { TEMPLATES_DIR: dir, ADMIN_ADDRESS: 'admins@support.example.fr' } });
    await h.start();
    mkdirSync(join(dir, 'acknowledgment'));
    writeFileSync(join(dir, 'acknowledgment', 'text.liquid'), `MODIFIÉ PAR L'ADMIN\n${shipped('acknowledgment', 'text.liquid')}`);
    await new Promise((r) => setTimeout(r, 1000));
    await h.mailbox.append(buildRequestMail({ from: 'a@etude.example.fr' }));
    await h.waitForProcessed(1);
    const first = await h.sink.waitFor((m) => m.envelope.to[0] === 'a@etude.example.fr', 10_000);
    expect((await parseMail(first.raw)).text).toContain("MODIFIÉ PAR L'ADMIN");

    writeFileSync(join(dir, 'acknowledgment', 'text.liquid'), 'cassé {% if %}\n');
    await new Promise((r) => setTimeout(r, 1000));
    writeFileSync(join(dir, 'acknowledgment', 'text.liquid'), 'cassé {% if %}\n');
    await new Promise((r) => setTimeout(r, 1000));
    await h.mailbox.append(buildRequestMail({ from: 'b@etude.example.fr', siret: '44306184100047' }));
    await h.waitForProcessed(2);
    const second = await h.sink.waitFor((m) => m.envelope.to[0] === 'b@etude.example.fr', 10_000);
    expect((await parseMail(second.raw)).text).toContain("MODIFIÉ PAR L'ADMIN");
    const report = await h.sink.waitFor((m) => m.envelope.to[0] === 'admins@support.example.fr', 10_000);
    expect((await parseMail(report.raw)).text).toContain('text.liquid');
    expect(await h.database.db.select().from(outbox).where(eq(outbox.kind, 'admin-template-error'))).toHaveLength(1);
    // Every sent mail records the template version that produced it.
    const acks = await h.database.db.select().from(outbox).where(eq(outbox.kind, 'acknowledgment'));
    expect(new Set(acks.map((r) => r.templateVersion)).size).toBe(1);
    expect(acks[0]!.templateVersion).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('templates preview --ticket', () => {
  it('renders a mail with a real ticket’s data', async () => {
    const { templatesCommand } = await import('../../src/cli/templates-command');
    const { ticketTemplateVars } = await import('../../src/cli/ticket-template-vars');
    const { loadConfig } = await import('../../src/config');
    h = await createHarness();
    await h.start();
    await h.mailbox.append(buildRequestMail({ from: 'p@etude.example.fr', siret: '12345678912345', attachment: 'none' }));
    await h.waitForProcessed(1);
    await h.stopDaemon();
    const ref = h.processed[0]!.ticketRef!;
    const config = loadConfig({ DATABASE_URL: h.config.DATABASE_URL, DATA_DIR: h.config.DATA_DIR });
    const out: string[] = [];
    dir = mkdtempSync(join(tmpdir(), 'liquibot-preview-'));
    const code = await templatesCommand(['preview', 'non-conformity', '--ticket', ref, '--out', dir], {
      out: (l) => out.push(l), err: (l) => out.push(l), loadTicketVars: (r, name) => ticketTemplateVars(config, r, name),
    });
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toContain(ref);
    expect(text).toContain('12345678912345');
    expect(readFileSync(join(dir, 'non-conformity.eml'), 'utf8')).toMatch(/^Subject: /m);
  });
});
