//! The rating screen in (emulated) forced colours: focus and the chosen score stay visible.

use super::*;

/// Emulates a forced-colours mode (WebKitGTK has no switch for it): the page's own
/// `@media (forced-colors: active)` rules apply, and every colour they do not set is replaced the
/// way the mode does it — text CanvasText (ButtonText on controls, GrayText disabled) on Canvas
/// (ButtonFace), borders and outlines in the text colour, transparent kept, no shadows.
const FORCED_COLORS: &str = r#"
const own = [];
for (const sheet of document.styleSheets) {
  for (const rule of sheet.cssRules) {
    if (rule instanceof CSSMediaRule && /forced-colors:\s*active/.test(rule.media.mediaText)) own.push(...rule.cssRules);
  }
}
// Through the CSSOM: the app's content security policy refuses inline <style> elements.
const sheet = document.styleSheets[document.styleSheets.length - 1];
for (const r of [...own]) sheet.insertRule(r.cssText, sheet.cssRules.length);
const sets = (el, prop) => own.some(r => { try { return el.matches(r.selectorText) && r.style.getPropertyValue(prop) !== ''; } catch (e) { return false; } });
const sides = ['top', 'right', 'bottom', 'left'];
for (const el of document.querySelectorAll('body *')) {
  const cs = getComputedStyle(el);
  const control = el.matches('button, select, input, textarea');
  const text = el.matches(':disabled') ? 'GrayText' : control ? 'ButtonText' : 'CanvasText';
  const wanted = { color: text, 'background-color': control ? 'ButtonFace' : 'Canvas', 'outline-color': text };
  for (const side of sides) wanted[`border-${side}-color`] = text;
  for (const [prop, value] of Object.entries(wanted)) {
    if (sets(el, prop)) continue;
    const now = cs.getPropertyValue(prop);
    if (now === 'transparent' || /rgba\(.*,\s*0\)$/.test(now)) continue;
    el.style.setProperty(prop, value, 'important');
  }
  el.style.setProperty('box-shadow', 'none', 'important');
  el.style.setProperty('text-shadow', 'none', 'important');
}
return own.length;
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forced_colours_keep_focus_and_choice_visible() -> Result<()> {
    let Some(binary) = app_binary("forced_colours_keep_focus_and_choice_visible") else {
        return Ok(());
    };
    let (_dir, _driver, app) = small_demo_as_rater_1(&binary).await?;
    // The rubric names its groups; the screen shows those names, not the keys.
    let groups = app
        .js("return Array.from(document.querySelectorAll('.group-title')).map(g => [g.dataset.group, g.textContent]);")
        .await?;
    assert_eq!(
        groups,
        serde_json::json!([["CSS", "Cognitive support"], ["ARS", "Affective resonance"]])
    );
    // Two scores chosen; focus on the third attribute's group, on its score 3.
    app.press(&['4', '3', key(Key::Right), key(Key::Right)])
        .await?;
    app.wait_saved().await?;
    let rules = app.js(FORCED_COLORS).await?;
    assert!(
        rules.as_u64().unwrap_or(0) >= 8,
        "forced-colours rules found: {rules}"
    );
    let look = app
        .js("const s = el => getComputedStyle(el); const focused = document.activeElement; const row = focused.closest('.attr'); \
             const chosen = document.querySelector('.attr .scale-value.selected'); const plain = chosen.parentElement.querySelector('.scale-value:not(.selected)'); \
             const other = document.querySelector('.attr:not(.focused)'); \
             return { role: focused.getAttribute('role'), outline: [s(focused).outlineStyle, parseFloat(s(focused).outlineWidth), s(focused).outlineColor], \
               rowBg: s(row).backgroundColor, chosen: [s(chosen).backgroundColor, s(chosen).color], plain: [s(plain).backgroundColor, s(plain).color], \
               focusedRow: [s(row).borderTopColor, parseFloat(s(row).borderTopWidth)], otherRow: [s(other).borderTopColor, parseFloat(s(other).borderTopWidth)], \
               bar: [parseFloat(s(document.querySelector('.progress-bar')).borderTopWidth)] };")
        .await?;
    println!("forced colours: {look}");
    assert_eq!(look["role"], "radio");
    assert_eq!(look["outline"][0], "solid", "focus ring kept: {look}");
    assert!(look["outline"][1].as_f64().unwrap_or(0.0) >= 2.0, "{look}");
    assert_ne!(
        look["outline"][2], look["rowBg"],
        "focus ring visible on its background"
    );
    assert_ne!(
        look["chosen"][0], look["plain"][0],
        "the chosen score stands out"
    );
    assert_ne!(
        look["chosen"][0], look["chosen"][1],
        "its number is readable"
    );
    assert_ne!(
        look["focusedRow"][0], look["otherRow"][0],
        "the attribute being rated is framed"
    );
    assert!(
        look["focusedRow"][1].as_f64().unwrap_or(0.0) >= 2.0,
        "{look}"
    );
    assert!(
        look["bar"][0].as_f64().unwrap_or(0.0) >= 1.0,
        "progress bar outlined: {look}"
    );
    app.screenshot(&screenshot_dir().join("rating-forced-colors.png"))
        .await?;
    app.quit().await?;
    Ok(())
}
