//! Agreement between two readings of the same articles (two annotators, or
//! one annotation and its adjudicated version): actors matched by id, then
//! by name or alias; events matched within each article by content (an
//! optimal one-to-one assignment on a similarity, see [`matching`]); then the
//! share of equal values and Krippendorff's alpha per field over the matched
//! events ([`alpha`]), precision, recall and F1 of the events and of the
//! mention spans. The method and its references: `docs/agreement.md`.

pub mod actors;
pub mod alpha;
mod compare;
mod figures;
pub mod load;
pub mod matching;
pub mod worksheet;

pub use compare::{compare, Comparison, EventRef, Pair};
pub use figures::{Agreement, FieldAgreement, Prf, ReadingFacts};
pub use load::Reading;

use std::path::PathBuf;

/// Why two readings cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum AgreeError {
    #[error(transparent)]
    Input(#[from] crate::problem::Error),
    #[error("cannot compare {}: {problem}; hint: both readings need articles, actors and events", .dir.display())]
    MissingTable { dir: PathBuf, problem: String },
    #[error(
        "the readings do not annotate the same articles: article `{article_id}` is in {} but not in {}; \
         hint: compare two readings of the same articles (an article whose row was rejected counts as missing)",
        .present.display(), .absent.display()
    )]
    DifferentArticles { article_id: String, present: PathBuf, absent: PathBuf },
    #[error("{0}")]
    DifferentTexts(Box<TextDifference>),
}

/// Where the texts of an article differ first between two readings.
#[derive(Debug)]
pub struct TextDifference {
    pub article_id: String,
    /// Code points both texts share from the start.
    pub offset: usize,
    /// The next few code points of either text.
    pub a: String,
    pub b: String,
    pub a_dir: PathBuf,
    pub b_dir: PathBuf,
}

impl std::fmt::Display for TextDifference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the readings do not annotate the same text of article `{}`: the texts differ from character {} on \
             ({:?} in {}, {:?} in {}); hint: both readings must read the same text file",
            self.article_id,
            self.offset,
            self.a,
            self.a_dir.display(),
            self.b,
            self.b_dir.display()
        )
    }
}
