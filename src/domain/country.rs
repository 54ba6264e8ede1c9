//! ISO 3166-1 alpha-2 country codes, and the national formats of VAT numbers and postal
//! codes. The formats are regular expressions written so that the same text works in Rust
//! and in the browser's JavaScript: the company form ships this very table to the page.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

/// Every officially assigned ISO 3166-1 alpha-2 code.
pub const ISO_3166_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// VAT number formats by country: the number as written without spaces, dots or dashes,
/// upper case, with its prefix. The 27 EU member states (Greece's prefix is EL) and
/// Switzerland (UID with its VAT suffix).
pub const VAT_FORMATS: &[(&str, &str)] = &[
    ("AT", "^ATU[0-9]{8}$"),
    ("BE", "^BE[01][0-9]{9}$"),
    ("BG", "^BG[0-9]{9,10}$"),
    ("CH", "^CHE[0-9]{9}(MWST|TVA|IVA)?$"),
    ("CY", "^CY[0-9]{8}[A-Z]$"),
    ("CZ", "^CZ[0-9]{8,10}$"),
    ("DE", "^DE[0-9]{9}$"),
    ("DK", "^DK[0-9]{8}$"),
    ("EE", "^EE[0-9]{9}$"),
    ("ES", "^ES[A-Z0-9][0-9]{7}[A-Z0-9]$"),
    ("FI", "^FI[0-9]{8}$"),
    ("FR", "^FR[A-HJ-NP-Z0-9]{2}[0-9]{9}$"),
    ("GR", "^EL[0-9]{9}$"),
    ("HR", "^HR[0-9]{11}$"),
    ("HU", "^HU[0-9]{8}$"),
    ("IE", "^IE[0-9][0-9A-Z+*][0-9]{5}[A-W][A-I]?$"),
    ("IT", "^IT[0-9]{11}$"),
    ("LT", "^LT([0-9]{9}|[0-9]{12})$"),
    ("LU", "^LU[0-9]{8}$"),
    ("LV", "^LV[0-9]{11}$"),
    ("MT", "^MT[0-9]{8}$"),
    ("NL", "^NL[0-9]{9}B[0-9]{2}$"),
    ("PL", "^PL[0-9]{10}$"),
    ("PT", "^PT[0-9]{9}$"),
    ("RO", "^RO[0-9]{2,10}$"),
    ("SE", "^SE[0-9]{10}01$"),
    ("SI", "^SI[0-9]{8}$"),
    ("SK", "^SK[0-9]{10}$"),
];

/// Used for a VAT number when no country is known, or the country has no listed format.
pub const VAT_GENERIC: &str = "^[A-Z]{2,3}[0-9A-Z+*]{2,13}$";

/// Postal code formats, upper-cased, as people write them.
pub const POSTAL_FORMATS: &[(&str, &str)] = &[
    ("AT", "^[0-9]{4}$"),
    ("BE", "^[0-9]{4}$"),
    ("BG", "^[0-9]{4}$"),
    ("CH", "^[0-9]{4}$"),
    ("CY", "^[0-9]{4}$"),
    ("CZ", "^[0-9]{3} ?[0-9]{2}$"),
    ("DE", "^[0-9]{5}$"),
    ("DK", "^[0-9]{4}$"),
    ("EE", "^[0-9]{5}$"),
    ("ES", "^[0-9]{5}$"),
    ("FI", "^[0-9]{5}$"),
    ("FR", "^[0-9]{5}$"),
    ("GB", "^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"),
    ("GR", "^[0-9]{3} ?[0-9]{2}$"),
    ("HR", "^[0-9]{5}$"),
    ("HU", "^[0-9]{4}$"),
    ("IT", "^[0-9]{5}$"),
    ("LI", "^[0-9]{4}$"),
    ("LT", "^(LT-)?[0-9]{5}$"),
    ("LU", "^(L-)?[0-9]{4}$"),
    ("LV", "^(LV-)?[0-9]{4}$"),
    ("MT", "^[A-Z]{3} ?[0-9]{4}$"),
    ("NL", "^[0-9]{4} ?[A-Z]{2}$"),
    ("NO", "^[0-9]{4}$"),
    ("PL", "^[0-9]{2}-[0-9]{3}$"),
    ("PT", "^[0-9]{4}-[0-9]{3}$"),
    ("RO", "^[0-9]{6}$"),
    ("SE", "^[0-9]{3} ?[0-9]{2}$"),
    ("SI", "^[0-9]{4}$"),
    ("SK", "^[0-9]{3} ?[0-9]{2}$"),
    ("US", "^[0-9]{5}(-[0-9]{4})?$"),
];

pub const POSTAL_GENERIC: &str = "^[A-Z0-9][A-Z0-9 -]{1,9}$";

static VAT_REGEXES: LazyLock<HashMap<&'static str, regex::Regex>> =
    LazyLock::new(|| compile(VAT_FORMATS));
static POSTAL_REGEXES: LazyLock<HashMap<&'static str, regex::Regex>> =
    LazyLock::new(|| compile(POSTAL_FORMATS));
static VAT_GENERIC_REGEX: LazyLock<Option<regex::Regex>> =
    LazyLock::new(|| regex::Regex::new(VAT_GENERIC).ok());
static POSTAL_GENERIC_REGEX: LazyLock<Option<regex::Regex>> =
    LazyLock::new(|| regex::Regex::new(POSTAL_GENERIC).ok());

fn compile(table: &'static [(&'static str, &'static str)]) -> HashMap<&'static str, regex::Regex> {
    table
        .iter()
        .filter_map(|(country, pattern)| Some((*country, regex::Regex::new(pattern).ok()?)))
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CountryCode([u8; 2]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a two-letter ISO 3166-1 country code, such as BE or FR")]
pub struct UnknownCountry;

impl CountryCode {
    pub fn parse(input: &str) -> Result<Self, UnknownCountry> {
        let code = input.trim().to_ascii_uppercase();
        let bytes = code.as_bytes();
        if bytes.len() == 2 && ISO_3166_ALPHA2.split(' ').any(|c| c == code) {
            Ok(Self([bytes[0], bytes[1]]))
        } else {
            Err(UnknownCountry)
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// The prefix this country's VAT numbers carry (Greece writes EL).
    pub fn vat_prefix(&self) -> &str {
        match self.as_str() {
            "GR" => "EL",
            "CH" => "CHE",
            other => other,
        }
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A VAT number in its compact form (`BE0123456749`), checked against its country's format
/// and, for Belgium, its check digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VatNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VatError {
    #[error("is not a valid VAT number for {0}")]
    WrongFormat(String),
    #[error("is not a valid VAT number")]
    Invalid,
    #[error("has wrong check digits")]
    CheckDigits,
}

impl VatNumber {
    pub fn parse(input: &str, country: Option<CountryCode>) -> Result<Self, VatError> {
        let mut compact: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{a0}'))
            .collect::<String>()
            .to_ascii_uppercase();
        let Some(country) = country else {
            return match &*VAT_GENERIC_REGEX {
                Some(re) if re.is_match(&compact) => Ok(Self(compact)),
                _ => Err(VatError::Invalid),
            };
        };
        // The prefix may be left out ("0123456749" for Belgium, "U13585627" for Austria).
        let prefix = country.vat_prefix();
        let fits_with_prefix = |compact: &str| {
            VAT_REGEXES
                .get(country.as_str())
                .is_some_and(|re| re.is_match(&format!("{prefix}{compact}")))
        };
        if !compact.starts_with(prefix)
            && (compact.chars().next().is_some_and(|c| c.is_ascii_digit())
                || fits_with_prefix(&compact))
        {
            compact.insert_str(0, prefix);
        }
        let Some(re) = VAT_REGEXES.get(country.as_str()) else {
            return match &*VAT_GENERIC_REGEX {
                Some(re) if re.is_match(&compact) => Ok(Self(compact)),
                _ => Err(VatError::Invalid),
            };
        };
        if !re.is_match(&compact) {
            return Err(VatError::WrongFormat(country.to_string()));
        }
        if country.as_str() == "BE" && !belgian_check_digits_hold(&compact[2..]) {
            return Err(VatError::CheckDigits);
        }
        Ok(Self(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A value this service checked before it stored it.
    pub fn from_stored(value: String) -> Self {
        Self(value)
    }
}

/// Belgian enterprise numbers: the last two digits are 97 minus the first eight modulo 97.
fn belgian_check_digits_hold(digits: &str) -> bool {
    let (Some(body), Some(check)) = (digits.get(..8), digits.get(8..)) else {
        return false;
    };
    match (body.parse::<u64>(), check.parse::<u64>()) {
        (Ok(body), Ok(check)) => 97 - body % 97 == check,
        _ => false,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not a valid postal code{}", .0.as_ref().map(|c| format!(" for {c}")).unwrap_or_default())]
pub struct InvalidPostalCode(Option<String>);

impl From<InvalidPostalCode> for super::FieldError {
    fn from(InvalidPostalCode(country): InvalidPostalCode) -> Self {
        Self::PostalCode { country }
    }
}

impl PostalCode {
    pub fn parse(input: &str, country: Option<CountryCode>) -> Result<Self, InvalidPostalCode> {
        let value = input.trim().to_ascii_uppercase();
        let specific = country.and_then(|c| POSTAL_REGEXES.get(c.as_str()));
        let ok = match specific {
            Some(re) => re.is_match(&value),
            None => POSTAL_GENERIC_REGEX
                .as_ref()
                .is_some_and(|re| re.is_match(&value)),
        };
        if ok {
            Ok(Self(value))
        } else {
            Err(InvalidPostalCode(
                specific.and(country).map(|c| c.to_string()),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A value this service checked before it stored it.
    pub fn from_stored(value: String) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn country(code: &str) -> Option<CountryCode> {
        Some(CountryCode::parse(code).unwrap())
    }

    #[test]
    fn every_format_compiles() {
        assert_eq!(VAT_REGEXES.len(), VAT_FORMATS.len());
        assert_eq!(POSTAL_REGEXES.len(), POSTAL_FORMATS.len());
        assert!(VAT_GENERIC_REGEX.is_some() && POSTAL_GENERIC_REGEX.is_some());
    }

    #[test]
    fn country_codes_are_iso_alpha2() {
        assert_eq!(CountryCode::parse("be").unwrap().as_str(), "BE");
        assert_eq!(ISO_3166_ALPHA2.split(' ').count(), 249);
        for bad in ["", "B", "BEL", "XX", "UK", "12"] {
            assert!(CountryCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn belgian_vat_numbers_need_right_check_digits() {
        let vat = VatNumber::parse("BE 0123.456.749", country("BE")).unwrap();
        assert_eq!(vat.as_str(), "BE0123456749");
        assert_eq!(
            VatNumber::parse("BE0123456748", country("BE")),
            Err(VatError::CheckDigits)
        );
        assert_eq!(VatNumber::parse("0123456749", country("BE")).unwrap(), vat);
    }

    #[test]
    fn vat_numbers_follow_their_country() {
        for (c, good) in [
            ("FR", "FR40303265045"),
            ("DE", "DE136695976"),
            ("NL", "NL004495445B01"),
            ("GR", "EL094259216"),
            ("CH", "CHE-123.456.788 TVA"),
            ("AT", "ATU13585627"),
            ("IE", "IE6388047V"),
            ("ES", "ESA28015865"),
        ] {
            assert!(VatNumber::parse(good, country(c)).is_ok(), "{c} {good}");
            // Without its country prefix, as the form's hint says it may be written.
            let prefix = country(c)
                .map(|c| c.vat_prefix().to_owned())
                .unwrap_or_default();
            let bare = good.strip_prefix(prefix.as_str()).unwrap_or(good);
            assert_eq!(
                VatNumber::parse(bare, country(c)),
                VatNumber::parse(good, country(c)),
                "{c} {bare}"
            );
        }
        for (c, bad) in [
            ("FR", "FR123"),
            ("DE", "DE12345678"),
            ("NL", "NL123456789"),
            ("BE", "FR40303265045"),
        ] {
            assert!(VatNumber::parse(bad, country(c)).is_err(), "{c} {bad}");
        }
    }

    #[test]
    fn postal_codes_follow_their_country() {
        assert!(PostalCode::parse("1400", country("BE")).is_ok());
        assert!(PostalCode::parse("14000", country("BE")).is_err());
        assert!(PostalCode::parse("75008", country("FR")).is_ok());
        assert!(PostalCode::parse("1012 ab", country("NL")).is_ok());
        assert!(PostalCode::parse("SW1A 1AA", country("GB")).is_ok());
        assert!(PostalCode::parse("K1A 0B1", country("CA")).is_ok());
        assert!(PostalCode::parse("<script>", None).is_err());
    }
}
