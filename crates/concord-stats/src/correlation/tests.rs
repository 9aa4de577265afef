//! Kendall against the naive count, CCC's degenerate cases.

use super::*;

/// Kendall's tau-b as a bare number.
fn kendall_tau(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() {
        return None;
    }
    kendall_tau_from_table(&PairTable::from_slices(x, y))
}

/// Lin's concordance correlation ρ_c = 2 s_xy/(s_x² + s_y² + (x̄ − ȳ)²), 1/n moments (Lin 1989).
fn ccc_value(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() {
        return None;
    }
    ccc_parts(&PairTable::from_slices(x, y)).map(|p| p.0)
}

#[test]
fn kendall_matches_naive_with_ties() {
    let x = [1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 5.0, 1.0];
    let y = [2.0, 1.0, 2.0, 3.0, 3.0, 5.0, 4.0, 1.0];
    let (mut c, mut d, mut tx, mut ty) = (0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
    for i in 0..8 {
        for j in (i + 1)..8 {
            let s = (x[i] - x[j]) * (y[i] - y[j]);
            if s > 0.0 {
                c += 1.0
            } else if s < 0.0 {
                d += 1.0
            } else if x[i] == x[j] && y[i] != y[j] {
                tx += 1.0
            } else if y[i] == y[j] && x[i] != x[j] {
                ty += 1.0
            }
        }
    }
    let want = (c - d) / ((c + d + tx) * (c + d + ty)).sqrt();
    assert!((kendall_tau(&x, &y).unwrap() - want).abs() < 1e-12);
}

#[test]
fn ccc_of_identical_is_one_and_constant_is_reason() {
    let x = [1.0, 2.0, 3.0, 4.0];
    assert!((ccc_value(&x, &x).unwrap() - 1.0).abs() < 1e-12);
    let c = [2.0; 4];
    assert!(lins_ccc(&c, &c).reason.is_some());
    assert!(pearson(&c, &x).reason.is_some());
    assert!(spearman(&x[..1], &x[..1]).reason.is_some());
}
