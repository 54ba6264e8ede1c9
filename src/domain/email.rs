//! `EmailAddress`: a value that can only hold a plausible, single-recipient, ASCII address.
//!
//! Quoted local parts, comments, IP-literal domains and non-ASCII addresses are refused:
//! they are legal in RFC 5322 but no invited business customer needs them, and refusing
//! them keeps every address safe to put in a mail header, a table key or a page.

use std::fmt;

/// The longest address accepted (RFC 5321 limits a path to 256 octets, brackets included).
pub const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;

/// Two addresses are equal when they name the same mailbox as this service compares them:
/// ignoring ASCII case in the whole address, as the contract says. `==` is that one rule,
/// used by acceptance, linking and every lookup alike.
#[derive(Clone)]
pub struct EmailAddress(String);

impl PartialEq for EmailAddress {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for EmailAddress {}

impl std::hash::Hash for EmailAddress {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.normalized().hash(state);
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("is required")]
    Empty,
    #[error("is longer than 254 characters")]
    TooLong,
    #[error("is not a valid email address")]
    Invalid,
}

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(EmailError::Empty);
        }
        if value.len() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = value.split_once('@').ok_or(EmailError::Invalid)?;
        if !valid_local(local) || !valid_domain(domain) {
            return Err(EmailError::Invalid);
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form keys and counters use: equal addresses (see `PartialEq`) have equal forms.
    pub fn normalized(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

fn valid_local(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~.";
    !local.is_empty()
        && local.len() <= MAX_LOCAL_LEN
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c))
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()))
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_lowercases_the_domain() {
        let email = EmailAddress::parse(" Willy.Urs+sales@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "Willy.Urs+sales@example.com");
        assert_eq!(email.normalized(), "willy.urs+sales@example.com");
    }

    #[test]
    fn refuses_what_is_not_one_plain_address() {
        for bad in [
            "",
            "plainaddress",
            "@example.com",
            "a@",
            "a@b",
            "a@@example.com",
            "a b@example.com",
            "a@exa mple.com",
            ".a@example.com",
            "a..b@example.com",
            "a@-example.com",
            "a@example.123",
            "\"quoted\"@example.com",
            "a@example.com\r\nBcc: victim@example.com",
            "a@example.com, b@example.com",
            "<a@example.com>",
            "élodie@example.com",
        ] {
            assert!(
                EmailAddress::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn compares_ignoring_case() {
        let a = EmailAddress::parse("Willy@Example.com").unwrap();
        let b = EmailAddress::parse("willy@example.COM").unwrap();
        assert_eq!(a, b);
        assert_eq!(Some(&a), Some(&b));
        assert_ne!(a, EmailAddress::parse("willy2@example.com").unwrap());
        let set: std::collections::HashSet<_> = [a.clone(), b].into_iter().collect();
        assert_eq!(set.len(), 1, "equal addresses hash alike");
        assert_eq!(
            a.as_str(),
            "Willy@example.com",
            "kept as given, domain lowercased"
        );
    }

    #[test]
    fn refuses_overlong_addresses() {
        let long = format!("{}@example.com", "a".repeat(65));
        assert_eq!(EmailAddress::parse(&long), Err(EmailError::Invalid));
        let longer = format!("a@{}.com", "b".repeat(260));
        assert_eq!(EmailAddress::parse(&longer), Err(EmailError::TooLong));
    }
}
