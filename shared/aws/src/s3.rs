//! The object store on S3: one bucket, every key of the port stored under an optional
//! adapter prefix (`raw/`, `tenants/acme/`…), which listings strip again, so the port's
//! keys are the same on S3 and in `sluice-local`'s directory. It passes the same
//! contract suite as the directory store.
//!
//! | operation | calls |
//! | --- | --- |
//! | put | `check_object_key`, then PutObject of `{prefix}{key}` (one request: S3 makes the new object visible whole, or not at all) |
//! | get | `check_object_key`, then GetObject of `{prefix}{key}`, the body read whole; `NoSuchKey` → `None` |
//! | list | ListObjectsV2 with `Prefix` = `{prefix}{list prefix}`, every page (`ContinuationToken`); keys returned without the adapter prefix, sorted by key, `Size` → `size` |
//! | delete | `check_object_key`, then DeleteObject of `{prefix}{key}`; S3 answers a missing key with success |
//!
//! Clients are built by [`s3_config_from`] with path-style addressing
//! (`http://host/bucket/key`): emulators such as moto on `127.0.0.1` cannot serve
//! virtual-host style (`bucket.host`), and AWS still serves path style. The list
//! prefix is not a key, so it is not checked: it only narrows the listing (under the
//! adapter prefix, whatever it holds).
//!
//! Object bytes never reach an error message or a log line: errors name the bucket,
//! the key and the call, and carry the service's answer.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use sluice_domain::ports::{ObjectError, ObjectInfo, ObjectStore, check_object_key};
use tracing::instrument;

use crate::error::Error;

/// The S3 client configuration of `config` (a Lambda function's: `sluice_lambda::sdk_config`) with path-style
/// addressing forced.
pub fn s3_config_from(config: &aws_config::SdkConfig) -> aws_sdk_s3::Config {
    aws_sdk_s3::config::Builder::from(config)
        .force_path_style(true)
        .build()
}

/// The object store on one S3 bucket, under an optional key prefix.
#[derive(Debug, Clone)]
pub struct S3Objects {
    client: Client,
    bucket: String,
    prefix: String,
}

impl S3Objects {
    /// `client` should come from [`s3_config_from`] (path style).
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        S3Objects {
            client,
            bucket: bucket.into(),
            prefix: String::new(),
        }
    }

    /// A store with its own client, built from `config` by [`s3_config_from`].
    pub fn from_sdk_config(config: &aws_config::SdkConfig, bucket: impl Into<String>) -> Self {
        S3Objects::new(Client::from_conf(s3_config_from(config)), bucket)
    }

    /// Stores every object under `prefix`, prepended as is (end it with `/` for a
    /// folder: `sluice/prod/`): the port's keys stay the same and an IAM policy can
    /// grant exactly the prefix.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The S3 key of a port key, checked first.
    fn s3_key(&self, key: &str) -> Result<String, ObjectError> {
        check_object_key(key)?;
        Ok(format!("{}{key}", self.prefix))
    }

    fn backend(&self, operation: &str, key: &str, e: impl std::error::Error) -> ObjectError {
        ObjectError::backend(format!(
            "S3 {operation} of `{key}` in bucket `{}`: {}",
            self.bucket,
            DisplayErrorContext(e)
        ))
    }
}

#[async_trait]
impl ObjectStore for S3Objects {
    #[instrument(level = "debug", skip_all, fields(bucket = %self.bucket, key = %key, size = bytes.len()))]
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), ObjectError> {
        let s3_key = self.s3_key(key)?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(&s3_key)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| self.backend("PutObject", &s3_key, e))?;
        Ok(())
    }

    /// Streams the file from disk (up to PutObject's 5 GiB, which caps uploads).
    #[instrument(level = "debug", skip_all, fields(bucket = %self.bucket, key = %key))]
    async fn put_file(&self, key: &str, path: &std::path::Path) -> Result<u64, ObjectError> {
        let s3_key = self.s3_key(key)?;
        let len = tokio::fs::metadata(path)
            .await
            .map_err(ObjectError::backend)?
            .len();
        let body = ByteStream::from_path(path)
            .await
            .map_err(ObjectError::backend)?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(&s3_key)
            .content_length(len as i64)
            .body(body)
            .send()
            .await
            .map_err(|e| self.backend("PutObject", &s3_key, e))?;
        Ok(len)
    }

    #[instrument(level = "debug", skip_all, fields(bucket = %self.bucket, key = %key))]
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ObjectError> {
        let s3_key = self.s3_key(key)?;
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(&s3_key)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => {
                return Ok(None);
            }
            Err(e) => return Err(self.backend("GetObject", &s3_key, e)),
        };
        let body = out
            .body
            .collect()
            .await
            .map_err(|e| self.backend("GetObject (reading the body)", &s3_key, e))?;
        Ok(Some(body.into_bytes().to_vec()))
    }

    #[instrument(level = "debug", skip_all, fields(bucket = %self.bucket, key = %key))]
    async fn get_range(
        &self,
        key: &str,
        start: u64,
        len: u64,
    ) -> Result<Option<Vec<u8>>, ObjectError> {
        let s3_key = self.s3_key(key)?;
        if len == 0 {
            return Ok(Some(vec![]));
        }
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(&s3_key)
            .range(format!("bytes={start}-{}", start + len - 1))
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => {
                return Ok(None);
            }
            // 416: the range starts at or past the end.
            Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 416) => {
                return Ok(Some(vec![]));
            }
            Err(e) => return Err(self.backend("GetObject (range)", &s3_key, e)),
        };
        let body = out
            .body
            .collect()
            .await
            .map_err(|e| self.backend("GetObject (reading the range)", &s3_key, e))?;
        let mut bytes = body.into_bytes().to_vec();
        // A server that ignores the range sends the whole object.
        if bytes.len() as u64 > len {
            let from = (start as usize).min(bytes.len());
            bytes = bytes[from..].iter().take(len as usize).copied().collect();
        }
        Ok(Some(bytes))
    }

    #[instrument(level = "debug", skip_all, fields(bucket = %self.bucket, prefix = %prefix))]
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, ObjectError> {
        let s3_prefix = format!("{}{prefix}", self.prefix);
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(&s3_prefix)
            .into_paginator()
            .send();
        let mut out = vec![];
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.backend("ListObjectsV2", &s3_prefix, e))?;
            for object in page.contents.unwrap_or_default() {
                // Every listed key starts with the adapter prefix: S3 matched it.
                let Some(key) = object
                    .key
                    .as_deref()
                    .and_then(|k| k.strip_prefix(&self.prefix))
                else {
                    continue;
                };
                out.push(ObjectInfo {
                    key: key.to_string(),
                    size: object.size.unwrap_or(0).max(0) as u64,
                    modified_ms: object
                        .last_modified
                        .and_then(|t| t.to_millis().ok())
                        .unwrap_or(0),
                });
            }
        }
        // S3 lists in UTF-8 byte order already; sorted here so the port's order does
        // not rest on that.
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    /// CopyObject: S3 copies the bytes inside the bucket (up to 5 GiB, far
    /// above a staged chunk); nothing passes through the function.
    #[instrument(level = "debug", skip_all, fields(bucket = %self.bucket, from = %from, to = %to))]
    async fn copy(&self, from: &str, to: &str) -> Result<bool, ObjectError> {
        use aws_sdk_s3::error::ProvideErrorMetadata;
        let (source, target) = (self.s3_key(from)?, self.s3_key(to)?);
        let encoded =
            percent_encoding::utf8_percent_encode(&source, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
                .replace("%2F", "/");
        match self
            .client
            .copy_object()
            .bucket(&self.bucket)
            .copy_source(format!("{}/{encoded}", self.bucket))
            .key(&target)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().and_then(|e| e.code()) == Some("NoSuchKey") => Ok(false),
            Err(e) => Err(self.backend("CopyObject", &source, e)),
        }
    }

    #[instrument(level = "debug", skip_all, fields(bucket = %self.bucket, key = %key))]
    async fn delete(&self, key: &str) -> Result<(), ObjectError> {
        let s3_key = self.s3_key(key)?;
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(&s3_key)
            .send()
            .await
            .map_err(|e| self.backend("DeleteObject", &s3_key, e))?;
        Ok(())
    }

    /// ListObjectsV2 of one key under this store's prefix: the bucket is there
    /// and these credentials may read it.
    async fn check(&self) -> Result<(), ObjectError> {
        self.client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(&self.prefix)
            .max_keys(1)
            .send()
            .await
            .map_err(|e| self.backend("ListObjectsV2", &self.prefix, e))?;
        Ok(())
    }

    /// A presigned GetObject URL, signed with this client's credentials (SigV4
    /// query parameters, valid for `expires`, at most a week).
    async fn download_url(
        &self,
        key: &str,
        expires: std::time::Duration,
    ) -> Result<Option<String>, ObjectError> {
        let s3_key = self.s3_key(key)?;
        let config = aws_sdk_s3::presigning::PresigningConfig::expires_in(expires)
            .map_err(ObjectError::backend)?;
        let presigned = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(&s3_key)
            .presigned(config)
            .await
            .map_err(|e| self.backend("GetObject (presigned)", &s3_key, e))?;
        Ok(Some(presigned.uri().to_string()))
    }
}

/// Creates the bucket `name` in the client's region (outside `us-east-1` with that
/// region as its `LocationConstraint`, as S3 requires). A bucket this account already
/// owns is returned as it is; a name taken by another account is an error.
#[instrument(skip(client))]
pub async fn create_bucket(client: &Client, name: &str) -> Result<(), Error> {
    let aws = |message: String| Error::Aws {
        operation: format!("S3 CreateBucket of bucket `{name}`"),
        message,
    };
    let mut request = client.create_bucket().bucket(name);
    match client.config().region().map(|r| r.as_ref()) {
        None | Some("us-east-1") => {}
        Some(region) => {
            request = request.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(region))
                    .build(),
            );
        }
    }
    match request.send().await {
        Ok(_) => Ok(()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_bucket_already_owned_by_you()) =>
        {
            Ok(())
        }
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_bucket_already_exists()) =>
        {
            Err(aws(format!(
                "the name is taken by another account (bucket names are global): choose another; {}",
                DisplayErrorContext(e)
            )))
        }
        Err(e) => Err(aws(DisplayErrorContext(e).to_string())),
    }
}
