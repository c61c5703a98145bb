//! How the work splits across machines: a corpus is cut into N shards by
//! article, each shard processed on its own (`run --shard K/N`) into a shard
//! set (`engine/shard_set.rs`), and the shard sets combined by `dyadflow merge` into the
//! set a single run would publish, byte for byte.
//!
//! A row belongs to the shard of its article: [`owner`] hashes the
//! `article_id` as written in the row (surrounding spaces trimmed). Articles,
//! events and mentions rows all carry it, so an article, its text, its events
//! and its mentions always meet in one shard, and every check made within an
//! article (repeated event ids, evidence spans, mention offsets) is made there.
//! The actors table is small and every shard needs it to resolve labels: every
//! shard reads it, and shard 0 owns its rows (their problems and rejects) and
//! the problems that concern a whole file. What spans articles — an incident
//! reported by several articles, the counts of each actor, the hint naming the
//! closest published article — is decided by the merge, from the compact state
//! each shard set carries.

use crate::problem::Table;
use std::fmt;

/// One shard of N, numbered from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// The name of the hash [`owner`] computes, recorded in every shard set.
pub const HASH: &str = "sha256-u64be-mod-n";

/// The shard (0..n) of an article id: the first 8 bytes of the SHA-256 of the
/// id's UTF-8 bytes, read as a big-endian unsigned integer, modulo n. Stable
/// across versions, platforms and runs; documented for tools that want to
/// pre-split a corpus the same way.
pub fn owner(article_id: &str, n: u32) -> u32 {
    use sha2::{Digest, Sha256};
    if n <= 1 {
        return 0;
    }
    let d = Sha256::digest(article_id.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&d[..8]);
    (u64::from_be_bytes(b) % n as u64) as u32
}

impl Shard {
    /// The whole corpus as one shard (a plain `run`).
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    pub fn is_whole(&self) -> bool {
        self.count == 1
    }

    /// Whether this shard owns the problems that concern a whole file or the
    /// corpus, and the rows of the actors table.
    pub fn owns_corpus(&self) -> bool {
        self.index == 0
    }

    /// Whether this shard owns an article (by its id as written).
    pub fn owns_article(&self, article_id: &str) -> bool {
        self.is_whole() || owner(article_id.trim(), self.count) == self.index
    }

    /// Whether this shard owns a raw row, given its `article_id` field as
    /// read (None when the row has none): articles, events and mentions by
    /// their article id (an empty one when the row has none), actors in
    /// shard 0.
    pub fn owns_record(&self, table: Table, article_id: Option<&[u8]>) -> bool {
        if self.is_whole() {
            return true;
        }
        match table {
            Table::Actors => self.owns_corpus(),
            _ => self.owns_article(&String::from_utf8_lossy(article_id.unwrap_or(b""))),
        }
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `K/N` with 0 <= K < N.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a shard: write K/N with 0 <= K < N, e.g. 0/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_k_of_n_and_refuses_the_rest() {
        assert_eq!("2/7".parse::<Shard>().unwrap(), Shard { index: 2, count: 7 });
        assert_eq!("0/1".parse::<Shard>().unwrap(), Shard::WHOLE);
        for bad in ["", "3", "3/3", "1/0", "-1/2", "a/b", "1/2/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(Shard { index: 1, count: 4 }.to_string(), "1/4");
    }

    #[test]
    fn the_hash_is_the_documented_one() {
        // sha256("A1") = 2ad3abe7... ; 0x2ad3abe7... mod n
        use sha2::{Digest, Sha256};
        let d = Sha256::digest(b"A1");
        let v = u64::from_be_bytes(d[..8].try_into().unwrap());
        for n in [2u32, 3, 7, 1000] {
            assert_eq!(owner("A1", n), (v % n as u64) as u32);
        }
        assert_eq!(owner("anything", 1), 0);
    }

    #[test]
    fn every_article_has_exactly_one_owner() {
        for n in [1u32, 2, 3, 7] {
            for i in 0..500 {
                let id = format!("art-{i}");
                let owners = (0..n).filter(|&k| Shard { index: k, count: n }.owns_article(&id)).count();
                assert_eq!(owners, 1, "{id} in {n} shards");
                // spaces around the id as written do not move the article
                assert!(Shard { index: owner(&id, n), count: n }.owns_article(&format!(" {id} ")));
            }
        }
        // the split is not degenerate
        let in_first = (0..1000).filter(|i| owner(&format!("art-{i}"), 2) == 0).count();
        assert!((400..600).contains(&in_first), "{in_first}");
    }
}
