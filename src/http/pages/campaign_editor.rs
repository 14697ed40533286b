//! The campaign editor: a campaign's form (create, edit, translate one language at a time),
//! its banner, adding and proposing items and deciding on proposals, and deleting it. As in
//! the other editors, nothing typed is lost when a submission is refused.

use axum::extract::{Multipart, Path, RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Serialize;

use super::editor::{content_langs, editable_orgs};
use super::submit::{self, Outcome};
use super::{CheckedForm, FormData, KeptForm, Page};
use crate::app::Ctx;
use crate::campaigns;
use crate::error::{AppError, AppResult};
use crate::http::errors::show_errors;
use crate::http::extract::CsrfToken;
use crate::model::campaign::{Campaign, CampaignInput, CampaignPatch, CampaignText};
use crate::model::FieldError;

/// The form's values, kept across a failed submission.
#[derive(Serialize, Default)]
struct Values {
    org: String,
    handle: String,
    hashtag: String,
    original_language: String,
    text_lang: String,
    title: String,
    goals: String,
    call_to_action: String,
    cta_url: String,
    starts_on: String,
    ends_on: String,
    status: String,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl Values {
    fn from_form(f: &FormData) -> Values {
        Values {
            org: f.get("org"),
            handle: f.get("handle"),
            hashtag: f.get("hashtag"),
            original_language: f.get("original_language"),
            text_lang: f.get("text_lang"),
            title: f.get("title"),
            goals: f.get("goals"),
            call_to_action: f.get("call_to_action"),
            cta_url: f.get("cta_url"),
            starts_on: f.get("starts_on"),
            ends_on: f.get("ends_on"),
            status: f.get("status"),
        }
    }

    fn from_campaign(c: &Campaign, text_lang: &str) -> Values {
        let text = c.fields.texts.get(text_lang).cloned().unwrap_or_default();
        Values {
            org: c.org_handle.clone(),
            handle: c.handle.clone(),
            hashtag: format!("#{}", c.fields.hashtag),
            original_language: c.fields.original_language.clone(),
            text_lang: text_lang.to_string(),
            title: text.title,
            goals: text.goals,
            call_to_action: text.call_to_action,
            cta_url: c.fields.cta_url.clone().unwrap_or_default(),
            starts_on: c.fields.starts_on.clone().unwrap_or_default(),
            ends_on: c.fields.ends_on.clone().unwrap_or_default(),
            status: if c.fields.published { "published" } else { "draft" }.to_string(),
        }
    }

    fn text(&self) -> CampaignText {
        CampaignText {
            title: self.title.clone(),
            goals: self.goals.clone(),
            call_to_action: self.call_to_action.clone(),
        }
    }

    fn to_input(&self) -> CampaignInput {
        CampaignInput {
            org: self.org.clone(),
            handle: self.handle.trim().to_string(),
            hashtag: self.hashtag.clone(),
            original_language: self.original_language.clone(),
            translations: [(self.original_language.clone(), self.text())].into_iter().collect(),
            call_to_action_url: opt(&self.cta_url),
            starts_on: opt(&self.starts_on),
            ends_on: opt(&self.ends_on),
            status: Some(if self.status.is_empty() { "draft".into() } else { self.status.clone() }),
        }
    }

    fn to_patch(&self) -> CampaignPatch {
        // an emptied field is emptied: the patch's empty strings clear
        CampaignPatch {
            hashtag: Some(self.hashtag.clone()),
            original_language: None,
            translations: [(self.text_lang.clone(), Some(self.text()))].into_iter().collect(),
            call_to_action_url: Some(self.cta_url.trim().to_string()),
            starts_on: Some(self.starts_on.trim().to_string()),
            ends_on: Some(self.ends_on.trim().to_string()),
            status: opt(&self.status),
        }
    }
}

/// The form with its errors, its problem and a notice.
struct Form<'a> {
    values: &'a Values,
    campaign: Option<&'a Campaign>,
    orgs: Vec<String>,
    errors: &'a [FieldError],
    problem: Option<&'a AppError>,
    notice: Option<&'a str>,
}

impl Form<'_> {
    fn render(self, ctx: &Ctx, page: &Page) -> AppResult<Html<String>> {
        let problem = self.problem.map(|e| submit::problem(ctx, page, e));
        let c = self.campaign;
        page.render(
            ctx,
            "campaigns/form.html",
            context! {
                v => self.values,
                uid => c.map(|c| c.uid.clone()),
                languages => c.map(|c| c.fields.texts.keys().cloned().collect::<Vec<_>>()),
                banner => c.is_some_and(|c| c.banner.is_some()),
                banner_alt => c.and_then(|c| c.banner_alt.clone()),
                orgs => self.orgs,
                errors => show_errors(ctx, page.lang, self.errors),
                problem,
                notice => self.notice.map(|id| page.t(ctx, id)),
                content_langs => content_langs(ctx),
                max_upload => ctx.config.max_upload_bytes,
            },
        )
    }
}

/// `GET /campaigns/new` (`?org=` picks the organising organisation).
pub async fn new_form(State(ctx): State<Ctx>, page: Page, RawQuery(query): RawQuery) -> AppResult<Html<String>> {
    let orgs = editable_orgs(&ctx, &page).await?;
    if orgs.is_empty() {
        return Err(AppError::Forbidden);
    }
    let values = Values {
        org: submit::query_param(query.as_deref(), "org")
            .filter(|o| orgs.contains(o))
            .unwrap_or_else(|| orgs[0].clone()),
        original_language: page.lang.code().to_string(),
        text_lang: page.lang.code().to_string(),
        status: "draft".into(),
        ..Values::default()
    };
    Form { values: &values, campaign: None, orgs, errors: &[], problem: None, notice: None }.render(&ctx, &page)
}

/// `GET /c/{uid}/edit?text=fr`.
pub async fn edit_form(
    State(ctx): State<Ctx>,
    page: Page,
    Path(uid): Path<String>,
    RawQuery(query): RawQuery,
) -> AppResult<Html<String>> {
    let c = campaigns::get_for_edit(&ctx, page.user()?, &uid).await?;
    let text_lang = submit::text_lang(&ctx, query.as_deref(), &c.fields.original_language)?;
    let values = Values::from_campaign(&c, &text_lang);
    let orgs = vec![c.org_handle.clone()];
    Form { values: &values, campaign: Some(&c), orgs, errors: &[], problem: None, notice: None }.render(&ctx, &page)
}

/// `POST /campaigns/new`.
pub async fn create(State(ctx): State<Ctx>, page: Page, form: KeptForm) -> AppResult<Response> {
    submit(&ctx, &page, None, form).await
}

/// `POST /c/{uid}/edit`.
pub async fn update(
    State(ctx): State<Ctx>,
    page: Page,
    Path(uid): Path<String>,
    form: KeptForm,
) -> AppResult<Response> {
    submit(&ctx, &page, Some(&uid), form).await
}

async fn submit(ctx: &Ctx, page: &Page, uid: Option<&str>, kept: KeptForm) -> AppResult<Response> {
    let values = Values::from_form(&kept.form);
    let action = uid.map_or_else(|| "/campaigns/new".to_string(), |u| format!("/c/{u}/edit"));
    let v = &values;
    let saved = submit::submit(ctx, page, &action, &kept, |user| async move {
        match uid {
            None => campaigns::create(ctx, &user, &v.to_input()).await,
            Some(uid) => campaigns::update(ctx, &user, uid, v.to_patch()).await,
        }
    });
    match saved.await? {
        Outcome::Saved(c) => Ok(Redirect::to(&format!("/c/{}?done=saved", c.uid)).into_response()),
        Outcome::Again(errors, problem) => again(ctx, page, &values, uid, &errors, problem.as_ref()).await,
        Outcome::LogIn(res) => Ok(res),
    }
}

async fn again(
    ctx: &Ctx,
    page: &Page,
    values: &Values,
    uid: Option<&str>,
    errors: &[FieldError],
    problem: Option<&AppError>,
) -> AppResult<Response> {
    let campaign = match (uid, &page.user) {
        (Some(uid), Some(u)) => campaigns::get_for_edit(ctx, u, uid).await.ok(),
        _ => None,
    };
    let orgs = match uid {
        Some(_) => vec![values.org.clone()],
        None => editable_orgs(ctx, page).await.unwrap_or_else(|_| vec![values.org.clone()]),
    };
    let form = Form { values, campaign: campaign.as_ref(), orgs, errors, problem, notice: None };
    Ok((submit::status(errors, problem), form.render(ctx, page)?).into_response())
}

/// After logging in again: the campaign form the session expired on, as it was typed.
pub async fn resume(ctx: &Ctx, page: &Page, action: &str, form: &FormData) -> Option<AppResult<Response>> {
    let uid = match action {
        "/campaigns/new" => None,
        other => Some(other.strip_prefix("/c/")?.strip_suffix("/edit")?),
    };
    let values = Values::from_form(form);
    let res = again(ctx, page, &values, uid, &[], None).await;
    Some(res)
}

/// `POST /c/{uid}/banner`: the banner image and its description, then the editor again.
pub async fn upload_banner(
    State(ctx): State<Ctx>,
    page: Page,
    csrf: CsrfToken,
    Path(uid): Path<String>,
    multipart: Multipart,
) -> AppResult<Response> {
    let user = page.user()?.clone();
    let up = super::read_upload(&ctx, multipart).await;
    let saved = match up {
        Ok(up) => match csrf.verify(&up.csrf) {
            Ok(()) => campaigns::set_banner(&ctx, &user, &uid, up.bytes, &up.alt).await.map(|_| ()),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    let e = match saved {
        Ok(()) => return Ok(Redirect::to(&format!("/c/{uid}/edit?done=uploaded#banner-h")).into_response()),
        Err(e @ (AppError::NotFound | AppError::Forbidden | AppError::Unavailable(_))) => return Err(e),
        Err(e) => e,
    };
    let c = campaigns::get_for_edit(&ctx, &user, &uid).await?;
    let values = Values::from_campaign(&c, &c.fields.original_language);
    let (errors, problem) = match e {
        AppError::Invalid(errors) => (errors, None),
        e => (Vec::new(), Some(e)),
    };
    let orgs = vec![c.org_handle.clone()];
    let form =
        Form { values: &values, campaign: Some(&c), orgs, errors: &errors, problem: problem.as_ref(), notice: None };
    Ok((submit::status(&errors, problem.as_ref()), form.render(&ctx, &page)?).into_response())
}

/// `POST /c/{uid}/items`: `action` = add (an organiser adds `ap_id` at once; an editor of
/// another organisation here, `org`, proposes it), approve or decline a proposal.
pub async fn item_action(
    State(ctx): State<Ctx>,
    page: Page,
    Path(uid): Path<String>,
    CheckedForm(form): CheckedForm,
) -> AppResult<Redirect> {
    let user = page.user()?;
    let ap_id = form.get("ap_id");
    let done = match form.get("action").as_str() {
        "add" => {
            let org = opt(&form.get("org"));
            match campaigns::add_item(&ctx, user, &uid, &ap_id, org.as_deref()).await?.as_str() {
                "approved" => "item-added",
                _ => "item-proposed",
            }
        }
        "approve" => {
            campaigns::decide_item(&ctx, user, &uid, &ap_id, true).await?;
            "item-added"
        }
        "decline" => {
            campaigns::decide_item(&ctx, user, &uid, &ap_id, false).await?;
            "item-removed"
        }
        other => return Err(AppError::invalid("action", "err-bad-status", other)),
    };
    Ok(Redirect::to(&format!("/c/{uid}?done={done}")))
}

/// `GET /c/{uid}/delete`: the question before deleting.
pub async fn confirm_delete(State(ctx): State<Ctx>, page: Page, Path(uid): Path<String>) -> AppResult<Html<String>> {
    campaigns::get_for_edit(&ctx, page.user()?, &uid).await?;
    let back = format!("/c/{uid}/edit");
    super::people::confirm(
        &ctx,
        &page,
        "confirm-delete-campaign",
        &format!("/c/{uid}/delete"),
        &[("confirmed", "1")],
        &back,
    )
}

/// `POST /c/{uid}/delete`: the campaign and its actor go.
pub async fn delete(
    State(ctx): State<Ctx>,
    page: Page,
    Path(uid): Path<String>,
    CheckedForm(_f): CheckedForm,
) -> AppResult<Redirect> {
    campaigns::delete(&ctx, page.user()?, &uid).await?;
    Ok(Redirect::to("/campaigns?done=deleted"))
}
