//! The invite form, shared by the back office (a customer's invitation) and the company
//! page (a colleague's): its fields (named as the create body's), the values a post
//! brought back, and its errors in the page's language.

use crate::domain::FieldErrors;
use crate::domain::locale::Locale;
use crate::i18n::Tr;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The invite form: field (the create body's name), element id, type. The label is the
/// Fluent message [`label_id`], an error [`error_id`].
pub const FORM: [(&str, &str, &str); 10] = [
    ("email", "f-email", "email"),
    ("displayName", "f-display-name", "text"),
    ("locale", "f-locale", "select"),
    ("expiresInDays", "f-expires", "number"),
    ("company.name", "f-company-name", "text"),
    ("company.vatNumber", "f-company-vat", "text"),
    ("company.street", "f-company-street", "text"),
    ("company.postalCode", "f-company-postal", "text"),
    ("company.city", "f-company-city", "text"),
    ("company.country", "f-company-country", "text"),
];

/// `staff-field-company-name` for `company.name`.
pub fn label_id(field: &str) -> String {
    format!("staff-field-{}", field.replace('.', "-"))
}

/// The message for an invalid `field` holding `value`.
fn error_id(field: &str, value: &str) -> String {
    if value.trim().is_empty() {
        return "staff-error-required".into();
    }
    match field {
        "email" | "displayName" | "locale" | "expiresInDays" | "company.vatNumber"
        | "company.postalCode" | "company.country" => {
            format!("staff-error-{}", field.replace('.', "-"))
        }
        _ => "staff-error-other".into(),
    }
}

/// What the form holds: values and errors by field, and an error about the whole form.
#[derive(Default)]
pub struct FormState {
    pub values: BTreeMap<String, String>,
    pub errors: BTreeMap<String, String>,
    pub error: Option<String>,
}

impl FormState {
    /// The invite form's values among a post's `fields`.
    pub fn from_fields(fields: impl IntoIterator<Item = (String, String)>) -> Self {
        let values = fields
            .into_iter()
            .filter(|(k, _)| FORM.iter().any(|(name, ..)| name == k))
            .collect();
        Self {
            values,
            ..Self::default()
        }
    }

    /// The create body the API would receive: empty fields are left out.
    pub fn as_create_body(&self) -> Map<String, Value> {
        let mut body = Map::new();
        let mut company = Map::new();
        for (name, value) in &self.values {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let json = match name.as_str() {
                "expiresInDays" => value
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::from(value)),
                _ => Value::from(value),
            };
            match name.strip_prefix("company.") {
                Some(field) => company.insert(field.to_owned(), json),
                None => body.insert(name.clone(), json),
            };
        }
        if !company.is_empty() {
            body.insert("company".into(), Value::Object(company));
        }
        body
    }

    pub fn with_errors(mut self, errors: FieldErrors, locale: Locale) -> Self {
        for (field, _) in errors.iter() {
            let value = self.values.get(field).cloned().unwrap_or_default();
            let text = Tr::new(locale).t(&error_id(field, &value));
            self.errors.insert(field.clone(), text);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::input::parse_create;
    use serde_json::json;

    impl FormState {
        pub(in crate::http) fn from_body(body: &[u8]) -> Self {
            Self::from_fields(serde_urlencoded::from_bytes::<Vec<_>>(body).unwrap_or_default())
        }
    }

    #[test]
    fn empty_fields_are_left_out_and_company_fields_nest() {
        let form = FormState::from_body(
            b"csrf=x&email=a%40b.example&displayName=&expiresInDays=10&company.name=URS&other=1",
        );
        assert_eq!(
            Value::Object(form.as_create_body()),
            json!({"email": "a@b.example", "expiresInDays": 10, "company": {"name": "URS"}})
        );
    }

    #[test]
    fn the_api_rules_apply_and_errors_land_beside_their_fields() {
        let form = FormState::from_body(
            b"email=&expiresInDays=soon&company.country=BE&company.vatNumber=BE0123456748",
        );
        let errors = parse_create(&form.as_create_body()).unwrap_err();
        let form = form.with_errors(errors, Locale::Fr);
        let keys: Vec<&str> = form.errors.keys().map(String::as_str).collect();
        assert_eq!(keys, ["company.vatNumber", "email", "expiresInDays"]);
        assert_eq!(form.errors["email"], "Ce champ est obligatoire.");
    }

    #[test]
    fn english_errors_are_whole_sentences_that_say_what_to_enter() {
        let form = FormState::from_body(b"email=not-an-address&expiresInDays=45");
        let errors = parse_create(&form.as_create_body()).unwrap_err();
        let form = form.with_errors(errors, Locale::En);
        assert_eq!(
            form.errors["email"],
            "Enter a valid email address, such as name@company.com."
        );
        assert_eq!(
            form.errors["expiresInDays"],
            "Enter a whole number of days, from 1 to 30."
        );
    }
}
