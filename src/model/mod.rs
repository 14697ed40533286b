//! Domain types and their validation: no SQL, no HTTP.

pub mod campaign;
pub mod event;
pub mod lang;
pub mod org;
pub mod resource;
pub mod statement;
pub mod stored;
pub mod text;
pub mod user;
pub mod vocab;

use std::collections::BTreeMap;

use serde::Serialize;

/// Applies the translations of a `PATCH`: a language given replaces that language alone, `null`
/// removes it, and the others stay as they are.
pub fn apply_translations<T>(into: &mut BTreeMap<String, T>, patch: BTreeMap<String, Option<T>>) {
    for (lang, text) in patch {
        match text {
            Some(t) => {
                into.insert(lang, t);
            }
            None => {
                into.remove(&lang);
            }
        }
    }
}

/// One problem with one field of an input. `code` is a message id in `locales/*/main.ftl`
/// and `value` fills its `$value` placeholder, so the message reaches each reader in
/// their own language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub value: String,
}

impl FieldError {
    pub fn new(field: &str, code: &'static str, value: &str) -> FieldError {
        FieldError { field: field.to_string(), code, value: value.to_string() }
    }
}
