//! The one result type every metric returns: a value with its interval, or a reason.

use serde::{Deserialize, Serialize};

/// A point estimate with optional 95% CI and extras; `value: None` always carries a `reason`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Estimate {
    /// The estimate; `None` when it cannot be computed (see `reason`).
    pub value: Option<f64>,
    /// Lower and upper 95% confidence bounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci95: Option<[f64; 2]>,
    /// Standard error (asymptotic, jackknife or linearisation; see `method`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub se: Option<f64>,
    /// F statistic (ICC forms).
    #[serde(rename = "F", default, skip_serializing_if = "Option::is_none")]
    pub f: Option<f64>,
    /// Numerator degrees of freedom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub df1: Option<f64>,
    /// Denominator degrees of freedom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub df2: Option<f64>,
    /// Two-sided p-value of the test of "no agreement / no association".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<f64>,
    /// Number of targets (units, pairs or models) the estimate used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<usize>,
    /// How the interval was obtained (e.g. "F", "bootstrap-percentile", "fisher-z").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_method: Option<String>,
    /// Bootstrap seed, when the interval is a bootstrap interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Number of bootstrap resamples asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resamples: Option<usize>,
    /// Bootstrap resamples whose statistic was undefined (left out of the interval).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undefined_resamples: Option<usize>,
    /// Why the value (or only the interval) is missing, or why the interval has zero width.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Estimate {
    /// No estimate, with the reason why.
    pub fn missing(reason: impl Into<String>) -> Self {
        Estimate {
            reason: Some(reason.into()),
            ..Default::default()
        }
    }

    /// A point estimate; a non-finite value becomes a missing estimate.
    pub fn point(value: f64) -> Self {
        if value.is_finite() {
            Estimate {
                value: Some(value),
                ..Default::default()
            }
        } else {
            Estimate::missing("the estimate is undefined for these data (non-finite result)")
        }
    }

    /// `point(value)` when `Some`, otherwise `missing(reason)`.
    pub fn from_option(value: Option<f64>, reason: &str) -> Self {
        match value {
            Some(v) => Estimate::point(v),
            None => Estimate::missing(reason),
        }
    }

    /// Attach a CI; non-finite bounds drop the CI and record why (the value is kept).
    pub fn with_ci(mut self, lo: f64, hi: f64, method: &str) -> Self {
        if self.value.is_none() {
            return self;
        }
        if lo.is_finite() && hi.is_finite() {
            self.ci95 = Some([lo.min(hi), lo.max(hi)]);
            self.ci_method = Some(method.to_string());
        } else if self.reason.is_none() {
            self.reason = Some("confidence interval undefined for these data".to_string());
        }
        self
    }

    /// Attach a percentile bootstrap CI from the resampled statistics `draws` (non-finite =
    /// undefined resample, counted in `undefined_resamples`). Fewer than half defined: no CI,
    /// with the reason; a zero-width interval is kept with a reason saying so.
    pub fn with_percentile_ci(self, draws: &mut Vec<f64>, asked: usize, method: &str) -> Self {
        self.with_resampled_ci(draws, asked, method, crate::bootstrap::percentile_ci)
    }

    fn with_resampled_ci(
        mut self,
        draws: &mut Vec<f64>,
        asked: usize,
        method: &str,
        interval: impl FnOnce(&mut Vec<f64>, usize) -> Option<(f64, f64)>,
    ) -> Self {
        if self.value.is_none() {
            return self;
        }
        let undefined = draws.iter().filter(|v| !v.is_finite()).count();
        self.undefined_resamples = Some(undefined);
        match interval(draws, asked) {
            Some((lo, hi)) => {
                self = self.with_ci(lo, hi, method);
                if self.ci95.is_some() && hi - lo <= 1e-12 * lo.abs().max(hi.abs()).max(1.0) {
                    self.reason.get_or_insert_with(|| {
                        "zero-width interval: every defined resample gave the same value".into()
                    });
                }
            }
            None => {
                self.reason.get_or_insert_with(|| {
                    format!(
                        "no interval: {undefined} of {asked} bootstrap resamples were undefined"
                    )
                });
            }
        }
        self
    }

    /// Keep the CI inside the parameter's range [lo, hi] and around its own estimate. Bounds
    /// beyond the range are moved to it (the parameter cannot lie there; irrCAC caps at 1 the
    /// same way); a CI that then does not contain the estimate (an approximation that failed
    /// for these data, e.g. an F interval on a handful of targets) is dropped with the reason.
    pub fn within_range(mut self, lo: f64, hi: f64) -> Self {
        let (Some(v), Some([a, b])) = (self.value, self.ci95) else {
            return self;
        };
        let (a, b) = (a.clamp(lo, hi), b.clamp(lo, hi));
        let slack = 1e-12 * v.abs().max(1.0);
        if a - slack <= v && v <= b + slack {
            self.ci95 = Some([a, b]);
        } else {
            self.ci95 = None;
            self.ci_method = None;
            self.reason = Some(format!(
                "interval dropped: [{a:.3}, {b:.3}] does not contain the estimate {v:.3} \
                 (the approximation fails for these data)"
            ));
        }
        self
    }

    /// Record why the value or interval is missing or degenerate, unless a reason is given.
    pub fn with_reason_if_none(mut self, reason: &str) -> Self {
        self.reason.get_or_insert_with(|| reason.to_string());
        self
    }

    /// Attach a standard error (ignored unless finite).
    pub fn with_se(mut self, se: f64) -> Self {
        if self.value.is_some() && se.is_finite() {
            self.se = Some(se);
        }
        self
    }

    /// Attach a p-value (ignored unless finite).
    pub fn with_p(mut self, p: f64) -> Self {
        if self.value.is_some() && p.is_finite() {
            self.p = Some(p.clamp(0.0, 1.0));
        }
        self
    }

    /// Attach the number of targets used.
    pub fn with_n(mut self, n: usize) -> Self {
        self.n = Some(n);
        self
    }

    /// Record the bootstrap seed and resample count.
    pub fn with_bootstrap(mut self, seed: u64, resamples: usize) -> Self {
        self.seed = Some(seed);
        self.resamples = Some(resamples);
        self
    }

    /// True when a finite value is present.
    pub fn is_some(&self) -> bool {
        self.value.is_some()
    }
}
