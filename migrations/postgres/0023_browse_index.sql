-- browsing the public library without a query, newest document first: the page of 20 is read
-- from this index instead of sorting every published resource. the expression is the one the
-- query orders by (`crate::db::search`).
create index resources_public_by_date on resources ((coalesce(published_on, '')), id)
    where status = 'published' and hidden_until is null;
