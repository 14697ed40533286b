//! Text normalisation and query parsing for search in Arabic, English, French and Spanish.
//!
//! The search index (`crate::index`) receives text that is already normalised and stemmed
//! here, and queries are parsed into the same tokens. Arabic follows the Lucene approach:
//! diacritics and tatweel removed, alef, yaa and taa marbuta forms unified, Arabic-Indic
//! digits made ASCII, then a light stemmer strips the article and common affixes. Latin
//! scripts lose their accents; English, French and Spanish are stemmed with Snowball. Case
//! numbers such as `ICC-01/14-01/21` and UN symbols such as `A/HRC/39/64` are kept whole as
//! keywords.

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Normalises and stems text. Build one per instance; it is cheap to share.
pub struct Analyzer {
    en: Stemmer,
    fr: Stemmer,
    es: Stemmer,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            en: Stemmer::create(Algorithm::English),
            fr: Stemmer::create(Algorithm::French),
            es: Stemmer::create(Algorithm::Spanish),
        }
    }
}

/// Function words of the four languages (after folding). One list for all, so that a
/// query in one language is not defeated by a stop word of another.
const STOP_WORDS: &[&str] = &[
    // en
    "the", "an", "of", "and", "or", "in", "on", "to", "for", "by", "with", "at", "from", "is", "are", "was", "be", "as",
    "that", "this", "it", "its", "into", // fr
    "le", "la", "les", "un", "une", "des", "du", "de", "et", "ou", "en", "au", "aux", "pour", "par", "sur", "dans",
    "avec", "que", "qui", "est", // es
    "el", "los", "las", "una", "unos", "unas", "del", "al", "por", "para", "con", "se", "es", // ar (normalised)
    "في", "من", "علي", "الي", "عن", "او", "مع", "هذا", "هذه", "التي", "الذي", "ان", "و",
];

/// The documents of one resource, ready for the index: space-separated tokens per field.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct IndexDoc {
    pub title: String,
    pub summary: String,
    pub body: String,
    pub tags: String,
    pub keywords: String,
}

/// A parsed query: every group must match (AND); a group matches when any of its variants
/// does (OR). Variants cover the ways the term may have been stemmed at index time.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Query {
    pub groups: Vec<Vec<String>>,
}

impl Query {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

fn is_arabic(c: char) -> bool {
    ('\u{0600}'..='\u{06FF}').contains(&c)
        || ('\u{0750}'..='\u{077F}').contains(&c)
        || ('\u{FB50}'..='\u{FDFF}').contains(&c)
}

/// Character-level normalisation shared by every language.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfkd() {
        if is_combining_mark(c) {
            // Latin accents and Arabic harakat (U+064B-U+065F, U+0670) are all combining marks.
            continue;
        }
        match c {
            '\u{0640}' => {} // tatweel
            'أ' | 'إ' | 'آ' | 'ٱ' => out.push('ا'),
            'ى' | 'ی' => out.push('ي'),
            'ة' => out.push('ه'),
            'ک' => out.push('ك'),
            '\u{0660}'..='\u{0669}' => out.push(char::from(b'0' + (c as u32 - 0x0660) as u8)),
            '\u{06F0}'..='\u{06F9}' => out.push(char::from(b'0' + (c as u32 - 0x06F0) as u8)),
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Splits folded text into word tokens, dropping stop words and single Latin letters.
fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .filter(|w| w.chars().count() > 1 || w.chars().all(|c| c.is_ascii_digit()))
        .filter(|w| !STOP_WORDS.contains(w))
}

/// Light stemming of a normalised Arabic word, after Larkey et al.'s "light10".
pub fn arabic_stem(word: &str) -> String {
    let mut w: Vec<char> = word.chars().collect();
    if w.len() >= 4 && w[0] == 'و' {
        w.remove(0);
    }
    for prefix in ["وال", "بال", "كال", "فال", "لل", "ال"] {
        let p: Vec<char> = prefix.chars().collect();
        if w.len() >= p.len() + 2 && w.starts_with(&p) {
            w.drain(..p.len());
            break;
        }
    }
    for suffix in ["ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"] {
        let s: Vec<char> = suffix.chars().collect();
        if w.len() >= s.len() + 2 && w.ends_with(&s) {
            w.truncate(w.len() - s.len());
        }
    }
    w.into_iter().collect()
}

/// A case number or document symbol: letters and digits joined by `-`, `/` or `.`, with
/// at least one letter, one digit and one separator. Returned in its keyword form.
fn keyword(candidate: &str) -> Option<String> {
    let t = candidate.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let valid = t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | '.'))
        && t.contains(['-', '/'])
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars().any(|c| c.is_ascii_alphabetic());
    valid.then(|| t.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect())
}

impl Analyzer {
    /// Stems one folded word written in `lang`.
    fn stem(&self, word: &str, lang: &str) -> String {
        if word.chars().any(is_arabic) {
            return arabic_stem(word);
        }
        match lang {
            "en" => self.en.stem(word).into_owned(),
            "fr" => self.fr.stem(word).into_owned(),
            "es" => self.es.stem(word).into_owned(),
            _ => word.to_string(),
        }
    }

    /// Index tokens of a text in `lang`, space-separated.
    pub fn tokens(&self, text: &str, lang: &str) -> String {
        let folded = fold(text);
        let mut out = String::with_capacity(folded.len());
        for w in words(&folded) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&self.stem(w, lang));
        }
        out
    }

    /// Case numbers and symbols found in a text, in keyword form, space-separated.
    pub fn keywords(&self, text: &str) -> String {
        let folded = fold(text);
        let mut out: Vec<String> = Vec::new();
        for k in folded
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '«' | '»' | '"'))
            .filter_map(keyword)
        {
            if !out.contains(&k) {
                out.push(k);
            }
        }
        out.join(" ")
    }

    /// Parses what a reader typed. The language is unknown, so each Latin word becomes the
    /// set of its English, French and Spanish stems; an Arabic word its light stem.
    pub fn parse_query(&self, q: &str) -> Query {
        let mut groups: Vec<Vec<String>> = Vec::new();
        let folded = fold(q);
        for part in folded.split_whitespace() {
            if let Some(k) = keyword(part) {
                groups.push(vec![k]);
                continue;
            }
            for w in words(part) {
                let mut variants = vec![w.to_string()];
                if w.chars().any(is_arabic) {
                    variants = vec![arabic_stem(w)];
                } else {
                    for lang in ["en", "fr", "es"] {
                        let s = self.stem(w, lang);
                        if !variants.contains(&s) {
                            variants.push(s);
                        }
                    }
                }
                if !groups.contains(&variants) {
                    groups.push(variants);
                }
            }
        }
        groups.truncate(12);
        Query { groups }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a() -> Analyzer {
        Analyzer::default()
    }

    #[test]
    fn arabic_diacritics_tatweel_and_article_do_not_matter() {
        let an = a();
        // with harakat, with tatweel, with and without the article
        assert_eq!(an.tokens("التَّعْذِيب", "ar"), an.tokens("تعذيب", "ar"));
        assert_eq!(an.tokens("تعـــذيب", "ar"), an.tokens("تعذيب", "ar"));
        assert_eq!(an.tokens("المحكمة", "ar"), an.tokens("محكمه", "ar"));
        assert_eq!(an.tokens("والمحكمة", "ar"), an.tokens("المحكمة", "ar"));
    }

    #[test]
    fn arabic_letter_forms_and_digits_are_unified() {
        let an = a();
        assert_eq!(fold("أإآٱ"), "اااا");
        assert_eq!(fold("مصطفى"), "مصطفي");
        assert_eq!(fold("٢٠٢٤"), "2024");
        assert_eq!(fold("۱۹۹۸"), "1998");
        assert_eq!(an.tokens("الإبادة", "ar"), an.tokens("ابادة", "ar"));
    }

    #[test]
    fn an_arabic_query_finds_the_indexed_word_with_or_without_diacritics() {
        let an = a();
        let indexed = an.tokens("الاختفاء القسري", "ar");
        let q = an.parse_query("الاِخْتِفَاء");
        assert!(indexed.split(' ').any(|t| q.groups[0].iter().any(|v| v == t)));
    }

    #[test]
    fn french_and_spanish_ignore_accents_and_english_stems() {
        let an = a();
        assert_eq!(an.tokens("procès", "fr"), an.tokens("proces", "fr"));
        assert_eq!(an.tokens("desaparición", "es"), an.tokens("desaparicion", "es"));
        assert_eq!(an.tokens("victims", "en"), an.tokens("victim", "en"));
        let q = an.parse_query("Disparitions forcées");
        let doc = an.tokens("disparition forcée", "fr");
        for g in &q.groups {
            assert!(doc.split(' ').any(|t| g.contains(&t.to_string())), "{g:?} not in {doc}");
        }
    }

    #[test]
    fn case_numbers_are_single_keywords() {
        let an = a();
        assert_eq!(an.keywords("Case number: ICC-01/14-01/21."), "icc01140121");
        assert_eq!(an.keywords("Report A/HRC/39/64, 2018"), "ahrc3964");
        assert_eq!(an.keywords("17/07/1998 and mid-term"), "");
        assert_eq!(an.parse_query("ICC-01/14-01/21").groups, vec![vec!["icc01140121".to_string()]]);
    }

    #[test]
    fn operators_and_punctuation_in_a_query_are_not_words() {
        let q = a().parse_query("torture \"OR\" )(");
        assert_eq!(q.groups.len(), 1);
        assert_eq!(q.groups[0], ["torture", "tortur"]);
        assert!(a().parse_query("  ! ").is_empty());
    }
}
