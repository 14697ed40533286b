-- passkeys and security keys (WebAuthn), another way to give the second step of a login once
-- two-step login is on: the credential as webauthn-rs keeps it (public key, counter; json).
create table passkeys (
    id integer primary key,
    user_id integer not null references users (id) on delete cascade,
    name text not null,
    credential text not null,
    created_at text not null,
    last_used_at text
);
create index passkeys_by_user on passkeys (user_id);

-- the state of a WebAuthn ceremony between its two requests (a challenge, five minutes), kept
-- here so that any node can finish what another began. `key` names the account or the login.
create table webauthn_states (
    key text primary key,
    state text not null,
    expires_at text not null
);
