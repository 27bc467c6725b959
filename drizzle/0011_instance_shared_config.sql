-- Each instance publishes, with its heartbeat, a digest of every setting the instances sharing the
-- database must agree on (src/config-agreement.ts); an instance that disagrees with a live one refuses
-- to start. Null for instances of older releases, which are not compared.
ALTER TABLE "instance_heartbeats" ADD COLUMN "shared_config" jsonb;
