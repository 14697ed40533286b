-- actors on other servers that this instance has met: followers, followed organisations.
-- their inboxes and keys are kept so that delivering and verifying never wait on a fetch.
create table remote_actors (
    id integer primary key,
    ap_id text not null unique,
    kind text not null,
    preferred_username text,
    name text,
    inbox text not null,
    shared_inbox text,
    public_key text not null,
    domain text not null,
    fetched_at text not null
);

-- activities this instance sent, kept until every delivery of them is settled.
create table activities (
    id integer primary key,
    ap_id text not null unique,
    org_id integer references orgs (id) on delete cascade,
    json text not null,
    created_at text not null
);

-- one row per activity and inbox (shared inboxes preferred, so each server gets an
-- activity once). written in the same transaction as the content, so a crash between the
-- two loses nothing. state: pending, done, failed. lease_until keeps two workers (on
-- several nodes) from sending the same row at once.
create table deliveries (
    id integer primary key,
    activity_id integer not null references activities (id) on delete cascade,
    inbox text not null,
    host text not null,
    state text not null default 'pending' check (state in ('pending', 'done', 'failed')),
    attempts integer not null default 0,
    next_attempt_at text not null,
    lease_until text,
    last_error text,
    created_at text not null,
    updated_at text not null
);
create index deliveries_due on deliveries (state, next_attempt_at);
create index deliveries_by_host on deliveries (host, state);

-- ids of activities received, so that a replayed activity is recognised and ignored.
create table received_activities (
    ap_id text primary key,
    received_at text not null
);
