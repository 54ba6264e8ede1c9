//! What is wrong with a request's fields, as data: each field's name (the request's own,
//! `company.vatNumber`) with a [`FieldError`]. The web layer puts them into words in the
//! reader's language (`http::explain::field`), so no sentence lives here.

use super::country::VatError;
use super::email::EmailError;
use std::collections::BTreeMap;

/// Why one field was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldError {
    /// Absent or blank.
    Required,
    /// A JSON value of another type than text.
    NotText,
    /// Not a JSON object (a `company`, a bulk row).
    NotAnObject,
    /// Longer than `max` characters.
    TooLong {
        max: usize,
    },
    ControlCharacters,
    Email(EmailError),
    Country,
    Vat(VatError),
    /// Not a postal code of `country` (when its format is known), or of any format.
    PostalCode {
        country: Option<String>,
    },
    Locale,
    Status,
    /// An event listing's status: `pending` or `failed`.
    EventStatus,
    /// A whole number from `min` to `max`.
    Number {
        min: i64,
        max: i64,
    },
    /// A whole number of days from `min` to `max`.
    Days {
        min: i64,
        max: i64,
    },
    Role,
    CompanyId,
    /// `companyId` is needed when a role is given.
    RequiredWithRole,
    /// `company` data and a `companyId` exclude each other.
    NotWithCompanyId,
    /// A continuation token this service did not hand out.
    ContinuationToken,
    /// The invited person is a member of the company already.
    AlreadyMember,
    /// No company has the given id.
    UnknownCompany,
    /// Storage failed for this one row of a bulk request.
    NotStored,
    /// A CSV record that could not be read.
    NotCsv,
    /// Not an RFC 3339 date and time.
    Timestamp,
    /// A list's `format` other than `json` or `csv`.
    Format,
    /// A period that does not end after it starts, or is longer than `max_days`.
    Period {
        max_days: i64,
    },
}

impl From<EmailError> for FieldError {
    fn from(error: EmailError) -> Self {
        match error {
            EmailError::Empty => Self::Required,
            other => Self::Email(other),
        }
    }
}

/// The refused fields of one request, by name; the first error of a field wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<String, FieldError>);

impl FieldErrors {
    /// The errors of a request with one refused field.
    pub fn one(field: impl Into<String>, error: FieldError) -> Self {
        let mut errors = Self::default();
        errors.add(field, error);
        errors
    }

    pub fn add(&mut self, field: impl Into<String>, error: FieldError) {
        self.0.entry(field.into()).or_insert(error);
    }

    /// Adds another set of errors, prefixing their keys (`company.` + `vatNumber`).
    pub fn merge_prefixed(&mut self, prefix: &str, other: FieldErrors) {
        for (field, error) in other.0 {
            self.add(format!("{prefix}{field}"), error);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &FieldError)> {
        self.0.iter()
    }

    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}
