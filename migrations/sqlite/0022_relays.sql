-- relays this instance subscribes to: its instance actor follows the relay's actor (the common
-- relay protocol: Follow of the public collection), and sends it its public library objects;
-- what the relay announces is kept as if followed.
create table relays (
    actor_ap_id text primary key,
    inbox text not null,
    follow_id text not null,
    accepted boolean not null default false,
    created_at text not null
);

-- in relay mode, the instances subscribed to this one (partners only): each gets the public
-- library objects of the others, re-announced by this instance's actor.
create table relay_members (
    actor_ap_id text primary key,
    inbox text not null,
    host text not null,
    created_at text not null
);
