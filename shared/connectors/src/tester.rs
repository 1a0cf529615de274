//! Connection tests of the destinations that reach out of the deployment
//! (`POST /v1/destinations/{id}/test`): each is tried the way its delivery
//! reaches it, and answers whether it is reachable, whether it takes the
//! credentials, and whether a report could be written, writing nothing a
//! report would not.
//!
//! - `webhook`: one signed request with an empty report (`"test": true`, no
//!   rows), as a delivery sends it: a 2xx passes, a 401/403 is not authorized,
//!   another answer is not writable.
//! - `database`: a login (reachable, then authorized), then the privileges a
//!   delivery needs: to create the schema or table when missing, to insert and
//!   delete in the table when it is there.
//! - `google_sheets`: a token, the spreadsheet and its sheet, and an edit that
//!   changes nothing ([`crate::google_sheets::check`]).

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use sluice_domain::Id;
use sluice_domain::net::{Egress, GoogleApis};
use sluice_domain::ports::{ConnectionCheck, ConnectionTester};

use crate::config_str;
use crate::webhook::{origin, signature};

/// Tests destinations under the deployment's egress policy and Google endpoints.
pub struct Tester {
    egress: Egress,
    google: GoogleApis,
}

impl Tester {
    pub fn new(egress: &Egress, google: &GoogleApis) -> Tester {
        Tester {
            egress: egress.clone(),
            google: google.clone(),
        }
    }
}

fn all_passed(what: &str) -> Vec<ConnectionCheck> {
    vec![
        ConnectionCheck::passed("reachable", None),
        ConnectionCheck::passed("authorized", None),
        ConnectionCheck::passed("writable", Some(what.to_string())),
    ]
}

#[async_trait]
impl ConnectionTester for Tester {
    async fn test(
        &self,
        kind: &str,
        config: &Map<String, Value>,
        destination: &Id,
        now: DateTime<Utc>,
    ) -> Option<Vec<ConnectionCheck>> {
        Some(match kind {
            "webhook" => self.webhook(config, destination, now).await,
            "database" => self.database(config).await,
            "google_sheets" => self.sheets(config).await,
            _ => return None,
        })
    }
}

impl Tester {
    async fn webhook(
        &self,
        config: &Map<String, Value>,
        destination: &Id,
        now: DateTime<Utc>,
    ) -> Vec<ConnectionCheck> {
        let Ok(url) = reqwest::Url::parse(config_str(config, "url", "")) else {
            return ConnectionCheck::untried(
                "reachable",
                "the webhook URL does not parse; set it again",
            );
        };
        let shown = origin(&url);
        if let Err(e) = crate::egress::check_url(&self.egress, &url) {
            return ConnectionCheck::untried("reachable", &format!("{shown} is out of reach: {e}"));
        }
        let ndjson = config_str(config, "format", "json") == "ndjson";
        let body = if ndjson {
            Vec::new()
        } else {
            json!({"test": true, "destination_id": destination, "columns": [], "rows": []})
                .to_string()
                .into_bytes()
        };
        let client = match crate::egress::client_builder(&self.egress)
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("sluice/", env!("CARGO_PKG_VERSION")))
            .build()
        {
            Ok(c) => c,
            Err(_) => return ConnectionCheck::untried("reachable", "no HTTP client"),
        };
        let method = if config_str(config, "method", "POST") == "PUT" {
            reqwest::Method::PUT
        } else {
            reqwest::Method::POST
        };
        let timestamp = now.timestamp();
        let mut req = client
            .request(method, url)
            .header(
                reqwest::header::CONTENT_TYPE,
                if ndjson {
                    "application/x-ndjson"
                } else {
                    "application/json"
                },
            )
            .header(
                "Sluice-Delivery-Id",
                format!("test-{destination}-{timestamp}"),
            )
            .header("Sluice-Test", "true")
            .header("Sluice-Timestamp", timestamp.to_string())
            .body(body.clone());
        if let Some(secret) = config.get("signing_secret").and_then(Value::as_str) {
            req = req.header("Sluice-Signature", signature(secret, timestamp, &body));
        }
        if let Some(value) = config.get("auth_value").and_then(Value::as_str) {
            req = req.header(config_str(config, "auth_header", "Authorization"), value);
        }
        match req.send().await {
            Ok(r) if r.status().is_success() => all_passed(&format!(
                "{shown} took a signed test request ({})",
                r.status().as_u16()
            )),
            Ok(r) if matches!(r.status().as_u16(), 401 | 403) => {
                let mut checks = vec![ConnectionCheck::passed("reachable", None)];
                checks.extend(ConnectionCheck::untried(
                    "authorized",
                    &format!("{shown} answered {}: check auth_value", r.status()),
                ));
                checks
            }
            Ok(r) => vec![
                ConnectionCheck::passed("reachable", None),
                ConnectionCheck::passed("authorized", None),
                ConnectionCheck::failed("writable", format!("{shown} answered {}", r.status())),
            ],
            Err(e) => {
                let why = match crate::egress::refused_by_policy(&e) {
                    Some(why) => format!("{shown} is out of reach: {why}"),
                    None if e.is_timeout() => format!("{shown} timed out"),
                    None => format!("could not connect to {shown}"),
                };
                ConnectionCheck::untried("reachable", &why)
            }
        }
    }

    async fn database(&self, config: &Map<String, Value>) -> Vec<ConnectionCheck> {
        let (client, shown) =
            match crate::postgres::connect(&self.egress, config_str(config, "url", "")).await {
                Ok(pair) => pair,
                Err(e) => {
                    let why = e.to_string();
                    // Reached and answered, but the login was refused.
                    return if crate::postgres::login_refused(&why) {
                        let mut checks = vec![ConnectionCheck::passed("reachable", None)];
                        checks.extend(ConnectionCheck::untried("authorized", &why));
                        checks
                    } else {
                        ConnectionCheck::untried("reachable", &why)
                    };
                }
            };
        let schema = config_str(config, "schema", "public");
        let table = config_str(config, "table", "");
        let row = client
            .query_one(
                "SELECT n.oid IS NOT NULL, \
                        CASE WHEN n.oid IS NULL THEN has_database_privilege(current_database(), 'CREATE') \
                             ELSE has_schema_privilege(n.oid, 'USAGE') AND (c.oid IS NOT NULL OR has_schema_privilege(n.oid, 'CREATE')) END, \
                        c.oid IS NOT NULL, \
                        c.oid IS NULL OR has_table_privilege(c.oid, 'INSERT') AND has_table_privilege(c.oid, 'DELETE') \
                   FROM (SELECT 1) one \
                   LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = $1 \
                   LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = $2 AND c.relkind IN ('r', 'p')",
                &[&schema, &table],
            )
            .await;
        let mut checks = vec![
            ConnectionCheck::passed("reachable", None),
            ConnectionCheck::passed("authorized", Some(format!("logged in to {shown}"))),
        ];
        let writable = match row {
            Err(e) => ConnectionCheck::failed(
                "writable",
                crate::postgres::db_error("reading the privileges", e).to_string(),
            ),
            Ok(r) => {
                let (has_schema, may_create, has_table, may_write): (bool, bool, bool, bool) =
                    (r.get(0), r.get(1), r.get(2), r.get(3));
                if !may_create {
                    ConnectionCheck::failed(
                        "writable",
                        if has_schema {
                            format!("the user may not create tables in schema {schema}")
                        } else {
                            format!("schema {schema} is missing and the user may not create it")
                        },
                    )
                } else if !may_write {
                    ConnectionCheck::failed(
                        "writable",
                        format!("the user may not insert into and delete from {schema}.{table}"),
                    )
                } else if has_table {
                    ConnectionCheck::passed(
                        "writable",
                        Some(format!("{schema}.{table} takes inserts and deletes")),
                    )
                } else {
                    ConnectionCheck::passed(
                        "writable",
                        Some(format!(
                            "{schema}.{table} will be created at the first delivery"
                        )),
                    )
                }
            }
        };
        checks.push(writable);
        checks
    }

    async fn sheets(&self, config: &Map<String, Value>) -> Vec<ConnectionCheck> {
        use crate::google_sheets::{SheetsError, check};
        match check(&self.google, config).await {
            Ok(c) => all_passed(&format!(
                "sheet {} ({} rows × {} columns{}) takes edits by {}",
                c.sheet,
                c.rows,
                c.columns,
                if c.created { ", created now" } else { "" },
                c.client_email
            )),
            Err(SheetsError::Unavailable(why)) => ConnectionCheck::untried("reachable", &why),
            Err(e @ (SheetsError::Config(_) | SheetsError::Denied(_))) => {
                let mut checks = vec![ConnectionCheck::passed("reachable", None)];
                checks.extend(ConnectionCheck::untried("authorized", &e.to_string()));
                checks
            }
            Err(e) => vec![
                ConnectionCheck::passed("reachable", None),
                ConnectionCheck::passed("authorized", None),
                ConnectionCheck::failed("writable", e.to_string()),
            ],
        }
    }
}
