//! `s3://` locations on the command line, without a server: bad URLs and an
//! unreachable endpoint stop the run with exit 2 and the URL, and nothing is
//! written locally. The runs against an S3 server are in `tests/s3/`
//! (`bash .ci/s3.sh`).

mod common;
use common::*;

/// An endpoint nothing listens on, and credentials that are not used.
const NO_SERVER: [(&str, &str); 5] = [
    ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
    ("AWS_ALLOW_HTTP", "true"),
    ("AWS_ACCESS_KEY_ID", "none"),
    ("AWS_SECRET_ACCESS_KEY", "none"),
    ("AWS_REGION", "us-east-1"),
];

fn entries(w: &Work) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(w.path("."))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn bad_urls_stop_before_anything_is_written() {
    let w = Work::new("mini");
    let before = entries(&w);
    for (args, message) in [
        (vec!["run", "--raw", "raw", "--out", "s3://Bad_Bucket/x"], "invalid object storage URL `s3://Bad_Bucket/x`"),
        (vec!["run", "--raw", "raw", "--out", "s3:///x"], "the bucket name is empty"),
        (vec!["run", "--raw", "gs://bucket/raw", "--out", "out"], "only the s3:// scheme is supported"),
        (vec!["validate", "--raw", "s3://bucket/a//b"], "invalid object storage URL `s3://bucket/a//b`"),
    ] {
        let r = w.run_env(&args, &NO_SERVER);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(message), "{args:?}: {}", r.stderr);
        assert_eq!(entries(&w), before, "{args:?} wrote something");
    }
}

#[test]
fn an_unreachable_endpoint_names_the_object_and_the_settings() {
    let w = Work::new("mini");
    let before = entries(&w);
    let r = w.run_env(&["run", "--raw", "raw", "--out", "s3://tables/dyadflow"], &NO_SERVER);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("S3 GET of s3://tables/dyadflow/current failed"), "{}", r.stderr);
    assert!(r.stderr.contains("hint: check AWS_ENDPOINT_URL"), "{}", r.stderr);
    let r = w.run_env(&["validate", "--raw", "s3://corpora/news"], &NO_SERVER);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("S3 LIST of s3://corpora/news failed"), "{}", r.stderr);
    assert_eq!(entries(&w), before);
}
