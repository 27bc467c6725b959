-- Issue 12: a request can wait for a person (needs_person_since), and a notice made stale before it was
-- sent is marked superseded instead of sent. The CHECK lists come from src/db/vocabulary.ts (new event
-- kinds handed_to_agents, person_handled, notice_superseded; outbox status superseded).
ALTER TABLE "outbox" DROP CONSTRAINT "outbox_status_check";--> statement-breakpoint
ALTER TABLE "ticket_events" DROP CONSTRAINT "ticket_events_kind_check";--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "needs_person_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_status_check" CHECK ("outbox"."status" in ('pending', 'sending', 'sent', 'failed', 'superseded'));--> statement-breakpoint
ALTER TABLE "ticket_events" ADD CONSTRAINT "ticket_events_kind_check" CHECK ("ticket_events"."kind" in ('request_received', 'follow_up_received', 'requester_message', 'duplicate_request', 'checked', 'status_changed', 'notice_suppressed', 'mail_ignored', 'mail_queued', 'delivery_failed', 'approval_requested', 'approval_waiting', 'same_siret_request', 'decision', 'decision_rejected', 'reminded', 'link_issued', 'link_expired', 'link_verified', 'reopen_requested', 'retention_purged', 'handed_to_agents', 'person_handled', 'notice_superseded'));