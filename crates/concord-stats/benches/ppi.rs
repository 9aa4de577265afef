//! Prediction-powered model scores and active sampling on the 70k-response study:
//! 70,000 responses (model = response mod 9), 7 attributes, 4 judges, ~10% human-rated.
//! Single thread, best of 10 runs:
//! - `concord estimate`'s statistics: group the arrays by (judge, model, attribute) and run
//!   `ppi::estimate_models` for each judge (252 estimates, 252 differences, rankings), and
//!   `estimate_models` alone on grouped arrays;
//! - `concord next`'s statistics for one attribute: judge disagreement over 70k responses,
//!   calibration on the rated ones, `active::choose_next` for 1,000 picks.
//!
//! Baseline: `ppi_py` on bit-identical arrays (splitmix64 of a key, the same in
//! `tests/reference/bench_ppi_python.py`), doing less (no differences or ranking). With
//! `CONCORD_PPI_PYTHON=/var/tmp/venv-ppi/bin/python` the bench runs that script first, so both
//! times come from the same run; otherwise it prints the time the script last recorded in
//! `tests/reference/ppi/bench_python.json` and says so.
//!
//! Run: `cargo bench -p concord-stats --bench ppi`

use concord_stats::active::{calibrated_uncertainty, choose_next, judge_disagreement, ActiveModel};
use concord_stats::ppi::{estimate_models, ModelScores};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const RESPONSES: u64 = 70_000;
const ATTRIBUTES: u64 = 7;
const JUDGES: usize = 4;
const MODELS: usize = 9;
const JUDGE_BIAS: [f64; JUDGES] = [0.7, 0.5, 0.3, 0.6];

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn unit(r: u64, a: u64, kind: u64, sub: u64) -> f64 {
    let key = ((r * ATTRIBUTES + a) * 8 + kind) * 4 + sub;
    (splitmix64(key) >> 11) as f64 / (1u64 << 53) as f64
}

fn noise(r: u64, a: u64, kind: u64) -> f64 {
    unit(r, a, kind, 0) + unit(r, a, kind, 1) + unit(r, a, kind, 2) - 1.5
}

fn score(x: f64) -> f64 {
    (x + 0.5).floor().clamp(1.0, 5.0)
}

/// One attribute: judges[j][r], human[r], labelled[r].
struct Attribute {
    judges: Vec<Vec<f64>>,
    human: Vec<f64>,
    labelled: Vec<bool>,
}

fn study() -> Vec<Attribute> {
    (0..ATTRIBUTES)
        .map(|a| {
            let latent: Vec<f64> = (0..RESPONSES)
                .map(|r| 3.0 + 0.1 * (r % MODELS as u64) as f64 + 1.6 * noise(r, a, 0))
                .collect();
            Attribute {
                judges: (0..JUDGES)
                    .map(|j| {
                        (0..RESPONSES)
                            .map(|r| {
                                score(
                                    latent[r as usize]
                                        + JUDGE_BIAS[j]
                                        + 1.4 * noise(r, a, 1 + j as u64),
                                )
                            })
                            .collect()
                    })
                    .collect(),
                human: (0..RESPONSES)
                    .map(|r| score(latent[r as usize] + noise(r, a, 5)))
                    .collect(),
                labelled: (0..RESPONSES).map(|r| unit(r, a, 6, 0) < 0.1).collect(),
            }
        })
        .collect()
}

/// (Y, Ŷ, Ŷ_unl) for one judge, indexed [attribute][model].
type Groups = Vec<Vec<[Vec<f64>; 3]>>;

/// Split one judge's scores by (attribute, model), as the CLI will.
fn group(data: &[Attribute], j: usize) -> Groups {
    data.iter()
        .map(|d| {
            let per_model = RESPONSES as usize / MODELS + 1;
            let mut g: Vec<[Vec<f64>; 3]> = (0..MODELS)
                .map(|_| {
                    [
                        Vec::with_capacity(per_model / 8),
                        Vec::with_capacity(per_model / 8),
                        Vec::with_capacity(per_model),
                    ]
                })
                .collect();
            for r in 0..RESPONSES as usize {
                let m = &mut g[r % MODELS];
                if d.labelled[r] {
                    m[0].push(d.human[r]);
                    m[1].push(d.judges[j][r]);
                } else {
                    m[2].push(d.judges[j][r]);
                }
            }
            g
        })
        .collect()
}

/// `estimate_models` for one judge's groups; returns the sum of PPI++ means.
fn estimate(groups: &Groups, j: usize) -> f64 {
    let names: Vec<String> = (0..MODELS).map(|m| format!("model{m}")).collect();
    let attrs: Vec<String> = (0..ATTRIBUTES).map(|a| format!("attr{a}")).collect();
    let scores: Vec<ModelScores> = groups
        .iter()
        .enumerate()
        .flat_map(|(a, g)| {
            let (names, attrs) = (&names, &attrs);
            g.iter().enumerate().map(move |(m, s)| ModelScores {
                model: &names[m],
                attribute: &attrs[a],
                y: &s[0],
                yhat: &s[1],
                yhat_unlabelled: &s[2],
            })
        })
        .collect();
    let set = estimate_models(&format!("judge{j}"), &scores, 0.05);
    black_box(&set);
    set.estimates.iter().filter_map(|e| e.ppi_plus.value).sum()
}

fn next_batch(d: &Attribute) -> usize {
    let refs: Vec<&[f64]> = d.judges.iter().map(|j| j.as_slice()).collect();
    let s = judge_disagreement(&refs);
    let (mut rated_s, mut rated_r) = (Vec::new(), Vec::new());
    for r in (0..RESPONSES as usize).filter(|&r| d.labelled[r]) {
        let f = d.judges.iter().map(|j| j[r]).sum::<f64>() / JUDGES as f64;
        rated_s.push(s[r]);
        rated_r.push(d.human[r] - f);
    }
    let per_model: Vec<Vec<f64>> = (0..MODELS)
        .map(|m| {
            let sm: Vec<f64> = s.iter().skip(m).step_by(MODELS).copied().collect();
            calibrated_uncertainty(&sm, &rated_s, &rated_r)
        })
        .collect();
    let models: Vec<ActiveModel> = per_model
        .iter()
        .map(|u| ActiveModel {
            model: "m",
            uncertainty: u,
        })
        .collect();
    choose_next(&models, 1000, 0.1, 12).picks.len()
}

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn python_baseline() -> Option<(f64, f64, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference");
    let fresh = match std::env::var("CONCORD_PPI_PYTHON") {
        Ok(python) => {
            let ok = std::process::Command::new(python)
                .arg(root.join("bench_ppi_python.py"))
                .stdout(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                eprintln!("warning: bench_ppi_python.py failed; using the recorded time");
            }
            ok
        }
        Err(_) => false,
    };
    let text = std::fs::read_to_string(root.join("ppi/bench_python.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let when = if fresh {
        "measured in this run".to_string()
    } else {
        format!(
            "recorded {} UTC by the script (set CONCORD_PPI_PYTHON to re-measure)",
            v["measured_utc"].as_str().unwrap_or("?")
        )
    };
    Some((
        v["best_seconds"].as_f64()?,
        v["checksum_ppi_plus_sum"].as_f64()?,
        when,
    ))
}

fn main() {
    let baseline = python_baseline();
    let data = study();
    let mut checksum = 0.0;
    let total = best_of(10, || {
        checksum = (0..JUDGES).map(|j| estimate(&group(&data, j), j)).sum();
    });
    let grouped: Vec<Groups> = (0..JUDGES).map(|j| group(&data, j)).collect();
    let stats = best_of(10, || {
        black_box((0..JUDGES).map(|j| estimate(&grouped[j], j)).sum::<f64>());
    });
    let mut picks = 0;
    let next = best_of(10, || picks = next_batch(&data[0]));
    println!("70k responses × 7 attributes × 4 judges × 9 models (best of 10, single thread)");
    println!(
        "estimate (group + 252 PPI++/PPI/human-only estimates, 252 differences, rankings): {:>8.2} ms",
        total.as_secs_f64() * 1e3
    );
    println!(
        "  of which estimate_models alone (arrays already grouped):                       {:>8.2} ms",
        stats.as_secs_f64() * 1e3
    );
    println!(
        "next (disagreement + calibration + 1,000 picks over 70k responses, {picks} picked): {:>8.2} ms",
        next.as_secs_f64() * 1e3
    );
    match baseline {
        Some((secs, py_sum, when)) => {
            println!(
                "ppi_py on the same arrays (estimates only): {:>8.2} ms — {when}",
                secs * 1e3
            );
            println!(
                "ratio ppi_py / Rust estimate_models (neither timing the grouping): {:.0}×; with Rust's grouping: {:.1}×",
                secs / stats.as_secs_f64(),
                secs / total.as_secs_f64()
            );
            println!(
                "checksum Σ PPI++ Rust {checksum:.9} vs ppi_py {py_sum:.9} (|Δ| {:.1e})",
                (checksum - py_sum).abs()
            );
        }
        None => println!("no ppi_py baseline: run tests/reference/bench_ppi_python.py"),
    }
}
