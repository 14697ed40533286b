-- statements (joint statements, sign-on letters, press releases...) are publications of the
-- library: their texts, terms and search document are a resource's, and resource_type holds
-- their kind (from the statement-kind vocabulary). this row holds what only a statement has.
-- digest is what signatories sign: the multibase sha-256 of the canonical json of its titles
-- and bodies in every language and its version; version goes up when the text changes after
-- someone signed. nothing is public or federated before embargo_until.
create table statements (
    resource_id integer primary key references resources (id) on delete cascade,
    version integer not null default 1,
    digest text not null,
    embargo_until text,
    cta_text text not null default '',
    cta_url text,
    cta_deadline text,
    targets text not null default '[]',
    hashtags text not null default '[]',
    case_name text,
    open_signing boolean not null default false,
    external_signatories text not null default '[]'
);

-- a publication under embargo: hidden from everyone but its organisation, and not sent to
-- anyone, until the time given; cleared when the embargo lifts and it goes out.
alter table resources add column hidden_until text;
create index resources_by_hidden_until on resources (hidden_until);

-- who signs a statement (organisations on this instance or another, known in orgs), and
-- how far each has got: invited, asked to sign (an open sign-on), signed, declined,
-- withdrawn. a signature is bound to the version and digest the signatory accepted; proof
-- is the Data Integrity proof of its Accept (json), verified when it was checked against
-- the signatory's published key.
create table signatures (
    id integer primary key,
    statement_id integer not null references resources (id) on delete cascade,
    org_id integer not null references orgs (id) on delete cascade,
    state text not null check (state in ('invited', 'requested', 'signed', 'declined', 'withdrawn')),
    version integer,
    digest text,
    invite_id text,
    accept_id text,
    proof text,
    verified boolean not null default false,
    signed_at text,
    created_at text not null,
    updated_at text not null,
    unique (statement_id, org_id)
);
create index signatures_by_org on signatures (org_id);

-- invitations to sign that organisations here received (from this instance or another):
-- the statement is kept as a copy (a remote resource) so editors read the exact text.
create table invitations (
    id integer primary key,
    uid text not null unique,
    org_id integer not null references orgs (id) on delete cascade,
    statement_id integer not null references resources (id) on delete cascade,
    from_actor text not null,
    invite_id text not null,
    version integer not null,
    digest text not null,
    state text not null check (state in ('pending', 'accepted', 'declined', 'withdrawn')),
    accept_id text,
    created_at text not null,
    updated_at text not null,
    unique (org_id, statement_id)
);

-- an organisation's Ed25519 key (FEP-521a Multikey in assertionMethod), for the Data
-- Integrity proofs of its signatures; for a remote organisation only its public half.
alter table orgs add column signing_public text;
alter table orgs add column signing_private text;
-- a remote actor's Ed25519 key (its assertionMethod Multikey), which its co-signatures'
-- proofs are checked against: the key's id and its publicKeyMultibase.
alter table remote_actors add column assertion_key_id text;
alter table remote_actors add column assertion_key text;

-- boosts and likes of this instance's publications from anywhere on the fediverse: counted
-- per object, never listed (who liked what is nobody's business). one per actor and kind; the
-- activity's id, so that its Undo removes it.
create table reactions (
    id integer primary key,
    object text not null,
    actor text not null,
    kind text not null check (kind in ('like', 'announce')),
    activity text not null unique,
    created_at text not null,
    unique (object, actor, kind)
);

-- a campaign (#MakingJusticeWork) is followable: its Group actor is an orgs row of kind
-- 'campaign' (keys, inbox, followers and deliveries as an organisation's), which the lists
-- of organisations leave out. the campaign row holds what the page shows: texts per language
-- (json {lang: {title, goals, call_to_action}}), dates, the banner and its description.
alter table orgs add column kind text not null default 'organization';
create table campaigns (
    id integer primary key,
    uid text not null unique,
    group_id integer not null unique references orgs (id) on delete cascade,
    org_id integer not null references orgs (id) on delete cascade,
    hashtag text not null,
    original_language text not null,
    texts text not null default '{}',
    cta_url text,
    starts_on text,
    ends_on text,
    banner_sha256 text,
    banner_media_type text,
    banner_alt text,
    status text not null check (status in ('draft', 'published')),
    created_at text not null,
    updated_at text not null
);
create index campaigns_by_org on campaigns (org_id);

-- what a campaign gathers: statements, resources and events of any organisation, by their
-- ActivityPub id. one an organiser adds is approved; one a partner proposes waits for them.
create table campaign_items (
    campaign_id integer not null references campaigns (id) on delete cascade,
    ap_id text not null,
    kind text not null check (kind in ('resource', 'event')),
    state text not null check (state in ('proposed', 'approved')),
    proposed_by integer references orgs (id) on delete set null,
    added_at text not null,
    primary key (campaign_id, ap_id)
);
