//! The embedded warehouse: DataFusion reading the same Parquet layout Athena reads
//! (a table is the Parquet files under an object-store prefix). Pure Rust and
//! Arrow-native, like the transform path.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use datafusion::arrow::json::ArrayWriter;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::execution::options::ParquetReadOptions;
use datafusion::prelude::{SQLOptions, SessionContext};
use serde_json::Value;
use sluice_domain::entities::is_identifier;
use sluice_domain::ports::{ColumnInfo, QueryPage, Warehouse, WarehouseError, check_object_key};

/// DataFusion itself, for callers that build Arrow data (tests, the transform path).
pub use datafusion;

pub struct DataFusionWarehouse {
    ctx: SessionContext,
    root: PathBuf,
}

impl DataFusionWarehouse {
    /// A warehouse whose table locations are prefixes under `root` (the object
    /// store's directory).
    pub fn new(root: &Path) -> DataFusionWarehouse {
        DataFusionWarehouse {
            ctx: SessionContext::new(),
            root: root.to_path_buf(),
        }
    }
}

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> WarehouseError {
    WarehouseError::Backend(Box::new(e))
}

fn to_rows(batches: &[RecordBatch]) -> Result<Vec<Vec<Value>>, WarehouseError> {
    let mut writer = ArrayWriter::new(Vec::new());
    let refs: Vec<&RecordBatch> = batches.iter().collect();
    writer.write_batches(&refs).map_err(backend)?;
    writer.finish().map_err(backend)?;
    let bytes = writer.into_inner();
    let objects: Vec<serde_json::Map<String, Value>> = if bytes.is_empty() {
        vec![]
    } else {
        serde_json::from_slice(&bytes).map_err(backend)?
    };
    let Some(schema) = batches.first().map(|b| b.schema()) else {
        return Ok(vec![]);
    };
    Ok(objects
        .into_iter()
        .map(|mut o| {
            schema
                .fields()
                .iter()
                .map(|f| o.remove(f.name()).unwrap_or(Value::Null))
                .collect()
        })
        .collect())
}

#[async_trait]
impl Warehouse for DataFusionWarehouse {
    async fn register_table(&self, table: &str, location: &str) -> Result<(), WarehouseError> {
        if !is_identifier(table) {
            return Err(WarehouseError::Query(format!(
                "`{table}` is not a table name"
            )));
        }
        check_object_key(location).map_err(|e| WarehouseError::Query(e.to_string()))?;
        let path = self.root.join(location);
        let path = format!("{}/", path.display());
        self.ctx.deregister_table(table).map_err(backend)?;
        self.ctx
            .register_parquet(table, &path, ParquetReadOptions::default())
            .await
            .map_err(|e| WarehouseError::Query(e.to_string()))
    }

    async fn query(
        &self,
        sql: &str,
        page_size: u32,
        page: Option<&str>,
    ) -> Result<QueryPage, WarehouseError> {
        let offset: usize = match page {
            Some(p) => p
                .parse()
                .map_err(|_| WarehouseError::BadPageToken(p.to_string()))?,
            None => 0,
        };
        let size = page_size.clamp(1, 10_000) as usize;
        // Read-only: no CREATE/DROP, no INSERT, no SET.
        let options = SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false);
        let df = self
            .ctx
            .sql_with_options(sql, options)
            .await
            .map_err(|e| WarehouseError::Query(e.to_string()))?;
        let columns = df
            .schema()
            .fields()
            .iter()
            .map(|f| ColumnInfo {
                name: f.name().clone(),
                kind: f.data_type().to_string(),
            })
            .collect();
        let batches = df
            .limit(offset, Some(size + 1))
            .map_err(|e| WarehouseError::Query(e.to_string()))?
            .collect()
            .await
            .map_err(|e| WarehouseError::Query(e.to_string()))?;
        let mut rows = to_rows(&batches)?;
        let more = rows.len() > size;
        rows.truncate(size);
        Ok(QueryPage {
            columns,
            rows,
            next_page: more.then(|| (offset + size).to_string()),
        })
    }
}
