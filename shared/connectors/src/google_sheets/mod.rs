//! Google Sheets, the `google_sheets` destination's client: a service
//! account's key signs a JWT (RS256), exchanged at Google's token endpoint for
//! an access token (the JWT-bearer grant, scope `spreadsheets`), which calls
//! the Sheets API v4.
//!
//! Where it calls is the deployment's ([`GoogleApis`]), never the key's
//! `token_uri`: a project writes the key, and must not choose an address the
//! server calls. The key is a secret: no error, log line or `Debug` output
//! carries it; errors name the call that failed and the service account's
//! address.
//!
//! A report fills a **block**: its start cell, a header row, then its rows,
//! as many columns as it has. The block is recorded in developer metadata on
//! its sheet (`sluice.block.<start cell>`), written before any value is, so
//! the next delivery to the same place knows what the last one (or a try that
//! stopped half way) may have left, and clears exactly that: a wider or longer
//! old report leaves nothing behind, and cells outside the blocks (a user's
//! formulas, notes, formatting) are never touched. Values are cleared with
//! `values.batchClear`, which keeps formatting.

mod auth;
mod block;
mod client;

pub use auth::{SCOPE, ServiceAccountKey};
pub use block::{Block, cell_value, quote_sheet};
pub use client::{Retry, SheetInfo, SheetsClient};

use serde_json::{Map, Value, json};
use sluice_domain::entities::{CellRef, SHEETS_MAX_CELLS, SHEETS_MAX_COLUMNS};
use sluice_domain::net::GoogleApis;

/// Why a call to Google failed, in words that carry no key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetsError {
    /// The destination's settings or key cannot work as they are.
    #[error("{0}")]
    Config(String),
    /// Google refused the key, or the service account's access to the
    /// spreadsheet.
    #[error("{0}")]
    Denied(String),
    /// No such spreadsheet (or not one the service account can see).
    #[error("{0}")]
    NotFound(String),
    /// The report does not fit the spreadsheet; nothing was written.
    #[error("{0}")]
    TooLarge(String),
    /// Google refused a request for another reason.
    #[error("{0}")]
    Refused(String),
    /// Google was unreachable, throttled or failing through every try.
    #[error("{0}")]
    Unavailable(String),
}

impl SheetsError {
    /// Whether trying again later may succeed.
    pub fn may_pass(&self) -> bool {
        matches!(self, SheetsError::Unavailable(_))
    }
}

/// Where a destination writes, read from its config (secrets filled in).
#[derive(Debug)]
pub struct Target {
    pub spreadsheet_id: String,
    pub sheet_name: String,
    pub start: CellRef,
    pub key: ServiceAccountKey,
}

impl Target {
    /// The target a `google_sheets` destination's `config` names, checked as
    /// when it was saved.
    pub fn from_config(config: &Map<String, Value>) -> Result<Target, SheetsError> {
        let text = |k: &str, default: &str| {
            config
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or(default)
                .to_string()
        };
        let spreadsheet_id = text("spreadsheet_id", "");
        sluice_domain::entities::spreadsheet_id("config.spreadsheet_id", &spreadsheet_id)
            .map_err(|e| SheetsError::Config(e.to_string()))?;
        let sheet_name = text("sheet_name", "Sheet1");
        sluice_domain::entities::sheet_name("config.sheet_name", &sheet_name)
            .map_err(|e| SheetsError::Config(e.to_string()))?;
        let start = CellRef::parse(&text("start_cell", "A1")).ok_or_else(|| {
            SheetsError::Config(
                "config.start_cell: must be one cell in A1 notation, such as `A1` or `C5`".into(),
            )
        })?;
        let key = ServiceAccountKey::parse(&text("service_account_json", ""))?;
        Ok(Target {
            spreadsheet_id,
            sheet_name,
            start,
            key,
        })
    }
}

/// A block made ready to write by [`SheetsClient::prepare`].
#[derive(Debug, Clone)]
pub struct Prepared {
    pub sheet: SheetInfo,
    /// Whether the sheet was created for it.
    pub created: bool,
    pub block: Block,
    /// Rows and columns added to the sheet's grid.
    pub grown: (u64, u64),
    /// The old blocks whose values were cleared (clipped to the grid).
    pub cleared: Vec<Block>,
    /// What the sheet's metadata records now (the old blocks and this one).
    recorded: Vec<Block>,
}

/// The developer metadata key a block starting at `start` is recorded under.
pub fn block_key(start: CellRef) -> String {
    format!("sluice.block.{start}")
}

impl SheetsClient {
    /// The sheet named `name`, or `None`; an exact match first, then one that
    /// differs in case only (Sheets keeps names unique regardless of case).
    fn find<'s>(sheets: &'s [SheetInfo], name: &str) -> Option<&'s SheetInfo> {
        sheets.iter().find(|s| s.title == name).or_else(|| {
            sheets
                .iter()
                .find(|s| s.title.to_lowercase() == name.to_lowercase())
        })
    }

    /// Makes `block` of sheet `sheet_name` ready for its values, changing no
    /// value before it knows the block fits: the sheet is found (or created),
    /// the spreadsheet's cell limit checked, the grid grown to hold the block,
    /// the block recorded with what the sheet's metadata recorded before, and
    /// the values of the old blocks and this one cleared.
    pub async fn prepare(
        &mut self,
        sheet_name: &str,
        block: Block,
    ) -> Result<Prepared, SheetsError> {
        if block.end_column() > u64::from(SHEETS_MAX_COLUMNS) {
            return Err(SheetsError::TooLarge(format!(
                "the report's {} columns from {} pass the last column a sheet has ({}); start it further left or select fewer columns",
                block.columns,
                block.start,
                CellRef::column_letters(SHEETS_MAX_COLUMNS - 1)
            )));
        }
        let sheets = self.sheets().await?;
        let existing = Self::find(&sheets, sheet_name).cloned();
        let (grid_rows, grid_columns) = existing.as_ref().map_or((0, 0), |s| (s.rows, s.columns));
        let rows = grid_rows.max(block.end_row());
        let columns = grid_columns.max(block.end_column());
        let others: u64 = sheets
            .iter()
            .filter(|s| existing.as_ref().is_none_or(|e| e.sheet_id != s.sheet_id))
            .map(|s| s.rows * s.columns)
            .sum();
        let total = others + rows * columns;
        if total > SHEETS_MAX_CELLS {
            return Err(SheetsError::TooLarge(format!(
                "the report needs {} rows and {} columns from {} of sheet {}, which would make the spreadsheet {total} cells, past Google Sheets' limit of {SHEETS_MAX_CELLS}; nothing was written: filter or aggregate it in the report's query, or write it to another spreadsheet",
                block.rows,
                block.columns,
                block.start,
                quote_sheet(sheet_name)
            )));
        }
        let (sheet, created) = match existing {
            Some(s) => (s, false),
            None => (self.add_sheet(sheet_name, rows, columns).await?, true),
        };
        let key = block_key(block.start);
        let exists = sheet.metadata.iter().any(|(k, _)| *k == key);
        let before: Vec<Block> = sheet
            .metadata
            .iter()
            .filter(|(k, _)| *k == key)
            .flat_map(|(_, v)| Block::parse_list(v))
            .collect();
        let mut recorded = before.clone();
        if !recorded.contains(&block) {
            recorded.push(block);
        }
        let mut requests = vec![];
        let grown = (rows - sheet.rows, columns - sheet.columns);
        for (dimension, length) in [("ROWS", grown.0), ("COLUMNS", grown.1)] {
            if length > 0 {
                requests.push(json!({"appendDimension": {
                    "sheetId": sheet.sheet_id, "dimension": dimension, "length": length
                }}));
            }
        }
        if recorded != before || !exists {
            requests.push(metadata_request(&sheet, &key, &recorded, exists));
        }
        if !requests.is_empty() {
            self.update(
                requests,
                "growing the sheet and recording the report's block",
            )
            .await?;
        }
        let cleared: Vec<Block> = before
            .iter()
            .filter_map(|b| b.clipped(rows, columns))
            .collect();
        let mut ranges: Vec<String> = cleared.iter().map(|b| b.range(&sheet.title)).collect();
        let own = block.range(&sheet.title);
        if !ranges.contains(&own) {
            ranges.push(own);
        }
        self.clear(&ranges).await?;
        Ok(Prepared {
            sheet: SheetInfo {
                rows,
                columns,
                ..sheet
            },
            created,
            block,
            grown,
            cleared,
            recorded,
        })
    }

    /// Writes `rows` into `prepared`'s block from its row `offset` (0 is the
    /// header row), in one `values.batchUpdate`.
    pub async fn write_rows(
        &mut self,
        prepared: &Prepared,
        offset: u64,
        rows: Vec<Value>,
    ) -> Result<(), SheetsError> {
        if rows.is_empty() {
            return Ok(());
        }
        let part = Block {
            start: CellRef {
                row: prepared.block.start.row + offset as u32,
                column: prepared.block.start.column,
            },
            rows: rows.len() as u64,
            columns: prepared.block.columns,
        };
        self.write_values(&part.range(&prepared.sheet.title), rows)
            .await
    }

    /// Records that the block alone is the report's now (the old ones were
    /// cleared and this one written).
    pub async fn finish(&mut self, prepared: &Prepared) -> Result<(), SheetsError> {
        if prepared.recorded == [prepared.block] {
            return Ok(());
        }
        let key = block_key(prepared.block.start);
        let request = metadata_request(&prepared.sheet, &key, &[prepared.block], true);
        self.update(vec![request], "recording the report's block")
            .await
            .map(|_| ())
    }
}

/// The request that records `blocks` under `key` on `sheet`: an update of
/// the metadata there, or its creation.
fn metadata_request(sheet: &SheetInfo, key: &str, blocks: &[Block], exists: bool) -> Value {
    let value = Block::list(blocks);
    if exists {
        json!({"updateDeveloperMetadata": {
            "dataFilters": [{"developerMetadataLookup": {
                "metadataKey": key,
                "metadataLocation": {"sheetId": sheet.sheet_id}
            }}],
            "developerMetadata": {"metadataValue": value},
            "fields": "metadataValue"
        }})
    } else {
        json!({"createDeveloperMetadata": {"developerMetadata": {
            "metadataKey": key,
            "metadataValue": value,
            "location": {"sheetId": sheet.sheet_id},
            "visibility": "DOCUMENT"
        }}})
    }
}

/// What [`check`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The service account the key is of (share the spreadsheet with it).
    pub client_email: String,
    /// The sheet's title and grid.
    pub sheet: String,
    pub rows: u64,
    pub columns: u64,
    /// Whether the sheet was missing and created.
    pub created: bool,
}

/// Checks a `google_sheets` destination without changing any value: the key
/// gets a token (authorized), the spreadsheet is read and the sheet found or
/// created (reachable), and a request that needs edit access and changes
/// nothing (setting the sheet's title to what it is) proves it can write.
/// `config` is the destination's config with its secrets filled in. A failure
/// says what failed, never quoting the key.
pub async fn check(apis: &GoogleApis, config: &Map<String, Value>) -> Result<Checked, SheetsError> {
    let target = Target::from_config(config)?;
    let client_email = target.key.client_email().to_string();
    let mut client = SheetsClient::new(apis, target.key, &target.spreadsheet_id)?;
    client.authorize().await?;
    let sheets = client.sheets().await?;
    let (sheet, created) = match SheetsClient::find(&sheets, &target.sheet_name) {
        Some(s) => (s.clone(), false),
        None => {
            let needed = Block {
                start: target.start,
                rows: 1,
                columns: 1,
            };
            let s = client
                .add_sheet(&target.sheet_name, needed.end_row(), needed.end_column())
                .await?;
            (s, true)
        }
    };
    client
        .update(
            vec![json!({"updateSheetProperties": {
                "properties": {"sheetId": sheet.sheet_id, "title": sheet.title},
                "fields": "title"
            }})],
            "checking edit access",
        )
        .await?;
    Ok(Checked {
        client_email,
        sheet: sheet.title,
        rows: sheet.rows,
        columns: sheet.columns,
        created,
    })
}
