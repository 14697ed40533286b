-- where an organisation works from (an iso 3166 code of the country vocabulary), for the
-- directory's filter; partners' organisations are found by what they publish about.
alter table orgs add column country text;

-- an organisation asking to join this instance, with no e-mail server needed: the applicant
-- keeps the address of its status page (uid, unguessable), where the answer appears: the
-- admins' message, and on approval the one-time link that creates its first admin account.
create table applications (
    id bigserial primary key,
    uid text not null unique,
    name text not null,
    handle text not null,
    country text,
    website text,
    contact text not null,
    why text not null,
    lang text not null,
    state text not null default 'pending',
    message text,
    invite_secret text,
    org_id bigint references orgs (id) on delete set null,
    created_at timestamptz not null,
    decided_at timestamptz
);
create index applications_by_state on applications (state, created_at);

-- what someone wrote to the instance's admins through the contact form.
create table contact_messages (
    id bigserial primary key,
    name text not null default '',
    contact text not null default '',
    body text not null,
    lang text not null,
    read boolean not null default false,
    created_at timestamptz not null
);
create index contact_messages_by_date on contact_messages (created_at);
