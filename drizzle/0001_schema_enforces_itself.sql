-- 0001: the schema enforces itself (issue 9). From here on no applied migration is ever edited: 0000 is frozen,
-- and a change to a closed set of values in src/db/vocabulary.ts needs a new migration (`npm run db:generate`).
-- drizzle's migrator runs every pending migration in one transaction: this one applies whole or not at all.
--
-- Part 1, written by hand: make the rows of a database at 0000 satisfy the constraints of part 2.
--
-- 1a. Phantom states. tickets.status never held 'approved' or 'link_sent', but every approval wrote them into
-- the history as a chain, in one transaction: X -> approved, approved -> link_sent, link_sent -> resolved.
-- The state machine writes an approval as one X -> resolved: fold the old chains into that shape. The
-- approval's `decision`, `link_issued` and `mail_queued` events stay, so the history loses no fact.
UPDATE "ticket_events" SET "to_status" = 'resolved'
WHERE "kind" = 'status_changed' AND "to_status" = 'approved';--> statement-breakpoint
DELETE FROM "ticket_events"
WHERE "kind" = 'status_changed' AND "from_status" IN ('approved', 'link_sent');--> statement-breakpoint
-- Anything else naming them (nothing ever wrote it; a hand-edited database): 'resolved', where they led.
UPDATE "ticket_events" SET "from_status" = 'resolved' WHERE "from_status" IN ('approved', 'link_sent');--> statement-breakpoint
UPDATE "ticket_events" SET "to_status" = 'resolved' WHERE "to_status" IN ('approved', 'link_sent');--> statement-breakpoint
UPDATE "tickets" SET "status" = 'resolved' WHERE "status" IN ('approved', 'link_sent');--> statement-breakpoint
-- Any other value outside the lists is left alone on purpose: the CHECK below then fails, naming the constraint,
-- and the whole migration rolls back. Such a value was written by something this code does not know; rewriting
-- it silently would hide that.
--
-- 1b. References to rows that are gone. 0000 had no foreign keys, and tickets were deleted by hand (tests do it
-- too), leaving rows behind. Keep what can be kept: a nullable reference to a missing row is cleared; a row
-- that cannot exist without its parent (an event, a reset link) is deleted, as ON DELETE CASCADE would have
-- done. An unsent mail of a deleted ticket or link is not sent: marked failed, with the reason.
UPDATE "outbox" o SET "status" = 'failed', "last_error" = 'not sent: its ticket or reset link was deleted (migration 0001)'
WHERE o."status" IN ('pending', 'sending')
  AND ((o."ticket_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "tickets" t WHERE t."id" = o."ticket_id"))
    OR (o."reset_link_id" IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM "reset_links" l JOIN "tickets" t ON t."id" = l."ticket_id" WHERE l."id" = o."reset_link_id")));--> statement-breakpoint
UPDATE "outbox" o SET "reset_link_id" = NULL
WHERE o."reset_link_id" IS NOT NULL AND NOT EXISTS (
  SELECT 1 FROM "reset_links" l JOIN "tickets" t ON t."id" = l."ticket_id" WHERE l."id" = o."reset_link_id");--> statement-breakpoint
DELETE FROM "reset_links" l WHERE NOT EXISTS (SELECT 1 FROM "tickets" t WHERE t."id" = l."ticket_id");--> statement-breakpoint
DELETE FROM "ticket_events" e WHERE NOT EXISTS (SELECT 1 FROM "tickets" t WHERE t."id" = e."ticket_id");--> statement-breakpoint
UPDATE "outbox" o SET "ticket_id" = NULL
WHERE o."ticket_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "tickets" t WHERE t."id" = o."ticket_id");--> statement-breakpoint
UPDATE "inbound_messages" i SET "ticket_id" = NULL
WHERE i."ticket_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "tickets" t WHERE t."id" = i."ticket_id");--> statement-breakpoint
-- Part 2, written by drizzle-kit from src/db/schema.ts (meta/0001_snapshot.json is its result).
--
-- IMAP UIDs are unsigned 32-bit (up to 4294967295). Changing the type rewrites inbound_messages, raw sources
-- included, under an exclusive lock: on a large mailbox this step takes a while (retention keeps it bounded).
ALTER TABLE "inbound_messages" ALTER COLUMN "uid" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "mailbox_state" ALTER COLUMN "skip_up_to" SET DATA TYPE bigint;--> statement-breakpoint
-- Delete behaviour: retention never deletes a row (it closes tickets and clears raw sources and mail bodies), so
-- these actions serve a deliberate deletion of a ticket: its history, links and mails go with it; the inbound
-- message stays, unlinked, since it is what keeps the same mail from being processed twice; a reset link cannot
-- be deleted alone while a mail carries it.
ALTER TABLE "inbound_messages" ADD CONSTRAINT "inbound_messages_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_reset_link_id_reset_links_id_fk" FOREIGN KEY ("reset_link_id") REFERENCES "public"."reset_links"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reset_links" ADD CONSTRAINT "reset_links_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ticket_events" ADD CONSTRAINT "ticket_events_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- The referencing columns not indexed yet (ticket_events, outbox.ticket_id and reset_links are): a ticket's
-- messages are listed by ticket_id, and a deleted ticket or link must find what refers to it.
CREATE INDEX "inbound_messages_ticket" ON "inbound_messages" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX "outbox_reset_link" ON "outbox" USING btree ("reset_link_id") WHERE "outbox"."reset_link_id" is not null;--> statement-breakpoint
-- The closed sets of src/db/vocabulary.ts (rendered by src/db/vocabulary-sql.ts; test/db/vocabulary-checks.test.ts
-- compares what a migrated database holds with those lists).
ALTER TABLE "inbound_messages" ADD CONSTRAINT "inbound_messages_status_check" CHECK ("inbound_messages"."status" in ('stored', 'processed', 'quarantined'));--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_status_check" CHECK ("outbox"."status" in ('pending', 'sending', 'sent', 'failed'));--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_auto_submitted_check" CHECK ("outbox"."auto_submitted" in ('auto-replied', 'auto-generated'));--> statement-breakpoint
ALTER TABLE "reset_links" ADD CONSTRAINT "reset_links_status_check" CHECK ("reset_links"."status" in ('active', 'used', 'expired', 'superseded'));--> statement-breakpoint
ALTER TABLE "ticket_events" ADD CONSTRAINT "ticket_events_kind_check" CHECK ("ticket_events"."kind" in ('request_received', 'follow_up_received', 'requester_message', 'duplicate_request', 'checked', 'status_changed', 'notice_suppressed', 'mail_ignored', 'mail_queued', 'delivery_failed', 'approval_requested', 'approval_waiting', 'same_siret_request', 'decision', 'decision_rejected', 'reminded', 'link_issued', 'link_expired', 'link_verified', 'reopen_requested', 'retention_purged'));--> statement-breakpoint
ALTER TABLE "ticket_events" ADD CONSTRAINT "ticket_events_from_status_check" CHECK ("ticket_events"."from_status" in ('non_conforming', 'awaiting_approval', 'resolved', 'refused', 'link_expired', 'reissued', 'abandoned'));--> statement-breakpoint
ALTER TABLE "ticket_events" ADD CONSTRAINT "ticket_events_to_status_check" CHECK ("ticket_events"."to_status" in ('non_conforming', 'awaiting_approval', 'resolved', 'refused', 'link_expired', 'reissued', 'abandoned'));--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_status_check" CHECK ("tickets"."status" in ('non_conforming', 'awaiting_approval', 'resolved', 'refused', 'link_expired', 'reissued', 'abandoned'));--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_decision_check" CHECK ("tickets"."decision" in ('approved', 'refused'));
