//! Where actor labels are resolved: an id, a name or an alias, matched with
//! case, accents and surrounding white space ignored, with "did you mean"
//! suggestions for near misses.

use rustc_hash::FxHashMap as HashMap;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Folds a label for matching: NFKD, combining marks dropped, lower case,
/// surrounding white space trimmed.
pub fn fold_label(s: &str) -> String {
    s.trim().nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Found(String),
    Unknown { suggestions: Vec<String> },
    Ambiguous { actors: Vec<String> },
}

/// Index of every label of every actor.
#[derive(Debug)]
pub struct LabelIndex {
    /// folded label -> actor ids (sorted, unique)
    by_label: HashMap<String, Vec<String>>,
    /// folded label -> one original spelling, for suggestions
    display: HashMap<String, String>,
    /// Which index (and which state of it) a thread's cache of resolutions
    /// holds: new for every index and every label added.
    generation: u64,
}

impl Default for LabelIndex {
    fn default() -> Self {
        LabelIndex { by_label: HashMap::default(), display: HashMap::default(), generation: next_generation() }
    }
}

fn next_generation() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

thread_local! {
    /// Label as written -> its resolution, for one generation of one index:
    /// a corpus names the same few thousand actors millions of times, so
    /// each spelling is folded once per thread (threads share nothing, so
    /// the partition workers never wait on each other here).
    static RESOLVED: std::cell::RefCell<(u64, HashMap<String, Resolution>)> =
        std::cell::RefCell::new((0, HashMap::default()));
}

impl LabelIndex {
    /// Adds one label of an actor. Returns the other actors that already
    /// held this label (a collision), if any.
    pub fn add(&mut self, actor_id: &str, label: &str) -> Vec<String> {
        self.generation = next_generation();
        let key = fold_label(label);
        if key.is_empty() {
            return Vec::new();
        }
        self.display.entry(key.clone()).or_insert_with(|| label.trim().to_string());
        let ids = self.by_label.entry(key).or_default();
        let others: Vec<String> = ids.iter().filter(|i| *i != actor_id).cloned().collect();
        if !ids.iter().any(|i| i == actor_id) {
            ids.push(actor_id.to_string());
            ids.sort();
        }
        others
    }

    pub fn resolve(&self, label: &str) -> Resolution {
        RESOLVED.with(|cache| {
            let mut cache = cache.borrow_mut();
            if cache.0 != self.generation {
                *cache = (self.generation, HashMap::default());
            }
            if let Some(r) = cache.1.get(label) {
                return r.clone();
            }
            let r = self.resolve_uncached(label);
            cache.1.insert(label.to_string(), r.clone());
            r
        })
    }

    fn resolve_uncached(&self, label: &str) -> Resolution {
        let key = fold_label(label);
        match self.by_label.get(&key).map(Vec::as_slice) {
            Some([one]) => Resolution::Found(one.clone()),
            Some(many) if many.len() > 1 => Resolution::Ambiguous { actors: many.to_vec() },
            _ => Resolution::Unknown { suggestions: self.suggest(&key) },
        }
    }

    /// The closest labels (at most three), each as `label (ACTOR_ID)`.
    fn suggest(&self, key: &str) -> Vec<String> {
        if key.is_empty() {
            return Vec::new();
        }
        let mut scored: Vec<(f64, &String)> =
            self.by_label.keys().map(|k| (strsim::jaro_winkler(key, k), k)).filter(|(s, _)| *s >= 0.8).collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        scored
            .into_iter()
            .take(3)
            .map(|(_, k)| format!("`{}` ({})", self.display[k], self.by_label[k].join(", ")))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> LabelIndex {
        let mut ix = LabelIndex::default();
        ix.add("AZE", "AZE");
        ix.add("AZE", "Azerbaijan");
        ix.add("AZE", "Azerbaïdjan");
        ix.add("AZE", "Baghu");
        ix.add("RUS", "RUS");
        ix.add("RUS", "Russia");
        ix
    }

    #[test]
    fn folding_ignores_case_accents_and_surrounding_space() {
        assert_eq!(fold_label("  Azerbaïdjan "), "azerbaidjan");
        assert_eq!(fold_label("ÉTATS-UNIS"), "etats-unis");
        let ix = index();
        assert_eq!(ix.resolve("azerbaidjan"), Resolution::Found("AZE".into()));
        assert_eq!(ix.resolve(" BAGHU"), Resolution::Found("AZE".into()));
        assert_eq!(ix.resolve("rus"), Resolution::Found("RUS".into()));
    }

    #[test]
    fn near_misses_get_suggestions() {
        match index().resolve("Rusia") {
            Resolution::Unknown { suggestions } => assert_eq!(suggestions[0], "`Russia` (RUS)"),
            other => panic!("{other:?}"),
        }
        match index().resolve("Xyzzy") {
            Resolution::Unknown { suggestions } => assert!(suggestions.is_empty()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_label_added_after_a_lookup_is_found_and_two_indexes_do_not_share_answers() {
        let mut ix = index();
        assert!(matches!(ix.resolve("Bakou"), Resolution::Unknown { .. }));
        ix.add("AZE", "Bakou");
        assert_eq!(ix.resolve("Bakou"), Resolution::Found("AZE".into()));
        let mut other = LabelIndex::default();
        other.add("BAK", "Bakou");
        assert_eq!(other.resolve("Bakou"), Resolution::Found("BAK".into()));
        assert_eq!(ix.resolve("Bakou"), Resolution::Found("AZE".into()));
    }

    #[test]
    fn a_label_of_two_actors_is_ambiguous_and_reported_as_collision() {
        let mut ix = index();
        assert_eq!(ix.add("ARM", "Baghu"), vec!["AZE".to_string()]);
        assert!(ix.add("ARM", "Baghu").contains(&"AZE".to_string()));
        assert_eq!(ix.resolve("baghu"), Resolution::Ambiguous { actors: vec!["ARM".into(), "AZE".into()] });
    }
}
