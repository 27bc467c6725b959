import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log';
import { parseMailWithContents } from '../../src/mail/parse-mail';
import { createSmtpSender } from '../../src/mail/smtp-transport';
import type { SmtpSink } from '../support/sandbox/smtp-sink';
import { startSink } from '../helpers/smtp-sink';

describe('SMTP sender', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSink();
  });
  afterAll(async () => {
    await sink?.stop();
  });

  it('sends attachments of any size byte for byte (they are streamed in 64 KiB pieces)', async () => {
    const sender = createSmtpSender(`${sink.url}?starttls=never`, createLogger({ level: 'silent' }));
    const documents = [randomBytes(1), randomBytes(64 * 1024), randomBytes(300 * 1024 + 7)];
    try {
      const result = await sender.send({
        messageId: '<pieces@liquibot.example.fr>', from: { name: 'Liquibot', address: 'liquibot@support.example.fr' }, to: 'agents@support.example.fr',
        subject: 'Documents', text: 'Pièces jointes', references: [],
        attachments: documents.map((content, i) => ({ filename: `doc${i}.pdf`, content, contentType: 'application/pdf' })),
      });
      expect(result.kind).toBe('sent');
    } finally {
      sender.close();
    }
    const { mail, contents } = await parseMailWithContents(sink.messages.at(-1)!.raw);
    expect(mail.attachments.map((a) => a.filename)).toEqual(['doc0.pdf', 'doc1.pdf', 'doc2.pdf']);
    expect(mail.attachments.map((a) => a.sha256)).toEqual(documents.map((d) => createHash('sha256').update(d).digest('hex')));
    expect([...contents.values()].map((c) => c.content.length)).toEqual(documents.map((d) => d.length));
  });
});
