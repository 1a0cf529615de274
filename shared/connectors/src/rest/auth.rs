//! The kit's auth kinds applied to a request: a key in a header or the query,
//! a bearer token, basic auth, and OAuth 2.0 access tokens for client
//! credentials or a refresh token, renewed before they expire.
//!
//! A renewed client-credentials token is kept in the process until it is
//! close to expiry. A refresh-token grant's answer (the access token, when it
//! expires, and a rotated refresh token) is written to the source's secret
//! fields through [`Credentials`], so every later step, run and process
//! starts from it; before renewing, the stored fields are read again in case
//! another process renewed them first.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use reqwest::{Client, Url};
use serde::Deserialize;
use serde_json::{Map, Value};
use sluice_domain::connectors::rest::{Auth, KeyPlace, RestConnector};

use super::http::{Redactor, error_chain, excerpt};
use crate::{ConnectorError, Credentials, config_str};

/// An access token is renewed when less than this is left of it.
pub const RENEW_MARGIN: Duration = Duration::from_secs(300);

/// What a request carries to prove who the source is.
pub struct Signer {
    kind: Auth,
    api_key: KeyPlace,
    config: Map<String, Value>,
    /// The current OAuth access token and when it expires (seconds since 1970).
    token: Option<(String, i64)>,
    /// Every secret the requests may carry, for masking.
    pub redactor: Redactor,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("kind", &self.kind).finish()
    }
}

/// Client-credentials tokens of this process, by source and client.
static CLIENT_TOKENS: Mutex<Option<HashMap<String, (String, i64)>>> = Mutex::new(None);

/// The secret fields whose values never appear in what is shown.
const SECRET_FIELDS: &[&str] = &[
    "api_key",
    "token",
    "password",
    "client_secret",
    "refresh_token",
    "access_token",
];

fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    refresh_token: Option<String>,
}

impl Signer {
    pub fn new(
        decl: &RestConnector,
        config: &Map<String, Value>,
    ) -> Result<Signer, ConnectorError> {
        let kind = decl.auth_of(config).map_err(|e| match e {
            sluice_domain::DomainError::Validation { reason, .. } => {
                ConnectorError::config("auth", reason)
            }
            other => ConnectorError::config("auth", other.to_string()),
        })?;
        for field in kind.required() {
            if config_str(config, field, "").trim().is_empty() {
                return Err(ConnectorError::config(
                    field,
                    format!("is required for auth `{}`", kind.name()),
                ));
            }
        }
        let mut redactor = Redactor::default();
        for f in SECRET_FIELDS {
            redactor = redactor.with(config_str(config, f, ""));
        }
        let token = match (
            config_str(config, "access_token", ""),
            config
                .get("access_token_expires_at")
                .and_then(Value::as_i64),
        ) {
            ("", _) => None,
            (t, at) => Some((t.to_string(), at.unwrap_or(0))),
        };
        Ok(Signer {
            kind,
            api_key: decl.api_key,
            config: config.clone(),
            token,
            redactor,
        })
    }

    pub fn kind(&self) -> Auth {
        self.kind
    }

    pub fn uses_oauth(&self) -> bool {
        matches!(
            self.kind,
            Auth::OAuthClientCredentials | Auth::OAuthRefreshToken
        )
    }

    /// `url` with the key in its query, where the key goes there.
    pub fn sign_url(&self, url: &mut Url) {
        if let (Auth::ApiKey, KeyPlace::Query(name)) = (self.kind, self.api_key) {
            // Set, not added: a next-page link may carry it already.
            let others: Vec<(String, String)> = url
                .query_pairs()
                .filter(|(k, _)| k != name)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            url.query_pairs_mut()
                .clear()
                .extend_pairs(others)
                .append_pair(name, config_str(&self.config, "api_key", "").trim());
        }
    }

    /// The header the request carries, if any; an OAuth token is renewed
    /// first when it is missing or close to expiry (`force` renews it
    /// whatever is left of it: the API refused it). Each renewal adds a line
    /// to `log`.
    pub async fn header(
        &mut self,
        client: &Client,
        egress: &sluice_domain::net::Egress,
        source: &str,
        credentials: Option<&dyn Credentials>,
        force: bool,
        log: &mut Vec<String>,
    ) -> Result<Option<(HeaderName, HeaderValue)>, ConnectorError> {
        let value = match self.kind {
            Auth::None => return Ok(None),
            Auth::ApiKey => match self.api_key {
                KeyPlace::Query(_) => return Ok(None),
                KeyPlace::Header(name) => {
                    let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                        ConnectorError::config("api_key", "the key's header name is not valid")
                    })?;
                    return Ok(Some((
                        header,
                        sensitive(config_str(&self.config, "api_key", ""), "api_key")?,
                    )));
                }
            },
            Auth::Bearer => format!("Bearer {}", config_str(&self.config, "token", "").trim()),
            Auth::Basic => {
                use base64::Engine as _;
                let pair = format!(
                    "{}:{}",
                    config_str(&self.config, "username", ""),
                    config_str(&self.config, "password", "")
                );
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
            Auth::OAuthClientCredentials => {
                let token = self
                    .client_token(client, egress, source, force, log)
                    .await?;
                format!("Bearer {token}")
            }
            Auth::OAuthRefreshToken => {
                let token = self
                    .refreshed_token(client, egress, credentials, force, log)
                    .await?;
                format!("Bearer {token}")
            }
        };
        Ok(Some((AUTHORIZATION, sensitive(&value, "auth")?)))
    }

    /// A client-credentials token: this process's, or a new one.
    async fn client_token(
        &mut self,
        client: &Client,
        egress: &sluice_domain::net::Egress,
        source: &str,
        force: bool,
        log: &mut Vec<String>,
    ) -> Result<String, ConnectorError> {
        let key = format!("{source}\u{0}{}", config_str(&self.config, "client_id", ""));
        if !force
            && let Some((token, at)) = CLIENT_TOKENS
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_ref()
                .and_then(|m| m.get(&key).cloned())
            && at - now_secs() > RENEW_MARGIN.as_secs() as i64
        {
            return Ok(token);
        }
        let mut form = vec![("grant_type", "client_credentials".to_string())];
        let scope = config_str(&self.config, "scope", "").trim().to_string();
        if !scope.is_empty() {
            form.push(("scope", scope));
        }
        let answer = self.grant(client, egress, form).await?;
        let at = now_secs() + answer.expires_in.unwrap_or(3600);
        self.redactor = std::mem::take(&mut self.redactor).with(&answer.access_token);
        CLIENT_TOKENS
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert_with(HashMap::new)
            .insert(key, (answer.access_token.clone(), at));
        log.push(format!(
            "Got an access token for the client (valid for {} s).",
            answer.expires_in.unwrap_or(3600)
        ));
        Ok(answer.access_token)
    }

    /// The refresh-token grant's access token: the one held while it has
    /// more than [`RENEW_MARGIN`] left, else the stored one if another
    /// process renewed it, else a new one, written back with the rotated
    /// refresh token.
    async fn refreshed_token(
        &mut self,
        client: &Client,
        egress: &sluice_domain::net::Egress,
        credentials: Option<&dyn Credentials>,
        force: bool,
        log: &mut Vec<String>,
    ) -> Result<String, ConnectorError> {
        let fresh = |t: &Option<(String, i64)>| {
            t.as_ref()
                .filter(|(_, at)| at - now_secs() > RENEW_MARGIN.as_secs() as i64)
                .map(|(t, _)| t.clone())
        };
        if !force && let Some(t) = fresh(&self.token) {
            return Ok(t);
        }
        if let Some(store) = credentials {
            let stored = store.load().await?;
            let token = stored.get("access_token").and_then(Value::as_str).map(|t| {
                (
                    t.to_string(),
                    stored
                        .get("access_token_expires_at")
                        .and_then(Value::as_i64)
                        .unwrap_or(0),
                )
            });
            let renewed_elsewhere = token.is_some()
                && token.as_ref().map(|(t, _)| t.as_str())
                    != self.token.as_ref().map(|(t, _)| t.as_str());
            if let Some(rt) = stored.get("refresh_token").and_then(Value::as_str) {
                self.config
                    .insert("refresh_token".into(), Value::String(rt.to_string()));
                self.redactor = std::mem::take(&mut self.redactor).with(rt);
            }
            if (!force || renewed_elsewhere)
                && let Some(t) = fresh(&token)
            {
                self.redactor = std::mem::take(&mut self.redactor).with(&t);
                self.token = token;
                return Ok(t);
            }
        }
        let refresh = config_str(&self.config, "refresh_token", "").to_string();
        let answer = self
            .grant(
                client,
                egress,
                vec![
                    ("grant_type", "refresh_token".to_string()),
                    ("refresh_token", refresh.clone()),
                ],
            )
            .await?;
        let at = now_secs() + answer.expires_in.unwrap_or(3600);
        let rotated = answer.refresh_token.clone().filter(|r| *r != refresh);
        self.redactor = std::mem::take(&mut self.redactor).with(&answer.access_token);
        if let Some(r) = &rotated {
            self.redactor = std::mem::take(&mut self.redactor).with(r);
            self.config
                .insert("refresh_token".into(), Value::String(r.clone()));
        }
        self.token = Some((answer.access_token.clone(), at));
        let mut saved = Map::new();
        saved.insert(
            "access_token".into(),
            Value::String(answer.access_token.clone()),
        );
        saved.insert("access_token_expires_at".into(), Value::from(at));
        if let Some(r) = &rotated {
            saved.insert("refresh_token".into(), Value::String(r.clone()));
        }
        match credentials {
            Some(store) => store.save(&saved).await?,
            // A rotated refresh token that cannot be kept would lock the
            // source out after this step.
            None if rotated.is_some() => {
                return Err(ConnectorError::upstream(
                    "the provider rotated the refresh token, and it cannot be stored from here; run the source instead",
                    false,
                ));
            }
            None => {}
        }
        log.push(format!(
            "Renewed the access token (valid for {} s){}.",
            answer.expires_in.unwrap_or(3600),
            if rotated.is_some() {
                "; the provider rotated the refresh token, and the new one is stored"
            } else {
                ""
            }
        ));
        Ok(answer.access_token)
    }

    /// An OAuth 2.0 token request (RFC 6749 §4.4, §6): the client
    /// authenticates with HTTP basic auth and in the form (providers differ
    /// in which they read).
    async fn grant(
        &self,
        client: &Client,
        egress: &sluice_domain::net::Egress,
        mut form: Vec<(&'static str, String)>,
    ) -> Result<TokenAnswer, ConnectorError> {
        let url = config_str(&self.config, "token_url", "").trim().to_string();
        if url.is_empty() {
            return Err(ConnectorError::config(
                "token_url",
                format!("is required for auth `{}`", self.kind.name()),
            ));
        }
        let id = config_str(&self.config, "client_id", "").to_string();
        let secret = config_str(&self.config, "client_secret", "").to_string();
        form.push(("client_id", id.clone()));
        form.push(("client_secret", secret.clone()));
        let shown = self.redactor.redact(&url);
        // Where the grant may go, as for the API's own requests: the client's
        // resolver checks names, this checks an address written in the URL.
        let parsed = Url::parse(&url)
            .map_err(|_| ConnectorError::config("token_url", "must be an https:// URL"))?;
        crate::egress::check_url(egress, &parsed).map_err(|e| {
            ConnectorError::upstream(
                format!("the token endpoint {shown} is out of reach: {}", e.0),
                false,
            )
        })?;
        let resp = client
            .post(parsed)
            .basic_auth(id, Some(secret))
            .form(&form)
            .send()
            .await
            .map_err(|e| {
                ConnectorError::upstream(
                    self.redactor.redact(&format!(
                        "the token endpoint {shown} did not answer: {}",
                        error_chain(&e.without_url())
                    )),
                    true,
                )
            })?;
        let status = resp.status();
        let body = resp.bytes().await.unwrap_or_default();
        if !status.is_success() {
            let text = self
                .redactor
                .redact(&excerpt(&String::from_utf8_lossy(&body), 200));
            // 400/401 with `invalid_grant` or `invalid_client`: the grant is
            // refused, and retrying will not change that.
            return Err(ConnectorError::upstream(
                format!(
                    "the token endpoint {shown} answered {status}: {text}; check client_id, client_secret{}",
                    if self.kind == Auth::OAuthRefreshToken {
                        " and refresh_token (sign in again to get a new one)"
                    } else {
                        ""
                    }
                ),
                status.is_server_error() || status.as_u16() == 429,
            ));
        }
        serde_json::from_slice::<TokenAnswer>(&body).map_err(|_| {
            ConnectorError::upstream(
                format!("the token endpoint {shown} answered without an access_token"),
                false,
            )
        })
    }
}

fn sensitive(value: &str, field: &str) -> Result<HeaderValue, ConnectorError> {
    let mut v = HeaderValue::from_str(value.trim())
        .map_err(|_| ConnectorError::config(field, "is not a valid header value"))?;
    v.set_sensitive(true);
    Ok(v)
}
