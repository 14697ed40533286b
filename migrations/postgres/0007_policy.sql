-- federation policy: domains blocked (open mode) or allowed (partners-only mode). a rule for
-- example.org also covers its subdomains.
create table federation_domains (
    domain text primary key,
    policy text not null check (policy in ('block', 'allow')),
    created_at timestamptz not null
);
