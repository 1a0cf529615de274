//! The REST connector kit: a connector over an HTTP JSON API declared once, as
//! data. From one [`RestConnector`] come its catalog entry and config fields
//! ([`RestConnector::spec`]), the checks of its values when a source is saved
//! ([`RestConnector::check`]), and its extraction (`sluice_connectors::rest`
//! reads the same declaration); its queue and function come from its name
//! like every connector's.
//!
//! A declaration says where the API is, which auth kinds it takes, its rate
//! limit, and its streams: the request (path, query parameters, pagination,
//! the fan-out over a list the user gives and the date slices), where the
//! records are in a response, the columns taken from each record, the
//! primary key, and what incremental means for it.

use serde_json::{Map, Value};

use super::{ConnectorSpec, FieldSpec, FieldType as T, StreamField, StreamSpec};
use crate::error::DomainError;

/// How a source proves who it is to the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    None,
    /// A key in a header or a query parameter (where: [`RestConnector::api_key`]).
    ApiKey,
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic` of `username` and `password` (an API token for
    /// most SaaS APIs).
    Basic,
    /// OAuth 2.0 client credentials: a token from `token_url` for the client's
    /// id and secret, renewed before it expires.
    OAuthClientCredentials,
    /// OAuth 2.0 refresh token: an access token from `token_url` for the
    /// refresh token, renewed before it expires; what the provider sends back
    /// (the access token, a rotated refresh token) is written to the source's
    /// secret fields.
    OAuthRefreshToken,
}

impl Auth {
    pub const ALL: [Auth; 6] = [
        Auth::None,
        Auth::ApiKey,
        Auth::Bearer,
        Auth::Basic,
        Auth::OAuthClientCredentials,
        Auth::OAuthRefreshToken,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Auth::None => "none",
            Auth::ApiKey => "api_key",
            Auth::Bearer => "bearer",
            Auth::Basic => "basic",
            Auth::OAuthClientCredentials => "oauth_client_credentials",
            Auth::OAuthRefreshToken => "oauth_refresh_token",
        }
    }

    pub fn parse(name: &str) -> Option<Auth> {
        Auth::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The config fields this kind needs, each secret or not as its spec says.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            Auth::None => &[],
            Auth::ApiKey => &["api_key"],
            Auth::Bearer => &["token"],
            Auth::Basic => &["username", "password"],
            Auth::OAuthClientCredentials => &["client_id", "client_secret"],
            Auth::OAuthRefreshToken => &["client_id", "client_secret", "refresh_token"],
        }
    }
}

/// Where an API key goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPlace {
    Header(&'static str),
    Query(&'static str),
}

/// How the API says what is left of its rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateHeaders {
    /// Requests left in the window (`x-ratelimit-remaining`).
    pub remaining: &'static str,
    /// When the window resets, in seconds since the epoch (`x-ratelimit-reset`).
    pub reset: &'static str,
}

/// A query parameter's value.
#[derive(Debug, Clone, Copy)]
pub enum Param {
    Lit(&'static str),
    /// A string config field (left out when empty).
    Config(&'static str),
    /// The incremental cursor less the look-back, as the API writes times
    /// (left out on a first run).
    Since,
    /// The window's first and last day (`YYYY-MM-DD`): a backfill's, or an
    /// incremental run's from its cursor (or `start_date`) to today.
    From,
    To,
    /// The page size ([`Stream::page_size`]).
    PageSize,
    /// The value of the stream's fan-out list being read ([`Stream::each`]).
    Each,
    /// Built by the connector from the config and the `Since` value (a JQL
    /// query with its `updated >=` clause); left out when it gives nothing.
    Build(fn(&Map<String, Value>, Option<&str>) -> Option<String>),
}

/// How a stream's pages follow each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// One response holds every record.
    None,
    /// `Link: <…>; rel="next"` (RFC 8288).
    Link,
    /// A page number from `start`.
    Page { param: &'static str, start: u64 },
    /// A record offset: `param` (`startAt`), ending when `last` (a dotted
    /// path to a boolean, `isLast`) says so, or without one on a short page
    /// (an API may cap a page below the size asked for, so a declared `last`
    /// is trusted over the page's length).
    Offset {
        param: &'static str,
        last: Option<&'static str>,
    },
    /// A token from the response (`nextPageToken`) sent back in `param`.
    Token {
        param: &'static str,
        path: &'static str,
    },
}

/// How a stream's requests cover dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slices {
    /// One request sequence for the whole window.
    Whole,
    /// One sequence per day of the window (`{date}` in the path).
    Days,
    /// One per calendar year of the window (`From` and `To` are its first and
    /// last day inside the window).
    Years,
}

/// What an incremental run reads of a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incremental {
    /// Everything, every run (a small reference list).
    Full,
    /// The API filters: `Param::Since`, or the date window `From`/`To`,
    /// starts after the saved cursor (less the look-back).
    Cursor,
    /// The API cannot filter; records are read newest first and reading stops
    /// at the first one not newer than the saved cursor (less the look-back).
    NewestFirst,
}

/// A column taken from each record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    /// Warehouse type: string, int, float, decimal, bool, date, timestamp, json.
    pub kind: &'static str,
    /// Dotted path in the record (`user.login`); `$` is the whole record;
    /// `@each` and `@date` are the fan-out value and the day the request read.
    pub path: &'static str,
    pub description: &'static str,
}

pub const fn col(
    name: &'static str,
    kind: &'static str,
    path: &'static str,
    description: &'static str,
) -> Column {
    Column {
        name,
        kind,
        path,
        description,
    }
}

/// Rows made of one record before the columns are taken (one row per series of
/// an observation, per entry of a changelog). Given the record and the values
/// the request was made with (`each`, `date`).
pub type Explode = fn(&Value, &Map<String, Value>) -> Vec<Value>;

/// One stream of a declared connector.
#[derive(Debug, Clone, Copy)]
pub struct Stream {
    pub name: &'static str,
    pub description: &'static str,
    /// Path under the base URL; `{each}`, `{date}` and `{<config field>}` are
    /// filled in, percent-encoded (a `/` in `{each}` is kept: `owner/repo`).
    pub path: &'static str,
    pub params: &'static [(&'static str, Param)],
    /// A string-list config field: the stream is read once per value, `{each}`.
    pub each: Option<&'static str>,
    pub slices: Slices,
    /// Dotted path to the records in a response; `$` is the body.
    pub records: &'static str,
    pub paging: Paging,
    pub page_size: Option<(&'static str, u64)>,
    pub explode: Option<Explode>,
    pub columns: &'static [Column],
    pub key: &'static [&'static str],
    /// The column whose largest value is the incremental cursor.
    pub cursor: Option<&'static str>,
    pub incremental: Incremental,
}

impl Stream {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// A connector over an HTTP JSON API, declared once.
#[derive(Debug, Clone, Copy)]
pub struct RestConnector {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// The API's address; empty when each source names its own (a Jira site).
    pub base_url: &'static str,
    pub base_url_help: &'static str,
    /// The auth kinds it takes; the first is the default.
    pub auth: &'static [Auth],
    pub api_key: KeyPlace,
    /// The `api_key` field's description: what the key is and where it goes.
    pub api_key_help: &'static str,
    /// The OAuth 2.0 token endpoint, where it has one.
    pub token_url: &'static str,
    /// Its own config fields (repositories, series, a country).
    pub fields: fn() -> Vec<FieldSpec>,
    /// What their types cannot check of its own fields' values.
    pub check_fields: fn(&Map<String, Value>) -> Result<(), DomainError>,
    /// Whether the window's dates need a `start_date` on a first run.
    pub dated: bool,
    /// Days after today an incremental run's window reaches (holidays are
    /// published ahead); 0 ends it today.
    pub horizon_days: u32,
    pub requests_per_minute: u64,
    pub rate_headers: Option<RateHeaders>,
    /// How a time is written in `Param::Since` (`%Y-%m-%dT%H:%M:%SZ`).
    pub since_format: &'static str,
    pub streams: &'static [Stream],
}

/// The config fields the kit adds to every declared connector's own.
const AUTH_FIELDS: &[&str] = &[
    "api_key",
    "token",
    "username",
    "password",
    "client_id",
    "client_secret",
    "refresh_token",
    "scope",
];

impl RestConnector {
    pub fn stream(&self, name: &str) -> Option<&'static Stream> {
        self.streams.iter().find(|s| s.name == name)
    }

    /// The catalog entry: the base URL, the auth kind and its fields, the
    /// rate limit, `start_date` where dates are read, its own fields; its
    /// streams with their columns, key and cursor.
    pub fn spec(&self) -> ConnectorSpec {
        let mut config = vec![];
        let base = FieldSpec::new("base_url", T::String, self.base_url_help);
        config.push(if self.base_url.is_empty() {
            base.required()
        } else {
            base.default(self.base_url)
        });
        let kinds: Vec<&'static str> = self.auth.iter().map(|a| a.name()).collect();
        if self.auth.len() > 1 || self.auth.first() != Some(&Auth::None) {
            config.push(
                FieldSpec::new("auth", T::String, "How the source signs in.")
                    .default(kinds[0])
                    .one_of(&kinds),
            );
        }
        let takes = |a: Auth| self.auth.contains(&a);
        if takes(Auth::ApiKey) {
            config.push(FieldSpec::new("api_key", T::String, self.api_key_help).secret());
        }
        if takes(Auth::Bearer) {
            config.push(
                FieldSpec::new("token", T::String, "The access token (auth `bearer`).").secret(),
            );
        }
        if takes(Auth::Basic) {
            config.push(FieldSpec::new(
                "username",
                T::String,
                "The user name or e-mail address (auth `basic`).",
            ));
            config.push(
                FieldSpec::new(
                    "password",
                    T::String,
                    "The password or API token (auth `basic`).",
                )
                .secret(),
            );
        }
        let oauth = takes(Auth::OAuthClientCredentials) || takes(Auth::OAuthRefreshToken);
        if oauth {
            let url = FieldSpec::new(
                "token_url",
                T::String,
                "The OAuth 2.0 token endpoint (the `oauth_*` auth kinds).",
            );
            config.push(if self.token_url.is_empty() {
                url
            } else {
                url.default(self.token_url)
            });
            config.push(FieldSpec::new(
                "client_id",
                T::String,
                "The OAuth 2.0 client id.",
            ));
            config.push(
                FieldSpec::new("client_secret", T::String, "The OAuth 2.0 client secret.").secret(),
            );
            config.push(FieldSpec::new(
                "scope",
                T::String,
                "Scopes asked for, space-separated (`oauth_client_credentials`).",
            ));
        }
        if takes(Auth::OAuthRefreshToken) {
            config.push(
                FieldSpec::new(
                    "refresh_token",
                    T::String,
                    "The OAuth 2.0 refresh token. A provider that rotates it sends a new one with each access token; Sluice writes it back here.",
                )
                .secret(),
            );
            config.push(
                FieldSpec::new(
                    "access_token",
                    T::String,
                    "The current OAuth 2.0 access token: written by Sluice when it renews one.",
                )
                .secret(),
            );
            config.push(
                FieldSpec::new(
                    "access_token_expires_at",
                    T::Integer,
                    "When the access token expires (seconds since 1970): written by Sluice with it.",
                )
                .secret(),
            );
        }
        config.push(
            FieldSpec::new(
                "requests_per_minute",
                T::Integer,
                "Requests this source makes per minute at most, across its runs in a process; the API's own rate-limit headers are honoured as well.",
            )
            .default(self.requests_per_minute),
        );
        if self.dated {
            config.push(
                FieldSpec::new(
                    "start_date",
                    T::String,
                    "The first day a first run reads (YYYY-MM-DD); later runs go on from their cursor.",
                )
                .required(),
            );
        }
        config.extend((self.fields)());
        ConnectorSpec {
            name: self.name,
            title: self.title,
            description: self.description,
            config,
            streams: self
                .streams
                .iter()
                .map(|s| StreamSpec {
                    name: s.name,
                    description: s.description,
                    fields: s
                        .columns
                        .iter()
                        .map(|c| StreamField {
                            name: c.name,
                            kind: c.kind,
                            description: c.description,
                        })
                        .collect(),
                    unique_key: s.key.to_vec(),
                    cursor_field: s.cursor,
                    user_defined: false,
                })
                .collect(),
        }
    }

    /// The auth kind a config names (its default when it names none).
    pub fn auth_of(&self, config: &Map<String, Value>) -> Result<Auth, DomainError> {
        match config.get("auth").and_then(Value::as_str) {
            None => Ok(self.auth[0]),
            Some(name) => Auth::parse(name)
                .filter(|a| self.auth.contains(a))
                .ok_or_else(|| {
                    let kinds: Vec<&str> = self.auth.iter().map(|a| a.name()).collect();
                    DomainError::invalid(
                        "config.auth",
                        format!("must be one of: {}", kinds.join(", ")),
                    )
                }),
        }
    }

    /// What the field types cannot check of a config (a whole one when
    /// `whole`, a patch otherwise): the base and token URLs, the dates, and,
    /// of a whole config, the fields its auth kind needs.
    pub fn check(&self, config: &Map<String, Value>, whole: bool) -> Result<(), DomainError> {
        for field in ["base_url", "token_url"] {
            if let Some(url) = config.get(field).and_then(Value::as_str) {
                let ok = url.starts_with("https://") || url.starts_with("http://");
                if !ok || url.len() < 10 || url.contains(char::is_whitespace) {
                    return Err(DomainError::invalid(
                        format!("config.{field}"),
                        "must be an https:// URL",
                    ));
                }
            }
        }
        if let Some(date) = config.get("start_date").and_then(Value::as_str)
            && chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err()
        {
            return Err(DomainError::invalid(
                "config.start_date",
                "must be a date written YYYY-MM-DD",
            ));
        }
        if let Some(n) = config.get("requests_per_minute").and_then(Value::as_u64)
            && !(1..=100_000).contains(&n)
        {
            return Err(DomainError::invalid(
                "config.requests_per_minute",
                "must be from 1 to 100000",
            ));
        }
        (self.check_fields)(config)?;
        let auth = self.auth_of(config)?;
        if whole {
            for field in auth.required() {
                let given = config
                    .get(*field)
                    .and_then(Value::as_str)
                    .is_some_and(|v| !v.trim().is_empty());
                if !given {
                    return Err(DomainError::invalid(
                        format!("config.{field}"),
                        format!("is required for auth `{}`", auth.name()),
                    ));
                }
            }
            if matches!(auth, Auth::OAuthClientCredentials | Auth::OAuthRefreshToken)
                && self.token_url.is_empty()
                && config
                    .get("token_url")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
            {
                return Err(DomainError::invalid(
                    "config.token_url",
                    format!("is required for auth `{}`", auth.name()),
                ));
            }
        }
        Ok(())
    }
}

/// For a connector whose own fields need no more than their types.
pub fn no_checks(_: &Map<String, Value>) -> Result<(), DomainError> {
    Ok(())
}

/// A string-list field's values, each checked by `ok`; at least one.
pub fn check_list(
    config: &Map<String, Value>,
    field: &str,
    ok: impl Fn(&str) -> bool,
    what: &str,
) -> Result<(), DomainError> {
    let Some(list) = config.get(field).and_then(Value::as_array) else {
        return Ok(());
    };
    if list.is_empty() {
        return Err(DomainError::invalid(
            format!("config.{field}"),
            "must name at least one",
        ));
    }
    for (i, v) in list.iter().enumerate() {
        if !v.as_str().is_some_and(&ok) {
            return Err(DomainError::invalid(
                format!("config.{field}[{i}]"),
                format!("must be {what}"),
            ));
        }
    }
    Ok(())
}

/// Names of the kit's auth fields, which only their auth kind uses.
pub fn is_auth_field(name: &str) -> bool {
    AUTH_FIELDS.contains(&name)
}

/// `path` in `v`: dotted, a numeric segment indexes an array, `$` is `v`.
pub fn select<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    let rest = path.strip_prefix('$').unwrap_or(path);
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    if rest.is_empty() {
        return Some(v);
    }
    let mut at = v;
    for s in rest.split('.') {
        at = match at {
            Value::Object(o) => o.get(s)?,
            Value::Array(a) => a.get(s.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(at)
}

/// One row of `record`: each column's value at its path (`@each`, `@date`
/// from `request`), nested values as JSON text so every row is a flat object,
/// a missing value as null.
pub fn row_of(stream: &Stream, record: &Value, request: &Map<String, Value>) -> Map<String, Value> {
    let mut row = Map::with_capacity(stream.columns.len());
    for c in stream.columns {
        let v = match c.path.strip_prefix('@') {
            Some(name) => request.get(name).cloned(),
            None => select(record, c.path).cloned(),
        }
        .unwrap_or(Value::Null);
        let v = match v {
            Value::Null => Value::Null,
            Value::Object(_) | Value::Array(_) if c.kind == "json" => Value::String(v.to_string()),
            Value::Object(_) | Value::Array(_) => Value::String(v.to_string()),
            Value::Bool(_) | Value::Number(_) if c.kind == "json" => Value::String(v.to_string()),
            other => other,
        };
        row.insert(c.name.to_string(), v);
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_row_takes_each_column_at_its_path_and_stays_flat() {
        const COLS: &[Column] = &[
            col("id", "int", "id", ""),
            col("login", "string", "user.login", ""),
            col("labels", "json", "labels", ""),
            col("first_label", "string", "labels.0.name", ""),
            col("missing", "string", "nope.x", ""),
            col("repository", "string", "@each", ""),
        ];
        let s = Stream {
            name: "x",
            description: "",
            path: "/x",
            params: &[],
            each: None,
            slices: Slices::Whole,
            records: "$",
            paging: Paging::None,
            page_size: None,
            explode: None,
            columns: COLS,
            key: &["id"],
            cursor: None,
            incremental: Incremental::Full,
        };
        let r = json!({"id": 7, "user": {"login": "ana"}, "labels": [{"name": "bug"}]});
        let ctx = json!({"each": "octo/hello"});
        let row = row_of(&s, &r, ctx.as_object().expect("an object"));
        assert_eq!(row["repository"], json!("octo/hello"));
        assert_eq!(row["id"], json!(7));
        assert_eq!(row["login"], json!("ana"));
        assert_eq!(row["labels"], json!(r#"[{"name":"bug"}]"#));
        assert_eq!(row["first_label"], json!("bug"));
        assert_eq!(row["missing"], Value::Null);
    }
}
