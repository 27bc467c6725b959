-- A liquidator's other companies are the newest 50 of their tickets (src/db/approval-fact-queries.ts). Indexed by
-- address alone, each of their requests read every ticket of theirs and sorted them: at a firm's thousandth
-- request, a thousand rows. By address then id, the newest 50 are read backwards and the scan stops there.
-- Like 0007, a plain CREATE INDEX: it holds writes to tickets for well under a second at the sizes retention keeps.
DROP INDEX "tickets_liquidator_email";--> statement-breakpoint
CREATE INDEX "tickets_liquidator_email_id" ON "tickets" USING btree ("liquidator_email","id");
