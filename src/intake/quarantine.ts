import type { Config } from '../config';
import type { Database } from '../db/client';
import { quarantineInbound } from '../db/inbound-queries';
import { enqueueMail } from '../db/outbox-queries';
import type { InboundMessageRow } from '../db/schema';
import { parseMail } from '../mail/parse-mail';
import { noticeAllowed } from '../outbox/notice-limit';
import { outboxRowFor, type MailRenderer } from '../outbox/outgoing-mail';
import type { InboundMail } from '../../parsers/inbound-mail';
import { detectIgnoreReason } from '../../parsers/loop-guard';

/** Quarantine a stored message: kept with its raw source and an error code, never dropped; `liquibot replay` takes it back. */
export async function quarantine(database: Database, row: Pick<InboundMessageRow, 'id'>, code: string, detail: string, now: Date): Promise<void> {
  await quarantineInbound(database.db, row.id, { code, detail, now });
}

/**
 * A message over MAX_MESSAGE_BYTES: kept (its header, or all of it when it was downloaded) and
 * quarantined; its sender is told, unless the header says a machine sent it. Returns the mails queued.
 */
export async function quarantineTooLarge(
  deps: { database: Database; config: Config; templates: MailRenderer }, row: InboundMessageRow, now: Date,
): Promise<number> {
  const { config } = deps;
  const detail = `message is ${row.sizeBytes} bytes, MAX_MESSAGE_BYTES is ${config.MAX_MESSAGE_BYTES}`;
  let mail: InboundMail | null = null;
  try {
    mail = await parseMail(row.raw!);
  } catch {
    // No readable header: nobody to tell.
  }
  const own = { addresses: [config.MAIL_FROM], messageIdDomain: config.messageIdDomain };
  const to = mail?.from && !detectIgnoreReason(mail, own) ? mail.from.address : null;
  let queued = 0;
  await deps.database.db.transaction(async (tx) => {
    await quarantineInbound(tx, row.id, { code: 'MAIL_TOO_LARGE', detail, now });
    if (!to || !mail || !(await noticeAllowed(config, tx, to, now))) return;
    const rendered = deps.templates.render('too-large', {
      requester: { email: to, name: mail.from!.name || null }, subject: mail.subject.slice(0, 500),
      receivedAt: row.receivedAt, sizeBytes: row.sizeBytes, maxBytes: config.MAX_MESSAGE_BYTES,
    });
    if (await enqueueMail(tx, outboxRowFor({
      purposeKey: `too-large:${row.id}`, kind: 'too-large', ticketId: null, ticketRef: null, to, rendered,
      messageIdDomain: config.messageIdDomain, parent: mail, autoSubmitted: 'auto-replied', now,
    }))) queued = 1;
  });
  return queued;
}
