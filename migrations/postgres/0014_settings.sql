-- instance settings an administrator changes in the browser (name -> value), such as
-- whether administrators and editors must use two-step login.
create table settings (
    name text primary key,
    value text not null
);
