-- search moves into memory (`crate::index`): each node keeps an inverted index of the
-- library, built from `search_docs` at start and kept current from `library_changes`.
-- `search_docs` holds the tokens amicus made (src/search.rs) per field; the tsvectors and
-- their gin index go, with the cost of keeping them at every write. the existing tokens are
-- recovered from the tsvector weights (a: title and keywords, b: summary, c: tags, d: body).
create table search_docs (
    resource_id bigint primary key references resources (id) on delete cascade,
    title text not null default '',
    summary text not null default '',
    body text not null default '',
    tags text not null default '',
    keywords text not null default ''
);
insert into search_docs (resource_id, title, summary, body, tags)
    select s.resource_id,
        coalesce((select string_agg(u.lexeme, ' ') from unnest(s.doc) u where 'A' = any(u.weights)), ''),
        coalesce((select string_agg(u.lexeme, ' ') from unnest(s.doc) u where 'B' = any(u.weights)), ''),
        coalesce((select string_agg(u.lexeme, ' ') from unnest(s.doc) u where 'D' = any(u.weights)), ''),
        coalesce((select string_agg(u.lexeme, ' ') from unnest(s.doc) u where 'C' = any(u.weights)), '')
    from resource_search s;
drop table resource_search;

-- which resource each library version changed: a node that knows version n reloads the
-- resources of the changes after n. old rows are pruned; a node further behind rebuilds.
-- the version row's lock orders writers, so every version a reader sees is committed with
-- every version before it.
create table library_changes (
    n bigint primary key,
    resource_id bigint not null
);
drop trigger resources_version on resources;
drop function bump_library_version();
create function log_library_change() returns trigger language plpgsql as $$
declare
    v bigint;
begin
    update library_version set n = n + 1 where id = 1 returning n into v;
    insert into library_changes (n, resource_id)
        values (v, case when tg_op = 'DELETE' then old.id else new.id end);
    return null;
end
$$;
create trigger resources_changes after insert or update or delete on resources
    for each row execute function log_library_change();
