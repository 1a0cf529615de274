//! Secrets in AWS Secrets Manager, one secret per name (behind an optional prefix such
//! as `sluice/prod/`), its value the JSON object of secret fields as `SecretString`.
//!
//! | operation | calls |
//! | --- | --- |
//! | put | PutSecretValue (a new `AWSCURRENT` version); CreateSecret when the secret does not exist; RestoreSecret first when it is scheduled for deletion |
//! | get | GetSecretValue of `AWSCURRENT`; missing or scheduled for deletion → `None` |
//! | delete | DeleteSecret with `ForceDeleteWithoutRecovery`; missing → done |
//!
//! Values never reach an error message or a log line: errors name the secret and
//! carry the service's answer, which never echoes the value.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::DisplayErrorContext;
use sluice_domain::ports::{SecretValue, Secrets, SecretsError};
use tracing::instrument;

/// Rounds of a put racing another writer or a deletion still in progress.
const PUT_ATTEMPTS: u32 = 5;

/// The secrets store on Secrets Manager.
#[derive(Debug, Clone)]
pub struct SecretsManagerSecrets {
    client: Client,
    prefix: String,
}

impl SecretsManagerSecrets {
    pub fn new(client: Client) -> Self {
        SecretsManagerSecrets {
            client,
            prefix: String::new(),
        }
    }

    /// A store with its own client, built from `config` (a Lambda function's: `sluice_lambda::sdk_config`).
    pub fn from_sdk_config(config: &aws_config::SdkConfig) -> Self {
        SecretsManagerSecrets::new(Client::new(config))
    }

    /// Stores every secret under `prefix` (`sluice/prod/`): the port's names stay
    /// short and an IAM policy can grant exactly the prefix.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    fn secret_id(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// Whether the secret is scheduled for deletion (or already gone), which is what
    /// an `InvalidRequestException` on a read or a write most often means.
    async fn is_deleted(&self, id: &str) -> Result<bool, SecretsError> {
        match self.client.describe_secret().secret_id(id).send().await {
            Ok(out) => Ok(out.deleted_date().is_some()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                Ok(true)
            }
            Err(e) => Err(backend("DescribeSecret", id, e)),
        }
    }
}

fn backend(operation: &str, id: &str, e: impl std::error::Error) -> SecretsError {
    SecretsError::backend(format!(
        "Secrets Manager {operation} of `{id}`: {}",
        DisplayErrorContext(e)
    ))
}

#[async_trait]
impl Secrets for SecretsManagerSecrets {
    #[instrument(level = "debug", skip_all, fields(name = %name))]
    async fn put(&self, name: &str, value: &SecretValue) -> Result<(), SecretsError> {
        let id = self.secret_id(name);
        for attempt in 1..=PUT_ATTEMPTS {
            let put = self
                .client
                .put_secret_value()
                .secret_id(&id)
                .secret_string(value.expose())
                .send()
                .await;
            let err = match put {
                Ok(_) => return Ok(()),
                Err(e) => e,
            };
            let service = err.as_service_error();
            if service.is_some_and(|e| e.is_resource_not_found_exception()) {
                let created = self
                    .client
                    .create_secret()
                    .name(&id)
                    .secret_string(value.expose())
                    .send()
                    .await;
                match created {
                    Ok(_) => return Ok(()),
                    // Another writer created it meanwhile: store a version on top.
                    Err(e)
                        if e.as_service_error()
                            .is_some_and(|e| e.is_resource_exists_exception()) =>
                    {
                        continue;
                    }
                    // A forced deletion is still finishing (AWS deletes asynchronously).
                    Err(e)
                        if e.as_service_error()
                            .is_some_and(|e| e.is_invalid_request_exception())
                            && attempt < PUT_ATTEMPTS =>
                    {
                        tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
                        continue;
                    }
                    Err(e) => return Err(backend("CreateSecret", &id, e)),
                }
            }
            if service.is_some_and(|e| e.is_invalid_request_exception())
                && self.is_deleted(&id).await?
            {
                // Scheduled for deletion by someone else: a put brings it back, as the
                // current version.
                match self.client.restore_secret().secret_id(&id).send().await {
                    Ok(_) => continue,
                    Err(e)
                        if e.as_service_error()
                            .is_some_and(|e| e.is_resource_not_found_exception()) =>
                    {
                        continue;
                    }
                    Err(e) => return Err(backend("RestoreSecret", &id, e)),
                }
            }
            return Err(backend("PutSecretValue", &id, err));
        }
        Err(SecretsError::backend(format!(
            "Secrets Manager: `{id}` kept changing (created or deleted by another writer) during {PUT_ATTEMPTS} attempts to store it; retry"
        )))
    }

    #[instrument(level = "debug", skip_all, fields(name = %name))]
    async fn get(&self, name: &str) -> Result<Option<SecretValue>, SecretsError> {
        let id = self.secret_id(name);
        match self.client.get_secret_value().secret_id(&id).send().await {
            Ok(out) => match out.secret_string {
                Some(value) => Ok(Some(SecretValue::new(value))),
                None => Err(SecretsError::backend(format!(
                    "Secrets Manager secret `{id}` holds a binary value; Sluice stores JSON strings"
                ))),
            },
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                Ok(None)
            }
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_invalid_request_exception()) =>
            {
                if self.is_deleted(&id).await? {
                    Ok(None)
                } else {
                    Err(backend("GetSecretValue", &id, e))
                }
            }
            Err(e) => Err(backend("GetSecretValue", &id, e)),
        }
    }

    #[instrument(level = "debug", skip_all, fields(name = %name))]
    async fn delete(&self, name: &str) -> Result<(), SecretsError> {
        let id = self.secret_id(name);
        match self
            .client
            .delete_secret()
            .secret_id(&id)
            .force_delete_without_recovery(true)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                Ok(())
            }
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_invalid_request_exception()) =>
            {
                if self.is_deleted(&id).await? {
                    Ok(())
                } else {
                    Err(backend("DeleteSecret", &id, e))
                }
            }
            Err(e) => Err(backend("DeleteSecret", &id, e)),
        }
    }
}
