//! Harness for end-to-end tests of the real Concord desktop app through WebDriver.
//!
//! `tauri-driver` (with Debian's WebKitWebDriver behind it) launches the app binary named by
//! `CONCORD_APP`; the tests drive it with real key presses and check every step against the
//! study file itself. Without `CONCORD_APP` the tests print a visible "skipped" and pass, so a
//! plain `cargo test` on a machine without a display stays green.

use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

/// The app binary to test, or `None` (after printing why) when the E2E run is not configured.
pub fn app_binary(test: &str) -> Option<PathBuf> {
    match std::env::var_os("CONCORD_APP") {
        Some(path) if !path.is_empty() => {
            let path = PathBuf::from(path);
            assert!(
                path.exists(),
                "CONCORD_APP={} does not exist",
                path.display()
            );
            Some(path)
        }
        _ => {
            // Written to the real stderr, past the test harness's output capture, so the skip
            // shows in an ordinary `cargo test` run.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED e2e {test}: set CONCORD_APP to the built concord-app binary (scripts/test.sh does)"
            );
            None
        }
    }
}

/// Two distinct free local ports (both listeners are held until both are known).
fn free_ports() -> (u16, u16) {
    let a = TcpListener::bind("127.0.0.1:0").expect("a free local port");
    let b = TcpListener::bind("127.0.0.1:0").expect("a free local port");
    let port = |l: &TcpListener| l.local_addr().expect("local address").port();
    (port(&a), port(&b))
}

fn tauri_driver_path() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(path);
    }
    if let Some(home) = std::env::var_os("HOME") {
        let candidate = Path::new(&home).join(".cargo/bin/tauri-driver");
        if candidate.exists() {
            return candidate;
        }
    }
    PathBuf::from("tauri-driver")
}

/// A running `tauri-driver`, stopped with SIGTERM on drop (SIGKILL would orphan
/// WebKitWebDriver, which keeps the test's stdout open).
pub struct Driver {
    child: Child,
    port: u16,
    /// Private XDG dirs: the app's remembered-sessions file and webview data live here.
    pub home: tempfile::TempDir,
}

impl Driver {
    pub fn start() -> Result<Driver> {
        Driver::start_with_env(&[])
    }

    /// Starts the driver with extra environment for the app (e.g. `GTK_THEME`).
    pub fn start_with_env(env: &[(&str, &str)]) -> Result<Driver> {
        let (port, native_port) = free_ports();
        let home = tempfile::tempdir()?;
        for sub in ["config", "data", "cache"] {
            std::fs::create_dir_all(home.path().join(sub))?;
        }
        let child = Command::new(tauri_driver_path())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context(
                "starting tauri-driver (cargo install tauri-driver --locked --version '^2')",
            )?;
        let driver = Driver { child, port, home };
        // Both tauri-driver and the WebKitWebDriver it starts must listen before a session can
        // start.
        let deadline = Instant::now() + Duration::from_secs(20);
        for p in [port, native_port] {
            while TcpStream::connect(("127.0.0.1", p)).is_err() {
                if Instant::now() > deadline {
                    bail!("tauri-driver did not listen on port {p}");
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Ok(driver)
    }

    /// Starts the driver in `theme` ("dark": the app under `GTK_THEME=Adwaita:dark`).
    pub fn start_in(theme: &str) -> Result<Driver> {
        if theme == "dark" {
            Driver::start_with_env(&[("GTK_THEME", "Adwaita:dark")])
        } else {
            Driver::start()
        }
    }

    /// Launches the app on `study` as `rater` and waits until its rating screen shows.
    pub async fn rate(&self, app: &Path, study: &Path, rater: &str) -> Result<App> {
        let session = self
            .launch(app, &[&study.display().to_string(), "--rater", rater])
            .await?;
        session
            .wait_until(
                "window.__concord.screen === 'rate'",
                Duration::from_secs(30),
            )
            .await?;
        Ok(session)
    }

    /// Launches the app with `args` and returns the WebDriver session once the page is
    /// interactive (`window.__concord.ready`).
    pub async fn launch(&self, app: &Path, args: &[&str]) -> Result<App> {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": app, "args": args }),
        );
        let url = format!("http://127.0.0.1:{}", self.port);
        let mut attempt = 1;
        loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    let app = App { client };
                    app.wait_until(
                        "window.__concord && window.__concord.ready",
                        Duration::from_secs(60),
                    )
                    .await?;
                    return Ok(app);
                }
                // A driver that has just started can refuse the first session.
                Err(err) if attempt < 3 => {
                    eprintln!("starting a WebDriver session failed ({err}); retrying");
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(err) => {
                    return Err(anyhow!(err).context("starting a WebDriver session with the app"))
                }
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) if Instant::now() > deadline => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
}

/// One running app, driven through WebDriver.
pub struct App {
    pub client: Client,
}

impl App {
    /// Runs `script` (a function body; `arguments` available) and returns its value.
    pub async fn js(&self, script: &str) -> Result<Value> {
        self.client
            .execute(script, vec![])
            .await
            .map_err(|e| anyhow!("script failed: {e}\n{script}"))
    }

    /// Waits until `expression` is truthy in the page.
    pub async fn wait_until(&self, expression: &str, timeout: Duration) -> Result<Value> {
        let deadline = Instant::now() + timeout;
        let script = format!("try {{ return ({expression}); }} catch (e) {{ return null; }}");
        loop {
            let value = self.js(&script).await?;
            let truthy = match &value {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return Ok(value);
            }
            if Instant::now() > deadline {
                bail!("timed out after {timeout:?} waiting for `{expression}`");
            }
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
    }

    /// Presses keys one after the other on whatever has focus, as a user would.
    pub async fn press(&self, keys: &[char]) -> Result<()> {
        let mut actions = KeyActions::new("keyboard".into());
        for &key in keys {
            actions = actions
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key });
        }
        self.client
            .perform_actions(actions)
            .await
            .map_err(|e| anyhow!("key actions failed: {e}"))?;
        Ok(())
    }

    /// Opens a screen with its shortcut (`g`, then `key`) and waits until the app shows
    /// `screen` and `ready` (a JavaScript expression) holds.
    pub async fn go(&self, key: char, screen: &str, ready: &str, timeout: Duration) -> Result<()> {
        self.press(&['g', key]).await?;
        self.wait_until(
            &format!("window.__concord.screen === '{screen}' && ({ready})"),
            timeout,
        )
        .await
        .with_context(|| format!("opening {screen}"))?;
        Ok(())
    }

    /// Presses `key` with Control held.
    pub async fn press_ctrl(&self, key: char) -> Result<()> {
        let control = char::from(fantoccini::key::Key::Control);
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: control })
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key })
            .then(KeyAction::Up { value: control });
        self.client
            .perform_actions(actions)
            .await
            .map_err(|e| anyhow!("key actions failed: {e}"))?;
        Ok(())
    }

    /// Types text on whatever has focus.
    pub async fn type_text(&self, text: &str) -> Result<()> {
        let chars: Vec<char> = text.chars().collect();
        self.press(&chars).await
    }

    /// Waits until every save the rating screen started has returned.
    pub async fn wait_saved(&self) -> Result<()> {
        self.wait_until(
            "document.querySelector('#save-status') && document.querySelector('#save-status').textContent === 'All changes saved'",
            Duration::from_secs(20),
        )
        .await
        .context("waiting for 'All changes saved'")?;
        Ok(())
    }

    /// What the rating screen currently shows.
    pub async fn rating_state(&self) -> Result<Value> {
        self.js(
            "const c = window.__concord; return { screen: c.screen, position: c.position, response_id: c.responseId, \
             focused: document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.key || null : null, \
             checked: Array.from(document.querySelectorAll('.attr')).map(a => { const b = a.querySelector('[aria-checked=true]'); return b ? Number(b.dataset.value) : null; }), \
             rationale: (document.querySelector('#rationale') || {}).value, title: document.title };",
        )
        .await
    }

    /// Saves a screenshot of the window as PNG.
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        // Let the last change paint before the snapshot.
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => setTimeout(done, 100)); setTimeout(done, 3000);",
                vec![],
            )
            .await
            .map_err(|e| anyhow!("waiting for a frame: {e}"))?;
        let png = self
            .client
            .screenshot()
            .await
            .map_err(|e| anyhow!("screenshot failed: {e}"))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, png)?;
        Ok(())
    }

    /// Ends the session, which quits the app.
    pub async fn quit(self) -> Result<()> {
        self.client
            .close()
            .await
            .map_err(|e| anyhow!("closing the session: {e}"))
    }
}

/// SQL for a 16-byte global id column as the hyphenated text the app shows.
pub fn uuid_text(column: &str) -> String {
    format!(
        "lower(substr(hex({c}),1,8)||'-'||substr(hex({c}),9,4)||'-'||substr(hex({c}),13,4)||'-'||substr(hex({c}),17,4)||'-'||substr(hex({c}),21))",
        c = column
    )
}

/// SQL for the key of the rater with this global id (as the app shows it).
pub fn rater_key(rater_id: &str) -> String {
    format!("(SELECT id FROM rater WHERE gid = unhex(replace('{rater_id}', '-', '')))")
}

/// Read-only look into a study file, to check what the app wrote.
pub struct StudyFile {
    conn: rusqlite::Connection,
}

impl StudyFile {
    pub fn open(path: &Path) -> Result<StudyFile> {
        let conn = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )?;
        Ok(StudyFile { conn })
    }

    pub fn rater_id(&self, name: &str) -> Result<Option<(String, String)>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {}, kind FROM rater WHERE name = ?1",
            uuid_text("gid")
        ))?;
        let mut rows = stmt.query([name])?;
        Ok(match rows.next()? {
            Some(row) => Some((row.get(0)?, row.get(1)?)),
            None => None,
        })
    }

    /// Current values of one rater on one response, by attribute key (cleared cells omitted).
    pub fn values(&self, rater_id: &str, response_id: &str) -> Result<BTreeMap<String, i64>> {
        let mut stmt = self.conn.prepare(
            "SELECT a.key, r.value FROM rating r JOIN attribute a ON a.id = r.attribute_id \
             WHERE r.rater_id = (SELECT id FROM rater WHERE gid = unhex(replace(?1, '-', ''))) \
               AND r.response_id = (SELECT id FROM response WHERE gid = unhex(replace(?2, '-', ''))) \
               AND r.value IS NOT NULL",
        )?;
        let rows = stmt.query_map([rater_id, response_id], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every event of one rater on one cell, oldest first.
    pub fn events(
        &self,
        rater_id: &str,
        response_id: &str,
        attribute_key: &str,
    ) -> Result<Vec<Option<i64>>> {
        let mut stmt = self.conn.prepare(
            "SELECT e.value FROM rating_event e JOIN attribute a ON a.id = e.attribute_id \
             WHERE e.rater_id = (SELECT id FROM rater WHERE gid = unhex(replace(?1, '-', ''))) \
               AND e.response_id = (SELECT id FROM response WHERE gid = unhex(replace(?2, '-', ''))) \
               AND a.key = ?3 ORDER BY e.created_at, e.gid",
        )?;
        let rows = stmt.query_map([rater_id, response_id, attribute_key], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Current rationale and flags of one rater on one response.
    pub fn note(&self, rater_id: &str, response_id: &str) -> Result<Option<(String, Vec<String>)>> {
        let mut stmt = self.conn.prepare(
            "SELECT rationale, flags FROM response_note \
             WHERE rater_id = (SELECT id FROM rater WHERE gid = unhex(replace(?1, '-', ''))) \
               AND response_id = (SELECT id FROM response WHERE gid = unhex(replace(?2, '-', '')))",
        )?;
        let mut rows = stmt.query([rater_id, response_id])?;
        Ok(match rows.next()? {
            Some(row) => {
                let rationale: String = row.get(0)?;
                let flags: String = row.get(1)?;
                Some((rationale, serde_json::from_str(&flags)?))
            }
            None => None,
        })
    }

    pub fn count(&self, sql: &str) -> Result<i64> {
        Ok(self.conn.query_row(sql, [], |row| row.get(0))?)
    }
}

/// `relative` in the repository. The runtime `CARGO_MANIFEST_DIR` comes first: a test binary
/// reused from a shared target dir was compiled in another checkout.
pub fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../..")
    .join(relative)
}

/// Where screenshots go: `docs/screenshots/` in the repository.
pub fn screenshot_dir() -> PathBuf {
    repo_path("docs/screenshots")
}

/// Median and 95th percentile of `values` (ms).
pub fn summarize(values: &[f64]) -> String {
    if values.is_empty() {
        return "no samples".into();
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let pick = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    format!(
        "median {:.1} ms, p95 {:.1} ms, max {:.1} ms (n={})",
        pick(0.5),
        pick(0.95),
        sorted[sorted.len() - 1],
        sorted.len()
    )
}

/// Parses a JSON array of numbers.
pub fn numbers(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

/// The character WebDriver uses for a special key.
pub fn key(k: fantoccini::key::Key) -> char {
    char::from(k)
}

/// A demo study (`concord_core::demo`) of `items` prompts with the demo's other defaults, closed
/// so the app opens it alone.
pub fn small_demo(path: &Path, items: usize) -> Result<()> {
    let opts = concord_core::demo::DemoOptions {
        items,
        ..concord_core::demo::DemoOptions::default()
    };
    concord_core::demo::create_demo(path, &opts)?.close()?;
    Ok(())
}

/// A demo study of `items` prompts × 2 models with one human rater ("Rater 1") holding every
/// response, no judge and nothing rated yet: the blank start most journeys need.
pub fn one_rater_demo(path: &Path, items: usize) -> Result<concord_core::Study> {
    let opts = concord_core::demo::DemoOptions {
        items,
        models: 2,
        raters: 1,
        judges: 0,
        coverage: 0.0,
        ..concord_core::demo::DemoOptions::default()
    };
    Ok(concord_core::demo::create_demo(path, &opts)?)
}

/// Adds the human rater `name` with every response assigned, as the lead does in Admin (the app
/// never creates a rater from a typed or `--rater` name); nothing when they exist already.
pub fn lead_adds_rater(study: &Path, name: &str) -> Result<()> {
    let study = concord_core::Study::open(study)?;
    if study.find_rater(name)?.is_none() {
        let rater = study.add_rater(name, concord_core::RaterKind::Human, None)?;
        study.assign_all(&rater.id)?;
    }
    study.close()?;
    Ok(())
}
