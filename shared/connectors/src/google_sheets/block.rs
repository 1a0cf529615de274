//! Blocks of cells in A1 notation, and report values as cells.

use serde_json::Value;
use sluice_domain::entities::CellRef;

/// A rectangle of a sheet: its top-left cell and its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub start: CellRef,
    pub rows: u64,
    pub columns: u64,
}

/// `name` as A1 notation quotes a sheet: in single quotes, each one doubled.
pub fn quote_sheet(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

impl Block {
    /// The row after its last, counted from 0 (the grid rows it needs).
    pub fn end_row(&self) -> u64 {
        u64::from(self.start.row) + self.rows
    }

    /// The column after its last, counted from 0.
    pub fn end_column(&self) -> u64 {
        u64::from(self.start.column) + self.columns
    }

    /// `A1:E31`; a block of no cells is its start cell alone.
    pub fn a1(&self) -> String {
        let last = CellRef {
            row: (self.end_row().max(u64::from(self.start.row) + 1) - 1) as u32,
            column: (self.end_column().max(u64::from(self.start.column) + 1) - 1) as u32,
        };
        format!("{}:{last}", self.start)
    }

    /// `'Sheet 1'!A1:E31`.
    pub fn range(&self, sheet: &str) -> String {
        format!("{}!{}", quote_sheet(sheet), self.a1())
    }

    /// The block of `A1:E31`.
    pub fn parse(text: &str) -> Option<Block> {
        let (first, last) = text.split_once(':')?;
        let (first, last) = (CellRef::parse(first)?, CellRef::parse(last)?);
        (last.row >= first.row && last.column >= first.column).then(|| Block {
            start: first,
            rows: u64::from(last.row - first.row) + 1,
            columns: u64::from(last.column - first.column) + 1,
        })
    }

    /// Blocks as a list: `A1:E31,A1:B3`.
    pub fn list(blocks: &[Block]) -> String {
        blocks.iter().map(Block::a1).collect::<Vec<_>>().join(",")
    }

    /// The blocks of a [`Block::list`]; what does not parse is skipped.
    pub fn parse_list(text: &str) -> Vec<Block> {
        text.split(',')
            .filter_map(|b| Block::parse(b.trim()))
            .collect()
    }

    /// The part of it inside a grid of `rows` by `columns`, if any.
    pub fn clipped(&self, rows: u64, columns: u64) -> Option<Block> {
        let b = Block {
            start: self.start,
            rows: self
                .end_row()
                .min(rows)
                .saturating_sub(u64::from(self.start.row)),
            columns: self
                .end_column()
                .min(columns)
                .saturating_sub(u64::from(self.start.column)),
        };
        (b.rows > 0 && b.columns > 0).then_some(b)
    }
}

/// Largest integer a sheet's number (a double) holds exactly.
const EXACT_INTEGER: u64 = 1 << 53;

/// A report's value as a cell: numbers as numbers (a decimal column's text
/// too), booleans as booleans, null as an empty cell, anything else as text.
/// An integer past 2^53 stays text: as a number it would lose its last digits.
pub fn cell_value(v: &Value, decimal_column: bool) -> Value {
    match v {
        Value::Null => Value::String(String::new()),
        Value::Bool(_) => v.clone(),
        Value::Number(n) => {
            let exact = n
                .as_u64()
                .map(|u| u <= EXACT_INTEGER)
                .or_else(|| n.as_i64().map(|i| i.unsigned_abs() <= EXACT_INTEGER));
            match exact {
                Some(false) => Value::String(n.to_string()),
                _ => v.clone(),
            }
        }
        Value::String(s) if decimal_column => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| v.clone(), Value::Number),
        Value::String(_) => v.clone(),
        other => Value::String(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn block(a1: &str) -> Block {
        Block::parse(a1).unwrap_or_else(|| panic!("{a1}"))
    }

    #[test]
    fn a_block_is_its_a1_range_with_the_sheet_quoted() {
        let b = block("B3:F33");
        assert_eq!((b.rows, b.columns), (31, 5));
        assert_eq!((b.end_row(), b.end_column()), (33, 6));
        assert_eq!(b.a1(), "B3:F33");
        assert_eq!(b.range("Sheet1"), "'Sheet1'!B3:F33");
        assert_eq!(b.range("It's Q1"), "'It''s Q1'!B3:F33");
        assert!(Block::parse("F3:B1").is_none());
        assert_eq!(
            Block::parse_list("A1:E31, A1:B3,junk"),
            vec![block("A1:E31"), block("A1:B3")]
        );
        assert_eq!(
            Block::list(&[block("A1:E31"), block("A1:B3")]),
            "A1:E31,A1:B3"
        );
    }

    #[test]
    fn a_block_clipped_to_a_smaller_grid_keeps_what_is_inside() {
        assert_eq!(block("B2:F40").clipped(20, 4), Some(block("B2:D20")));
        assert_eq!(block("B2:F40").clipped(1, 100), None);
        assert_eq!(block("B2:F40").clipped(100, 100), Some(block("B2:F40")));
    }

    #[test]
    fn values_become_cells_of_their_kind() {
        assert_eq!(cell_value(&Value::Null, false), json!(""));
        assert_eq!(cell_value(&json!(true), false), json!(true));
        assert_eq!(cell_value(&json!(-12), false), json!(-12));
        assert_eq!(cell_value(&json!(2.5), false), json!(2.5));
        assert_eq!(
            cell_value(&json!(9_007_199_254_740_993u64), false),
            json!("9007199254740993")
        );
        assert_eq!(cell_value(&json!("12.40"), true), json!(12.4));
        assert_eq!(cell_value(&json!("12.40"), false), json!("12.40"));
        assert_eq!(
            cell_value(&json!("2026-11-01T10:30:00Z"), false),
            json!("2026-11-01T10:30:00Z")
        );
        assert_eq!(cell_value(&json!({"a": [1]}), false), json!("{\"a\":[1]}"));
    }
}
