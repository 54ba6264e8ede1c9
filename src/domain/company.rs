//! The company data a sales person enters with an invitation (every field optional) and
//! the complete company a customer creates (every field required).

use super::country::{CountryCode, PostalCode, VatNumber};
use super::{FieldError, FieldErrors};

/// Company fields as they arrive, before any check. Names match the request's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawCompany {
    pub name: Option<String>,
    pub vat_number: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
}

/// What the sales person entered: each field, when present, is valid on its own and
/// consistent with the country.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyDraft {
    pub name: Option<String>,
    pub vat_number: Option<VatNumber>,
    pub street: Option<String>,
    pub postal_code: Option<PostalCode>,
    pub city: Option<String>,
    pub country: Option<CountryCode>,
}

const NAME_MAX: usize = 200;
const STREET_MAX: usize = 200;
const CITY_MAX: usize = 100;

impl CompanyDraft {
    /// Checks every present field, collecting one message per field (keys are the
    /// request's field names: `name`, `vatNumber`, …).
    pub fn parse(raw: &RawCompany) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let present = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };

        let country = present(&raw.country).and_then(|c| {
            CountryCode::parse(&c)
                .map_err(|_| errors.add("country", FieldError::Country))
                .ok()
        });
        let name = present(&raw.name).and_then(|v| errors.text("name", v, NAME_MAX));
        let street = present(&raw.street).and_then(|v| errors.text("street", v, STREET_MAX));
        let city = present(&raw.city).and_then(|v| errors.text("city", v, CITY_MAX));
        let vat_number = present(&raw.vat_number).and_then(|v| {
            VatNumber::parse(&v, country)
                .map_err(|e| errors.add("vatNumber", FieldError::Vat(e)))
                .ok()
        });
        let postal_code = present(&raw.postal_code).and_then(|v| {
            PostalCode::parse(&v, country)
                .map_err(|e| errors.add("postalCode", e.into()))
                .ok()
        });
        errors.into_result(Self {
            name,
            vat_number,
            street,
            postal_code,
            city,
            country,
        })
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A company as the customer creates it: every field present and valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyDetails {
    pub name: String,
    pub vat_number: VatNumber,
    pub street: String,
    pub postal_code: PostalCode,
    pub city: String,
    pub country: CountryCode,
}

impl CompanyDetails {
    pub fn parse(raw: &RawCompany) -> Result<Self, FieldErrors> {
        let draft = CompanyDraft::parse(raw);
        let mut errors = draft.as_ref().err().cloned().unwrap_or_default();
        let draft = draft.unwrap_or_default();
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
        for (field, value) in [
            ("name", &raw.name),
            ("vatNumber", &raw.vat_number),
            ("street", &raw.street),
            ("postalCode", &raw.postal_code),
            ("city", &raw.city),
            ("country", &raw.country),
        ] {
            if blank(value) {
                errors.add(field, FieldError::Required);
            }
        }
        match draft {
            CompanyDraft {
                name: Some(name),
                vat_number: Some(vat_number),
                street: Some(street),
                postal_code: Some(postal_code),
                city: Some(city),
                country: Some(country),
            } if errors.is_empty() => Ok(Self {
                name,
                vat_number,
                street,
                postal_code,
                city,
                country,
            }),
            _ => Err(errors),
        }
    }
}

impl FieldErrors {
    /// A free-text field: trimmed, bounded, no control characters.
    fn text(&mut self, field: &str, value: String, max: usize) -> Option<String> {
        if value.chars().count() > max {
            self.add(field, FieldError::TooLong { max });
            None
        } else if value.chars().any(char::is_control) {
            self.add(field, FieldError::ControlCharacters);
            None
        } else {
            Some(value)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawCompany {
        RawCompany {
            name: Some("URS Machining SA".into()),
            vat_number: Some("BE0123456749".into()),
            street: Some("Rue de l'Industrie 12".into()),
            postal_code: Some("1400".into()),
            city: Some("Nivelles".into()),
            country: Some("be".into()),
        }
    }

    #[test]
    fn a_complete_belgian_company_is_accepted() {
        let draft = CompanyDraft::parse(&raw()).unwrap();
        assert_eq!(draft.country.unwrap().as_str(), "BE");
        assert_eq!(draft.vat_number.unwrap().as_str(), "BE0123456749");
    }

    #[test]
    fn a_company_to_create_needs_every_field() {
        assert!(CompanyDetails::parse(&raw()).is_ok());
        let errors = CompanyDetails::parse(&RawCompany {
            name: Some(" ".into()),
            city: None,
            ..raw()
        })
        .unwrap_err();
        let keys: Vec<_> = errors.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["city", "name"]);
    }

    #[test]
    fn every_field_is_optional() {
        assert!(
            CompanyDraft::parse(&RawCompany::default())
                .unwrap()
                .is_empty()
        );
        let blank = RawCompany {
            name: Some("  ".into()),
            ..RawCompany::default()
        };
        assert!(CompanyDraft::parse(&blank).unwrap().is_empty());
    }

    #[test]
    fn errors_are_keyed_by_field_and_all_reported() {
        let bad = RawCompany {
            vat_number: Some("FR123".into()),
            postal_code: Some("ABCDEFGHIJKLMNOP".into()),
            country: Some("FR".into()),
            name: Some("x".repeat(201)),
            ..RawCompany::default()
        };
        let errors = CompanyDraft::parse(&bad).unwrap_err();
        let keys: Vec<_> = errors.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["name", "postalCode", "vatNumber"]);
    }
}
