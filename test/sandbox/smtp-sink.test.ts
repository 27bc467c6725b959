import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failAlways, failTimes } from '../support/sandbox/smtp-fail-plan';
import type { SmtpSink } from '../support/sandbox/smtp-sink';
import { startSink } from '../helpers/smtp-sink';

const mail = (n: number, to: string | string[] = 'mandataire@example.org') => ({
  from: 'support@example.com',
  to,
  subject: `Réponse ${n}`,
  text: 'Bonjour',
  messageId: `<outbox-${n}@liquibot.test>`,
});

describe('SMTP sink', () => {
  let sink: SmtpSink;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liquibot-sink-'));
    sink = await startSink({ dir });
  });
  afterEach(() => {
    sink.setFailPlan(undefined);
    sink.clear();
  });
  afterAll(async () => {
    await sink?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const transport = () => nodemailer.createTransport({ url: sink.url, ignoreTLS: true });

  it('receives a nodemailer message with envelope and headers, and writes it as .eml', async () => {
    const info = await transport().sendMail({ ...mail(1), cc: 'copy@example.org' });
    expect(info.accepted).toEqual(['mandataire@example.org', 'copy@example.org']);

    const received = await sink.waitFor((m) => m.messageId === '<outbox-1@liquibot.test>');
    expect(received.envelope).toEqual({ from: 'support@example.com', to: ['mandataire@example.org', 'copy@example.org'] });
    expect(received.subject).toBe('=?UTF-8?Q?R=C3=A9ponse_1?=');
    expect(received.headers.cc).toEqual(['copy@example.org']);
    expect(received.raw.toString()).toContain('Bonjour');
    const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    expect(readFileSync(join(dir, files[0]!))).toEqual(received.raw);
  });

  it('waitFor resolves on a message that arrives later, and times out otherwise', async () => {
    const pending = sink.waitFor((m) => m.messageId === '<outbox-2@liquibot.test>', 5_000);
    await transport().sendMail(mail(2));
    await expect(pending).resolves.toMatchObject({ messageId: '<outbox-2@liquibot.test>' });
    await expect(sink.waitFor((m) => m.messageId === '<never>', 100)).rejects.toThrow(/no matching message/);
  });

  it('answers 451 the planned number of times, then accepts exactly once', async () => {
    sink.setFailPlan(failTimes(2, 451));
    const t = transport();
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      await expect(t.sendMail(mail(3))).rejects.toMatchObject({ responseCode: 451 });
    }
    await expect(t.sendMail(mail(3))).resolves.toMatchObject({ accepted: ['mandataire@example.org'] });
    expect(sink.messages.map((m) => m.messageId)).toEqual(['<outbox-3@liquibot.test>']);
    expect(sink.rejections.map((r) => [r.stage, r.code])).toEqual([
      ['data', 451],
      ['data', 451],
    ]);
  });

  it('answers 550 forever for all messages', async () => {
    sink.setFailPlan(failAlways(550));
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await expect(transport().sendMail(mail(4))).rejects.toMatchObject({ responseCode: 550 });
    }
    expect(sink.messages).toHaveLength(0);
  });

  it('refuses one recipient with 550 and delivers to the others', async () => {
    sink.setFailPlan(failAlways(550, 'Gone@Example.org'));
    const info = await transport().sendMail(mail(5, ['gone@example.org', 'ok@example.org']));
    expect(info.rejected).toEqual(['gone@example.org']);
    expect(info.rejectedErrors?.[0]).toMatchObject({ responseCode: 550 });
    const received = await sink.waitFor();
    expect(received.envelope.to).toEqual(['ok@example.org']);
  });

  it('fails the send when the only recipient is refused', async () => {
    sink.setFailPlan(failAlways(550, 'gone@example.org'));
    await expect(transport().sendMail(mail(6, 'gone@example.org'))).rejects.toMatchObject({ responseCode: 550 });
  });
});
