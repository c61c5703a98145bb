//! Reading article texts: the path must stay inside the raw directory (no
//! absolute path, no `..` leaving it, no link pointing out of it) and the file
//! must be UTF-8. Each text is read once, however many rows use it.

use super::records::Article;
use crate::ledger::Ledger;
use crate::rules::Rule;
use std::path::{Component, Path, PathBuf};

/// What the articles table records of a text; the text itself is read
/// again when its article's events and mentions are located in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFacts {
    pub sha256: String,
    /// Length in code points.
    pub chars: usize,
}

/// Why a text path was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum PathError {
    Absolute,
    LeavesRaw,
    Missing(String),
    OutsideRaw(PathBuf),
    NotUtf8 { line: usize },
}

/// Checks the shape of a `text_path`: relative, and no `..` that climbs above
/// the raw directory.
pub fn check_shape(p: &str) -> Result<PathBuf, PathError> {
    let path = Path::new(p);
    let looks_windows_absolute = p.starts_with('\\') || (p.len() > 1 && p.as_bytes()[1] == b':');
    if path.is_absolute() || p.starts_with('/') || looks_windows_absolute {
        return Err(PathError::Absolute);
    }
    let mut depth: i64 = 0;
    for c in path.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return Err(PathError::LeavesRaw);
                }
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return Err(PathError::Absolute),
        }
    }
    Ok(path.to_path_buf())
}

/// `raw` resolved (links and `..` followed), found once per thread and raw
/// directory: every text of a corpus is checked against it.
fn canonical_root(raw: &Path) -> std::io::Result<PathBuf> {
    thread_local! {
        static ROOT: std::cell::RefCell<Option<(PathBuf, PathBuf)>> = const { std::cell::RefCell::new(None) };
    }
    ROOT.with(|root| {
        let mut root = root.borrow_mut();
        match &*root {
            Some((given, real)) if given == raw => Ok(real.clone()),
            _ => {
                let real = raw.canonicalize()?;
                *root = Some((raw.to_path_buf(), real.clone()));
                Ok(real)
            }
        }
    })
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads a text file after checking that it resolves inside `raw`: its text
/// (without a byte order mark) and whether it began with one.
pub fn read_text(raw: &Path, p: &str) -> Result<(String, bool), PathError> {
    let rel = check_shape(p)?;
    let full = raw.join(&rel);
    let real = full.canonicalize().map_err(|e| PathError::Missing(e.to_string()))?;
    if !real.starts_with(canonical_root(raw).map_err(|e| PathError::Missing(e.to_string()))?) {
        return Err(PathError::OutsideRaw(real));
    }
    let mut bytes = std::fs::read(&real).map_err(|e| PathError::Missing(e.to_string()))?;
    let bom = bytes.starts_with(BOM);
    if bom {
        bytes.drain(..BOM.len());
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok((text, bom)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            Err(PathError::NotUtf8 { line: e.as_bytes()[..valid].iter().filter(|b| **b == b'\n').count() + 1 })
        }
    }
}

/// What reading one text gave: its facts, or the rule it breaks with the
/// message and hint.
type TextResult = Result<TextFacts, (Rule, String, String)>;

/// Reads the text of every article (each distinct path once): the articles
/// whose text can be used stay in `kept` with its facts in `texts`; the
/// others are rejected with the rule their text breaks.
pub(super) fn read_all(
    raw: &Path,
    kept: &mut Vec<Article>,
    texts: &mut rustc_hash::FxHashMap<String, TextFacts>,
    ledger: &mut Ledger,
) {
    let articles = std::mem::take(kept);
    // each distinct path read once, on every core; the articles then take
    // their results in order
    let mut paths: Vec<&str> = articles.iter().map(|a| a.text_path.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    let results = crate::parallel::map_in_order(&paths, |key| text_result(raw, key));
    let cache: std::collections::HashMap<String, TextResult> =
        paths.iter().map(|p| p.to_string()).zip(results).collect();
    for a in articles {
        let result = cache[&a.text_path].clone();
        match result {
            Ok(t) => {
                texts.entry(a.article_id.clone()).or_insert(t);
                kept.push(a);
            }
            Err((rule, msg, hint)) => {
                let p = a.src.problem(rule, Some("text_path"), msg).hint(hint);
                ledger.check_row(&a.src, vec![p]);
            }
        }
    }
}

/// Reads the text at `key` for the articles table: its facts, or why it
/// cannot be used.
fn text_result(raw: &Path, key: &str) -> TextResult {
    match read_text(raw, key) {
        Ok((s, bom)) => {
            // the file's bytes as they are, mark included
            let sha256 = match bom {
                false => crate::digest::sha256_hex(s.as_bytes()),
                true => crate::digest::sha256_hex(&[BOM, s.as_bytes()].concat()),
            };
            Ok(TextFacts { sha256, chars: s.chars().count() })
        }
        Err(PathError::Absolute) => Err((
            Rule::InvalidPath,
            format!("text_path `{key}` is absolute"),
            "give the path relative to the raw directory, e.g. `texts/<article_id>.txt`".into(),
        )),
        Err(PathError::LeavesRaw) => Err((
            Rule::InvalidPath,
            format!("text_path `{key}` leaves the raw directory through `..`"),
            "copy the text into the raw directory (e.g. `texts/`) and point to it there".into(),
        )),
        Err(PathError::Missing(e)) => Err((
            Rule::TextMissing,
            format!("text file `{key}` cannot be read: {e}"),
            format!("put the article text at `{}`", raw.join(key).display()),
        )),
        Err(PathError::OutsideRaw(real)) => Err((
            Rule::TextOutsideRaw,
            format!("text_path `{key}` resolves to {} outside the raw directory", real.display()),
            "replace the link by a copy of the file inside the raw directory".into(),
        )),
        Err(PathError::NotUtf8 { line }) => Err((
            Rule::TextNotUtf8,
            format!("text file `{key}` is not valid UTF-8 (first bad byte on its line {line})"),
            "save the text as UTF-8".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(check_shape("texts/a.txt").is_ok());
        assert!(check_shape("texts/../texts/a.txt").is_ok());
        assert!(check_shape("./a.txt").is_ok());
        assert_eq!(check_shape("../a.txt"), Err(PathError::LeavesRaw));
        assert_eq!(check_shape("texts/../../a.txt"), Err(PathError::LeavesRaw));
        assert_eq!(check_shape("/etc/passwd"), Err(PathError::Absolute));
        assert_eq!(check_shape("C:\\x.txt"), Err(PathError::Absolute));
    }

    #[test]
    fn links_out_of_the_raw_directory_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "hors").unwrap();
        let raw = tempfile::tempdir().unwrap();
        std::fs::write(raw.path().join("ok.txt"), "\u{feff}dedans").unwrap();
        std::fs::write(raw.path().join("bad.txt"), b"a\nb\xff").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), raw.path().join("link.txt")).unwrap();
        assert_eq!(read_text(raw.path(), "ok.txt").unwrap().0, "dedans");
        assert_eq!(read_text(raw.path(), "bad.txt").unwrap_err(), PathError::NotUtf8 { line: 2 });
        assert!(matches!(read_text(raw.path(), "none.txt"), Err(PathError::Missing(_))));
        #[cfg(unix)]
        assert!(matches!(read_text(raw.path(), "link.txt"), Err(PathError::OutsideRaw(_))));
    }
}
