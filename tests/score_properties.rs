//! Properties of the relationship score: bounded, monotone in cooperative and
//! conflictual events, shrunk towards 0 for few events, duplicates across
//! articles counted once, undirected and top rows consistent with directed
//! actor rows.

use dyadflow::config::ScoreConfig;
use dyadflow::problem::{Error, Result};
use dyadflow::score::{Incidents, ScoreRows, ScoredEvent};
use polars::prelude::*;
use proptest::prelude::*;
use std::collections::HashMap;

/// The relationship_scores table of an events table (with top ids, Goldstein
/// values and QuadClass), through the score accumulator's public interface:
/// each row added as an incident report, then the sums finished in one chunk.
fn relationship_scores(events: &DataFrame, cfg: &ScoreConfig) -> Result<DataFrame> {
    let err = Error::polars("score");
    let str_col = |name: &str| -> Result<StringChunked> {
        Ok(events.column(name).map_err(Error::polars("score"))?.str().map_err(Error::polars("score"))?.clone())
    };
    let (source, target, source_top, target_top, code, mode) = (
        str_col("source_id")?,
        str_col("target_id")?,
        str_col("source_top_id")?,
        str_col("target_top_id")?,
        str_col("code")?,
        str_col("mode")?,
    );
    let num = |name: &str, t: DataType| -> Result<Series> {
        events.column(name).and_then(|c| c.as_materialized_series().cast(&t)).map_err(Error::polars("score"))
    };
    let quad = num("quad_class", DataType::Int32)?;
    let goldstein = num("goldstein", DataType::Float64)?;
    let confidence = num("confidence", DataType::Float64)?;
    let ds = num("date_start", DataType::Int32)?;
    let de = num("date_end", DataType::Int32)?;
    let (quad, goldstein, confidence, ds, de) = (
        quad.i32().map_err(Error::polars("score"))?,
        goldstein.f64().map_err(Error::polars("score"))?,
        confidence.f64().map_err(Error::polars("score"))?,
        ds.i32().map_err(Error::polars("score"))?,
        de.i32().map_err(err)?,
    );
    let mut inc = Incidents::new(cfg);
    for i in 0..events.height() {
        let (Some(s), Some(st), Some(c), Some(m)) = (source.get(i), source_top.get(i), code.get(i), mode.get(i)) else {
            continue;
        };
        inc.add(&ScoredEvent {
            source_id: s,
            target_id: target.get(i),
            source_top_id: st,
            target_top_id: target_top.get(i),
            code: c,
            quad_class: quad.get(i).unwrap_or_default(),
            goldstein: goldstein.get(i).unwrap_or_default(),
            mode: m,
            confidence: confidence.get(i).unwrap_or(1.0),
            date_start: ds.get(i).unwrap_or_default(),
            date_end: de.get(i).unwrap_or_default(),
        });
    }
    let mut frames = Vec::new();
    inc.finish(usize::MAX, |rows| {
        frames.push(rows.into_frame()?);
        Ok(())
    })?;
    match frames.pop() {
        Some(df) => Ok(df),
        None => ScoreRows::default().into_frame(),
    }
}

#[derive(Debug, Clone)]
struct Ev {
    article: u8,
    source: u8,
    target: u8,
    /// index into CODES
    code: usize,
    mode: &'static str,
    confidence: f64,
    /// day offset
    day: i32,
    /// days from the first to the last day of the date span
    span: i32,
}

/// (code, quad_class, goldstein)
const CODES: [(&str, i32, f64); 8] = [
    ("057", 1, 8.0),
    ("042", 1, 1.9),
    ("010", 1, 0.0),
    ("072", 2, 8.3),
    ("111", 3, -2.0),
    ("173", 4, -5.0),
    ("190", 4, -10.0),
    ("0874", 2, 10.0),
];
const ACTORS: [&str; 5] = ["A", "A.GOV", "B", "B.MIL", "C"];

fn top(a: &str) -> &str {
    a.split('.').next().unwrap()
}

fn frame(evs: &[Ev]) -> DataFrame {
    let s = |f: &dyn Fn(&Ev) -> String| evs.iter().map(f).collect::<Vec<String>>();
    let date = Column::new("d".into(), evs.iter().map(|e| 19_000 + e.day).collect::<Vec<i32>>())
        .cast(&DataType::Date)
        .unwrap();
    let date_end = Column::new("d".into(), evs.iter().map(|e| 19_000 + e.day + e.span).collect::<Vec<i32>>())
        .cast(&DataType::Date)
        .unwrap();
    DataFrame::new_infer_height(vec![
        Column::new("article_id".into(), s(&|e| format!("art{}", e.article))),
        Column::new("event_key".into(), (0..evs.len()).map(|i| format!("k{i}")).collect::<Vec<_>>()),
        Column::new("source_id".into(), s(&|e| ACTORS[e.source as usize].to_string())),
        Column::new("target_id".into(), s(&|e| ACTORS[e.target as usize].to_string())),
        Column::new("source_top_id".into(), s(&|e| top(ACTORS[e.source as usize]).to_string())),
        Column::new("target_top_id".into(), s(&|e| top(ACTORS[e.target as usize]).to_string())),
        Column::new("code".into(), s(&|e| CODES[e.code].0.to_string())),
        Column::new("quad_class".into(), evs.iter().map(|e| CODES[e.code].1).collect::<Vec<i32>>()),
        Column::new("goldstein".into(), evs.iter().map(|e| CODES[e.code].2).collect::<Vec<f64>>()),
        Column::new("mode".into(), s(&|e| e.mode.to_string())),
        Column::new("confidence".into(), evs.iter().map(|e| e.confidence).collect::<Vec<f64>>()),
        date.with_name("date_start".into()),
        date_end.with_name("date_end".into()),
    ])
    .unwrap()
}

#[derive(Debug, Clone, PartialEq)]
struct Row {
    n_events: i64,
    coop: f64,
    conflict: f64,
    score: f64,
}

type Key = (String, bool, String, String, String);

fn table(evs: &[Ev], cfg: &ScoreConfig) -> HashMap<Key, Row> {
    let df = relationship_scores(&frame(evs), cfg).unwrap();
    let st = |c: &str| df.column(c).unwrap().str().unwrap().iter().map(|v| v.unwrap().to_string()).collect::<Vec<_>>();
    let f = |c: &str| df.column(c).unwrap().f64().unwrap().iter().map(|v| v.unwrap()).collect::<Vec<_>>();
    let (level, period, a, b) = (st("level"), st("period"), st("actor_a"), st("actor_b"));
    let directed: Vec<bool> = df.column("directed").unwrap().bool().unwrap().iter().map(|v| v.unwrap()).collect();
    let n: Vec<i64> = df.column("n_events").unwrap().i64().unwrap().iter().map(|v| v.unwrap()).collect();
    let (coop, conflict, score) = (f("coop_mass"), f("conflict_mass"), f("score"));
    (0..df.height())
        .map(|i| {
            (
                (level[i].clone(), directed[i], period[i].clone(), a[i].clone(), b[i].clone()),
                Row { n_events: n[i], coop: coop[i], conflict: conflict[i], score: score[i] },
            )
        })
        .collect()
}

fn all(t: &HashMap<Key, Row>, level: &str, directed: bool) -> HashMap<(String, String), Row> {
    t.iter()
        .filter(|(k, _)| k.0 == level && k.1 == directed && k.2 == "all")
        .map(|(k, r)| ((k.3.clone(), k.4.clone()), r.clone()))
        .collect()
}

fn ev() -> impl Strategy<Value = Ev> {
    (
        0u8..3,
        0u8..5,
        0u8..5,
        0usize..CODES.len(),
        prop::sample::select(vec!["asserted", "alleged", "planned", "negated"]),
        0.0f64..=1.0,
        0i32..800,
        prop_oneof![3 => Just(0i32), 1 => 0i32..400],
    )
        .prop_map(|(article, source, target, code, mode, confidence, day, span)| Ev {
            article,
            source,
            target,
            code,
            mode,
            confidence,
            day,
            span,
        })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn scores_are_bounded_and_counts_positive(evs in prop::collection::vec(ev(), 1..40)) {
        let cfg = ScoreConfig::default();
        for (k, r) in table(&evs, &cfg) {
            prop_assert!(r.score > -1.0 && r.score < 1.0, "{k:?} {r:?}");
            prop_assert!(r.n_events >= 1);
            prop_assert!(close(r.score, (r.coop - r.conflict) / (r.coop + r.conflict + cfg.shrinkage)));
        }
    }

    #[test]
    fn a_cooperative_event_never_lowers_and_a_conflictual_one_never_raises(
        evs in prop::collection::vec(ev(), 0..30),
        extra in ev(),
    ) {
        prop_assume!(extra.source != extra.target);
        let cfg = ScoreConfig::default();
        let before = table(&evs, &cfg);
        let mut more = evs.clone();
        more.push(extra.clone());
        let after = table(&more, &cfg);
        let g = CODES[extra.code].2;
        for (k, r) in &after {
            let old = before.get(k).map_or(0.0, |r| r.score);
            if g > 0.0 {
                prop_assert!(r.score >= old - 1e-12, "{k:?}: {old} -> {}", r.score);
            } else if g < 0.0 {
                prop_assert!(r.score <= old + 1e-12, "{k:?}: {old} -> {}", r.score);
            } else {
                prop_assert!(close(r.score, old), "a neutral event leaves {k:?} as it was");
            }
        }
    }

    #[test]
    fn undirected_rows_add_up_both_directions(evs in prop::collection::vec(ev(), 1..40)) {
        let t = table(&evs, &ScoreConfig::default());
        for level in ["actor", "top"] {
            let d = all(&t, level, true);
            let u = all(&t, level, false);
            for ((a, b), r) in &u {
                prop_assert!(a < b);
                let ab = d.get(&(a.clone(), b.clone()));
                let ba = d.get(&(b.clone(), a.clone()));
                let n = ab.map_or(0, |r| r.n_events) + ba.map_or(0, |r| r.n_events);
                let coop = ab.map_or(0.0, |r| r.coop) + ba.map_or(0.0, |r| r.coop);
                let conflict = ab.map_or(0.0, |r| r.conflict) + ba.map_or(0.0, |r| r.conflict);
                prop_assert_eq!(r.n_events, n);
                prop_assert!(close(r.coop, coop) && close(r.conflict, conflict));
            }
            let directed_total: i64 = d.values().map(|r| r.n_events).sum();
            let undirected_total: i64 = u.values().map(|r| r.n_events).sum();
            prop_assert_eq!(directed_total, undirected_total);
        }
    }

    #[test]
    fn top_rows_roll_up_actor_rows(evs in prop::collection::vec(ev(), 1..40)) {
        let t = table(&evs, &ScoreConfig::default());
        let actor = all(&t, "actor", true);
        let topr = all(&t, "top", true);
        let mut expect: HashMap<(String, String), (i64, f64, f64)> = HashMap::new();
        for ((a, b), r) in &actor {
            let (ta, tb) = (top(a).to_string(), top(b).to_string());
            if ta == tb { continue; }
            let e = expect.entry((ta, tb)).or_default();
            e.0 += r.n_events; e.1 += r.coop; e.2 += r.conflict;
        }
        prop_assert_eq!(expect.len(), topr.len());
        for (k, (n, c, k2)) in expect {
            let r = &topr[&k];
            prop_assert_eq!(r.n_events, n);
            prop_assert!(close(r.coop, c) && close(r.conflict, k2));
        }
    }

    #[test]
    fn the_table_does_not_depend_on_the_order_of_the_events(
        evs in prop::collection::vec(ev(), 1..60),
        seed in any::<u64>(),
    ) {
        let cfg = ScoreConfig::default();
        let mut shuffled = evs.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let a = relationship_scores(&frame(&evs), &cfg).unwrap();
        let b = relationship_scores(&frame(&shuffled), &cfg).unwrap();
        prop_assert!(a.equals_missing(&b), "{a}\n{b}");
        for c in ["goldstein_sum", "weight_sum", "coop_mass", "conflict_mass", "score"] {
            let bits = |df: &DataFrame| -> Vec<u64> {
                df.column(c).unwrap().f64().unwrap().iter().map(|v| v.unwrap().to_bits()).collect()
            };
            prop_assert_eq!(bits(&a), bits(&b), "{}", c);
        }
    }

    #[test]
    fn yearly_rows_add_up_to_all(evs in prop::collection::vec(ev(), 1..40)) {
        let t = table(&evs, &ScoreConfig::default());
        let mut by_dyad: HashMap<(String, bool, String, String), i64> = HashMap::new();
        for (k, r) in &t {
            if k.2.len() == 4 {
                *by_dyad.entry((k.0.clone(), k.1, k.3.clone(), k.4.clone())).or_default() += r.n_events;
            }
        }
        for (k, r) in &t {
            if k.2 == "all" {
                prop_assert_eq!(by_dyad[&(k.0.clone(), k.1, k.3.clone(), k.4.clone())], r.n_events);
            }
        }
    }
}

fn one(source: u8, target: u8, code: usize, mode: &'static str, article: u8) -> Ev {
    Ev { article, source, target, code, mode, confidence: 1.0, day: 10, span: 0 }
}

#[test]
fn one_event_never_gives_plus_or_minus_one() {
    let cfg = ScoreConfig::default();
    let t = table(&[one(0, 2, 7, "asserted", 0)], &cfg);
    let r = &t[&("actor".into(), true, "all".into(), "A".into(), "B".into())];
    assert!(close(r.score, 1.0 / (1.0 + cfg.shrinkage)), "{r:?}");
    let t = table(&[one(0, 2, 6, "asserted", 0)], &cfg);
    let r = &t[&("actor".into(), true, "all".into(), "A".into(), "B".into())];
    assert!(close(r.score, -1.0 / (1.0 + cfg.shrinkage)), "{r:?}");
}

#[test]
fn negated_planned_and_alleged_events_count_less_than_asserted_ones() {
    let cfg = ScoreConfig::default();
    let score = |mode| {
        table(&[one(0, 2, 6, mode, 0)], &cfg)[&("actor".into(), true, "all".into(), "A".into(), "B".into())].score
    };
    let (asserted, alleged, planned, negated) =
        (score("asserted"), score("alleged"), score("planned"), score("negated"));
    assert!(asserted < alleged && alleged < planned && planned < negated);
    assert_eq!(negated, 0.0, "a negated attack did not happen");
}

#[test]
fn one_event_reported_by_several_articles_counts_once() {
    let cfg = ScoreConfig::default();
    let once = table(&[one(0, 2, 6, "asserted", 0)], &cfg);
    let twice = table(&[one(0, 2, 6, "asserted", 0), one(0, 2, 6, "asserted", 1), one(0, 2, 6, "alleged", 2)], &cfg);
    let k: Key = ("actor".into(), true, "all".into(), "A".into(), "B".into());
    assert_eq!(twice[&k].n_events, 1);
    assert_eq!(twice[&k].score, once[&k].score, "the largest weight of the reports counts, once");
    let df = relationship_scores(&frame(&[one(0, 2, 6, "asserted", 0), one(0, 2, 6, "asserted", 1)]), &cfg).unwrap();
    let reports = df.column("n_reports").unwrap().i64().unwrap().get(0);
    assert_eq!(reports, Some(2));
}

#[test]
fn self_dyads_and_events_without_target_are_not_scored() {
    let cfg = ScoreConfig::default();
    // A.GOV acting on A: a dyad at actor level, none at top level
    let t = table(&[one(1, 0, 4, "asserted", 0)], &cfg);
    assert!(t.keys().any(|k| k.0 == "actor"));
    assert!(!t.keys().any(|k| k.0 == "top"));
    let t = table(&[one(0, 0, 4, "asserted", 0)], &cfg);
    assert!(t.is_empty());
}

/// Every row of the table with the columns the period sums compare, by
/// (level, directed, actor_a, actor_b) and period.
type Sums = (i64, i64, [i64; 4], f64, f64, f64, f64);
/// (level, directed, actor_a, actor_b, period)
type PeriodKey = (String, bool, String, String, String);
/// Incidents (code, first day, last day) by (actor_a, actor_b, month).
type ByMonth = HashMap<(String, String, String), std::collections::HashSet<(usize, i32, i32)>>;

fn period_rows(evs: &[Ev]) -> HashMap<PeriodKey, (String, Sums)> {
    let df = relationship_scores(&frame(evs), &ScoreConfig::default()).unwrap();
    let st = |c: &str| df.column(c).unwrap().str().unwrap().iter().map(|v| v.unwrap().to_string()).collect::<Vec<_>>();
    let i = |c: &str| df.column(c).unwrap().i64().unwrap().iter().map(|v| v.unwrap()).collect::<Vec<_>>();
    let f = |c: &str| df.column(c).unwrap().f64().unwrap().iter().map(|v| v.unwrap()).collect::<Vec<_>>();
    let directed: Vec<bool> = df.column("directed").unwrap().bool().unwrap().iter().map(|v| v.unwrap()).collect();
    let (level, period, granularity, a, b) =
        (st("level"), st("period"), st("granularity"), st("actor_a"), st("actor_b"));
    let (n, reports) = (i("n_events"), i("n_reports"));
    let quads: Vec<Vec<i64>> =
        ["n_verbal_coop", "n_material_coop", "n_verbal_conflict", "n_material_conflict"].iter().map(|c| i(c)).collect();
    let (g, w, c, k) = (f("goldstein_sum"), f("weight_sum"), f("coop_mass"), f("conflict_mass"));
    (0..df.height())
        .map(|r| {
            (
                (level[r].clone(), directed[r], a[r].clone(), b[r].clone(), period[r].clone()),
                (
                    granularity[r].clone(),
                    (n[r], reports[r], [quads[0][r], quads[1][r], quads[2][r], quads[3][r]], g[r], w[r], c[r], k[r]),
                ),
            )
        })
        .collect()
}

/// An event dated to a day or a few days inside one calendar month.
fn fine_ev() -> impl Strategy<Value = Ev> {
    (ev(), 0i32..3, 1u32..=12, 1u32..=25, 0i32..=3).prop_map(|(mut e, year, month, day, span)| {
        let d = chrono::NaiveDate::from_ymd_opt(2022 + year, month, day).unwrap();
        e.day = (d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32 - 19_000;
        e.span = span;
        e
    })
}

fn month_of(epoch_day: i32) -> (i32, u32) {
    use chrono::Datelike;
    let d = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Duration::days(epoch_day as i64);
    (d.year(), d.month())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// With events of month precision or finer, the month rows of a dyad
    /// add up to its year row: counts and Goldstein sums exactly, masses to
    /// rounding.
    #[test]
    fn monthly_rows_add_up_to_the_yearly_row_for_month_or_finer_events(
        evs in prop::collection::vec(fine_ev(), 1..40)
    ) {
        let rows = period_rows(&evs);
        let mut months: HashMap<PeriodKey, Sums> = HashMap::new();
        for ((level, directed, a, b, period), (granularity, s)) in &rows {
            prop_assert_eq!(granularity.as_str(), match period.len() { 3 => "all", 4 => "year", _ => "month" });
            if granularity == "month" {
                let m = months.entry((level.clone(), *directed, a.clone(), b.clone(), period[..4].to_string())).or_default();
                m.0 += s.0;
                m.1 += s.1;
                for q in 0..4 {
                    m.2[q] += s.2[q];
                }
                m.3 += s.3;
                m.4 += s.4;
                m.5 += s.5;
                m.6 += s.6;
            }
        }
        let mut years = 0;
        for ((level, directed, a, b, period), (granularity, y)) in &rows {
            if granularity != "year" {
                continue;
            }
            years += 1;
            let m = &months[&(level.clone(), *directed, a.clone(), b.clone(), period.clone())];
            prop_assert_eq!((m.0, m.1, m.2), (y.0, y.1, y.2), "{} {} {} {} {}", level, directed, a, b, period);
            prop_assert!((m.3 - y.3).abs() < 1e-9 && close(m.4, y.4) && close(m.5, y.5) && close(m.6, y.6));
        }
        prop_assert_eq!(months.len(), years, "a month row outside its year");
    }

    /// An incident whose date span leaves its calendar month (a season, a
    /// year, an interval across months) counts in its year and all-time rows
    /// and in no month; the others count in the month of their span.
    #[test]
    fn coarser_events_count_in_their_year_and_in_no_month(evs in prop::collection::vec(ev(), 1..40)) {
        let rows = period_rows(&evs);
        // independently: distinct incidents of each directed actor dyad, by
        // the month that holds their whole span
        let mut expected: ByMonth = HashMap::new();
        for e in &evs {
            let (a, b) = (ACTORS[e.source as usize], ACTORS[e.target as usize]);
            let (start, end) = (19_000 + e.day, 19_000 + e.day + e.span);
            if a == b || month_of(start) != month_of(end) {
                continue;
            }
            let (y, m) = month_of(start);
            expected.entry((a.to_string(), b.to_string(), format!("{y:04}-{m:02}"))).or_default().insert((e.code, start, end));
        }
        let got: HashMap<(String, String, String), i64> = rows
            .iter()
            .filter(|(k, (g, _))| k.0 == "actor" && k.1 && g == "month")
            .map(|(k, (_, s))| ((k.2.clone(), k.3.clone(), k.4.clone()), s.0))
            .collect();
        let expected: HashMap<(String, String, String), i64> =
            expected.into_iter().map(|(k, v)| (k, v.len() as i64)).collect();
        prop_assert_eq!(got, expected);
    }
}
