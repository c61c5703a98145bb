//! Problems as annotations for code review: GitHub Actions workflow commands
//! (`::error file=…,line=…,col=…::message`) and SARIF 2.1.0, so that a pull
//! request that edits the raw CSV files gets the problems as inline comments.
//!
//! A problem names a row's physical line and the field at fault by its number;
//! annotations want a character column, so [`Locator`] finds where the field
//! starts in the file (a quoted field may start on a later line than its row).

use crate::manifest::Manifest;
use crate::problem::Problem;
use crate::rules::{Rule, Severity};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Write;

/// Where problems point in their files: line and column (1-based, in code
/// points) of the field at fault. Files are read once each.
#[derive(Default)]
pub struct Locator {
    files: HashMap<String, Option<Vec<u8>>>,
}

impl Locator {
    /// The line and column where `p` points: the start of its field when it
    /// names one that can be found, else its line and no column; `None` for a
    /// problem about a whole file.
    pub fn position(&mut self, p: &Problem) -> Option<(u64, Option<u64>)> {
        if p.line == 0 {
            return None;
        }
        let Some(field) = p.column else { return Some((p.line, None)) };
        let bytes = self.files.entry(p.file.clone()).or_insert_with(|| std::fs::read(&p.file).ok());
        match bytes.as_deref().and_then(|b| field_start(b, p.line, field)) {
            Some((line, col)) => Some((line, Some(col))),
            None => Some((p.line, None)),
        }
    }
}

/// Line and column (1-based, code points) where field number `field`
/// (1-based) of the CSV record starting on physical line `line` begins. Line
/// breaks are LF, CRLF or a lone CR, as the reader counts them.
pub fn field_start(bytes: &[u8], line: u64, field: usize) -> Option<(u64, u64)> {
    if field == 0 {
        return None;
    }
    // the offset of the line
    let mut at = 0usize;
    let mut cur = 1u64;
    while cur < line {
        match bytes[at..].iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(i) => {
                at += i;
                at += if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') { 2 } else { 1 };
                cur += 1;
            }
            None => return None,
        }
    }
    if at == 0 && bytes.starts_with(b"\xEF\xBB\xBF") {
        at = 3;
    }
    let (mut l, mut col) = (line, 1u64);
    let mut index = 1usize;
    let mut quoted = false;
    let mut i = at;
    while index < field {
        let b = *bytes.get(i)?;
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => index += 1,
            b'\n' | b'\r' => {
                if !quoted {
                    return None; // the record ended before the field
                }
                if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                l += 1;
                col = 0;
            }
            _ => {}
        }
        if b & 0xC0 != 0x80 {
            col += 1;
        }
        i += 1;
    }
    Some((l, col))
}

/// Escapes the message of a workflow command.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property of a workflow command (file, title).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn message_with_hint(p: &Problem) -> String {
    let mut s = p.message.clone();
    if let Some(h) = &p.hint {
        s.push_str("\nhint: ");
        s.push_str(h);
    }
    s.push_str(&format!("\n(`dyadflow explain {}` shows an example and the fix)", p.rule));
    s
}

/// One GitHub Actions workflow command per problem, in the order of the run
/// record: `::error file=F,line=L,col=C,title=T::message` (`::warning` for
/// warnings; no line for a problem about a whole file, no column when no
/// single field is at fault).
pub fn github(w: &mut dyn Write, problems: &[Problem]) -> std::io::Result<()> {
    let mut loc = Locator::default();
    for p in problems {
        let level = match p.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = vec![format!("file={}", escape_property(&p.file))];
        if let Some((line, col)) = loc.position(p) {
            props.push(format!("line={line}"));
            if let Some(c) = col {
                props.push(format!("col={c}"));
            }
        }
        props.push(format!("title={}", escape_property(&format!("dyadflow {}", p.rule))));
        writeln!(w, "::{level} {}::{}", props.join(","), escape_data(&message_with_hint(p)))?;
    }
    Ok(())
}

/// The SARIF `$schema` of the documents [`sarif`] writes.
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// A path as a URI reference: relative paths stay relative (to the working
/// directory, the repository's root in a workflow), absolute ones become
/// `file://` URIs; `/` is kept, anything but unreserved characters is
/// percent-encoded.
fn uri_path(path: &str) -> String {
    let mut s = String::new();
    if path.starts_with('/') {
        s.push_str("file://");
    }
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The run record's problems as a SARIF 2.1.0 log: one run of the `dyadflow`
/// tool, every rule of the catalogue (with its example and fix as help), one
/// result per problem located at its file, line and field.
pub fn sarif(m: &Manifest) -> Value {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|r| {
            let ex = r.explanation();
            json!({
                "id": r.id(),
                "shortDescription": {"text": r.description()},
                "fullDescription": {"text": format!("{} (stage {}).", r.description(), r.stage())},
                "help": {"text": format!("Example: {}\nFix: {}", ex.example, ex.fix)},
                "defaultConfiguration": {"level": level(r.default_severity())},
                "properties": {"stage": r.stage().to_string(), "demotable": r.demotable()},
            })
        })
        .collect();
    let mut loc = Locator::default();
    let results: Vec<Value> = m
        .problems
        .iter()
        .map(|p| {
            let mut physical = json!({"artifactLocation": {"uri": uri_path(&p.file)}});
            if let Some((line, col)) = loc.position(p) {
                let mut region = json!({"startLine": line});
                if let Some(c) = col {
                    region["startColumn"] = c.into();
                }
                physical["region"] = region;
            }
            let mut result = json!({
                "ruleId": p.rule.id(),
                "ruleIndex": Rule::ALL.iter().position(|r| *r == p.rule).expect("catalogue rule"),
                "level": level(p.severity),
                "message": {"text": message_with_hint(p)},
                "locations": [{"physicalLocation": physical}],
            });
            if let Some(f) = &p.field {
                result["properties"] = json!({"field": f});
            }
            result
        })
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dyadflow",
                "version": m.program_version,
                "semanticVersion": m.program_version,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": true,
                "exitCode": m.exit_code,
                "commandLine": format!("dyadflow {} --raw {}", m.command, m.raw_dir),
            }],
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_start_counts_code_points_quotes_and_line_breaks() {
        let csv = "a,b,c\nx,\"y,\ny\",z\r\né,ü,w\n";
        assert_eq!(field_start(csv.as_bytes(), 1, 1), Some((1, 1)));
        assert_eq!(field_start(csv.as_bytes(), 1, 3), Some((1, 5)));
        assert_eq!(field_start(csv.as_bytes(), 2, 2), Some((2, 3)));
        // the third field starts on the next physical line, after the quoted break
        assert_eq!(field_start(csv.as_bytes(), 2, 3), Some((3, 4)));
        // code points, not bytes
        assert_eq!(field_start(csv.as_bytes(), 4, 3), Some((4, 5)));
        // no such field, no such line
        assert_eq!(field_start(csv.as_bytes(), 1, 4), None);
        assert_eq!(field_start(csv.as_bytes(), 9, 1), None);
        // a byte-order mark is not a column; a lone CR ends a line
        assert_eq!(field_start(b"\xEF\xBB\xBFa,b\rc,d", 1, 2), Some((1, 3)));
        assert_eq!(field_start(b"\xEF\xBB\xBFa,b\rc,d", 2, 2), Some((2, 3)));
    }

    #[test]
    fn workflow_commands_escape_their_properties_and_data() {
        let p = Problem::new(Rule::UnknownActor, "raw/a,b:c.csv", 3, "50% of `x`\nmore").hint("h");
        let mut out = Vec::new();
        github(&mut out, &[p]).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert_eq!(
            s,
            "::error file=raw/a%2Cb%3Ac.csv,line=3,title=dyadflow unknown-actor::50%25 of `x`%0Amore%0Ahint: h%0A\
             (`dyadflow explain unknown-actor` shows an example and the fix)\n"
        );
        assert_eq!(uri_path("raw/my events#1.csv"), "raw/my%20events%231.csv");
        assert_eq!(uri_path("/srv/raw/events.csv"), "file:///srv/raw/events.csv");
    }
}
