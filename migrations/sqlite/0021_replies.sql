-- the community of practice: replies (`Note`s with `inReplyTo`) to a publication or an event,
-- from organisations here, partners, or Mastodon. ap_id is the note's id (ours are under
-- /n/<uid>); in_reply_to the id it answers (the object or another reply). a reply hidden by
-- the publishing organisation stays for the record but is shown to nobody else.
create table replies (
    id integer primary key,
    uid text not null unique,
    ap_id text not null unique,
    resource_id integer references resources (id) on delete cascade,
    event_id integer references events (id) on delete cascade,
    in_reply_to text not null,
    org_id integer references orgs (id) on delete cascade,
    author_ap_id text not null,
    author_name text not null,
    content text not null,
    lang text,
    public boolean not null default true,
    hidden boolean not null default false,
    local boolean not null default false,
    created_at text not null
);
create index replies_by_resource on replies (resource_id, created_at);
create index replies_by_event on replies (event_id, created_at);

-- how the publishing organisation runs the thread under one of its objects: closed to new
-- replies, limited to partner organisations, open to replies from anyone (Mastodon).
create table threads (
    object_ap_id text primary key,
    locked boolean not null default false,
    partners_only boolean not null default false,
    public_replies boolean not null default true
);
