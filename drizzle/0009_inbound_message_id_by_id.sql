-- Every claim of outgoing mail reads, for each claimed row, when the mail it answers arrived: the newest
-- inbound_messages row with that Message-ID (src/db/outbox-queries.ts, answersArrivedAt). With the index on the
-- Message-ID alone and statistics older than a burst, PostgreSQL walked the primary key backwards and filtered:
-- for a mail that answers none (an approval request) it read the whole table, 2 of a claim's 3.6 ms after 600
-- requests. By Message-ID then id, the newest copy is the first entry read, whatever the statistics say.
-- Like 0007 and 0008, a plain CREATE INDEX: it holds inserts into inbound_messages while it builds (seconds
-- at a million rows); the intake waits and goes on.
DROP INDEX "inbound_messages_message_id";--> statement-breakpoint
CREATE INDEX "inbound_messages_message_id_id" ON "inbound_messages" USING btree ("message_id","id");