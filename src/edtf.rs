//! Where dates are normalized: the EDTF subset of the raw format (year, month,
//! day, season, each optionally `~` approximate, `?` uncertain or `%` both, and
//! `A/B` intervals) parsed into a span of days.
//!
//! Parsing is split in two so that each stage checks what it owns: [`parse`]
//! checks the shape (the ingest contract), [`Edtf::resolve`] checks that the
//! days exist and the interval runs forward (the normalize gate).

use chrono::{Datelike, NaiveDate};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Year,
    Season(u32),
    Month(u32),
    Day(u32, u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub year: i32,
    pub unit: Unit,
    pub approximate: bool,
    pub uncertain: bool,
}

/// A date of the raw format, checked for shape only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edtf {
    pub start: Part,
    pub end: Option<Part>,
}

/// How precisely a date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Precision {
    Day,
    Month,
    Season,
    Year,
    Interval,
}

impl Precision {
    pub const ALL: [&'static str; 5] = ["day", "month", "season", "year", "interval"];

    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Day => "day",
            Precision::Month => "month",
            Precision::Season => "season",
            Precision::Year => "year",
            Precision::Interval => "interval",
        }
    }
}

/// A resolved date: the span of days it stands for, first and last included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DateSpan {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub precision: Precision,
    pub approximate: bool,
    pub uncertain: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// The shape is not one of the format's forms.
    Syntax(String),
    /// The shape is right but the day, month or season does not exist.
    Impossible(String),
    /// `A/B` with B before A.
    Reversed { first: NaiveDate, last: NaiveDate },
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateError::Syntax(m) | DateError::Impossible(m) => f.write_str(m),
            DateError::Reversed { first, last } => {
                write!(f, "interval ends on {last} before it starts on {first}")
            }
        }
    }
}

pub const SYNTAX_HINT: &str =
    "write YYYY, YYYY-MM, YYYY-MM-DD or a season YYYY-21..24, optionally followed by ~ (approximate), ? (uncertain) or % (both), or an interval A/B";

/// A hint for a date written the way spreadsheets write local dates
/// (`11/09/2025`, `11.09.2025`, `2025/09/11`): the ISO date to write
/// instead. Day and month are never guessed: when both readings are possible
/// the hint gives both. None when `s` is no such date.
pub fn local_date_hint(s: &str) -> Option<String> {
    let s = s.trim();
    let sep = ['/', '.', '-'].into_iter().find(|c| s.matches(*c).count() == 2)?;
    let parts: Vec<&str> = s.split(sep).collect();
    let num = |f: &str, max_len: usize| -> Option<u32> {
        (!f.is_empty() && f.len() <= max_len && f.bytes().all(|b| b.is_ascii_digit())).then(|| f.parse().ok())?
    };
    let day = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d);
    let iso = |d: NaiveDate| format!("`{}`", d.format("%Y-%m-%d"));
    let said = |d: NaiveDate| d.format("%-d %B %Y").to_string();
    if parts[0].len() == 4 {
        if sep == '-' {
            return None; // ISO already (or not a date at all)
        }
        // year first: YYYY/MM/DD is only ever read one way
        let (y, m, d) = (num(parts[0], 4)? as i32, num(parts[1], 2)?, num(parts[2], 2)?);
        let ymd = day(y, m, d)?;
        return Some(format!("write the date as ISO YYYY-MM-DD: {}", iso(ymd)));
    }
    let (a, b, y) = (num(parts[0], 2)?, num(parts[1], 2)?, num(parts[2], 4)?);
    if parts[2].len() != 4 {
        return None;
    }
    let y = y as i32;
    match (day(y, b, a), day(y, a, b)) {
        (Some(dm), Some(md)) if dm != md => Some(format!(
            "write the date as ISO YYYY-MM-DD: {} if it is {} (day/month), {} if it is {} (month/day)",
            iso(dm),
            said(dm),
            iso(md),
            said(md)
        )),
        (Some(one), _) | (None, Some(one)) => {
            Some(format!("write the date as ISO YYYY-MM-DD: {} ({})", iso(one), said(one)))
        }
        (None, None) => None,
    }
}

/// Checks the shape of a date and splits it into parts.
pub fn parse(input: &str) -> Result<Edtf, DateError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(DateError::Syntax("empty date".into()));
    }
    let mut halves = s.split('/');
    let a = halves.next().unwrap_or("");
    let b = halves.next();
    if halves.next().is_some() {
        return Err(DateError::Syntax(format!("`{s}` has more than one `/`")));
    }
    let start = parse_part(a, s)?;
    let end = match b {
        Some(b) => Some(parse_part(b, s)?),
        None => None,
    };
    Ok(Edtf { start, end })
}

fn parse_part(p: &str, whole: &str) -> Result<Part, DateError> {
    let bad = || DateError::Syntax(format!("`{whole}` is not a date of the form YYYY, YYYY-MM, YYYY-MM-DD or YYYY-SS"));
    let (body, approximate, uncertain) = match p.as_bytes().last() {
        Some(b'~') => (&p[..p.len() - 1], true, false),
        Some(b'?') => (&p[..p.len() - 1], false, true),
        Some(b'%') => (&p[..p.len() - 1], true, true),
        _ => (p, false, false),
    };
    let fields: Vec<&str> = body.split('-').collect();
    let digits = |f: &str, n: usize| f.len() == n && f.bytes().all(|c| c.is_ascii_digit());
    if fields.is_empty() || !digits(fields[0], 4) {
        return Err(bad());
    }
    let year: i32 = fields[0].parse().map_err(|_| bad())?;
    let unit = match fields.len() {
        1 => Unit::Year,
        2 if digits(fields[1], 2) => {
            let m: u32 = fields[1].parse().map_err(|_| bad())?;
            if (21..=24).contains(&m) {
                Unit::Season(m)
            } else {
                Unit::Month(m)
            }
        }
        3 if digits(fields[1], 2) && digits(fields[2], 2) => {
            Unit::Day(fields[1].parse().map_err(|_| bad())?, fields[2].parse().map_err(|_| bad())?)
        }
        _ => return Err(bad()),
    };
    Ok(Part { year, unit, approximate, uncertain })
}

impl Part {
    fn span(&self) -> Result<(NaiveDate, NaiveDate), DateError> {
        let y = self.year;
        let ymd = |y: i32, m: u32, d: u32| {
            NaiveDate::from_ymd_opt(y, m, d)
                .ok_or_else(|| DateError::Impossible(format!("{y:04}-{m:02}-{d:02} is not a day of the calendar")))
        };
        let month_end = |y: i32, m: u32| -> Result<NaiveDate, DateError> {
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            Ok(ymd(ny, nm, 1)?.pred_opt().expect("day before the first of a month exists"))
        };
        match self.unit {
            Unit::Year => Ok((ymd(y, 1, 1)?, ymd(y, 12, 31)?)),
            Unit::Month(m) if (1..=12).contains(&m) => Ok((ymd(y, m, 1)?, month_end(y, m)?)),
            Unit::Month(m) => {
                Err(DateError::Impossible(format!("month {m:02} does not exist (months are 01..12, seasons 21..24)")))
            }
            Unit::Season(21) => Ok((ymd(y, 3, 1)?, ymd(y, 5, 31)?)),
            Unit::Season(22) => Ok((ymd(y, 6, 1)?, ymd(y, 8, 31)?)),
            Unit::Season(23) => Ok((ymd(y, 9, 1)?, ymd(y, 11, 30)?)),
            Unit::Season(_) => Ok((ymd(y, 12, 1)?, month_end(y + 1, 2)?)),
            Unit::Day(m, d) => {
                if !(1..=12).contains(&m) {
                    return Err(DateError::Impossible(format!("month {m:02} does not exist in {y:04}-{m:02}-{d:02}")));
                }
                let day = ymd(y, m, d)?;
                Ok((day, day))
            }
        }
    }

    fn precision(&self) -> Precision {
        match self.unit {
            Unit::Year => Precision::Year,
            Unit::Season(_) => Precision::Season,
            Unit::Month(_) => Precision::Month,
            Unit::Day(..) => Precision::Day,
        }
    }
}

impl Edtf {
    /// Resolves the date into its span of days, checking that every day exists
    /// and that an interval does not run backwards.
    pub fn resolve(&self) -> Result<DateSpan, DateError> {
        let (first, start_last) = self.start.span()?;
        match self.end {
            None => Ok(DateSpan {
                first,
                last: start_last,
                precision: self.start.precision(),
                approximate: self.start.approximate,
                uncertain: self.start.uncertain,
            }),
            Some(end) => {
                let (end_first, last) = end.span()?;
                if end_first < first || last < start_last {
                    return Err(DateError::Reversed { first, last });
                }
                Ok(DateSpan {
                    first,
                    last,
                    precision: Precision::Interval,
                    approximate: self.start.approximate || end.approximate,
                    uncertain: self.start.uncertain || end.uncertain,
                })
            }
        }
    }
}

/// Parses and resolves in one step.
pub fn resolve(input: &str) -> Result<DateSpan, DateError> {
    parse(input)?.resolve()
}

/// Days since 1970-01-01, the physical value of an Arrow/Parquet DATE.
pub fn epoch_days(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - 719_163
}

/// The calendar year of a day given as days since 1970-01-01.
pub fn year_of_epoch_day(days: i32) -> i32 {
    NaiveDate::from_num_days_from_ce_opt(days + 719_163).map_or(1970, |d| d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn epoch_days_and_years_agree() {
        for day in [d(1969, 12, 31), d(1970, 1, 1), d(2024, 12, 31), d(2025, 1, 1), d(1, 1, 1)] {
            assert_eq!(year_of_epoch_day(epoch_days(day)), day.year());
        }
    }

    #[test]
    fn forms_resolve_to_their_spans() {
        let s = resolve("2023").unwrap();
        assert_eq!((s.first, s.last, s.precision), (d(2023, 1, 1), d(2023, 12, 31), Precision::Year));
        let s = resolve("2024-02").unwrap();
        assert_eq!((s.first, s.last), (d(2024, 2, 1), d(2024, 2, 29)));
        let s = resolve("2025-05-20").unwrap();
        assert_eq!((s.first, s.last, s.precision), (d(2025, 5, 20), d(2025, 5, 20), Precision::Day));
        let s = resolve("2024-23").unwrap();
        assert_eq!((s.first, s.last, s.precision), (d(2024, 9, 1), d(2024, 11, 30), Precision::Season));
        let s = resolve("2024-24").unwrap();
        assert_eq!((s.first, s.last), (d(2024, 12, 1), d(2025, 2, 28)));
        let s = resolve("2023-24").unwrap();
        assert_eq!(s.last, d(2024, 2, 29), "winter of 2023 ends on a leap day");
        let s = resolve("2024-21").unwrap();
        assert_eq!((s.first, s.last), (d(2024, 3, 1), d(2024, 5, 31)));
        let s = resolve("2024-22").unwrap();
        assert_eq!((s.first, s.last), (d(2024, 6, 1), d(2024, 8, 31)));
    }

    #[test]
    fn qualifiers_set_flags() {
        let s = resolve("2025-07~").unwrap();
        assert!(s.approximate && !s.uncertain);
        let s = resolve("2025-07?").unwrap();
        assert!(!s.approximate && s.uncertain);
        let s = resolve("2025%").unwrap();
        assert!(s.approximate && s.uncertain);
        let s = resolve(" 2025-07-04 ").unwrap();
        assert_eq!(s.first, d(2025, 7, 4), "surrounding space is not significant");
    }

    #[test]
    fn intervals_span_from_first_to_last_day() {
        let s = resolve("2024-12/2025-01").unwrap();
        assert_eq!((s.first, s.last, s.precision), (d(2024, 12, 1), d(2025, 1, 31), Precision::Interval));
        let s = resolve("2014/2025-06~").unwrap();
        assert_eq!((s.first, s.last), (d(2014, 1, 1), d(2025, 6, 30)));
        assert!(s.approximate);
        // an interval inside one year is fine even when the parts overlap
        assert!(resolve("2025/2025-12").is_ok());
    }

    #[test]
    fn syntax_errors_are_told_apart_from_impossible_days() {
        for bad in [
            "",
            "25-01-01",
            "2025/05/20",
            "2025-5",
            "2025-05-20T10:00",
            "20250520",
            "2025-05-20~~",
            "abcd",
            "2025-01/2025-02/2025-03",
            "2025-",
        ] {
            assert!(matches!(parse(bad), Err(DateError::Syntax(_))), "{bad:?} should be a syntax error");
        }
        for bad in ["2025-02-30", "2025-13", "2025-13-01", "2025-00", "2025-25", "2025-23-01", "2023-02-29"] {
            assert!(parse(bad).is_ok(), "{bad:?} has a valid shape");
            assert!(matches!(resolve(bad), Err(DateError::Impossible(_))), "{bad:?} should be impossible");
        }
        assert!(matches!(resolve("2025-03/2025-01"), Err(DateError::Reversed { .. })));
        assert!(matches!(resolve("2025-06-02/2025-06-01"), Err(DateError::Reversed { .. })));
    }

    #[test]
    fn local_dates_get_the_iso_date_without_a_guess() {
        let both = local_date_hint("11/09/2025").unwrap();
        assert!(both.contains("`2025-09-11` if it is 11 September 2025 (day/month)"), "{both}");
        assert!(both.contains("`2025-11-09` if it is 9 November 2025 (month/day)"), "{both}");
        assert_eq!(
            local_date_hint("30.09.2025").as_deref(),
            Some("write the date as ISO YYYY-MM-DD: `2025-09-30` (30 September 2025)")
        );
        assert_eq!(
            local_date_hint("9/30/2025").as_deref(),
            Some("write the date as ISO YYYY-MM-DD: `2025-09-30` (30 September 2025)")
        );
        assert_eq!(
            local_date_hint("5/5/2025").as_deref(),
            Some("write the date as ISO YYYY-MM-DD: `2025-05-05` (5 May 2025)")
        );
        assert_eq!(local_date_hint("2025/09/11").as_deref(), Some("write the date as ISO YYYY-MM-DD: `2025-09-11`"));
        for none in ["2025-09-11", "2025", "32/13/2025", "11/09/25", "a/b/c", "2024-12/2025-01", "1/2/3/2025"] {
            assert_eq!(local_date_hint(none), None, "{none}");
        }
    }

    #[test]
    fn epoch_days_matches_arrow_date32() {
        assert_eq!(epoch_days(d(1970, 1, 1)), 0);
        assert_eq!(epoch_days(d(2025, 7, 4)), 20273);
        assert_eq!(epoch_days(d(1969, 12, 31)), -1);
    }
}
