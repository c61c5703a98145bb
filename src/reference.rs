//! The project's CAMEO reference: every event code with its label, Goldstein
//! value, root and base code, QuadClass and PLOVER category. The table ships
//! inside the binary (`reference/cameo.csv`), so a run needs no other files.

use serde::Deserialize;
use std::collections::BTreeMap;

const CAMEO_CSV: &str = include_str!("../reference/cameo.csv");

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CameoCode {
    pub code: String,
    pub label: String,
    pub goldstein: f64,
    pub root_code: String,
    pub base_code: String,
    pub quad_class: i32,
    pub plover: Option<String>,
    pub plover_mode: Option<String>,
    pub plover_context: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Reference {
    codes: BTreeMap<String, CameoCode>,
}

impl Reference {
    /// The reference compiled into the program.
    pub fn builtin() -> &'static Reference {
        static REF: std::sync::OnceLock<Reference> = std::sync::OnceLock::new();
        REF.get_or_init(|| Reference::parse(CAMEO_CSV).expect("the built-in CAMEO reference parses"))
    }

    pub fn parse(csv_text: &str) -> Result<Reference, String> {
        let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
        let mut codes = BTreeMap::new();
        for (i, rec) in rdr.deserialize::<CameoCode>().enumerate() {
            let c = rec.map_err(|e| format!("reference row {}: {e}", i + 2))?;
            codes.insert(c.code.clone(), c);
        }
        Ok(Reference { codes })
    }

    pub fn get(&self, code: &str) -> Option<&CameoCode> {
        self.codes.get(code)
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &CameoCode> {
        self.codes.values()
    }

    /// A fix hint for a code that is not in the reference.
    pub fn hint_for_unknown(&self, code: &str) -> String {
        let padded = format!("0{code}");
        if let Some(c) = self.get(&padded) {
            return format!(
                "did you mean `{padded}` ({})? CAMEO codes are text: a spreadsheet that stored the column as a number dropped the leading zero",
                c.label
            );
        }
        let root = code.get(..2).unwrap_or(code);
        match self.get(root) {
            Some(r) => {
                format!("`{code}` is not a code of root {root} ({}); pick one listed in reference/cameo.csv", r.label)
            }
            None => "pick a code listed in reference/cameo.csv (roots 01 to 20)".to_string(),
        }
    }
}

/// QuadClass names, by number.
pub const QUAD_CLASSES: [(i32, &str); 4] =
    [(1, "verbal cooperation"), (2, "material cooperation"), (3, "verbal conflict"), (4, "material conflict")];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goldstein_values_have_one_decimal_so_their_sums_are_exact_in_tenths() {
        for c in Reference::builtin().iter() {
            let tenths = crate::score::exact::Tenths::of(c.goldstein);
            assert_eq!(tenths as f64 / 10.0, c.goldstein, "code {}", c.code);
        }
    }

    #[test]
    fn builtin_reference_is_consistent() {
        let r = Reference::builtin();
        assert!(r.len() >= 310, "{}", r.len());
        for c in r.iter() {
            assert!((2..=4).contains(&c.code.len()) && c.code.bytes().all(|b| b.is_ascii_digit()), "{}", c.code);
            assert_eq!(c.root_code, c.code[..2]);
            assert_eq!(c.base_code, c.code[..c.code.len().min(3)]);
            let root: i32 = c.root_code.parse().unwrap();
            let quad = match root {
                1..=5 => 1,
                6..=8 => 2,
                9..=13 => 3,
                _ => 4,
            };
            assert_eq!(c.quad_class, quad, "{}", c.code);
            assert!((-10.0..=10.0).contains(&c.goldstein));
            assert!(!c.label.trim().is_empty());
            assert!(r.get(&c.root_code).is_some() && r.get(&c.base_code).is_some());
        }
    }

    #[test]
    fn codes_keep_leading_zeros() {
        let r = Reference::builtin();
        assert!(r.get("057").is_some());
        assert!(r.get("57").is_none());
        assert!(r.hint_for_unknown("57").contains("`057`"));
        assert_eq!(r.get("190").unwrap().quad_class, 4);
        assert_eq!(r.get("106").unwrap().goldstein, -5.0, "repaired code 106 is present");
    }
}
