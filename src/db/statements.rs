//! Statements: what only they have (written with their resource, in its transaction), their
//! signatures, the invitations to sign that organisations here received, and embargoes.

use chrono::{DateTime, Utc};

use super::deliveries::{queue_in_tx, Outgoing};
use super::{new_uid, on_pool, placeholders, Db};
use crate::error::AppResult;
use crate::model::statement::{CallToAction, Signature, SignatureState, StatementFields};

pub const STATEMENT_COLUMNS: &str = "resource_id, version, digest, embargo_until, cta_text, cta_url, cta_deadline,
    targets, hashtags, case_name, open_signing, external_signatories";

#[derive(sqlx::FromRow)]
pub struct StatementRow {
    pub resource_id: i64,
    version: i64,
    digest: String,
    embargo_until: Option<DateTime<Utc>>,
    cta_text: String,
    cta_url: Option<String>,
    cta_deadline: Option<String>,
    targets: String,
    hashtags: String,
    case_name: Option<String>,
    open_signing: bool,
    external_signatories: String,
}

impl From<StatementRow> for StatementFields {
    fn from(r: StatementRow) -> StatementFields {
        let list = |s: &str| serde_json::from_str::<Vec<String>>(s).unwrap_or_default();
        let cta = (!r.cta_text.is_empty() || r.cta_url.is_some() || r.cta_deadline.is_some()).then_some(CallToAction {
            text: r.cta_text,
            url: r.cta_url,
            deadline: r.cta_deadline,
        });
        StatementFields {
            version: r.version,
            digest: r.digest,
            embargo_until: r.embargo_until,
            call_to_action: cta,
            targets: list(&r.targets),
            hashtags: list(&r.hashtags),
            case_name: r.case_name,
            open_signing: r.open_signing,
            external_signatories: list(&r.external_signatories),
        }
    }
}

/// Writes (or replaces) the statement row of resource `$id` inside transaction `$tx`.
macro_rules! write_statement_in_tx {
    ($tx:ident, $id:expr, $st:expr) => {{
        let st: &$crate::model::statement::StatementFields = $st;
        let cta = st.call_to_action.clone().unwrap_or_default();
        let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        sqlx::query(
            "insert into statements (resource_id, version, digest, embargo_until, cta_text, cta_url, cta_deadline,
             targets, hashtags, case_name, open_signing, external_signatories)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             on conflict (resource_id) do update set version = excluded.version, digest = excluded.digest,
             embargo_until = excluded.embargo_until, cta_text = excluded.cta_text, cta_url = excluded.cta_url,
             cta_deadline = excluded.cta_deadline, targets = excluded.targets, hashtags = excluded.hashtags,
             case_name = excluded.case_name, open_signing = excluded.open_signing,
             external_signatories = excluded.external_signatories",
        )
        .bind($id)
        .bind(st.version)
        .bind(&st.digest)
        .bind(st.embargo_until)
        .bind(&cta.text)
        .bind(&cta.url)
        .bind(&cta.deadline)
        .bind(json(&st.targets))
        .bind(json(&st.hashtags))
        .bind(&st.case_name)
        .bind(st.open_signing)
        .bind(json(&st.external_signatories))
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use write_statement_in_tx;

#[derive(sqlx::FromRow)]
struct SignatureRow {
    statement_id: i64,
    org_id: i64,
    handle: String,
    name: String,
    local: bool,
    ap_id: Option<String>,
    state: String,
    version: Option<i64>,
    digest: Option<String>,
    invite_id: Option<String>,
    accept_id: Option<String>,
    proof: Option<String>,
    verified: bool,
    signed_at: Option<DateTime<Utc>>,
}

/// What changes in a signature; `None` leaves a field as it was.
#[derive(Debug, Default)]
pub struct SignatureChange<'a> {
    pub state: Option<SignatureState>,
    pub version: Option<i64>,
    pub digest: Option<&'a str>,
    pub invite_id: Option<&'a str>,
    pub accept_id: Option<&'a str>,
    pub proof: Option<&'a str>,
    pub verified: Option<bool>,
    pub signed_at: Option<DateTime<Utc>>,
}

/// An invitation to sign, as the invited organisation's editors see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Invitation {
    pub id: i64,
    pub uid: String,
    pub org_id: i64,
    pub statement_id: i64,
    pub from_actor: String,
    pub invite_id: String,
    pub version: i64,
    pub digest: String,
    pub state: String,
    pub accept_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

const INVITATION_COLUMNS: &str =
    "id, uid, org_id, statement_id, from_actor, invite_id, version, digest, state, accept_id, created_at";

impl Db {
    /// The signatures of statements (and invitations to sign them), first signed first, then
    /// those not signed yet in the order asked, as (statement id, signature).
    pub async fn signatures_of(&self, statement_ids: &[i64]) -> AppResult<Vec<(i64, Signature)>> {
        if statement_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "select s.statement_id, s.org_id, o.handle, o.name, o.local, o.ap_id, s.state, s.version, s.digest, s.invite_id,
             s.accept_id, s.proof, s.verified, s.signed_at
             from signatures s join orgs o on o.id = s.org_id where s.statement_id in ({})
             order by (s.signed_at is null), s.signed_at, s.id",
            placeholders(1, statement_ids.len())
        );
        let rows: Vec<SignatureRow> = on_pool!(self, p => {
            let mut q = sqlx::query_as(&sql);
            for id in statement_ids {
                q = q.bind(id);
            }
            q.fetch_all(p).await?
        });
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r.statement_id,
                    Signature {
                        org_id: r.org_id,
                        handle: r.handle,
                        name: r.name,
                        actor: r.ap_id.unwrap_or_default(),
                        local: r.local,
                        state: SignatureState::parse(&r.state).unwrap_or(SignatureState::Invited),
                        version: r.version,
                        digest: r.digest,
                        invite_id: r.invite_id,
                        accept_id: r.accept_id,
                        proof: r.proof,
                        verified: r.verified,
                        signed_at: r.signed_at,
                    },
                )
            })
            .collect())
    }

    /// Creates or changes the signature of `org_id` on a statement; a new one starts in
    /// `c.state` (invited when none is given).
    pub async fn set_signature(&self, statement_id: i64, org_id: i64, c: &SignatureChange<'_>) -> AppResult<()> {
        let now = Utc::now();
        let state = c.state.map(SignatureState::as_str);
        on_pool!(self, p => sqlx::query(
            "insert into signatures (statement_id, org_id, state, version, digest, invite_id, accept_id, proof, verified,
             signed_at, created_at, updated_at)
             values ($1, $2, coalesce($3, 'invited'), $4, $5, $6, $7, $8, coalesce($9, false), $10, $11, $11)
             on conflict (statement_id, org_id) do update set state = coalesce($3, signatures.state),
             version = coalesce($4, signatures.version), digest = coalesce($5, signatures.digest),
             invite_id = coalesce($6, signatures.invite_id), accept_id = coalesce($7, signatures.accept_id),
             proof = coalesce($8, signatures.proof), verified = coalesce($9, signatures.verified),
             signed_at = coalesce($10, signatures.signed_at), updated_at = $11")
            .bind(statement_id).bind(org_id).bind(state).bind(c.version).bind(c.digest).bind(c.invite_id)
            .bind(c.accept_id).bind(c.proof).bind(c.verified).bind(c.signed_at).bind(now)
            .execute(p).await.map(drop))?;
        Ok(())
    }

    /// Invitations many organisations at once: one transaction, the ones already there kept.
    /// Returns the organisations newly invited.
    pub async fn invite_many(&self, statement_id: i64, org_ids: &[i64]) -> AppResult<Vec<i64>> {
        let now = Utc::now();
        let out: Result<Vec<i64>, sqlx::Error> = on_pool!(self, p => async {
            let mut tx = p.begin().await?;
            let mut fresh = Vec::new();
            for org in org_ids {
                let n = sqlx::query(
                    "insert into signatures (statement_id, org_id, state, verified, created_at, updated_at)
                     values ($1, $2, 'invited', false, $3, $3) on conflict (statement_id, org_id) do nothing")
                    .bind(statement_id).bind(org).bind(now).execute(&mut *tx).await?.rows_affected();
                if n > 0 {
                    fresh.push(*org);
                }
            }
            tx.commit().await?;
            Ok(fresh)
        }.await);
        Ok(out?)
    }

    /// Whether any organisation signed the statement (any version).
    pub async fn has_signatures(&self, statement_id: i64) -> AppResult<bool> {
        let n: i64 = on_pool!(self, p => sqlx::query_scalar(
            "select count(*) from signatures where statement_id = $1 and state = 'signed'")
            .bind(statement_id).fetch_one(p).await)?;
        Ok(n > 0)
    }

    /// The statement (resource id) whose signature has the acceptance `accept_id`.
    pub async fn signature_by_accept(&self, accept_id: &str) -> AppResult<Option<(i64, i64)>> {
        Ok(on_pool!(self, p => sqlx::query_as("select statement_id, org_id from signatures where accept_id = $1")
            .bind(accept_id).fetch_optional(p).await)?)
    }

    /// The statement (resource id) and organisation an `Invite` was sent for.
    pub async fn signature_by_invite(&self, invite_id: &str) -> AppResult<Option<(i64, i64)>> {
        Ok(on_pool!(self, p => sqlx::query_as("select statement_id, org_id from signatures where invite_id = $1")
            .bind(invite_id).fetch_optional(p).await)?)
    }

    /// Records an invitation an organisation here received; one per statement (a repeated
    /// invitation, after a new version, replaces the version and digest to sign).
    pub async fn upsert_invitation(
        &self,
        org_id: i64,
        statement_id: i64,
        from_actor: &str,
        invite_id: &str,
        (version, digest): (i64, &str),
    ) -> AppResult<Invitation> {
        let now = Utc::now();
        let sql = format!(
            "insert into invitations (uid, org_id, statement_id, from_actor, invite_id, version, digest, state, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8)
             on conflict (org_id, statement_id) do update set invite_id = excluded.invite_id, version = excluded.version,
             digest = excluded.digest, from_actor = excluded.from_actor, state = 'pending', updated_at = excluded.updated_at
             returning {INVITATION_COLUMNS}"
        );
        Ok(on_pool!(self, p => sqlx::query_as(&sql)
            .bind(new_uid()).bind(org_id).bind(statement_id).bind(from_actor).bind(invite_id).bind(version)
            .bind(digest).bind(now).fetch_one(p).await)?)
    }

    /// The pending invitations of an organisation, newest first.
    pub async fn invitations_of(&self, org_id: i64) -> AppResult<Vec<Invitation>> {
        let sql = format!(
            "select {INVITATION_COLUMNS} from invitations where org_id = $1 and state = 'pending' order by id desc limit 200"
        );
        Ok(on_pool!(self, p => sqlx::query_as(&sql).bind(org_id).fetch_all(p).await)?)
    }

    pub async fn invitation(&self, org_id: i64, uid: &str) -> AppResult<Option<Invitation>> {
        let sql = format!("select {INVITATION_COLUMNS} from invitations where org_id = $1 and uid = $2");
        Ok(on_pool!(self, p => sqlx::query_as(&sql).bind(org_id).bind(uid).fetch_optional(p).await)?)
    }

    /// The invitation of `org_id` to sign statement `statement_id`, whatever its state.
    pub async fn invitation_for(&self, org_id: i64, statement_id: i64) -> AppResult<Option<Invitation>> {
        let sql = format!("select {INVITATION_COLUMNS} from invitations where org_id = $1 and statement_id = $2");
        Ok(on_pool!(self, p => sqlx::query_as(&sql).bind(org_id).bind(statement_id).fetch_optional(p).await)?)
    }

    pub async fn set_invitation_state(&self, id: i64, state: &str, accept_id: Option<&str>) -> AppResult<()> {
        on_pool!(self, p => sqlx::query(
            "update invitations set state = $2, accept_id = coalesce($3, accept_id), updated_at = $4 where id = $1")
            .bind(id).bind(state).bind(accept_id).bind(Utc::now()).execute(p).await.map(drop))?;
        Ok(())
    }

    /// Publications whose embargo has passed, oldest first, and when the next one ends.
    pub async fn embargoes_due(&self, now: DateTime<Utc>) -> AppResult<(Vec<i64>, Option<DateTime<Utc>>)> {
        let (due, next) = on_pool!(self, p => {
            let due: Vec<i64> = sqlx::query_scalar(
                "select id from resources where hidden_until <= $1 order by hidden_until limit 100")
                .bind(now).fetch_all(p).await?;
            let next: Option<DateTime<Utc>> = sqlx::query_scalar(
                "select min(hidden_until) from resources where hidden_until > $1")
                .bind(now).fetch_one(p).await?;
            (due, next)
        });
        Ok((due, next))
    }

    /// Lifts the embargo of a publication: it becomes public now, with its `Create` (made
    /// by `create_id`, sent by `outgoing`). False if another node lifted it first.
    pub async fn lift_embargo(
        &self,
        id: i64,
        now: DateTime<Utc>,
        create_id: Option<&str>,
        outgoing: Option<&Outgoing>,
    ) -> AppResult<bool> {
        let out: Result<bool, sqlx::Error> = on_pool!(self, p => async {
            let mut tx = p.begin().await?;
            let n = sqlx::query(
                "update resources set hidden_until = null, published_at = case when status = 'published' then coalesce(published_at, $2) else published_at end,
                 create_id = coalesce($3, create_id) where id = $1 and hidden_until is not null")
                .bind(id).bind(now).bind(create_id).execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Ok(false);
            }
            if let Some(outgoing) = outgoing {
                queue_in_tx!(tx, outgoing);
            }
            tx.commit().await?;
            Ok(true)
        }.await);
        Ok(out?)
    }
}

impl Db {
    /// The inboxes of the organisations on other servers that signed or were asked to sign a
    /// statement: they hold it, and are told when its signatories change.
    pub async fn signatory_inboxes(&self, statement_id: i64) -> AppResult<Vec<String>> {
        Ok(on_pool!(self, p => sqlx::query_scalar(
            "select distinct coalesce(ra.shared_inbox, ra.inbox) from signatures s join orgs o on o.id = s.org_id
             join remote_actors ra on ra.ap_id = o.ap_id where s.statement_id = $1 and not o.local order by 1")
            .bind(statement_id).fetch_all(p).await)?)
    }

    /// The organisations here that signed (accepted an invitation to) a partner's statement.
    pub async fn signers_here(&self, statement_id: i64) -> AppResult<Vec<i64>> {
        Ok(on_pool!(self, p => sqlx::query_scalar(
            "select org_id from invitations where statement_id = $1 and state = 'accepted' order by org_id")
            .bind(statement_id).fetch_all(p).await)?)
    }

    /// An organisation is gone (its actor deleted): its signatures are withdrawn everywhere
    /// here. Returns the statements that changed.
    pub async fn withdraw_signatures_of(&self, org_id: i64) -> AppResult<Vec<i64>> {
        Ok(on_pool!(self, p => sqlx::query_scalar(
            "update signatures set state = 'withdrawn', updated_at = $2 where org_id = $1 and state in ('signed', 'requested')
             returning statement_id")
            .bind(org_id).bind(Utc::now()).fetch_all(p).await)?)
    }

    /// The invitation (or request) an organisation here made whose acceptance is `accept_id`.
    pub async fn invitation_by_accept(&self, accept_id: &str) -> AppResult<Option<Invitation>> {
        let sql = format!("select {INVITATION_COLUMNS} from invitations where accept_id = $1");
        Ok(on_pool!(self, p => sqlx::query_as(&sql).bind(accept_id).fetch_optional(p).await)?)
    }

    /// Records a request to sign an open statement that an organisation here sent.
    pub async fn record_request(
        &self,
        org_id: i64,
        statement_id: i64,
        lead: &str,
        join_id: &str,
        (version, digest): (i64, &str),
    ) -> AppResult<()> {
        let now = Utc::now();
        on_pool!(self, p => sqlx::query(
            "insert into invitations (uid, org_id, statement_id, from_actor, invite_id, version, digest, state, accept_id,
             created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, 'accepted', $5, $8, $8)
             on conflict (org_id, statement_id) do update set invite_id = excluded.invite_id, version = excluded.version,
             digest = excluded.digest, state = 'accepted', accept_id = excluded.accept_id, updated_at = excluded.updated_at")
            .bind(new_uid()).bind(org_id).bind(statement_id).bind(lead).bind(join_id).bind(version).bind(digest).bind(now)
            .execute(p).await.map(drop))?;
        Ok(())
    }
}

impl Db {
    /// Counts a boost or like of `object` by `actor` (once per actor and kind).
    pub async fn add_reaction(&self, object: &str, actor: &str, kind: &str, activity: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query(
            "insert into reactions (object, actor, kind, activity, created_at) values ($1, $2, $3, $4, $5)
             on conflict do nothing")
            .bind(object).bind(actor).bind(kind).bind(activity).bind(Utc::now()).execute(p).await.map(drop))?;
        Ok(())
    }

    /// Takes back the boost or like made by `activity`, if `actor` made it.
    pub async fn remove_reaction(&self, actor: &str, activity: &str) -> AppResult<()> {
        on_pool!(self, p => sqlx::query("delete from reactions where actor = $1 and activity = $2")
            .bind(actor).bind(activity).execute(p).await.map(drop))?;
        Ok(())
    }

    /// (boosts, likes) of an object.
    pub async fn reaction_counts(&self, object: &str) -> AppResult<(i64, i64)> {
        Ok(on_pool!(self, p => sqlx::query_as(
            "select coalesce(sum(case when kind = 'announce' then 1 else 0 end), 0),
                    coalesce(sum(case when kind = 'like' then 1 else 0 end), 0)
             from reactions where object = $1")
            .bind(object).fetch_one(p).await)?)
    }
}
