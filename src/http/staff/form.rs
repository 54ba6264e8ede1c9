//! The invite form of the back office: its fields (named as the create body's), the
//! values a post brought back, and its errors in the page's language.

use crate::domain::FieldErrors;
use crate::domain::locale::Locale;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The invite form: field (the create body's name), element id, label en, label fr, type.
pub const FORM: [(&str, &str, &str, &str, &str); 10] = [
    (
        "email",
        "f-email",
        "Customer's email",
        "E-mail du client",
        "email",
    ),
    (
        "displayName",
        "f-display-name",
        "Customer's name",
        "Nom du client",
        "text",
    ),
    (
        "locale",
        "f-locale",
        "Language of the email",
        "Langue de l'e-mail",
        "select",
    ),
    (
        "expiresInDays",
        "f-expires",
        "Valid for (days, 1 to 30)",
        "Valable (jours, de 1 à 30)",
        "number",
    ),
    (
        "company.name",
        "f-company-name",
        "Company name",
        "Nom de l'entreprise",
        "text",
    ),
    (
        "company.vatNumber",
        "f-company-vat",
        "VAT number",
        "Numéro de TVA",
        "text",
    ),
    (
        "company.street",
        "f-company-street",
        "Street and number",
        "Rue et numéro",
        "text",
    ),
    (
        "company.postalCode",
        "f-company-postal",
        "Postal code",
        "Code postal",
        "text",
    ),
    ("company.city", "f-company-city", "City", "Ville", "text"),
    (
        "company.country",
        "f-company-country",
        "Country (two letters, e.g. BE)",
        "Pays (deux lettres, p. ex. BE)",
        "text",
    ),
];

/// What the form holds: values and errors by field, and an error about the whole form.
#[derive(Default)]
pub struct FormState {
    pub values: BTreeMap<String, String>,
    pub errors: BTreeMap<String, String>,
    pub error: Option<String>,
}

fn french_error(field: &str, value: &str) -> &'static str {
    if value.trim().is_empty() {
        return "Ce champ est obligatoire.";
    }
    match field {
        "email" => "Indiquez une adresse e-mail valide.",
        "displayName" => "Ce nom n'est pas accepté (trop long ou caractères non permis).",
        "locale" => "Choisissez le français ou l'anglais.",
        "expiresInDays" => "Indiquez un nombre entier de jours, de 1 à 30.",
        "company.vatNumber" => "Indiquez un numéro de TVA valide pour le pays.",
        "company.postalCode" => "Indiquez un code postal valide pour le pays.",
        "company.country" => "Indiquez un code pays à deux lettres, par exemple BE, FR ou CH.",
        _ => "Cette valeur n'est pas acceptée (trop longue ou caractères non permis).",
    }
}

fn english_error(field: &str, value: &str) -> &'static str {
    if value.trim().is_empty() {
        return "This field is required.";
    }
    match field {
        "email" => "Enter a valid email address, such as name@company.com.",
        "displayName" => "This name is not accepted (too long or characters not allowed).",
        "locale" => "Choose English or French.",
        "expiresInDays" => "Enter a whole number of days, from 1 to 30.",
        "company.vatNumber" => "Enter a valid VAT number for the country.",
        "company.postalCode" => "Enter a valid postal code for the country.",
        "company.country" => "Enter a two-letter country code, such as BE, FR or CH.",
        _ => "This value is not accepted (too long or characters not allowed).",
    }
}

impl FormState {
    pub fn from_body(body: &[u8]) -> Self {
        let values = url::form_urlencoded::parse(body)
            .filter(|(k, _)| FORM.iter().any(|(name, ..)| name == k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
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
            let text = match locale {
                Locale::Fr => french_error(field, &value),
                _ => english_error(field, &value),
            };
            self.errors.insert(field.clone(), text.to_owned());
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::invitations::parse_create;
    use serde_json::json;

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
