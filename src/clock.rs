//! The one place the service reads the time. Domain code takes the time as an argument;
//! handlers read it here once per request.

use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        whole_millis(OffsetDateTime::now_utc())
    }
}

/// Times are kept to the millisecond: what storage keeps reads back equal.
fn whole_millis(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(at.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(at)
}

/// The system time shifted by an offset that can be moved forward: tests use it to live
/// through a week without sleeping.
#[derive(Debug, Default)]
pub struct ShiftedClock {
    offset: Mutex<Duration>,
}

impl ShiftedClock {
    pub fn advance(&self, by: Duration) {
        if let Ok(mut offset) = self.offset.lock() {
            *offset += by;
        }
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> OffsetDateTime {
        let offset = self.offset.lock().map(|o| *o).unwrap_or_default();
        whole_millis(OffsetDateTime::now_utc() + offset)
    }
}
