-- instance settings an administrator changes in the browser (name -> value), such as
-- whether administrators and editors must use two-step login.
create table settings (
    name text primary key,
    value text not null
);

-- an e-mail address a person may give (only asked when the instance sends mail), used for
-- nothing but their password reset links.
alter table users add column email text;
