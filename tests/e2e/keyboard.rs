//! Registration with the keyboard alone: Tab reaches every control of the form in
//! order, each shows where the focus is, and the form is filled in and sent
//! without a mouse.

use fantoccini::key::Key;
use serde_json::Value;
use sqlx::PgPool;

use crate::harness::{Browser, E2e};
use crate::steps;

/// Numbers every element that can take the focus and notes how it looks without
/// it, so that its focused look can be compared.
const MARK_FOCUSABLE: &str = r#"
var all = document.querySelectorAll(
  'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]');
var looks = {};
for (var i = 0; i < all.length; i++) {
  all[i].setAttribute('data-e2e-focus', String(i));
}
document.activeElement && document.activeElement.blur();
for (var i = 0; i < all.length; i++) {
  looks[i] = window.__e2eLook(all[i]);
}
window.__e2eUnfocused = looks;
return all.length;
"#;

/// How an element looks, in what a focus indicator changes. A control drawn by
/// its label (a checkbox whose input is transparent, with the box drawn by the
/// label's ::before) is judged by that drawing. A transparent outline (there for
/// Windows' high-contrast mode) shows nothing.
const LOOK: &str = r#"
window.__e2eLook = function (e) {
  var target = e, pseudo = null;
  if (parseFloat(getComputedStyle(e).opacity) === 0 && e.id) {
    var label = document.querySelector('label[for="' + e.id + '"]');
    if (label) { target = label; pseudo = '::before'; }
  }
  var s = getComputedStyle(target, pseudo);
  var clear = function (c) { return c === 'transparent' || /rgba\(.*, 0\)$/.test(c); };
  return {
    outline: s.outlineStyle === 'none' || parseFloat(s.outlineWidth) === 0 || clear(s.outlineColor)
      ? 'none' : s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor,
    shadow: s.boxShadow,
    background: s.backgroundColor,
    border: s.borderTopColor + ' ' + s.borderTopWidth + ' ' + s.borderBottomColor + ' ' + s.borderBottomWidth,
    decoration: s.textDecorationLine + ' ' + s.textDecorationThickness + ' ' + s.textDecorationColor,
    color: s.color
  };
};
"#;

/// The focused element: its number, a name for it, whether it is inside the
/// registration form, and how its look differs from its unfocused look.
const FOCUSED: &str = r#"
var e = document.activeElement;
var n = e.getAttribute('data-e2e-focus');
var name = e.id ? '#' + e.id : e.tagName.toLowerCase() + ' "' + e.textContent.trim() + '"';
var now = window.__e2eLook(e);
var before = n === null ? null : window.__e2eUnfocused[n];
var changed = [];
if (before) {
  for (var k in now) { if (now[k] !== before[k]) { changed.push(k + ': ' + before[k] + ' -> ' + now[k]); } }
}
return { name: name, inForm: !!e.closest('main form.form'), changed: changed };
"#;

/// The names of the registration form's controls in document order.
pub(crate) const FORM_CONTROLS: &str = r#"
return Array.prototype.map.call(
  document.querySelectorAll('main form.form input:not([type=hidden]), main form.form select, main form.form textarea, main form.form button, main form.form a[href]'),
  function (e) { return e.id ? '#' + e.id : e.tagName.toLowerCase() + ' "' + e.textContent.trim() + '"'; });
"#;

pub(crate) struct Focus {
    pub name: String,
    pub in_form: bool,
    pub visible: bool,
}

pub(crate) async fn focused(b: &Browser) -> Focus {
    let v: Value = b.script(FOCUSED).await;
    let changed: Vec<String> = v["changed"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    Focus {
        name: v["name"].as_str().unwrap_or_default().to_string(),
        in_form: v["inForm"].as_bool().unwrap_or(false),
        // A visible indicator: any change of outline, shadow, background,
        // border, underline or colour against the unfocused look.
        visible: !changed.is_empty(),
    }
}

/// Presses keys on whatever has the focus, as a keyboard does: WebDriver's key
/// actions, which go where the focus is (sending keys to the focused element
/// would instead choose a file when that element is a file input). A modifier
/// (Shift) is held until the other keys are pressed.
pub(crate) async fn press(b: &Browser, keys: &str) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let modifiers = [Key::Shift, Key::Control, Key::Alt, Key::Meta].map(char::from);
    let mut actions = KeyActions::new("keyboard".to_string());
    let mut held = Vec::new();
    for key in keys.chars() {
        actions = actions.then(KeyAction::Down { value: key });
        if modifiers.contains(&key) {
            held.push(key);
        } else {
            actions = actions.then(KeyAction::Up { value: key });
        }
    }
    for key in held.into_iter().rev() {
        actions = actions.then(KeyAction::Up { value: key });
    }
    b.client.perform_actions(actions).await.expect("keys");
}

pub(crate) async fn tab(b: &Browser) -> Focus {
    press(b, &Key::Tab.to_string()).await;
    focused(b).await
}

/// Starts from the top of the page, with nothing focused.
pub(crate) async fn from_the_top(b: &Browser) -> i64 {
    b.script(LOOK).await;
    b.script(MARK_FOCUSABLE).await.as_i64().unwrap_or(0)
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn a_remiss_is_registered_with_the_keyboard_alone(pool: PgPool) {
    let mut e2e = E2e::start(pool).await;
    let b = e2e.browser("registrator").await;
    b.log_in("registrator").await;

    // From the start page: Tab to "Registrera remiss" in the menu, then Enter.
    from_the_top(&b).await;
    let mut steps_taken = 0;
    loop {
        let focus = tab(&b).await;
        assert!(
            focus.visible,
            "the focus on {} on the start page is visible",
            focus.name
        );
        if focus.name == "a \"Registrera remiss\"" {
            break;
        }
        steps_taken += 1;
        assert!(
            steps_taken < 30,
            "Tab never reached the menu's Registrera remiss"
        );
    }
    b.key_and_wait(Key::Enter, "Enter on Registrera remiss")
        .await;
    assert_eq!(b.heading().await, "Registrera remiss");

    let expected: Vec<String> =
        serde_json::from_value(b.script(FORM_CONTROLS).await).expect("the form's controls");
    assert!(
        expected.len() > 10,
        "the form has its controls: {expected:?}"
    );
    let total = from_the_top(&b).await;

    // What the registrar types, by the control that has the focus.
    let dates = steps::dates();
    let typing = [
        ("#title", steps::TITLE.to_string()),
        ("#sender_name", steps::SENDER.to_string()),
        ("#sender_dnr", steps::SENDER_DNR.to_string()),
        ("#description", steps::DESCRIPTION.to_string()),
        ("#received_on", b.keys_for("date", &dates.received).await),
        ("#deadline", b.keys_for("date", &dates.deadline).await),
        ("#respondent-AMN", " ".to_string()),
        ("#respondent-SN", " ".to_string()),
    ];

    // Tab through the whole page once, typing into each field on arrival.
    let mut reached: Vec<String> = Vec::new();
    let mut invisible: Vec<String> = Vec::new();
    let mut left_form = false;
    for _ in 0..(total + 40) {
        let focus = tab(&b).await;
        let arrived = reached.last() != Some(&focus.name);
        // Judged on arrival: further Tab stops inside one control (the parts of
        // a date and its calendar button) are drawn by the browser itself.
        if arrived && !focus.visible {
            invisible.push(focus.name.clone());
        }
        if focus.in_form {
            if arrived {
                reached.push(focus.name.clone());
                if let Some((_, keys)) = typing.iter().find(|(name, _)| *name == focus.name) {
                    press(&b, keys).await;
                }
            }
        } else if !reached.is_empty() {
            left_form = true;
            break;
        }
    }
    assert!(left_form, "Tab went through the form and on: {reached:?}");
    assert_eq!(
        reached, expected,
        "Tab reaches every control of the registration form, in order"
    );
    assert!(
        invisible.is_empty(),
        "these had the focus without showing it: {invisible:?}"
    );

    // Back to the button with Shift+Tab, and Enter sends the form.
    press(&b, &format!("{}{}", Key::Shift, Key::Tab)).await;
    press(&b, &format!("{}{}", Key::Shift, Key::Tab)).await;
    let focus = focused(&b).await;
    assert_eq!(focus.name, "button \"Registrera remissen\"");
    b.screenshot("15-keyboard-focus-on-submit").await;
    b.key_and_wait(Key::Enter, "Enter on Registrera remissen")
        .await;

    assert_eq!(b.heading().await, steps::TITLE, "registered");
    b.sees(steps::SENDER).await;
    b.sees(&dates.deadline).await;
    assert!(b.dnr_of("Arbetsmarknadsnämnden").await.starts_with("AMN "));
    assert!(b.dnr_of("Socialnämnden").await.starts_with("SN "));
    e2e.finish().await;
}

#[sqlx::test(migrator = "remiss::db::MIGRATOR")]
async fn enter_in_the_editors_title_saves_the_draft(pool: PgPool) {
    let mut e2e = E2e::start(pool).await;
    let mut b = e2e.browser("handläggaren").await;
    let registered = steps::set_stage(&mut b, steps::Stage::Drafting).await;
    b.log_in("handlaggare").await;
    b.follow(&registered.amn).await;
    b.follow("Redigera utkastet").await;
    let proposals = "return document.querySelectorAll('textarea[name=proposals]').length;";
    let before = b.script(proposals).await;

    b.fill("Rubrik", "Yttrande över strategin").await;
    b.key_and_wait(Key::Enter, "pressing Enter in the title")
        .await;
    b.sees("Utkastet är sparat som version 2.").await;
    assert_eq!(b.value_of("Rubrik").await, "Yttrande över strategin");
    assert_eq!(b.script(proposals).await, before, "no decision point added");
    e2e.finish().await;
}
