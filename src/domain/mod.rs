//! The rules of the service: no web framework, no Azure, no clock calls. Time is always
//! an argument.

pub mod account;
pub mod company;
pub mod country;
pub mod email;
pub mod ids;
pub mod invitation;
pub mod locale;
pub mod membership;
pub mod mfa;
pub mod secret;
pub mod totp;

#[cfg(test)]
mod properties;

use std::collections::BTreeMap;

/// Validation messages keyed by the request's own field names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    /// Adds another set of errors, prefixing their keys (`company.` + `vatNumber`).
    pub fn merge_prefixed(&mut self, prefix: &str, other: FieldErrors) {
        for (field, message) in other.0 {
            self.add(format!("{prefix}{field}"), message);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter()
    }

    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    pub fn into_map(self) -> BTreeMap<String, String> {
        self.0
    }
}
