//! Rendering the page: the template with the chart library, the page's
//! script and the data (as JSON safe inside a `<script>` element) in place
//! of its markers.

use serde_json::Value;

const TEMPLATE: &str = include_str!("page.html");
const APP: &str = include_str!("app.js");
const ECHARTS: &str = include_str!("../../vendor/echarts/echarts.min.js");

/// The JSON text of `v`, safe inside an HTML `<script>` element: no `<`,
/// `>` or `&` (so no `</script>` or `<!--`), no U+2028/U+2029.
pub fn script_json(v: &Value) -> String {
    let s = serde_json::to_string(v).expect("JSON values serialize");
    let mut out = String::with_capacity(s.len() + 64);
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn html_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The template with its markers replaced; each marker is replaced once, in
/// the template only, so nothing inserted is scanned again.
pub(super) fn render(data: &Value, run_id: &str) -> String {
    let parts: [(&str, String); 4] = [
        ("{{RUN_ID}}", html_text(run_id)),
        ("/*{{ECHARTS}}*/", ECHARTS.replace("</script", "<\\/script")),
        ("/*{{APP}}*/", APP.to_string()),
        ("{{DATA}}", script_json(data)),
    ];
    let mut out = String::with_capacity(TEMPLATE.len() + parts.iter().map(|(_, s)| s.len()).sum::<usize>());
    let mut rest = TEMPLATE;
    loop {
        let next = parts.iter().filter_map(|(m, s)| rest.find(m).map(|i| (i, *m, s))).min_by_key(|(i, _, _)| *i);
        match next {
            Some((i, m, s)) => {
                out.push_str(&rest[..i]);
                out.push_str(s);
                rest = &rest[i + m.len()..];
            }
            None => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn script_json_escapes_what_could_end_the_element() {
        let v = json!({"t": "</script><script>alert(1)</script> <!-- & \u{2028}\u{2029} \"q\""});
        let s = script_json(&v);
        for bad in ["<", ">", "&", "\u{2028}", "\u{2029}"] {
            assert!(!s.contains(bad), "{bad:?} in {s}");
        }
        assert_eq!(serde_json::from_str::<Value>(&s).unwrap(), v, "the same value parses back");
    }

    #[test]
    fn the_vendored_library_cannot_close_its_element() {
        assert!(!ECHARTS.contains("</script"));
        assert!(!APP.contains("</script"));
        assert!(ECHARTS.len() > 500_000, "the whole library is vendored");
    }

    #[test]
    fn markers_are_replaced_once_and_inserted_text_is_not_scanned() {
        let data = json!({"x": "{{DATA}} /*{{APP}}*/ {{RUN_ID}}"});
        let page = render(&data, "<b>id</b>");
        assert_eq!(page.matches("{{DATA}}").count(), 1, "only the one inside the data");
        assert!(page.contains("&lt;b&gt;id&lt;/b&gt;"));
        assert!(!page.contains("<b>id</b>"));
    }
}
