//! What a data mart's SQL may name, and how a name becomes a table the warehouse
//! reads. A query of project P may name:
//!
//! - a data mart of P by its table name (its id in lower case, `dm_01j…`):
//!   the mart's own table (`connector` and `sql` marts), its storage table
//!   (`table`), the union of its tables (`table_pattern`), or its saved query
//!   (`view`);
//! - a table of P's storage by its dotted name (`logs.events_20260101`): the
//!   Parquet files of that folder of P's landing area (`logs/events_20260101/`),
//!   named after `FROM` or `JOIN`.
//!
//! Nothing else becomes a table. The warehouse sees only the tables a query's
//! names resolved to, each under P's prefixes, so a name from another project
//! is the same "not found" as a missing one. This module finds the names in the
//! SQL and rewrites them; the lookups are the application's.

use std::ops::Range;

use crate::entities::is_identifier;
use crate::ids::Id;

/// A name in a SQL text: an identifier or a dotted chain of them, outside
/// string literals and comments. Quoted parts (`"dm_…"`) are read unquoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlName {
    /// Where it is in the text, quotes included.
    pub at: Range<usize>,
    /// Its parts, unquoted.
    pub parts: Vec<String>,
    /// Written right after `FROM`, `JOIN` or a comma of a `FROM` list: a table's
    /// place.
    pub table_place: bool,
}

impl SqlName {
    /// The parts joined by `.`.
    pub fn dotted(&self) -> String {
        self.parts.join(".")
    }
}

/// Words that end a `FROM` list.
const CLAUSE_WORDS: &[&str] = &[
    "where",
    "group",
    "order",
    "having",
    "limit",
    "on",
    "using",
    "union",
    "except",
    "intersect",
    "window",
    "qualify",
    "select",
    "offset",
    "fetch",
];

/// Every name of `sql`, in order.
pub fn sql_names(sql: &str) -> Vec<SqlName> {
    let b = sql.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    // Per parenthesis depth: whether a `FROM` list is open there.
    let mut from_open = vec![false];
    // The last token was `FROM`/`JOIN` (or a comma of an open `FROM` list).
    let mut table_next = false;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\'' => {
                i += 1;
                while i < b.len() {
                    if b[i] == b'\'' {
                        if b.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
                table_next = false;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 2;
            }
            b'(' => {
                from_open.push(false);
                table_next = false;
                i += 1;
            }
            b')' => {
                if from_open.len() > 1 {
                    from_open.pop();
                }
                table_next = false;
                i += 1;
            }
            b',' => {
                table_next = from_open.last().copied().unwrap_or(false);
                i += 1;
            }
            b'0'..=b'9' => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.')
                {
                    i += 1;
                }
                table_next = false;
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'"' => {
                let start = i;
                let mut parts = vec![];
                let mut quoted_any = false;
                while let Some((part, end, quoted)) = name_part(b, i) {
                    quoted_any |= quoted;
                    parts.push(part);
                    i = end;
                    if b.get(i) == Some(&b'.')
                        && b.get(i + 1)
                            .is_some_and(|n| n.is_ascii_alphabetic() || *n == b'_' || *n == b'"')
                    {
                        i += 1;
                    } else {
                        break;
                    }
                }
                if parts.is_empty() {
                    // An unterminated quote: nothing more to read.
                    break;
                }
                let word = (parts.len() == 1 && !quoted_any).then(|| parts[0].to_ascii_lowercase());
                match word.as_deref() {
                    Some("from") | Some("join") => {
                        if let Some(open) = from_open.last_mut() {
                            *open = true;
                        }
                        table_next = true;
                    }
                    Some(w) if CLAUSE_WORDS.contains(&w) => {
                        if let Some(open) = from_open.last_mut() {
                            *open = false;
                        }
                        table_next = false;
                    }
                    // `FROM LATERAL …`, `JOIN ONLY …`: still a table's place.
                    Some("lateral") | Some("only") if table_next => {}
                    _ => {
                        out.push(SqlName {
                            at: start..i,
                            parts,
                            table_place: table_next,
                        });
                        table_next = false;
                    }
                }
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                table_next = false;
                i += 1;
            }
        }
    }
    out
}

/// One part of a name at `i`: its text, where it ends, whether it was quoted.
fn name_part(b: &[u8], i: usize) -> Option<(String, usize, bool)> {
    if b.get(i) == Some(&b'"') {
        let mut j = i + 1;
        let mut text = Vec::new();
        while j < b.len() {
            if b[j] == b'"' {
                if b.get(j + 1) == Some(&b'"') {
                    text.push(b'"');
                    j += 2;
                    continue;
                }
                return Some((String::from_utf8_lossy(&text).into_owned(), j + 1, true));
            }
            text.push(b[j]);
            j += 1;
        }
        return None;
    }
    let mut j = i;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
        j += 1;
    }
    (j > i).then(|| (String::from_utf8_lossy(&b[i..j]).into_owned(), j, false))
}

/// `sql` with each range replaced by its text (ranges in order, not overlapping).
pub fn rewrite(sql: &str, replacements: &[(Range<usize>, String)]) -> String {
    let mut out = String::with_capacity(sql.len() + 64);
    let mut at = 0;
    for (range, text) in replacements {
        out.push_str(&sql[at..range.start]);
        out.push_str(text);
        at = range.end;
    }
    out.push_str(&sql[at..]);
    out
}

/// `sql` with `ctes` (name, query) defined ahead of it, joined to its own `WITH`
/// list when it has one; earlier entries may be read by later ones.
pub fn with_ctes(ctes: &[(String, String)], sql: &str) -> String {
    if ctes.is_empty() {
        return sql.to_string();
    }
    let defs: Vec<String> = ctes
        .iter()
        .map(|(name, query)| format!("{name} AS ({query}\n)"))
        .collect();
    let body = sql.trim_start();
    let mut words = body.splitn(3, |c: char| c.is_ascii_whitespace());
    let first = words.next().unwrap_or("");
    if first.eq_ignore_ascii_case("with") {
        let rest = body[first.len()..].trim_start();
        let (recursive, rest) = match rest.split_once(|c: char| c.is_ascii_whitespace()) {
            Some((w, tail)) if w.eq_ignore_ascii_case("recursive") => ("RECURSIVE ", tail),
            _ => ("", rest),
        };
        format!("WITH {recursive}{},\n{rest}", defs.join(",\n"))
    } else {
        format!("WITH {}\n{body}", defs.join(",\n"))
    }
}

/// The data mart a name written in SQL stands for, if it is a data mart's table
/// name (any case).
pub fn data_mart_named(name: &SqlName) -> Option<Id> {
    let [one] = name.parts.as_slice() else {
        return None;
    };
    let (prefix, rest) = one.split_once('_')?;
    if !prefix.eq_ignore_ascii_case(crate::Kind::DataMart.id_prefix()) {
        return None;
    }
    Id::parse(
        crate::Kind::DataMart,
        &format!(
            "{}_{}",
            crate::Kind::DataMart.id_prefix(),
            rest.to_ascii_uppercase()
        ),
    )
}

/// A storage table's dotted name, if `name` can be one: one to three
/// identifiers.
pub fn storage_table_named(name: &SqlName) -> Option<String> {
    ((1..=3).contains(&name.parts.len()) && name.parts.iter().all(|p| is_identifier(p)))
        .then(|| name.dotted())
}

/// The identifier the warehouse knows storage table `dotted` by.
pub fn storage_table_ident(dotted: &str) -> String {
    format!("t_{}", dotted.to_ascii_lowercase().replace('.', "__"))
}

/// The folder of project `project`'s landing area that holds storage table
/// `dotted` (`logs.events` → `projects/{p}/landing/logs/events/`).
pub fn storage_table_location(project: &Id, dotted: &str) -> String {
    format!(
        "{}{}/",
        crate::files::landing_prefix(project),
        dotted.replace('.', "/")
    )
}

/// A table pattern (`logs.events_2026*`) as the folder its tables are in and
/// the prefix their names start with (`logs/`, `events_2026`).
pub fn pattern_parts(pattern: &str) -> (String, String) {
    let pattern = pattern.trim_end_matches('*');
    match pattern.rsplit_once('.') {
        Some((folder, prefix)) => (format!("{}/", folder.replace('.', "/")), prefix.to_string()),
        None => (String::new(), pattern.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(sql: &str) -> Vec<(String, bool)> {
        sql_names(sql)
            .into_iter()
            .map(|n| (n.dotted(), n.table_place))
            .collect()
    }

    #[test]
    fn names_in_table_places_are_told_from_columns_strings_and_comments() {
        let sql = "SELECT a.x, 'from logs.secret' AS s, \"Odd\"\"Name\" -- from nope\n\
                   FROM logs.events a, other JOIN dm_01abc b ON a.id = b.id /* from hidden */ \
                   WHERE y IN (SELECT z FROM inner_t) GROUP BY 1";
        let found = names(sql);
        let tables: Vec<&str> = found
            .iter()
            .filter(|(_, t)| *t)
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(tables, ["logs.events", "other", "dm_01abc", "inner_t"]);
        let all: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
        for seen in ["a.x", "s", "Odd\"Name", "a", "b", "a.id", "b.id", "y", "z"] {
            assert!(all.contains(&seen), "{seen} in {all:?}");
        }
        assert!(
            !all.iter()
                .any(|n| ["secret", "nope", "hidden"].iter().any(|h| n.contains(h))),
            "{all:?}"
        );
    }

    #[test]
    fn a_rewrite_replaces_names_and_keeps_the_rest() {
        let sql = "select * from \"dm_x\" t join logs.e on 1=1";
        let found = sql_names(sql);
        let reps: Vec<_> = found
            .iter()
            .filter(|n| n.table_place)
            .map(|n| (n.at.clone(), format!("<{}>", n.dotted())))
            .collect();
        assert_eq!(
            rewrite(sql, &reps),
            "select * from <dm_x> t join <logs.e> on 1=1"
        );
    }

    #[test]
    fn views_join_the_query_s_own_with_list() {
        let ctes = vec![("v".to_string(), "SELECT 1 AS a".to_string())];
        assert_eq!(
            with_ctes(&ctes, "SELECT * FROM v"),
            "WITH v AS (SELECT 1 AS a\n)\nSELECT * FROM v"
        );
        assert_eq!(
            with_ctes(&ctes, "  with w as (select * from v) select * from w"),
            "WITH v AS (SELECT 1 AS a\n),\nw as (select * from v) select * from w"
        );
        assert_eq!(
            with_ctes(&ctes, "WITH RECURSIVE r AS (select 1) select * from r"),
            "WITH RECURSIVE v AS (SELECT 1 AS a\n),\nr AS (select 1) select * from r"
        );
    }

    #[test]
    fn data_mart_names_parse_in_any_case_and_nothing_else_does() {
        let id = Id::generate(crate::Kind::DataMart, 1_700_000_000_000);
        let lower = id.as_str().to_ascii_lowercase();
        let n = &sql_names(&format!("select * from {lower}"))[0];
        assert_eq!(data_mart_named(n), Some(id));
        let s = Id::generate(crate::Kind::Source, 1_700_000_000_000);
        let n = &sql_names(&format!(
            "select * from {}",
            s.as_str().to_ascii_lowercase()
        ))[0];
        assert_eq!(data_mart_named(n), None);
        assert_eq!(
            pattern_parts("logs.events_2026*"),
            ("logs/".into(), "events_2026".into())
        );
        assert_eq!(pattern_parts("events_*"), ("".into(), "events_".into()));
        assert_eq!(storage_table_ident("Logs.Events"), "t_logs__events");
    }
}
