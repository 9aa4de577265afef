//! The minimiser of the REML deviance.

/// Stopping rule of [`nelder_mead`]: relative spread of values and relative simplex size.
#[derive(Clone, Copy)]
pub(super) struct Tolerance {
    pub(super) f: f64,
    pub(super) x: f64,
}

/// Nelder–Mead minimisation in two dimensions (Nelder & Mead 1965, standard coefficients)
/// from `x0` with initial step `step`; returns the best point and value.
pub(super) fn nelder_mead(
    f: &mut impl FnMut([f64; 2]) -> f64,
    x0: [f64; 2],
    step: f64,
    tol: Tolerance,
) -> ([f64; 2], f64) {
    let mut s = [x0, [x0[0] + step, x0[1]], [x0[0], x0[1] + step]];
    let mut v = [f(s[0]), f(s[1]), f(s[2])];
    for _ in 0..2000 {
        let mut idx = [0, 1, 2];
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let (b, m, w) = (idx[0], idx[1], idx[2]);
        let size = (s[m][0] - s[b][0])
            .abs()
            .max((s[m][1] - s[b][1]).abs())
            .max((s[w][0] - s[b][0]).abs())
            .max((s[w][1] - s[b][1]).abs());
        let scale = 1.0 + s[b][0].abs().max(s[b][1].abs());
        if (v[w] - v[b]).abs() <= tol.f * (1.0 + v[b].abs()) && size < tol.x * scale {
            break;
        }
        let c = [(s[b][0] + s[m][0]) / 2.0, (s[b][1] + s[m][1]) / 2.0];
        let at = |t: f64| [c[0] + t * (s[w][0] - c[0]), c[1] + t * (s[w][1] - c[1])];
        let xr = at(-1.0);
        let fr = f(xr);
        if fr < v[b] {
            let xe = at(-2.0);
            let fe = f(xe);
            (s[w], v[w]) = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < v[m] {
            (s[w], v[w]) = (xr, fr);
        } else {
            let xc = if fr < v[w] { at(-0.5) } else { at(0.5) };
            let fc = f(xc);
            if fc < v[w].min(fr) {
                (s[w], v[w]) = (xc, fc);
            } else {
                for i in [m, w] {
                    s[i] = [(s[i][0] + s[b][0]) / 2.0, (s[i][1] + s[b][1]) / 2.0];
                    v[i] = f(s[i]);
                }
            }
        }
    }
    let b = (0..3).min_by(|&a, &b| v[a].total_cmp(&v[b])).unwrap_or(0);
    (s[b], v[b])
}
