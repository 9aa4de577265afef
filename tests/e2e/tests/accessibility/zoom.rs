//! The rating screen at 200% and 400% zoom: no horizontal scrolling, no small text.

use super::*;

/// Zooms with Ctrl+= (20% a step, Tauri's zoom hotkeys) until the layout viewport is `width` CSS px.
async fn zoom_to(app: &App, steps: usize, width: f64) -> Result<()> {
    chord(app, Key::Control, '0').await?;
    for _ in 0..steps {
        chord(app, Key::Control, '=').await?;
    }
    app.wait_until(&format!("Math.abs(window.innerWidth - {width}) < 4"), WAIT)
        .await
        .with_context(|| format!("zooming to {width} CSS px"))?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rating_screen_reflows_at_200_and_400_percent_zoom() -> Result<()> {
    let Some(binary) = app_binary("rating_screen_reflows_at_200_and_400_percent_zoom") else {
        return Ok(());
    };
    let (_dir, _driver, app) = small_demo_as_rater_1(&binary).await?;
    let base = app
        .js("return window.innerWidth;")
        .await?
        .as_f64()
        .context("width")?;
    assert_no_small_text(&app, "rate").await?;
    app.press(&['4', '3']).await?;
    app.wait_saved().await?;
    app.screenshot(&screenshot_dir().join("rating-zoom-100.png"))
        .await?;

    let overflow = "const d = document.documentElement; const p = document.querySelector('.panel'); \
                    return { page: d.scrollWidth - d.clientWidth, panel: p.scrollWidth - p.clientWidth, width: window.innerWidth };";
    // 200%: five steps of 20%.
    zoom_to(&app, 5, base / 2.0).await?;
    let at200 = app.js(overflow).await?;
    println!("200% zoom: {at200}");
    // Esc brings the focused attribute into view (the page is one column at this size).
    app.press(&[key(Key::Escape)]).await?;
    app.screenshot(&screenshot_dir().join("rating-zoom-200.png"))
        .await?;
    assert!(
        at200["page"].as_f64().unwrap_or(1.0) <= 0.5
            && at200["panel"].as_f64().unwrap_or(1.0) <= 0.5,
        "horizontal scroll at 200%: {at200}"
    );
    // 400% of 1280 px: the 320 CSS px of WCAG 1.4.10.
    zoom_to(&app, 15, base / 4.0).await?;
    let at400 = app.js(overflow).await?;
    println!("400% zoom: {at400}");
    // Esc brings the focused attribute into view (the page is one column at this size).
    app.press(&[key(Key::Escape)]).await?;
    app.screenshot(&screenshot_dir().join("rating-zoom-400.png"))
        .await?;
    assert!(
        at400["page"].as_f64().unwrap_or(1.0) <= 0.5
            && at400["panel"].as_f64().unwrap_or(1.0) <= 0.5,
        "horizontal scroll at 320 px: {at400}"
    );
    chord(&app, Key::Control, '0').await?;
    app.quit().await?;
    Ok(())
}
