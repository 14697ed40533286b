-- a second factor: the account's TOTP secret (base32) once enrolled, the last step whose code
-- was used (a code works once), and ten one-time recovery codes, kept as sha-256 digests.
alter table users add column totp_secret text;
alter table users add column totp_last_step bigint;
create table recovery_codes (
    id integer primary key,
    user_id integer not null references users (id) on delete cascade,
    code_hash text not null,
    used_at text
);
create index recovery_codes_by_user on recovery_codes (user_id);
