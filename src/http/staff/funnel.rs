//! The back office's funnel above the list: sent → opened → signed in → company for the
//! last 30 days, for the signed-in sales person and for everyone. Drawn by the server as
//! an inline SVG of bars (no script, no style attribute: the page's CSP holds), hidden
//! from screen readers, beside a table that holds every number and share as text; then
//! the invitations that need a nudge, each with its resend button.

use crate::domain::invitation::Invitation;
use crate::domain::stats::Figures;
use crate::i18n::{Arg, Tr};
use crate::service::stats::Overview;

/// The widest bar (everyone's or the sales person's `sent`), in SVG units.
const WIDTH: u32 = 240;
const BAR: u32 = 14;
/// The height of one step: its two bars and the gap after them.
const STEP: u32 = 2 * BAR + 12;

/// The funnel and the lists of invitations that need a nudge, each invitation shown as
/// an `R` (the list's row).
pub struct FunnelView<R> {
    pub steps: Vec<StepView>,
    pub bars: Vec<Bar>,
    pub height: u32,
    pub width: u32,
    /// Pending and never opened after `REMINDER_AFTER_DAYS` (`None` when that is 0).
    pub unopened: Option<(String, Vec<R>)>,
    pub expired: Vec<R>,
}

/// One step as the table says it: its name, then count and share of sent for the sales
/// person and for everyone.
pub struct StepView {
    pub label: String,
    pub mine: String,
    pub everyone: String,
}

pub struct Bar {
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// `bar-mine` or `bar-everyone` (colours in `staff.css`).
    pub class: &'static str,
}

/// The four steps of a figures answer: sent, opened, accepted (signed in), completed.
fn steps(figures: &Figures) -> [u32; 4] {
    [
        figures.sent,
        figures.opened,
        figures.accepted,
        figures.completed,
    ]
}

/// `count (share of sent)`, the share in whole percent.
fn said(count: u32, sent: u32, tr: Tr) -> String {
    if sent == 0 {
        return count.to_string();
    }
    let percent = (f64::from(count) * 100.0 / f64::from(sent)).round() as i64;
    let count = Arg::Number(i64::from(count));
    tr.with(
        "staff-funnel-count",
        vec![("count", count), ("percent", Arg::Number(percent))],
    )
}

fn width(count: u32, sent: u32) -> u32 {
    if sent == 0 {
        return 0;
    }
    (u64::from(count) * u64::from(WIDTH) / u64::from(sent)) as u32
}

impl<R> FunnelView<R> {
    /// `row` shows an invitation that needs a nudge as of the overview's time.
    pub fn new(
        overview: &Overview,
        reminder_after_days: u32,
        tr: Tr,
        row: impl Fn(&Invitation, time::OffsetDateTime) -> R,
    ) -> Self {
        let labels = [
            "staff-funnel-sent",
            "staff-funnel-opened",
            "staff-funnel-signed-in",
            "staff-funnel-company",
        ];
        let (mine, everyone) = (steps(&overview.mine), steps(&overview.everyone));
        let mut views = Vec::new();
        let mut bars = Vec::new();
        for (n, label) in labels.iter().enumerate() {
            views.push(StepView {
                label: tr.t(label),
                mine: said(mine[n], mine[0], tr),
                everyone: said(everyone[n], everyone[0], tr),
            });
            let y = n as u32 * STEP;
            for (offset, (count, sent, class)) in [
                (mine[n], mine[0], "bar-mine"),
                (everyone[n], everyone[0], "bar-everyone"),
            ]
            .into_iter()
            .enumerate()
            {
                bars.push(Bar {
                    y: y + offset as u32 * BAR,
                    width: width(count, sent),
                    height: BAR,
                    class,
                });
            }
        }
        let rows = |list: &[Invitation]| {
            list.iter()
                .map(|i| row(i, overview.now))
                .collect::<Vec<_>>()
        };
        Self {
            steps: views,
            bars,
            height: labels.len() as u32 * STEP,
            width: WIDTH,
            unopened: (reminder_after_days > 0).then(|| {
                let heading = tr.t1(
                    "staff-nudge-unopened",
                    "days",
                    u64::from(reminder_after_days),
                );
                (heading, rows(&overview.unopened))
            }),
            expired: rows(&overview.expired),
        }
    }
}
