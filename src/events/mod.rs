//! Where events go: each webhook URL (signed as Standard Webhooks says) and an Azure
//! Event Grid topic. The outbox, the retries and the staff's view are in
//! `service::events`; the rows in `storage::events`; the event itself in
//! `domain::event`.

pub mod send;
pub mod signing;
