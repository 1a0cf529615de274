//! The embedded warehouse: DataFusion reading the same Parquet layout Athena reads
//! (a table is the Parquet files under an object-store prefix). Pure Rust and
//! Arrow-native, like the transform path.

mod flat_json;
pub mod mapping;
pub mod transform;

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use datafusion::arrow::json::ArrayWriter;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::execution::options::ParquetReadOptions;
use datafusion::prelude::{SQLOptions, SessionContext};
use serde_json::Value;
use sluice_domain::entities::is_identifier;
use sluice_domain::ports::{
    ColumnInfo, QueryPage, TableRef, Warehouse, WarehouseError, check_object_key,
};

/// DataFusion itself, for callers that build Arrow data (tests, the transform path).
pub use datafusion;

pub struct DataFusionWarehouse {
    root: PathBuf,
}

impl DataFusionWarehouse {
    /// A warehouse whose table locations are prefixes under `root` (the object
    /// store's directory).
    pub fn new(root: &Path) -> DataFusionWarehouse {
        DataFusionWarehouse {
            root: root.to_path_buf(),
        }
    }
}

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> WarehouseError {
    WarehouseError::Backend(Box::new(e))
}

/// Name and Arrow type name of each field, as query results describe columns.
pub fn column_infos(fields: &datafusion::arrow::datatypes::Fields) -> Vec<ColumnInfo> {
    fields
        .iter()
        .map(|f| ColumnInfo {
            name: f.name().clone(),
            kind: f.data_type().to_string(),
        })
        .collect()
}

/// Rows of `batches` as JSON values, column by column in schema order.
pub fn to_rows(batches: &[RecordBatch]) -> Result<Vec<Vec<Value>>, WarehouseError> {
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

impl DataFusionWarehouse {
    /// A session that sees exactly `tables`: one per query, so no query reads a
    /// table another one registered.
    async fn session(&self, tables: &[TableRef]) -> Result<SessionContext, WarehouseError> {
        let ctx = SessionContext::new();
        for t in tables {
            if !is_identifier(&t.name) {
                return Err(WarehouseError::Query(format!(
                    "`{}` is not a table name",
                    t.name
                )));
            }
            let location = t.location.trim_end_matches('/');
            check_object_key(location).map_err(|e| WarehouseError::Query(e.to_string()))?;
            let path = format!("{}/", self.root.join(location).display());
            ctx.register_parquet(&t.name, &path, ParquetReadOptions::default())
                .await
                .map_err(|e| WarehouseError::Query(e.to_string()))?;
        }
        Ok(ctx)
    }
}

#[async_trait]
impl Warehouse for DataFusionWarehouse {
    async fn query(
        &self,
        tables: &[TableRef],
        sql: &str,
        page_size: u32,
        page: Option<&str>,
    ) -> Result<QueryPage, WarehouseError> {
        let ctx = self.session(tables).await?;
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
        let df = ctx
            .sql_with_options(sql, options)
            .await
            .map_err(|e| WarehouseError::Query(e.to_string()))?;
        let columns = column_infos(df.schema().fields());
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
