//! The actors the page names, read from `actors.parquet` and numbered by
//! their order there.

use super::read::{each_batch, opt};
use crate::problem::Result;
use rustc_hash::FxHashMap as HashMap;
use serde_json::{json, Value};
use std::path::Path;

/// Actors, by index in the order of `actors.parquet`; ids met elsewhere and
/// not there (none in a valid set) are appended with their id as name.
pub(super) struct Actors {
    rows: Vec<[Option<String>; 4]>,
    index: HashMap<String, u32>,
}

impl Actors {
    pub(super) fn read(path: &Path) -> Result<Self> {
        let mut a = Actors { rows: Vec::new(), index: HashMap::default() };
        each_batch(path, &["actor_id", "name", "type", "country"], |b| {
            let (id, name, ty, country) = (b.str("actor_id")?, b.str("name")?, b.str("type")?, b.str("country")?);
            for i in 0..b.rows() {
                a.index.insert(id.value(i).to_string(), a.rows.len() as u32);
                a.rows.push([
                    Some(id.value(i).into()),
                    Some(name.value(i).into()),
                    Some(ty.value(i).into()),
                    opt(country, i).map(Into::into),
                ]);
            }
            Ok(())
        })?;
        Ok(a)
    }

    pub(super) fn id(&mut self, s: &str) -> u32 {
        if let Some(i) = self.index.get(s) {
            return *i;
        }
        let i = self.rows.len() as u32;
        self.index.insert(s.to_string(), i);
        self.rows.push([Some(s.into()), Some(s.into()), Some("other".into()), None]);
        i
    }

    pub(super) fn get(&self, s: &str) -> Option<u32> {
        self.index.get(s).copied()
    }

    pub(super) fn json(&self, used: &[u32]) -> Value {
        Value::Array(used.iter().map(|i| json!(self.rows[*i as usize])).collect())
    }
}
