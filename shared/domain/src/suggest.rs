//! Suggested mappings (`POST /v1/sources/{id}/suggest-mapping`): from a stream's
//! discovered fields to a data mart's columns. Without a target, each field gets
//! a target name in snake case and the cast that lands its type. With one (an
//! existing data mart's schema, or given columns), each target column is matched
//! to the source field whose name is most alike (case, separators, a prefix all
//! the fields share, common abbreviations) and whose type converts to it, each
//! match with a score and the reason for it.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::discovery::{DiscoveredField, DiscoveredStream};
use crate::entities::{CastType, ColumnMapping, Mapping, ValidationRule};

/// A column of the target a mapping should fill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetColumn {
    pub name: String,
    /// Its type, as a cast names it (`int`, `decimal(12,2)`, `timestamp`, …).
    pub cast: CastType,
}

/// One suggested column of the mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SuggestedColumn {
    pub target: String,
    /// The source field it is read from; `None` for a target column nothing
    /// matched.
    pub source: Option<String>,
    pub cast: CastType,
    /// How sure the match is, from 0 to 1.
    pub score: f64,
    pub reason: String,
}

/// A suggested mapping of one stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Suggestion {
    pub stream: String,
    /// Every target column, matched or not, in the target's order.
    pub columns: Vec<SuggestedColumn>,
    /// Source fields no target column took.
    pub unmatched_sources: Vec<String>,
    /// The matched columns as a mapping a definition takes as it is.
    pub mapping: Mapping,
}

/// `POST /v1/sources/{id}/suggest-mapping`: a stream of the source, and what
/// to map it into: an existing data mart's columns (`data_mart_id`), given
/// `columns`, or neither (a new data mart: every field, named in snake case).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuggestMapping {
    #[schemars(length(min = 1, max = 1024))]
    pub stream: String,
    #[serde(default)]
    pub data_mart_id: Option<String>,
    #[serde(default)]
    #[schemars(length(max = 1000))]
    pub columns: Option<Vec<TargetColumn>>,
}

/// Target columns a suggestion takes at most.
pub const MAX_TARGET_COLUMNS: usize = 1000;

impl SuggestMapping {
    /// The body's shape: a stream named, at most one target, columns named
    /// once each.
    pub fn validate(&self) -> Result<(), crate::error::DomainError> {
        use crate::error::DomainError;
        if self.stream.trim().is_empty() || self.stream.len() > 1024 {
            return Err(DomainError::invalid(
                "stream",
                "must be 1 to 1024 characters",
            ));
        }
        if self.data_mart_id.is_some() && self.columns.is_some() {
            return Err(DomainError::invalid(
                "columns",
                "give either `data_mart_id` or `columns`, not both",
            ));
        }
        if let Some(columns) = &self.columns {
            if columns.is_empty() || columns.len() > MAX_TARGET_COLUMNS {
                return Err(DomainError::invalid(
                    "columns",
                    format!("must name 1 to {MAX_TARGET_COLUMNS} columns"),
                ));
            }
            let mut seen = HashSet::new();
            for (i, c) in columns.iter().enumerate() {
                if c.name.trim().is_empty() || c.name.len() > 128 {
                    return Err(DomainError::invalid(
                        format!("columns[{i}].name"),
                        "must be 1-128 characters",
                    ));
                }
                if !seen.insert(c.name.as_str()) {
                    return Err(DomainError::invalid(
                        format!("columns[{i}].name"),
                        format!("`{}` is named twice", c.name),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Matches under this score are not suggested.
pub const MIN_SCORE: f64 = 0.55;

/// Shortened words and what they stand for, as column names use them.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("qty", "quantity"),
    ("amt", "amount"),
    ("num", "number"),
    ("no", "number"),
    ("nr", "number"),
    ("desc", "description"),
    ("descr", "description"),
    ("cust", "customer"),
    ("addr", "address"),
    ("dt", "date"),
    ("ts", "timestamp"),
    ("tstamp", "timestamp"),
    ("upd", "updated"),
    ("cre", "created"),
    ("prod", "product"),
    ("cat", "category"),
    ("pct", "percent"),
    ("avg", "average"),
    ("cnt", "count"),
    ("usr", "user"),
    ("acct", "account"),
    ("tel", "phone"),
    ("org", "organization"),
    ("dept", "department"),
    ("emp", "employee"),
    ("mgr", "manager"),
    ("ref", "reference"),
    ("src", "source"),
    ("dst", "destination"),
    ("key", "id"),
];

/// `name` in snake case: words split at case changes, digits and any
/// separator, lower-cased (`OrderID` → `order_id`, `Unit Price` → `unit_price`,
/// `HTTPStatus2` → `http_status_2`).
pub fn snake_case(name: &str) -> String {
    words(name).join("_")
}

fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out: Vec<String> = vec![];
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = match prev {
            Some(p) if p.is_alphanumeric() && !cur.is_empty() => {
                (c.is_uppercase() && p.is_lowercase())
                    || (c.is_uppercase()
                        && p.is_uppercase()
                        && next.is_some_and(char::is_lowercase))
                    || (c.is_ascii_digit() != p.is_ascii_digit())
            }
            _ => false,
        };
        if boundary {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The words of a name, abbreviations written out.
fn expanded(words: &[String]) -> Vec<String> {
    words
        .iter()
        .map(|w| {
            ABBREVIATIONS
                .iter()
                .find(|(short, _)| short == w)
                .map_or_else(|| w.clone(), |(_, long)| long.to_string())
        })
        .collect()
}

/// The leading words every one of `names` shares and is longer than (`o_` of
/// `o_orderkey`, `o_custkey`); none for a single name.
fn shared_prefix(names: &[Vec<String>]) -> usize {
    if names.len() < 2 {
        return 0;
    }
    let mut n = 0;
    loop {
        let Some(word) = names[0].get(n) else {
            return n;
        };
        if names.iter().all(|w| w.len() > n + 1 && &w[n] == word) {
            n += 1;
        } else {
            return n;
        }
    }
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// How alike two names are, from 0 to 1, and why: the same in snake case, the
/// same words once abbreviations are written out, shared words, or close
/// spelling.
fn name_score(source: &[String], target: &[String]) -> (f64, &'static str) {
    if source == target {
        return (1.0, "same name");
    }
    let (s, t) = (expanded(source), expanded(target));
    if s == t {
        return (0.95, "same words, abbreviations written out");
    }
    let (sj, tj) = (s.concat(), t.concat());
    if sj == tj {
        return (0.95, "same name but for separators");
    }
    let ss: HashSet<&String> = s.iter().collect();
    let ts: HashSet<&String> = t.iter().collect();
    let shared = ss.intersection(&ts).count() as f64;
    let jaccard = shared / ss.union(&ts).count().max(1) as f64;
    let longest = sj.chars().count().max(tj.chars().count()).max(1) as f64;
    let spelling = 1.0 - levenshtein(&sj, &tj) as f64 / longest;
    if jaccard >= spelling * 0.9 {
        (jaccard, "shared words")
    } else {
        (spelling * 0.9, "similar spelling")
    }
}

/// How well a value of `from` lands as `to`, from 0 (not at all) to 1, and
/// why.
fn type_score(from: CastType, to: CastType) -> (f64, String) {
    use CastType as C;
    let (score, why) = match (from, to) {
        (a, b) if a == b => (1.0, "same type"),
        (C::Decimal { .. }, C::Decimal { .. }) => (0.9, "decimal to a decimal of another size"),
        (C::Int, C::Float | C::Decimal { .. }) => (0.9, "an integer widens"),
        (C::Decimal { .. }, C::Float) | (C::Float, C::Decimal { .. }) => {
            (0.8, "between decimal and float, rounded")
        }
        (C::Date, C::Timestamp) => (0.8, "a date is its midnight"),
        (C::Timestamp, C::Date) => (0.6, "a timestamp loses its time of day"),
        (C::Json, C::String) | (C::String, C::Json) => (0.7, "JSON as text"),
        (_, C::String) => (0.7, "written as text"),
        (C::String, _) => (
            0.5,
            "text parsed at load; rows that do not parse are reported",
        ),
        (C::Float | C::Decimal { .. }, C::Int) => (0.4, "a fraction is cut off"),
        (C::Bool, C::Int) => (0.4, "true and false as 1 and 0"),
        _ => (0.0, "does not convert"),
    };
    (score, format!("{from} to {to}: {why}"))
}

/// Without a target: every field under its name in snake case, with the cast
/// that lands its type.
pub fn suggest_new(stream: &str, fields: &[DiscoveredField]) -> Suggestion {
    let mut taken = HashSet::new();
    let columns: Vec<SuggestedColumn> = fields
        .iter()
        .map(|f| {
            let base = match snake_case(&f.name) {
                s if s.is_empty() => "column".to_string(),
                s if s.starts_with(|c: char| c.is_ascii_digit()) => format!("c_{s}"),
                s => s,
            };
            let mut target = base.clone();
            let mut n = 2;
            while !taken.insert(target.clone()) {
                target = format!("{base}_{n}");
                n += 1;
            }
            let (score, reason) = if target == f.name {
                (
                    1.0,
                    format!("as named; {} lands as {}", f.source_type, f.cast),
                )
            } else {
                (
                    0.95,
                    format!(
                        "`{}` in snake case; {} lands as {}",
                        f.name, f.source_type, f.cast
                    ),
                )
            };
            SuggestedColumn {
                target,
                source: Some(f.name.clone()),
                cast: f.cast,
                score,
                reason,
            }
        })
        .collect();
    finish(stream, columns, fields)
}

/// Against a target: each target column matched to the best-scoring field not
/// already taken, best matches first; a column with no match at or above
/// [`MIN_SCORE`] is suggested without a source.
pub fn suggest_into(
    stream: &str,
    fields: &[DiscoveredField],
    target: &[TargetColumn],
) -> Suggestion {
    let source_words: Vec<Vec<String>> = fields.iter().map(|f| words(&f.name)).collect();
    let target_words: Vec<Vec<String>> = target.iter().map(|t| words(&t.name)).collect();
    let (sp, tp) = (shared_prefix(&source_words), shared_prefix(&target_words));
    let mut pairs = vec![];
    for (ti, t) in target.iter().enumerate() {
        for (si, f) in fields.iter().enumerate() {
            let (mut name, mut why) = name_score(&source_words[si], &target_words[ti]);
            if sp + tp > 0 {
                let (n, w) = name_score(&source_words[si][sp..], &target_words[ti][tp..]);
                if n > name {
                    name = n * 0.97;
                    why = match w {
                        "same name" => "same name once the shared prefix is set aside",
                        other => other,
                    };
                }
            }
            let (ty, ty_why) = type_score(f.cast, t.cast);
            if name < 0.5 || ty == 0.0 {
                continue;
            }
            let score = 0.75 * name + 0.25 * ty;
            if score >= MIN_SCORE {
                pairs.push((score, ti, si, format!("{why}; {ty_why}")));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut chosen: Vec<Option<(f64, usize, String)>> = vec![None; target.len()];
    let mut used = HashSet::new();
    for (score, ti, si, why) in pairs {
        if chosen[ti].is_none() && used.insert(si) {
            chosen[ti] = Some((score, si, why));
        }
    }
    let columns = target
        .iter()
        .zip(chosen)
        .map(|(t, c)| match c {
            Some((score, si, reason)) => SuggestedColumn {
                target: t.name.clone(),
                source: Some(fields[si].name.clone()),
                cast: t.cast,
                score: (score * 100.0).round() / 100.0,
                reason,
            },
            None => SuggestedColumn {
                target: t.name.clone(),
                source: None,
                cast: t.cast,
                score: 0.0,
                reason: "no source field is alike in name and type".into(),
            },
        })
        .collect();
    finish(stream, columns, fields)
}

/// The mapping of a new data mart over `stream`: [`suggest_new`]'s, with a
/// `unique_key` rule on the stream's primary key (under the names the
/// mapping gives its columns) when it has one. Whether it got the rule comes
/// with it.
pub fn suggest_keyed(stream: &DiscoveredStream) -> (Mapping, bool) {
    let mut mapping = suggest_new(&stream.name, &stream.fields).mapping;
    let key: Option<Vec<String>> = stream
        .primary_key
        .iter()
        .map(|k| {
            mapping
                .columns
                .iter()
                .find(|c| c.source.as_deref() == Some(k.as_str()))
                .map(|c| c.target.clone())
        })
        .collect();
    match key {
        Some(columns) if !columns.is_empty() => {
            mapping.rules.push(ValidationRule::UniqueKey { columns });
            (mapping, true)
        }
        _ => (mapping, false),
    }
}

fn finish(stream: &str, columns: Vec<SuggestedColumn>, fields: &[DiscoveredField]) -> Suggestion {
    let used: HashSet<&str> = columns.iter().filter_map(|c| c.source.as_deref()).collect();
    let unmatched_sources = fields
        .iter()
        .filter(|f| !used.contains(f.name.as_str()))
        .map(|f| f.name.clone())
        .collect();
    let mapping = Mapping {
        columns: columns
            .iter()
            .filter_map(|c| {
                Some(ColumnMapping {
                    target: c.target.clone(),
                    source: Some(c.source.clone()?),
                    expression: None,
                    cast: Some(c.cast),
                    default: None,
                    ops: vec![],
                    exclude: false,
                })
            })
            .collect(),
        ..Mapping::default()
    };
    Suggestion {
        stream: stream.to_string(),
        columns,
        unmatched_sources,
        mapping,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str, cast: &str) -> DiscoveredField {
        DiscoveredField {
            name: name.into(),
            source_type: String::new(),
            cast: CastType::parse(cast).expect("cast"),
            nullable: true,
        }
    }

    fn target(name: &str, cast: &str) -> TargetColumn {
        TargetColumn {
            name: name.into(),
            cast: CastType::parse(cast).expect("cast"),
        }
    }

    fn matches(s: &Suggestion) -> Vec<(&str, Option<&str>)> {
        s.columns
            .iter()
            .map(|c| (c.target.as_str(), c.source.as_deref()))
            .collect()
    }

    #[test]
    fn a_new_marts_mapping_keys_on_the_primary_key_under_its_target_names() {
        let stream = DiscoveredStream::new(
            "public.Orders".into(),
            vec![
                field("OrderID", "int"),
                field("Line No", "int"),
                field("unitPrice", "decimal(12,2)"),
            ],
            vec!["OrderID".into(), "Line No".into()],
            crate::discovery::FoundBy::Catalog,
        );
        let (mapping, keyed) = suggest_keyed(&stream);
        assert!(keyed);
        let targets: Vec<&str> = mapping.columns.iter().map(|c| c.target.as_str()).collect();
        assert_eq!(targets, ["order_id", "line_no", "unit_price"]);
        assert_eq!(
            mapping.rules,
            [ValidationRule::UniqueKey {
                columns: vec!["order_id".into(), "line_no".into()]
            }]
        );
        let keyless = DiscoveredStream {
            primary_key: vec![],
            ..stream
        };
        let (mapping, keyed) = suggest_keyed(&keyless);
        assert!(!keyed);
        assert!(mapping.rules.is_empty());
    }

    #[test]
    fn names_in_snake_case() {
        for (name, snake) in [
            ("OrderID", "order_id"),
            ("customerName", "customer_name"),
            ("Unit Price", "unit_price"),
            ("HTTPStatus2", "http_status_2"),
            ("created-at", "created_at"),
            ("already_snake", "already_snake"),
            ("Ünïcode Name", "ünïcode_name"),
        ] {
            assert_eq!(snake_case(name), snake, "{name}");
        }
    }

    #[test]
    fn a_new_mart_takes_each_field_in_snake_case_with_its_cast() {
        let s = suggest_new(
            "orders",
            &[
                field("OrderID", "int"),
                field("order_id", "string"),
                field("Total Price", "decimal(12,2)"),
                field("2fa", "bool"),
            ],
        );
        let got: Vec<(&str, &str, String)> = s
            .columns
            .iter()
            .map(|c| {
                (
                    c.target.as_str(),
                    c.source.as_deref().unwrap_or(""),
                    c.cast.to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("order_id", "OrderID", "int".to_string()),
                ("order_id_2", "order_id", "string".to_string()),
                ("total_price", "Total Price", "decimal(12,2)".to_string()),
                ("c_2_fa", "2fa", "bool".to_string()),
            ]
        );
        assert_eq!(s.mapping.columns.len(), 4);
        assert!(s.unmatched_sources.is_empty());
    }

    /// An API's camelCase fields into a warehouse table's snake_case columns.
    #[test]
    fn camel_case_fields_match_snake_case_columns() {
        let fields = [
            field("id", "int"),
            field("orderNumber", "int"),
            field("customerEmail", "string"),
            field("totalPrice", "decimal(12,2)"),
            field("createdAt", "timestamp"),
            field("financialStatus", "string"),
        ];
        let s = suggest_into(
            "orders",
            &fields,
            &[
                target("order_number", "int"),
                target("customer_email", "string"),
                target("total_price", "decimal(14,2)"),
                target("created_at", "timestamp"),
                target("shipped_at", "timestamp"),
            ],
        );
        assert_eq!(
            matches(&s),
            [
                ("order_number", Some("orderNumber")),
                ("customer_email", Some("customerEmail")),
                ("total_price", Some("totalPrice")),
                ("created_at", Some("createdAt")),
                ("shipped_at", None),
            ]
        );
        assert_eq!(s.columns[0].score, 1.0, "{:?}", s.columns[0]);
        assert!(
            s.columns[2].reason.contains("decimal to a decimal"),
            "{:?}",
            s.columns[2]
        );
        assert_eq!(s.unmatched_sources, ["id", "financialStatus"]);
        assert_eq!(s.mapping.columns.len(), 4, "unmatched columns are left out");
    }

    /// TPC-H style prefixes on one side, renamed and abbreviated columns.
    #[test]
    fn shared_prefixes_abbreviations_and_renames_are_seen_through() {
        let fields = [
            field("o_orderkey", "int"),
            field("o_custkey", "int"),
            field("o_totalprice", "decimal(15,2)"),
            field("o_orderdate", "date"),
            field("o_qty", "string"),
            field("o_comment", "string"),
        ];
        let s = suggest_into(
            "tpch.orders",
            &fields,
            &[
                target("orderkey", "int"),
                target("custkey", "int"),
                target("totalprice", "decimal(15,2)"),
                target("orderdate", "timestamp"),
                target("quantity", "int"),
            ],
        );
        assert_eq!(
            matches(&s),
            [
                ("orderkey", Some("o_orderkey")),
                ("custkey", Some("o_custkey")),
                ("totalprice", Some("o_totalprice")),
                ("orderdate", Some("o_orderdate")),
                ("quantity", Some("o_qty")),
            ]
        );
        let qty = &s.columns[4];
        assert!(qty.reason.contains("text parsed at load"), "{qty:?}");
        assert!(
            qty.score < s.columns[0].score,
            "a type mismatch costs: {qty:?}"
        );
        assert!(
            s.columns[3].reason.contains("midnight"),
            "{:?}",
            s.columns[3]
        );
    }

    /// Alike names whose types do not convert are not matched; a poor name
    /// never is, whatever its type.
    #[test]
    fn types_that_do_not_convert_and_unlike_names_are_not_matched() {
        let s = suggest_into(
            "users",
            &[field("active", "bool"), field("zzz", "timestamp")],
            &[
                target("activated_at", "timestamp"),
                target("active", "date"),
            ],
        );
        assert_eq!(
            matches(&s),
            [("activated_at", None), ("active", None)],
            "{s:?}"
        );
    }
}
