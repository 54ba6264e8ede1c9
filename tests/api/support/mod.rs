//! `TestApp`: the real handler, in this process, on a free port, with its own tables in a
//! real Azurite, a real SMTP server and a real staff identity provider.

pub mod azurite;
pub mod browser;
pub mod mailbox;
pub mod stack;
pub mod staff;
pub mod storage_calls;
pub mod tokens;
pub mod totp;

use invitations::app::Application;
use invitations::clock::ShiftedClock;
use invitations::domain::account::{AccountId, CompanyId};
use invitations::settings::Settings;
use reqwest::Method;
use serde_json::{Value, json};
pub use stack::stack;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokens::StaffIdp;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub idp: StaffIdp,
    pub clock: Arc<ShiftedClock>,
    pub table_prefix: String,
    /// The running handler's services, to call operations directly.
    pub services: invitations::service::Services,
    /// The connection string of the storage this app uses (the shared Azurite unless a
    /// test gave its own).
    storage: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Changes to the environment a test app starts with (`None` removes a setting).
pub type Overrides = Vec<(&'static str, Option<String>)>;

/// Every table the handler keeps (without the prefix).
pub const TABLES: [&str; 7] = [
    "Invitations",
    "InvitationIndex",
    "Companies",
    "Accounts",
    "Limits",
    "PrivacyRequests",
    "Events",
];

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name no other test uses (tables, email addresses).
/// A `COOKIE_KEY` of 64 random bytes, base64.
pub fn random_cookie_key() -> String {
    use base64::Engine as _;
    let key: [u8; 64] = std::array::from_fn(|_| rand::random());
    base64::engine::general_purpose::STANDARD.encode(key)
}

pub fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    format!("{prefix}{}x{n}", std::process::id())
}

/// An email address no other test uses.
pub fn unique_email(name: &str) -> String {
    format!("{}@customer.example", unique(name))
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Vec::new(), |_| {}).await
    }

    pub async fn spawn_with(overrides: Overrides, tune: impl FnOnce(&mut Settings)) -> Self {
        let app = Self::spawn_unready(overrides, tune).await;
        app.wait_for_tables().await;
        app
    }

    /// Like `spawn`, with the in-test provider standing in for B2C too, so tests can
    /// answer a code redemption with any id_token they make.
    pub async fn spawn_with_test_b2c() -> Self {
        Self::spawn_test_b2c_with(Vec::new()).await
    }

    /// [`Self::spawn_with_test_b2c`] with `overrides`.
    pub async fn spawn_test_b2c_with(overrides: Overrides) -> Self {
        let app = Self::start(overrides, |_| {}, true).await;
        app.wait_for_tables().await;
        app
    }

    /// An app whose `PUBLIC_BASE_URL` names `localhost` (WebAuthn refuses an IP address as
    /// its RP ID), reached at that name.
    pub async fn spawn_on_localhost() -> Self {
        let mut app = Self::spawn_with(Vec::new(), |settings| {
            let base = format!("http://localhost:{}", settings.port);
            settings.public_base_url = url::Url::parse(&base).unwrap();
        })
        .await;
        app.address = app.address.replace("127.0.0.1", "localhost");
        app
    }

    /// An app whose storage calls go through a counting pass-through (`take()` them),
    /// none counted yet.
    pub async fn spawn_counted(overrides: Overrides) -> (Self, storage_calls::StorageCalls) {
        Self::counted(overrides, |_| {}, false).await
    }

    /// `spawn_counted` with its settings tuned.
    pub async fn spawn_counted_with(
        overrides: Overrides,
        tune: impl FnOnce(&mut Settings),
    ) -> (Self, storage_calls::StorageCalls) {
        Self::counted(overrides, tune, false).await
    }

    /// [`Self::spawn_counted`] with the in-test provider standing in for B2C too.
    pub async fn spawn_counted_with_test_b2c(
        overrides: Overrides,
    ) -> (Self, storage_calls::StorageCalls) {
        Self::counted(overrides, |_| {}, true).await
    }

    async fn counted(
        overrides: Overrides,
        tune: impl FnOnce(&mut Settings),
        test_b2c: bool,
    ) -> (Self, storage_calls::StorageCalls) {
        let prefix = unique("t");
        let calls =
            storage_calls::StorageCalls::start(&stack().storage_connection_string, &prefix).await;
        let mut all: Overrides = vec![
            ("TABLE_PREFIX", Some(prefix)),
            ("INVITATIONS_STORAGE", Some(calls.connection_string())),
        ];
        all.extend(overrides);
        let app = Self::start(all, tune, test_b2c).await;
        app.wait_for_tables().await;
        calls.take();
        (app, calls)
    }

    /// Starts the handler without waiting for its tables (for storage that is away).
    pub async fn spawn_unready(overrides: Overrides, tune: impl FnOnce(&mut Settings)) -> Self {
        Self::start(overrides, tune, false).await
    }

    async fn start(overrides: Overrides, tune: impl FnOnce(&mut Settings), test_b2c: bool) -> Self {
        let stack = stack();
        let idp = StaffIdp::start().await;
        let table_prefix = unique("t");
        // The public address must be known before start (redirect URIs carry it).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut env: HashMap<&'static str, String> = HashMap::from([
            ("FUNCTIONS_CUSTOMHANDLER_PORT", port.to_string()),
            ("PUBLIC_BASE_URL", format!("http://127.0.0.1:{port}")),
            (
                "INVITATIONS_STORAGE",
                stack.storage_connection_string.clone(),
            ),
            ("TABLE_PREFIX", table_prefix.clone()),
            ("B2C_METADATA_URL", stack.b2c_metadata_url.clone()),
            ("B2C_CLIENT_ID", stack.b2c_client_id.clone()),
            ("B2C_CLIENT_SECRET", stack.b2c_client_secret.clone()),
            ("STAFF_METADATA_URL", idp.metadata_url.clone()),
            ("STAFF_AUDIENCE", tokens::AUDIENCE.to_owned()),
            ("SMTP_URL", stack.smtp_url.clone()),
            ("MAIL_FROM", "invitations@gfms.example".to_owned()),
            ("PRODUCT_NAME", "GFMS Customer Portal".to_owned()),
            ("COOKIE_KEY", random_cookie_key()),
        ]);
        if test_b2c {
            env.insert("B2C_METADATA_URL", idp.metadata_url.clone());
            env.insert("B2C_CLIENT_ID", tokens::B2C_CLIENT.to_owned());
        }
        for (name, value) in overrides {
            match value {
                Some(value) => env.insert(name, value),
                None => env.remove(name),
            };
        }
        let storage = env.get("INVITATIONS_STORAGE").cloned().unwrap_or_default();
        // A test may point the app at another app's tables (a restart with new settings).
        let table_prefix = env.get("TABLE_PREFIX").cloned().unwrap_or(table_prefix);
        let mut settings =
            Settings::from_lookup(|k| env.get(k).cloned()).expect("test settings are valid");
        settings.tuning.delivery_poll_interval = Duration::from_secs(3600);
        settings.tuning.outgoing_timeout = Duration::from_secs(5);
        tune(&mut settings);
        let clock = Arc::new(ShiftedClock::default());
        let app = Application::build_with_clock(settings, clock.clone())
            .await
            .expect("the handler starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let services = app.services();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap();
        Self {
            address,
            client,
            idp,
            clock,
            table_prefix,
            services,
            storage,
            shutdown: Some(tx),
        }
    }

    /// Tables are created in the background at start; tests begin once they exist.
    async fn wait_for_tables(&self) {
        use futures::StreamExt as _;
        for _ in 0..200 {
            let mut ready = true;
            for table in TABLES {
                let mut query = self.table(table).query().top(1).into_stream::<Value>();
                ready &= matches!(query.next().await, Some(Ok(_)));
            }
            if ready {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("tables were not created");
    }

    /// One of this app's tables, reached straight in Azurite.
    pub fn table(&self, name: &str) -> azure_data_tables::prelude::TableClient {
        table(&self.storage, &self.table_prefix, name)
    }

    /// A sign-in through the in-test B2C stand-in: follows `link` in a fresh browser and
    /// answers the code `code` with an id_token for `email` (its claims changed by
    /// `change`, signed with `key`). Returns the browser, the authorize address and the
    /// response of `/api/AcceptInvite`.
    pub async fn sign_in_with_test_b2c(
        &self,
        link: &str,
        email: &str,
        key: &tokens::Key,
        code: &str,
        change: impl FnOnce(&mut Value),
    ) -> (reqwest::Client, String, reqwest::Response) {
        let client = browser::browser();
        let authorize = browser::location(&client.get(link).send().await.unwrap());
        let mut claims = self
            .idp
            .b2c_claims(email, &browser::param(&authorize, "nonce").unwrap());
        change(&mut claims);
        self.idp.answer_next_code_with(tokens::sign(key, &claims));
        let state = browser::param(&authorize, "state").unwrap();
        let callback = format!(
            "{}/api/AcceptInvite?code={code}&state={state}",
            self.address
        );
        let response = client.get(&callback).send().await.unwrap();
        (client, authorize, response)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn invite_with_token(&self, token: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url("/api/InviteUser"))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Invites `email` as a sales person and returns the created invitation.
    pub async fn invite(&self, body: Value) -> Value {
        let response = self.invite_with_token(&self.idp.token(), &body).await;
        assert_eq!(
            response.status(),
            201,
            "invite failed: {:?}",
            response.text().await
        );
        response.json().await.unwrap()
    }

    pub async fn invite_email(&self, email: &str) -> Value {
        self.invite(json!({"email": email, "displayName": "Willy URS"}))
            .await
    }

    /// Staff invite Bert Keller (`email`) as a member of company `company_id`: the link in
    /// the mail he receives.
    pub async fn colleague_link(&self, email: &str, company_id: &str) -> String {
        let body = json!({"email": email, "displayName": "Bert Keller",
            "companyId": company_id, "role": "member"});
        let invited = self.invite_with_token(&self.idp.token(), &body).await;
        assert_eq!(invited.status(), 201);
        let mails = mailbox::wait_for(&stack().maildev_url, email, 1).await;
        mailbox::link_in(&mails[0])
    }

    /// The accounts of `emails` in the roster of company `id`, in the same order.
    pub async fn accounts_of<const N: usize>(
        &self,
        id: &CompanyId,
        emails: [&str; N],
    ) -> [AccountId; N] {
        let stored = self.services.accounts.company(id).await.unwrap().unwrap();
        let (roster, _) = self.services.members.roster(&stored).await.unwrap();
        emails.map(|email| {
            let member = roster
                .members
                .iter()
                .find(|m| m.email.as_str().eq_ignore_ascii_case(email));
            member.unwrap().account.clone()
        })
    }

    /// `{method} {path}` with the staff token.
    pub async fn as_staff(&self, method: Method, path: &str) -> reqwest::Response {
        let request = self.client.request(method, self.url(path));
        request.bearer_auth(self.idp.token()).send().await.unwrap()
    }

    pub async fn get_invitation(&self, id: &str) -> reqwest::Response {
        self.as_staff(Method::GET, &format!("/api/invitations/{id}"))
            .await
    }

    /// `POST /api/invitations/{id}/resend` with the staff token.
    pub async fn resend_raw(&self, id: &str) -> reqwest::Response {
        self.as_staff(Method::POST, &format!("/api/invitations/{id}/resend"))
            .await
    }

    /// `DELETE /api/invitations/{id}` (revoke) with the staff token.
    pub async fn revoke_raw(&self, id: &str) -> reqwest::Response {
        self.as_staff(Method::DELETE, &format!("/api/invitations/{id}"))
            .await
    }

    pub async fn invitation(&self, id: &str) -> Value {
        let response = self.get_invitation(id).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    pub async fn list_raw(&self, query: &str) -> reqwest::Response {
        self.as_staff(Method::GET, &format!("/api/invitations?{query}"))
            .await
    }

    pub async fn list(&self, query: &str) -> Value {
        let response = self.list_raw(query).await;
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
        response.json().await.unwrap()
    }

    /// `GET /api/invitations/stats?{query}` with the staff token.
    pub async fn stats_raw(&self, query: &str) -> reqwest::Response {
        self.as_staff(Method::GET, &format!("/api/invitations/stats?{query}"))
            .await
    }

    /// The sales figures the query asks for (a 200).
    pub async fn stats(&self, query: &str) -> Value {
        let response = self.stats_raw(query).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    pub async fn retry_deliveries(&self) -> Value {
        self.run_timer("RetryDeliveries").await
    }

    /// Calls timer function `name` as the Functions host does; its answer.
    pub async fn run_timer(&self, name: &str) -> Value {
        let response = self
            .client
            .post(self.url(&format!("/{name}")))
            .json(&json!({"Data": {"timer": {"IsPastDue": false}}, "Metadata": {}}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// Every entity of one of this app's tables, as JSON, read straight from Azurite.
    pub async fn table_rows(&self, table: &str) -> Vec<Value> {
        rows_of(&self.table(table)).await
    }

    /// `POST /api/invitations/bulk` with these JSON rows, with the staff token: 200.
    pub async fn bulk(&self, rows: &[Value]) -> Value {
        let response = self
            .client
            .post(self.url("/api/invitations/bulk"))
            .bearer_auth(self.idp.token())
            .json(rows)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// The invitations' own rows (`Invitations`), not the sales figures beside them.
    pub async fn invitation_rows(&self) -> Vec<Value> {
        let mut rows = self.table_rows("Invitations").await;
        rows.retain(|row| !row["RowKey"].as_str().unwrap_or("").starts_with('~'));
        rows
    }

    /// The companies' own rows (`Companies`, RowKey `company`): not their rosters,
    /// histories or lines in the companies list.
    pub async fn companies(&self) -> Vec<Value> {
        let mut rows = self.table_rows("Companies").await;
        rows.retain(|row| row["RowKey"] == "company");
        rows
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Table `{prefix}{name}` of the storage `connection_string` names, reached straight.
pub fn table(
    connection_string: &str,
    prefix: &str,
    name: &str,
) -> azure_data_tables::prelude::TableClient {
    let parsed = azure_storage::ConnectionString::new(connection_string).unwrap();
    azure_data_tables::clients::TableServiceClientBuilder::with_location(
        azure_storage::CloudLocation::Custom {
            account: "devstoreaccount1".into(),
            uri: parsed.table_endpoint.unwrap().to_owned(),
        },
        parsed.storage_credentials().unwrap(),
    )
    .build()
    .table_client(format!("{prefix}{name}"))
}

/// Every row of a table, as JSON, read straight from storage.
pub async fn rows_of(table: &azure_data_tables::prelude::TableClient) -> Vec<Value> {
    use futures::StreamExt as _;
    let mut stream = table.query().into_stream::<Value>();
    let mut rows = Vec::new();
    while let Some(page) = stream.next().await {
        rows.extend(page.unwrap().entities);
    }
    rows
}

/// The events of an invitation's history, oldest first.
pub fn events(invitation: &Value) -> Vec<&str> {
    invitation["history"]
        .as_array()
        .expect("the invitation has a history")
        .iter()
        .map(|h| h["event"].as_str().expect("an event name"))
        .collect()
}

/// Asserts a problem-details response and returns its body.
pub async fn problem(response: reqwest::Response, status: u16) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(body["type"].is_string() && body["title"].is_string() && body["detail"].is_string());
    body
}

/// Sends `request`: its JSON body, whatever the status.
pub async fn json_of(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}
