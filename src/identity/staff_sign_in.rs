//! Sales staff signing in to the back office: the customers' OpenID client
//! ([`CustomerSignIn`]) pointed at the staff directory with the staff pages' app
//! registration, plus what makes a signed-in person a staff member (an address and the
//! role).

use super::customer::{CustomerSignIn, SignedIn};
use super::staff::StaffMember;
use crate::domain::email::EmailAddress;

/// Entra ID puts `email` and `preferred_username` in the id_token only for these scopes.
pub const STAFF_SCOPE: &str = "openid profile email";

pub struct StaffSignIn {
    pub client: CustomerSignIn,
    role: String,
}

/// Why a signed-in person is not let in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotStaff {
    /// The id_token names no usable address (`email`, `preferred_username`, `upn`).
    NoEmail,
    /// Signed in, but without the role; the address, when known.
    NoRole(String),
}

impl StaffSignIn {
    pub fn new(client: CustomerSignIn, role: String) -> Self {
        Self {
            client: client.with_scope(STAFF_SCOPE),
            role,
        }
    }

    pub fn role(&self) -> &str {
        &self.role
    }

    /// Whether `roles` holds the staff role.
    pub fn allows(&self, roles: &[String]) -> bool {
        roles.iter().any(|r| r == &self.role)
    }

    /// The staff member an id_token describes, if it carries an address and the role.
    pub fn member(&self, signed_in: &SignedIn) -> Result<StaffMember, NotStaff> {
        let email = signed_in
            .email
            .clone()
            .or_else(|| {
                signed_in
                    .username
                    .as_deref()
                    .and_then(|u| EmailAddress::parse(u).ok())
            })
            .ok_or(NotStaff::NoEmail)?;
        if !self.allows(&signed_in.roles) {
            return Err(NotStaff::NoRole(email.to_string()));
        }
        let name = signed_in
            .name
            .as_deref()
            .map(|n| {
                n.chars()
                    .filter(|c| !c.is_control())
                    .take(100)
                    .collect::<String>()
            })
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| email.to_string());
        Ok(StaffMember { name, email })
    }
}
