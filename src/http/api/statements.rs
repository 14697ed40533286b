//! `/api/v1/statements`: create, read, update, delete, list, signatories.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::{json, Value};

use super::resources::resource_json;
use super::JsonBody;
use crate::app::Ctx;
use crate::error::{AppError, AppResult};
use crate::federation::context::Fed;
use crate::http::extract::{ApiUser, ApiWriter};
use crate::http::params::LibraryParams;
use crate::model::resource::Resource;
use crate::model::statement::{Signature, SignatureState, StatementInput, StatementPatch};
use crate::{library, statements};

const PAGE: i64 = 20;

/// The API shape of a statement: a resource's, with `kind` for `type` and what only
/// statements have.
pub fn statement_json(ctx: &Ctx, r: &Resource, with_body: bool) -> Value {
    let base = ctx.config.base_url();
    let mut v = resource_json(ctx, r, with_body);
    let st = r.statement.clone().unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.shift_remove("type");
        o.shift_remove("attachments");
        o.shift_remove("audiences");
        o.shift_remove("content_warnings");
        o.shift_remove("reading_level");
        o.shift_remove("sensitive");
        o.shift_remove("authors");
        o.shift_remove("licence");
        let ap_id = r.ap_id.clone().unwrap_or_else(|| format!("{base}{}", r.path()));
        let fields = json!({
            "url": format!("{base}{}", r.path()),
            "ap_id": ap_id,
            "kind": r.resource_type,
            "version": st.version,
            "digest": st.digest,
            "embargo_until": st.embargo_until,
            "embargoed": r.hidden_until.is_some(),
            "call_to_action": st.call_to_action,
            "targets": st.targets,
            "hashtags": st.hashtags,
            "case": st.case_name,
            "open_signing": st.open_signing,
            "external_signatories": st.external_signatories,
        });
        if let Value::Object(f) = fields {
            o.extend(f);
        }
    }
    v
}

/// One signatory as `GET .../signatories` lists it.
pub fn signatory_json(ctx: &Ctx, s: &Signature) -> Value {
    json!({
        "org": s.acct(&ctx.config.domain),
        "name": s.name,
        "actor": s.actor_id(&ctx.config.base_url()),
        "version": s.version,
        "verified": s.verified,
        "signed_at": s.signed_at,
        "accept_id": s.accept_id,
    })
}

pub async fn create(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    headers: axum::http::HeaderMap,
    JsonBody(input): JsonBody<StatementInput>,
) -> AppResult<impl IntoResponse> {
    let key = headers.get("idempotency-key").map(|v| v.to_str().unwrap_or_default());
    let r = statements::create(&ctx, &user, &input, key).await?;
    let url = format!("{}/api/v1/statements/{}", ctx.config.base_url(), r.uid);
    Ok((StatusCode::CREATED, [(axum::http::header::LOCATION, url)], Json(statement_json(&ctx, &r, true))))
}

pub async fn show(State(ctx): State<Ctx>, user: ApiUser, Path(id): Path<String>) -> AppResult<Json<Value>> {
    let r = statements::get(&ctx, user.0.as_ref(), &id).await?;
    Ok(Json(statement_json(&ctx, &r, true)))
}

pub async fn update(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<StatementPatch>,
) -> AppResult<Json<Value>> {
    let r = statements::update(&ctx, &user, &id, patch).await?;
    Ok(Json(statement_json(&ctx, &r, true)))
}

pub async fn delete(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    statements::get(&ctx, Some(&user), &id).await?;
    library::delete(&ctx, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The library's filters (`q`, `theme`, `country`, `org`, `language`...) plus `kind`.
pub async fn list(State(ctx): State<Ctx>, user: ApiUser, RawQuery(query): RawQuery) -> AppResult<Json<Value>> {
    let params = LibraryParams::parse(query.as_deref(), true);
    let offset = params.offset()?;
    let mut filters = params.filters(&ctx).await?;
    filters.statements_only = true;
    let results = library::search(&ctx, user.0.as_ref(), filters, offset, PAGE, false).await?;
    let next = results.more.then(|| (offset + PAGE).to_string());
    Ok(Json(json!({
        "items": results.items.iter().map(|r| statement_json(&ctx, r, false)).collect::<Vec<_>>(),
        "next": next,
    })))
}

/// `GET /api/v1/statements/{id}/signatories`: the organisations that signed, in the order
/// they did; `version` is the version each signed.
pub async fn signatories(State(ctx): State<Ctx>, user: ApiUser, Path(id): Path<String>) -> AppResult<Json<Value>> {
    let r = statements::get(&ctx, user.0.as_ref(), &id).await?;
    let all = statements::signatories(&ctx, &r).await?;
    let items: Vec<Value> =
        all.iter().filter(|s| s.state == SignatureState::Signed).map(|s| signatory_json(&ctx, s)).collect();
    let st = r.statement.unwrap_or_default();
    Ok(Json(json!({
        "items": items,
        "version": st.version,
        "digest": st.digest,
        "external": st.external_signatories,
    })))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    targets: Vec<String>,
}

/// `POST /api/v1/statements/{id}/invitations` `{"target": "org@host" | actor URL}` (or
/// `{"targets": [...]}`, up to 1,000): 202 once invited (those on other servers are looked up
/// and sent to in the background when several are given).
pub async fn invite(
    State(_ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    fed: Fed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<InviteBody>,
) -> AppResult<(StatusCode, Json<Value>)> {
    match body.target {
        Some(t) if body.targets.is_empty() => {
            statements::invite(&fed.0, &user, &id, &t).await?;
            Ok((StatusCode::ACCEPTED, Json(json!({ "invited": 1 }))))
        }
        None if !body.targets.is_empty() => {
            let (n, invalid) = statements::invite_many(&fed.0, &user, &id, &body.targets).await?;
            Ok((StatusCode::ACCEPTED, Json(json!({ "invited": n, "invalid": invalid }))))
        }
        _ => Err(AppError::invalid("target", "err-bad-target", "")),
    }
}

/// `GET /api/v1/orgs/{handle}/invitations`: the invitations to sign waiting for an answer.
pub async fn invitations(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path(handle): Path<String>,
) -> AppResult<Json<Value>> {
    let list = statements::invitations(&ctx, &user, &handle).await?;
    let items: Vec<Value> = list
        .iter()
        .map(|i| {
            let r = &i.statement;
            let title = r.text_for(&r.original_language).map(|t| t.title.clone()).unwrap_or_default();
            json!({
                "id": i.invitation.uid,
                "statement": {
                    "id": r.uid,
                    "ap_id": statements::ap_id_of(&ctx, r),
                    "url": format!("{}{}", ctx.config.base_url(), r.path()),
                    "title": title,
                    "version": i.invitation.version,
                    "digest": i.invitation.digest,
                },
                "from": i.invitation.from_actor,
                "received_at": i.invitation.created_at,
            })
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    digest: String,
    /// Share the statement with the organisation's followers (on by default).
    #[serde(default)]
    announce: Option<bool>,
}

/// `POST /api/v1/orgs/{handle}/invitations/{id}/accept` `{"digest"}`: signs, bound to the
/// digest of the text read (422 unless it is the statement's current one).
pub async fn accept(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path((handle, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<AcceptBody>,
) -> AppResult<StatusCode> {
    statements::accept(&ctx, &user, &handle, &id, &body.digest, body.announce.unwrap_or(true)).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `POST /api/v1/orgs/{handle}/invitations/{id}/decline`.
pub async fn decline(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path((handle, id)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    statements::decline(&ctx, &user, &handle, &id).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgBody {
    org: String,
    #[serde(default)]
    digest: Option<String>,
}

/// `POST /api/v1/statements/{id}/signatures` `{"org", "digest"}`: signs an open statement (its
/// lead approves) or accepts the organisation's pending invitation to sign it.
pub async fn sign(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<OrgBody>,
) -> AppResult<StatusCode> {
    let digest = body.digest.unwrap_or_default();
    statements::sign(&ctx, &user, &id, &body.org, &digest).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `POST /api/v1/statements/{id}/signatures/withdraw` `{"org"}`.
pub async fn withdraw(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<OrgBody>,
) -> AppResult<StatusCode> {
    statements::withdraw(&ctx, &user, &id, &body.org).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `POST /api/v1/statements/{id}/requests/approve` (or `/decline`) `{"org": "@name@host"}`:
/// the lead answers a request to sign an open statement.
pub async fn approve(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path((id, action)): Path<(String, String)>,
    JsonBody(body): JsonBody<OrgBody>,
) -> AppResult<StatusCode> {
    let approve = match action.as_str() {
        "approve" => true,
        "decline" => false,
        _ => return Err(AppError::NotFound),
    };
    statements::answer_request(&ctx, &user, &id, &body.org, approve).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `GET /api/v1/statements/{id}/invitations`: for the lead, everyone asked and how far each got.
pub async fn sent_invitations(
    State(ctx): State<Ctx>,
    ApiWriter(user): ApiWriter,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let r = library::get_for_edit(&ctx, &user, &id).await?;
    let items: Vec<Value> = r
        .signatures
        .iter()
        .map(|s| json!({ "org": s.acct(&ctx.config.domain), "name": s.name, "state": s.state, "version": s.version }))
        .collect();
    Ok(Json(json!({ "items": items })))
}
