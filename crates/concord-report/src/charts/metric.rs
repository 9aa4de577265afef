//! The forest plot's metric: which of the human raters' estimates it shows.

use concord_stats::report::HumanReport;
use concord_stats::Estimate;

/// Agreement metric of the forest plot (human inter-rater agreement).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// ICC(1,1), one-way random, single rater.
    Icc1,
    /// ICC(2,1) = ICC(A,1), two-way random, absolute agreement, single rater (the default).
    Icc2,
    /// ICC(3,1) = ICC(C,1), two-way mixed, consistency, single rater.
    Icc3,
    /// ICC(1,k), one-way random, mean of k raters.
    Icc1k,
    /// ICC(2,k) = ICC(A,k).
    Icc2k,
    /// ICC(3,k) = ICC(C,k).
    Icc3k,
    /// Krippendorff's alpha, nominal.
    AlphaNominal,
    /// Krippendorff's alpha, ordinal.
    AlphaOrdinal,
    /// Krippendorff's alpha, interval.
    AlphaInterval,
    /// Krippendorff's alpha, ratio.
    AlphaRatio,
}

impl Metric {
    /// Every metric, in the order the app lists them.
    pub const ALL: [Metric; 10] = [
        Metric::Icc1,
        Metric::Icc2,
        Metric::Icc3,
        Metric::Icc1k,
        Metric::Icc2k,
        Metric::Icc3k,
        Metric::AlphaNominal,
        Metric::AlphaOrdinal,
        Metric::AlphaInterval,
        Metric::AlphaRatio,
    ];

    /// The metric's key, as in the report's flattened rows (`ICC2`, `alpha_interval`).
    pub fn key(self) -> &'static str {
        match self {
            Metric::Icc1 => "ICC1",
            Metric::Icc2 => "ICC2",
            Metric::Icc3 => "ICC3",
            Metric::Icc1k => "ICC1k",
            Metric::Icc2k => "ICC2k",
            Metric::Icc3k => "ICC3k",
            Metric::AlphaNominal => "alpha_nominal",
            Metric::AlphaOrdinal => "alpha_ordinal",
            Metric::AlphaInterval => "alpha_interval",
            Metric::AlphaRatio => "alpha_ratio",
        }
    }

    /// The name printed on charts, e.g. "ICC(2,1) = ICC(A,1)".
    pub fn label(self) -> &'static str {
        match self {
            Metric::Icc1 => "ICC(1,1)",
            Metric::Icc2 => "ICC(2,1) = ICC(A,1)",
            Metric::Icc3 => "ICC(3,1) = ICC(C,1)",
            Metric::Icc1k => "ICC(1,k)",
            Metric::Icc2k => "ICC(2,k) = ICC(A,k)",
            Metric::Icc3k => "ICC(3,k) = ICC(C,k)",
            Metric::AlphaNominal => "Krippendorff's α (nominal)",
            Metric::AlphaOrdinal => "Krippendorff's α (ordinal)",
            Metric::AlphaInterval => "Krippendorff's α (interval)",
            Metric::AlphaRatio => "Krippendorff's α (ratio)",
        }
    }

    /// The keys of every metric.
    pub fn names() -> Vec<&'static str> {
        Metric::ALL.iter().map(|m| m.key()).collect()
    }

    /// The metric with this key (case-insensitive).
    pub fn parse(name: &str) -> Option<Metric> {
        let name = name.trim();
        Metric::ALL
            .into_iter()
            .find(|m| m.key().eq_ignore_ascii_case(name))
    }

    /// Whether this is one of the six ICC forms (judges are then shown with ICC(A,1)).
    pub fn is_icc(self) -> bool {
        !matches!(
            self,
            Metric::AlphaNominal
                | Metric::AlphaOrdinal
                | Metric::AlphaInterval
                | Metric::AlphaRatio
        )
    }

    /// The human inter-rater estimate of this metric in `h`.
    pub fn human_estimate(self, h: &HumanReport) -> &Estimate {
        match self {
            Metric::Icc1 => &h.icc.icc1,
            Metric::Icc2 => &h.icc.icc2,
            Metric::Icc3 => &h.icc.icc3,
            Metric::Icc1k => &h.icc.icc1k,
            Metric::Icc2k => &h.icc.icc2k,
            Metric::Icc3k => &h.icc.icc3k,
            Metric::AlphaNominal => &h.alpha.nominal,
            Metric::AlphaOrdinal => &h.alpha.ordinal,
            Metric::AlphaInterval => &h.alpha.interval,
            Metric::AlphaRatio => &h.alpha.ratio,
        }
    }

    /// The REML form of this metric (ICC(A,1), ICC(C,1), ICC(A,k), ICC(C,k) from
    /// `humans.icc_reml`); the one-way forms have none.
    pub fn reml_estimate(self, h: &HumanReport) -> Option<&Estimate> {
        match self {
            Metric::Icc2 => Some(&h.icc_reml.icc_a1),
            Metric::Icc3 => Some(&h.icc_reml.icc_c1),
            Metric::Icc2k => Some(&h.icc_reml.icc_ak),
            Metric::Icc3k => Some(&h.icc_reml.icc_ck),
            _ => None,
        }
    }

    /// The estimate a headline shows: on an incomplete design (some responses miss a human)
    /// the REML form, which uses every rating, instead of the ANOVA form on the complete
    /// responses only; `true` when it is the REML form.
    pub fn headline_estimate(self, h: &HumanReport) -> (&Estimate, bool) {
        match self.reml_estimate(h) {
            Some(e) if h.n_dropped > 0 => (e, true),
            _ => (self.human_estimate(h), false),
        }
    }

    /// n behind the human estimate: its own `n`, else the complete targets (ICC) or
    /// the targets with a human rating (α).
    pub fn human_n(self, h: &HumanReport) -> usize {
        let fallback = if self.is_icc() {
            h.n_targets - h.n_dropped
        } else {
            h.n_targets
        };
        self.human_estimate(h).n.unwrap_or(fallback)
    }
}
