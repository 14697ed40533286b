-- search moves into memory (`crate::index`): each node keeps an inverted index of the
-- library, built from `search_docs` at start and kept current from `library_changes`.
-- `search_docs` holds the tokens amicus made (src/search.rs) per field, as the fts5 table
-- did; the fts5 table goes, with the cost of keeping it at every write.
create table search_docs (
    resource_id integer primary key references resources (id) on delete cascade,
    title text not null default '',
    summary text not null default '',
    body text not null default '',
    tags text not null default '',
    keywords text not null default ''
);
insert into search_docs (resource_id, title, summary, body, tags, keywords)
    select f.rowid, f.title, f.summary, f.body, f.tags, f.keywords
    from resource_fts f join resources r on r.id = f.rowid;
drop table resource_fts;

-- which resource each library version changed: a node that knows version n reloads the
-- resources of the changes after n. old rows are pruned; a node further behind rebuilds.
create table library_changes (
    n integer primary key,
    resource_id integer not null
);
drop trigger resources_version_insert;
drop trigger resources_version_update;
drop trigger resources_version_delete;
create trigger resources_version_insert after insert on resources begin
    update library_version set n = n + 1 where id = 1;
    insert into library_changes (n, resource_id) select n, new.id from library_version where id = 1;
end;
create trigger resources_version_update after update on resources begin
    update library_version set n = n + 1 where id = 1;
    insert into library_changes (n, resource_id) select n, new.id from library_version where id = 1;
end;
create trigger resources_version_delete after delete on resources begin
    update library_version set n = n + 1 where id = 1;
    insert into library_changes (n, resource_id) select n, old.id from library_version where id = 1;
end;
