-- a number that changes whenever any resource does (written, published, withdrawn, deleted,
-- its embargo lifted), in the same transaction: every node reads it to know whether facet
-- counts it keeps are still right (`crate::library::FacetCache`).
create table library_version (
    id integer primary key check (id = 1),
    n integer not null
);
insert into library_version (id, n) values (1, 0);
create trigger resources_version_insert after insert on resources begin
    update library_version set n = n + 1 where id = 1;
end;
create trigger resources_version_update after update on resources begin
    update library_version set n = n + 1 where id = 1;
end;
create trigger resources_version_delete after delete on resources begin
    update library_version set n = n + 1 where id = 1;
end;
