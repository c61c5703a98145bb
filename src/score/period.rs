//! The periods a row of the relationship_scores table sums over: all time,
//! the calendar year of an incident's first day, and the calendar month that
//! holds an incident's whole date span.

use super::id::ymd;

/// The periods a row of the table sums over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Period {
    All,
    Year(i32),
    Month(i32, u32),
}

impl Period {
    pub(super) fn granularity(self) -> &'static str {
        match self {
            Period::All => "all",
            Period::Year(_) => "year",
            Period::Month(..) => "month",
        }
    }

    pub(super) fn label(self) -> String {
        match self {
            Period::All => "all".to_string(),
            Period::Year(y) => format!("{y:04}"),
            Period::Month(y, m) => format!("{y:04}-{m:02}"),
        }
    }

    /// The period's first and last day (days since 1970-01-01) for a year
    /// or a month; None for all time, whose span is each dyad's own.
    pub(super) fn bounds(self) -> Option<(i32, i32)> {
        let day = |y: i32, m: u32, d: u32| chrono::NaiveDate::from_ymd_opt(y, m, d).map(crate::edtf::epoch_days);
        match self {
            Period::All => None,
            Period::Year(y) => Some((day(y, 1, 1)?, day(y, 12, 31)?)),
            Period::Month(y, m) => {
                let next = if m == 12 { day(y + 1, 1, 1)? } else { day(y, m + 1, 1)? };
                Some((day(y, m, 1)?, next - 1))
            }
        }
    }

    /// The periods of an incident: all time; the year of its first day; and
    /// the month of its span when the span lies within one calendar month
    /// (an incident dated to a season, a year or an interval across months is
    /// not spread or guessed into a month).
    pub(super) fn of(date_start: i32, date_end: i32) -> [Option<Period>; 3] {
        let (ys, ms, _) = ymd(date_start);
        let (ye, me, _) = ymd(date_end);
        let month = (ys == ye && ms == me).then_some(Period::Month(ys, ms));
        [Some(Period::All), Some(Period::Year(ys)), month]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edtf::{epoch_days, resolve};

    fn span(edtf: &str) -> (i32, i32) {
        let d = resolve(edtf).unwrap();
        (epoch_days(d.first), epoch_days(d.last))
    }

    #[test]
    fn an_incident_counts_in_a_month_only_when_the_month_holds_its_whole_span() {
        let periods = |edtf: &str| {
            let (s, e) = span(edtf);
            Period::of(s, e).into_iter().flatten().map(Period::label).collect::<Vec<_>>()
        };
        assert_eq!(periods("2025-07-03"), ["all", "2025", "2025-07"]);
        assert_eq!(periods("2025-05"), ["all", "2025", "2025-05"]);
        assert_eq!(periods("2025-05-21/2025-05-31"), ["all", "2025", "2025-05"]);
        assert_eq!(periods("2025-02~"), ["all", "2025", "2025-02"]);
        assert_eq!(periods("2025-06-27/2025-07-01"), ["all", "2025"], "an interval across months");
        assert_eq!(periods("2024-24"), ["all", "2024"], "a winter runs into the next year: the first day's year");
        assert_eq!(periods("2025-21"), ["all", "2025"], "a season");
        assert_eq!(periods("2025"), ["all", "2025"], "a year");
        assert_eq!(Period::of(0, 0)[2].map(Period::granularity), Some("month"));
    }

    #[test]
    fn a_period_runs_from_its_first_to_its_last_day() {
        let day = |s: &str| epoch_days(resolve(s).unwrap().first);
        assert_eq!(Period::Year(2024).bounds(), Some((day("2024-01-01"), day("2024-12-31"))));
        assert_eq!(Period::Month(2024, 2).bounds(), Some((day("2024-02-01"), day("2024-02-29"))));
        assert_eq!(Period::Month(2025, 12).bounds(), Some((day("2025-12-01"), day("2025-12-31"))));
        assert_eq!(Period::All.bounds(), None);
    }
}
