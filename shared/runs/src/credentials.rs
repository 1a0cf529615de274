//! A source's stored secret fields as a connector reads and renews them: what
//! an OAuth provider sends back (an access token, a rotated refresh token) is
//! merged into the source's secret, so the next step, run and process start
//! from it.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Map, Value};
use sluice_connectors::{ConnectorError, Credentials};
use sluice_domain::entities::Source;
use sluice_domain::ports::{SecretValue, Secrets};

pub(crate) struct SourceCredentials {
    secrets: Arc<dyn Secrets>,
    /// Where its secret fields are stored; `None` when it has none.
    name: Option<String>,
    source: String,
}

impl SourceCredentials {
    pub(crate) fn of(secrets: &Arc<dyn Secrets>, source: &Source) -> SourceCredentials {
        SourceCredentials {
            secrets: secrets.clone(),
            name: source.settings.secret_ref.clone(),
            source: source.meta.id.to_string(),
        }
    }

    async fn stored(&self, name: &str) -> Result<Map<String, Value>, ConnectorError> {
        let value = self.secrets.get(name).await.map_err(|e| {
            ConnectorError::upstream(format!("reading the source's secret fields: {e}"), true)
        })?;
        match value {
            None => Ok(Map::new()),
            Some(v) => serde_json::from_str(v.expose()).map_err(|_| {
                ConnectorError::upstream("the source's secret fields do not parse", false)
            }),
        }
    }
}

#[async_trait]
impl Credentials for SourceCredentials {
    fn source(&self) -> &str {
        &self.source
    }

    async fn load(&self) -> Result<Map<String, Value>, ConnectorError> {
        match &self.name {
            Some(name) => self.stored(name).await,
            None => Ok(Map::new()),
        }
    }

    async fn save(&self, fields: &Map<String, Value>) -> Result<(), ConnectorError> {
        let Some(name) = &self.name else {
            return Err(ConnectorError::upstream(
                "the source has no stored secret fields to keep a renewed token in; set its credentials again",
                false,
            ));
        };
        let mut all = self.stored(name).await?;
        all.extend(fields.clone());
        let json = Value::Object(all).to_string();
        self.secrets
            .put(name, &SecretValue::new(json))
            .await
            .map_err(|e| ConnectorError::upstream(format!("storing the renewed token: {e}"), true))
    }
}
