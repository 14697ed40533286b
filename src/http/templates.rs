//! The HTML (and feed) templates, compiled into the binary, with the functions they may
//! call: `t(id, **args)` for interface strings in the page's language, `label(scheme, id)`
//! for vocabulary labels, `langname(code)` for a language's own name.

use std::sync::Arc;

use fluent_bundle::FluentValue;
use minijinja::value::Kwargs;
use minijinja::{Environment, State, Value};

use crate::error::{AppError, AppResult};
use crate::i18n::I18n;
use crate::model::lang::{endonym, Lang};
use crate::model::vocab::Vocabularies;

const FILES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("partials/card.html", include_str!("../../templates/partials/card.html")),
    ("join/form.html", include_str!("../../templates/join/form.html")),
    ("join/status.html", include_str!("../../templates/join/status.html")),
    ("join/contact.html", include_str!("../../templates/join/contact.html")),
    ("admin/applications.html", include_str!("../../templates/admin/applications.html")),
    ("admin/messages.html", include_str!("../../templates/admin/messages.html")),
    ("partials/thread.html", include_str!("../../templates/partials/thread.html")),
    ("partials/network_card.html", include_str!("../../templates/partials/network_card.html")),
    ("partials/share.html", include_str!("../../templates/partials/share.html")),
    ("share.html", include_str!("../../templates/share.html")),
    ("campaigns/index.html", include_str!("../../templates/campaigns/index.html")),
    ("orgs/invitations.html", include_str!("../../templates/orgs/invitations.html")),
    ("campaigns/show.html", include_str!("../../templates/campaigns/show.html")),
    ("partials/field_errors.html", include_str!("../../templates/partials/field_errors.html")),
    ("partials/invite_email.html", include_str!("../../templates/partials/invite_email.html")),
    ("library/index.html", include_str!("../../templates/library/index.html")),
    ("library/resource.html", include_str!("../../templates/library/resource.html")),
    ("library/reply-again.html", include_str!("../../templates/library/reply-again.html")),
    ("library/statement.html", include_str!("../../templates/library/statement.html")),
    ("library/statement_form.html", include_str!("../../templates/library/statement_form.html")),
    ("campaigns/form.html", include_str!("../../templates/campaigns/form.html")),
    ("library/form.html", include_str!("../../templates/library/form.html")),
    ("agenda/index.html", include_str!("../../templates/agenda/index.html")),
    ("agenda/event.html", include_str!("../../templates/agenda/event.html")),
    ("agenda/item.html", include_str!("../../templates/agenda/item.html")),
    ("agenda/zone.html", include_str!("../../templates/agenda/zone.html")),
    ("agenda/live.html", include_str!("../../templates/agenda/live.html")),
    ("agenda/form.html", include_str!("../../templates/agenda/form.html")),
    ("partials/facets.html", include_str!("../../templates/partials/facets.html")),
    ("orgs/index.html", include_str!("../../templates/orgs/index.html")),
    ("orgs/show.html", include_str!("../../templates/orgs/show.html")),
    ("orgs/edit.html", include_str!("../../templates/orgs/edit.html")),
    ("orgs/follow.html", include_str!("../../templates/orgs/follow.html")),
    ("partials/follow.html", include_str!("../../templates/partials/follow.html")),
    ("orgs/members.html", include_str!("../../templates/orgs/members.html")),
    ("orgs/federation.html", include_str!("../../templates/orgs/federation.html")),
    ("admin/federation.html", include_str!("../../templates/admin/federation.html")),
    ("admin/people.html", include_str!("../../templates/admin/people.html")),
    ("account/index.html", include_str!("../../templates/account/index.html")),
    ("account/link.html", include_str!("../../templates/account/link.html")),
    ("account/gone.html", include_str!("../../templates/account/gone.html")),
    ("account/invitation.html", include_str!("../../templates/account/invitation.html")),
    ("account/reset.html", include_str!("../../templates/account/reset.html")),
    ("account/forgot.html", include_str!("../../templates/account/forgot.html")),
    ("confirm.html", include_str!("../../templates/confirm.html")),
    ("account/two_factor.html", include_str!("../../templates/account/two_factor.html")),
    ("account/recovery.html", include_str!("../../templates/account/recovery.html")),
    ("auth/code.html", include_str!("../../templates/auth/code.html")),
    ("auth/login.html", include_str!("../../templates/auth/login.html")),
    ("errors/error.html", include_str!("../../templates/errors/error.html")),
    ("feeds/rss.xml", include_str!("../../templates/feeds/rss.xml")),
    ("feeds/atom.xml", include_str!("../../templates/feeds/atom.xml")),
];

pub struct Templates {
    env: Environment<'static>,
}

fn page_lang(state: &State) -> Lang {
    state.lookup("lang").and_then(|v| v.as_str().and_then(Lang::parse)).unwrap_or(Lang::En)
}

impl Templates {
    pub fn new(i18n: Arc<I18n>, vocab: Arc<Vocabularies>) -> anyhow::Result<Templates> {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        for (name, source) in FILES {
            env.add_template(name, source)?;
        }
        env.add_function("t", move |state: &State, id: String, kwargs: Kwargs| -> Result<String, minijinja::Error> {
            let mut args: Vec<(&str, FluentValue)> = Vec::new();
            let keys: Vec<&str> = kwargs.args().collect();
            for k in &keys {
                let v: Value = kwargs.get(k)?;
                let fv = match v.as_i64() {
                    Some(n) => FluentValue::from(n),
                    None => FluentValue::from(v.to_string()),
                };
                args.push((k, fv));
            }
            Ok(i18n.t_args(page_lang(state), &id, &args))
        });
        env.add_function("label", move |state: &State, scheme: String, id: String| -> String {
            vocab.label(&scheme, &id, page_lang(state)).to_string()
        });
        env.add_function("langname", |code: String| -> String { endonym(&code).map(str::to_string).unwrap_or(code) });
        env.add_filter("filesize", |n: i64| -> String {
            match n {
                n if n >= 1024 * 1024 => format!("{:.1} MB", n as f64 / 1048576.0),
                n if n >= 1024 => format!("{} KB", n / 1024),
                n => format!("{n} B"),
            }
        });
        // a document's own date in the page's language, at its precision: "17 July 1998"
        env.add_filter("docdate", |state: &State, date: String| -> String {
            crate::i18n::document_date(page_lang(state), &date)
        });
        // an instant (RFC 3339, as serde writes it) to the minute, in UTC: "2026-12-01 19:08 UTC"
        env.add_filter("minute", |at: String| -> String {
            chrono::DateTime::parse_from_rfc3339(&at)
                .map(|t| t.with_timezone(&chrono::Utc).format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or(at)
        });
        Ok(Templates { env })
    }

    pub fn render(&self, name: &str, ctx: Value) -> AppResult<String> {
        let tmpl = self.env.get_template(name).map_err(AppError::internal)?;
        tmpl.render(ctx).map_err(|e| AppError::internal(format!("template {name}: {e:#}")))
    }
}
