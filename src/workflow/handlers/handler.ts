import type { Tx } from '../../db/client';
import type { Classification } from '../classify';
import type { HandlerResult, MessageContext } from '../context';

/**
 * A handler of one kind of mail. It gathers its facts first (reads, DKIM, document scans: outside any
 * transaction), then returns the step to run inside the message's transaction, where it locks what it
 * changes, calls a pure decision and hands it to applyDecision. The dispatcher opens that transaction
 * and marks the message processed in it.
 */
export type MailHandler<K extends Classification['kind']> = (
  ctx: MessageContext,
  classification: Extract<Classification, { kind: K }>,
) => Promise<(tx: Tx) => Promise<HandlerResult>>;
