-- who follows an organisation, and whom it follows. remote actors are kept by their
-- activitypub id; inboxes are stored so that delivery never has to fetch them again.
-- only counts of these lists are ever shown outside the organisation's admins.
create table followers (
    org_id integer not null references orgs (id) on delete cascade,
    actor_id text not null,
    inbox text not null,
    shared_inbox text,
    -- false while a follow request waits for an admin (manually approved organisations)
    approved boolean not null default true,
    follow_activity_id text,
    created_at text not null,
    primary key (org_id, actor_id)
);
create index followers_by_actor on followers (actor_id);

create table following (
    org_id integer not null references orgs (id) on delete cascade,
    target_id text not null,
    -- false until the followed actor answers with accept
    accepted boolean not null default false,
    follow_activity_id text not null,
    created_at text not null,
    primary key (org_id, target_id)
);

-- resources an organisation pins to its profile (the actor's "featured" collection).
alter table resources add column featured boolean not null default false;
