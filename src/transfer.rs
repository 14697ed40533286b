//! `amicus import` and `amicus export`: the library as JSON Lines, one resource a line, in
//! the shape of `POST /api/v1/resources` (a statement's in that of `POST /api/v1/statements`,
//! a campaign's `{"campaign": ..., "items": [...]}`). Import is idempotent by `external_id`
//! (a campaign's handle); every bad line is reported with its number and reason while the
//! good ones are imported.

use std::collections::HashSet;
use std::io::BufRead;

use crate::db::resources::Write;
use crate::domain::Core;
use crate::error::{AppError, AppResult};
use crate::library::{index_doc, validate};
use crate::model::campaign::CampaignLine;
use crate::model::lang::Lang;
use crate::model::resource::{NewResource, ResourceInput};
use crate::model::statement::StatementInput;
use crate::search::IndexDoc;

/// Lines written per transaction.
const BATCH: usize = 250;

#[derive(Debug, Default)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    /// (line number, reason)
    pub errors: Vec<(usize, String)>,
}

/// One line of an import: a resource, a statement or a campaign.
enum Line {
    Resource(ResourceInput),
    Statement(StatementInput),
    Campaign(CampaignLine),
}

impl Line {
    fn set_org(&mut self, org: &str) {
        match self {
            Line::Resource(i) => i.org = org.to_string(),
            Line::Statement(i) => i.org = org.to_string(),
            Line::Campaign(c) => c.campaign.org = org.to_string(),
        }
    }

    fn external_id(&self) -> Option<String> {
        match self {
            Line::Resource(i) => i.external_id.clone(),
            Line::Statement(i) => i.external_id.clone(),
            Line::Campaign(c) => Some(c.campaign.handle.clone()),
        }
    }
}

struct Pending {
    id: Option<i64>,
    resource: NewResource,
    doc: IndexDoc,
}

/// Imports JSON Lines into organisation `org`, reporting bad lines in `lang`. `progress` is
/// called with the bytes read so far. The `org` field of each line is ignored: everything
/// goes to `org`.
pub async fn import(
    ctx: &Core,
    org: &str,
    lang: Lang,
    reader: impl BufRead,
    progress: impl Fn(u64),
) -> AppResult<ImportReport> {
    let org = ctx.db.org_by_handle(org).await?.ok_or_else(|| AppError::invalid("org", "err-no-such-org", org))?;
    let mut report = ImportReport::default();
    let mut batch: Vec<Pending> = Vec::new();
    let mut in_batch: HashSet<String> = HashSet::new();
    let mut read = 0u64;
    for (i, line) in reader.lines().enumerate() {
        let n = i + 1;
        let line = line.map_err(AppError::internal)?;
        read += line.len() as u64 + 1;
        progress(read);
        if line.trim().is_empty() {
            continue;
        }
        // a statement's line has its `kind`; a resource's its `type`; a campaign's is `campaign`
        let parsed = match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(v) if v.get("campaign").is_some() => serde_json::from_value::<CampaignLine>(v).map(Line::Campaign),
            Ok(v) if v.get("kind").is_some() => serde_json::from_value::<StatementInput>(v).map(Line::Statement),
            Ok(v) => serde_json::from_value::<ResourceInput>(v).map(Line::Resource),
            Err(e) => Err(e),
        };
        let mut input = match parsed {
            Ok(v) => v,
            Err(e) => {
                report
                    .errors
                    .push((n, ctx.i18n.t_args(lang, "err-import-not-json", &[("value", e.to_string().into())])));
                continue;
            }
        };
        input.set_org(&org.handle);
        let Some(external_id) = input.external_id().filter(|e| !e.trim().is_empty()) else {
            report
                .errors
                .push((n, "external_id is missing: it is what makes a re-import update instead of duplicate".into()));
            continue;
        };
        let checked = match &input {
            Line::Campaign(c) => match crate::campaigns::import(ctx, &org, c).await {
                Ok(created) => {
                    *(if created { &mut report.created } else { &mut report.updated }) += 1;
                    continue;
                }
                Err(e) => Err(e),
            },
            Line::Resource(i) => validate(ctx, i),
            Line::Statement(i) => {
                let existing = match ctx.db.resource_id_by_external_id(org.id, &external_id).await? {
                    Some(id) => ctx.db.load_resources(&[id], true).await?.pop(),
                    None => None,
                };
                crate::statements::validate(ctx, i, existing.as_ref()).await
            }
        };
        let resource = match checked {
            Ok(r) => r,
            Err(AppError::Invalid(errors)) => {
                let reasons: Vec<String> = errors
                    .iter()
                    .map(|e| {
                        let msg = ctx.i18n.t_args(lang, e.code, &[("value", e.value.as_str().into())]);
                        format!("{}: {msg}", e.field)
                    })
                    .collect();
                report.errors.push((n, reasons.join("; ")));
                continue;
            }
            Err(e) => return Err(e),
        };
        if in_batch.contains(&external_id) {
            flush(ctx, org.id, &mut batch, &mut report).await?;
            in_batch.clear();
        }
        let id = ctx.db.resource_id_by_external_id(org.id, &external_id).await?;
        let doc = index_doc(ctx, &resource);
        in_batch.insert(external_id);
        batch.push(Pending { id, resource, doc });
        if batch.len() >= BATCH {
            flush(ctx, org.id, &mut batch, &mut report).await?;
            in_batch.clear();
        }
    }
    flush(ctx, org.id, &mut batch, &mut report).await?;
    if report.created + report.updated > 0 {
        ctx.db.analyze().await?;
    }
    Ok(report)
}

async fn flush(ctx: &Core, org_id: i64, batch: &mut Vec<Pending>, report: &mut ImportReport) -> AppResult<()> {
    if batch.is_empty() {
        return Ok(());
    }
    // a bulk load is not announced to followers one resource at a time
    let now = chrono::Utc::now();
    let writes: Vec<Write> = batch
        .iter()
        .map(|p| Write {
            id: p.id,
            uid: None,
            org_id,
            resource: &p.resource,
            doc: &p.doc,
            outgoing: None,
            remote: None,
            // a resource imported again keeps the time it was first made public
            published_at: crate::model::resource::made_public_at(None, p.resource.status, now),
            // not announced: the outbox names its Create after the resource
            create_id: None,
            idempotency_key: None,
        })
        .collect();
    ctx.db.write_resources(&writes).await?;
    for p in batch.iter() {
        if p.id.is_some() {
            report.updated += 1;
        } else {
            report.created += 1;
        }
    }
    batch.clear();
    Ok(())
}

/// Writes every resource and statement of `org` (drafts and withdrawn ones too), then its
/// campaigns, as JSON Lines.
pub async fn export(ctx: &Core, org: &str, out: &mut impl std::io::Write) -> AppResult<usize> {
    let org = ctx.db.org_by_handle(org).await?.ok_or_else(|| AppError::invalid("org", "err-no-such-org", org))?;
    let ids = ctx.db.resource_ids_of_org(org.id).await?;
    for chunk in ids.chunks(200) {
        for r in ctx.db.load_resources(chunk, true).await? {
            let line = match r.statement {
                Some(_) => serde_json::to_string(&crate::statements::to_input(&r)),
                None => serde_json::to_string(&r.to_input()),
            };
            let line = line.map_err(AppError::internal)?;
            writeln!(out, "{line}").map_err(AppError::internal)?;
        }
    }
    // campaigns last: what they gather is written before them
    let campaigns = ctx.db.campaigns_of_org(org.id).await?;
    for c in &campaigns {
        let line = serde_json::to_string(&crate::campaigns::export_line(ctx, c).await?).map_err(AppError::internal)?;
        writeln!(out, "{line}").map_err(AppError::internal)?;
    }
    out.flush().map_err(AppError::internal)?;
    Ok(ids.len() + campaigns.len())
}

/// Writes every event of `org` (past ones too) as JSON Lines in the shape of the events API,
/// each with its `id`.
pub async fn export_events(ctx: &Core, org: &str, out: &mut impl std::io::Write) -> AppResult<usize> {
    let org = ctx.db.org_by_handle(org).await?.ok_or_else(|| AppError::invalid("org", "err-no-such-org", org))?;
    let f = crate::db::events::EventFilters { org_id: Some(org.id), ..Default::default() };
    let (mut offset, mut count) = (0, 0);
    loop {
        let (events, more) = ctx.db.list_events(&f, offset, 200).await?;
        for e in &events {
            let mut v = serde_json::to_value(crate::agenda::to_input(e)).map_err(AppError::internal)?;
            if let Some(m) = v.as_object_mut() {
                m.insert("id".into(), e.uid.clone().into());
            }
            writeln!(out, "{v}").map_err(AppError::internal)?;
        }
        count += events.len();
        offset += 200;
        if !more {
            break;
        }
    }
    out.flush().map_err(AppError::internal)?;
    Ok(count)
}
