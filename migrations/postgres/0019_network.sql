-- what a partner's actor says of itself that backfill and consent need: where its outbox,
-- pinned items and upcoming events are, and whether it lets others index its objects
-- (false when it says `indexable: false` or `discoverable: false`).
alter table remote_actors add column outbox text;
alter table remote_actors add column featured text;
alter table remote_actors add column upcoming_events text;
alter table remote_actors add column indexable boolean not null default true;

-- fetching what an actor published before it was followed: one row per actor, claimed by
-- one node at a time, with its progress for the organisation's federation page.
create table backfills (
    actor_ap_id text primary key,
    state text not null default 'pending',
    pages bigint not null default 0,
    stored bigint not null default 0,
    skipped bigint not null default 0,
    total bigint,
    error text,
    claimed_by text,
    requested_at timestamptz not null,
    finished_at timestamptz
);
create index backfills_by_state on backfills (state);
