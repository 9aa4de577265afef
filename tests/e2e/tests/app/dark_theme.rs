//! The dark theme follows the system's.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dark_theme_follows_the_system() -> Result<()> {
    let Some(binary) = app_binary("dark_theme_follows_the_system") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let study_path = dir.path().join("demo.concord");
    drop(create_demo(&study_path, &DemoOptions::default())?);
    let driver = Driver::start_in("dark")?;
    let app = driver.rate(&binary, &study_path, "Rater 1").await?;
    wait_position(&app, 0).await?;
    let dark = app
        .js("return matchMedia('(prefers-color-scheme: dark)').matches;")
        .await?;
    if dark == Value::Bool(true) {
        app.screenshot(&screenshot_dir().join("rating-dark.png"))
            .await?;
        println!("e2e dark theme: screenshot taken");
    } else {
        println!("e2e dark theme: this WebKitGTK does not report a dark preference for GTK_THEME=Adwaita:dark; no screenshot");
    }
    app.quit().await?;
    Ok(())
}
