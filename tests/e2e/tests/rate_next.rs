//! Admin's "Rate next" card in the real app: the lead pushes the responses active sampling
//! picks to the front of a rater's queue; the study file records the round (every candidate's
//! π), and the rater, opening the app next, finds those responses first in their queue.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Context, Result};
use concord_core::demo::{create_demo, DemoOptions};
use concord_core::{QueueFilter, Study};
use concord_e2e::{app_binary, rater_key, screenshot_dir, App, Driver, StudyFile};
use concord_report::estimates::next_in_study;
use fantoccini::Locator;

const WAIT: Duration = Duration::from_secs(30);
const PUSHED: usize = 6;
/// The round's seed, typed in the card: the test draws the same round in-process to know the
/// picks (the app seeds from the clock when the field is blank).
const SEED: u64 = 20_261_127;

async fn click(app: &App, css: &str) -> Result<()> {
    app.client
        .find(Locator::Css(css))
        .await
        .with_context(|| format!("no {css}"))?
        .click()
        .await
        .with_context(|| format!("clicking {css}"))?;
    Ok(())
}

/// (external id, preview) of `rater`'s queue in order, as core pages it to the app.
fn queue(study: &Study, rater_id: &str) -> Result<Vec<(String, String)>> {
    let external: HashMap<String, String> = study
        .response_ids()?
        .into_iter()
        .map(|(e, g)| (g, e))
        .collect();
    Ok(study
        .queue(rater_id, QueueFilter::All, 0, 1000)?
        .entries
        .into_iter()
        .map(|e| (external[&e.response_id].clone(), e.preview))
        .collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lead_pushes_the_next_responses_to_a_raters_queue() -> Result<()> {
    let Some(binary) = app_binary("lead_pushes_the_next_responses_to_a_raters_queue") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let study_path = dir.path().join("demo.concord");
    // Two judges score everything; the humans have rated about a third.
    create_demo(
        &study_path,
        &DemoOptions {
            items: 20,
            models: 3,
            raters: 2,
            judges: 2,
            coverage: 0.3,
            ..DemoOptions::default()
        },
    )?
    .close()?;
    let (rater, before) = {
        let study = Study::open(&study_path)?;
        let rater = study.find_rater("Rater 2")?.context("Rater 2")?.id;
        let before = queue(&study, &rater)?;
        study.close()?;
        (rater, before)
    };
    // The round the app must draw: the same study, count and seed.
    let expected = {
        let study = Study::open(&study_path)?;
        let batch = next_in_study(&study, None, PUSHED, SEED)?;
        study.close()?;
        batch
    };
    let expected_front = expected.unrated_picks();
    assert!(
        !expected_front.is_empty() && expected.picks.len() == PUSHED,
        "seed {SEED} picks no unrated response; choose another"
    );

    let driver = Driver::start()?;
    let app = driver
        .launch(&binary, &[&study_path.display().to_string()])
        .await?;
    app.go(
        'm',
        "admin",
        "document.querySelectorAll('#push-rater option').length === 2",
        WAIT,
    )
    .await?;
    app.js(&format!(
        "document.querySelector('#push-rater').value = 'Rater 2'; \
         document.querySelector('#push-count').value = '{PUSHED}'; \
         document.querySelector('#push-seed').value = '{SEED}'; return null;"
    ))
    .await?;
    click(&app, "#push-next").await?;
    let status = app
        .wait_until(
            "document.querySelector('#push-status').textContent.includes(\"first in Rater 2's queue\") && document.querySelector('#push-status').textContent",
            WAIT,
        )
        .await?;
    let status = status.as_str().unwrap_or_default().to_string();
    app.js("document.querySelector('#push-title').scrollIntoView(); return null;")
        .await?;
    app.screenshot(&screenshot_dir().join("rate-next.png"))
        .await?;
    app.quit().await?;

    // The status counts the round's picks as drawn in-process; the file records one round for
    // Rater 2 with that seed and every response a candidate, the unrated picks first in the
    // queue in the draw's order (each with π > 0), the rest in their old order.
    let n = expected_front.len();
    assert!(
        status.starts_with(&format!("{n} response")),
        "{status} (expected {n})"
    );
    if n < PUSHED {
        let why = format!(
            "{} of the {PUSHED} picked already had a clinician rating",
            PUSHED - n
        );
        assert!(status.contains(&why), "{status}");
    }
    // The demo assigns every response to every rater: the picks moved up.
    assert!(
        status.ends_with(&format!(
            "Rater 2 held all of them already; they moved up. Seed {SEED}."
        )),
        "{status}"
    );
    let file = StudyFile::open(&study_path)?;
    assert_eq!(
        file.count(&format!(
            "SELECT count(*) FROM sampling_round WHERE rater_id = {}",
            rater_key(&rater)
        ))?,
        1
    );
    drop(file);
    let study = Study::open(&study_path)?;
    let rounds = study.sampling_rounds()?;
    assert_eq!(rounds.len(), 1);
    assert_eq!(rounds[0].seed, SEED);
    assert_eq!(
        rounds[0].candidates.len(),
        60,
        "every response is a candidate"
    );
    let after = queue(&study, &rater)?;
    study.close()?;
    let front: Vec<&String> = after[..n].iter().map(|(id, _)| id).collect();
    assert_eq!(
        front,
        expected_front.iter().collect::<Vec<_>>(),
        "the round's unrated picks lead the queue"
    );
    for (id, _) in &after[..n] {
        let c = rounds[0]
            .candidates
            .iter()
            .find(|c| &c.response_id == id)
            .with_context(|| format!("{id} is no candidate"))?;
        assert!(c.probability > 0.0 && !c.rated, "{id}: {c:?}");
    }
    let rest: Vec<&(String, String)> = before.iter().filter(|r| !after[..n].contains(r)).collect();
    assert_eq!(
        after[n..].iter().collect::<Vec<_>>(),
        rest,
        "the rest keep their order"
    );
    assert_ne!(after[..n], before[..n], "the queue's front changed");

    // Rater 2 opens the app: their queue starts with the pushed responses, in that order.
    let app = driver.rate(&binary, &study_path, "Rater 2").await?;
    app.go(
        'q',
        "queue",
        &format!("document.querySelectorAll('.queue-row[data-position] .q-preview').length >= {n}"),
        WAIT,
    )
    .await?;
    let shown: Vec<(usize, String)> = serde_json::from_value(
        app.js(
            "return Array.from(document.querySelectorAll('.queue-row[data-position]')).map(r => \
             [Number(r.dataset.position), r.querySelector('.q-preview').textContent]);",
        )
        .await?,
    )?;
    for (i, (id, preview)) in after[..n].iter().enumerate() {
        let (_, on_screen) = shown
            .iter()
            .find(|(p, _)| *p == i)
            .with_context(|| format!("queue row {i} not shown"))?;
        assert_eq!(on_screen, preview, "row {i}: the pick is {id}");
    }
    app.quit().await?;
    assert!(Study::open(&study_path)?.check()?.is_empty());
    println!("e2e rate next: passed");
    Ok(())
}
