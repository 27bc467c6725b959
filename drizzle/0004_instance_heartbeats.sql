-- Issue 13: instances beat in instance_heartbeats (on a dedicated session), an outbox claim records its
-- claimer (outbox.claimed_by), so a dead claimer's claim is released at once instead of after its lease;
-- job_slots records the scheduled slots run, so a clock jumping back does not run a slot twice.
CREATE TABLE "instance_heartbeats" (
	"instance_id" text PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"pid" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"beat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"backend_pid" integer,
	"server_started_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "job_slots" (
	"job" text NOT NULL,
	"slot" timestamp with time zone NOT NULL,
	"instance_id" text,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "job_slots_job_slot_pk" PRIMARY KEY("job","slot")
);
--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "claimed_by" text;