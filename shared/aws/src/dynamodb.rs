//! DynamoDB metadata store: every record is one item of a single table, keyed by its
//! project, kind and id. `sluice-local`'s SQLite store mirrors this design.
//!
//! Item layout:
//!
//! | attribute | type | value | present |
//! | --- | --- | --- | --- |
//! | `pk` | S | `P#{project}` | always (table partition key) |
//! | `sk` | S | `{KIND}#{id}` (`Kind::key_prefix`) | always (table sort key) |
//! | `version` | N | starts at 1, +1 per write | always |
//! | `deleted` | BOOL | soft delete | always |
//! | `body` | S | the entity as JSON | always |
//! | `gsi1pk` | S | `P#{project}#{KIND}#{parent}` | only with a parent (sparse index `gsi1`) |
//! | `gsi1sk` | S | same as `sk` | only with a parent |
//! | `gsi2pk` | S | `DUE` | only with `due_at` (sparse index `gsi2`) |
//! | `due_at` | N | unix milliseconds | only with `due_at` |
//!
//! Access patterns, each served by a key or an index (no Scan anywhere):
//!
//! | access pattern | served by |
//! | --- | --- |
//! | get a record by project, kind, id | GetItem `pk, sk`, consistent read |
//! | insert if absent | PutItem, condition `attribute_not_exists(pk)` → `AlreadyExists` |
//! | replace if unchanged | PutItem (whole item), condition `version = :old` → `VersionConflict` |
//! | list a kind's live records, newest first | Query table: `pk = P#{project} AND sk BETWEEN {KIND}# AND {KIND}$` (upper bound: the cursor's `sk`, itself skipped), descending, filter `deleted = false`, consistent read |
//! | list a parent's live records of a kind, newest first | Query `gsi1`: `gsi1pk = P#{project}#{KIND}#{parent}` (`AND gsi1sk < {KIND}#{after}` after a cursor), descending, filter `deleted = false`; eventually consistent, as every GSI |
//! | find what is due (scheduler), all projects, earliest first | Query `gsi2`: `gsi2pk = DUE AND due_at <= :now`, ascending, from the cursor's `(gsi2pk, due_at, pk, sk)`; eventually consistent (the scheduler reads each found record again) |
//!
//! Request budgets (`RequestCounter`) count in items of their own partition,
//! `pk` = `RATE#{caller}`, `sk` = `W#{window start}`: UpdateItem `ADD hits :1`
//! (atomic across every function), `ttl` = the window's end plus a window, so
//! the table's time to live removes old windows. A function's grant reaches
//! these items only (`dynamodb:LeadingKeys` `RATE#*`).
//!
//! Ids are time-sortable, so descending sort keys are newest first. The `deleted`
//! filter runs after the read: listing keeps querying until it holds one live record
//! more than the page, so `Page::next` is set exactly when more live records exist.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters as _;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, ScalarAttributeType,
};
use sluice_domain::ports::keys::{parent as parent_key, partition as pk, sort as sk};
use sluice_domain::ports::{
    DueQuery, ListQuery, Page, Record, RecordDue, RecordGet, RecordList, RecordPut, RequestCounter,
    StoreError,
};
use sluice_domain::{Id, Kind};
use tracing::instrument;

use crate::error::Error;

/// Index listing a parent's records of one kind: `gsi1pk` / `gsi1sk`.
pub const PARENT_INDEX: &str = "gsi1";
/// Index of due records, for the scheduler: `gsi2pk` (always `DUE`) / `due_at`.
pub const DUE_INDEX: &str = "gsi2";
/// The single `gsi2pk` value.
pub const DUE_PARTITION: &str = "DUE";

/// The table's attributes that keys use, with their DynamoDB types; [`create_table`]
/// and `infra/template.yaml` both declare exactly these (a test compares them).
pub const KEY_ATTRIBUTES: [(&str, &str); 6] = [
    ("pk", "S"),
    ("sk", "S"),
    ("gsi1pk", "S"),
    ("gsi1sk", "S"),
    ("gsi2pk", "S"),
    ("due_at", "N"),
];
/// The global secondary indexes: (name, partition key, sort key), all projecting
/// every attribute.
pub const INDEXES: [(&str, &str, &str); 2] = [
    (PARENT_INDEX, "gsi1pk", "gsi1sk"),
    (DUE_INDEX, "gsi2pk", "due_at"),
];

/// How long [`create_table`] waits for a new table to become active.
const TABLE_ACTIVE_TIMEOUT: Duration = Duration::from_secs(300);

/// The metadata store on one DynamoDB table made by [`create_table`].
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table.into(),
        }
    }

    /// A store with its own client, built from `config` (a Lambda function's: `sluice_lambda::sdk_config`).
    pub fn from_sdk_config(config: &aws_config::SdkConfig, table: impl Into<String>) -> Self {
        DynamoStore::new(Client::new(config), table)
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

/// The whole item of `r`; attributes of absent optional fields are left out, so a
/// PutItem also drops them from the index they fed.
fn to_item(r: &Record) -> HashMap<String, AttributeValue> {
    let sort_key = sk(r.kind, &r.id);
    let mut item = HashMap::from([
        ("pk".to_string(), s(pk(&r.project))),
        ("sk".to_string(), s(sort_key.clone())),
        (
            "version".to_string(),
            AttributeValue::N(r.version.to_string()),
        ),
        ("deleted".to_string(), AttributeValue::Bool(r.deleted)),
        ("body".to_string(), s(r.body.clone())),
    ]);
    if let Some(parent) = &r.parent {
        item.insert("gsi1pk".into(), s(parent_key(&r.project, r.kind, parent)));
        item.insert("gsi1sk".into(), s(sort_key));
    }
    if let Some(due_at) = r.due_at {
        item.insert("gsi2pk".into(), s(DUE_PARTITION));
        item.insert("due_at".into(), AttributeValue::N(due_at.to_string()));
    }
    item
}

fn malformed(item: &HashMap<String, AttributeValue>, what: &str) -> StoreError {
    let key = item
        .get("sk")
        .and_then(|v| v.as_s().ok())
        .map_or("?", String::as_str);
    StoreError::backend(format!(
        "malformed item `{key}` in the metadata table: {what}"
    ))
}

fn from_item(
    project: &Id,
    kind: Kind,
    item: &HashMap<String, AttributeValue>,
) -> Result<Record, StoreError> {
    let str_attr = |name: &str| item.get(name).and_then(|v| v.as_s().ok());
    let num_attr = |name: &str| item.get(name).and_then(|v| v.as_n().ok());
    let id = str_attr("sk")
        .and_then(|sk| sk.split_once('#'))
        .and_then(|(_, id)| Id::parse(kind, id))
        .ok_or_else(|| malformed(item, "no id of the expected kind in `sk`"))?;
    let version = num_attr("version")
        .and_then(|n| n.parse::<u64>().ok())
        .ok_or_else(|| malformed(item, "`version` is not a number"))?;
    let deleted = *item
        .get("deleted")
        .and_then(|v| v.as_bool().ok())
        .ok_or_else(|| malformed(item, "`deleted` is not a boolean"))?;
    let body = str_attr("body")
        .ok_or_else(|| malformed(item, "`body` is missing"))?
        .clone();
    let parent = match str_attr("gsi1pk") {
        None => None,
        Some(key) => {
            let parent = key
                .rsplit('#')
                .next()
                .and_then(|id| Id::kind_of(id).and_then(|k| Id::parse(k, id)));
            Some(parent.ok_or_else(|| malformed(item, "no parent id in `gsi1pk`"))?)
        }
    };
    let due_at = match num_attr("due_at") {
        None => None,
        Some(n) => Some(
            n.parse::<i64>()
                .map_err(|_| malformed(item, "`due_at` is not an integer"))?,
        ),
    };
    Ok(Record {
        project: project.clone(),
        kind,
        id,
        parent,
        version,
        deleted,
        due_at,
        body,
    })
}

/// An SDK error as a store error, with the SDK's whole context (service code,
/// message, request id) in the message.
fn backend(operation: &str, table: &str, e: impl std::error::Error) -> StoreError {
    StoreError::backend(format!(
        "DynamoDB {operation} on table `{table}`: {}",
        DisplayErrorContext(e)
    ))
}

/// The partition of a caller's request counts.
pub const RATE_PREFIX: &str = "RATE#";
/// The attribute the table's time to live reads (unix seconds).
pub const TTL_ATTRIBUTE: &str = "ttl";

#[async_trait]
impl RequestCounter for DynamoStore {
    async fn hit(
        &self,
        caller: &str,
        window_start: i64,
        window_seconds: i64,
    ) -> Result<u64, StoreError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(format!("{RATE_PREFIX}{caller}")))
            .key("sk", AttributeValue::S(format!("W#{window_start}")))
            .update_expression("ADD hits :one SET #ttl = :ttl")
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(
                ":ttl",
                AttributeValue::N((window_start + 2 * window_seconds).to_string()),
            )
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| backend("UpdateItem", &self.table, e))?;
        out.attributes()
            .and_then(|a| a.get("hits"))
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or_else(|| {
                StoreError::backend(format!(
                    "DynamoDB UpdateItem on table `{}` returned no count",
                    self.table
                ))
            })
    }
}

#[async_trait]
impl RecordGet for DynamoStore {
    #[instrument(level = "debug", skip_all, fields(table = %self.table, %project, ?kind, %id))]
    async fn get(&self, project: &Id, kind: Kind, id: &Id) -> Result<Option<Record>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(pk(project)))
            .key("sk", s(sk(kind, id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| backend("GetItem", &self.table, e))?;
        out.item()
            .map(|item| from_item(project, kind, item))
            .transpose()
    }
}

impl DynamoStore {
    /// Writes `r` whole if `condition` holds; a failed condition is `refused`.
    async fn put_if(
        &self,
        r: &Record,
        condition: &str,
        old_version: Option<u64>,
        refused: StoreError,
    ) -> Result<(), StoreError> {
        let res =
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(to_item(r)))
                .condition_expression(condition)
                .set_expression_attribute_values(old_version.map(|v| {
                    HashMap::from([(":old".to_string(), AttributeValue::N(v.to_string()))])
                }))
                .send()
                .await;
        match res {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Err(refused)
            }
            Err(e) => Err(backend("PutItem", &self.table, e)),
        }
    }
}

#[async_trait]
impl RecordPut for DynamoStore {
    #[instrument(level = "debug", skip_all, fields(table = %self.table, project = %r.project, kind = ?r.kind, id = %r.id))]
    async fn insert(&self, r: &Record) -> Result<(), StoreError> {
        self.put_if(
            r,
            "attribute_not_exists(pk)",
            None,
            StoreError::AlreadyExists,
        )
        .await
    }

    #[instrument(level = "debug", skip_all, fields(table = %self.table, project = %r.project, kind = ?r.kind, id = %r.id, version = r.version))]
    async fn replace(&self, r: &Record) -> Result<(), StoreError> {
        // Version 0 has no predecessor a stored record could be at.
        let Some(old) = r.version.checked_sub(1) else {
            return Err(StoreError::VersionConflict);
        };
        // False on a missing item too: replacing never creates.
        self.put_if(r, "version = :old", Some(old), StoreError::VersionConflict)
            .await
    }
}

#[async_trait]
impl RecordList for DynamoStore {
    #[instrument(level = "debug", skip_all, fields(table = %self.table, project = %q.project, kind = ?q.kind, parent = ?q.parent, after = ?q.after, limit = q.limit))]
    async fn list(&self, q: &ListQuery) -> Result<Page, StoreError> {
        let limit = q.limit.clamp(1, 1000) as usize;
        // One more than the page: its presence is what says a next page exists.
        let wanted = limit + 1;
        let cursor = q.after.as_ref().map(|after| sk(q.kind, after));
        let mut records: Vec<Record> = Vec::with_capacity(wanted);
        let mut start_key = None;
        loop {
            let query = self
                .client
                .query()
                .table_name(&self.table)
                .scan_index_forward(false)
                .filter_expression("deleted = :live")
                .expression_attribute_values(":live", AttributeValue::Bool(false))
                .set_exclusive_start_key(start_key.take())
                // Read no more than still needed, plus the cursor's own item (skipped).
                .limit((wanted - records.len() + 1) as i32);
            let query = match &q.parent {
                Some(parent) => {
                    let query = query.index_name(PARENT_INDEX).expression_attribute_values(
                        ":pk",
                        s(parent_key(&q.project, q.kind, parent)),
                    );
                    match &cursor {
                        Some(cursor) => query
                            .key_condition_expression("gsi1pk = :pk AND gsi1sk < :upper")
                            .expression_attribute_values(":upper", s(cursor.clone())),
                        None => query.key_condition_expression("gsi1pk = :pk"),
                    }
                }
                // A sort key condition is a single comparison, so the kind's range is a
                // BETWEEN, inclusive: the cursor's own item comes back and is skipped.
                None => query
                    .consistent_read(true)
                    .key_condition_expression("pk = :pk AND sk BETWEEN :lower AND :upper")
                    .expression_attribute_values(":pk", s(pk(&q.project)))
                    .expression_attribute_values(":lower", s(format!("{}#", q.kind.key_prefix())))
                    .expression_attribute_values(
                        ":upper",
                        s(cursor
                            .clone()
                            .unwrap_or_else(|| format!("{}$", q.kind.key_prefix()))),
                    ),
            };
            let out = query
                .send()
                .await
                .map_err(|e| backend("Query", &self.table, e))?;
            for item in out.items() {
                let at_cursor = cursor.as_deref().is_some_and(|c| {
                    item.get("sk")
                        .and_then(|v| v.as_s().ok())
                        .is_some_and(|sk| sk == c)
                });
                if !at_cursor {
                    records.push(from_item(&q.project, q.kind, item)?);
                }
            }
            match out.last_evaluated_key {
                Some(key) if records.len() < wanted => start_key = Some(key),
                _ => break,
            }
        }
        let more = records.len() > limit;
        records.truncate(limit);
        let next = if more {
            records.last().map(|r| r.id.clone())
        } else {
            None
        };
        Ok(Page { records, next })
    }
}

#[async_trait]
impl RecordDue for DynamoStore {
    async fn due(&self, q: &DueQuery) -> Result<Vec<Record>, StoreError> {
        let limit = q.limit.clamp(1, 1000) as usize;
        let mut start_key = q.after.as_ref().map(|c| {
            HashMap::from([
                ("gsi2pk".to_string(), s(DUE_PARTITION)),
                (
                    "due_at".to_string(),
                    AttributeValue::N(c.due_at.to_string()),
                ),
                ("pk".to_string(), s(pk(&c.project))),
                ("sk".to_string(), s(sk(c.kind, &c.id))),
            ])
        });
        let mut records = Vec::with_capacity(limit);
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(DUE_INDEX)
                .key_condition_expression("gsi2pk = :due AND due_at <= :until")
                .expression_attribute_values(":due", s(DUE_PARTITION))
                .expression_attribute_values(":until", AttributeValue::N(q.until.to_string()))
                .scan_index_forward(true)
                .set_exclusive_start_key(start_key.take())
                .limit((limit - records.len()) as i32)
                .send()
                .await
                .map_err(|e| backend("Query", &self.table, e))?;
            for item in out.items() {
                let key = |name: &str| item.get(name).and_then(|v| v.as_s().ok());
                let project = key("pk")
                    .and_then(|p| p.strip_prefix("P#"))
                    .and_then(|p| Id::parse(Kind::Project, p));
                let kind = key("sk")
                    .and_then(|k| k.split_once('#'))
                    .and_then(|(k, _)| Kind::from_key_prefix(k));
                match (project, kind) {
                    (Some(project), Some(kind)) => records.push(from_item(&project, kind, item)?),
                    _ => return Err(malformed(item, "`pk` or `sk` is not a Sluice key")),
                }
            }
            match out.last_evaluated_key {
                Some(key) if records.len() < limit => start_key = Some(key),
                _ => break,
            }
        }
        Ok(records)
    }
}

/// Creates the metadata table `name` with its two indexes, billed per request, and
/// waits until it is active. An existing table is [`Error::TableExists`], left as it
/// is.
#[instrument(skip(client))]
pub async fn create_table(client: &Client, name: &str) -> Result<(), Error> {
    let key = |attr: &str, key_type: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(attr)
            .key_type(key_type)
            .build()
    };
    let attr = |attr: &str, ty: ScalarAttributeType| {
        AttributeDefinition::builder()
            .attribute_name(attr)
            .attribute_type(ty)
            .build()
    };
    let index = |index: &str, hash: &str, range: &str| {
        GlobalSecondaryIndex::builder()
            .index_name(index)
            .set_key_schema(Some(vec![
                key(hash, KeyType::Hash)?,
                key(range, KeyType::Range)?,
            ]))
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build(),
            )
            .build()
    };
    let build = || -> Result<_, aws_sdk_dynamodb::error::BuildError> {
        let mut request = client
            .create_table()
            .table_name(name)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("pk", KeyType::Hash)?)
            .key_schema(key("sk", KeyType::Range)?);
        for (name, ty) in KEY_ATTRIBUTES {
            let ty = if ty == "N" {
                ScalarAttributeType::N
            } else {
                ScalarAttributeType::S
            };
            request = request.attribute_definitions(attr(name, ty)?);
        }
        for (name, hash, range) in INDEXES {
            request = request.global_secondary_indexes(index(name, hash, range)?);
        }
        Ok(request)
    };
    let aws = |operation: &str, e: &dyn std::error::Error| Error::Aws {
        operation: format!("DynamoDB {operation} of table `{name}`"),
        message: DisplayErrorContext(e).to_string(),
    };
    let request = build().map_err(|e| aws("CreateTable", &e))?;
    match request.send().await {
        Ok(_) => {}
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception()) =>
        {
            return Err(Error::TableExists {
                table: name.to_string(),
            });
        }
        Err(e) => return Err(aws("CreateTable", &e)),
    }
    client
        .wait_until_table_exists()
        .table_name(name)
        .wait(TABLE_ACTIVE_TIMEOUT)
        .await
        .map_err(|e| aws("waiting for the creation", &e))?;
    Ok(())
}
