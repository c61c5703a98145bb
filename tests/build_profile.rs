//! The first build's cuts (docs/install.md, "How long the first build takes") stay made:
//! the release binary does not depend on arrow-rs's compute kernels that nothing calls,
//! and the code that runs once per command or only for `s3://` is built at opt-level 1
//! while the data path keeps the default opt-level 3.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The packages the release binary links: `cargo tree` over normal edges only (no build
/// scripts, no dev-dependencies), for the machine the tests run on.
fn normal_dependencies() -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .current_dir(manifest_dir())
        .args(["tree", "--locked", "--edges", "normal", "--prefix", "none", "--format", "{p}"])
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_binary_does_not_build_the_unused_arrow_kernels() {
    let deps = normal_dependencies();
    // what dyadflow does use is there (the tree is read, not empty)
    for used in ["polars", "parquet", "arrow-array", "arrow-select", "arrow-row", "arrow-ipc", "zstd"] {
        assert!(deps.contains(used), "{used} is missing from the dependency tree: {deps:?}");
    }
    // the umbrella crate and the kernels only it brought in
    let cut = ["arrow", "arrow-cast", "arrow-arith", "arrow-ord", "arrow-string", "lexical-core"];
    let back: Vec<_> = cut.iter().filter(|c| deps.contains(**c)).collect();
    assert!(back.is_empty(), "the release binary depends on {back:?} again (see docs/install.md)");
}

#[test]
fn once_per_command_code_is_built_at_opt_level_1_and_the_data_path_at_3() {
    let text = std::fs::read_to_string(manifest_dir().join("Cargo.toml")).unwrap();
    let manifest: toml::Table = toml::from_str(&text).unwrap();
    let release = manifest["profile"]["release"].as_table().expect("[profile.release.*]");
    assert!(release.get("opt-level").is_none(), "the release profile's opt-level is the default, 3");
    let packages = release["package"].as_table().expect("[profile.release.package.*]");
    let level = |name: &str| packages.get(name).and_then(|p| p.get("opt-level")).and_then(|l| l.as_integer());
    for once in ["clap_builder", "toml", "indicatif", "object_store", "reqwest", "hyper", "rustls", "quick-xml", "url"]
    {
        assert_eq!(level(once), Some(1), "{once} should be built at opt-level 1");
    }
    for (name, _) in packages {
        let data_path =
            ["parquet", "zstd", "zstd-safe", "zstd-sys", "dyadflow", "ring", "tokio", "mimalloc", "libmimalloc-sys"];
        assert!(
            !(data_path.contains(&name.as_str()) || name.starts_with("polars") || name.starts_with("arrow")),
            "{name} is on the data path and keeps opt-level 3"
        );
    }
}
