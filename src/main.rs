//! The `amicus` command: the server, and the administration CLI for operators and scripts.

use std::io::{BufReader, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use amicus::error::AppError;
use amicus::i18n::terminal_lang;
use amicus::model::lang::Lang;
use amicus::model::statement::SignatureState;
use amicus::model::user::{OrgRole, Role};
use amicus::{accounts, statements, transfer, Config, Core, Ctx};
use clap::{Parser, Subcommand};
use fluent_bundle::FluentValue;

#[derive(Parser)]
#[command(name = "amicus", version, about = "A federated library for human-rights organisations")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Organisations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Import resources from JSON Lines into an organisation (idempotent by external_id).
    Import {
        file: PathBuf,
        #[arg(long)]
        org: String,
        /// Create the organisation with this display name if it does not exist yet.
        #[arg(long, value_name = "NAME")]
        create_org: Option<String>,
    },
    /// Federation: delivery status, retrying a host.
    Federation {
        #[command(subcommand)]
        command: FederationCommand,
    },
    /// Import events from an iCalendar file or URL into an organisation (idempotent by UID).
    ImportIcs {
        /// A file, or an http(s) URL (an official calendar to mirror).
        source: String,
        #[arg(long)]
        org: String,
        /// The kind of event, when an event's categories do not name one.
        #[arg(long, default_value = "hearing")]
        kind: String,
        /// The zone of times given in UTC or without a zone (an IANA name).
        #[arg(long, default_value = "UTC")]
        timezone: String,
        /// The language of texts that do not say theirs.
        #[arg(long, default_value = "en")]
        language: String,
    },
    /// Statements: list them, their signatories, invite, sign, withdraw a signature.
    Statement {
        #[command(subcommand)]
        command: StatementCommand,
    },
    /// Campaigns: list them, add an item.
    Campaign {
        #[command(subcommand)]
        command: CampaignCommand,
    },
    /// Export an organisation's resources (or, with --events, its events) as JSON Lines (to stdout).
    Export {
        #[arg(long)]
        org: String,
        /// Its events, in the shape of the events API, instead of its resources.
        #[arg(long)]
        events: bool,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print a commented amicus.toml with every setting and its default.
    Default,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input.
    Create {
        username: String,
        #[arg(long, value_parser = ["admin", "editor", "member"])]
        role: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create an organisation.
    Create {
        handle: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        owner: Option<String>,
    },
    /// Add a member to an organisation (or change their role).
    AddMember {
        handle: String,
        username: String,
        #[arg(long, value_parser = ["admin", "editor", "member"])]
        role: String,
    },
}

#[derive(Subcommand)]
enum StatementCommand {
    /// An organisation's statements: id, version, digest, signatures and title, one a line.
    List {
        #[arg(long)]
        org: String,
    },
    /// Who signed a statement (and who was invited or asked), one a line.
    Signatories { id: String },
    /// Invite organisations (`@org@host`, an actor URL, or a handle here) to sign.
    Invite {
        id: String,
        #[arg(required = true)]
        targets: Vec<String>,
        /// The account the command acts as (an editor of the lead organisation).
        #[arg(long = "as", value_name = "USERNAME")]
        user: String,
    },
    /// Sign as an organisation the digest read (accepting its invitation, or asking the lead of an open statement).
    Sign {
        id: String,
        #[arg(long)]
        org: String,
        #[arg(long)]
        digest: String,
        #[arg(long = "as", value_name = "USERNAME")]
        user: String,
    },
    /// Withdraw an organisation's signature.
    Withdraw {
        id: String,
        #[arg(long)]
        org: String,
        #[arg(long = "as", value_name = "USERNAME")]
        user: String,
    },
}

#[derive(Subcommand)]
enum CampaignCommand {
    /// Campaigns: id, handle, hashtag, status and title, one a line.
    List,
    /// Add a publication this instance holds (its ActivityPub id or page) to a campaign; from
    /// another organisation (--org), it is proposed to the organisers.
    Add {
        id: String,
        ap_id: String,
        #[arg(long)]
        org: Option<String>,
        #[arg(long = "as", value_name = "USERNAME")]
        user: String,
    },
}

#[derive(Subcommand)]
enum FederationCommand {
    /// Deliveries waiting, failed, and hosts marked dead.
    Status,
    /// Revive a host and send its failed deliveries again.
    Retry { host: String },
    /// Refuse a domain (and its subdomains) in open mode.
    Block { domain: String },
    /// Accept a domain (and its subdomains) in partners-only mode.
    Allow { domain: String },
    /// Remove the rule for a domain.
    Forget { domain: String },
    /// Fetch again the earlier publications (outbox, featured, upcoming events) of an actor an
    /// organisation here follows: `name@domain` or its URL.
    Backfill { target: String },
    /// Relays: subscribe to one, leave it, list them, or act as a coalition's relay.
    Relay {
        #[command(subcommand)]
        command: RelayCommand,
    },
}

#[derive(Subcommand)]
enum RelayCommand {
    /// Subscribe this instance to a relay (its actor's or inbox's address).
    Subscribe { url: String },
    /// Leave a relay (its actor's address).
    Unsubscribe { url: String },
    /// The relays subscribed to, and in relay mode the member instances.
    List,
    /// Act as a relay for partner instances (`on`), or stop (`off`).
    Serve { state: String },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token; it is printed once, as the last line.
    Create { username: String },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Config { command: ConfigCommand::Default }) = cli.command {
        print!("{}", amicus::config::DEFAULT_FILE);
        return ExitCode::SUCCESS;
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AMICUS_LOG")
                // the federation crate logs every URL it fetches at info: actors' addresses
                // are not for the logs
                .unwrap_or_else(|_| "info,sqlx=warn,activitypub_federation=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What the command line says, in the terminal's language (`LANG`).
struct Say<'a> {
    ctx: &'a Core,
    lang: Lang,
}

impl Say<'_> {
    fn t(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        self.ctx.i18n.t_args(self.lang, id, args)
    }

    /// Describes an `AppError` for a terminal.
    fn error(&self, e: AppError) -> anyhow::Error {
        match e {
            AppError::Invalid(errors) => anyhow::anyhow!(errors
                .iter()
                .map(|e| format!("{}: {}", e.field, self.t(e.code, &[("value", e.value.as_str().into())])))
                .collect::<Vec<_>>()
                .join("; ")),
            AppError::Conflict(field) => anyhow::anyhow!(self.t("cli-taken", &[("field", field.into())])),
            AppError::Unavailable(cause) | AppError::RemoteUnavailable(cause) | AppError::Internal(cause) => {
                anyhow::anyhow!(cause)
            }
            other => anyhow::anyhow!(self.t(other.message_id(), &[])),
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    let config = Config::load()?;
    // the domain core only: templates are built by `serve` alone
    let ctx = Core::build(config).await?;
    let say = Say { ctx: &ctx, lang: terminal_lang(|k| std::env::var(k).ok()) };
    let result = match command {
        Command::Serve => return serve(&say).await,
        Command::Migrate | Command::Config { .. } => Ok(()),
        Command::User { command: UserCommand::Create { username, role, .. } } => {
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\n', '\r']);
            let role = Role::parse(&role).unwrap_or(Role::Member);
            accounts::create_user(&ctx, &username, password, role).await.map(|u| {
                println!(
                    "{}",
                    say.t("cli-created-user", &[("user", u.username.into()), ("role", role.as_str().into())])
                )
            })
        }
        Command::Org { command: OrgCommand::Create { handle, name, owner } } => {
            accounts::create_org(&ctx, &handle, &name, owner.as_deref()).await.map(|o| {
                let address = format!("@{}@{}", o.handle, ctx.config.domain);
                println!("{}", say.t("cli-created-org", &[("address", address.into())]))
            })
        }
        Command::Org { command: OrgCommand::AddMember { handle, username, role } } => {
            let role = OrgRole::parse(&role).unwrap_or(OrgRole::Editor);
            accounts::add_member(&ctx, &handle, &username, role).await.map(|()| {
                let args = [
                    ("user", username.as_str().into()),
                    ("role", role.as_str().into()),
                    ("org", handle.as_str().into()),
                ];
                println!("{}", say.t("cli-member-added", &args))
            })
        }
        Command::Token { command: TokenCommand::Create { username } } => {
            accounts::create_token(&ctx, &username).await.map(|t| println!("{t}"))
        }
        Command::Federation { command: FederationCommand::Status } => federation_status(&say).await,
        Command::Federation { command: FederationCommand::Retry { host } } => ctx.db.retry_host(&host).await.map(|n| {
            println!("{}", say.t("cli-retried", &[("host", host.as_str().into()), ("count", (n as i64).into())]))
        }),
        Command::Federation { command: FederationCommand::Block { domain } } => {
            rule(&say, &domain, Some("block")).await
        }
        Command::Federation { command: FederationCommand::Allow { domain } } => {
            rule(&say, &domain, Some("allow")).await
        }
        Command::Federation { command: FederationCommand::Forget { domain } } => rule(&say, &domain, None).await,
        Command::Federation { command: FederationCommand::Relay { command } } => relay(&say, command).await,
        Command::Federation { command: FederationCommand::Backfill { target } } => {
            let data = amicus::federation::context::config(&ctx).await?.to_request_data();
            amicus::federation::backfill::now(&data, &target).await.map(|b| {
                let args = [
                    ("actor", b.actor_ap_id.as_str().into()),
                    ("stored", b.stored.into()),
                    ("skipped", b.skipped.into()),
                    ("pages", b.pages.into()),
                ];
                println!("{}", say.t("cli-backfilled", &args))
            })
        }
        Command::Import { file, org, create_org } => return import(&say, &file, &org, create_org.as_deref()).await,
        Command::ImportIcs { source, org, kind, timezone, language } => {
            return import_ics(&say, &source, &org, &kind, &timezone, &language).await
        }
        Command::Statement { command } => statement(&say, command).await,
        Command::Campaign { command } => campaign(&say, command).await,
        Command::Export { org, events: true } => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            transfer::export_events(&ctx, &org, &mut out)
                .await
                .map(|n| eprintln!("{}", say.t("cli-exported-events", &[("count", (n as i64).into())])))
        }
        Command::Export { org, events: false } => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            transfer::export(&ctx, &org, &mut out)
                .await
                .map(|n| eprintln!("{}", say.t("cli-exported", &[("count", (n as i64).into())])))
        }
    };
    result.map_err(|e| say.error(e))
}

async fn relay(say: &Say<'_>, command: RelayCommand) -> Result<(), AppError> {
    use amicus::federation::relay;
    let ctx = say.ctx;
    match command {
        RelayCommand::Subscribe { url } => {
            let data = amicus::federation::context::config(ctx).await?.to_request_data();
            let actor = relay::subscribe(&data, &url).await?;
            println!("{}", say.t("cli-relay-subscribed", &[("relay", actor.as_str().into())]));
        }
        RelayCommand::Unsubscribe { url } => {
            relay::unsubscribe(ctx, &url).await?;
            println!("{}", say.t("cli-relay-left", &[("relay", url.as_str().into())]));
        }
        RelayCommand::List => {
            for (actor, _, _, accepted) in ctx.db.relays().await? {
                println!("relay\t{actor}\t{}", if accepted { "accepted" } else { "pending" });
            }
            if relay::serving(ctx).await? {
                for (actor, _, _) in ctx.db.relay_members().await? {
                    println!("member\t{actor}");
                }
            }
        }
        RelayCommand::Serve { state } => {
            let on = match state.as_str() {
                "on" => true,
                "off" => false,
                other => return Err(AppError::invalid("state", "err-bad-status", other)),
            };
            relay::serve(ctx, on).await?;
            println!("{}", say.t(if on { "cli-relay-serving" } else { "cli-relay-stopped" }, &[]));
        }
    }
    Ok(())
}

/// The account a command acts as, with that account's rights.
async fn acting_as(say: &Say<'_>, username: &str) -> Result<amicus::model::user::User, AppError> {
    say.ctx.db.user_by_username(username).await?.ok_or_else(|| AppError::invalid("as", "cli-no-user", username))
}

async fn statement(say: &Say<'_>, command: StatementCommand) -> Result<(), AppError> {
    let ctx = say.ctx;
    match command {
        StatementCommand::List { org } => {
            let o =
                ctx.db.org_by_handle(&org).await?.ok_or_else(|| AppError::invalid("org", "err-no-such-org", &org))?;
            let ids = ctx.db.resource_ids_of_org(o.id).await?;
            for chunk in ids.chunks(200) {
                for r in ctx.db.load_resources(chunk, true).await? {
                    let Some(st) = &r.statement else { continue };
                    let signed = r.signatures.iter().filter(|s| s.state == SignatureState::Signed).count();
                    let title = r.text_for(&r.original_language).map(|t| t.title.as_str()).unwrap_or_default();
                    println!("{}\t{}\tv{}\t{}\t{signed}\t{title}", r.uid, r.status.as_str(), st.version, st.digest);
                }
            }
        }
        StatementCommand::Signatories { id } => {
            let r = statements::get(ctx, None, &id).await?;
            for s in statements::signatories(ctx, &r).await? {
                let version = s.version.map(|v| format!("v{v}")).unwrap_or_default();
                let signed_at = s.signed_at.map(|t| t.to_rfc3339()).unwrap_or_default();
                let verified = if s.verified { "verified" } else { "-" };
                println!(
                    "{}\t{}\t{version}\t{verified}\t{signed_at}\t{}",
                    s.acct(&ctx.config.domain),
                    s.state.as_str(),
                    s.name
                );
            }
        }
        StatementCommand::Invite { id, targets, user } => {
            let user = acting_as(say, &user).await?;
            let data = amicus::federation::context::config(ctx).await?.to_request_data();
            let (n, refused) = statements::invite_many(&data, &user, &id, &targets).await?;
            let args = [
                ("count", (n as i64).into()),
                ("refused", (refused.len() as i64).into()),
                ("list", refused.join(", ").into()),
            ];
            println!("{}", say.t("cli-invited", &args));
            if !refused.is_empty() {
                return Err(AppError::invalid("targets", "err-bad-target", &refused.join(", ")));
            }
        }
        StatementCommand::Sign { id, org, digest, user } => {
            let user = acting_as(say, &user).await?;
            statements::sign(ctx, &user, &id, &org, &digest).await?;
            let r = statements::get(ctx, Some(&user), &id).await?;
            let version = r.statement.map(|s| s.version).unwrap_or_default();
            println!("{}", say.t("cli-signed", &[("org", org.as_str().into()), ("version", version.into())]));
        }
        StatementCommand::Withdraw { id, org, user } => {
            let user = acting_as(say, &user).await?;
            statements::withdraw(ctx, &user, &id, &org).await?;
            println!("{}", say.t("cli-withdrawn", &[("org", org.as_str().into())]));
        }
    }
    Ok(())
}

async fn campaign(say: &Say<'_>, command: CampaignCommand) -> Result<(), AppError> {
    let ctx = say.ctx;
    match command {
        CampaignCommand::List => {
            for o in ctx.db.list_orgs().await?.into_iter().filter(|o| o.local) {
                for c in ctx.db.campaigns_of_org(o.id).await? {
                    let title =
                        c.text_for(&c.fields.original_language).map(|(_, t)| t.title.clone()).unwrap_or_default();
                    let status = if c.fields.published { "published" } else { "draft" };
                    println!(
                        "{}\t@{}@{}\t#{}\t{status}\t{}\t{title}",
                        c.uid, c.handle, ctx.config.domain, c.fields.hashtag, c.org_handle
                    );
                }
            }
        }
        CampaignCommand::Add { id, ap_id, org, user } => {
            let user = acting_as(say, &user).await?;
            let state = amicus::campaigns::add_item(ctx, &user, &id, &ap_id, org.as_deref()).await?;
            println!("{}", say.t("cli-item-added", &[("state", state.into())]));
        }
    }
    Ok(())
}

async fn rule(say: &Say<'_>, domain: &str, policy: Option<&str>) -> Result<(), AppError> {
    let domain = domain.trim().trim_start_matches("*.").to_ascii_lowercase();
    // a port may follow (`partner.example:8443`): where partner search reaches that partner
    let (name, port) = domain.split_once(':').unwrap_or((&domain, "443"));
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && port.parse::<u16>().is_ok();
    if !valid {
        return Err(AppError::invalid("domain", "err-bad-domain", &domain));
    }
    say.ctx.db.set_federation_rule(&domain, policy).await?;
    let id = match policy {
        Some("block") => "cli-blocked",
        Some(_) => "cli-allowed",
        None => "cli-forgotten",
    };
    println!("{}", say.t(id, &[("domain", domain.as_str().into())]));
    Ok(())
}

async fn federation_status(say: &Say<'_>) -> Result<(), AppError> {
    let db = &say.ctx.db;
    let s = db.delivery_status().await?;
    let totals = [("pending", s.pending.into()), ("failed", s.failed.into()), ("done", s.done.into())];
    println!("{}", say.t("cli-delivery-status", &totals));
    for (host, pending, failed, dead) in db.host_status().await? {
        let state = if dead { say.t("cli-host-dead", &[]) } else { String::new() };
        println!("  {host}: {pending} / {failed} {state}");
    }
    Ok(())
}

async fn import(say: &Say<'_>, file: &PathBuf, org: &str, create: Option<&str>) -> anyhow::Result<()> {
    let ctx = say.ctx;
    if let Some(name) = create {
        if ctx.db.org_by_handle(org).await.map_err(|e| say.error(e))?.is_none() {
            let o = accounts::create_org(ctx, org, name, None).await.map_err(|e| say.error(e))?;
            let address = format!("@{}@{}", o.handle, ctx.config.domain);
            eprintln!("{}", say.t("cli-created-org", &[("address", address.into())]));
        }
    }
    let f = std::fs::File::open(file).map_err(|e| {
        let args = [("file", file.display().to_string().into()), ("reason", e.to_string().into())];
        anyhow::anyhow!(say.t("cli-cannot-open", &args))
    })?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = indicatif::ProgressBar::new(len);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {percent:>3}% {bytes}/{total_bytes} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let report = transfer::import(ctx, org, say.lang, BufReader::new(f), |n| bar.set_position(n))
        .await
        .map_err(|e| say.error(e))?;
    bar.finish_and_clear();
    let summary = [("created", (report.created as i64).into()), ("updated", (report.updated as i64).into())];
    tell_import(say, &report.errors, ("cli-import-summary", &summary), "cli-import-failed")
}

/// What an import did: each bad line with its reason, then the summary (`summary_args` and
/// the count of errors); an error, naming how many failed, when any did.
fn tell_import(
    say: &Say<'_>,
    errors: &[(usize, String)],
    (summary, summary_args): (&str, &[(&str, FluentValue<'_>)]),
    failed: &str,
) -> anyhow::Result<()> {
    for (line, reason) in errors {
        eprintln!(
            "{}",
            say.t("cli-import-line", &[("line", (*line as i64).into()), ("reason", reason.as_str().into())])
        );
    }
    let mut args = summary_args.to_vec();
    args.push(("errors", (errors.len() as i64).into()));
    println!("{}", say.t(summary, &args));
    if errors.is_empty() {
        Ok(())
    } else {
        Err(anyhow::anyhow!(say.t(failed, &[("count", (errors.len() as i64).into())])))
    }
}

/// The largest calendar fetched from a URL.
const MAX_CALENDAR: usize = 20 * 1024 * 1024;

async fn import_ics(
    say: &Say<'_>,
    source: &str,
    org: &str,
    kind: &str,
    timezone: &str,
    language: &str,
) -> anyhow::Result<()> {
    let ctx = say.ctx;
    let cannot = |reason: String| {
        anyhow::anyhow!(say.t("cli-cannot-open", &[("file", source.into()), ("reason", reason.into())]))
    };
    if !ctx.vocab.contains(amicus::model::event::EVENT_KIND, kind) {
        return Err(say.error(AppError::invalid("kind", "err-unknown-term", kind)));
    }
    let tz: chrono_tz::Tz =
        timezone.parse().map_err(|_| say.error(AppError::invalid("timezone", "err-bad-timezone", timezone)))?;
    let text = if source.starts_with("http://") || source.starts_with("https://") {
        // fetched as the server fetches: https and a host name (never an address, which would
        // skip the resolver's check), no private addresses, a time limit, a size limit
        let url = url::Url::parse(source).map_err(|e| cannot(e.to_string()))?;
        amicus::federation::net::check_url(&url, ctx.config.dev_network)
            .map_err(|_| cannot(say.t("error-remote-refused", &[])))?;
        let mut res = ctx.http.get(url).send().await.map_err(|e| cannot(e.to_string()))?;
        if !res.status().is_success() {
            return Err(cannot(res.status().to_string()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = res.chunk().await.map_err(|e| cannot(e.to_string()))? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_CALENDAR {
                return Err(cannot(format!("larger than {} MB", MAX_CALENDAR / 1024 / 1024)));
            }
        }
        String::from_utf8_lossy(&body).into_owned()
    } else {
        std::fs::read_to_string(source).map_err(|e| cannot(e.to_string()))?
    };
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let defaults = amicus::ics_read::Defaults { org, kind, timezone: tz, language };
    let report = amicus::agenda::import_ics(ctx, &text, &defaults, say.lang, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
    .await
    .map_err(|e| say.error(e))?;
    bar.finish_and_clear();
    let summary = [
        ("created", (report.created as i64).into()),
        ("updated", (report.updated as i64).into()),
        ("unchanged", (report.unchanged as i64).into()),
    ];
    tell_import(say, &report.errors, ("cli-import-ics-summary", &summary), "cli-import-ics-failed")
}

async fn serve(say: &Say<'_>) -> anyhow::Result<()> {
    let ctx = Ctx::with_templates(say.ctx.clone())?;
    let listener = tokio::net::TcpListener::bind(&ctx.config.bind)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", ctx.config.bind))?;
    let args = [
        ("version", env!("CARGO_PKG_VERSION").into()),
        ("bind", ctx.config.bind.as_str().into()),
        ("url", ctx.config.base_url().into()),
    ];
    eprintln!("{}", say.t("cli-listening", &args));
    let kind = if ctx.config.is_postgres() { "PostgreSQL" } else { "SQLite" };
    eprintln!("{}", say.t("cli-database", &[("kind", kind.into())]));
    if ctx.db.count_users().await.unwrap_or(0) == 0 {
        eprintln!("{}", say.t("cli-no-accounts", &[]));
        eprintln!("  echo 'a long passphrase' | amicus user create admin --role admin --password-stdin");
    }
    // Ctrl-C, or SIGTERM from systemd or a container runtime: the same graceful stop
    let shutdown = async {
        #[cfg(unix)]
        {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        _ = term.recv() => {}
                    }
                }
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    };
    amicus::serve(listener, ctx.clone(), shutdown).await?;
    ctx.db.close().await;
    Ok(())
}
