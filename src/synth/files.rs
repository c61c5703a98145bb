//! The files of a corpus: the headers of its CSV tables, a CSV file being
//! written ([`Csv`]), and `actors.csv`.

use super::broken;
use super::Gen;
use crate::problem::Error;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

pub const ARTICLES_HEADER: [&str; 8] =
    ["article_id", "title", "published", "language", "text_path", "outlet", "url", "notes"];
pub const ACTORS_HEADER: [&str; 7] = ["actor_id", "name", "type", "country", "parent", "aliases", "notes"];
pub const EVENTS_HEADER: [&str; 16] = [
    "article_id",
    "event_id",
    "source",
    "target",
    "code",
    "date",
    "date_text",
    "mode",
    "evidence",
    "evidence_start",
    "quantity",
    "quantity_unit",
    "location",
    "confidence",
    "annotator",
    "notes",
];
pub const MENTIONS_HEADER: [&str; 6] = ["article_id", "actor", "text", "start", "annotator", "notes"];

/// A CSV file being written.
pub struct Csv {
    path: PathBuf,
    w: csv::Writer<BufWriter<File>>,
}

impl Csv {
    pub fn create(path: PathBuf, header: &[&str]) -> Result<Csv, Error> {
        let f = File::create(&path).map_err(|source| Error::Write { path: path.clone(), source })?;
        let w = csv::WriterBuilder::new().flexible(true).from_writer(BufWriter::with_capacity(1 << 20, f));
        let mut c = Csv { path, w };
        c.row(header)?;
        Ok(c)
    }

    pub fn row<I, S>(&mut self, fields: I) -> Result<(), Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        self.w.write_record(fields).map_err(|e| Error::Write { path: self.path.clone(), source: e.into() })
    }

    /// Flushes and closes the file; its size in bytes.
    pub fn finish(mut self) -> Result<u64, Error> {
        self.w.flush().map_err(|source| Error::Write { path: self.path.clone(), source })?;
        drop(self.w);
        std::fs::metadata(&self.path).map(|m| m.len()).map_err(|source| Error::Write { path: self.path, source })
    }
}

pub fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write { path: path.to_path_buf(), source }
}

impl Gen<'_> {
    /// Writes `actors.csv`: every actor, then (with a broken share) a few
    /// broken actor rows.
    pub fn write_actors(&mut self) -> Result<(), Error> {
        let a = self.actors;
        let mut w = Csv::create(self.out.join("actors.csv"), &ACTORS_HEADER)?;
        for x in &a.list {
            let parent = x.parent.map(|p| a.list[p].id.as_str()).unwrap_or("");
            let aliases = x.aliases.join("|");
            w.row([
                x.id.as_str(),
                &x.name,
                x.kind,
                x.country.as_deref().unwrap_or(""),
                parent,
                &aliases,
                x.notes.unwrap_or(""),
            ])?;
            self.summary.actors += 1;
        }
        // broken actor rows, named by no other table
        if self.opts.broken_share > 0.0 {
            let n = ((a.list.len() as f64 * self.opts.broken_share / 20.0).round() as usize).max(1);
            for k in 0..n {
                w.row(broken::actor_row(k))?;
                self.summary.actors += 1;
                self.summary.broken_rows += 1;
            }
        }
        self.summary.bytes += w.finish()?;
        self.summary.files += 1;
        Ok(())
    }
}
