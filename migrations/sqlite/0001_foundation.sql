-- the foundation schema: accounts, organisations and the resource library.
-- sqlite and postgres hold the same tables under the same names; only types differ.
-- timestamps are utc (sqlx stores them as rfc 3339 text here); dates chosen by people
-- (a publication date) are plain 'yyyy-mm-dd' text in both databases so the same sql
-- can slice out a year.

-- accounts. role is the instance-wide role; organisation roles live in memberships.
-- there is deliberately no email, ip address or user agent column.
create table users (
    id integer primary key,
    username text not null unique,
    password_hash text not null,
    role text not null check (role in ('admin', 'editor', 'member')),
    created_at text not null
);

-- an organisation: the unit that publishes. names and descriptions are json maps
-- {"lang": "text"}; they are read whole and never filtered on.
create table orgs (
    id integer primary key,
    handle text not null unique,
    name text not null,
    names text not null default '{}',
    descriptions text not null default '{}',
    website text,
    logo_sha256 text,
    logo_media_type text,
    created_at text not null,
    updated_at text not null
);

create table memberships (
    org_id integer not null references orgs (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    role text not null check (role in ('admin', 'editor')),
    primary key (org_id, user_id)
);
create index memberships_by_user on memberships (user_id);

-- browser sessions. only a sha-256 of the cookie value is stored, so a copy of the
-- database cannot be used to log in.
create table sessions (
    token_hash text primary key,
    user_id integer not null references users (id) on delete cascade,
    created_at text not null,
    last_seen_at text not null
);
create index sessions_by_user on sessions (user_id);

-- api bearer tokens, hashed like sessions.
create table api_tokens (
    id integer primary key,
    user_id integer not null references users (id) on delete cascade,
    token_hash text not null unique,
    created_at text not null
);

-- a library resource. uid is the public identifier used in urls; id is internal.
-- external_id lets `amicus import` update a record instead of duplicating it.
create table resources (
    id integer primary key,
    uid text not null unique,
    org_id integer not null references orgs (id) on delete cascade,
    external_id text,
    resource_type text not null,
    original_language text not null,
    status text not null check (status in ('draft', 'published', 'withdrawn')),
    sensitive boolean not null default false,
    reading_level text,
    licence text,
    published_on text,
    created_at text not null,
    updated_at text not null,
    unique (org_id, external_id)
);
create index resources_by_org on resources (org_id, status);
create index resources_by_status on resources (status, published_on, id);

-- one row per language: translations are rows, not copies of the record.
-- body is the markdown the editor wrote; body_html its sanitised rendering.
create table resource_texts (
    resource_id integer not null references resources (id) on delete cascade,
    lang text not null,
    title text not null,
    summary text not null default '',
    body text not null default '',
    body_html text not null default '',
    primary key (resource_id, lang)
);
create index resource_texts_by_lang on resource_texts (lang, resource_id);

-- controlled-vocabulary terms attached to a resource (theme, mechanism, country,
-- audience, content-warning): one table so every facet is the same query.
create table resource_terms (
    resource_id integer not null references resources (id) on delete cascade,
    scheme text not null,
    term text not null,
    primary key (resource_id, scheme, term)
);
create index resource_terms_by_term on resource_terms (scheme, term, resource_id);

-- authoring organisations, in order; the first is the lead. free text, because
-- co-authors are often not on any instance.
create table resource_authors (
    resource_id integer not null references resources (id) on delete cascade,
    position integer not null,
    name text not null,
    primary key (resource_id, position)
);

-- files. the bytes live in the file store under their sha-256, after metadata removal.
create table attachments (
    id integer primary key,
    uid text not null unique,
    resource_id integer not null references resources (id) on delete cascade,
    lang text not null,
    name text not null,
    media_type text not null,
    size integer not null,
    sha256 text not null,
    created_at text not null
);
create index attachments_by_resource on attachments (resource_id);
create index attachments_by_sha on attachments (sha256);

-- the search index. text is normalised and stemmed by amicus (src/search.rs) before it
-- gets here (diacritics already gone), so the tokenizer only splits on spaces.
-- rowid = resources.id. ranking weights are given at query time (db/search.rs).
create virtual table resource_fts using fts5 (
    title, summary, body, tags, keywords,
    tokenize = 'unicode61 remove_diacritics 0'
);
