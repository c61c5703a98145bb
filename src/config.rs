//! The run configuration (`--config FILE`, TOML): score parameters, how many
//! rejected rows a run may publish with, and per-rule severities. Every key is
//! optional; `dyadflow.toml` at the project root lists the defaults.

use crate::problem::{Error, Table};
use crate::rules::{Rule, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub score: ScoreConfig,
    pub rejects: RejectConfig,
    /// rule id -> severity
    pub severity: BTreeMap<String, Severity>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScoreConfig {
    /// Pseudo-count added to the denominator: a dyad needs about this much
    /// Goldstein-weighted evidence before its score moves halfway to ±1.
    pub shrinkage: f64,
    pub mode_weight: ModeWeights,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModeWeights {
    pub asserted: f64,
    pub alleged: f64,
    pub planned: f64,
    pub negated: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RejectConfig {
    /// Share of a table's rows (0..=1) that may be rejected while the run
    /// still publishes the rest. 0 (the default): any rejected row fails it.
    pub max_share: f64,
    /// Per-table overrides of `max_share`, by table name.
    pub per_table: BTreeMap<String, f64>,
}

impl Default for ScoreConfig {
    fn default() -> Self {
        ScoreConfig { shrinkage: 2.0, mode_weight: ModeWeights::default() }
    }
}

impl Default for ModeWeights {
    fn default() -> Self {
        ModeWeights { asserted: 1.0, alleged: 0.5, planned: 0.25, negated: 0.0 }
    }
}

impl Default for RejectConfig {
    fn default() -> Self {
        RejectConfig { max_share: 0.0, per_table: BTreeMap::new() }
    }
}

impl Config {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read { path: path.into(), source })?;
        Config::parse(&text).map_err(|message| Error::Config { path: path.into(), message })
    }

    pub fn parse(text: &str) -> Result<Config, String> {
        let cfg: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        cfg.check()?;
        Ok(cfg)
    }

    fn check(&self) -> Result<(), String> {
        let s = &self.score;
        if !(s.shrinkage.is_finite() && s.shrinkage > 0.0) {
            return Err(format!("score.shrinkage must be a number > 0, not {}", s.shrinkage));
        }
        let w = &s.mode_weight;
        for (name, v) in
            [("asserted", w.asserted), ("alleged", w.alleged), ("planned", w.planned), ("negated", w.negated)]
        {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("score.mode_weight.{name} must lie in [0, 1], not {v}"));
            }
        }
        if w.negated != 0.0 {
            return Err("score.mode_weight.negated must be 0: a negated event did not happen".into());
        }
        if w.asserted < w.alleged.max(w.planned) {
            return Err("score.mode_weight.asserted must be at least alleged and planned".into());
        }
        for (name, v) in std::iter::once(("max_share", &self.rejects.max_share))
            .chain(self.rejects.per_table.iter().map(|(k, v)| (k.as_str(), v)))
        {
            if !(0.0..=1.0).contains(v) {
                return Err(format!("rejects.{name} must lie in [0, 1], not {v}"));
            }
        }
        for k in self.rejects.per_table.keys() {
            if !Table::ALL.iter().any(|t| t.name() == k) {
                return Err(format!("rejects.per_table.{k}: no such table (articles, actors, events, mentions)"));
            }
        }
        for (id, sev) in &self.severity {
            let rule = Rule::from_id(id).ok_or_else(|| format!("severity.{id}: no such rule"))?;
            if *sev == Severity::Warning && !rule.demotable() {
                return Err(format!(
                    "severity.{id}: this rule cannot be lowered to a warning (its rows could not be published)"
                ));
            }
        }
        Ok(())
    }

    pub fn severity_of(&self, rule: Rule) -> Severity {
        self.severity.get(rule.id()).copied().unwrap_or(rule.default_severity())
    }

    pub fn max_reject_share(&self, table: &str) -> f64 {
        self.rejects.per_table.get(table).copied().unwrap_or(self.rejects.max_share)
    }

    pub fn mode_weight(&self, mode: &str) -> f64 {
        let w = &self.score.mode_weight;
        match mode {
            "asserted" => w.asserted,
            "alleged" => w.alleged,
            "planned" => w.planned,
            _ => w.negated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults_and_shipped_file_matches_them() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
        let shipped = include_str!("../dyadflow.toml");
        assert_eq!(Config::parse(shipped).unwrap(), Config::default(), "dyadflow.toml documents the defaults");
    }

    #[test]
    fn overrides_apply() {
        let c = Config::parse("[score]\nshrinkage = 4.0\n[rejects]\nmax_share = 0.1\n[rejects.per_table]\nevents = 0.2\n[severity]\nunknown-column = \"error\"\n").unwrap();
        assert_eq!(c.score.shrinkage, 4.0);
        assert_eq!(c.max_reject_share("events"), 0.2);
        assert_eq!(c.max_reject_share("actors"), 0.1);
        assert_eq!(c.severity_of(Rule::UnknownColumn), Severity::Error);
        assert_eq!(c.severity_of(Rule::NoRows), Severity::Warning);
    }

    #[test]
    fn bad_values_are_refused_with_the_key() {
        for (text, key) in [
            ("[score]\nshrinkage = 0.0", "score.shrinkage"),
            ("[score.mode_weight]\nnegated = 0.5", "negated"),
            ("[rejects]\nmax_share = 2.0", "rejects.max_share"),
            ("[rejects.per_table]\nevent = 0.1", "per_table.event"),
            ("[severity]\nunknown-actor = \"warning\"", "severity.unknown-actor"),
            ("[severity]\nnope = \"error\"", "severity.nope"),
            ("[scores]\nx = 1", "scores"),
        ] {
            let err = Config::parse(text).unwrap_err();
            assert!(err.contains(key), "{text:?}: {err}");
        }
    }
}
