//! The theme's colour tokens, resolved by the engine, checked for WCAG contrast.

use super::*;

/// WCAG 2.2 contrast ratio of two sRGB colours given as `[r, g, b]` (0–255).
fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let luminance = |c: [f64; 3]| {
        let linear = |v: f64| {
            let v = v / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(c[0]) + 0.7152 * linear(c[1]) + 0.0722 * linear(c[2])
    };
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `[r, g, b]` of a computed colour as the page reports it (`rgb(…)`/`rgba(…)`).
fn rgb(value: &Value, token: &str) -> Result<[f64; 3]> {
    let text = value
        .as_str()
        .with_context(|| format!("{token} has no colour"))?;
    let inner = text
        .trim()
        .trim_start_matches("rgba(")
        .trim_start_matches("rgb(")
        .trim_end_matches(')');
    let parts: Vec<f64> = inner
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .with_context(|| format!("{token}: cannot read {text}"))?;
    ensure!(parts.len() >= 3, "{token}: cannot read {text}");
    Ok([parts[0], parts[1], parts[2]])
}

/// Text pairs (≥ 4.5:1) and component pairs (≥ 3:1) of the theme tokens in `styles/base.css`.
const TEXT_PAIRS: &[(&str, &str)] = &[
    ("--text", "--bg"),
    ("--text", "--surface"),
    ("--text", "--surface-2"),
    ("--text", "--accent-soft"),
    ("--text", "--error-soft"),
    ("--muted", "--bg"),
    ("--muted", "--surface"),
    ("--muted", "--surface-2"),
    ("--muted", "--accent-soft"),
    ("--muted", "--error-soft"),
    ("--ok", "--accent-soft"),
    ("--accent-text", "--accent"),
    ("--accent-text", "--accent-strong"),
    ("--accent-strong", "--surface"),
    ("--accent-strong", "--surface-2"),
    ("--on-error", "--error"),
    ("--error", "--surface"),
    ("--error", "--error-soft"),
    ("--warn", "--surface"),
    ("--warn", "--warn-soft"),
    ("--ok", "--surface"),
    ("--ok", "--bg"),
    ("--bg", "--text"),
];
const COMPONENT_PAIRS: &[(&str, &str)] = &[
    ("--control-border", "--surface"),
    ("--control-border", "--bg"),
    ("--focus", "--surface"),
    ("--focus", "--bg"),
    ("--accent", "--surface"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn theme_colours_have_enough_contrast() -> Result<()> {
    let Some(binary) = app_binary("theme_colours_have_enough_contrast") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let study_path = dir.path().join("demo.concord");
    small_demo(&study_path, 2)?;
    let mut failures = Vec::new();
    for theme in ["light", "dark"] {
        let driver = Driver::start_in(theme)?;
        let app = driver
            .launch(&binary, &[&study_path.display().to_string()])
            .await?;
        let dark = app
            .js("return matchMedia('(prefers-color-scheme: dark)').matches;")
            .await?
            == Value::Bool(true);
        if dark != (theme == "dark") {
            println!("contrast {theme}: this WebKitGTK does not switch to the {theme} theme here; skipped");
            app.quit().await?;
            continue;
        }
        // Each token resolved by the engine (so short and named forms compare alike).
        let tokens = app
            .js("const probe = document.createElement('span'); document.body.append(probe); const out = {}; \
                 for (const n of ['--text','--bg','--surface','--surface-2','--accent-soft','--error-soft','--muted','--accent-text','--accent','--accent-strong','--on-error','--error','--warn','--warn-soft','--ok','--control-border','--focus']) { \
                   probe.style.color = `var(${n})`; out[n] = getComputedStyle(probe).color; } \
                 probe.remove(); return out;")
            .await?;
        for (pairs, minimum) in [(TEXT_PAIRS, 4.5), (COMPONENT_PAIRS, 3.0)] {
            for (fg, bg) in pairs {
                let ratio = contrast(rgb(&tokens[fg], fg)?, rgb(&tokens[bg], bg)?);
                println!("contrast {theme} {fg} on {bg}: {ratio:.2}:1 (needs {minimum}:1)");
                if ratio < minimum {
                    failures.push(format!(
                        "{theme}: {fg} on {bg} is {ratio:.2}:1, needs {minimum}:1"
                    ));
                }
            }
        }
        app.quit().await?;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}
