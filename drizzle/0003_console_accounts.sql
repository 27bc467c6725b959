CREATE TABLE "console_audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"ip" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "console_audit_action_check" CHECK ("console_audit"."action" in ('user_added', 'user_invited', 'user_disabled', 'user_enabled', 'password_set', 'login', 'login_failed', 'login_throttled', 'logout', 'decision', 'decision_rejected', 'document_viewed', 'raw_viewed', 'quarantine_replayed', 'decisions_exported', 'forbidden'))
);
--> statement-breakpoint
CREATE TABLE "console_sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"csrf_token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ip" text,
	"user_agent" text
);
--> statement-breakpoint
CREATE TABLE "console_users" (
	"id" serial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"role" text NOT NULL,
	"password_hash" text,
	"invitation_token_hash" text,
	"invitation_expires_at" timestamp with time zone,
	"disabled_at" timestamp with time zone,
	"last_login_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "console_users_role_check" CHECK ("console_users"."role" in ('agent', 'admin'))
);
--> statement-breakpoint
CREATE INDEX "console_audit_at" ON "console_audit" USING btree ("at");--> statement-breakpoint
CREATE INDEX "console_audit_action_target" ON "console_audit" USING btree ("action","target","at");--> statement-breakpoint
CREATE INDEX "console_audit_action_ip" ON "console_audit" USING btree ("action","ip","at");--> statement-breakpoint
CREATE INDEX "console_sessions_user" ON "console_sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "console_sessions_expires" ON "console_sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "console_users_email" ON "console_users" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "console_users_invitation" ON "console_users" USING btree ("invitation_token_hash");