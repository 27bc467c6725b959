CREATE TABLE "accounts" (
	"siret" text PRIMARY KEY NOT NULL,
	"last_name" text NOT NULL,
	"first_name" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbound_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"mailbox" text NOT NULL,
	"uid_validity" bigint NOT NULL,
	"uid" integer NOT NULL,
	"sha256" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"raw" "bytea",
	"message_id" text,
	"status" text DEFAULT 'stored' NOT NULL,
	"outcome" text,
	"error_code" text,
	"error_detail" text,
	"ticket_id" integer,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "mailbox_state" (
	"mailbox" text PRIMARY KEY NOT NULL,
	"uid_validity" bigint NOT NULL,
	"skip_up_to" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"purpose_key" text NOT NULL,
	"ticket_id" integer,
	"ticket_ref" text,
	"kind" text NOT NULL,
	"message_id" text NOT NULL,
	"to_address" text NOT NULL,
	"subject" text NOT NULL,
	"text_body" text NOT NULL,
	"html_body" text,
	"in_reply_to" text,
	"references" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"auto_submitted" text,
	"reply_to" text,
	"attachments" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"reset_link_id" integer,
	"template_name" text NOT NULL,
	"template_version" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"claimed_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "reset_links" (
	"id" serial PRIMARY KEY NOT NULL,
	"ticket_id" integer NOT NULL,
	"token_hash" text NOT NULL,
	"siret" text NOT NULL,
	"liquidator_email" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"status" text DEFAULT 'active' NOT NULL,
	"failed_attempts" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ticket_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"ticket_id" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"actor" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"id" serial PRIMARY KEY NOT NULL,
	"ref" text NOT NULL,
	"status" text NOT NULL,
	"requester_email" text NOT NULL,
	"requester_name" text DEFAULT '' NOT NULL,
	"subject" text DEFAULT '' NOT NULL,
	"siret" text,
	"liquidator_email" text,
	"check" jsonb NOT NULL,
	"root_message_id" text,
	"approval_message_id" text,
	"approval_token_hash" text,
	"decision" text,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"refusal_reason" text,
	"link_reissues" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_messages_mailbox_uid" ON "inbound_messages" USING btree ("mailbox","uid_validity","uid");--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_messages_sha256" ON "inbound_messages" USING btree ("sha256");--> statement-breakpoint
CREATE INDEX "inbound_messages_message_id" ON "inbound_messages" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "inbound_messages_status" ON "inbound_messages" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_purpose_key" ON "outbox" USING btree ("purpose_key");--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_message_id" ON "outbox" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "outbox_due" ON "outbox" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "outbox_to_kind_created" ON "outbox" USING btree ("to_address","kind","created_at");--> statement-breakpoint
CREATE INDEX "outbox_ticket" ON "outbox" USING btree ("ticket_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reset_links_token_hash" ON "reset_links" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "reset_links_ticket" ON "reset_links" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX "reset_links_status_expiry" ON "reset_links" USING btree ("status","expires_at");--> statement-breakpoint
CREATE INDEX "ticket_events_ticket" ON "ticket_events" USING btree ("ticket_id","id");--> statement-breakpoint
CREATE INDEX "ticket_events_kind" ON "ticket_events" USING btree ("kind");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_ref" ON "tickets" USING btree ("ref");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_approval_message_id" ON "tickets" USING btree ("approval_message_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_approval_token_hash" ON "tickets" USING btree ("approval_token_hash");--> statement-breakpoint
CREATE INDEX "tickets_status" ON "tickets" USING btree ("status");--> statement-breakpoint
CREATE INDEX "tickets_siret" ON "tickets" USING btree ("siret");