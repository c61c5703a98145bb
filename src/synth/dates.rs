//! Event dates as annotated and as written: every form of the format (day,
//! month, year, season, intervals, qualifiers, relative words), drawn around
//! an article's publication day, with their EDTF value and the article's
//! French or English words.

use super::data;
use super::rng::Rng;
use chrono::{Datelike, Days, Months, NaiveDate};

/// A date as annotated: its form, its qualifier, and the article's words.
#[derive(Debug, Clone, Copy)]
pub enum Form {
    Day(NaiveDate),
    Month(NaiveDate),
    Year(NaiveDate),
    Season(NaiveDate),
    Days(NaiveDate, NaiveDate),
    Months(NaiveDate, NaiveDate),
    Years(NaiveDate, NaiveDate),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Relative {
    None,
    Yesterday,
    LastMonth,
    LastYear,
}

#[derive(Debug, Clone, Copy)]
pub struct When {
    pub form: Form,
    pub qual: &'static str,
    pub relative: Relative,
}

pub fn ymd(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}
pub fn ym(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}
/// (year, season code) of the season holding a day; December to February is
/// the winter (24) of the year it starts in.
fn season(d: NaiveDate) -> (i32, u32) {
    match d.month() {
        3..=5 => (d.year(), 21),
        6..=8 => (d.year(), 22),
        9..=11 => (d.year(), 23),
        12 => (d.year(), 24),
        _ => (d.year() - 1, 24),
    }
}
fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}
fn first_of_year(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d)
}

impl When {
    pub fn edtf(&self) -> String {
        let q = self.qual;
        match self.form {
            Form::Day(d) => format!("{}{q}", ymd(d)),
            Form::Month(d) => format!("{}{q}", ym(d)),
            Form::Year(d) => format!("{:04}{q}", d.year()),
            Form::Season(d) => {
                let (y, s) = season(d);
                format!("{y:04}-{s}{q}")
            }
            Form::Days(a, b) => format!("{}{q}/{}", ymd(a), ymd(b)),
            Form::Months(a, b) => format!("{}{q}/{}", ym(a), ym(b)),
            Form::Years(a, b) => format!("{:04}{q}/{:04}", a.year(), b.year()),
        }
    }

    /// The first day of the span.
    pub fn first(&self) -> NaiveDate {
        match self.form {
            Form::Day(d) | Form::Days(d, _) => d,
            Form::Month(d) | Form::Months(d, _) => first_of_month(d),
            Form::Year(d) | Form::Years(d, _) => first_of_year(d),
            Form::Season(d) => {
                let (y, s) = season(d);
                let m = [3, 6, 9, 12][(s - 21) as usize];
                NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
            }
        }
    }

    /// The article's words for the date.
    pub fn phrase(&self, fr: bool) -> String {
        let day = |d: NaiveDate| {
            if fr {
                let n = if d.day() == 1 { "1er".to_string() } else { d.day().to_string() };
                format!("{n} {} {}", data::MONTHS_FR[d.month0() as usize], d.year())
            } else {
                format!("{} {} {}", d.day(), data::MONTHS_EN[d.month0() as usize], d.year())
            }
        };
        let month = |d: NaiveDate| {
            let m = if fr { data::MONTHS_FR } else { data::MONTHS_EN }[d.month0() as usize];
            format!("{m} {}", d.year())
        };
        let base = match (self.relative, fr) {
            (Relative::Yesterday, true) => "hier".to_string(),
            (Relative::Yesterday, false) => "yesterday".to_string(),
            (Relative::LastMonth, true) => "le mois dernier".to_string(),
            (Relative::LastMonth, false) => "last month".to_string(),
            (Relative::LastYear, true) => "l’an dernier".to_string(),
            (Relative::LastYear, false) => "last year".to_string(),
            (Relative::None, _) => match self.form {
                Form::Day(d) => format!("{} {}", if fr { "le" } else { "on" }, day(d)),
                Form::Month(d) => format!("{} {}", if fr { "en" } else { "in" }, month(d)),
                Form::Year(d) => format!("{} {}", if fr { "en" } else { "in" }, d.year()),
                Form::Season(d) => {
                    let (y, s) = season(d);
                    match (s, fr) {
                        (21, true) => format!("au printemps {y}"),
                        (22, true) => format!("à l’été {y}"),
                        (23, true) => format!("à l’automne {y}"),
                        (_, true) => format!("pendant l’hiver {y}-{}", y + 1),
                        (21, false) => format!("in spring {y}"),
                        (22, false) => format!("in summer {y}"),
                        (23, false) => format!("in autumn {y}"),
                        (_, false) => format!("in the winter of {y}–{}", y + 1),
                    }
                }
                Form::Days(a, b) if fr => format!("entre le {} et le {}", day(a), day(b)),
                Form::Days(a, b) => format!("between {} and {}", day(a), day(b)),
                Form::Months(a, b) if fr => format!("entre {} et {}", month(a), month(b)),
                Form::Months(a, b) => format!("between {} and {}", month(a), month(b)),
                Form::Years(a, b) if fr => format!("entre {} et {}", a.year(), b.year()),
                Form::Years(a, b) => format!("between {} and {}", a.year(), b.year()),
            },
        };
        match (self.qual, fr) {
            ("~", true) => format!("{base} ou à peu près"),
            ("~", false) => format!("{base} or thereabouts"),
            ("?", true) => format!("{base}, semble-t-il"),
            ("?", false) => format!("{base}, it seems"),
            ("%", true) => format!("{base} environ, semble-t-il"),
            ("%", false) => format!("{base} or so, it seems"),
            _ => base,
        }
    }
}

pub fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    if n >= 0 {
        d.checked_add_days(Days::new(n as u64)).unwrap_or(d)
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs())).unwrap_or(d)
    }
}

/// A date for an event around the article's publication day `p`: on or
/// before it, or after it when `future` (planned events).
pub fn draw_when(rng: &mut Rng, p: NaiveDate, future: bool) -> When {
    let back = match rng.below(100) {
        0..=49 => rng.below(8) as i64,
        50..=79 => 8 + rng.below(53) as i64,
        80..=94 => 61 + rng.below(305) as i64,
        _ => 366 + rng.below(735) as i64,
    };
    let d = if future { add_days(p, 1 + rng.below(180) as i64) } else { add_days(p, -back) };
    let qual = match rng.below(100) {
        0..=5 => "~",
        6..=9 => "?",
        10..=11 => "%",
        _ => "",
    };
    let r = rng.below(100);
    let (form, relative) = match r {
        0..=2 if !future => (Form::Day(add_days(p, -1)), Relative::Yesterday),
        3..=4 if !future => (Form::Month(first_of_month(p) - Days::new(1)), Relative::LastMonth),
        5 if !future => (Form::Year(NaiveDate::from_ymd_opt(p.year() - 1, 6, 1).unwrap_or(p)), Relative::LastYear),
        6..=54 => (Form::Day(d), Relative::None),
        55..=69 => (Form::Month(d), Relative::None),
        70..=74 => (Form::Year(d), Relative::None),
        75..=82 => (Form::Season(d), Relative::None),
        83..=90 => {
            let span = 1 + rng.below(20) as i64;
            if future {
                (Form::Days(d, add_days(d, span)), Relative::None)
            } else {
                (Form::Days(add_days(d, -span), d), Relative::None)
            }
        }
        91..=96 => {
            let k = 1 + rng.below(5) as u32;
            let (a, b) = if future {
                (d, d.checked_add_months(Months::new(k)).unwrap_or(d))
            } else {
                (d.checked_sub_months(Months::new(k)).unwrap_or(d), d)
            };
            (Form::Months(a, b), Relative::None)
        }
        _ => {
            let k = 1 + rng.below(3) as u32;
            let (a, b) = if future {
                (d, d.checked_add_months(Months::new(12 * k)).unwrap_or(d))
            } else {
                (d.checked_sub_months(Months::new(12 * k)).unwrap_or(d), d)
            };
            (Form::Years(a, b), Relative::None)
        }
    };
    let qual = if relative == Relative::None { qual } else { "" };
    When { form, qual, relative }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_stay_on_or_before_the_publication_unless_future() {
        let p = NaiveDate::from_ymd_opt(2024, 1, 15).unwrap();
        let mut rng = Rng::new(3, 3);
        for _ in 0..5000 {
            let w = draw_when(&mut rng, p, false);
            assert!(w.first() <= p, "{} {:?}", w.edtf(), w);
            // planned: may be after the publication (or not)
            let w = draw_when(&mut rng, p, true);
            assert!(w.first() <= add_days(p, 181) && w.first() >= add_days(p, -60), "{} {:?}", w.edtf(), w);
        }
        let d = NaiveDate::from_ymd_opt(2025, 1, 20).unwrap();
        assert_eq!(When { form: Form::Season(d), qual: "~", relative: Relative::None }.edtf(), "2024-24~");
        assert_eq!(
            When { form: Form::Season(d), qual: "", relative: Relative::None }.first().to_string(),
            "2024-12-01"
        );
    }
}
