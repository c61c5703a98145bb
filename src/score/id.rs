//! The identity of an incident: its canonical key ([`incident_key`]), the
//! 128-bit hash of that key the scores count by ([`incident_hash`]) and the
//! `incident_id` the events table publishes ([`incident_id`]).

/// The canonical key of an incident, the text its id is the hash of: the
/// source actor id, the target actor id (empty when there is none), the
/// CAMEO code, and the first and last day of the date span as ISO dates,
/// separated by U+001F (a character no id, code or date can hold). For
/// example `RUS\u{1f}UKR\u{1f}190\u{1f}2022-02-24\u{1f}2022-02-24`.
pub fn incident_key(source_id: &str, target_id: Option<&str>, code: &str, date_start: i32, date_end: i32) -> String {
    format!(
        "{source_id}\u{1f}{}\u{1f}{code}\u{1f}{}\u{1f}{}",
        target_id.unwrap_or(""),
        iso_day(date_start),
        iso_day(date_end)
    )
}

/// The 128-bit identity of an incident: the first 16 bytes of the SHA-256 of
/// [`incident_key`], big-endian. It depends on the incident's content only,
/// so it is the same in every run, whatever else the corpus holds and
/// however it is cut.
pub fn incident_hash(source_id: &str, target_id: Option<&str>, code: &str, date_start: i32, date_end: i32) -> u128 {
    use sha2::{Digest, Sha256};
    // the key's parts fed in turn: the digest of the key, without making it
    let mut h = Sha256::new();
    let mut day = [0u8; 16];
    h.update(source_id.as_bytes());
    h.update([0x1f]);
    h.update(target_id.unwrap_or("").as_bytes());
    h.update([0x1f]);
    h.update(code.as_bytes());
    h.update([0x1f]);
    h.update(iso_day_in(date_start, &mut day));
    h.update([0x1f]);
    h.update(iso_day_in(date_end, &mut day));
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    u128::from_be_bytes(b)
}

/// The published `incident_id`: [`incident_hash`] as 32 lower-case hex
/// digits (the first 32 hex digits of the SHA-256 of [`incident_key`]).
pub fn incident_id(source_id: &str, target_id: Option<&str>, code: &str, date_start: i32, date_end: i32) -> String {
    incident_id_of(incident_hash(source_id, target_id, code, date_start, date_end))
}

/// The published `incident_id` of an [`incident_hash`].
pub fn incident_id_of(hash: u128) -> String {
    crate::digest::hex(&hash.to_be_bytes())
}

/// A day given as days since 1970-01-01, as an ISO date.
fn iso_day(days: i32) -> String {
    let (y, m, d) = ymd(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// [`iso_day`] written into `buf`: the bytes written.
fn iso_day_in(days: i32, buf: &mut [u8; 16]) -> &[u8] {
    use std::io::Write;
    let (y, m, d) = ymd(days);
    let mut rest = &mut buf[..];
    write!(rest, "{y:04}-{m:02}-{d:02}").expect("an ISO day fits in 16 bytes");
    let n = 16 - rest.len();
    &buf[..n]
}

pub(super) fn ymd(days: i32) -> (i32, u32, u32) {
    use chrono::Datelike;
    let d = chrono::NaiveDate::from_num_days_from_ce_opt(days + 719_163).unwrap_or_default();
    (d.year(), d.month(), d.day())
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
    fn the_incident_key_is_the_documented_text_and_its_id_the_hash() {
        let (s, e) = span("2022-02-24/2025-07-06");
        assert_eq!(
            incident_key("IRN", Some("RUS"), "072", s, e),
            "IRN\u{1f}RUS\u{1f}072\u{1f}2022-02-24\u{1f}2025-07-06"
        );
        assert_eq!(incident_key("RUS", None, "010", s, s), "RUS\u{1f}\u{1f}010\u{1f}2022-02-24\u{1f}2022-02-24");
        let id = incident_id("IRN", Some("RUS"), "072", s, e);
        assert_eq!(id, crate::digest::sha256_hex(incident_key("IRN", Some("RUS"), "072", s, e).as_bytes())[..32]);
        assert_eq!(id, format!("{:032x}", incident_hash("IRN", Some("RUS"), "072", s, e)));
        // every field is part of the identity
        assert_ne!(id, incident_id("RUS", Some("IRN"), "072", s, e));
        assert_ne!(id, incident_id("IRN", Some("RUS"), "0721", s, e));
        assert_ne!(id, incident_id("IRN", Some("RUS"), "072", s, e - 1));
        assert_ne!(incident_id("A", Some("B"), "01", s, s), incident_id("A", None, "01", s, s));
        // the key's days written in place are the key's days, far years too
        for days in [s, e, 0, -1, -800_000, 3_000_000] {
            assert_eq!(iso_day_in(days, &mut [0; 16]), iso_day(days).as_bytes());
        }
        let far = -800_000;
        assert_eq!(
            format!("{:032x}", incident_hash("A", None, "01", far, far)),
            crate::digest::sha256_hex(incident_key("A", None, "01", far, far).as_bytes())[..32]
        );
    }
}
