-- A claim of outgoing mail takes the first due rows in (due time, id) order (src/db/outbox-queries.ts,
-- claimDueMail). Through (status, next_attempt_at) it read every due row, sorted them and kept ten: draining
-- 4,000 requests, the outbox held a few thousand pending mails and a claim took 6-11 ms of the server's
-- time, 1.2-2.2 ms a request. Pending mail now has an index of its own in claim order, so the scan stops
-- once it has enough; mail being sent (few rows) and failed mail have one by status. Both are partial: a
-- sent mail, the bulk of the table, is in neither, so marking a mail sent writes one index entry fewer.
-- For each row it takes, the claim asks whether an earlier mail of its ticket to the same address is still
-- to go: by (ticket_id, to_address, id) that is one descent of one index, where by ticket_id alone
-- PostgreSQL also read the index on the address, every mail ever sent to the agents.
-- Like 0007-0009, plain CREATE INDEX: writes to the outbox wait while they build (seconds at a million rows).
DROP INDEX "outbox_due";--> statement-breakpoint
DROP INDEX "outbox_ticket";--> statement-breakpoint
CREATE INDEX "outbox_pending_due" ON "outbox" USING btree ("next_attempt_at","id") WHERE "outbox"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "outbox_sending_failed" ON "outbox" USING btree ("status") WHERE "outbox"."status" in ('sending', 'failed');--> statement-breakpoint
CREATE INDEX "outbox_ticket_to_id" ON "outbox" USING btree ("ticket_id","to_address","id");