//! Words in the reader's language: Project Fluent, one `.ftl` set per locale under
//! `locales/{lang}/`, embedded at build time (`fluent-templates`). Pages and emails get a
//! [`Tr`] and ask it for messages by id; Rust code never holds a sentence a user reads.
//!
//! A sixth language: add it to [`Locale`], copy `locales/en/` to `locales/{lang}/` and
//! translate; `i18n::tests` names every message a locale lacks or has too many of.

pub mod countries;

use crate::domain::locale::Locale;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, static_loader};
use std::borrow::Cow;
use std::collections::HashMap;
use time::OffsetDateTime;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around variables: the pages are plain HTML and
        // text emails, and the marks would show up in subjects and copied addresses.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The translator a page or an email renders with: `t("id")`, `t1("id", "name", value)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    pub locale: Locale,
}

/// One argument: text, or a number (which Fluent's plural rules read).
#[derive(Clone)]
pub enum Arg {
    Text(String),
    Number(i64),
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<&String> for Arg {
    fn from(value: &String) -> Self {
        Self::Text(value.clone())
    }
}

impl From<u64> for Arg {
    fn from(value: u64) -> Self {
        Self::Number(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<usize> for Arg {
    fn from(value: usize) -> Self {
        Self::Number(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl Tr {
    pub fn new(locale: Locale) -> Self {
        Self { locale }
    }

    pub fn lang(&self) -> &'static str {
        self.locale.as_str()
    }

    /// The message (or `message.attribute`) `id` without variables.
    pub fn t(&self, id: &str) -> String {
        self.with(id, Vec::new())
    }

    /// With one variable.
    pub fn t1(&self, id: &str, name: &'static str, value: impl Into<Arg>) -> String {
        self.with(id, vec![(name, value.into())])
    }

    /// With two variables.
    pub fn t2(
        &self,
        id: &str,
        name: &'static str,
        value: impl Into<Arg>,
        name2: &'static str,
        value2: impl Into<Arg>,
    ) -> String {
        self.with(id, vec![(name, value.into()), (name2, value2.into())])
    }

    /// With any number of variables. A text ending in a full stop ("Rossi S.r.l.") that
    /// ends a sentence takes no second one, in every language and message: it is marked
    /// with [`STOP_MARK`] while Fluent formats, and a full stop right after the mark is
    /// dropped with it.
    pub fn with(&self, id: &str, args: Vec<(&'static str, Arg)>) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'static>> = args
            .into_iter()
            .map(|(name, value)| {
                let value = match value {
                    Arg::Text(s) if s.ends_with('.') => {
                        FluentValue::from(format!("{s}{STOP_MARK}"))
                    }
                    Arg::Text(s) => FluentValue::from(s),
                    Arg::Number(n) => FluentValue::from(n),
                };
                (Cow::Borrowed(name), value)
            })
            .collect();
        let lang = langid(self.locale);
        let text = match LOCALES.lookup_single_language(&lang, id, Some(&args)) {
            Ok(text) => text,
            Err(e) => {
                tracing::error!(message = id, lang = self.lang(), error = %e, "translation failed");
                LOCALES
                    .lookup_single_language(&langid(Locale::En), id, Some(&args))
                    .unwrap_or_else(|_| id.to_owned())
            }
        };
        text.replace(&format!("{STOP_MARK}."), "")
            .replace(STOP_MARK, "")
    }

    /// A day in words, "29 November 2026" / "29. November 2026" (UTC), from the locale's
    /// `date-long` message and its month names.
    pub fn date(&self, at: OffsetDateTime) -> String {
        let at = at.to_offset(time::UtcOffset::UTC);
        let month = self.t(&format!("month-{}", u8::from(at.month())));
        self.with(
            "date-long",
            vec![
                ("day", Arg::Number(i64::from(at.day()))),
                ("month", Arg::Text(month)),
                ("year", Arg::Text(at.year().to_string())),
            ],
        )
    }
}

/// Follows a variable's text that ends in a full stop while a message is formatted (a
/// private-use character, found in no message).
const STOP_MARK: char = '\u{E000}';

fn langid(locale: Locale) -> LanguageIdentifier {
    let lang = locale.as_str();
    lang.parse().unwrap_or_default()
}

/// For tests of pages and emails: the English sentences found again in another
/// language's version of the same page.
#[cfg(test)]
pub mod check {
    /// The text of an HTML page or an email, tags taken out, cut into sentences (at
    /// tags, line ends, and `. `, `: `, `; `), each of at least two words once `data`
    /// (user data, the product's name, addresses) is taken out.
    pub fn sentences(html: &str, data: &[&str]) -> Vec<String> {
        let mut text = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => {
                    in_tag = true;
                    text.push('\n');
                }
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        let mut text = text.replace("&#x27;", "'").replace("&quot;", "\"");
        for d in data {
            text = text.replace(d, "\n");
        }
        text.split(['\n', '.', ':', ';', '(', ')', '?', '!', ','])
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|s| {
                s.split(' ')
                    .filter(|w| w.chars().any(char::is_alphabetic))
                    .count()
                    >= 2
            })
            .collect()
    }

    /// The sentences of `english` that `other` holds too.
    pub fn english_left(english: &str, other: &str, data: &[&str]) -> Vec<String> {
        let theirs = sentences(other, data);
        sentences(english, data)
            .into_iter()
            .filter(|s| theirs.contains(s))
            .collect()
    }

    /// Asserts that `page`, the `locale` version of the page or email `english` (named
    /// `name` in failures), says its language, has every variable filled in and holds no
    /// sentence of the English version (`data` aside).
    pub fn assert_translated(
        name: &str,
        english: &str,
        page: &str,
        locale: crate::domain::locale::Locale,
        data: &[&str],
    ) {
        assert!(
            page.contains(&format!("<html lang=\"{locale}\">")),
            "{locale} {name}: no <html lang>:\n{page}"
        );
        assert!(
            !page.contains("{$"),
            "{locale} {name}: a variable not passed:\n{page}"
        );
        let left = english_left(english, page, data);
        assert!(
            left.is_empty(),
            "{locale} {name} still says {left:?}:\n{page}"
        );
    }
}

#[cfg(test)]
mod tests {
    //! Every locale has exactly the messages and attributes English has, and each uses
    //! the same variables as English does (the code passes what English needs; a page
    //! rendering test catches a variable the code does not pass).
    use super::*;
    use fluent_syntax::ast;
    use std::collections::{BTreeMap, BTreeSet};

    type Shape = BTreeMap<String, BTreeSet<String>>;

    fn variables_of(pattern: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                expression_vars(expression, out);
            }
        }
    }

    fn expression_vars(expression: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
        match expression {
            ast::Expression::Select { selector, variants } => {
                inline_vars(selector, out);
                for v in variants {
                    variables_of(&v.value, out);
                }
            }
            ast::Expression::Inline(inline) => inline_vars(inline, out),
        }
    }

    fn inline_vars(inline: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match inline {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_owned());
            }
            ast::InlineExpression::Placeable { expression } => expression_vars(expression, out),
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline_vars(a, out);
                }
            }
            _ => {}
        }
    }

    /// Every message and attribute of a locale with the variables it uses.
    fn shape(lang: &str) -> Shape {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang);
        let mut shape = Shape::new();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let source = std::fs::read_to_string(&file).unwrap();
            let resource = fluent_syntax::parser::parse(source.as_str())
                .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", file.display()));
            for entry in &resource.body {
                if let ast::Entry::Message(m) = entry {
                    let mut vars = BTreeSet::new();
                    if let Some(value) = &m.value {
                        variables_of(value, &mut vars);
                    }
                    let id = m.id.name.to_owned();
                    assert!(
                        shape.insert(id.clone(), vars).is_none(),
                        "{lang}: {id} twice"
                    );
                    for a in &m.attributes {
                        let mut vars = BTreeSet::new();
                        variables_of(&a.value, &mut vars);
                        shape.insert(format!("{id}.{}", a.id.name), vars);
                    }
                }
            }
        }
        shape
    }

    #[test]
    fn every_locale_has_the_messages_and_variables_english_has() {
        let english = shape("en");
        assert!(
            english.len() > 100,
            "English has {} messages",
            english.len()
        );
        let mut problems = Vec::new();
        for locale in Locale::ALL {
            let lang = locale.as_str();
            let other = shape(lang);
            for (id, vars) in &english {
                match other.get(id) {
                    None => problems.push(format!("{lang} lacks {id}")),
                    Some(v) if v != vars => {
                        problems.push(format!("{lang}: {id} uses {v:?}, English {vars:?}"))
                    }
                    Some(_) => {}
                }
            }
            for id in other.keys().filter(|id| !english.contains_key(*id)) {
                problems.push(format!("{lang} has {id}, English does not"));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn a_name_ending_in_a_full_stop_ends_a_sentence_with_one() {
        let mut doubled = Vec::new();
        for locale in Locale::ALL {
            let tr = Tr::new(locale);
            for (id, vars) in shape(locale.as_str()) {
                let args = vars
                    .iter()
                    .map(|v| (&*v.clone().leak(), Arg::from("Rossi S.r.l.")))
                    .collect();
                let text = tr.with(&id, args);
                if text.contains("S.r.l..") || text.contains('\u{E000}') {
                    doubled.push(format!("{locale} {id}: {text}"));
                }
            }
        }
        assert!(doubled.is_empty(), "{}", doubled.join("\n"));
        let it = Tr::new(Locale::It).with(
            "email-intro-company",
            ["inviter", "inviterEmail", "product", "company"]
                .into_iter()
                .map(|name| (name, Arg::from("Rossi S.r.l.")))
                .collect(),
        );
        assert!(it.ends_with(" crearvi Rossi S.r.l."), "{it}");
    }

    #[test]
    fn german_says_unternehmen_for_a_company_throughout() {
        let tr = Tr::new(Locale::De);
        let firma: Vec<String> = shape("de")
            .into_keys()
            .map(|id| format!("{id}: {}", tr.t(&id)))
            .filter(|line| line.to_lowercase().contains("firma") || line.contains("Firmen"))
            .collect();
        assert!(firma.is_empty(), "{}", firma.join("\n"));
    }

    #[test]
    fn dates_are_in_words_in_each_language() {
        let at = time::macros::datetime!(2026-11-29 10:00 UTC);
        assert_eq!(Tr::new(Locale::En).date(at), "29 November 2026");
        assert_eq!(Tr::new(Locale::Fr).date(at), "29 novembre 2026");
        assert_eq!(Tr::new(Locale::De).date(at), "29. November 2026");
        assert_eq!(Tr::new(Locale::It).date(at), "29 novembre 2026");
        assert_eq!(Tr::new(Locale::Nl).date(at), "29 november 2026");
    }

    #[test]
    fn plurals_follow_the_language() {
        let tr = Tr::new(Locale::En);
        assert!(
            tr.t1("mfa-throttled.p1", "minutes", 1_u64)
                .contains("next minute.")
        );
        assert!(
            tr.t1("mfa-throttled.p1", "minutes", 15_u64)
                .contains("15 minutes.")
        );
    }
}
