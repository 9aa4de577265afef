//! Percentile quantiles.

use super::*;

#[test]
fn quantile_matches_numpy() {
    let v = [1.0, 2.0, 3.0, 4.0];
    assert!((quantile_sorted(&v, 0.025) - 1.075).abs() < 1e-12);
}
