//! The deployment template matches the code: one function resource per folder in
//! `functions/`, each wired to its route, its stage queue or its scheduler rule, and
//! nothing else; each allowed no more than its role needs; and cfn-lint accepts it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_yaml::Value;
use sluice_app::routes;
use sluice_domain::ports::RunEventKind;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn template() -> Value {
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
        let events = r["Properties"]["Events"].as_mapping();
        if INTERNAL.contains(&name.as_str()) || AUTHORIZER.contains(&name.as_str()) {
            // Invoked directly by other functions or by API Gateway as the
            // authorizer, never by an event source.
            assert!(
                events.is_none_or(|e| e.is_empty()),
                "{name} is internal: no event source reaches it"
            );
            continue;
        }
        if name == "ws-connect" || name == "ws-disconnect" {
            assert!(
                events.is_none_or(|e| e.is_empty()),
                "{name}: the WebSocket API's route invokes it"
            );
            continue;
        }
        if SCHEDULER.contains(&name.as_str()) || name == "ws-push" {
            // Invoked by EventBridge rules only, SAM events or rule resources (checked
            // by the scheduler tests below).
            for (id, event) in events.into_iter().flatten() {
                let kind = event["Type"].as_str().unwrap_or_default();
                assert!(
                    RULE_EVENTS.contains(&kind),
                    "{name}'s event {id:?} is a {kind}, not a rule"
                );
            }
            continue;
        }
        assert_eq!(
            events.map_or(0, |e| e.len()),
            1,
            "{name} has one event: its route or its queue"
        );
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
    let mut expected: BTreeSet<String> = routes::on_lambda().map(|r| r.name.to_string()).collect();
    expected.extend(stages().into_iter().map(|(f, _)| f));
    expected.extend(SCHEDULER.iter().map(|f| f.to_string()));
    expected.extend(INTERNAL.iter().map(|f| f.to_string()));
    expected.extend(AUTHORIZER.iter().map(|f| f.to_string()));
    expected.extend(WEBSOCKET.iter().map(|f| f.to_string()));
    assert_eq!(
        expected, folders,
        "every route, every stage queue, the scheduler, the engine and the authorizer have their function"
    );
}

/// Stage functions and the queue each consumes: each registered connector's
/// extraction, then the transform and the finalize, then each delivery.
fn stages() -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = sluice_domain::connectors::registry()
        .iter()
        .map(|c| (c.function(), c.queue()))
        .collect();
    all.push(("transform-batch".into(), "sluice-transform".into()));
    all.push(("load-finalize".into(), "sluice-finalize".into()));
    all.push(("materialize".into(), "sluice-materialize".into()));
    all.extend(
        sluice_domain::connectors::deliveries()
            .iter()
            .map(|d| (d.function(), d.queue())),
    );
    all
}

fn stage_queue(function: &str) -> Option<String> {
    stages()
        .into_iter()
        .find(|(f, _)| f == function)
        .map(|(_, q)| q)
}

/// The scheduler's functions, each invoked by EventBridge rules.
const SCHEDULER: &[&str] = &["scheduler-tick", "scheduler-react"];

/// Functions other functions invoke directly: the transform engine, for the
/// routes that plan or preview mappings.
const INTERNAL: &[&str] = &["engine"];

/// The HTTP API's Lambda authorizer, invoked by API Gateway before every route
/// that takes a credential.
const AUTHORIZER: &[&str] = &["authorizer"];

/// The WebSocket API's functions: `ws-connect` and `ws-disconnect` invoked by
/// its routes' integrations (no SAM event source), `ws-push` by a rule on the
/// run-event bus.
const WEBSOCKET: &[&str] = &["ws-connect", "ws-disconnect", "ws-push"];

/// SAM event types that are EventBridge rules (or schedules).
const RULE_EVENTS: &[&str] = &[
    "Schedule",
    "ScheduleV2",
    "EventBridgeRule",
    "CloudWatchEvent",
];

/// An EventBridge rule that invokes a function: a SAM rule event of the function, or
/// an `AWS::Events::Rule` resource with the function as a target.
#[derive(Debug)]
struct Rule {
    /// Where it is: the event or the resource.
    at: String,
    /// `ScheduleExpression` of a schedule rule.
    schedule: Option<String>,
    /// `EventPattern` of a pattern rule.
    pattern: Value,
    /// `EventBusName`; null for the default bus.
    bus: Value,
    /// The target's `DeadLetterConfig`: where EventBridge puts what it cannot deliver.
    dead_letter: Value,
    /// Not switched off (`Enabled: false`, `State: DISABLED`).
    enabled: bool,
}

/// Whether a rule's properties leave it on.
fn enabled(p: &Value) -> bool {
    p["Enabled"].as_bool() != Some(false) && p["State"].as_str() != Some("DISABLED")
}

/// Whether `v` (a `!Ref`, a `!GetAtt`, a `!Sub`, or their long forms) names the
/// resource `logical_id`.
fn names(v: &Value, logical_id: &str) -> bool {
    let text = serde_yaml::to_string(v).expect("yaml");
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| word == logical_id)
}

/// The logical id and the resource of function `name`.
fn function<'t>(t: &'t Value, name: &str) -> (String, &'t Value) {
    t["Resources"]
        .as_mapping()
        .expect("Resources")
        .iter()
        .find(|(_, r)| r["Metadata"]["SluiceFunction"].as_str() == Some(name))
        .map(|(id, r)| (id.as_str().expect("logical id").to_string(), r))
        .unwrap_or_else(|| panic!("{name} is not in the template"))
}

/// Every rule that invokes function `name`.
fn rules_invoking(t: &Value, name: &str) -> Vec<Rule> {
    let (logical_id, f) = function(t, name);
    let mut rules = vec![];
    for (id, event) in f["Properties"]["Events"].as_mapping().into_iter().flatten() {
        let p = &event["Properties"];
        let at = format!("{logical_id}.Events.{}", id.as_str().unwrap_or_default());
        match event["Type"].as_str() {
            Some("Schedule") => rules.push(Rule {
                at,
                schedule: p["Schedule"].as_str().map(str::to_string),
                pattern: Value::Null,
                bus: Value::Null,
                dead_letter: p["DeadLetterConfig"].clone(),
                enabled: enabled(p),
            }),
            Some("ScheduleV2") => rules.push(Rule {
                at,
                schedule: p["ScheduleExpression"].as_str().map(str::to_string),
                pattern: Value::Null,
                bus: Value::Null,
                dead_letter: p["DeadLetterConfig"].clone(),
                enabled: enabled(p),
            }),
            Some("EventBridgeRule" | "CloudWatchEvent") => rules.push(Rule {
                at,
                schedule: None,
                pattern: p["Pattern"].clone(),
                bus: p["EventBusName"].clone(),
                dead_letter: p["DeadLetterConfig"].clone(),
                enabled: enabled(p),
            }),
            _ => {}
        }
    }
    let resources = t["Resources"].as_mapping().expect("Resources");
    for (id, r) in resources {
        if r["Type"].as_str() != Some("AWS::Events::Rule") {
            continue;
        }
        let rule_id = id.as_str().expect("logical id");
        for target in r["Properties"]["Targets"]
            .as_sequence()
            .into_iter()
            .flatten()
        {
            if !names(&target["Arn"], &logical_id) {
                continue;
            }
            // A rule resource needs its own permission to invoke the function.
            let permitted = resources.values().any(|p| {
                p["Type"].as_str() == Some("AWS::Lambda::Permission")
                    && names(&p["Properties"]["FunctionName"], &logical_id)
                    && names(&p["Properties"]["SourceArn"], rule_id)
                    && p["Properties"]["Principal"].as_str() == Some("events.amazonaws.com")
            });
            assert!(
                permitted,
                "{rule_id} may not invoke {name}: add an AWS::Lambda::Permission"
            );
            let p = &r["Properties"];
            rules.push(Rule {
                at: rule_id.to_string(),
                schedule: p["ScheduleExpression"].as_str().map(str::to_string),
                pattern: p["EventPattern"].clone(),
                bus: p["EventBusName"].clone(),
                dead_letter: target["DeadLetterConfig"].clone(),
                enabled: enabled(p),
            });
        }
    }
    rules
}

/// The SQS queue (logical id) `arn` points at, if it is one of the template's.
fn queue_named(t: &Value, arn: &Value) -> Option<String> {
    t["Resources"]
        .as_mapping()
        .expect("Resources")
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::SQS::Queue"))
        .map(|(id, _)| id.as_str().expect("logical id").to_string())
        .find(|id| names(arn, id))
}

/// Checks the variables the scheduler's `init` needs to start runs and announce them.
fn assert_starts_runs(t: &Value, name: &str) {
    let (_, f) = function(t, name);
    let vars = &f["Properties"]["Environment"]["Variables"];
    for var in ["SLUICE_QUEUE_URL_PREFIX", "SLUICE_EVENT_BUS"] {
        assert!(!vars[var].is_null(), "{name} needs {var}");
    }
    assert!(
        names(&vars["SLUICE_EVENT_BUS"], "RunEventBus"),
        "{name}'s bus"
    );
    // A trigger starts a data mart's run (its extract queue, or the
    // materialize queue for a mart read by a query) or a report's (its
    // destination kind's delivery queue): it may send to every one.
    let mut sends: Vec<Value> = vec![];
    for policy in f["Properties"]["Policies"]
        .as_sequence()
        .into_iter()
        .flatten()
    {
        for st in policy["Statement"].as_sequence().into_iter().flatten() {
            if yaml_text(&st["Action"]).contains("sqs:SendMessage") {
                sends.extend(st["Resource"].as_sequence().cloned().unwrap_or_default());
                sends.push(st["Resource"].clone());
            }
        }
    }
    let queues = sluice_domain::connectors::registry()
        .iter()
        .map(|c| c.queue())
        .chain([sluice_domain::pipeline::MATERIALIZE_QUEUE.to_string()])
        .chain(
            sluice_domain::connectors::deliveries()
                .iter()
                .map(|d| d.queue()),
        );
    for queue in queues {
        let id = t["Resources"]
            .as_mapping()
            .expect("Resources")
            .iter()
            .find(|(_, r)| {
                r["Type"].as_str() == Some("AWS::SQS::Queue")
                    && yaml_text(&r["Properties"]["QueueName"])
                        .trim_end_matches(['"', '\''])
                        .ends_with(&format!("-{queue}"))
            })
            .map(|(id, _)| id.as_str().expect("logical id").to_string())
            .unwrap_or_else(|| panic!("no queue {queue}"));
        assert!(
            sends.iter().any(|r| names(r, &id)),
            "{name} may send to {queue} ({id})"
        );
    }
}

#[test]
fn scheduler_tick_runs_on_exactly_one_rule_every_minute() {
    let t = template();
    let rules = rules_invoking(&t, "scheduler-tick");
    assert_eq!(rules.len(), 1, "one rule drives the tick: {rules:?}");
    let rule = &rules[0];
    assert!(rule.enabled, "{}: the tick's rule is on", rule.at);
    let schedule = rule.schedule.as_deref().unwrap_or_default();
    assert!(
        ["rate(1 minute)", "cron(* * * * ? *)"].contains(&schedule),
        "{}: the tick runs every minute, not on `{schedule}`",
        rule.at
    );
    assert!(
        rule.pattern.is_null(),
        "{}: a schedule, not a pattern",
        rule.at
    );
    assert!(
        rule.bus.is_null(),
        "{}: schedules run on the default bus",
        rule.at
    );
    assert_starts_runs(&t, "scheduler-tick");
}

#[test]
fn scheduler_react_runs_on_the_run_event_bus_when_a_run_ends() {
    let t = template();
    let rules = rules_invoking(&t, "scheduler-react");
    assert_eq!(rules.len(), 1, "one rule drives the reaction: {rules:?}");
    let rule = &rules[0];
    assert!(rule.enabled, "{}: the reaction's rule is on", rule.at);
    assert!(
        rule.schedule.is_none(),
        "{}: a pattern, not a schedule",
        rule.at
    );
    assert!(
        names(&rule.bus, "RunEventBus"),
        "{}: the rule is on the run-event bus, not {:?}",
        rule.at,
        rule.bus
    );
    let pattern = rule.pattern.as_mapping().expect("an event pattern");
    let keys: BTreeSet<&str> = pattern.keys().filter_map(Value::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["source", "detail-type"]),
        "{}: matches every project's run events",
        rule.at
    );
    let strings = |v: &Value| -> BTreeSet<String> {
        v.as_sequence()
            .expect("a list")
            .iter()
            .map(|s| s.as_str().expect("a string").to_string())
            .collect()
    };
    assert_eq!(
        strings(&rule.pattern["source"]),
        BTreeSet::from([sluice_aws::EVENT_SOURCE.to_string()])
    );
    assert_eq!(
        strings(&rule.pattern["detail-type"]),
        BTreeSet::from([
            RunEventKind::RunSucceeded.as_str().to_string(),
            RunEventKind::RunFailed.as_str().to_string(),
            RunEventKind::ReportRunSucceeded.as_str().to_string(),
            RunEventKind::ReportRunFailed.as_str().to_string(),
        ]),
        "{}: the run ends the reaction waits for (report runs' for their notifications)",
        rule.at
    );
    assert_starts_runs(&t, "scheduler-react");
}

#[test]
fn a_reaction_that_keeps_failing_lands_in_a_queue() {
    let t = template();
    let (_, f) = function(&t, "scheduler-react");
    let p = &f["Properties"];
    // Lambda's own retries of an asynchronous invocation, then: an on-failure
    // destination, or the older dead-letter queue.
    let on_failure = &p["EventInvokeConfig"]["DestinationConfig"]["OnFailure"];
    let (kind, arn) = if on_failure.is_null() {
        (
            &p["DeadLetterQueue"]["Type"],
            &p["DeadLetterQueue"]["TargetArn"],
        )
    } else {
        (&on_failure["Type"], &on_failure["Destination"])
    };
    assert_eq!(
        kind.as_str(),
        Some("SQS"),
        "scheduler-react's failed invocations"
    );
    let queue = queue_named(&t, arn).expect("a queue of this template");
    let retention = t["Resources"][queue.as_str()]["Properties"]["MessageRetentionPeriod"]
        .as_u64()
        .unwrap_or(345_600);
    assert!(
        retention >= 7 * 86_400,
        "{queue} keeps a failed reaction a week or more"
    );
    // EventBridge's own dead letters (the function could not be invoked at all) need a
    // queue policy that lets the rule send.
    for rule in rules_invoking(&t, "scheduler-react") {
        if rule.dead_letter.is_null() {
            continue;
        }
        let dlq = queue_named(&t, &rule.dead_letter["Arn"])
            .unwrap_or_else(|| panic!("{}: a dead-letter queue of this template", rule.at));
        let allowed = t["Resources"]
            .as_mapping()
            .expect("Resources")
            .values()
            .any(|r| {
                let doc = serde_yaml::to_string(&r["Properties"]["PolicyDocument"]).expect("yaml");
                r["Type"].as_str() == Some("AWS::SQS::QueuePolicy")
                    && names(&r["Properties"]["Queues"], &dlq)
                    && doc.contains("events.amazonaws.com")
                    && doc.contains("sqs:SendMessage")
            });
        assert!(allowed, "{}: EventBridge may not send to {dlq}", rule.at);
    }
}

#[test]
fn every_stage_queue_has_its_function() {
    let consumed: BTreeSet<String> = stages().into_iter().map(|(_, q)| q).collect();
    let all: BTreeSet<String> = sluice_domain::pipeline::stage_queues()
        .into_iter()
        .collect();
    assert_eq!(consumed, all);
}

/// DynamoDB actions that write nothing.
const TABLE_READS: &[&str] = &[
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:DescribeTable",
];

/// The partition key of the identity partition (users, sessions, API keys).
fn identity_partition_key() -> String {
    sluice_domain::ports::keys::partition(&sluice_domain::entities::identity_partition())
}

/// The statement that lets a function read the request's credential (and write
/// an API key's last use): confined by `dynamodb:LeadingKeys` to the identity
/// partition, so nothing of a project is reached through it.
fn is_credential_statement(s: &Value) -> bool {
    let keys = &s["Condition"]["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"];
    keys.as_sequence()
        .is_some_and(|k| k.len() == 1 && k[0].as_str() == Some(identity_partition_key().as_str()))
}

/// The statement that lets a function count its caller's requests: UpdateItem
/// confined by `dynamodb:LeadingKeys` to the request counts' partitions.
fn is_budget_statement(s: &Value) -> bool {
    let keys = &s["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"];
    keys.as_sequence().is_some_and(|k| {
        k.len() == 1 && k[0].as_str() == Some(&format!("{}*", sluice_aws::RATE_PREFIX))
    })
}

/// Every route that takes a credential counts its caller's requests (the
/// request budget), with UpdateItem on the counts' partitions only; a public
/// route counts nothing.
#[test]
fn credential_routes_count_their_callers_requests_and_nothing_else() {
    let t = template();
    // Past minutes' counts go by the table's time to live.
    let ttl = &t["Resources"]["MetadataTable"]["Properties"]["TimeToLiveSpecification"];
    assert_eq!(
        ttl["AttributeName"].as_str(),
        Some(sluice_aws::TTL_ATTRIBUTE)
    );
    assert_eq!(ttl["Enabled"].as_bool(), Some(true));
    for route in routes::on_lambda() {
        let (_, f) = function(&t, route.name);
        let statements: Vec<&Value> = statements(f)
            .into_iter()
            .filter(|s| is_budget_statement(s))
            .collect();
        if route.role.is_none() {
            assert!(statements.is_empty(), "{} is public", route.name);
            continue;
        }
        assert_eq!(statements.len(), 1, "{} counts its caller", route.name);
        assert_eq!(
            yaml_text(&statements[0]["Action"]).trim(),
            "- dynamodb:UpdateItem",
            "{}",
            route.name
        );
        assert_eq!(
            yaml_text(&statements[0]["Resource"]).trim(),
            "!GetAtt MetadataTable.Arn",
            "{}",
            route.name
        );
    }
}

/// Every route that takes a credential reads it, and its API key's last use,
/// in the identity partition only; a public route reaches none of it.
#[test]
fn credential_routes_reach_the_identity_partition_and_nothing_else_through_it() {
    let t = template();
    for route in routes::on_lambda() {
        let (_, f) = function(&t, route.name);
        let statements: Vec<&Value> = statements(f)
            .into_iter()
            .filter(|s| is_credential_statement(s))
            .collect();
        if route.role.is_none() {
            assert!(statements.is_empty(), "{} is public", route.name);
            continue;
        }
        assert_eq!(statements.len(), 1, "{} reads its credential", route.name);
        let s = statements[0];
        assert_eq!(s["Effect"].as_str(), Some("Allow"));
        assert_eq!(
            yaml_text(&s["Action"]).trim(),
            "- dynamodb:GetItem\n- dynamodb:PutItem",
            "{}",
            route.name
        );
        assert_eq!(
            yaml_text(&s["Resource"]).trim(),
            "!GetAtt MetadataTable.Arn",
            "{}: the table, no index",
            route.name
        );
    }
}

/// Every statement of a function's inline policies.
fn statements(function: &Value) -> Vec<&Value> {
    function["Properties"]["Policies"]
        .as_sequence()
        .into_iter()
        .flatten()
        .flat_map(|p| p["Statement"].as_sequence().into_iter().flatten())
        .collect()
}

/// The actions a function's policies allow, which must all be inline statements
/// (a SAM policy template or a managed policy would hide what it allows).
fn allowed_actions(name: &str, policies: &Value) -> Vec<String> {
    let mut actions = vec![];
    for policy in policies.as_sequence().into_iter().flatten() {
        let statements = policy["Statement"]
            .as_sequence()
            .unwrap_or_else(|| panic!("{name}: write policies as inline statements"));
        for s in statements {
            if s["Effect"].as_str() != Some("Allow")
                || is_credential_statement(s)
                || is_budget_statement(s)
            {
                continue;
            }
            match &s["Action"] {
                Value::String(a) => actions.push(a.clone()),
                Value::Sequence(list) => actions.extend(
                    list.iter()
                        .map(|a| a.as_str().expect("an action").to_string()),
                ),
                other => panic!("{name}: an action list, not {other:?}"),
            }
        }
    }
    actions
}

#[test]
fn read_only_routes_cannot_write_the_table() {
    let t = template();
    let mut gets_checked = BTreeSet::new();
    for (_, r) in t["Resources"].as_mapping().expect("Resources") {
        let Some(name) = r["Metadata"]["SluiceFunction"].as_str() else {
            continue;
        };
        let actions = allowed_actions(name, &r["Properties"]["Policies"]);
        for a in &actions {
            assert!(
                !a.contains('*') && !a.contains("Scan"),
                "{name}: no scans, no wildcards ({a})"
            );
        }
        let Some(route) = routes::by_name(name) else {
            assert!(
                stage_queue(name).is_some()
                    || SCHEDULER.contains(&name)
                    || INTERNAL.contains(&name)
                    || AUTHORIZER.contains(&name)
                    || WEBSOCKET.contains(&name),
                "{name} is a route, a stage, the scheduler, internal, the authorizer or the WebSocket API's"
            );
            if INTERNAL.contains(&name) {
                // It answers what its callers ask and writes nothing.
                for a in actions.iter().filter(|a| a.starts_with("dynamodb:")) {
                    assert!(
                        TABLE_READS.contains(&a.as_str()),
                        "{name} only reads the table: not {a}"
                    );
                }
            }
            continue;
        };
        if route.method == http::Method::GET {
            for a in actions.iter().filter(|a| a.starts_with("dynamodb:")) {
                assert!(
                    TABLE_READS.contains(&a.as_str()),
                    "{name} serves a GET, so it only reads the table: not {a}"
                );
            }
            gets_checked.insert(name);
        }
    }
    let gets: BTreeSet<&str> = routes::on_lambda()
        .filter(|r| r.method == http::Method::GET)
        .map(|r| r.name)
        .collect();
    assert_eq!(gets_checked, gets, "every GET route is checked");
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

/// The functions that serve a project's files (uploads, their listing and
/// deletion, previews of `store://` sources) reach the bucket only under the
/// landing areas: never the warehouse, run objects or anything else.
#[test]
fn file_routes_reach_only_the_landing_areas_of_the_bucket() {
    let t = template();
    for name in [
        "api-upload-file",
        "api-list-files",
        "api-delete-file",
        // Previews of `store://` sources read through the engine.
        "engine",
    ] {
        let (_, r) = function(&t, name);
        let mut s3 = 0;
        for policy in r["Properties"]["Policies"]
            .as_sequence()
            .into_iter()
            .flatten()
        {
            for s in policy["Statement"].as_sequence().into_iter().flatten() {
                let actions = serde_yaml::to_string(&s["Action"]).expect("yaml");
                if !actions.contains("s3:") {
                    continue;
                }
                s3 += 1;
                let resource = serde_yaml::to_string(&s["Resource"]).expect("yaml");
                if actions.contains("s3:ListBucket") {
                    let prefix = serde_yaml::to_string(&s["Condition"]["StringLike"]["s3:prefix"])
                        .expect("yaml");
                    assert!(
                        prefix.contains("projects/*/landing/*"),
                        "{name} lists beyond the landing areas: {prefix}"
                    );
                } else {
                    assert!(
                        resource.contains("/projects/*/landing/*"),
                        "{name} reaches objects beyond the landing areas: {resource}"
                    );
                }
            }
        }
        assert!(s3 > 0, "{name} has its S3 statements");
    }
}

/// The yaml of `v` as one line, for matching resource patterns.
fn yaml_text(v: &Value) -> String {
    serde_yaml::to_string(v).expect("yaml").trim().to_string()
}

/// Each resource of a statement (one or a list), as yaml text.
fn resources_of(statement: &Value) -> Vec<String> {
    match &statement["Resource"] {
        Value::Sequence(list) => list.iter().map(yaml_text).collect(),
        one => vec![yaml_text(one)],
    }
}

#[test]
fn warehouse_queries_run_as_a_role_that_reaches_only_project_databases_and_prefixes() {
    let t = template();
    let resources = t["Resources"].as_mapping().expect("Resources");
    let mut querying = BTreeSet::new();
    for (id, r) in resources {
        let Some(name) = r["Metadata"]["SluiceFunction"].as_str() else {
            continue;
        };
        let vars = &r["Properties"]["Environment"]["Variables"];
        let actions = allowed_actions(name, &r["Properties"]["Policies"]);
        // No function reaches Athena or Glue on its own role.
        for a in &actions {
            assert!(
                !a.starts_with("athena:") && !a.starts_with("glue:"),
                "{name} reaches the warehouse only as the query role: {a}"
            );
        }
        if vars["SLUICE_ATHENA_DATABASE"].is_null() {
            assert!(
                !actions.iter().any(|a| a == "sts:AssumeRole"),
                "{name} does not query, so it assumes no role"
            );
            continue;
        }
        querying.insert(format!("{}Role", id.as_str().expect("logical id")));
        for (variable, resource) in [
            ("SLUICE_WAREHOUSE_QUERY_ROLE_ARN", "WarehouseQueryRole"),
            ("SLUICE_ATHENA_WORKGROUP", "WarehouseWorkGroup"),
            ("SLUICE_QUERY_TIMEOUT_SECONDS", "QueryTimeoutSeconds"),
        ] {
            assert!(names(&vars[variable], resource), "{name}'s {variable}");
        }
        let assume: Vec<&Value> = statements(r)
            .into_iter()
            .filter(|s| yaml_text(&s["Action"]).contains("sts:AssumeRole"))
            .collect();
        assert_eq!(assume.len(), 1, "{name} assumes one role");
        for r in resources_of(assume[0]) {
            assert!(
                r.contains("role/${AWS::StackName}/warehouse-query/*"),
                "{name}: {r}"
            );
        }
        // The query route answers before API Gateway's limit and its own.
        let timeout = r["Properties"]["Timeout"].as_u64().unwrap_or(10);
        let most = t["Parameters"]["QueryTimeoutSeconds"]["MaxValue"]
            .as_u64()
            .expect("a most");
        assert!(
            most < timeout,
            "{name}: queries stop before the function does"
        );
    }
    assert_eq!(
        querying.len(),
        7 + sluice_domain::connectors::deliveries().len(),
        "the query route, the data endpoint, the three routes that check a definition (a dry run), finalize's hooks, materialize and each delivery (reading its report): {querying:?}"
    );

    let role = &t["Resources"]["WarehouseQueryRole"]["Properties"];
    let trusted: Vec<String> = role["AssumeRolePolicyDocument"]["Statement"]
        .as_sequence()
        .expect("a trust policy")
        .iter()
        .flat_map(|s| {
            assert_eq!(yaml_text(&s["Action"]), "sts:AssumeRole");
            s["Principal"]["AWS"]
                .as_sequence()
                .expect("roles")
                .iter()
                .map(yaml_text)
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(trusted.len(), querying.len(), "{trusted:?}");
    for q in &querying {
        assert!(
            trusted.iter().any(|p| p.contains(&format!("{q}.Arn"))),
            "{q} may assume the query role: {trusted:?}"
        );
    }
    assert!(yaml_text(&role["Path"]).contains("/${AWS::StackName}/warehouse-query/"));
    let policies = role["Policies"].as_sequence().expect("policies");
    for p in policies {
        for s in p["PolicyDocument"]["Statement"]
            .as_sequence()
            .expect("statements")
        {
            assert_eq!(s["Effect"].as_str(), Some("Allow"));
            let actions = yaml_text(&s["Action"]);
            assert!(!actions.contains('*'), "{actions}");
            for r in resources_of(s) {
                let ok = if actions.contains("athena:") {
                    r.trim_end_matches(['\'', '"'])
                        .ends_with(":workgroup/${WarehouseWorkGroup}")
                } else if actions.contains("glue:") {
                    r.contains(":catalog")
                        || r.contains(":database/${WarehouseDatabaseName}_prj_*")
                        || r.contains(":table/${WarehouseDatabaseName}_prj_*/*")
                } else if actions.contains("s3:ListBucket") {
                    let prefixes = yaml_text(&s["Condition"]["StringLike"]["s3:prefix"]);
                    prefixes.contains("warehouse/prj_*")
                        && prefixes.contains("athena-results/prj_*")
                        && !prefixes.contains("- '*'")
                } else if actions.contains("s3:GetBucketLocation") {
                    r.contains("RunBucket")
                } else if r.contains("/landing/") {
                    // Storage tables are read, never written.
                    r.contains("${RunBucket.Arn}/projects/prj_*/landing/*")
                        && actions == "- s3:GetObject"
                } else {
                    r.contains("${RunBucket.Arn}/warehouse/prj_*")
                        || r.contains("${RunBucket.Arn}/athena-results/prj_*")
                };
                assert!(ok, "the query role reaches {r} with {actions}");
            }
        }
    }

    // The workgroup bounds what one query scans; its results go where each
    // project's session says (its own prefix), so it does not override them.
    let wg = &t["Resources"]["WarehouseWorkGroup"]["Properties"]["WorkGroupConfiguration"];
    assert!(names(
        &wg["BytesScannedCutoffPerQuery"],
        "QueryBytesScannedCutoff"
    ));
    assert_eq!(wg["EnforceWorkGroupConfiguration"].as_bool(), Some(false));
}

/// Each API function is given what its route's service calls (the route's
/// `needs`): its `main` names the parts (and so links only their SDK clients),
/// the template gives each named part its variables, and the engine is linked
/// into exactly the functions whose route calls it. A function short of one
/// would stop at cold start.
#[test]
fn every_api_function_is_given_the_parts_its_route_needs() {
    use sluice_app::routes::Part;
    let t = template();
    for route in routes::on_lambda() {
        let (_, f) = function(&t, route.name);
        let vars = &f["Properties"]["Environment"]["Variables"];
        let dir = root().join("functions").join(route.name);
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
        let main = std::fs::read_to_string(dir.join("src/main.rs")).expect("main.rs");
        let constant = route.name["api-".len()..].to_uppercase().replace('-', "_");
        assert!(
            main.contains(&format!("&routes::{constant},")),
            "{} serves routes::{constant}",
            route.name
        );
        let named: Vec<&sluice_lambda::PartSpec> = sluice_lambda::parts::ALL
            .iter()
            .filter(|p| main.contains(&format!("parts::{}", p.name)))
            .collect();
        for part in &named {
            for var in part.variables {
                assert!(
                    !vars[*var].is_null(),
                    "{} names parts::{} but its template gives no {var}",
                    route.name,
                    part.name
                );
            }
        }
        for part in route.needs() {
            let given = match part {
                Part::Queue => named.iter().any(|p| p.name == "queue"),
                Part::Objects => named.iter().any(|p| p.name == "objects"),
                Part::Warehouse => named.iter().any(|p| p.name == "warehouse"),
                Part::Connections => {
                    manifest.contains("\"connections\"") && main.contains("parts::connections")
                }
                // No Lambda function serves such a route (on_lambda).
                Part::Events => false,
                Part::Engine => {
                    // The engine function, over Lambda Invoke: its name, and the
                    // right to invoke it.
                    let spec = &sluice_lambda::parts::ENGINE;
                    let invokes = allowed_actions(route.name, &f["Properties"]["Policies"])
                        .iter()
                        .any(|a| a == "lambda:InvokeFunction");
                    manifest.contains("engine-client")
                        && main.contains("parts::engine")
                        && spec.variables.iter().all(|v| !vars[*v].is_null())
                        && invokes
                }
            };
            assert!(given, "{} needs {part:?}", route.name);
        }
        // No route links the engine: it is the engine function's.
        assert!(
            !manifest.contains("sluice-runs"),
            "{} links the engine; it should invoke the engine function",
            route.name
        );
    }
}

/// A connector whose sources may sign in with an OAuth 2.0 refresh token
/// writes the renewed tokens back to the source's secret: its extraction
/// function and the engine (which tests and discovers sources) may put a
/// secret version; no other extraction function may.
#[test]
fn only_connectors_that_renew_tokens_may_write_secrets() {
    use sluice_domain::connectors::rest::Auth;
    let t = template();
    for c in sluice_domain::connectors::registry() {
        let renews = c
            .rest
            .is_some_and(|r| r.auth.contains(&Auth::OAuthRefreshToken));
        let (_, f) = function(&t, &c.function());
        let actions = allowed_actions(&c.function(), &f["Properties"]["Policies"]);
        assert_eq!(
            actions.iter().any(|a| a == "secretsmanager:PutSecretValue"),
            renews,
            "{}: writes secrets only if it renews tokens",
            c.function()
        );
    }
    let (_, engine) = function(&t, "engine");
    assert!(
        allowed_actions("engine", &engine["Properties"]["Policies"])
            .iter()
            .any(|a| a == "secretsmanager:PutSecretValue"),
        "the engine keeps tokens a source test renews"
    );
}

/// The health check reads the table in its own partition only (one key, never
/// written) and Secrets Manager under `sluice/health` only: a public route
/// that reaches nothing of a project.
#[test]
fn the_health_check_reads_only_its_own_partition_and_secret_name() {
    let t = template();
    let (_, f) = function(&t, "api-health");
    let statements: Vec<&Value> = statements(f);
    let partition =
        sluice_domain::ports::keys::partition(&sluice_domain::entities::health_partition());
    let table: Vec<&&Value> = statements
        .iter()
        .filter(|s| yaml_text(&s["Action"]).contains("dynamodb:"))
        .collect();
    assert_eq!(table.len(), 1, "one statement on the table");
    assert_eq!(yaml_text(&table[0]["Action"]).trim(), "- dynamodb:GetItem");
    let keys = &table[0]["Condition"]["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"];
    assert_eq!(
        keys.as_sequence()
            .map(|k| k.iter().filter_map(Value::as_str).collect::<Vec<_>>()),
        Some(vec![partition.as_str()]),
        "the health partition only"
    );
    let secrets: Vec<String> = statements
        .iter()
        .filter(|s| yaml_text(&s["Action"]).contains("secretsmanager:"))
        .flat_map(|s| resources_of(s))
        .collect();
    let probe = format!("secret:{}*", sluice_app::services::health::PROBE_SECRET);
    assert!(secrets.iter().any(|r| r.contains(&probe)), "{secrets:?}");
    assert!(
        secrets
            .iter()
            .all(|r| r.contains("TokenSigningKey") || r.contains("sluice/health")),
        "nothing else: {secrets:?}"
    );
}

/// Every route that writes leaves an audit entry in the caller's project: its
/// function may put an item in the table beyond the identity partition.
#[test]
fn every_route_that_writes_may_put_its_audit_entry() {
    let t = template();
    for route in routes::on_lambda() {
        let (_, f) = function(&t, route.name);
        let actions = allowed_actions(route.name, &f["Properties"]["Policies"]);
        let puts = actions.iter().any(|a| a == "dynamodb:PutItem");
        if route.writes() {
            assert!(puts, "{} writes, so it puts its audit entry", route.name);
        }
    }
}

/// The operator's alarms: every dead-letter queue raises one as soon as it
/// holds a message, and the scheduler tick raises one when it has not run for
/// three minutes; each goes to the alarm topic, and back when it clears.
#[test]
fn every_dead_letter_queue_and_the_scheduler_tick_have_an_alarm() {
    let t = template();
    let resources = t["Resources"].as_mapping().expect("Resources");
    let alarms: Vec<&Value> = resources
        .values()
        .filter(|r| r["Type"].as_str() == Some("AWS::CloudWatch::Alarm"))
        .collect();
    let topic = "!Ref AlarmTopic";
    for a in &alarms {
        let p = &a["Properties"];
        assert_eq!(yaml_text(&p["AlarmActions"][0]), topic, "{p:?}");
        assert_eq!(yaml_text(&p["OKActions"][0]), topic, "{p:?}");
    }
    let mut dlqs = 0;
    for (name, r) in resources {
        let name = name.as_str().expect("a logical id");
        if r["Type"].as_str() != Some("AWS::SQS::Queue") || !name.ends_with("Dlq") {
            continue;
        }
        dlqs += 1;
        let watched = alarms.iter().any(|a| {
            let p = &a["Properties"];
            p["Namespace"].as_str() == Some("AWS/SQS")
                && p["MetricName"].as_str() == Some("ApproximateNumberOfMessagesVisible")
                && yaml_text(&p["Dimensions"][0]["Value"]) == format!("!GetAtt {name}.QueueName")
                && p["Threshold"].as_f64() == Some(0.0)
                && p["ComparisonOperator"].as_str() == Some("GreaterThanThreshold")
        });
        assert!(watched, "{name} has no alarm on a message in it");
    }
    assert!(
        dlqs >= 18,
        "the stage queues' and the reaction's DLQs: {dlqs}"
    );
    let tick = alarms.iter().any(|a| {
        let p = &a["Properties"];
        p["Namespace"].as_str() == Some("AWS/Lambda")
            && p["MetricName"].as_str() == Some("Invocations")
            && yaml_text(&p["Dimensions"][0]["Value"]) == "!Ref SchedulerTick"
            && p["ComparisonOperator"].as_str() == Some("LessThanThreshold")
            && p["TreatMissingData"].as_str() == Some("breaching")
    });
    assert!(tick, "the scheduler tick has no alarm for a late tick");
}

/// The HTTP API sends every route that takes a credential through the Lambda
/// authorizer (its default), payload 2.0 with simple responses, its answer
/// cached per `Authorization` header; every public route opts out.
#[test]
fn every_route_with_a_credential_goes_through_the_authorizer_and_no_public_one_does() {
    let t = template();
    let auth = &t["Resources"]["HttpApi"]["Properties"]["Auth"];
    let default = auth["DefaultAuthorizer"]
        .as_str()
        .expect("the HTTP API has a default authorizer");
    let authorizer = &auth["Authorizers"][default];
    let (logical_id, _) = function(&t, "authorizer");
    assert!(
        names(&authorizer["FunctionArn"], &logical_id),
        "{default} is the authorizer function: {:?}",
        authorizer["FunctionArn"]
    );
    assert_eq!(
        yaml_text(&authorizer["AuthorizerPayloadFormatVersion"]).trim_matches(['"', '\'']),
        "2.0"
    );
    assert_eq!(authorizer["EnableSimpleResponses"].as_bool(), Some(true));
    // API Gateway may invoke it: SAM adds the permission.
    assert_eq!(
        authorizer["EnableFunctionDefaultPermissions"].as_bool(),
        Some(true)
    );
    let identity = &authorizer["Identity"];
    assert_eq!(
        yaml_text(&identity["Headers"]),
        "- Authorization",
        "the answer is cached per credential"
    );
    let ttl = identity["ReauthorizeEvery"].as_u64().expect("a cache time");
    assert!(
        (1..=300).contains(&ttl),
        "a revoked credential works at most {ttl} s more"
    );

    let mut public = BTreeSet::new();
    for (_, r) in t["Resources"].as_mapping().expect("Resources") {
        let Some(route) = r["Metadata"]["SluiceFunction"]
            .as_str()
            .and_then(routes::by_name)
        else {
            continue;
        };
        let event = &r["Properties"]["Events"]["Route"]["Properties"];
        assert!(
            names(&event["ApiId"], "HttpApi"),
            "{}: on the HTTP API",
            route.name
        );
        let chosen = event["Auth"]["Authorizer"].as_str();
        if route.role.is_none() {
            assert_eq!(chosen, Some("NONE"), "{} is public", route.name);
            public.insert(route.name);
        } else {
            assert!(
                chosen.is_none() || chosen == Some(default),
                "{} takes a credential: the authorizer, not {chosen:?}",
                route.name
            );
        }
    }
    let expected: BTreeSet<&str> = routes::on_lambda()
        .filter(|r| r.role.is_none())
        .map(|r| r.name)
        .collect();
    assert_eq!(public, expected, "every public route is in the template");
}

/// The authorizer reads the token key and, in the identity partition only,
/// sessions, users, memberships, custom roles and API keys (writing an API
/// key's last use there): nothing of a project, nothing else.
#[test]
fn the_authorizer_reaches_the_token_key_and_the_identity_partition_only() {
    let t = template();
    let (_, f) = function(&t, "authorizer");
    let p = &f["Properties"];
    assert!(
        p["Events"].as_mapping().is_none_or(|e| e.is_empty()),
        "API Gateway invokes it; no event source"
    );
    let statements = statements(f);
    assert_eq!(statements.len(), 2, "{statements:?}");
    for s in &statements {
        assert_eq!(s["Effect"].as_str(), Some("Allow"));
        assert!(s["NotAction"].is_null() && s["NotResource"].is_null());
    }
    let credential: Vec<&&Value> = statements
        .iter()
        .filter(|s| is_credential_statement(s))
        .collect();
    assert_eq!(
        credential.len(),
        1,
        "one statement on the identity partition"
    );
    assert_eq!(
        yaml_text(&credential[0]["Action"]),
        "- dynamodb:GetItem\n- dynamodb:PutItem"
    );
    assert_eq!(
        yaml_text(&credential[0]["Resource"]),
        "!GetAtt MetadataTable.Arn",
        "the table, no index"
    );
    let actions = allowed_actions("authorizer", &p["Policies"]);
    assert_eq!(actions, ["secretsmanager:GetSecretValue"]);
    let secrets: Vec<String> = statements
        .iter()
        .filter(|s| yaml_text(&s["Action"]).contains("secretsmanager:"))
        .flat_map(|s| resources_of(s))
        .collect();
    assert_eq!(secrets, ["!Ref TokenSigningKey"]);
    // The variables every API function reads at cold start (the globals).
    let globals = &t["Globals"]["Function"]["Environment"]["Variables"];
    for var in ["SLUICE_TABLE", "SLUICE_TOKEN_KEY_SECRET"] {
        assert!(
            !globals[var].is_null() || !p["Environment"]["Variables"][var].is_null(),
            "the authorizer needs {var}"
        );
    }
}

/// Whether CloudFront's `pattern` (`*` any run of characters) takes `path`.
fn cloudfront_matches(pattern: &str, path: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts.split_first().expect("a pattern");
    let Some(mut left) = path.strip_prefix(first) else {
        return false;
    };
    for (i, part) in rest.iter().enumerate() {
        if i == rest.len() - 1 {
            return left.ends_with(part);
        }
        match left.find(part) {
            Some(at) => left = &left[at + part.len()..],
            None => return false,
        }
    }
    left.is_empty()
}

/// The managed cache policy that caches nothing, and the origin request policy that
/// passes every viewer header but Host (Authorization too) to API Gateway.
const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
const ALL_VIEWER_EXCEPT_HOST: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

#[test]
fn the_console_is_served_from_a_private_bucket_with_the_api_on_its_own_origin() {
    let t = template();
    let r = &t["Resources"];
    // The bucket: private, readable only by this distribution.
    let bucket = &r["ConsoleBucket"]["Properties"];
    for flag in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(
            bucket["PublicAccessBlockConfiguration"][flag].as_bool(),
            Some(true),
            "{flag}"
        );
    }
    let policy = &r["ConsoleBucketPolicy"]["Properties"];
    assert!(names(&policy["Bucket"], "ConsoleBucket"));
    let statements = policy["PolicyDocument"]["Statement"]
        .as_sequence()
        .expect("statements");
    let allows: Vec<&Value> = statements
        .iter()
        .filter(|s| s["Effect"].as_str() == Some("Allow"))
        .collect();
    assert_eq!(allows.len(), 1, "one reader");
    let read = allows[0];
    assert_eq!(
        read["Principal"]["Service"].as_str(),
        Some("cloudfront.amazonaws.com")
    );
    assert!(
        names(
            &read["Condition"]["StringEquals"]["AWS:SourceArn"],
            "ConsoleDistribution"
        ),
        "only this distribution: {}",
        yaml_text(&read["Condition"])
    );
    let actions: Vec<&str> = read["Action"]
        .as_sequence()
        .expect("actions")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(actions, ["s3:GetObject", "s3:ListBucket"], "it only reads");

    // The distribution: the bucket by default, through the origin access control.
    let config = &r["ConsoleDistribution"]["Properties"]["DistributionConfig"];
    let origins = config["Origins"].as_sequence().expect("origins");
    let origin = |id: &str| {
        origins
            .iter()
            .find(|o| o["Id"].as_str() == Some(id))
            .unwrap_or_else(|| panic!("origin {id}"))
    };
    let s3 = origin("console");
    assert!(names(&s3["DomainName"], "ConsoleBucket"));
    assert!(names(
        &s3["OriginAccessControlId"],
        "ConsoleOriginAccessControl"
    ));
    assert_eq!(
        s3["S3OriginConfig"]["OriginAccessIdentity"].as_str(),
        Some("")
    );
    let oac = &r["ConsoleOriginAccessControl"]["Properties"]["OriginAccessControlConfig"];
    assert_eq!(oac["SigningBehavior"].as_str(), Some("always"));
    assert_eq!(oac["OriginAccessControlOriginType"].as_str(), Some("s3"));
    let api = origin("api");
    assert!(names(&api["DomainName"], "HttpApi"), "the HTTP API");
    assert_eq!(
        api["CustomOriginConfig"]["OriginProtocolPolicy"].as_str(),
        Some("https-only")
    );
    let default = &config["DefaultCacheBehavior"];
    assert_eq!(default["TargetOriginId"].as_str(), Some("console"));
    assert_eq!(
        default["ViewerProtocolPolicy"].as_str(),
        Some("redirect-to-https")
    );
    assert!(names(&default["ResponseHeadersPolicyId"], "ConsoleHeaders"));
    let functions = default["FunctionAssociations"]
        .as_sequence()
        .expect("the route rewrite");
    assert_eq!(functions.len(), 1);
    assert_eq!(functions[0]["EventType"].as_str(), Some("viewer-request"));
    assert!(names(&functions[0]["FunctionARN"], "ConsoleRoutes"));
    // An error page would answer the API's own 404s and 403s with the app.
    assert!(
        config["CustomErrorResponses"].is_null(),
        "no error pages on the distribution"
    );

    // Every route reaches the API through the distribution, uncached, with its
    // credential, and by its method.
    let behaviors = config["CacheBehaviors"].as_sequence().expect("behaviors");
    for route in routes::all() {
        let path = route.path.replace("{path+}", "x/y").replace(['{', '}'], "");
        let b = behaviors
            .iter()
            .find(|b| cloudfront_matches(b["PathPattern"].as_str().unwrap_or_default(), &path))
            .unwrap_or_else(|| {
                panic!("no behavior takes {} {}", route.method.as_str(), route.path)
            });
        assert_eq!(b["TargetOriginId"].as_str(), Some("api"), "{}", route.path);
        assert_eq!(
            b["CachePolicyId"].as_str(),
            Some(CACHING_DISABLED),
            "{}",
            route.path
        );
        assert_eq!(
            b["OriginRequestPolicyId"].as_str(),
            Some(ALL_VIEWER_EXCEPT_HOST),
            "{}",
            route.path
        );
        let methods: Vec<&str> = b["AllowedMethods"]
            .as_sequence()
            .expect("methods")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            methods.contains(&route.method.as_str()),
            "{} {} is let through",
            route.method.as_str(),
            route.path
        );
    }
    // And the app's own paths are not the API's.
    for app_path in [
        "/data-marts/dm_1/sql",
        "/reports/new",
        "/assets/index-abc.js",
        "/",
    ] {
        assert!(
            !behaviors.iter().any(|b| cloudfront_matches(
                b["PathPattern"].as_str().unwrap_or_default(),
                app_path
            )),
            "{app_path} is the console's"
        );
    }

    // The console's headers: its own scripts, its API on its origin, the run
    // bucket's signed links, the WebSocket API's live run views, no framing.
    let csp = yaml_text(
        &r["ConsoleHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
            ["ContentSecurityPolicy"]["ContentSecurityPolicy"],
    );
    for directive in [
        "script-src 'self';",
        "default-src 'self';",
        "connect-src 'self' https://${RunBucket.RegionalDomainName} wss://${WebSocketApi}.execute-api.${AWS::Region}.${AWS::URLSuffix};",
        "frame-ancestors 'none'",
        "object-src 'none';",
    ] {
        assert!(csp.contains(directive), "{directive} in {csp}");
    }

    // The origin connect-src allows is the one the stack gives the console.
    let live = yaml_text(&t["Outputs"]["WebSocketUrl"]["Value"]);
    let (start, end) = (
        live.find("wss://").expect("a wss URL"),
        live.rfind("/live").expect("the stage's path"),
    );
    let origin = &live[start..end];
    assert!(
        csp.contains(&format!("{origin};")),
        "{origin} (of {live}) in {csp}"
    );

    // What deploy-console.sh reads from the stack is what the stack says, the
    // WebSocket API's URL written to the console's /config.json, never cached.
    let script = std::fs::read_to_string(root().join("scripts/deploy-console.sh"))
        .expect("scripts/deploy-console.sh");
    assert!(script.contains("config.json") && script.contains("live_url"));
    for output in ["ConsoleBucketName", "ConsoleDistributionId", "WebSocketUrl"] {
        assert!(
            !t["Outputs"][output]["Value"].is_null(),
            "the stack outputs {output}"
        );
        assert!(script.contains(output), "the script reads {output}");
    }
    assert!(script.contains("max-age=31536000, immutable"));
    assert!(script.contains("--cache-control \"no-cache\""));
}

#[test]
fn the_console_s_route_rewrite_serves_the_app_for_its_paths_and_files_as_themselves() {
    let code = console_routes_code();
    let script = format!(
        "{code}\nfor (const uri of process.argv.slice(1)) console.log(handler({{request: {{uri}}}}).uri);"
    );
    let out = std::process::Command::new("node")
        .args([
            "-e",
            &script,
            "/",
            "/data-marts",
            "/data-marts/dm_01JD0000000000000000000001/sql",
            "/reports/new",
            "/assets/index-Bq3x.js",
            "/favicon.svg",
            "/config.json",
        ])
        .output()
        .expect("node runs (the console's build needs it too)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let uris: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(
        uris,
        [
            "/index.html",
            "/index.html",
            "/index.html",
            "/index.html",
            "/assets/index-Bq3x.js",
            "/favicon.svg",
            "/config.json"
        ]
    );
}

fn console_routes_code() -> String {
    template()["Resources"]["ConsoleRoutes"]["Properties"]["FunctionCode"]
        .as_str()
        .expect("the function's code")
        .to_string()
}

/// Live run views on AWS: the WebSocket API's `$connect` and `$disconnect`
/// reach their functions (and only API Gateway may invoke them), `ws-push`
/// runs on every run event that changes what a view shows, may post only to
/// this API's connections, and the connection records stay in partitions of
/// their own.
#[test]
fn live_run_views_run_on_a_websocket_api_fed_from_the_run_event_bus() {
    let t = template();
    let r = &t["Resources"];
    assert_eq!(
        r["WebSocketApi"]["Properties"]["ProtocolType"].as_str(),
        Some("WEBSOCKET")
    );
    for (route, function) in [("$connect", "WsConnect"), ("$disconnect", "WsDisconnect")] {
        let (logical, _) = r
            .as_mapping()
            .expect("Resources")
            .iter()
            .find(|(_, v)| {
                v["Type"].as_str() == Some("AWS::ApiGatewayV2::Route")
                    && v["Properties"]["RouteKey"].as_str() == Some(route)
            })
            .unwrap_or_else(|| panic!("a {route} route"));
        let target = yaml_text(&r[logical.as_str().expect("id")]["Properties"]["Target"]);
        let integration = target
            .split("${")
            .nth(1)
            .and_then(|s| s.split('}').next())
            .expect("the route's integration");
        let uri = yaml_text(&r[integration]["Properties"]["IntegrationUri"]);
        assert!(
            uri.contains(&format!("${{{function}.Arn}}")),
            "{route} → {function}: {uri}"
        );
        let permission = r
            .as_mapping()
            .expect("Resources")
            .values()
            .find(|v| {
                v["Type"].as_str() == Some("AWS::Lambda::Permission")
                    && names(&v["Properties"]["FunctionName"], function)
            })
            .unwrap_or_else(|| panic!("API Gateway may invoke {function}"));
        assert_eq!(
            permission["Properties"]["Principal"].as_str(),
            Some("apigateway.amazonaws.com")
        );
        assert!(yaml_text(&permission["Properties"]["SourceArn"]).contains(route));
    }
    let rules = rules_invoking(&t, "ws-push");
    assert_eq!(rules.len(), 1, "{rules:?}");
    assert!(names(&rules[0].bus, "RunEventBus"));
    let kinds: BTreeSet<String> = rules[0].pattern["detail-type"]
        .as_sequence()
        .expect("kinds")
        .iter()
        .filter_map(|k| k.as_str().map(str::to_string))
        .collect();
    for kind in [
        RunEventKind::RunQueued,
        RunEventKind::RunStarted,
        RunEventKind::RunProgressed,
        RunEventKind::RunPaused,
        RunEventKind::RunResumed,
        RunEventKind::RunSucceeded,
        RunEventKind::RunFailed,
    ] {
        assert!(kinds.contains(kind.as_str()), "ws-push hears {kind:?}");
    }
    let (_, push) = function(&t, "ws-push");
    let manage: Vec<&Value> = statements(push)
        .into_iter()
        .filter(|s| yaml_text(&s["Action"]).contains("execute-api:ManageConnections"))
        .collect();
    assert_eq!(manage.len(), 1);
    assert!(yaml_text(&manage[0]["Resource"]).contains("${WebSocketApi}/live/POST/@connections/*"));
    // Writes of connections stay in their partitions; no WebSocket function
    // writes a project's records.
    for name in WEBSOCKET {
        let (_, f) = function(&t, name);
        for s in statements(f) {
            let actions = yaml_text(&s["Action"]);
            if actions.contains("PutItem") || actions.contains("DeleteItem") {
                let keys = yaml_text(&s["Condition"]);
                assert!(
                    keys.contains("WS#*") || keys.contains("P#prj_2PP8YSTQQFHHP9B0CPMPM5T2DE"),
                    "{name} writes outside the connection partitions: {actions} {keys}"
                );
            }
        }
    }
}

#[test]
fn deploy_console_writes_the_stack_s_websocket_url_as_the_console_s_runtime_config() {
    // The script against a stand-in `aws` that answers the stack's outputs and
    // keeps what is uploaded, with a build it uploads as it is.
    let dir = std::env::temp_dir().join(format!("sluice-deploy-console-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (bin, dist, got) = (dir.join("bin"), dir.join("dist"), dir.join("got"));
    for d in [&bin, &dist.join("assets"), &got] {
        std::fs::create_dir_all(d).expect("a temporary directory");
    }
    std::fs::write(dist.join("index.html"), "<!doctype html>").expect("index.html");
    std::fs::write(dist.join("assets/index-abc.js"), "").expect("an asset");
    let aws = bin.join("aws");
    std::fs::write(
        &aws,
        r#"#!/usr/bin/env bash
echo "$*" >> "$GOT/calls"
case "$1 $2" in
  "cloudformation describe-stacks")
    case "$*" in
      *ConsoleBucketName*) echo console-bucket ;;
      *ConsoleDistributionId*) echo E123 ;;
      *WebSocketUrl*) echo wss://abc123.execute-api.eu-west-1.amazonaws.com/live ;;
    esac ;;
  "s3 cp") [[ "$4" == */config.json ]] && cp "$3" "$GOT/config.json" ;;
esac
exit 0
"#,
    )
    .expect("the stand-in aws");
    std::fs::set_permissions(&aws, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("the stand-in aws runs");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("bash")
        .arg(root().join("scripts/deploy-console.sh"))
        .arg("sluice-test")
        .env("PATH", path)
        .env("GOT", &got)
        .env("SLUICE_CONSOLE_DIST", &dist)
        .output()
        .expect("bash runs the script");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = std::fs::read_to_string(got.join("config.json")).expect("config.json uploaded");
    let config: serde_json::Value = serde_json::from_str(&config).expect("config.json is JSON");
    assert_eq!(
        config,
        serde_json::json!({"live_url": "wss://abc123.execute-api.eu-west-1.amazonaws.com/live"})
    );
    let calls = std::fs::read_to_string(got.join("calls")).expect("the calls");
    let upload = calls
        .lines()
        .position(|l| l.starts_with("s3 cp") && l.contains("s3://console-bucket/config.json"))
        .expect("config.json uploaded to the bucket");
    let page = calls
        .lines()
        .position(|l| l.starts_with("s3 cp") && l.contains("index.html"))
        .expect("index.html uploaded");
    assert!(
        upload < page,
        "config.json before the page that reads it: {calls}"
    );
    let line = calls.lines().nth(upload).unwrap_or_default();
    assert!(
        line.contains("--cache-control no-cache")
            && line.contains("--content-type application/json"),
        "{line}"
    );
    assert!(
        calls.contains("/config.json --query Invalidation.Id"),
        "{calls}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
