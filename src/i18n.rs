//! Interface strings in Arabic, English, French and Spanish (Fluent files under
//! `locales/`, compiled into the binary) and the choice of language for each request.

use std::collections::HashMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

use crate::model::lang::Lang;

const SOURCES: [(Lang, &str); 4] = [
    (Lang::Ar, include_str!("../locales/ar/main.ftl")),
    (Lang::En, include_str!("../locales/en/main.ftl")),
    (Lang::Fr, include_str!("../locales/fr/main.ftl")),
    (Lang::Es, include_str!("../locales/es/main.ftl")),
];

/// The four bundles. English is the fallback for a message missing elsewhere (a test
/// makes sure none is).
pub struct I18n {
    bundles: HashMap<Lang, FluentBundle<FluentResource>>,
}

impl I18n {
    pub fn new() -> anyhow::Result<I18n> {
        let mut bundles = HashMap::new();
        for (lang, source) in SOURCES {
            let res = FluentResource::try_new(source.to_string())
                .map_err(|(_, errors)| anyhow::anyhow!("locales/{lang}/main.ftl: {errors:?}"))?;
            let id: LanguageIdentifier = lang.code().parse()?;
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Names are wrapped in <bdi> by the templates instead of invisible isolation
            // marks, which would end up in page titles, JSON errors and e-mail subjects.
            bundle.set_use_isolating(false);
            bundle.add_resource(res).map_err(|errors| anyhow::anyhow!("locales/{lang}/main.ftl: {errors:?}"))?;
            bundles.insert(lang, bundle);
        }
        Ok(I18n { bundles })
    }

    /// The message `id` in `lang`, with `args` filled in.
    pub fn t_args(&self, lang: Lang, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let fargs = if args.is_empty() {
            None
        } else {
            let mut a = FluentArgs::new();
            for (k, v) in args {
                a.set(*k, v.clone());
            }
            Some(a)
        };
        for l in [lang, Lang::En] {
            let Some(bundle) = self.bundles.get(&l) else { continue };
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return bundle.format_pattern(pattern, fargs.as_ref(), &mut errors).into_owned();
            }
        }
        id.to_string()
    }

    pub fn t(&self, lang: Lang, id: &str) -> String {
        self.t_args(lang, id, &[])
    }

    /// Message ids of one language, for the completeness test.
    #[cfg(test)]
    fn ids(source: &str) -> std::collections::BTreeSet<String> {
        let res = FluentResource::try_new(source.to_string()).unwrap_or_else(|(r, _)| r);
        res.entries()
            .filter_map(|e| match e {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    }
}

/// Picks the interface language: `?lang=`, then the `lang` cookie, then `Accept-Language`
/// sorted by q-weight (fluent-langneg ignores q, so the sorting is done here), then English.
pub fn negotiate(query_lang: Option<&str>, cookie_lang: Option<&str>, accept_language: Option<&str>) -> Lang {
    if let Some(l) = query_lang.and_then(Lang::parse) {
        return l;
    }
    if let Some(l) = cookie_lang.and_then(Lang::parse) {
        return l;
    }
    if let Some(header) = accept_language {
        let mut ranges: Vec<(f32, usize, &str)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut it = part.split(';');
                let tag = it.next()?.trim();
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q=").map(|v| v.trim().parse::<f32>().unwrap_or(0.0)))
                    .unwrap_or(1.0);
                (q > 0.0 && !tag.is_empty()).then_some((q, i, tag))
            })
            .collect();
        // highest q first; equal q keeps header order
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        if let Some(l) = ranges.iter().find_map(|(_, _, tag)| Lang::parse(tag)) {
            return l;
        }
    }
    Lang::En
}

/// The language of a terminal, from `LC_ALL`, `LC_MESSAGES` or `LANG` (`fr_FR.UTF-8`...),
/// for the command-line tools. `C`, `POSIX` and anything unknown mean English.
pub fn terminal_lang(var: impl Fn(&str) -> Option<String>) -> Lang {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|k| var(k).filter(|v| !v.is_empty()))
        .next()
        .and_then(|v| Lang::parse(v.split('.').next().unwrap_or_default()))
        .unwrap_or(Lang::En)
}

/// A document's own date (`1998`, `1998-07` or `1998-07-17`) as people write it in `lang`:
/// "17 July 1998", "1er juillet 2002", "17 de julio de 1998", "17 يوليو 1998"; the year alone
/// or the month and year when that is all that is known. Anything else is returned as is.
pub fn document_date(lang: Lang, date: &str) -> String {
    use crate::model::resource::Precision;
    use chrono::Datelike;
    const MONTHS: [[&str; 12]; 4] = [
        ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"],
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
        [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ],
    ];
    let Some((d, precision)) = crate::model::resource::document_date(date) else { return date.to_string() };
    let row = match lang {
        Lang::Ar => 0,
        Lang::En => 1,
        Lang::Fr => 2,
        Lang::Es => 3,
    };
    let (year, month, day) = (d.year(), MONTHS[row][d.month0() as usize], d.day());
    match (precision, lang) {
        (Precision::Year, _) => year.to_string(),
        (Precision::Month, Lang::Es) => format!("{month} de {year}"),
        (Precision::Month, _) => format!("{month} {year}"),
        (Precision::Day, Lang::Es) => format!("{day} de {month} de {year}"),
        (Precision::Day, Lang::Fr) if day == 1 => format!("1er {month} {year}"),
        (Precision::Day, _) => format!("{day} {month} {year}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_dates_read_naturally_at_their_precision() {
        assert_eq!(document_date(Lang::En, "1998-07-17"), "17 July 1998");
        assert_eq!(document_date(Lang::Fr, "2002-07-01"), "1er juillet 2002");
        assert_eq!(document_date(Lang::Es, "1998-07-17"), "17 de julio de 1998");
        assert_eq!(document_date(Lang::Ar, "1998-07-17"), "17 يوليو 1998");
        assert_eq!(document_date(Lang::Es, "1998-07"), "julio de 1998");
        assert_eq!(document_date(Lang::Fr, "1998"), "1998");
        assert_eq!(document_date(Lang::En, "not a date"), "not a date");
    }

    #[test]
    fn every_message_exists_in_all_four_languages() {
        let en = I18n::ids(SOURCES[1].1);
        assert!(en.len() > 50);
        for (lang, source) in SOURCES {
            let ids = I18n::ids(source);
            let missing: Vec<_> = en.difference(&ids).collect();
            let extra: Vec<_> = ids.difference(&en).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{lang}: missing {missing:?}, extra {extra:?}");
        }
    }

    #[test]
    fn all_bundles_parse_and_translate() {
        let i = I18n::new().unwrap();
        assert_ne!(i.t(Lang::Ar, "nav-library"), i.t(Lang::En, "nav-library"));
        assert_eq!(i.t(Lang::Fr, "no-such-message"), "no-such-message");
    }

    #[test]
    fn query_beats_cookie_beats_header() {
        assert_eq!(negotiate(Some("ar"), Some("fr"), Some("es")), Lang::Ar);
        assert_eq!(negotiate(None, Some("fr"), Some("es")), Lang::Fr);
        assert_eq!(negotiate(Some("xx"), None, Some("es-MX")), Lang::Es);
        assert_eq!(negotiate(None, None, None), Lang::En);
    }

    #[test]
    fn the_terminal_language_comes_from_the_locale() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        assert_eq!(terminal_lang(env(&[("LANG", "fr_FR.UTF-8")])), Lang::Fr);
        assert_eq!(terminal_lang(env(&[("LC_ALL", "ar_EG.UTF-8"), ("LANG", "fr_FR.UTF-8")])), Lang::Ar);
        assert_eq!(terminal_lang(env(&[("LANG", "C.UTF-8")])), Lang::En);
        assert_eq!(terminal_lang(env(&[])), Lang::En);
    }

    #[test]
    fn accept_language_is_sorted_by_q_weight() {
        assert_eq!(negotiate(None, None, Some("en;q=0.3, ar;q=0.9, fr;q=0.5")), Lang::Ar);
        assert_eq!(negotiate(None, None, Some("de, fr;q=0.8, en;q=0.7")), Lang::Fr);
        assert_eq!(negotiate(None, None, Some("es;q=0, de")), Lang::En);
    }
}
