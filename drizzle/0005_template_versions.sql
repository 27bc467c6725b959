-- Issue 14: mail templates edited in the console are versions in the database (never updated in place);
-- the audit log gains the template editor, account management, "marquer traité" and session revocation.
CREATE TABLE "template_versions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"version" integer NOT NULL,
	"subject" text,
	"text" text,
	"html" text,
	"based_on" bigint,
	"author" text NOT NULL,
	"comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "console_audit" DROP CONSTRAINT "console_audit_action_check";--> statement-breakpoint
CREATE UNIQUE INDEX "template_versions_name_version" ON "template_versions" USING btree ("name","version");--> statement-breakpoint
ALTER TABLE "console_audit" ADD CONSTRAINT "console_audit_action_check" CHECK ("console_audit"."action" in ('user_added', 'user_invited', 'user_disabled', 'user_enabled', 'password_set', 'login', 'login_failed', 'login_throttled', 'logout', 'decision', 'decision_rejected', 'document_viewed', 'raw_viewed', 'quarantine_replayed', 'decisions_exported', 'forbidden', 'template_saved', 'template_rolled_back', 'template_test_sent', 'user_role_changed', 'sessions_revoked', 'ticket_marked_handled'));