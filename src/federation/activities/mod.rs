//! Activities Amicus receives and sends. The inbox accepts any of `InboxActivity`; a type
//! it does not know is answered 202 and ignored.

/// `id()` and `actor()` of an activity with `id` and `actor` fields.
macro_rules! ids {
    () => {
        fn id(&self) -> &Url {
            &self.id
        }

        fn actor(&self) -> &Url {
            self.actor.inner()
        }
    };
}

pub(crate) use ids;

pub mod content;
pub mod follow;
pub mod join;
pub mod react;

use activitypub_federation::config::Data;
use activitypub_federation::traits::Activity;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::domain::Core;
use crate::error::AppError;
use content::{Announce, Delete, Publish};
use follow::{Answer, Follow, Undo};
use join::Join;
use react::{Like, UndoReaction};

use crate::federation::cosign::{Cosign, Invite};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum InboxActivity {
    /// First: co-signing answers are told from follow answers by their `amicus:statement`.
    Cosign(Cosign),
    Invite(Invite),
    Follow(Follow),
    Answer(Answer),
    /// Before `Undo`: an undone like or boost names what it undoes by its type.
    UndoReaction(UndoReaction),
    Undo(Undo),
    Publish(Publish),
    Delete(Delete),
    Announce(Announce),
    Join(Join),
    Like(Like),
    Remove(crate::federation::replies::Remove),
}

#[async_trait::async_trait]
impl Activity for InboxActivity {
    type DataType = Core;
    type Error = AppError;

    fn id(&self) -> &Url {
        match self {
            InboxActivity::Cosign(a) => a.id(),
            InboxActivity::Invite(a) => a.id(),
            InboxActivity::Follow(a) => a.id(),
            InboxActivity::Answer(a) => a.id(),
            InboxActivity::Undo(a) => a.id(),
            InboxActivity::Publish(a) => a.id(),
            InboxActivity::Delete(a) => a.id(),
            InboxActivity::Announce(a) => a.id(),
            InboxActivity::Join(a) => a.id(),
            InboxActivity::Like(a) => a.id(),
            InboxActivity::UndoReaction(a) => a.id(),
            InboxActivity::Remove(a) => a.id(),
        }
    }

    fn actor(&self) -> &Url {
        match self {
            InboxActivity::Cosign(a) => a.actor(),
            InboxActivity::Invite(a) => a.actor(),
            InboxActivity::Follow(a) => a.actor(),
            InboxActivity::Answer(a) => a.actor(),
            InboxActivity::Undo(a) => a.actor(),
            InboxActivity::Publish(a) => a.actor(),
            InboxActivity::Delete(a) => a.actor(),
            InboxActivity::Announce(a) => a.actor(),
            InboxActivity::Join(a) => a.actor(),
            InboxActivity::Like(a) => a.actor(),
            InboxActivity::UndoReaction(a) => a.actor(),
            InboxActivity::Remove(a) => a.actor(),
        }
    }

    /// Called once the signature is verified: each sending server's allowance is counted
    /// here, so that nobody can spend another server's by naming it.
    async fn verify(&self, data: &Data<Core>) -> Result<(), AppError> {
        if !data.inbox_limiter.allow(self.actor().host_str().unwrap_or_default()) {
            return Err(AppError::RateLimited(60));
        }
        match self {
            InboxActivity::Cosign(a) => a.verify(data).await,
            InboxActivity::Invite(a) => a.verify(data).await,
            InboxActivity::Follow(a) => a.verify(data).await,
            InboxActivity::Answer(a) => a.verify(data).await,
            InboxActivity::Undo(a) => a.verify(data).await,
            InboxActivity::Publish(a) => a.verify(data).await,
            InboxActivity::Delete(a) => a.verify(data).await,
            InboxActivity::Announce(a) => a.verify(data).await,
            InboxActivity::Join(a) => a.verify(data).await,
            InboxActivity::Like(a) => a.verify(data).await,
            InboxActivity::UndoReaction(a) => a.verify(data).await,
            InboxActivity::Remove(a) => a.verify(data).await,
        }
    }

    /// Each activity id is acted on once: a replay is accepted and ignored. A `Create` or
    /// `Update` is recorded as received in the transaction that writes its object; any other
    /// activity once its effect has succeeded (each of those effects is idempotent), so that
    /// when the effect fails, on a database or another server unavailable for a moment, the
    /// sender's retry is acted on rather than dropped as a replay.
    async fn receive(self, data: &Data<Core>) -> Result<(), AppError> {
        let recorded_with_effect = matches!(self, InboxActivity::Publish(_));
        let id = self.id().clone();
        if !recorded_with_effect && data.db.was_received(id.as_str()).await? {
            return Ok(());
        }
        // a server that sends is up: deliveries to it resume if it had been marked dead
        // (looked at once a minute per host, not for every activity)
        if let Some(host) = self.actor().host_str().filter(|h| data.hosts_heard.allow(h)) {
            data.db.host_ok(host).await?;
        }
        let done = match self {
            InboxActivity::Cosign(a) => a.receive(data).await,
            InboxActivity::Invite(a) => a.receive(data).await,
            InboxActivity::Follow(a) => a.receive(data).await,
            InboxActivity::Answer(a) => a.receive(data).await,
            InboxActivity::Undo(a) => a.receive(data).await,
            InboxActivity::Publish(a) => a.receive(data).await,
            InboxActivity::Delete(a) => a.receive(data).await,
            InboxActivity::Announce(a) => a.receive(data).await,
            InboxActivity::Join(a) => a.receive(data).await,
            InboxActivity::Like(a) => a.receive(data).await,
            InboxActivity::UndoReaction(a) => a.receive(data).await,
            InboxActivity::Remove(a) => a.receive(data).await,
        };
        match done {
            Ok(()) | Err(AppError::BadRequest(crate::federation::IGNORED)) if !recorded_with_effect => {
                data.db.mark_received(id.as_str()).await?;
                done
            }
            other => other,
        }
    }
}

/// A new activity id under this instance: `<base>/activities/<kind>/<uid>`.
pub fn new_id(ctx: &Core, kind: &str) -> Result<Url, AppError> {
    Url::parse(&format!("{}/activities/{kind}/{}", ctx.config.base_url(), crate::db::new_uid()))
        .map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use activitypub_federation::protocol::context::WithContext;

    use super::content::PublishKind;
    use super::*;
    use crate::federation::protocol::actor::{ActorKey, ActorObject};

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{}/federation/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    /// Every file in `federation/fixtures/` parses: actors as actors, activities as the
    /// activity Amicus takes them for.
    #[test]
    fn every_fixture_of_other_servers_parses() {
        let dir = format!("{}/federation/fixtures", env!("CARGO_MANIFEST_DIR"));
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let text = fixture(&name);
            if name.ends_with("-person.json") {
                let a: ActorObject = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(a.preferred_username.is_some(), "{name}");
            } else if name.ends_with("-key.json") {
                let k: ActorKey = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(k.public_key_pem.contains("PUBLIC KEY"), "{name}");
            } else {
                let a: WithContext<InboxActivity> =
                    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
                let expected = name.trim_end_matches(".json").split('-').nth(1).unwrap_or_default();
                let got = match a.inner() {
                    InboxActivity::Cosign(_) => "cosign",
                    InboxActivity::Invite(_) => "invite",
                    InboxActivity::Follow(_) => "follow",
                    InboxActivity::Undo(_) => "undo",
                    InboxActivity::Publish(p) if p.kind == PublishKind::Create => "create",
                    InboxActivity::Publish(_) => "update",
                    InboxActivity::Delete(_) => "delete",
                    InboxActivity::Announce(_) => "announce",
                    InboxActivity::Join(_) => "join",
                    InboxActivity::Like(_) => "like",
                    InboxActivity::UndoReaction(_) => "undo",
                    InboxActivity::Answer(a) if a.kind == follow::AnswerKind::Accept => "accept",
                    InboxActivity::Answer(_) => "reject",
                    InboxActivity::Remove(_) => "remove",
                };
                assert_eq!(got, expected, "{name}");
            }
            seen += 1;
        }
        assert!(seen >= 12);
    }
}
