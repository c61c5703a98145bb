//! The adjudicator's worksheet: one CSV row per matched pair and per
//! unmatched event, both readings' values side by side (each in its own
//! actor ids), the fields that differ, the similarity and the evidence.

use super::compare::Comparison;
use crate::normalize::NEvent;

const FIELDS: [&str; 9] =
    ["event_id", "line", "source", "target", "code", "date", "mode", "evidence_start", "evidence"];

fn values(e: Option<&NEvent>) -> [String; 9] {
    match e {
        None => Default::default(),
        Some(e) => [
            e.event_id.clone(),
            e.src.line.to_string(),
            e.source_id.clone(),
            e.target_id.clone().unwrap_or_default(),
            e.code.clone(),
            e.date_raw.clone(),
            e.mode.clone(),
            e.evidence_start.to_string(),
            e.evidence.clone(),
        ],
    }
}

/// The worksheet as CSV bytes, rows in article order, then A's row order.
pub fn write(c: &Comparison) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["article_id".to_string(), "status".into(), "similarity".into(), "differs".into()];
    for side in ["a", "b"] {
        header.extend(FIELDS.iter().map(|f| format!("{side}_{f}")));
    }
    w.write_record(&header)?;
    // (article, line of A or else of B, the row)
    let mut rows: Vec<(String, u64, u64, Vec<String>)> = Vec::new();
    let mut push = |x: Option<&NEvent>, y: Option<&NEvent>, status: &str, sim: String, differs: String| {
        let first = x.or(y).expect("a row has a side");
        let mut r = vec![first.article_id.clone(), status.to_string(), sim, differs];
        r.extend(values(x));
        r.extend(values(y));
        let order = (x.map_or(u64::MAX, |e| e.src.line), y.map_or(0, |e| e.src.line));
        rows.push((first.article_id.clone(), order.0, order.1, r));
    };
    for p in &c.pairs {
        let status = if p.differs.is_empty() { "same" } else { "differs" };
        push(
            Some(&c.a.events[p.a]),
            Some(&c.b.events[p.b]),
            status,
            format!("{:.3}", p.similarity),
            p.differs.join(";"),
        );
    }
    for &i in &c.only_a {
        push(Some(&c.a.events[i]), None, "only_a", String::new(), String::new());
    }
    for &j in &c.only_b {
        push(None, Some(&c.b.events[j]), "only_b", String::new(), String::new());
    }
    rows.sort_by(|x, y| (&x.0, x.1, x.2).cmp(&(&y.0, y.1, y.2)));
    for (_, _, _, r) in rows {
        w.write_record(&r)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}
