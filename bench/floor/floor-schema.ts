/**
 * The floor's tables: the raw source once (unique on its hash and on mailbox + UIDVALIDITY + UID),
 * one small row per request, and the two outbox rows with their Message-ID persisted before sending.
 * What liquibot must store at the least; nothing else (no tickets, history, audit).
 */
export const FLOOR_SCHEMA = `
create table if not exists floor_inbound (
  sha256 bytea primary key,
  uid_validity bigint not null,
  uid bigint not null,
  raw bytea not null,
  stored_at timestamptz not null default now(),
  unique (uid_validity, uid)
);
create table if not exists floor_requests (
  id bigint generated always as identity primary key,
  inbound_sha256 bytea not null unique references floor_inbound (sha256),
  message_id text,
  sender text,
  subject text
);
create table if not exists floor_outbox (
  id bigint generated always as identity primary key,
  request_id bigint not null references floor_requests (id),
  purpose text not null,
  message_id text not null unique,
  recipient text not null,
  status text not null default 'pending',
  sent_at timestamptz,
  unique (request_id, purpose)
);
`;
