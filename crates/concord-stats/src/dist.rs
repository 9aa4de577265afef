//! Quantiles and tail probabilities of the F, t and normal distributions (statrs, polished).
//!
//! statrs' inverse CDFs are used as starting points and refined by safeguarded Newton steps on
//! the CDF, so quantiles agree with scipy to ~1e-12 rather than statrs' looser tolerance.

use statrs::distribution::{Continuous, ContinuousCDF, FisherSnedecor, Normal, StudentsT};
use statrs::function::beta::beta_reg;
use std::cell::RefCell;
use std::collections::HashMap;

thread_local! {
    /// Quantiles already computed by the running `agreement_report`, keyed by the bits of
    /// (distribution, p, d1, d2); `None` outside a report. A report asks for the same few
    /// quantiles many times (t(0.975, n − 1) for every judge, rater and Gwet coefficient on
    /// the same n), and each costs a dozen incomplete-beta evaluations. The functions are pure,
    /// so a remembered value is the value a fresh call would return, bit for bit. The memo
    /// lives only for one report, so repeated standalone calls (and benchmarks of them) pay
    /// full price and memory does not accumulate.
    static MEMO: RefCell<Option<HashMap<[u64; 4], f64>>> = const { RefCell::new(None) };
}

/// Keeps the quantile memo active while alive (see `MEMO`); nested guards share it.
pub(crate) struct QuantileMemo {
    outermost: bool,
}

impl QuantileMemo {
    /// Start remembering quantiles on this thread until the guard is dropped.
    pub(crate) fn start() -> QuantileMemo {
        let outermost = MEMO.with_borrow_mut(|m| {
            let fresh = m.is_none();
            if fresh {
                *m = Some(HashMap::new());
            }
            fresh
        });
        QuantileMemo { outermost }
    }
}

impl Drop for QuantileMemo {
    fn drop(&mut self) {
        if self.outermost {
            MEMO.with_borrow_mut(|m| *m = None);
        }
    }
}

/// `f()`, remembered under `key` while a [`QuantileMemo`] is active.
fn memo(key: [u64; 4], f: impl FnOnce() -> f64) -> f64 {
    if let Some(v) = MEMO.with_borrow(|m| m.as_ref().and_then(|m| m.get(&key).copied())) {
        return v;
    }
    let v = f();
    MEMO.with_borrow_mut(|m| {
        if let Some(m) = m {
            m.insert(key, v);
        }
    });
    v
}

/// Standard normal quantile (statrs `Normal::inverse_cdf`).
pub fn normal_quantile(p: f64) -> f64 {
    match Normal::new(0.0, 1.0) {
        Ok(d) => d.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// The two-sided 95% normal critical value z(0.975).
pub fn z975() -> f64 {
    normal_quantile(0.975)
}

/// Standard normal upper tail P(Z > z).
pub fn normal_sf(z: f64) -> f64 {
    match Normal::new(0.0, 1.0) {
        Ok(d) => d.sf(z),
        Err(_) => f64::NAN,
    }
}

fn polish(mut x: f64, p: f64, cdf: impl Fn(f64) -> f64, pdf: impl Fn(f64) -> f64, lo: f64) -> f64 {
    for _ in 0..8 {
        let d = pdf(x);
        if !(d.is_finite() && d > 0.0) {
            break;
        }
        let step = (cdf(x) - p) / d;
        let mut nx = x - step;
        if nx <= lo {
            nx = (x + lo) / 2.0;
        }
        if !nx.is_finite() {
            break;
        }
        let done = (nx - x).abs() <= 1e-15 * x.abs().max(1e-300);
        x = nx;
        if done {
            break;
        }
    }
    x
}

/// Quantile of F(d1, d2) at probability p (statrs FisherSnedecor, Newton-polished).
pub fn f_quantile(p: f64, d1: f64, d2: f64) -> f64 {
    memo([0, p.to_bits(), d1.to_bits(), d2.to_bits()], || {
        f_quantile_uncached(p, d1, d2)
    })
}

fn f_quantile_uncached(p: f64, d1: f64, d2: f64) -> f64 {
    let Ok(d) = FisherSnedecor::new(d1, d2) else {
        return f64::NAN;
    };
    if !(0.0..1.0).contains(&p) || p == 0.0 {
        return f64::NAN;
    }
    let x0 = d.inverse_cdf(p);
    let x0 = if x0.is_finite() && x0 > 0.0 { x0 } else { 1.0 };
    polish(x0, p, |x| d.cdf(x), |x| d.pdf(x), 0.0)
}

/// Upper tail P(F > f) for F(d1, d2), via the regularized incomplete beta for accuracy.
pub fn f_sf(f: f64, d1: f64, d2: f64) -> f64 {
    if !(f.is_finite() && d1 > 0.0 && d2 > 0.0) {
        return f64::NAN;
    }
    if f <= 0.0 {
        return 1.0;
    }
    beta_reg(d2 / 2.0, d1 / 2.0, d2 / (d2 + d1 * f))
}

/// Quantile of Student's t with `df` degrees of freedom (statrs, Newton-polished).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    memo([1, p.to_bits(), df.to_bits(), 0], || {
        t_quantile_uncached(p, df)
    })
}

fn t_quantile_uncached(p: f64, df: f64) -> f64 {
    let Ok(d) = StudentsT::new(0.0, 1.0, df) else {
        return f64::NAN;
    };
    if !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    let x0 = d.inverse_cdf(p);
    let x0 = if x0.is_finite() { x0 } else { 0.0 };
    polish(x0, p, |x| d.cdf(x), |x| d.pdf(x), f64::NEG_INFINITY)
}

/// Two-sided p-value of a t statistic with `df` degrees of freedom.
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    if df.is_nan() || df <= 0.0 || t.is_nan() {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    // P(|T| > t) = I_{df/(df+t²)}(df/2, 1/2)
    beta_reg(df / 2.0, 0.5, df / (df + t * t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_scipy() {
        // scipy.stats.f.ppf(0.975, 5, 15), t.ppf(0.975, 10), norm.ppf(0.975)
        assert!((f_quantile(0.975, 5.0, 15.0) - 3.576_415_349_279_060_7).abs() < 1e-9);
        assert!((t_quantile(0.975, 10.0) - 2.228_138_851_986_273_5).abs() < 1e-10);
        assert!((z975() - 1.959_963_984_540_054).abs() < 1e-12);
        assert!((t_two_sided_p(2.228_138_851_986_273_5, 10.0) - 0.05).abs() < 1e-10);
        assert!((f_sf(3.576_415_349_279_060_7, 5.0, 15.0) - 0.025).abs() < 1e-10);
    }
}
