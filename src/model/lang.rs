//! Interface languages (the four Amicus speaks) and content-language codes.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A language of the interface. Content may be in other languages too (see [`ContentLang`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ar,
    En,
    Fr,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::Ar, Lang::En, Lang::Fr, Lang::Es];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Es => "es",
        }
    }

    /// Accepts `ar`, `AR`, `ar-EG`, `fr_CA`...: only the primary subtag counts.
    pub fn parse(s: &str) -> Option<Lang> {
        let primary = s.trim().split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
        match primary.as_str() {
            "ar" => Some(Lang::Ar),
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            "es" => Some(Lang::Es),
            _ => None,
        }
    }

    pub fn is_rtl(self) -> bool {
        self == Lang::Ar
    }

    pub fn dir(self) -> &'static str {
        if self.is_rtl() {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// The language's name in itself, for the language switcher.
    pub fn endonym(self) -> &'static str {
        endonym(self.code()).unwrap_or_default()
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Languages content may be written in, with their names in themselves. The four
/// interface languages are always accepted; an instance may enable others from this list.
const KNOWN: &[(&str, &str, bool)] = &[
    ("ar", "العربية", true),
    ("en", "English", false),
    ("fr", "Français", false),
    ("es", "Español", false),
    ("fa", "فارسی", true),
    ("ps", "پښتو", true),
    ("ur", "اردو", true),
    ("ku", "Kurdî", false),
    ("he", "עברית", true),
    ("ru", "Русский", false),
    ("uk", "Українська", false),
    ("pt", "Português", false),
    ("sw", "Kiswahili", false),
    ("tr", "Türkçe", false),
    ("de", "Deutsch", false),
    ("it", "Italiano", false),
    ("nl", "Nederlands", false),
    ("zh", "中文", false),
    ("my", "မြန်မာ", false),
    ("am", "አማርኛ", false),
    ("ti", "ትግርኛ", false),
    ("so", "Soomaali", false),
    ("ha", "Hausa", false),
    ("ln", "Lingála", false),
    ("sg", "Sängö", false),
    ("bn", "বাংলা", false),
];

pub fn endonym(code: &str) -> Option<&'static str> {
    KNOWN.iter().find(|(c, _, _)| *c == code).map(|(_, name, _)| *name)
}

/// Whether text in this language runs right to left.
pub fn is_rtl_code(code: &str) -> bool {
    KNOWN.iter().any(|(c, _, rtl)| *c == code && *rtl)
}

/// A validated content-language code: one of the interface languages, or an extra one
/// the instance enabled.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ContentLang(String);

impl ContentLang {
    pub fn parse(s: &str, extra: &[String]) -> Option<ContentLang> {
        let code = s.trim();
        if Lang::parse(code).is_some_and(|l| l.code() == code) {
            return Some(ContentLang(code.to_string()));
        }
        if extra.iter().any(|e| e == code) && endonym(code).is_some() {
            return Some(ContentLang(code.to_string()));
        }
        None
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// English, for text whose language nobody declared.
    pub fn fallback() -> ContentLang {
        ContentLang("en".into())
    }

    pub fn dir(&self) -> &'static str {
        if is_rtl_code(&self.0) {
            "rtl"
        } else {
            "ltr"
        }
    }
}

impl fmt::Display for ContentLang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_subtags_are_ignored() {
        assert_eq!(Lang::parse("ar-EG"), Some(Lang::Ar));
        assert_eq!(Lang::parse("FR_ca"), Some(Lang::Fr));
        assert_eq!(Lang::parse("de"), None);
    }

    #[test]
    fn content_languages_are_the_four_plus_enabled_extras() {
        assert!(ContentLang::parse("es", &[]).is_some());
        assert!(ContentLang::parse("fa", &[]).is_none());
        assert!(ContentLang::parse("fa", &["fa".into()]).is_some());
        assert!(ContentLang::parse("english", &["english".into()]).is_none());
        assert!(ContentLang::parse("EN", &[]).is_none());
    }

    #[test]
    fn arabic_and_persian_are_right_to_left() {
        assert_eq!(Lang::Ar.dir(), "rtl");
        assert!(is_rtl_code("fa"));
        assert!(!is_rtl_code("fr"));
    }
}
