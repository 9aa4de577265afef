//! Timing, on deterministic synthetic data with 7 raters (3 humans, 4 judges) and 7 attributes
//! (2 composite groups), single thread, bootstrap = 1000 resamples, best of 5 runs:
//! - every metric on one attribute of 10,000 responses (70k ratings in that attribute);
//! - the whole report on a 70k-rating study (1,428 responses × 7 raters × 7 attributes) — the
//!   issue's target (< 20 ms);
//! - the whole report on 10,000 responses × 7 attributes (480k ratings), as a stress case.
//!
//! Run: `cargo bench -p concord-stats --bench agreement`

use concord_stats::icc::icc_forms;
use concord_stats::report::{
    agreement_report, AttributeSpec, Observation, RaterSpec, ReportOptions, StudyRatings,
    TargetSpec, Unit,
};
use concord_stats::testing::alpha::krippendorff_alpha_all;
use concord_stats::testing::alt_test::{alt_test, AltTestOptions};
use concord_stats::testing::bootstrap::BootstrapSpec;
use concord_stats::testing::gwet::gwet;
use concord_stats::testing::icc::icc_unbalanced;
use concord_stats::testing::judge::{paired_agreement, paired_agreement_bootstrap};
use concord_stats::testing::kappa::{cohen_kappa, fleiss_kappa};
use concord_stats::testing::reml::icc_reml;
use concord_stats::testing::replacement::replacement;
use concord_stats::RatingMatrix;
use std::hint::black_box;

#[path = "../tests/support/reml_refit.rs"]
mod reml_refit;
mod support {
    pub mod noise;
}
use std::time::{Duration, Instant};
use support::noise::Noise;

const N_TARGETS: usize = 10_000;
const N_ATTR: usize = 7;
const N_MODELS: usize = 8;

fn study(n_targets: usize) -> StudyRatings {
    let mut rng = Noise(0x9E37_79B9_7F4A_7C15);
    let attributes = (0..N_ATTR)
        .map(|a| AttributeSpec {
            key: format!("attr{a}"),
            group: Some(if a < 4 { "CSS" } else { "ARS" }.to_string()),
            scale_min: 1,
            scale_max: 5,
        })
        .collect();
    let raters: Vec<RaterSpec> = (0..7)
        .map(|r| RaterSpec {
            name: if r < 3 {
                format!("human{r}")
            } else {
                format!("judge{}", r - 3)
            },
            is_judge: r >= 3,
        })
        .collect();
    let targets = (0..n_targets)
        .map(|t| TargetSpec {
            id: format!("resp{t}"),
            model: format!("model{}", t % N_MODELS),
            length: None,
            item: None,
        })
        .collect();
    let bias = [0.0, 0.3, -0.2, 0.7, 0.2, -0.4, 0.5];
    let mut ratings = Vec::with_capacity(n_targets * 7 * N_ATTR);
    for t in 0..n_targets {
        for a in 0..N_ATTR {
            let latent = 3.0 + 0.9 * rng.normal() + 0.1 * (t % N_MODELS) as f64;
            for (r, b) in bias.iter().enumerate() {
                if r < 3 && rng.next() < 0.05 {
                    continue;
                }
                let v = (latent + b + 0.7 * rng.normal()).round().clamp(1.0, 5.0);
                ratings.push(Observation {
                    target: t,
                    rater: r,
                    attribute: a,
                    value: v,
                });
            }
        }
    }
    StudyRatings {
        attributes,
        raters,
        targets,
        ratings,
    }
}

fn best_of<T>(reps: usize, mut f: impl FnMut() -> T) -> Duration {
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:9.3} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let data = study(N_TARGETS);
    let boot = BootstrapSpec {
        resamples: 1000,
        seed: 42,
    };
    // Attribute 0 as a targets × raters matrix.
    let mut cells = vec![None; N_TARGETS * 7];
    for o in data.ratings.iter().filter(|o| o.attribute == 0) {
        cells[o.target * 7 + o.rater] = Some(o.value);
    }
    let all = RatingMatrix::new(N_TARGETS, 7, cells).expect("matrix");
    let humans = all.select_raters(&[0, 1, 2]);
    let col = |j: usize| (0..N_TARGETS).map(|t| all.get(t, j)).collect::<Vec<_>>();
    let (c0, c1) = (col(0), col(1));
    let pairs: Vec<(f64, f64, usize)> = (0..N_TARGETS)
        .filter_map(|t| {
            let hs: Vec<f64> = (0..3).filter_map(|j| all.get(t, j)).collect();
            let j = all.get(t, 3)?;
            (!hs.is_empty()).then(|| (j, hs.iter().sum::<f64>() / hs.len() as f64, t % N_MODELS))
        })
        .collect();
    let jx: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    let hy: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    let (mut mx, mut my, mut mc) = (
        vec![0.0; N_MODELS],
        vec![0.0; N_MODELS],
        vec![0.0; N_MODELS],
    );
    for p in &pairs {
        mx[p.2] += p.0;
        my[p.2] += p.1;
        mc[p.2] += 1.0;
    }
    let mx: Vec<f64> = mx.iter().zip(&mc).map(|(s, c)| s / c).collect();
    let my: Vec<f64> = my.iter().zip(&mc).map(|(s, c)| s / c).collect();

    println!(
        "concord-stats bench: {N_TARGETS} targets × 7 raters (3 humans, 4 judges) × {N_ATTR} attributes, \
         {} observations, bootstrap {} resamples, best of 5",
        data.ratings.len(),
        boot.resamples
    );
    let icc = icc_forms(&humans);
    let vals: Vec<String> = icc
        .icc
        .named()
        .iter()
        .map(|(_, e)| format!("{:.6}", e.value.unwrap_or(f64::NAN)))
        .collect();
    let a = krippendorff_alpha_all(&humans);
    println!(
        "check vs bench_python.py: ICC values [{}], alpha interval {:.6}",
        vals.join(", "),
        a.interval.value.unwrap_or(f64::NAN)
    );
    println!("-- one attribute, humans (10,000 × 3 matrix) --");
    println!(
        "icc_forms (6 ANOVA ICCs + F CIs)        {}",
        ms(best_of(5, || icc_forms(&humans)))
    );
    println!(
        "icc_unbalanced (Henderson + bootstrap)  {}",
        ms(best_of(5, || icc_unbalanced(&humans, boot)))
    );
    println!(
        "icc_reml (REML + pivotal bootstrap)     {}",
        ms(best_of(5, || icc_reml(&humans, boot)))
    );
    // The REML intervals before the generalized pivotal form refitted REML to every draw; the
    // ratio is measured here, in the same run, on this matrix and on a labelling-sized one
    // (400 responses × 7 raters, 30% of cells missing: 70-odd missingness patterns).
    let mut thin = Noise(7);
    let labelling = RatingMatrix::new(
        400,
        7,
        (0..400 * 7)
            .map(|c| all.get(c / 7, c % 7).filter(|_| thin.next() >= 0.3))
            .collect(),
    )
    .expect("matrix");
    for (name, m) in [
        ("10,000 × 3", &humans),
        ("400 × 7, 30% missing", &labelling),
    ] {
        let new = best_of(5, || icc_reml(m, boot));
        let old = best_of(5, || reml_refit::refit_percentile(m, boot));
        println!(
            "icc_reml on {name}: pivotal {} vs refit percentile {} ({:.0}× faster)",
            ms(new),
            ms(old),
            old.as_secs_f64() / new.as_secs_f64()
        );
    }
    println!(
        "krippendorff alpha ×4 (+jackknife)      {}",
        ms(best_of(5, || krippendorff_alpha_all(&humans)))
    );
    println!(
        "fleiss_kappa                            {}",
        ms(best_of(5, || fleiss_kappa(&humans, (1, 5))))
    );
    println!(
        "gwet AC1 + AC2 linear + quadratic       {}",
        ms(best_of(5, || gwet(&humans, (1, 5))))
    );
    println!(
        "cohen kappa ×3 weights, one pair        {}",
        ms(best_of(5, || cohen_kappa(&c0, &c1, (1, 5))))
    );
    println!(
        "-- one attribute, one judge vs human mean ({} pairs) --",
        jx.len()
    );
    let judge3 = col(3);
    let names: Vec<String> = ["h1", "h2", "h3"].map(String::from).to_vec();
    println!(
        "alt_test (judge vs each human)              {}",
        ms(best_of(5, || alt_test(
            &judge3,
            &humans,
            &names,
            &AltTestOptions::default()
        )))
    );
    println!(
        "replacement (judge in each human's place)   {}",
        ms(best_of(5, || replacement(&judge3, &humans, &names, None)))
    );
    println!(
        "paired_agreement (ICC,bias,BA,r,rho,tau,CCC) {}",
        ms(best_of(5, || paired_agreement(&jx, &hy)))
    );
    println!(
        "paired_agreement_bootstrap, {N_MODELS} models     {}",
        ms(best_of(5, || paired_agreement_bootstrap(&mx, &my, boot)))
    );
    let opts = ReportOptions {
        bootstrap: 1000,
        ..ReportOptions::default()
    };
    let spec = study(1_428);
    println!(
        "-- whole report, 70k-rating study: 1,428 responses, {} ratings, 7 attributes + 2 groups, 4 judges --",
        spec.ratings.len()
    );
    println!(
        "agreement_report, unit=response         {}  (target < 20 ms)",
        ms(best_of(5, || agreement_report(&spec, &opts)))
    );
    println!(
        "-- whole report, stress: {N_TARGETS} responses, {} ratings --",
        data.ratings.len()
    );
    println!(
        "agreement_report, unit=response         {}",
        ms(best_of(5, || agreement_report(&data, &opts)))
    );
    let opts_m = ReportOptions {
        unit: Unit::Model,
        ..opts.clone()
    };
    println!(
        "agreement_report, unit=model            {}",
        ms(best_of(5, || agreement_report(&data, &opts_m)))
    );
    let opts0 = ReportOptions {
        bootstrap: 0,
        ..opts
    };
    println!(
        "agreement_report, bootstrap=0           {}",
        ms(best_of(5, || agreement_report(&data, &opts0)))
    );
}
