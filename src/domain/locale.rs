//! The five languages the service speaks.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    #[default]
    En,
    Fr,
    De,
    It,
    Nl,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of \"en\", \"fr\", \"de\", \"it\", \"nl\"")]
pub struct UnknownLocale;

impl Locale {
    /// Every language, English first.
    pub const ALL: [Self; 5] = [Self::En, Self::Fr, Self::De, Self::It, Self::Nl];

    pub fn parse(input: &str) -> Result<Self, UnknownLocale> {
        match input.trim().to_ascii_lowercase().as_str() {
            "en" => Ok(Self::En),
            "fr" => Ok(Self::Fr),
            "de" => Ok(Self::De),
            "it" => Ok(Self::It),
            "nl" => Ok(Self::Nl),
            _ => Err(UnknownLocale),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
            Self::De => "de",
            Self::It => "it",
            Self::Nl => "nl",
        }
    }

    /// The best match in an `Accept-Language` header, by quality; English when none.
    pub fn negotiate(accept_language: Option<&str>) -> Self {
        let Some(header) = accept_language else {
            return Self::default();
        };
        let mut best: Option<(f32, Self)> = None;
        for range in header.split(',') {
            let mut parts = range.trim().split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or_default();
            if let Ok(locale) = Self::parse(primary)
                && quality > 0.0
                && best.is_none_or(|(q, _)| quality > q)
            {
                best = Some((quality, locale));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_five_languages_only() {
        assert_eq!(Locale::parse("fr"), Ok(Locale::Fr));
        assert_eq!(Locale::parse("EN"), Ok(Locale::En));
        assert_eq!(Locale::parse("de"), Ok(Locale::De));
        assert_eq!(Locale::parse("it"), Ok(Locale::It));
        assert_eq!(Locale::parse("nl"), Ok(Locale::Nl));
        assert!(Locale::parse("es").is_err());
        assert!(Locale::parse("").is_err());
    }

    #[test]
    fn negotiates_accept_language_by_quality() {
        assert_eq!(
            Locale::negotiate(Some("fr-BE,fr;q=0.9,en;q=0.8")),
            Locale::Fr
        );
        assert_eq!(
            Locale::negotiate(Some("es-ES,en;q=0.5,fr;q=0.7")),
            Locale::Fr
        );
        assert_eq!(
            Locale::negotiate(Some("de-CH,de;q=0.9,en;q=0.8")),
            Locale::De
        );
        assert_eq!(Locale::negotiate(Some("nl-BE;q=0.4,it;q=0.6")), Locale::It);
        assert_eq!(Locale::negotiate(Some("es-ES")), Locale::En);
        assert_eq!(Locale::negotiate(Some("fr;q=0")), Locale::En);
        assert_eq!(Locale::negotiate(None), Locale::En);
    }
}
