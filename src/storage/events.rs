//! The events' outbox, table `{prefix}Events`: one row per event, keyed by its id in one
//! of 16 partitions `evq-{last hex digit}` ([`keys::event_queue_partition`]), so a burst
//! of changes spreads its writes. The row holds the whole event (type, subject, time,
//! data), whether the change it describes is known to be stored (`Confirmed`), and each
//! destination's attempts. It is written before the change (one insert); the change is
//! then stored as it always was, and the dispatcher finds it there before delivering
//! (`service::events`). `Status` sums the destinations up (`pending` while one is still
//! to be tried, else `failed` when one gave up, else `delivered`), `NextAttemptAt` is the
//! earliest due attempt: the dispatcher's and the staff's queries read these two.

use super::edm::{self, DateTimeTag};
use super::keys;
use super::table::{self, query, read, row_json};
use super::{StoreError, Versioned};
use crate::domain::event::{Attempts, Event, EventId, EventType, Standing};
use async_trait::async_trait;
use azure_data_tables::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// An event in the outbox, with where each destination stands.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedEvent {
    pub event: Event,
    /// The change it describes is known to be stored.
    pub confirmed: bool,
    pub queued_at: OffsetDateTime,
    pub destinations: Vec<Attempts>,
    /// When the last destination took it (kept 7 days for redelivery, then purged).
    pub delivered_at: Option<OffsetDateTime>,
}

impl QueuedEvent {
    pub fn new(
        event: Event,
        destinations: Vec<String>,
        confirmed: bool,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            event,
            confirmed,
            queued_at: now,
            destinations: destinations
                .into_iter()
                .map(|d| Attempts::new(d, now))
                .collect(),
            delivered_at: None,
        }
    }

    /// `pending` while a destination is still to be tried, else `failed` when one gave
    /// up, else `delivered`.
    pub fn standing(&self) -> Standing {
        let any = |s| self.destinations.iter().any(|d| d.standing == s);
        if any(Standing::Pending) {
            Standing::Pending
        } else if any(Standing::Failed) {
            Standing::Failed
        } else {
            Standing::Delivered
        }
    }

    /// The earliest attempt due (the queue time while none is pending).
    pub fn next_attempt_at(&self) -> OffsetDateTime {
        self.destinations
            .iter()
            .filter(|d| d.standing == Standing::Pending)
            .map(|d| d.next_attempt_at)
            .min()
            .unwrap_or(self.queued_at)
    }
}

#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    async fn ensure_table(&self) -> Result<(), StoreError>;
    /// Writes the rows of events whose changes are about to be stored: one request (an
    /// entity-group transaction when they share a partition, as one change's do).
    async fn enqueue(&self, events: &[QueuedEvent]) -> Result<(), StoreError>;
    async fn get(&self, id: &EventId) -> Result<Option<Versioned<QueuedEvent>>, StoreError>;
    /// Replaces the row if it still has `etag`; its new ETag, `None` when it changed.
    async fn replace(&self, queued: &QueuedEvent, etag: &str)
    -> Result<Option<String>, StoreError>;
    /// Deletes the row (an event whose change was never stored, or purged).
    async fn remove(&self, id: &EventId) -> Result<(), StoreError>;
    /// Events in `standing`, in key order, `top` of them after `after`; and where the
    /// next page starts.
    async fn list(
        &self,
        standing: Standing,
        top: usize,
        after: Option<&EventId>,
    ) -> Result<(Vec<QueuedEvent>, Option<EventId>), StoreError>;
    /// Pending events with an attempt due at `now` (at most `top`).
    async fn due(
        &self,
        now: OffsetDateTime,
        top: usize,
    ) -> Result<Vec<Versioned<QueuedEvent>>, StoreError>;
    /// Events done with before `before`: delivered before it, or given up (`failed`)
    /// and queued a day before it (a day of attempts, then the same keeping).
    async fn finished_before(&self, before: OffsetDateTime) -> Result<Vec<EventId>, StoreError>;
    /// Writes the row of an event unless it exists (an event whose id derives from what
    /// it tells, written once however many passes find it); whether it was written.
    async fn enqueue_once(&self, event: &QueuedEvent) -> Result<bool, StoreError>;
    /// The ids of the stored events of `kind` about moments after `from` (one query: the
    /// expiry pass writes only the ones missing).
    async fn ids_since(
        &self,
        kind: crate::domain::event::EventType,
        from: OffsetDateTime,
    ) -> Result<std::collections::HashSet<String>, StoreError>;
    /// Invitations still `pending` whose link expired after `from`, up to `to`.
    async fn expired_between(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<crate::domain::invitation::Invitation>, StoreError>;
    /// Every stored event about `subject` (erasure reads them to scrub them).
    async fn about(&self, subjects: &[String]) -> Result<Vec<Versioned<QueuedEvent>>, StoreError>;
}

#[derive(Clone)]
pub struct TableEventStore {
    events: TableClient,
    invitations: TableClient,
}

impl TableEventStore {
    pub fn new(service: &TableServiceClient, prefix: &str) -> Self {
        Self {
            events: service.table_client(format!("{prefix}Events")),
            invitations: service.table_client(format!("{prefix}Invitations")),
        }
    }

    async fn rows(
        &self,
        filter: String,
        top: Option<usize>,
    ) -> Result<Vec<Versioned<QueuedEvent>>, StoreError> {
        let rows: Vec<EventEntity> = query(&self.events, Some(filter), top).await?;
        Ok(rows.into_iter().filter_map(readable).collect())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EventEntity {
    partition_key: String,
    row_key: String,
    #[serde(rename = "odata.etag", default, skip_serializing)]
    etag: Option<String>,
    event_type: String,
    subject: String,
    #[serde(with = "edm::datetime")]
    time: OffsetDateTime,
    #[serde(rename = "Time@odata.type", default)]
    time_type: DateTimeTag,
    data: String,
    confirmed: bool,
    #[serde(with = "edm::datetime")]
    queued_at: OffsetDateTime,
    #[serde(rename = "QueuedAt@odata.type", default)]
    queued_at_type: DateTimeTag,
    status: String,
    #[serde(with = "edm::datetime")]
    next_attempt_at: OffsetDateTime,
    #[serde(rename = "NextAttemptAt@odata.type", default)]
    next_attempt_at_type: DateTimeTag,
    #[serde(
        default,
        with = "edm::option_datetime",
        skip_serializing_if = "Option::is_none"
    )]
    delivered_at: Option<OffsetDateTime>,
    #[serde(
        rename = "DeliveredAt@odata.type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    delivered_at_type: Option<DateTimeTag>,
    destinations: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredAttempts {
    destination: String,
    standing: String,
    attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    first_attempt_at: Option<String>,
    next_attempt_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
}

fn entity(queued: &QueuedEvent) -> Result<EventEntity, StoreError> {
    let id = &queued.event.id;
    let destinations: Vec<StoredAttempts> = queued
        .destinations
        .iter()
        .map(|d| StoredAttempts {
            destination: d.destination.clone(),
            standing: d.standing.as_str().to_owned(),
            attempts: d.attempts,
            first_attempt_at: d.first_attempt_at.map(edm::format),
            next_attempt_at: edm::format(d.next_attempt_at),
            last_error: d.last_error.clone(),
        })
        .collect();
    Ok(EventEntity {
        partition_key: keys::event_queue_partition(id),
        row_key: id.as_str().to_owned(),
        etag: None,
        event_type: queued.event.kind.as_str().to_owned(),
        subject: queued.event.subject.clone(),
        time: queued.event.time,
        time_type: DateTimeTag,
        data: to_json(&queued.event.data)?,
        confirmed: queued.confirmed,
        queued_at: queued.queued_at,
        queued_at_type: DateTimeTag,
        status: queued.standing().as_str().to_owned(),
        next_attempt_at: queued.next_attempt_at(),
        next_attempt_at_type: DateTimeTag,
        delivered_at: queued.delivered_at,
        delivered_at_type: queued.delivered_at.map(|_| DateTimeTag),
        destinations: to_json(&destinations)?,
    })
}

fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Unexpected(e.to_string()))
}

fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

/// The event a row holds; `None` (logged) for a row this version cannot read.
fn readable(row: EventEntity) -> Option<Versioned<QueuedEvent>> {
    let key = row.row_key.clone();
    let read = || -> Option<Versioned<QueuedEvent>> {
        let stored: Vec<StoredAttempts> = serde_json::from_str(&row.destinations).ok()?;
        let destinations = stored
            .into_iter()
            .map(|d| {
                Some(Attempts {
                    destination: d.destination,
                    standing: Standing::parse(&d.standing)?,
                    attempts: d.attempts,
                    first_attempt_at: d.first_attempt_at.as_deref().and_then(parse_time),
                    next_attempt_at: parse_time(&d.next_attempt_at)?,
                    last_error: d.last_error,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Versioned {
            value: QueuedEvent {
                event: Event {
                    id: EventId::parse(&row.row_key).ok()?,
                    kind: EventType::parse(&row.event_type)?,
                    subject: row.subject,
                    time: row.time,
                    data: serde_json::from_str(&row.data).ok()?,
                },
                confirmed: row.confirmed,
                queued_at: row.queued_at,
                destinations,
                delivered_at: row.delivered_at,
            },
            etag: row.etag.unwrap_or_default(),
        })
    };
    let found = read();
    if found.is_none() {
        tracing::warn!(event = %key, "unreadable event row left alone");
    }
    found
}

#[async_trait]
impl EventStore for TableEventStore {
    async fn ensure_table(&self) -> Result<(), StoreError> {
        table::ensure(&self.events).await
    }

    async fn enqueue(&self, events: &[QueuedEvent]) -> Result<(), StoreError> {
        let rows = events.iter().map(entity).collect::<Result<Vec<_>, _>>()?;
        let Some(first) = rows.first() else {
            return Ok(());
        };
        if rows.len() == 1 {
            return match table::insert_absent(&self.events, first).await? {
                true => Ok(()),
                false => Err(StoreError::Unexpected(format!(
                    "event {} exists",
                    first.row_key
                ))),
            };
        }
        let partition = first.partition_key.clone();
        if rows.iter().all(|r| r.partition_key == partition) {
            let json = rows.iter().map(row_json).collect::<Result<Vec<_>, _>>()?;
            if table::insert_together(&self.events, &partition, &json).await? {
                return Ok(());
            }
            return Err(StoreError::Unexpected("events exist".into()));
        }
        for row in &rows {
            table::insert_absent(&self.events, row).await?;
        }
        Ok(())
    }

    async fn get(&self, id: &EventId) -> Result<Option<Versioned<QueuedEvent>>, StoreError> {
        let partition = keys::event_queue_partition(id);
        Ok(read::<EventEntity>(&self.events, &partition, id.as_str())
            .await?
            .and_then(|(mut row, etag)| {
                row.etag = Some(etag);
                readable(row)
            }))
    }

    async fn replace(
        &self,
        queued: &QueuedEvent,
        etag: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = entity(queued)?;
        table::replace_if_match(&self.events, &row.partition_key, &row.row_key, &row, etag).await
    }

    async fn remove(&self, id: &EventId) -> Result<(), StoreError> {
        table::delete_if_present(&self.events, &keys::event_queue_partition(id), id.as_str())
            .await
            .map(|_| ())
    }

    async fn list(
        &self,
        standing: Standing,
        top: usize,
        after: Option<&EventId>,
    ) -> Result<(Vec<QueuedEvent>, Option<EventId>), StoreError> {
        let mut filter = format!("Status eq {}", edm::string_literal(standing.as_str()));
        if let Some(after) = after {
            let partition = edm::string_literal(&keys::event_queue_partition(after));
            filter.push_str(&format!(
                " and (PartitionKey gt {partition} or (PartitionKey eq {partition} and RowKey gt {}))",
                edm::string_literal(after.as_str())
            ));
        }
        let mut rows: Vec<QueuedEvent> = self
            .rows(filter, Some(top + 1))
            .await?
            .into_iter()
            .map(|v| v.value)
            .collect();
        let more = rows.len() > top;
        rows.truncate(top);
        let next = if more {
            rows.last().map(|r| r.event.id.clone())
        } else {
            None
        };
        Ok((rows, next))
    }

    async fn due(
        &self,
        now: OffsetDateTime,
        top: usize,
    ) -> Result<Vec<Versioned<QueuedEvent>>, StoreError> {
        let filter = format!(
            "Status eq 'pending' and NextAttemptAt le {}",
            edm::filter_literal(now)
        );
        self.rows(filter, Some(top)).await
    }

    async fn finished_before(&self, before: OffsetDateTime) -> Result<Vec<EventId>, StoreError> {
        let filter = format!(
            "(Status eq 'delivered' and DeliveredAt lt {}) or (Status eq 'failed' and QueuedAt lt {})",
            edm::filter_literal(before),
            edm::filter_literal(before - time::Duration::days(1))
        );
        Ok(self
            .rows(filter, None)
            .await?
            .into_iter()
            .map(|v| v.value.event.id)
            .collect())
    }

    async fn enqueue_once(&self, event: &QueuedEvent) -> Result<bool, StoreError> {
        table::insert_absent(&self.events, &entity(event)?).await
    }

    async fn ids_since(
        &self,
        kind: crate::domain::event::EventType,
        from: OffsetDateTime,
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        let filter = format!(
            "EventType eq {} and Time gt {}",
            edm::string_literal(kind.as_str()),
            edm::filter_literal(from)
        );
        let rows: Vec<serde_json::Value> = query(&self.events, Some(filter), None).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| Some(row["RowKey"].as_str()?.to_owned()))
            .collect())
    }

    async fn expired_between(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Vec<crate::domain::invitation::Invitation>, StoreError> {
        let filter = format!(
            "Status eq 'pending' and ExpiresAt gt {} and ExpiresAt le {}",
            edm::filter_literal(from),
            edm::filter_literal(to)
        );
        let rows: Vec<super::entity::InvitationEntity> =
            query(&self.invitations, Some(filter), None).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| crate::domain::invitation::Invitation::try_from(row).ok())
            .collect())
    }

    async fn about(&self, subjects: &[String]) -> Result<Vec<Versioned<QueuedEvent>>, StoreError> {
        let mut found = Vec::new();
        for subject in subjects {
            let filter = format!("Subject eq {}", edm::string_literal(subject));
            found.extend(self.rows(filter, None).await?);
        }
        Ok(found)
    }
}
