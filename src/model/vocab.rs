//! Controlled vocabularies: the shipped concept schemes (`assets/vocabularies.json`, stable
//! ids, labels in ar/en/fr/es) plus an instance's own additions.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::lang::Lang;

/// The shipped vocabularies, compiled into the binary so an instance never depends on a
/// file being where it expects.
const SHIPPED: &str = include_str!("../../assets/vocabularies.json");

/// Country names as people write them where the ISO 3166 names are formal or inverted for
/// sorting ("Iran, Islamic Republic of" reads "Iran"); ids are unchanged.
const COUNTRY_NAMES: &str = include_str!("../../assets/country-names.json");

/// Base of every concept URI: `https://w3id.org/amicus/vocab/<scheme>/<id>`.
pub const CONCEPT_BASE: &str = "https://w3id.org/amicus/vocab";

pub const RESOURCE_TYPE: &str = "resource-type";
pub const STATEMENT_KIND: &str = "statement-kind";
pub const THEME: &str = "theme";
pub const MECHANISM: &str = "mechanism";
pub const COUNTRY: &str = "country";
pub const AUDIENCE: &str = "audience";
pub const READING_LEVEL: &str = "reading-level";
pub const CONTENT_WARNING: &str = "content-warning";

/// Labels per language code.
pub type Labels = HashMap<String, String>;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Term {
    pub id: String,
    pub labels: Labels,
    pub broader: Option<String>,
    pub notation: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scheme {
    pub id: String,
    pub labels: Labels,
    pub terms: Vec<Term>,
}

#[derive(Debug, Deserialize)]
struct File {
    schemes: Vec<Scheme>,
}

/// All vocabularies of this instance, indexed for lookups by scheme and id.
#[derive(Debug, Clone)]
pub struct Vocabularies {
    schemes: Vec<Scheme>,
    index: HashMap<(String, String), (usize, usize)>,
}

impl Vocabularies {
    /// The shipped vocabularies, plus the terms in `extension` if given.
    pub fn load(extension: Option<&Path>) -> anyhow::Result<Vocabularies> {
        let mut shipped: File = serde_json::from_str(SHIPPED)?;
        let names: HashMap<String, serde_json::Value> = serde_json::from_str(COUNTRY_NAMES)?;
        if let Some(countries) = shipped.schemes.iter_mut().find(|s| s.id == COUNTRY) {
            for term in &mut countries.terms {
                let Some(serde_json::Value::Object(natural)) = names.get(&term.id) else { continue };
                for (lang, name) in natural {
                    if let Some(name) = name.as_str() {
                        term.labels.insert(lang.clone(), name.to_string());
                    }
                }
            }
        }
        let mut vocab = Vocabularies::build(shipped.schemes)?;
        if let Some(path) = extension {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read vocabulary file {}: {e}", path.display()))?;
            let extra: File =
                serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("vocabulary file {}: {e}", path.display()))?;
            vocab = vocab.extend(extra.schemes)?;
        }
        Ok(vocab)
    }

    fn build(schemes: Vec<Scheme>) -> anyhow::Result<Vocabularies> {
        let mut index = HashMap::new();
        for (si, scheme) in schemes.iter().enumerate() {
            check_labels(&scheme.labels, &scheme.id)?;
            for (ti, term) in scheme.terms.iter().enumerate() {
                check_labels(&term.labels, &format!("{}/{}", scheme.id, term.id))?;
                if index.insert((scheme.id.clone(), term.id.clone()), (si, ti)).is_some() {
                    anyhow::bail!("vocabulary term {}/{} is defined twice", scheme.id, term.id);
                }
            }
        }
        for scheme in &schemes {
            for term in &scheme.terms {
                if let Some(b) = &term.broader {
                    if !index.contains_key(&(scheme.id.clone(), b.clone())) {
                        anyhow::bail!("{}/{}: broader term {b} does not exist", scheme.id, term.id);
                    }
                }
            }
        }
        Ok(Vocabularies { schemes, index })
    }

    /// Adds new terms (and new schemes). Existing ids may not be redefined: concept URIs
    /// are shared across the network and must mean the same thing everywhere.
    fn extend(self, extra: Vec<Scheme>) -> anyhow::Result<Vocabularies> {
        let mut schemes = self.schemes;
        for scheme in extra {
            match schemes.iter_mut().find(|s| s.id == scheme.id) {
                Some(existing) => existing.terms.extend(scheme.terms),
                None => schemes.push(scheme),
            }
        }
        Vocabularies::build(schemes)
    }

    pub fn schemes(&self) -> &[Scheme] {
        &self.schemes
    }

    pub fn scheme(&self, id: &str) -> Option<&Scheme> {
        self.schemes.iter().find(|s| s.id == id)
    }

    pub fn term(&self, scheme: &str, id: &str) -> Option<&Term> {
        let (si, ti) = self.index.get(&(scheme.to_string(), id.to_string()))?;
        self.schemes.get(*si)?.terms.get(*ti)
    }

    pub fn contains(&self, scheme: &str, id: &str) -> bool {
        self.index.contains_key(&(scheme.to_string(), id.to_string()))
    }

    /// The term's label in `lang`, falling back to English, then to the id itself.
    pub fn label<'a>(&'a self, scheme: &str, id: &'a str, lang: Lang) -> &'a str {
        match self.term(scheme, id) {
            Some(t) => t.labels.get(lang.code()).or_else(|| t.labels.get("en")).map(String::as_str).unwrap_or(id),
            None => id,
        }
    }

    /// The term and every term below it, so that filtering by "war crimes" also finds
    /// resources tagged "attacks on hospitals".
    pub fn with_narrower(&self, scheme: &str, id: &str) -> Vec<String> {
        let mut out = vec![id.to_string()];
        let Some(s) = self.scheme(scheme) else { return out };
        let mut i = 0;
        while i < out.len() {
            let parent = out[i].clone();
            out.extend(s.terms.iter().filter(|t| t.broader.as_deref() == Some(parent.as_str())).map(|t| t.id.clone()));
            i += 1;
        }
        out
    }

    /// Every label of a term in every language, for the search index: a French query for
    /// "torture" then finds an Arabic-only resource tagged with the theme.
    pub fn all_labels(&self, scheme: &str, id: &str) -> Vec<(&str, &str)> {
        self.term(scheme, id)
            .map(|t| t.labels.iter().map(|(l, v)| (l.as_str(), v.as_str())).collect())
            .unwrap_or_default()
    }

    /// The scheme of a publication's type: statement kinds, or else resource types.
    pub fn kind_scheme(&self, id: &str) -> &'static str {
        if self.contains(STATEMENT_KIND, id) {
            STATEMENT_KIND
        } else {
            RESOURCE_TYPE
        }
    }

    pub fn concept_uri(scheme: &str, id: &str) -> String {
        format!("{CONCEPT_BASE}/{scheme}/{id}")
    }
}

fn check_labels(labels: &Labels, what: &str) -> anyhow::Result<()> {
    for lang in Lang::ALL {
        if labels.get(lang.code()).is_none_or(|l| l.trim().is_empty()) {
            anyhow::bail!("vocabulary {what} has no {} label", lang.code());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_vocabularies_load_with_four_languages() {
        let v = Vocabularies::load(None).unwrap();
        assert_eq!(v.scheme(RESOURCE_TYPE).unwrap().terms.len(), 16);
        assert_eq!(v.label(THEME, "enforced-disappearance", Lang::Fr), "Disparition forcée");
        assert!(v.contains(COUNTRY, "sy"));
    }

    #[test]
    fn country_names_read_naturally_and_none_is_left_inverted() {
        let v = Vocabularies::load(None).unwrap();
        assert_eq!(v.label(COUNTRY, "sy", Lang::En), "Syria");
        assert_eq!(v.label(COUNTRY, "kp", Lang::Fr), "Corée du Nord");
        assert_eq!(v.label(COUNTRY, "ir", Lang::Ar), "إيران");
        assert_eq!(v.label(COUNTRY, "cd", Lang::Es), "República Democrática del Congo");
        // no "Name, Qualifier of" form is left, in any language (Arabic lists names with "،")
        for t in &v.scheme(COUNTRY).unwrap().terms {
            for (lang, label) in &t.labels {
                let inverted = label.ends_with(" of")
                    || label.ends_with(" de")
                    || label.ends_with(" du")
                    || label.ends_with(", Îles")
                    || label.ends_with("d'");
                assert!(!inverted, "{}/{lang}: {label}", t.id);
            }
        }
    }

    #[test]
    fn narrower_terms_are_included_in_a_filter() {
        let v = Vocabularies::load(None).unwrap();
        let terms = v.with_narrower(THEME, "war-crimes");
        assert!(terms.len() > 1);
        assert_eq!(terms[0], "war-crimes");
    }

    #[test]
    fn an_extension_adds_terms_but_cannot_redefine_one() {
        let v = Vocabularies::load(None).unwrap();
        let labels: Labels = [("ar", "س"), ("en", "X"), ("fr", "X"), ("es", "X")]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let new = Scheme {
            id: THEME.into(),
            labels: labels.clone(),
            terms: vec![Term {
                id: "ecocide-case".into(),
                labels: labels.clone(),
                broader: Some("environmental-destruction".into()),
                notation: None,
            }],
        };
        let extended = v.clone().extend(vec![new]).unwrap();
        assert!(extended.contains(THEME, "ecocide-case"));
        let clash = Scheme {
            id: THEME.into(),
            labels: labels.clone(),
            terms: vec![Term { id: "torture".into(), labels, broader: None, notation: None }],
        };
        assert!(v.extend(vec![clash]).is_err());
    }
}
