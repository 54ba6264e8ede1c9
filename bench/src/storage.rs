//! The baselines: exactly the Table Storage calls (and the SMTP send) the handler makes,
//! sent straight to the same Azurite and maildev with the same crates, the same client
//! settings (timeouts, idle pool, retry policy) and rows of the same shape, copied from
//! rows the handler itself wrote. What the handler takes beyond these is its overhead.
//!
//! The operations mirror the service's storage layer (as of issue #17, links that carry
//! the invitation's id):
//! - the email link (opened before): one point read of the invitation row (first 5
//!   digits of the id, the id) in `{prefix}Invitations`, whose `LinkHash` is compared;
//! - `POST /api/InviteUser` (8 calls since issue #17's second part): at once, the staff
//!   member's hourly counter hit (read, then ETag replace or insert), the recipient's
//!   daily counter read and the account lookup by email in `{prefix}Accounts`; the
//!   email lock row (`email-{…}`, `active`) and the email listing row in one
//!   entity-group transaction; the mail queue row (`mailq-{last digit of the id}`),
//!   which holds the whole invitation (the outbox); the email sent; then the invitation
//!   row inserted once, as sent, beside the recipient's daily counter written with the
//!   ETag of its read (the handler writes it while the email goes; here beside the
//!   insert, so the send is timed alone). The queue row stays for the delivery retry.

use azure_core::{Etag, ExponentialRetryOptions, RetryOptions, TransportOptions};
use azure_data_tables::IfMatchCondition;
use azure_data_tables::clients::TableServiceClientBuilder;
use azure_data_tables::prelude::*;
use azure_storage::{CloudLocation, ConnectionString};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

pub type Row = Map<String, Value>;

/// The handler's outgoing timeout (settings' default).
pub const OUTGOING_TIMEOUT: Duration = Duration::from_secs(10);

/// A table service client built the way the handler builds its own.
pub fn service_client(connection_string: &str) -> Result<TableServiceClient, String> {
    let parsed = ConnectionString::new(connection_string.trim().trim_end_matches(';'))
        .map_err(|e| format!("connection string: {e}"))?;
    let credentials = parsed
        .storage_credentials()
        .map_err(|e| format!("connection string: {e}"))?;
    let uri = parsed
        .table_endpoint
        .ok_or("the connection string has no TableEndpoint")?
        .trim_end_matches('/')
        .to_owned();
    let account = parsed.account_name.unwrap_or("devstoreaccount1").to_owned();
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(3).min(OUTGOING_TIMEOUT))
        .timeout(OUTGOING_TIMEOUT)
        .pool_idle_timeout(Duration::from_secs(50))
        .build()
        .map_err(|e| e.to_string())?;
    let retry = ExponentialRetryOptions::default()
        .initial_delay(Duration::from_millis(100))
        .max_retries(2u32)
        .max_total_elapsed(Duration::from_secs(3));
    Ok(TableServiceClientBuilder::with_location(
        CloudLocation::Custom { account, uri },
        credentials,
    )
    .transport(TransportOptions::new(Arc::new(http)))
    .retry(RetryOptions::exponential(retry))
    .build())
}

pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The partition of an invitation row: the id's first five digits.
pub fn bucket(id: &str) -> &str {
    &id[..5.min(id.len())]
}

/// An id shaped like the service's: 13 digits counting down from now in milliseconds,
/// then 12 random hex digits.
pub fn new_id() -> String {
    const CEILING: i128 = 9_999_999_999_999;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i128)
        .unwrap_or(0);
    let random: u64 = rand::random();
    format!(
        "{:013}{:012x}",
        (CEILING - now).clamp(0, CEILING),
        random & 0xffff_ffff_ffff
    )
}

/// The windows of the service's counters: the UTC hour (`2026-11-22T10`) and day.
/// The delivery queue's partition of an invitation: `mailq-` and the id's last digit.
pub fn mail_queue(id: &str) -> String {
    format!("mailq-{}", id.chars().last().unwrap_or('0'))
}

pub fn hour_window(at: time::OffsetDateTime) -> String {
    format!("{}T{:02}", at.date(), at.hour())
}

pub fn day_window(at: time::OffsetDateTime) -> String {
    at.date().to_string()
}

#[derive(Clone)]
pub struct Tables {
    pub invitations: TableClient,
    pub index: TableClient,
    pub limits: TableClient,
    pub accounts: TableClient,
}

impl Tables {
    pub fn new(service: &TableServiceClient, prefix: &str) -> Self {
        Self {
            invitations: service.table_client(format!("{prefix}Invitations")),
            index: service.table_client(format!("{prefix}InvitationIndex")),
            limits: service.table_client(format!("{prefix}Limits")),
            accounts: service.table_client(format!("{prefix}Accounts")),
        }
    }

    /// A point read that may find nothing (a 404 is an answer, as in the handler).
    pub async fn read_optional(
        table: &TableClient,
        pk: &str,
        rk: &str,
    ) -> Result<Option<(Row, String)>, String> {
        match table
            .partition_key_client(pk)
            .entity_client(rk)
            .get::<Row>()
            .await
        {
            Ok(response) => Ok(Some((response.entity, response.etag.to_string()))),
            Err(e) => match e.kind() {
                azure_core::error::ErrorKind::HttpResponse { status, .. }
                    if *status as u16 == 404 =>
                {
                    Ok(None)
                }
                _ => Err(format!("read {pk}/{rk}: {e}")),
            },
        }
    }

    /// One hit of a counter, as the service's limit store does it: read, then insert the
    /// first count or replace with the ETag.
    pub async fn hit(&self, key: &str, window: &str) -> Result<(), String> {
        let read = Self::read_optional(&self.limits, key, window).await?;
        self.count_on(key, window, read).await
    }

    /// The write of a counter hit on the counter as `read` found it.
    pub async fn count_on(
        &self,
        key: &str,
        window: &str,
        read: Option<(Row, String)>,
    ) -> Result<(), String> {
        match read {
            None => {
                let mut row = Row::new();
                row.insert("PartitionKey".into(), key.into());
                row.insert("RowKey".into(), window.into());
                row.insert("Count".into(), 1.into());
                Self::insert_absent(&self.limits, &row).await.map(|_| ())
            }
            Some((mut row, etag)) => {
                let count = row.get("Count").and_then(Value::as_i64).unwrap_or(0) + 1;
                row.insert("Count".into(), count.into());
                let row = writable(row);
                self.limits
                    .partition_key_client(key)
                    .entity_client(window)
                    .update(&row, IfMatchCondition::Etag(Etag::from(etag)))
                    .map_err(|e| e.to_string())?
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("counter replace: {e}"))
            }
        }
    }

    /// A point read, as the handler's `read` does (it deserializes into its own types;
    /// here into a JSON map of the same fields).
    pub async fn read(table: &TableClient, pk: &str, rk: &str) -> Result<(Row, String), String> {
        let response = table
            .partition_key_client(pk)
            .entity_client(rk)
            .get::<Row>()
            .await
            .map_err(|e| format!("read {pk}/{rk}: {e}"))?;
        Ok((response.entity, response.etag.to_string()))
    }

    /// Insert-if-absent (`Ok(false)` when the row exists), without echoing the entity.
    pub async fn insert_absent(table: &TableClient, row: &Row) -> Result<(bool, String), String> {
        let insert = table
            .insert::<&Row, Value>(row)
            .map_err(|e| e.to_string())?
            .return_entity(false);
        match insert.await {
            Ok(response) => Ok((true, response.etag.to_string())),
            Err(e) => match e.kind() {
                azure_core::error::ErrorKind::HttpResponse { status, .. }
                    if *status as u16 == 409 =>
                {
                    Ok((false, String::new()))
                }
                _ => Err(format!("insert: {e}")),
            },
        }
    }

    /// The email link's one point read: the invitation row, its link hash compared.
    pub async fn open_link(&self, id: &str, link_hash: &str) -> Result<(), String> {
        let (invitation, _) = Self::read(&self.invitations, bucket(id), id).await?;
        if invitation.get("LinkHash").and_then(Value::as_str) != Some(link_hash) {
            return Err("the invitation row does not carry this link".into());
        }
        Ok(())
    }
}

/// Rows of the shapes the handler writes, taken from rows it wrote.
#[derive(Clone)]
pub struct Templates {
    pub pointer: Row,
    pub invitation: Row,
}

/// A row as read (full metadata) made writable: keys and properties, no `odata.*`
/// annotations of the response nor the service's `Timestamp`.
pub fn writable(mut row: Row) -> Row {
    row.retain(|k, _| !k.starts_with("odata.") && !k.starts_with("Timestamp"));
    row
}

impl Templates {
    /// From the invitation `id` the handler made for `email` (its email lock row is the
    /// pointer's shape).
    pub async fn from_handler_rows(tables: &Tables, id: &str, email: &str) -> Result<Self, String> {
        let email_partition = format!("email-{}", sha256_hex(&email.to_lowercase()));
        let (pointer, _) = Tables::read(&tables.index, &email_partition, "active").await?;
        let (invitation, _) = Tables::read(&tables.invitations, bucket(id), id).await?;
        Ok(Self {
            pointer: writable(pointer),
            invitation: writable(invitation),
        })
    }

    fn pointer(&self, pk: &str, rk: &str, id: &str) -> Row {
        let mut row = self.pointer.clone();
        row.insert("PartitionKey".into(), pk.into());
        row.insert("RowKey".into(), rk.into());
        row.insert("InvitationId".into(), id.into());
        row
    }

    fn marker(pk: &str, rk: &str) -> Row {
        let mut row = Row::new();
        row.insert("PartitionKey".into(), pk.into());
        row.insert("RowKey".into(), rk.into());
        row
    }

    fn invitation(&self, id: &str, email: &str, link_hash: &str) -> Row {
        let mut row = self.invitation.clone();
        row.insert("PartitionKey".into(), bucket(id).into());
        row.insert("RowKey".into(), id.into());
        row.insert("Email".into(), email.into());
        row.insert("LinkHash".into(), link_hash.into());
        row
    }
}

/// One invitation's worth of baseline writes, split around the email the way the
/// handler's create is.
pub struct CreateOps<'a> {
    tables: &'a Tables,
    templates: &'a Templates,
    pub id: String,
    pub email: String,
    invitation: Row,
    /// The recipient's daily counter as read before the send.
    mail_counter: Option<(Row, String)>,
}

impl<'a> CreateOps<'a> {
    pub fn new(tables: &'a Tables, templates: &'a Templates, email: String) -> Self {
        let id = new_id();
        let secret: [u8; 32] = rand::random();
        let link_hash = sha256_hex(&format!("{secret:?}"));
        let invitation = templates.invitation(&id, &email, &link_hash);
        Self {
            tables,
            templates,
            id,
            email,
            invitation,
            mail_counter: None,
        }
    }

    /// The counters and the account lookup at once, the lock and listing rows together,
    /// the queue row holding the invitation.
    pub async fn store(&mut self, staff: &str) -> Result<(), String> {
        let now = time::OffsetDateTime::now_utc();
        let email_partition = format!("email-{}", sha256_hex(&self.email.to_lowercase()));
        let mail_key = format!("mail-{}", sha256_hex(&self.email.to_lowercase()));
        let staff_key = format!("staff-{}", sha256_hex(&staff.to_lowercase()));
        let (hour, day) = (hour_window(now), day_window(now));
        let (staff_hit, mail_read, account_read) = futures::join!(
            self.tables.hit(&staff_key, &hour),
            Tables::read_optional(&self.tables.limits, &mail_key, &day),
            Tables::read_optional(&self.tables.accounts, &email_partition, "account"),
        );
        staff_hit?;
        self.mail_counter = mail_read?;
        account_read?;
        // The email lock and the listing row in one entity-group transaction, then the
        // mail queue row.
        let lock = self.templates.pointer(&email_partition, "active", &self.id);
        let listed = Templates::marker(&email_partition, &self.id);
        let batch = self
            .tables
            .index
            .partition_key_client(&email_partition)
            .transaction()
            .insert(&lock)
            .and_then(|b| b.insert(&listed))
            .map_err(|e| e.to_string())?
            .await
            .map_err(|e| format!("lock and listing: {e}"))?;
        if batch
            .operation_responses
            .iter()
            .any(|r| !r.status_code.is_success())
        {
            return Err("the email lock exists".into());
        }
        let mut queued = self.invitation.clone();
        queued.insert("PartitionKey".into(), mail_queue(&self.id).into());
        if !Tables::insert_absent(&self.tables.index, &queued).await?.0 {
            return Err("the queue row exists".into());
        }
        Ok(())
    }

    /// After the send: the invitation row inserted once, as sent, beside the recipient's
    /// counter written on its read.
    pub async fn record_sent(&mut self) -> Result<(), String> {
        let mut row = self.invitation.clone();
        row.insert("EmailDelivery".into(), "sent".into());
        let now = time::OffsetDateTime::now_utc();
        let mail_key = format!("mail-{}", sha256_hex(&self.email.to_lowercase()));
        let day = day_window(now);
        let (inserted, counted) = futures::join!(
            Tables::insert_absent(&self.tables.invitations, &row),
            self.tables
                .count_on(&mail_key, &day, self.mail_counter.take()),
        );
        if !inserted?.0 {
            return Err("the invitation row exists".into());
        }
        counted
    }
}

/// The same SMTP send as the handler's (lettre, same transport settings, a connection
/// per message), of an email like the handler's own (copied from maildev).
pub struct Mail {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    subject: String,
    text: String,
    html: String,
}

impl Mail {
    pub fn new(
        smtp_url: &str,
        subject: String,
        text: String,
        html: String,
    ) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| e.to_string())?
            .timeout(Some(OUTGOING_TIMEOUT))
            .build();
        let from = "Bench <invitations@localhost>"
            .parse()
            .map_err(|e| format!("{e}"))?;
        Ok(Self {
            transport,
            from,
            subject,
            text,
            html,
        })
    }

    pub async fn send(&self, to: &str) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("{e}"))?;
        let message = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(self.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                self.text.clone(),
                self.html.clone(),
            ))
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("smtp: {e}"))
    }
}
