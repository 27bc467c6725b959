import type { Config } from '../config';
import type { Database, Tx } from '../db/client';
import type { InboundMessageRow, Ticket } from '../db/schema';
import type { Logger } from '../log';
import type { DocumentCache } from '../mail/document-cache';
import type { AttachmentContent } from '../mail/parse-mail';
import type { MailRenderer } from '../outbox/outgoing-mail';
import type { ResetLinkProvider } from '../reset/link-provider';
import type { InboundMail, SenderAddress } from '../../parsers/inbound-mail';
import type { DkimVerdict } from './decide-agent-reply';

/** Everything the workflow needs, built once from the configuration (deps.ts). */
export interface PipelineDeps {
  database: Database;
  config: Config;
  templates: MailRenderer;
  log: Logger;
  now: () => Date;
  links: ResetLinkProvider;
  /** Whether a sender is on the AGENT_SENDERS allow-list; give it `mail.from`, so that an ambiguous From is never an agent. */
  isAgent(sender: string | SenderAddress): boolean;
  /** DKIM verdict of a raw message for its From domain (aligned signature → 'pass'). */
  checkDkim(raw: Buffer, fromDomain: string): Promise<'pass' | 'fail' | 'none'>;
  /** Hands the court documents decoded at intake to the outbox (a shortcut; absent in some tests). */
  documents?: DocumentCache | undefined;
  /** True when a document reader runs: approval requests wait for the reading (read-documents.ts). */
  awaitDocumentReading?: boolean | undefined;
  /** Reads a request's documents after its intake commits (set by the daemon when reading is on). */
  readings?: DocumentReadingQueue | undefined;
}

/** One stored message being processed: the message, its one parse, and when. */
export interface MessageContext {
  deps: PipelineDeps;
  row: InboundMessageRow;
  mail: InboundMail;
  /** Decoded attachment contents of this mail, by SHA-256 (from its one parse). */
  contents: ReadonlyMap<string, AttachmentContent>;
  now: Date;
}

/** What became of a message; decides where it goes on the IMAP server. */
export type OutcomeKind = 'ticket' | 'ignored' | 'unrelated' | 'quarantined' | 'already-processed';

export interface ProcessResult {
  kind: OutcomeKind;
  /** The outcome as stored on inbound_messages.outcome: `new-request:awaiting_approval`, `ignored:bulk`, … */
  outcome: string;
  ticketRef: string | null;
  mailsQueued: number;
}

/**
 * What a handler hands back to the dispatcher: the result, and the ticket the message is filed under.
 * The dispatcher marks the message processed with it, in the same transaction.
 */
export interface HandlerResult {
  kind: Exclude<OutcomeKind, 'quarantined' | 'already-processed'>;
  /** The outcome with the ticket's resulting status, as the caller sees it: `new-request:awaiting_approval`. */
  outcome: string;
  /** The outcome as stored on the message: what it was, without the ticket's status (`new-request`). */
  storedOutcome: string;
  ticket: Pick<Ticket, 'id' | 'ref' | 'status'> | null;
  mailsQueued: number;
}

/** The transaction a handler writes in; it is opened by the dispatcher after the handler's reads. */
export type RunInTransaction = <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;

/** Reads the court documents of requests before the agents see them (read-documents.ts). */
export interface DocumentReadingQueue {
  /** Read the documents of this ticket if it waits for them (after its intake commits); returns at once. */
  kick(ticketId: number): void;
  /** Kick every request that waits for its reading (after a restart, another instance's crash). */
  sweep(): Promise<number>;
  /** Resolves when nothing is being read (tests, shutdown). */
  idle(): Promise<void>;
}
