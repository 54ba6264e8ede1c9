//! What a request says about invitations, read the same way by the staff API, the back
//! office and the company page: a create body (the API's JSON, or a form turned into one)
//! field by field, every error keyed by its field; and the list's filters.

use crate::domain::account::{CompanyId, Role};
use crate::domain::company::{CompanyDraft, RawCompany};
use crate::domain::email::EmailAddress;
use crate::domain::invitation::{
    DisplayName, ExpiryDays, InvitationId, Join, ListFilter, NewInvitation, Status,
};
use crate::domain::locale::Locale;
use crate::domain::{FieldError, FieldErrors};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

pub fn parse_list_query(query: &str) -> Result<ListFilter, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut filter = ListFilter {
        top: ListFilter::DEFAULT_TOP,
        ..ListFilter::default()
    };
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "status" => match Status::parse(&value) {
                Some(status) => filter.status = Some(status),
                None => errors.add("status", FieldError::Status),
            },
            "email" => match EmailAddress::parse(&value) {
                Ok(email) => filter.email = Some(email),
                Err(e) => errors.add("email", e.into()),
            },
            "top" => match ListFilter::top(&value) {
                Ok(top) => filter.top = top,
                Err(e) => errors.add("top", e),
            },
            // What the answer is (`export::wanted`); checked here with the filters.
            "format" if !matches!(value.as_ref(), "json" | "csv") => {
                errors.add("format", FieldError::Format);
            }
            "continuationToken" => {
                let id = URL_SAFE_NO_PAD
                    .decode(value.as_bytes())
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .and_then(|s| InvitationId::parse(&s).ok());
                match id {
                    Some(id) => filter.after = Some(id),
                    None => errors.add("continuationToken", FieldError::ContinuationToken),
                }
            }
            _ => {}
        }
    }
    errors.into_result(filter)
}

/// Reads the create body field by field, so every error is keyed by its field.
pub fn parse_create(object: &Map<String, Value>) -> Result<NewInvitation, FieldErrors> {
    let mut errors = FieldErrors::default();
    let email = match text(object, "email", &mut errors) {
        Some(value) => EmailAddress::parse(&value)
            .map_err(|e| errors.add("email", e.into()))
            .ok(),
        None => {
            errors.add("email", FieldError::Required);
            None
        }
    };
    let display_name = text(object, "displayName", &mut errors)
        .and_then(|v| {
            DisplayName::parse(&v)
                .map_err(|e| errors.add("displayName", e))
                .ok()
        })
        .flatten();
    let locale = match object.get("locale") {
        None | Some(Value::Null) => Some(Locale::default()),
        Some(Value::String(s)) => Locale::parse(s).ok(),
        Some(_) => None,
    };
    if locale.is_none() {
        errors.add("locale", FieldError::Locale);
    }
    let expires_in = match object.get("expiresInDays") {
        None | Some(Value::Null) => Ok(ExpiryDays::default()),
        Some(Value::Number(n)) => n
            .as_i64()
            .map_or_else(|| Err(ExpiryDays::refused()), ExpiryDays::new),
        Some(_) => Err(ExpiryDays::refused()),
    }
    .map_err(|e| errors.add("expiresInDays", e))
    .ok();
    let company = parse_company(object, &mut errors);
    let join = parse_join(object, &mut errors);
    match (email, locale, expires_in, company, join) {
        (Some(email), Some(locale), Some(expires_in), Some(company), Some(join))
            if errors.is_empty() =>
        {
            Ok(NewInvitation {
                email,
                display_name,
                locale,
                expires_in,
                company,
                join,
            })
        }
        _ => Err(errors),
    }
}

/// A text field of `object`: `None` when absent or null, and when not text (the
/// errors then say so).
fn text(object: &Map<String, Value>, field: &str, errors: &mut FieldErrors) -> Option<String> {
    match object.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.add(field, FieldError::NotText);
            None
        }
    }
}

/// The optional `company` object, its errors keyed `company.{field}`; `None` when invalid.
fn parse_company(object: &Map<String, Value>, errors: &mut FieldErrors) -> Option<CompanyDraft> {
    let fields = match object.get("company") {
        None | Some(Value::Null) => return Some(CompanyDraft::default()),
        Some(Value::Object(fields)) => fields,
        Some(_) => {
            errors.add("company", FieldError::NotAnObject);
            return None;
        }
    };
    let mut field_errors = FieldErrors::default();
    let raw = RawCompany {
        name: text(fields, "name", &mut field_errors),
        vat_number: text(fields, "vatNumber", &mut field_errors),
        street: text(fields, "street", &mut field_errors),
        postal_code: text(fields, "postalCode", &mut field_errors),
        city: text(fields, "city", &mut field_errors),
        country: text(fields, "country", &mut field_errors),
    };
    let typed = field_errors.is_empty();
    errors.merge_prefixed("company.", field_errors);
    match CompanyDraft::parse(&raw) {
        Ok(draft) if typed => Some(draft),
        Ok(_) => None,
        Err(more) => {
            errors.merge_prefixed("company.", more);
            None
        }
    }
}

/// `companyId` and `role` of a colleague's invitation: `Some(None)` for a company
/// invitation, `None` when they are invalid (the errors say why).
fn parse_join(object: &Map<String, Value>, errors: &mut FieldErrors) -> Option<Option<Join>> {
    let given = !matches!(object.get("role"), None | Some(Value::Null));
    let role = match object.get("role") {
        Some(Value::String(s)) => Role::parse(s),
        _ => None,
    };
    if given && role.is_none() {
        errors.add("role", FieldError::Role);
    }
    match object.get("companyId") {
        None | Some(Value::Null) if given => {
            errors.add("companyId", FieldError::RequiredWithRole);
            None
        }
        None | Some(Value::Null) => Some(None),
        Some(Value::String(s)) => {
            let Some(company_id) = CompanyId::parse(s) else {
                errors.add("companyId", FieldError::CompanyId);
                return None;
            };
            if !matches!(object.get("company"), None | Some(Value::Null)) {
                errors.add("company", FieldError::NotWithCompanyId);
                return None;
            }
            if given && role.is_none() {
                return None;
            }
            Some(Some(Join {
                company_id,
                role: role.unwrap_or(Role::Member),
            }))
        }
        Some(_) => {
            errors.add("companyId", FieldError::NotText);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: Value) -> Result<NewInvitation, FieldErrors> {
        parse_create(value.as_object().unwrap())
    }

    fn keys(errors: FieldErrors) -> Vec<String> {
        errors.iter().map(|(k, _)| k.clone()).collect()
    }

    #[test]
    fn a_colleague_invitation_names_a_company_id_and_a_role() {
        let id = "c9998235962181a1b2c3d4e5f6";
        let new = parse(json!({"email": "a@b.example", "companyId": id})).unwrap();
        let join = new.join.unwrap();
        assert_eq!((join.company_id.as_str(), join.role), (id, Role::Member));
        let new = parse(json!({"email": "a@b.example", "companyId": id, "role": "administrator"}))
            .unwrap();
        assert_eq!(new.join.unwrap().role, Role::Administrator);
        assert!(
            parse(json!({"email": "a@b.example"}))
                .unwrap()
                .join
                .is_none()
        );
        for (body, fields) in [
            (
                json!({"email": "a@b.example", "role": "member"}),
                vec!["companyId"],
            ),
            (
                json!({"email": "a@b.example", "companyId": "c1/x"}),
                vec!["companyId"],
            ),
            (
                json!({"email": "a@b.example", "companyId": 7}),
                vec!["companyId"],
            ),
            (
                json!({"email": "a@b.example", "companyId": id, "role": "owner"}),
                vec!["role"],
            ),
            (
                json!({"email": "a@b.example", "companyId": id, "company": {"name": "X"}}),
                vec!["company"],
            ),
        ] {
            assert_eq!(keys(parse(body).unwrap_err()), fields);
        }
    }

    #[test]
    fn only_email_is_required() {
        let new = parse(json!({"email": "willy.urs@example.com"})).unwrap();
        assert_eq!(new.locale, Locale::En);
        assert_eq!(new.expires_in, ExpiryDays::default());
        assert_eq!(keys(parse(json!({})).unwrap_err()), ["email"]);
    }

    #[test]
    fn every_bad_field_is_reported_under_its_own_name() {
        let errors = parse(json!({
            "email": "nope", "locale": "es", "expiresInDays": 31, "displayName": 5,
            "company": {"vatNumber": "BE0123456748", "country": "BE", "city": 12}
        }))
        .unwrap_err();
        assert_eq!(
            keys(errors),
            [
                "company.city",
                "company.vatNumber",
                "displayName",
                "email",
                "expiresInDays",
                "locale"
            ]
        );
    }

    #[test]
    fn list_queries_are_checked() {
        assert!(parse_list_query("status=expired&top=10").is_ok());
        let errors = parse_list_query("status=lost&top=0&continuationToken=%%%").unwrap_err();
        assert_eq!(keys(errors), ["continuationToken", "status", "top"]);
    }
}
