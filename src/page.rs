//! Every address the service hands out, named once: the pages a browser is sent to or a
//! page's button leads to, the redirect URIs the identity providers send browsers back
//! to, the staff API's `Location`, and the invitation link an email carries. Handlers,
//! redirects, message pages and the invitation email take their addresses from here (mail
//! is handed the link, it builds none); the route tables (`src/http/*/routes.rs`) match
//! them. The templates write their own links and form actions.
//!
//! An address is relative (`/api/Home`) where a page or a redirect hands it out, and
//! absolute under `PUBLIC_BASE_URL` ([`Link::url`]) where it leaves the site: in an email,
//! as a redirect URI, as the place a provider's sign-out comes back to.

use crate::domain::locale::Locale;
use serde::{Deserialize, Serialize};
use url::Url;

/// A page (or callback) of the service, with what its path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// The email link, `/api/InviteUser?invitationId={link secret}`.
    InvitationLink(String),
    /// The expired link's "ask for a new link" (`invitationId` posted).
    RenewLink,
    /// The redirect URI of an invitation's sign-in.
    AcceptInvite,
    /// A returning customer's sign-in (`prompt`, `next`, `lang` in its query).
    SignIn,
    /// The redirect URI of returning sign-ins and of linking a login.
    AuthCallback,
    CreateCompany,
    Home,
    /// Where the provider's sign-out comes back to.
    SignedOut,
    Profile,
    /// Linking a login (`provider` in its query).
    ProfileLink,
    /// The authenticator app: the code after a sign-in, enrolment, turning it off.
    ProfileMfa,
    /// Deleting one's own account (a form's address: its confirmation posts there).
    ProfileDelete,
    /// Adding, naming and removing passkeys (a form's address).
    ProfilePasskeys,
    /// A company's page for its members.
    Company(String),
    /// One member of a company (a form's address: role, remove, leave).
    CompanyMember(String, String),
    /// The back office: the invite form and the list of invitations.
    Office,
    /// One invitation in the back office.
    OfficeInvitation(String),
    /// The confirmation step of an action (`resend`, `revoke`) on one invitation.
    OfficeAction(String, &'static str),
    /// The redirect URI of the back office's sign-in.
    StaffCallback,
    /// Where the staff directory's sign-out comes back to.
    StaffSignedOut,
    /// One invitation in the staff API (a created invitation's `Location`).
    ApiInvitation(String),
}

impl Page {
    /// The page's path.
    pub fn path(&self) -> String {
        match self {
            Self::InvitationLink(_) => "/api/InviteUser".into(),
            Self::RenewLink => "/api/InviteUser/renew".into(),
            Self::AcceptInvite => "/api/AcceptInvite".into(),
            Self::SignIn => "/api/SignIn".into(),
            Self::AuthCallback => "/api/AuthCallback".into(),
            Self::CreateCompany => "/api/CreateCompany".into(),
            Self::Home => "/api/Home".into(),
            Self::SignedOut => "/api/SignedOut".into(),
            Self::Profile => "/api/Profile".into(),
            Self::ProfileLink => "/api/Profile/link".into(),
            Self::ProfileMfa => "/api/Profile/mfa".into(),
            Self::ProfileDelete => "/api/Profile/delete".into(),
            Self::ProfilePasskeys => "/api/Profile/passkeys".into(),
            Self::Company(id) => format!("/api/Companies/{id}"),
            Self::CompanyMember(id, member) => format!("/api/Companies/{id}/members/{member}"),
            Self::Office => "/api/Staff".into(),
            Self::OfficeInvitation(id) => format!("/api/Staff/invitations/{id}"),
            Self::OfficeAction(id, action) => format!("/api/Staff/invitations/{id}/{action}"),
            Self::StaffCallback => "/api/StaffCallback".into(),
            Self::StaffSignedOut => "/api/Staff/signedout".into(),
            Self::ApiInvitation(id) => format!("/api/invitations/{id}"),
        }
    }

    /// The page with `key=value` in its query.
    pub fn with(self, key: &str, value: &str) -> Link {
        Link::from(self).with(key, value)
    }

    /// The page's relative address, as a redirect or a button hands it out.
    pub fn href(&self) -> String {
        Link::from(self.clone()).href()
    }

    /// The page's absolute address under `base` (`PUBLIC_BASE_URL`).
    pub fn url(&self, base: &Url) -> String {
        Link::from(self.clone()).url(base)
    }

    /// Whether `path` is a back-office page: the only places a staff sign-in returns to.
    pub fn is_office(path: &str) -> bool {
        let office = Self::Office.path();
        let rest = path.strip_prefix(office.as_str());
        rest.is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?']))
            && !path.contains("//")
    }
}

/// A page with a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    page: Page,
    /// Encoded, without the `?`.
    query: String,
}

impl From<Page> for Link {
    fn from(page: Page) -> Self {
        let query = match &page {
            Page::InvitationLink(secret) => encoded("invitationId", secret),
            _ => String::new(),
        };
        Self { page, query }
    }
}

fn encoded(key: &str, value: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair(key, value)
        .finish()
}

impl Link {
    /// The same with `key=value` added to the query.
    pub fn with(mut self, key: &str, value: &str) -> Self {
        self = self.with_query(&encoded(key, value));
        self
    }

    /// The same with `lang=` the locale.
    pub fn lang(self, locale: Locale) -> Self {
        self.with("lang", locale.as_str())
    }

    /// The same with an already encoded query added (a page's own query, kept as it came).
    pub fn with_query(mut self, query: &str) -> Self {
        if !query.is_empty() {
            if !self.query.is_empty() {
                self.query.push('&');
            }
            self.query.push_str(query);
        }
        self
    }

    /// The relative address, as a redirect or a button hands it out.
    pub fn href(&self) -> String {
        match self.query.as_str() {
            "" => self.page.path(),
            query => format!("{}?{query}", self.page.path()),
        }
    }

    /// The absolute address under `base` (`PUBLIC_BASE_URL`, which may end in a path of its
    /// own: `https://example.com/portal/` gives `https://example.com/portal/api/…`).
    pub fn url(&self, base: &Url) -> String {
        let mut url = base.clone();
        url.set_path(&format!(
            "{}{}",
            base.path().trim_end_matches('/'),
            self.page.path()
        ));
        url.set_query(
            Some(&self.query)
                .filter(|q| !q.is_empty())
                .map(String::as_str),
        );
        url.set_fragment(None);
        url.to_string()
    }
}

/// Where a customer's sign-in lands: only these, so no address from outside is ever
/// followed. `next=` of `/api/SignIn` names one ([`Next::parse`], [`Next::param`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum Next {
    Home,
    /// A company's page (`next=company:{companyId}`); whether the person is a member is
    /// decided there.
    Company(String),
    Profile,
    CreateCompany,
    /// Linking that login, which asked for a sign-in again first: resumed after it.
    LinkMicrosoft,
    LinkGoogle,
}

impl Next {
    /// The page a sign-in lands on.
    pub fn link(&self) -> Link {
        match self {
            Self::Home => Page::Home.into(),
            Self::Company(id) => Page::Company(id.clone()).into(),
            Self::Profile => Page::Profile.into(),
            Self::CreateCompany => Page::CreateCompany.into(),
            Self::LinkMicrosoft => Page::ProfileLink.with("provider", "microsoft"),
            Self::LinkGoogle => Page::ProfileLink.with("provider", "google"),
        }
    }

    /// The `next` parameter of `/api/SignIn` that leads here (`home` by default).
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "home" => Some(Self::Home),
            "profile" => Some(Self::Profile),
            "create-company" => Some(Self::CreateCompany),
            "link-microsoft" => Some(Self::LinkMicrosoft),
            "link-google" => Some(Self::LinkGoogle),
            _ => value
                .strip_prefix("company:")
                .and_then(crate::domain::account::CompanyId::parse)
                .map(|id| Self::Company(id.as_str().to_owned())),
        }
    }

    /// What `next=` says to come back here ([`Next::parse`] reads it).
    pub fn param(&self) -> String {
        match self {
            Self::Home => "home".into(),
            Self::Company(id) => format!("company:{id}"),
            Self::Profile => "profile".into(),
            Self::CreateCompany => "create-company".into(),
            Self::LinkMicrosoft => "link-microsoft".into(),
            Self::LinkGoogle => "link-google".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_link_keeps_the_path_of_the_public_address() {
        let link = Page::InvitationLink("0123.abc-_".into());
        let base = Url::parse("https://p.example/portal/").unwrap();
        assert_eq!(
            link.url(&base),
            "https://p.example/portal/api/InviteUser?invitationId=0123.abc-_"
        );
        let base = Url::parse("https://p.example").unwrap();
        assert_eq!(
            link.url(&base),
            "https://p.example/api/InviteUser?invitationId=0123.abc-_"
        );
        assert_eq!(
            Page::AcceptInvite.url(&Url::parse("http://127.0.0.1:7071/").unwrap()),
            "http://127.0.0.1:7071/api/AcceptInvite"
        );
    }

    #[test]
    fn a_query_is_encoded_in_the_order_it_was_given() {
        let sign_in = Page::SignIn
            .with("prompt", "login")
            .with("next", "company:c1")
            .lang(Locale::Fr);
        assert_eq!(
            sign_in.href(),
            "/api/SignIn?prompt=login&next=company%3Ac1&lang=fr"
        );
        let link = Link::from(Page::InvitationLink("s".into())).with("prompt", "login");
        assert_eq!(link.href(), "/api/InviteUser?invitationId=s&prompt=login");
        assert_eq!(Page::Office.href(), "/api/Staff");
        let back = Link::from(Page::Office).with_query("status=pending&x=%20");
        assert_eq!(back.href(), "/api/Staff?status=pending&x=%20");
    }

    #[test]
    fn a_staff_sign_in_returns_to_back_office_pages_only() {
        assert!(Page::is_office("/api/Staff"));
        assert!(Page::is_office("/api/Staff?lang=fr"));
        assert!(Page::is_office("/api/Staff/invitations/x"));
        assert!(!Page::is_office("/api/StaffCallback"));
        assert!(!Page::is_office("/api/Staff//evil.example"));
        assert!(!Page::is_office("https://evil.example/api/Staff"));
        assert!(!Page::is_office("/api/Home"));
    }

    fn company() -> String {
        use crate::domain::account::CompanyId;
        use crate::domain::invitation::InvitationId;
        let invitation = InvitationId::new(time::OffsetDateTime::UNIX_EPOCH, 7);
        CompanyId::for_invitation(&invitation).as_str().to_owned()
    }

    #[test]
    fn every_next_reads_back_as_itself() {
        for next in [
            Next::Home,
            Next::Profile,
            Next::CreateCompany,
            Next::Company(company()),
            Next::LinkMicrosoft,
            Next::LinkGoogle,
        ] {
            assert_eq!(Next::parse(&next.param()), Some(next));
        }
        assert_eq!(Next::parse("https://evil.example"), None);
    }
}
