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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::invitation::LoginId;
    use crate::identity::provider::OidcProvider;
    use crate::settings::Secret;
    use std::time::Duration;

    fn sign_in() -> StaffSignIn {
        let http = reqwest::Client::new();
        let provider = std::sync::Arc::new(OidcProvider::new(
            url::Url::parse("https://login.example/v2.0/.well-known/openid-configuration").unwrap(),
            None,
            http.clone(),
            Duration::from_secs(60),
            Duration::from_secs(3600),
        ));
        let client = CustomerSignIn::new(provider, "web".into(), Secret::new("s".into()), http);
        StaffSignIn::new(client, "Invitations.Send".into())
    }

    fn signed_in(email: Option<&str>, username: Option<&str>, roles: &[&str]) -> SignedIn {
        SignedIn {
            login: LoginId {
                issuer: "https://login.example/v2.0".into(),
                subject: "s1".into(),
            },
            email: email.map(|e| EmailAddress::parse(e).unwrap()),
            name: None,
            idp: None,
            roles: roles.iter().map(|r| r.to_string()).collect(),
            username: username.map(str::to_owned),
            auth_age: None,
            object: None,
        }
    }

    #[test]
    fn a_staff_member_needs_an_address_and_the_role() {
        let staff = sign_in();
        let member = staff
            .member(&signed_in(
                None,
                Some("tamer@gfms.example"),
                &["Invitations.Send"],
            ))
            .unwrap();
        assert_eq!(member.email.as_str(), "tamer@gfms.example");
        assert_eq!(
            member.name, "tamer@gfms.example",
            "the address stands in for a name"
        );
        assert_eq!(
            staff.member(&signed_in(Some("nora@gfms.example"), None, &["Other"])),
            Err(NotStaff::NoRole("nora@gfms.example".into()))
        );
        assert_eq!(
            staff.member(&signed_in(
                None,
                Some("not an address"),
                &["Invitations.Send"]
            )),
            Err(NotStaff::NoEmail)
        );
    }
}
