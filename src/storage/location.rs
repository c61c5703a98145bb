//! Where a corpus is read from or a set published to, as given on the
//! command line: a local path, or `s3://bucket/prefix`.

use crate::problem::StorageError as Error;
use std::fmt;
use std::path::{Path, PathBuf};

type Result<T, E = Error> = std::result::Result<T, E>;

/// A place given as `--raw` or `--out`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Local(PathBuf),
    /// `s3://bucket/prefix`; the prefix has no leading or trailing `/` and
    /// may be empty (the bucket's root).
    S3 {
        bucket: String,
        prefix: String,
    },
}

impl Location {
    /// Parses a command-line argument: `s3://bucket[/prefix]` or a local
    /// path (anything else).
    pub fn parse(arg: &str) -> Result<Location> {
        let Some(rest) = arg.strip_prefix("s3://") else {
            if arg.contains("://") {
                return Err(Error::BadUrl {
                    url: arg.into(),
                    message: "only the s3:// scheme is supported besides local paths".into(),
                });
            }
            return Ok(Location::Local(PathBuf::from(arg)));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let bad = |message: &str| Error::BadUrl { url: arg.into(), message: message.into() };
        if bucket.is_empty() {
            return Err(bad("the bucket name is empty"));
        }
        let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.';
        if bucket.len() < 3 || bucket.len() > 63 || !bucket.chars().all(valid) {
            return Err(bad("a bucket name has 3 to 63 lowercase letters, digits, `-` or `.`"));
        }
        let prefix = prefix.trim_matches('/');
        if prefix.split('/').any(|p| p.is_empty() && !prefix.is_empty() || p == "." || p == "..") {
            return Err(bad("the prefix has an empty, `.` or `..` segment"));
        }
        Ok(Location::S3 { bucket: bucket.into(), prefix: prefix.into() })
    }

    /// [`Location::parse`] of a path given on the command line.
    pub fn from_path(path: &Path) -> Result<Location> {
        match path.to_str() {
            Some(s) => Location::parse(s),
            None => Ok(Location::Local(path.to_path_buf())),
        }
    }

    pub fn is_remote(&self) -> bool {
        matches!(self, Location::S3 { .. })
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Local(p) => write!(f, "{}", p.display()),
            Location::S3 { bucket, prefix } if prefix.is_empty() => write!(f, "s3://{bucket}"),
            Location::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse() {
        assert_eq!(Location::parse("raw").unwrap(), Location::Local("raw".into()));
        assert_eq!(Location::parse("/data/out").unwrap(), Location::Local("/data/out".into()));
        assert_eq!(
            Location::parse("s3://my-bucket/a/b/").unwrap(),
            Location::S3 { bucket: "my-bucket".into(), prefix: "a/b".into() }
        );
        assert_eq!(
            Location::parse("s3://my-bucket").unwrap(),
            Location::S3 { bucket: "my-bucket".into(), prefix: "".into() }
        );
        assert_eq!(Location::parse("s3://my-bucket/a/b/").unwrap().to_string(), "s3://my-bucket/a/b");
        assert_eq!(Location::parse("s3://my-bucket/").unwrap().to_string(), "s3://my-bucket");
        for bad in ["s3://", "s3:///x", "s3://Upper/x", "s3://ab", "s3://b_b/x", "s3://bkt/a//b", "s3://bkt/../x"] {
            let e = Location::parse(bad).unwrap_err();
            assert!(matches!(&e, Error::BadUrl { url, .. } if url == bad), "{bad}: {e}");
        }
        let e = Location::parse("gs://bucket/x").unwrap_err().to_string();
        assert!(e.contains("only the s3:// scheme"), "{e}");
    }
}
