//! One reading of a corpus, loaded through the same checks `validate`
//! applies: the format contract row by row, then the normalize stage
//! (labels, parents, codes, dates, evidence and mention spans). Rows with an
//! error are left out, their problems kept as `validate` reports them.

use super::AgreeError;
use crate::config::Config;
use crate::ingest::{self, records};
use crate::ledger::{Ledger, RowSrc};
use crate::normalize::text::ArticleText;
use crate::normalize::{self, NActor, NArticle, NEvent, NMention};
use crate::problem::{Problem, Table};
use crate::reference::Reference;
use crate::rules::Rule;
use crate::shard::Shard;
use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A corpus as read: its normalized rows, every text, and the problems
/// found on the way (in file and line order).
pub struct Reading {
    pub dir: PathBuf,
    pub articles: Vec<NArticle>,
    pub actors: Vec<NActor>,
    pub events: Vec<NEvent>,
    pub mentions: Vec<NMention>,
    /// article_id -> its text.
    pub texts: HashMap<String, Arc<ArticleText>>,
    pub problems: Vec<Problem>,
}

impl Reading {
    /// Reads the corpus at `dir`. A missing required table, or a missing
    /// directory, is an error; a row's problems are not.
    pub fn load(dir: &Path, config: &Config) -> Result<Reading, AgreeError> {
        let mut ledger = Ledger::new(config);
        let staged = ingest::dimensions(dir, &mut ledger, Shard::WHOLE)?;
        let dims = normalize::dimensions(staged, &mut ledger, Shard::WHOLE);
        let events = read_rows(dir, Table::Events, &mut ledger, records::event)?;
        let mentions = read_rows(dir, Table::Mentions, &mut ledger, records::mention)?;
        if let Some(p) = ledger.problems.iter().find(|p| p.rule == Rule::MissingTable) {
            return Err(AgreeError::MissingTable { dir: dir.to_path_buf(), problem: p.to_string() });
        }
        let published = dims.published();
        let mut texts: HashMap<String, Arc<ArticleText>> = HashMap::default();
        for a in &dims.articles {
            if let Some(t) = ArticleText::load(dir, &a.text_path) {
                texts.insert(a.article_id.clone(), Arc::new(t));
            }
        }
        let reference = Reference::builtin();
        let events = normalize::events(events, &published, &texts, &dims.index, reference, &mut ledger);
        let mentions = normalize::mentions(mentions, &published, &texts, &dims.index, &mut ledger);
        drop(published);
        let mut problems = ledger.state().problems;
        problems.sort_by(|a, b| (a.file.as_str(), a.line, a.column).cmp(&(b.file.as_str(), b.line, b.column)));
        Ok(Reading {
            dir: dir.to_path_buf(),
            articles: dims.articles,
            actors: dims.actors,
            events,
            mentions,
            texts,
            problems,
        })
    }

    /// How many problems of error severity the reading has.
    pub fn errors(&self) -> usize {
        self.problems.iter().filter(|p| p.is_error()).count()
    }
}

/// Every row of a table that passes the format contract, typed.
fn read_rows<T: records::Sourced>(
    dir: &Path,
    table: Table,
    ledger: &mut Ledger,
    parse: fn(&RowSrc) -> (Option<T>, Vec<Problem>),
) -> Result<Vec<T>, AgreeError> {
    let mut rows = Vec::new();
    ingest::stream_table(dir, table, ledger, Shard::WHOLE, |src, ledger| {
        if let Some(t) = ingest::check_moving(src, ledger, parse) {
            rows.push(t);
        }
        Ok(())
    })?;
    Ok(rows)
}
