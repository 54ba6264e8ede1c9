//! Medians and percentiles of samples, and how they are printed.

use std::time::Duration;

#[derive(Debug, Clone, Default)]
pub struct Samples(Vec<f64>); // milliseconds

impl Samples {
    pub fn push(&mut self, d: Duration) {
        self.0.push(d.as_secs_f64() * 1000.0);
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    fn sorted(&self) -> Vec<f64> {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        v
    }
    /// The middle value (mean of the two middle ones for an even count).
    pub fn median(&self) -> f64 {
        let v = self.sorted();
        match v.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => v[n / 2],
            n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
        }
    }
    /// Nearest-rank percentile.
    pub fn percentile(&self, p: f64) -> f64 {
        let v = self.sorted();
        if v.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
        v[rank.clamp(1, v.len()) - 1]
    }
    pub fn p99(&self) -> f64 {
        self.percentile(99.0)
    }
    /// The median of `self[i] - other[i]` over the pairs both have.
    pub fn paired_median_difference(&self, other: &Samples) -> f64 {
        Samples(self.0.iter().zip(&other.0).map(|(a, b)| a - b).collect()).median()
    }
    pub fn values(&self) -> &[f64] {
        &self.0
    }
}

/// Milliseconds with a precision that suits their size.
pub fn ms(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else if v.abs() < 10.0 {
        format!("{v:.2} ms")
    } else if v.abs() < 100.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.0} ms")
    }
}

pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

pub fn bytes_mib(b: u64) -> String {
    format!("{:.2} MiB", b as f64 / (1024.0 * 1024.0))
}
