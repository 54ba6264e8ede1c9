//! The state an operation starts from, made once per operation by the people themselves
//! (staff through the API, customers through the real sign-in at the local OpenID
//! stand-in) against a handler of its own; every case then starts from a copy of its rows
//! and of each person's cookies.

use crate::support::browser::{Browser, company_form, csrf_in, location, page, sign_in_at_b2c};
use crate::support::mailbox::{link_in, sent_to};
use crate::support::{TestApp, random_cookie_key, stack, tokens, unique};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

/// A customer: their address (lower case, as maildev is asked by it), browser and the
/// CSRF token of their session.
pub struct Person {
    pub email: String,
    pub browser: Browser,
    pub csrf: String,
}

pub struct World {
    /// The handler the setup talks to; its staff provider signs every staff token.
    pub app: TestApp,
    cookie_key: String,
    pub people: BTreeMap<&'static str, Person>,
    /// Ids and secrets the setup noted (a company's id, an account's, a login's key…).
    pub values: BTreeMap<&'static str, String>,
}

impl World {
    pub async fn new() -> Self {
        let cookie_key = random_cookie_key();
        let app = TestApp::spawn_with(vec![("COOKIE_KEY", Some(cookie_key.clone()))], |_| {}).await;
        Self {
            app,
            cookie_key,
            people: BTreeMap::new(),
            values: BTreeMap::new(),
        }
    }

    /// The settings every instance of this operation's cases shares (its tables aside).
    pub fn settings(&self, prefix: &str) -> Vec<(&'static str, String)> {
        let stack = stack();
        vec![
            ("TABLE_PREFIX", prefix.to_owned()),
            ("B2C_METADATA_URL", stack.b2c_metadata_url.clone()),
            ("B2C_CLIENT_ID", stack.b2c_client_id.clone()),
            ("B2C_CLIENT_SECRET", stack.b2c_client_secret.clone()),
            ("STAFF_METADATA_URL", self.app.idp.metadata_url.clone()),
            ("STAFF_AUDIENCE", tokens::AUDIENCE.to_owned()),
            ("SMTP_URL", stack.smtp_url.clone()),
            ("MAIL_FROM", "invitations@gfms.example".to_owned()),
            ("PRODUCT_NAME", "GFMS Customer Portal".to_owned()),
            ("COOKIE_KEY", self.cookie_key.clone()),
        ]
    }

    /// A staff token with the roles to invite and to erase.
    pub fn staff_token(&self) -> String {
        self.app
            .idp
            .token_with(|c| c["roles"] = json!([tokens::ROLE, "Invitations.Privacy"]))
    }

    pub fn person(&mut self, name: &'static str) -> &mut Person {
        self.people.entry(name).or_insert_with(|| Person {
            email: format!("{}@customer.example", unique(name)),
            browser: Browser::new(),
            csrf: String::new(),
        })
    }

    pub fn email(&mut self, name: &'static str) -> String {
        self.person(name).email.clone()
    }

    /// Staff invite `name` (`more` adds to the body): the invitation as answered.
    pub async fn invite(&mut self, name: &'static str, more: Value) -> Value {
        let mut body = json!({"email": self.email(name), "displayName": "Willy URS",
            "company": {"name": "URS Machining SA", "country": "BE"}});
        if let Some(company) = more.get("companyId") {
            body["company"] = Value::Null;
            body["companyId"] = company.clone();
            body["role"] = more["role"].clone();
        }
        let answer = self
            .app
            .invite_with_token(&self.app.idp.token(), &body)
            .await;
        assert_eq!(answer.status(), 201, "{:?}", answer.text().await);
        answer.json().await.unwrap()
    }

    /// `name` follows `link` and signs in at the local provider: the callback's answer.
    pub async fn follow(&mut self, name: &'static str, link: &str) -> reqwest::Response {
        let person = self.person(name);
        let client = person.browser.client.clone();
        let email = person.email.clone();
        let response = client.get(link).send().await.unwrap();
        assert_eq!(response.status(), 302, "the link of {name}");
        let callback = sign_in_at_b2c(&client, &location(&response), &email, "local").await;
        client.get(&callback).send().await.unwrap()
    }

    /// Staff invite `name` to create a company; they accept and create it. Its id.
    pub async fn onboard(&mut self, name: &'static str) -> String {
        let invitation = self.invite(name, Value::Null).await;
        let link = invitation["inviteUrl"].as_str().unwrap().to_owned();
        let answer = self.follow(name, &link).await;
        assert_eq!(location(&answer), "/api/CreateCompany");
        let client = self.person(name).browser.client.clone();
        let form = page(&client, &self.app.url("/api/CreateCompany")).await;
        let answer = client
            .post(self.app.url("/api/CreateCompany"))
            .form(&company_form(&csrf_in(&form)))
            .send()
            .await
            .unwrap();
        assert_eq!(location(&answer), "/api/Home");
        self.note_csrf(name).await;
        format!("c{}", invitation["id"].as_str().unwrap())
    }

    /// Staff invite `name` into `company` with `role`; they follow the email's link and
    /// join. Their account id.
    pub async fn join(&mut self, name: &'static str, company: &str, role: &str) -> String {
        self.invite(name, json!({"companyId": company, "role": role}))
            .await;
        let link = self.link_sent_to(name).await;
        let answer = self.follow(name, &link).await;
        assert_eq!(location(&answer), "/api/Home");
        self.note_csrf(name).await;
        self.account(company, name).await
    }

    /// `inviter`, an administrator of `company`, invites `name` as a member from the
    /// company's page: the invitation's id.
    pub async fn invite_from_page(
        &mut self,
        inviter: &'static str,
        company: &str,
        name: &'static str,
    ) -> String {
        let email = self.email(name);
        let inviter = &self.people[inviter];
        let answer = inviter
            .browser
            .client
            .post(
                self.app
                    .url(&format!("/api/Companies/{company}/invitations")),
            )
            .form(&[
                ("email", email.as_str()),
                ("displayName", "Cleo Weber"),
                ("role", "member"),
                ("locale", "de"),
                ("csrf", inviter.csrf.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 303);
        let listed = self.app.list(&format!("email={email}")).await;
        listed["items"][0]["id"].as_str().unwrap().to_owned()
    }

    /// A second account of `name`'s address, a member of `company`, as the code before
    /// one person was one account made it (and the companies list counting it).
    pub async fn twice_made(&mut self, name: &'static str, company: &str) {
        let email = self.email(name);
        crate::integrity::merge::duplicate_account(&self.app, &email, company).await;
        let services = &self.app.services;
        let id = invitations::domain::account::CompanyId::parse(company).unwrap();
        let stored = services.accounts.company(&id).await.unwrap().unwrap();
        let (roster, _) = services.members.roster(&stored).await.unwrap();
        services
            .members
            .list(&stored, roster.members.len())
            .await
            .unwrap();
    }

    /// The link of the newest email to `name`.
    pub async fn link_sent_to(&mut self, name: &'static str) -> String {
        let email = self.email(name);
        for _ in 0..100 {
            if let Some(mail) = sent_to(&stack().maildev_url, &email).await.last() {
                return link_in(mail);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no email to {name}");
    }

    /// Notes the CSRF token of `name`'s session (one per session, on every form).
    pub async fn note_csrf(&mut self, name: &'static str) {
        let client = self.person(name).browser.client.clone();
        let profile = page(&client, &self.app.url("/api/Profile")).await;
        self.person(name).csrf = csrf_in(&profile);
    }

    /// The account id of member `name` of `company` (what the company page's forms send).
    pub async fn account(&mut self, company: &str, name: &'static str) -> String {
        let email = self.email(name);
        let services = &self.app.services;
        let id = invitations::domain::account::CompanyId::parse(company).unwrap();
        let stored = services.accounts.company(&id).await.unwrap().unwrap();
        let (roster, _) = services.members.roster(&stored).await.unwrap();
        let member = roster
            .members
            .iter()
            .find(|m| m.email.as_str().eq_ignore_ascii_case(&email))
            .expect("a member");
        member.account.as_str().to_owned()
    }

    pub fn value(&self, key: &str) -> &str {
        self.values
            .get(key)
            .unwrap_or_else(|| panic!("the setup noted no {key}"))
    }
}
