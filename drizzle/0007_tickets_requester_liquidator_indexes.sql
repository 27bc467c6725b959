-- The approval request's facts look up a requester's earlier requests and a liquidator's other companies for
-- every request (src/db/approval-fact-queries.ts): without these, both scanned every ticket. A plain CREATE INDEX
-- holds writes to tickets while it builds: well under a second at the sizes retention keeps.
CREATE INDEX "tickets_requester_email" ON "tickets" USING btree ("requester_email");--> statement-breakpoint
CREATE INDEX "tickets_liquidator_email" ON "tickets" USING btree ("liquidator_email");