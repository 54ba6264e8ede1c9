//! `EmailAddress`: a value that can only hold a plausible, single-recipient, ASCII address.
//!
//! Quoted local parts, comments, IP-literal domains and non-ASCII addresses are refused:
//! they are legal in RFC 5322 but no invited business customer needs them, and refusing
//! them keeps every address safe to put in a mail header, a table key or a page.

use std::fmt;

const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

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

    /// The form used to compare addresses: "ignoring case", as the contract says.
    pub fn normalized(&self) -> String {
        self.0.to_ascii_lowercase()
    }

    pub fn eq_ignore_case(&self, other: &EmailAddress) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
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
        assert!(a.eq_ignore_case(&b));
    }

    #[test]
    fn refuses_overlong_addresses() {
        let long = format!("{}@example.com", "a".repeat(65));
        assert_eq!(EmailAddress::parse(&long), Err(EmailError::Invalid));
        let longer = format!("a@{}.com", "b".repeat(260));
        assert_eq!(EmailAddress::parse(&longer), Err(EmailError::TooLong));
    }
}
