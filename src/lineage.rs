//! OpenLineage run events for `run --lineage FILE`: START before the run, then
//! COMPLETE or FAIL with the same run id, appended to FILE as JSON lines.
//!
//! Datasets follow OpenLineage's naming of local files (namespace `file`, the
//! absolute path as name). Inputs are the raw files, each with its SHA-256 as
//! the dataset version; outputs are the published tables (through the
//! output directory's shortcuts, `<out>/<table>.parquet`, so that each run is a
//! new version of the same dataset) with their schema, description, SHA-256
//! and row counts. Only standard facets are used, so every event validates
//! against the OpenLineage schema (`tests/ops/test_lineage.py`).

use crate::catalogue::TABLES;
use crate::manifest::Manifest;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

const SPEC: &str = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
const FACETS: &str = "https://openlineage.io/spec/facets";

/// The producer URI written in every event and facet.
pub fn producer() -> String {
    format!("urn:dyadflow:{}", env!("CARGO_PKG_VERSION"))
}

fn facet(schema: &str, body: Value) -> Value {
    let mut v = body;
    v["_producer"] = producer().into();
    v["_schemaURL"] = format!("{FACETS}/{schema}").into();
    v
}

/// Where and under which job a run's events are written.
#[derive(Debug, Clone)]
pub struct Lineage {
    pub file: PathBuf,
    pub namespace: String,
    pub job: String,
    /// This run's OpenLineage run id: a UUIDv7, new for every invocation (the
    /// dyadflow run id, derived from the inputs, is a tag of the run).
    pub run_id: uuid::Uuid,
}

impl Lineage {
    pub fn new(file: PathBuf, namespace: String, job: String) -> Lineage {
        Lineage { file, namespace, job, run_id: uuid::Uuid::now_v7() }
    }

    fn event(&self, kind: &str, run_facets: Value, inputs: Vec<Value>, outputs: Vec<Value>) -> Value {
        let mut facets = run_facets;
        facets["processing_engine"] = facet(
            "1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet",
            json!({"name": "dyadflow", "version": env!("CARGO_PKG_VERSION")}),
        );
        json!({
            "eventType": kind,
            "eventTime": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "producer": producer(),
            "schemaURL": SPEC,
            "run": {"runId": self.run_id.to_string(), "facets": facets},
            "job": {
                "namespace": self.namespace,
                "name": self.job,
                "facets": {"jobType": facet(
                    "2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet",
                    json!({"processingType": "BATCH", "integration": "DYADFLOW", "jobType": "JOB"}),
                )},
            },
            "inputs": inputs,
            "outputs": outputs,
        })
    }

    /// Appends one event as a line (one write, so that concurrent writers'
    /// lines do not interleave).
    fn append(&self, event: &Value) -> crate::problem::Result<()> {
        let mut line = event.to_string();
        line.push('\n');
        let err = |source| crate::problem::Error::Write { path: self.file.clone(), source };
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&self.file).map_err(err)?;
        f.write_all(line.as_bytes()).map_err(err)?;
        f.sync_data().map_err(err)
    }

    /// The START event, before anything is read.
    pub fn start(&self) -> crate::problem::Result<()> {
        self.append(&self.event("START", json!({}), Vec::new(), Vec::new()))
    }

    /// COMPLETE (the run published, or found its result published already) or
    /// FAIL (it published nothing), from the run record.
    pub fn finish(&self, m: &Manifest, raw: &Path, out: &Path) -> crate::problem::Result<()> {
        let inputs = inputs(m, raw);
        let mut facets = json!({"tags": tags(m)});
        let event = if m.exit_code == 0 {
            self.event("COMPLETE", facets, inputs, outputs(m, out))
        } else {
            let message = match m.failure_reasons.is_empty() {
                true => format!("dyadflow run failed with exit code {}", m.exit_code),
                false => m.failure_reasons.join("; "),
            };
            facets["errorMessage"] = error_facet(&message);
            self.event("FAIL", facets, inputs, Vec::new())
        };
        self.append(&event)
    }

    /// FAIL for a run that stopped with an error before its run record (I/O,
    /// configuration, another run holding the lock).
    pub fn fail(&self, message: &str) -> crate::problem::Result<()> {
        self.append(&self.event("FAIL", json!({"errorMessage": error_facet(message)}), Vec::new(), Vec::new()))
    }
}

fn error_facet(message: &str) -> Value {
    facet(
        "1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet",
        json!({"message": message, "programmingLanguage": "Rust"}),
    )
}

fn tags(m: &Manifest) -> Value {
    let mut tags = vec![
        json!({"key": "dyadflow.run_id", "value": m.run_id, "source": "DYADFLOW"}),
        json!({"key": "dyadflow.status", "value": m.status, "source": "DYADFLOW"}),
        json!({"key": "dyadflow.exit_code", "value": m.exit_code.to_string(), "source": "DYADFLOW"}),
    ];
    if let Some(set) = &m.set {
        tags.push(json!({"key": "dyadflow.set", "value": set, "source": "DYADFLOW"}));
    }
    facet("1-0-0/TagsRunFacet.json#/$defs/TagsRunFacet", json!({"tags": tags}))
}

/// An absolute path without resolving links, as a dataset name.
fn absolute(p: &Path) -> String {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()).to_string_lossy().into_owned()
}

fn version(sha256: &str) -> Value {
    facet("1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet", json!({"datasetVersion": sha256}))
}

fn inputs(m: &Manifest, raw: &Path) -> Vec<Value> {
    m.inputs
        .iter()
        .map(|i| {
            json!({
                "namespace": "file",
                "name": absolute(&raw.join(&i.path)),
                "facets": {"version": version(&i.sha256)},
                "inputFacets": {"inputStatistics": facet(
                    "1-0-0/InputStatisticsInputDatasetFacet.json#/$defs/InputStatisticsInputDatasetFacet",
                    json!({"size": i.bytes, "fileCount": 1}),
                )},
            })
        })
        .collect()
}

fn outputs(m: &Manifest, out: &Path) -> Vec<Value> {
    // the tables are the datasets; overview.html is a view of them, not data
    m.outputs
        .iter()
        .filter(|o| TABLES.iter().any(|t| t.name == o.table))
        .map(|o| {
            let mut facets = json!({
                "version": version(&o.sha256),
                "storage": facet(
                    "1-0-1/StorageDatasetFacet.json#/$defs/StorageDatasetFacet",
                    json!({"storageLayer": "file", "fileFormat": "parquet"}),
                ),
            });
            if let Some(t) = TABLES.iter().find(|t| t.name == o.table) {
                let fields: Vec<Value> = t
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        json!({"name": c.name, "type": c.kind.name(), "description": c.description, "ordinal_position": i + 1})
                    })
                    .collect();
                facets["schema"] =
                    facet("1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet", json!({"fields": fields}));
                facets["documentation"] = facet(
                    "1-1-0/DocumentationDatasetFacet.json#/$defs/DocumentationDatasetFacet",
                    json!({"description": t.description}),
                );
            }
            json!({
                "namespace": "file",
                "name": absolute(&out.join(&o.file)),
                "facets": facets,
                "outputFacets": {"outputStatistics": facet(
                    "1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet",
                    json!({"rowCount": o.rows, "size": o.bytes, "fileCount": 1}),
                )},
            })
        })
        .collect()
}
