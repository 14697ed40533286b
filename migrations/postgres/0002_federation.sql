-- federation: every organisation is an activitypub actor with its own rsa key pair
-- (made when the organisation is created, off the async runtime). the instance itself is
-- one more actor, an application, whose key signs outgoing fetches.
alter table orgs add column public_key text;
alter table orgs add column private_key text;
-- whether follow requests wait for an admin's approval (mastodon's "locked" accounts).
alter table orgs add column manually_approves_followers boolean not null default false;

-- exactly one row.
create table instance_actor (
    id integer primary key check (id = 1),
    public_key text not null,
    private_key text not null,
    created_at timestamptz not null
);
