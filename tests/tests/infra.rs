//! The deployment template matches the code: one function resource per folder in
//! `functions/`, each wired to its route, and nothing else; and cfn-lint accepts it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sluice_app::routes;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn template() -> serde_yaml::Value {
    let text =
        std::fs::read_to_string(root().join("infra/template.yaml")).expect("infra/template.yaml");
    serde_yaml::from_str(&text).expect("the template is YAML")
}

#[test]
fn every_function_folder_is_in_the_template_and_nothing_else_is() {
    let folders: BTreeSet<String> = std::fs::read_dir(root().join("functions"))
        .expect("functions/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let t = template();
    let resources = t["Resources"].as_mapping().expect("Resources");
    let mut in_template = BTreeSet::new();
    for (_, r) in resources {
        if r["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let name = r["Metadata"]["SluiceFunction"]
            .as_str()
            .expect("each function names itself in Metadata.SluiceFunction")
            .to_string();
        assert_eq!(
            r["Properties"]["CodeUri"].as_str(),
            Some(format!("../target/lambda/{name}/").as_str()),
            "{name}'s code"
        );
        assert!(in_template.insert(name.clone()), "{name} appears twice");
        if let Some(queue) = stage_queue(&name) {
            // A stage function: fed by its queue, reporting failures per message.
            let event = &r["Properties"]["Events"]["Stage"];
            assert_eq!(event["Type"].as_str(), Some("SQS"), "{name}'s event");
            let logical = event["Properties"]["Queue"]["Fn::GetAtt"][0]
                .as_str()
                .or_else(|| {
                    event["Properties"]["Queue"]
                        .as_str()
                        .and_then(|q| q.strip_suffix(".Arn"))
                })
                .unwrap_or_else(|| panic!("{name}'s event names its queue"))
                .to_string();
            let q = &t["Resources"][logical.as_str()]["Properties"];
            let physical = serde_yaml::to_string(&q["QueueName"]).expect("yaml");
            assert!(
                physical.contains(&format!("-{queue}")),
                "{name} reads {queue}"
            );
            assert_eq!(q["RedrivePolicy"]["maxReceiveCount"].as_u64(), Some(5));
            let types =
                serde_yaml::to_string(&event["Properties"]["FunctionResponseTypes"]).expect("yaml");
            assert!(types.contains("ReportBatchItemFailures"), "{name}");
            continue;
        }
        let route = routes::by_name(&name).unwrap_or_else(|| panic!("{name} serves no route"));
        let event = &r["Properties"]["Events"]["Route"]["Properties"];
        assert_eq!(
            event["Method"].as_str(),
            Some(route.method.as_str()),
            "{name}'s method"
        );
        assert_eq!(event["Path"].as_str(), Some(route.path), "{name}'s path");
    }
    assert_eq!(
        in_template, folders,
        "functions/ and the template list the same functions"
    );
    let mut expected: BTreeSet<String> = routes::all().iter().map(|r| r.name.to_string()).collect();
    expected.extend(STAGES.iter().map(|(f, _)| f.to_string()));
    assert_eq!(
        expected, folders,
        "every route and every stage queue has its function"
    );
}

/// Stage functions and the queue each consumes.
const STAGES: &[(&str, &str)] = &[
    ("extract-files", "sluice-extract-files"),
    ("extract-http-json", "sluice-extract-http-json"),
    ("transform-batch", "sluice-transform"),
    ("load-finalize", "sluice-finalize"),
];

fn stage_queue(function: &str) -> Option<&'static str> {
    STAGES.iter().find(|(f, _)| *f == function).map(|(_, q)| *q)
}

#[test]
fn every_stage_queue_has_its_function() {
    let consumed: BTreeSet<&str> = STAGES.iter().map(|(_, q)| *q).collect();
    let queues = sluice_domain::pipeline::stage_queues();
    let all: BTreeSet<&str> = queues.iter().map(String::as_str).collect();
    assert_eq!(consumed, all);
}

#[test]
fn read_only_routes_cannot_write_the_table() {
    let t = template();
    for (_, r) in t["Resources"].as_mapping().expect("Resources") {
        let Some(name) = r["Metadata"]["SluiceFunction"].as_str() else {
            continue;
        };
        let policy = serde_yaml::to_string(&r["Properties"]["Policies"]).expect("yaml");
        let Some(route) = routes::by_name(name) else {
            assert!(stage_queue(name).is_some(), "{name} is a route or a stage");
            assert!(!policy.contains("dynamodb:*") && !policy.contains("Scan"));
            continue;
        };
        if route.method == http::Method::GET {
            assert!(!policy.contains("PutItem"), "{name} is read-only");
        }
        assert!(
            !policy.contains("Scan") && !policy.contains("dynamodb:*"),
            "{name}: no scans, no wildcards"
        );
    }
}

#[test]
fn cfn_lint_accepts_the_template() {
    let venv = root().join(".venv/bin/cfn-lint");
    let exe = if venv.is_file() {
        venv
    } else {
        PathBuf::from("cfn-lint")
    };
    let out = std::process::Command::new(&exe)
        .arg(root().join("infra/template.yaml"))
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} ({e}); run scripts/test-deps.sh first",
                exe.display()
            )
        });
    assert!(
        out.status.success(),
        "cfn-lint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_metadata_table_has_the_keys_and_indexes_the_store_uses() {
    let t = template();
    let table = &t["Resources"]["MetadataTable"]["Properties"];
    let attrs: BTreeSet<(String, String)> = table["AttributeDefinitions"]
        .as_sequence()
        .expect("AttributeDefinitions")
        .iter()
        .map(|a| {
            (
                a["AttributeName"].as_str().unwrap_or_default().to_string(),
                a["AttributeType"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = sluice_aws::KEY_ATTRIBUTES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    assert_eq!(attrs, expected, "attribute definitions");
    let keys = |schema: &serde_yaml::Value| -> Vec<String> {
        schema
            .as_sequence()
            .expect("KeySchema")
            .iter()
            .map(|k| k["AttributeName"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(keys(&table["KeySchema"]), vec!["pk", "sk"]);
    let indexes: Vec<(String, Vec<String>, String)> = table["GlobalSecondaryIndexes"]
        .as_sequence()
        .expect("GlobalSecondaryIndexes")
        .iter()
        .map(|i| {
            (
                i["IndexName"].as_str().unwrap_or_default().to_string(),
                keys(&i["KeySchema"]),
                i["Projection"]["ProjectionType"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, Vec<String>, String)> = sluice_aws::INDEXES
        .iter()
        .map(|(n, h, r)| {
            (
                n.to_string(),
                vec![h.to_string(), r.to_string()],
                "ALL".to_string(),
            )
        })
        .collect();
    assert_eq!(indexes, expected, "indexes");
}
