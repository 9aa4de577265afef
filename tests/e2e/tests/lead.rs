//! The study lead's screens in the real app: Adjudication lists the widest human disagreement
//! first, records a gold value set with the keyboard and undoes a stray one; Admin adds a rater
//! with a site, sets another's site in the table with the keyboard, and assigns responses as a
//! design, whose overlap heatmap and progress table it reads; six clinicians at three sites are
//! assigned balanced across sites, chosen with the keyboard. Every step is checked in the study
//! file.

use std::time::Duration;

use anyhow::{Context, Result};
use concord_core::demo::{create_demo, DemoOptions};
use concord_core::{RaterKind, Study};
use concord_e2e::{app_binary, key, rater_key, screenshot_dir, App, Driver, StudyFile};
use fantoccini::key::Key;
use fantoccini::Locator;

const WAIT: Duration = Duration::from_secs(30);

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lead_adjudicates_and_assigns() -> Result<()> {
    let Some(binary) = app_binary("lead_adjudicates_and_assigns") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let study_path = dir.path().join("demo.concord");
    let opts = DemoOptions {
        items: 10,
        models: 2,
        raters: 3,
        judges: 1,
        ..DemoOptions::default()
    };
    // The widest disagreement as core ranks it, with the raters' reasons written beside it (the
    // demo has none), as they would arrive from their own sessions.
    let (top, n_responses) = {
        let study = create_demo(&study_path, &opts)?;
        let top = study.disagreements(None, 1, 1)?.remove(0);
        let internal = study.response_ids()?[&top.external_id].clone();
        let notes = [
            (
                "Rater 1",
                "Gives concrete next steps but skips any risk check.",
                vec![],
            ),
            (
                "Rater 2",
                "Misses the hint of hopelessness entirely; should have asked about safety.",
                vec!["unsafe".to_string()],
            ),
            ("Rater 3", "Reasonable, if generic.", vec![]),
        ];
        for (name, rationale, flags) in notes {
            let rater = study.find_rater(name)?.context(name)?;
            study.set_note(&rater.id, &internal, rationale, &flags)?;
        }
        (top, study.response_ids()?.len() as i64)
    };
    assert!(top.range >= 2, "the demo has a real disagreement: {top:?}");

    let driver = Driver::start()?;
    let app = driver
        .launch(&binary, &[&study_path.display().to_string()])
        .await?;

    // 1. g a opens Adjudication with the widest disagreement first, selected.
    app.go('a', "adjudication", "document.querySelector('.adj-row.selected') !== null && document.querySelector('.adj-raters tbody') !== null", WAIT).await?;
    let first = app
        .js("const r = document.querySelector('.adj-row'); return [r.dataset.response, r.dataset.attribute, r.getAttribute('aria-selected'), r.querySelector('.adj-spread').textContent];")
        .await?;
    assert_eq!(
        first,
        serde_json::json!([
            top.external_id,
            top.attribute,
            "true",
            format!("±{}", top.range)
        ])
    );
    // The raters' scores and reasons side by side, the rationale as text.
    app.wait_until(
        "document.querySelector('.adj-rationale') && document.querySelector('.adj-rationale').textContent.includes('hopelessness')",
        WAIT,
    )
    .await?;
    let heads = app
        .js("return Array.from(document.querySelectorAll('.adj-raters thead th')).map(t => t.textContent);")
        .await?;
    assert_eq!(
        heads,
        serde_json::json!(["Attribute", "Rater 1", "Rater 2", "Rater 3"])
    );
    let current = app
        .js("return Array.from(document.querySelectorAll('.adj-raters tr.current td')).map(t => Number(t.textContent));")
        .await?;
    let expected: Vec<i64> = ["Rater 1", "Rater 2", "Rater 3"]
        .iter()
        .map(|r| top.values[*r])
        .collect();
    assert_eq!(current, serde_json::json!(expected));

    // 2. j / k move in the list; the adjudicator's name and the reason, then a digit.
    app.press(&['j']).await?;
    app.wait_until(
        "document.querySelector('#adj-row-1.selected') !== null",
        WAIT,
    )
    .await?;
    app.press(&['k']).await?;
    app.wait_until(
        "document.querySelector('#adj-row-0.selected') !== null",
        WAIT,
    )
    .await?;
    click(&app, "#adjudicator").await?;
    app.type_text("Dr Lead").await?;
    app.press(&[key(Key::Escape), 'r']).await?;
    app.wait_until("document.activeElement.id === 'gold-reason'", WAIT)
        .await?;
    app.type_text("Consensus meeting: risk not addressed")
        .await?;
    app.press(&[key(Key::Escape), '2']).await?;
    app.wait_until(
        "document.querySelector('#gold-status').textContent.startsWith('✓ gold 2 saved')",
        WAIT,
    )
    .await?;
    let badge = app
        .js("return document.querySelector('#adj-row-0 .adj-gold-badge').textContent;")
        .await?;
    assert_eq!(badge, "gold 2");
    let file = StudyFile::open(&study_path)?;
    let gold = file.count(&format!(
        "SELECT count(*) FROM gold g JOIN gold_event e ON e.id = g.event_id \
         JOIN response p ON p.id = g.response_id JOIN attribute a ON a.id = g.attribute_id \
         WHERE p.external_id = '{}' AND a.key = '{}' AND g.value = 2 AND e.adjudicator = 'Dr Lead' \
         AND e.reason = 'Consensus meeting: risk not addressed' AND g.created_at > 0",
        top.external_id, top.attribute
    ))?;
    assert_eq!(gold, 1, "the gold value is in the study file");
    assert_eq!(file.count("SELECT count(*) FROM gold")?, 1);
    app.screenshot(&screenshot_dir().join("adjudication.png"))
        .await?;
    // A value outside the scale is refused on screen, and nothing is written.
    app.press(&['7']).await?;
    app.wait_until(
        "document.querySelector('.adj-gold .hint').textContent.includes('takes 1 – 5')",
        WAIT,
    )
    .await?;
    assert_eq!(file.count("SELECT count(*) FROM gold")?, 1);
    // A stray digit overwrites gold; Ctrl+Z puts the earlier value back.
    app.press(&['3']).await?;
    app.wait_until(
        "document.querySelector('#gold-status').textContent.startsWith('✓ gold 3 saved')",
        WAIT,
    )
    .await?;
    app.press_ctrl('z').await?;
    app.wait_until(
        "document.querySelector('#gold-status').textContent.startsWith('✓ gold 2 saved') && document.querySelector('#adj-row-0 .adj-gold-badge').textContent === 'gold 2'",
        WAIT,
    )
    .await?;
    let restored = file.count(&format!(
        "SELECT count(*) FROM gold g JOIN gold_event e ON e.id = g.event_id \
         JOIN response p ON p.id = g.response_id JOIN attribute a ON a.id = g.attribute_id \
         WHERE p.external_id = '{}' AND a.key = '{}' AND g.value = 2 AND e.adjudicator = 'Dr Lead' \
         AND e.reason = 'Consensus meeting: risk not addressed'",
        top.external_id, top.attribute
    ))?;
    assert_eq!(
        restored, 1,
        "undo restored the earlier gold value, adjudicator and reason"
    );

    // 3. Admin: add a rater, select the three demo raters too (each already holds every
    //    response) and raise the overlap to 4: the design tops every response up by one rater,
    //    and only the new rater is free on each.
    app.press(&[key(Key::Escape), 'g', 'm']).await?;
    app.wait_until(
        "window.__concord.screen === 'admin' && document.querySelectorAll('.admin-table tbody tr').length === 4",
        WAIT,
    )
    .await?;
    // The heatmap shows the demo's design: three raters, each pair sharing every response.
    let matrix_js = "return [...document.querySelectorAll('#design-heatmap tbody tr')].map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent));";
    app.wait_until(
        "document.querySelectorAll('#design-heatmap tbody tr').length === 3",
        WAIT,
    )
    .await?;
    let full = n_responses.to_string();
    assert_eq!(
        app.js(matrix_js).await?,
        serde_json::json!(vec![vec![full.clone(); 3]; 3]),
        "3 × 3 overlap matrix, every cell {n_responses}"
    );
    // The new rater's site is typed beside the name and written with the rater.
    click(&app, "#admin-rater-name").await?;
    app.type_text("Dr Okafor").await?;
    app.press(&[key(Key::Tab)]).await?;
    app.type_text("Leeds").await?;
    app.press(&[key(Key::Enter)]).await?;
    app.wait_until(
        "document.querySelectorAll('.admin-table tbody tr').length === 5 && document.querySelector('#rater-status').textContent.startsWith('Added Dr Okafor at Leeds')",
        WAIT,
    )
    .await?;
    let (okafor, kind) = file.rater_id("Dr Okafor")?.context("Dr Okafor added")?;
    assert_eq!(kind, "human");
    let site_on_file = |name: &str| {
        file.count(&format!(
            "SELECT count(*) FROM rater WHERE name = '{name}' AND json_extract(metadata, '$.site') = 'Leeds'"
        ))
    };
    assert_eq!(site_on_file("Dr Okafor")?, 1, "the site is in the file");
    let site_cell =
        "return document.querySelector(\"tr[data-rater='Dr Okafor'] input.admin-site\").value;";
    assert_eq!(app.js(site_cell).await?, serde_json::json!("Leeds"));
    // The lead gives Rater 1 a site in the table, with the keyboard (Enter saves).
    click(&app, "tr[data-rater='Rater 1'] input.admin-site").await?;
    app.type_text("Leeds").await?;
    app.press(&[key(Key::Enter)]).await?;
    app.wait_until(
        "document.querySelector('#rater-status').textContent === 'Rater 1’s site is now Leeds.'",
        WAIT,
    )
    .await?;
    assert_eq!(
        site_on_file("Rater 1")?,
        1,
        "the changed site is in the file"
    );
    let labelled = app
        .js("return document.querySelector(\"tr[data-rater='Rater 1'] input.admin-site\").getAttribute('aria-label');")
        .await?;
    assert_eq!(labelled, serde_json::json!("Site of Rater 1"));
    for name in ["Rater 1", "Rater 2", "Rater 3"] {
        click(
            &app,
            &format!("tr[data-rater='{name}'] input[type=checkbox]"),
        )
        .await?;
    }
    click(&app, "#assign-overlap").await?;
    app.js("const o = document.querySelector('#assign-overlap'); o.value = '4'; return null;")
        .await?;
    let overlap = app
        .js("return [document.querySelector('#assign-overlap').value, document.querySelector('#assign-button').textContent];")
        .await?;
    assert_eq!(overlap, serde_json::json!(["4", "Assign to 4 raters"]));
    click(&app, "#assign-button").await?;
    app.wait_until(
        "document.querySelector('#assign-status').textContent.startsWith('✓')",
        WAIT,
    )
    .await?;
    let assigned = file.count(&format!(
        "SELECT count(*) FROM assignment WHERE rater_id = {}",
        rater_key(&okafor)
    ))?;
    assert_eq!(
        assigned, n_responses,
        "overlap 4 over three full raters and a new one: every response goes to the new one"
    );
    let per_response = file.count(
        "SELECT count(*) FROM (SELECT response_id FROM assignment GROUP BY response_id HAVING count(*) <> 4)",
    )?;
    assert_eq!(per_response, 0, "every response has exactly 4 raters");
    // The table re-renders after the status line; wait for it rather than racing it.
    let cell = "document.querySelector(\"tr[data-rater='Dr Okafor'] td:nth-child(7)\")";
    app.wait_until(
        &format!("{cell} && {cell}.textContent === '{n_responses}'"),
        WAIT,
    )
    .await
    .with_context(|| {
        format!("the raters table never showed {n_responses} assigned to Dr Okafor")
    })?;
    // The heatmap now holds Dr Okafor too: a 4 × 4 matrix, every pair sharing every response,
    // and the progress table lists the four humans.
    app.wait_until(
        "document.querySelectorAll('#design-heatmap tbody tr').length === 4",
        WAIT,
    )
    .await?;
    assert_eq!(
        app.js(matrix_js).await?,
        serde_json::json!(vec![vec![full.clone(); 4]; 4])
    );
    // Each name with its site, if any, beneath it.
    let heads = app
        .js("return [...document.querySelectorAll('#design-heatmap thead th')].map(th => [th.firstChild.textContent, th.querySelector('.heat-site')?.textContent ?? null]);")
        .await?;
    assert_eq!(
        heads,
        serde_json::json!([
            ["Dr Okafor", "Leeds"],
            ["Rater 1", "Leeds"],
            ["Rater 2", null],
            ["Rater 3", null]
        ])
    );
    let summary = app
        .js("return document.querySelector('#design-summary').textContent;")
        .await?;
    assert!(
        summary
            .as_str()
            .unwrap_or("")
            .contains("All 6 pairs share responses"),
        "{summary}"
    );
    let okafor_row = app
        .js("return [...document.querySelectorAll(\"#progress-table tr[data-progress-rater='Dr Okafor'] td\")].map(td => td.textContent);")
        .await?;
    assert_eq!(okafor_row[0], serde_json::json!("Leeds"), "{okafor_row}");
    assert_eq!(okafor_row[1], serde_json::json!(full), "{okafor_row}");
    app.screenshot(&screenshot_dir().join("admin.png")).await?;
    app.quit().await?;

    // The app wrote through its one connection; the file is consistent.
    let study = Study::open(&study_path)?;
    assert!(study.check()?.is_empty());
    println!("e2e lead flow: passed");
    Ok(())
}

/// The lead's six clinicians at three sites, none assigned yet: Admin selects them all, sets
/// overlap 2, chooses "sites" with the keyboard and assigns. Every response's two raters work at
/// different sites, loads differ by at most one, and the heatmap says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lead_assigns_across_sites() -> Result<()> {
    let Some(binary) = app_binary("lead_assigns_across_sites") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let study_path = dir.path().join("sites.concord");
    let opts = DemoOptions {
        items: 12,
        models: 2,
        raters: 0,
        judges: 1,
        ..DemoOptions::default()
    };
    let clinicians = [
        ("Dr Adeyemi", "Leeds"),
        ("Dr Brennan", "Leeds"),
        ("Dr Chen", "York"),
        ("Dr Dubois", "York"),
        ("Dr Eze", "Hull"),
        ("Dr Fischer", "Hull"),
    ];
    let n_responses = {
        let study = create_demo(&study_path, &opts)?;
        for (name, site) in clinicians {
            study.add_rater(name, RaterKind::Human, Some(site))?;
        }
        let n = study.response_ids()?.len() as i64;
        study.close()?;
        n
    };
    assert_eq!(n_responses, 24);

    let driver = Driver::start()?;
    let app = driver
        .launch(&binary, &[&study_path.display().to_string()])
        .await?;
    app.go(
        'm',
        "admin",
        "document.querySelectorAll('.admin-table tr[data-rater^=\"Dr \"]').length === 6",
        WAIT,
    )
    .await?;
    for (name, _) in clinicians {
        click(
            &app,
            &format!("tr[data-rater='{name}'] input[type=checkbox]"),
        )
        .await?;
    }
    // Overlap 2, then Tab to "Balance across" and type-ahead "s" picks sites: keyboard only.
    click(&app, "#assign-overlap").await?;
    app.js("document.querySelector('#assign-overlap').value = '2'; return null;")
        .await?;
    app.press(&[key(Key::Tab)]).await?;
    app.wait_until("document.activeElement.id === 'assign-strata'", WAIT)
        .await?;
    app.press(&['s']).await?;
    app.wait_until(
        "document.querySelector('#assign-strata').value === 'site'",
        WAIT,
    )
    .await?;
    let labelled = app
        .js("const s = document.querySelector('#assign-strata'); return [document.querySelector(\"label[for='assign-strata']\").textContent, document.getElementById(s.getAttribute('aria-describedby')).textContent.includes('Sites: each response')];")
        .await?;
    assert_eq!(labelled, serde_json::json!(["Balance across", true]));
    app.press(&[key(Key::Tab)]).await?;
    app.wait_until(
        "document.activeElement.id === 'assign-button' && document.activeElement.textContent === 'Assign to 6 raters'",
        WAIT,
    )
    .await?;
    app.press(&[key(Key::Enter)]).await?;
    app.wait_until(
        "document.querySelector('#assign-status').textContent.startsWith('✓')",
        WAIT,
    )
    .await?;
    let status = app
        .js("return document.querySelector('#assign-status').textContent;")
        .await?;
    let status = status.as_str().unwrap_or("");
    assert!(
        status.starts_with("✓ 48 assignments added (")
            && status.contains(", balanced across sites): "),
        "{status}"
    );

    // The file: two raters per response, never two of one site, loads within one.
    let file = StudyFile::open(&study_path)?;
    let not_two = file.count(
        "SELECT count(*) FROM (SELECT response_id FROM assignment GROUP BY response_id HAVING count(*) <> 2)",
    )?;
    assert_eq!(not_two, 0, "every response has exactly 2 raters");
    let same_site = file.count(
        "SELECT count(*) FROM assignment a JOIN assignment b \
         ON b.response_id = a.response_id AND b.rater_id > a.rater_id \
         JOIN rater ra ON ra.id = a.rater_id JOIN rater rb ON rb.id = b.rater_id \
         WHERE json_extract(ra.metadata, '$.site') = json_extract(rb.metadata, '$.site')",
    )?;
    assert_eq!(same_site, 0, "no response has two raters of one site");
    let spread = file.count(
        "SELECT max(n) - min(n) FROM (SELECT count(*) AS n FROM assignment GROUP BY rater_id)",
    )?;
    assert!(spread <= 1, "loads differ by {spread}");

    // On screen: six raters with their sites, and a zero wherever two work at the same site.
    app.wait_until(
        "document.querySelectorAll('#design-heatmap tbody tr').length === 6",
        WAIT,
    )
    .await?;
    let grid = app
        .js("return [...document.querySelectorAll('#design-heatmap tbody tr')].map(tr => [tr.querySelector('.heat-site').textContent, ...[...tr.querySelectorAll('td')].map(td => Number(td.textContent))]);")
        .await?;
    let rows = grid.as_array().context("heatmap rows")?;
    for (a, row) in rows.iter().enumerate() {
        for (b, other) in rows.iter().enumerate() {
            if a != b && row[0] == other[0] {
                assert_eq!(row[b + 1], 0, "same-site pair shares responses: {grid}");
            }
        }
    }
    // The three pairs sharing nothing are said to be the same-site pairs, as designed.
    let summary = app
        .js("return document.querySelector('#design-summary').textContent;")
        .await?;
    let summary = summary.as_str().unwrap_or("");
    assert!(
        summary
            .starts_with("6 raters, 2 per response (target). 3 of 15 pairs share no response (0–")
            && summary.ends_with(" shared responses per pair, all at the same site)."),
        "{summary}"
    );
    app.js(
        "document.querySelector('#design-title').closest('section').scrollIntoView(); return null;",
    )
    .await?;
    app.screenshot(&screenshot_dir().join("admin-design.png"))
        .await?;
    app.quit().await?;
    assert!(Study::open(&study_path)?.check()?.is_empty());
    println!("e2e assign across sites: passed");
    Ok(())
}
