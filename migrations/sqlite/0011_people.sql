-- people managed in the browser: invitations and password resets as one-time links, a display
-- name, sessions a person can see and end, and the history of their sign-ins. still no e-mail,
-- ip address or user agent: a session and a sign-in keep only a coarse device ("Firefox on
-- Android"), made from the user agent and then forgotten.
alter table users add column display_name text;

-- a session's public id (its list entry and "end" button name it; the token hash never leaves
-- the server) and its device.
alter table sessions add column public_id text;
alter table sessions add column device text not null default '';
update sessions set public_id = lower(hex(randomblob(12))) where public_id is null;
create unique index sessions_public_id on sessions (public_id);

-- organisations get members besides admins and editors: they read drafts, never publish.
-- sqlite cannot change a check constraint in place, so the table is made again.
create table memberships_new (
    org_id integer not null references orgs (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    role text not null check (role in ('admin', 'editor', 'member')),
    primary key (org_id, user_id)
);
insert into memberships_new (org_id, user_id, role) select org_id, user_id, role from memberships;
drop table memberships;
alter table memberships_new rename to memberships;
create index memberships_by_user on memberships (user_id);

-- one-time links: an invitation (kind 'invite': the instance role, and an organisation and
-- role in it if any) or a password reset (kind 'reset', for user_id). only a sha-256 of the
-- link's secret is kept; used_at is set once, by the one request that uses it.
create table account_links (
    id integer primary key,
    token_hash text not null unique,
    kind text not null check (kind in ('invite', 'reset')),
    role text check (role in ('admin', 'editor', 'member')),
    org_id integer references orgs (id) on delete cascade,
    org_role text check (org_role in ('admin', 'editor', 'member')),
    user_id integer references users (id) on delete cascade,
    created_by integer references users (id) on delete set null,
    created_at text not null,
    expires_at text not null,
    used_at text
);

-- sign-ins and failed attempts on an existing account, for its owner to see.
create table sign_ins (
    id integer primary key,
    user_id integer not null references users (id) on delete cascade,
    at text not null,
    success boolean not null,
    device text not null
);
create index sign_ins_by_user on sign_ins (user_id, at);
