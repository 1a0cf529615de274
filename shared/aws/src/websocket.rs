//! The WebSocket API's side of live run views on AWS: who watches which run
//! (items of the metadata table) and sending them updates (the API Gateway
//! Management API's PostToConnection).
//!
//! Item layout, each item with `ttl` (the table's time to live removes a
//! connection API Gateway closed without telling, at its 2-hour limit):
//!
//! | item | `pk` | `sk` | other attributes |
//! | --- | --- | --- | --- |
//! | a watch | `WS#{project}#{run}` | `C#{connection}` | `connection` |
//! | a connection | `WSC#{connection}` | `C` | `project`, `run` |
//!
//! | access pattern | served by |
//! | --- | --- |
//! | the connections watching a run (`ws-push`) | Query `pk = WS#{project}#{run}` |
//! | what a connection watches (`ws-disconnect`, a gone connection) | GetItem `WSC#{connection}`, `C` |
//!
//! The functions' grants reach these partitions only (`dynamodb:LeadingKeys`
//! `WS#*`, `WSC#*`).

use aws_sdk_apigatewaymanagement::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use sluice_domain::Id;
use sluice_domain::ports::StoreError;

use crate::dynamodb::TTL_ATTRIBUTE;

/// Longest a WebSocket connection of API Gateway lives.
pub const CONNECTION_SECONDS: i64 = 2 * 3600;

/// One connection watching one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsConnection {
    pub connection: String,
    pub project: Id,
    pub run: Id,
}

/// The watches and connections, on the metadata table.
#[derive(Clone)]
pub struct WsConnections {
    client: aws_sdk_dynamodb::Client,
    table: String,
}

fn backend<E: std::error::Error + Send + Sync + 'static>(
    operation: &str,
    e: aws_sdk_dynamodb::error::SdkError<E>,
) -> StoreError {
    StoreError::backend(format!(
        "DynamoDB {operation} of a WebSocket connection: {}",
        aws_sdk_dynamodb::error::DisplayErrorContext(e)
    ))
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn watch_pk(project: &Id, run: &Id) -> String {
    format!("WS#{project}#{run}")
}

fn connection_pk(connection: &str) -> String {
    format!("WSC#{connection}")
}

impl WsConnections {
    pub fn new(client: aws_sdk_dynamodb::Client, table: impl Into<String>) -> WsConnections {
        WsConnections {
            client,
            table: table.into(),
        }
    }

    pub fn from_sdk_config(sdk: &aws_config::SdkConfig, table: &str) -> WsConnections {
        WsConnections::new(aws_sdk_dynamodb::Client::new(sdk), table)
    }

    /// Records that `c` watches its run, until `now` (unix seconds) plus a
    /// connection's longest life.
    pub async fn put(&self, c: &WsConnection, now: i64) -> Result<(), StoreError> {
        let ttl = AttributeValue::N((now + CONNECTION_SECONDS).to_string());
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(connection_pk(&c.connection)))
            .item("sk", s("C"))
            .item("project", s(c.project.as_str()))
            .item("run", s(c.run.as_str()))
            .item(TTL_ATTRIBUTE, ttl.clone())
            .send()
            .await
            .map_err(|e| backend("PutItem", e))?;
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(watch_pk(&c.project, &c.run)))
            .item("sk", s(format!("C#{}", c.connection)))
            .item("connection", s(c.connection.clone()))
            .item(TTL_ATTRIBUTE, ttl)
            .send()
            .await
            .map_err(|e| backend("PutItem", e))?;
        Ok(())
    }

    /// The connections watching `run` of `project`.
    pub async fn watching(&self, project: &Id, run: &Id) -> Result<Vec<String>, StoreError> {
        let mut out = vec![];
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(watch_pk(project, run)))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| backend("Query", e))?;
            out.extend(
                page.items()
                    .iter()
                    .filter_map(|i| i.get("connection")?.as_s().ok().cloned()),
            );
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                return Ok(out);
            }
        }
    }

    /// What `connection` watches, if it is recorded.
    pub async fn get(&self, connection: &str) -> Result<Option<WsConnection>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(connection_pk(connection)))
            .key("sk", s("C"))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| backend("GetItem", e))?;
        let Some(item) = out.item() else {
            return Ok(None);
        };
        let id = |name: &str, kind| {
            item.get(name)
                .and_then(|v| v.as_s().ok())
                .and_then(|v| Id::parse(kind, v))
        };
        Ok(
            match (
                id("project", sluice_domain::Kind::Project),
                id("run", sluice_domain::Kind::Run),
            ) {
                (Some(project), Some(run)) => Some(WsConnection {
                    connection: connection.to_string(),
                    project,
                    run,
                }),
                _ => None,
            },
        )
    }

    /// Forgets `connection` and its watch; one not recorded is not an error.
    pub async fn remove(&self, connection: &str) -> Result<(), StoreError> {
        if let Some(c) = self.get(connection).await? {
            self.client
                .delete_item()
                .table_name(&self.table)
                .key("pk", s(watch_pk(&c.project, &c.run)))
                .key("sk", s(format!("C#{connection}")))
                .send()
                .await
                .map_err(|e| backend("DeleteItem", e))?;
        }
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(connection_pk(connection)))
            .key("sk", s("C"))
            .send()
            .await
            .map_err(|e| backend("DeleteItem", e))?;
        Ok(())
    }
}

/// What sending to a connection came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    Sent,
    /// The client is gone (410): forget the connection.
    Gone,
}

/// Sends to the WebSocket API's connections (its management endpoint,
/// `https://{api}.execute-api.{region}.amazonaws.com/{stage}`).
#[derive(Clone)]
pub struct WsPusher {
    client: aws_sdk_apigatewaymanagement::Client,
}

impl WsPusher {
    /// A pusher to `endpoint` (the stage's URL), with `sdk`'s region and credentials.
    pub fn from_sdk_config(sdk: &aws_config::SdkConfig, endpoint: &str) -> WsPusher {
        let config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk)
            .endpoint_url(endpoint)
            .build();
        WsPusher {
            client: aws_sdk_apigatewaymanagement::Client::from_conf(config),
        }
    }

    /// Sends `data` to `connection` as one message.
    pub async fn post(&self, connection: &str, data: &[u8]) -> Result<Posted, String> {
        match self
            .client
            .post_to_connection()
            .connection_id(connection)
            .data(Blob::new(data))
            .send()
            .await
        {
            Ok(_) => Ok(Posted::Sent),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_gone_exception()) => {
                Ok(Posted::Gone)
            }
            Err(e) => Err(format!(
                "PostToConnection: {}",
                aws_sdk_apigatewaymanagement::error::DisplayErrorContext(e)
            )),
        }
    }
}
