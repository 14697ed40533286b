//! E-mail, when the instance has an SMTP server (`smtp_url`): invitation and reset links. The
//! connection is TLS (`smtps://`) or STARTTLS required (`smtp://`); plain text only to a relay
//! on this machine (`smtp://127.0.0.1:25?insecure`). Without a server, nothing is sent and the
//! links are only shown to whoever made them.

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Config;
use crate::error::{AppError, AppResult};

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// The mailer the configuration describes, `None` without `smtp_url`; an error (at
    /// start-up) for an address that is not one, or plain text to another machine.
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Mailer>> {
        let Some(raw) = config.smtp_url.as_deref() else { return Ok(None) };
        let url = url::Url::parse(raw).map_err(|e| anyhow::anyhow!("smtp_url: {e}"))?;
        let host = url.host_str().ok_or_else(|| anyhow::anyhow!("smtp_url has no host"))?.to_string();
        let insecure = url.query_pairs().any(|(k, _)| k == "insecure");
        let mut builder = match (url.scheme(), insecure) {
            ("smtps", false) => AsyncSmtpTransport::<Tokio1Executor>::relay(&host)?,
            ("smtp", false) => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&host)?,
            ("smtp", true) => {
                let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
                if !loopback {
                    anyhow::bail!("smtp_url: ?insecure (no TLS) is only for a relay on this machine, not {host}");
                }
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&host)
            }
            (other, _) => anyhow::bail!("smtp_url must start with smtps:// or smtp://, not {other}://"),
        };
        if let Some(port) = url.port() {
            builder = builder.port(port);
        }
        if !url.username().is_empty() {
            let user = percent_decode(url.username());
            let password = percent_decode(url.password().unwrap_or_default());
            builder = builder.credentials(Credentials::new(user, password));
        }
        // say hello as this instance, not as "localhost"
        let hello = config.domain.split(':').next().unwrap_or(&config.domain).to_string();
        let transport = builder
            .hello_name(ClientId::Domain(hello.clone()))
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = config.mail_from.clone().unwrap_or_else(|| format!("Amicus <noreply@{hello}>"));
        let from: Mailbox = from.parse().map_err(|e| anyhow::anyhow!("mail_from {from:?}: {e}"))?;
        Ok(Some(Mailer { transport, from }))
    }

    /// Sends a plain-text message. A server that refuses or cannot be reached is 503: the
    /// link was made and is shown anyway.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> AppResult<()> {
        let to: Mailbox = to.parse().map_err(|_| AppError::invalid("email", "err-bad-email", to))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(AppError::internal)?;
        self.transport.send(message).await.map_err(|e| AppError::RemoteUnavailable(format!("smtp: {e}")))?;
        Ok(())
    }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

/// An e-mail address as people type it: trimmed, one `@`, a dot in the domain, no spaces,
/// at most 254 characters; empty means none.
pub fn check_email(s: &str) -> AppResult<Option<String>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let ok = s.len() <= 254
        && s.split('@').count() == 2
        && s.split('@').all(|p| !p.is_empty())
        && s.rsplit('@').next().is_some_and(|d| d.contains('.'))
        && !s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',');
    if ok && s.parse::<Mailbox>().is_ok() {
        Ok(Some(s.to_string()))
    } else {
        Err(AppError::invalid("email", "err-bad-email", s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(url: &str) -> anyhow::Result<Option<Mailer>> {
        let config = Config { smtp_url: Some(url.into()), domain: "ngo.example".into(), ..Config::default() };
        Mailer::from_config(&config)
    }

    #[test]
    fn mail_goes_over_tls_except_to_a_relay_on_this_machine() {
        assert!(with("smtps://user:p%40ss@mail.example:465").unwrap().is_some());
        assert!(with("smtp://user:pass@mail.example:587").unwrap().is_some());
        assert!(with("smtp://127.0.0.1:25?insecure").unwrap().is_some());
        assert!(with("smtp://mail.example:25?insecure").is_err(), "plain text across the network");
        assert!(with("http://mail.example").is_err());
        assert!(Mailer::from_config(&Config::default()).unwrap().is_none());
    }

    #[test]
    fn addresses_are_checked() {
        assert_eq!(check_email(" a@b.example ").unwrap().as_deref(), Some("a@b.example"));
        assert_eq!(check_email("").unwrap(), None);
        for bad in ["a", "a@b", "a b@c.example", "a@b@c.example", "<a@b.example>", "a@b.example, c@d.example"] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }
}
