//! Destinations (`DIR`, `file://PATH`, `s3://BUCKET/PREFIX`) and the S3 client settings.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, RetryConfig};

use crate::Error;

/// Where a site is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A local directory, switched in atomically as a whole.
    Dir(PathBuf),
    /// A bucket of an S3-compatible store, with a key prefix (possibly empty, no slashes at
    /// either end).
    S3 {
        /// Bucket name.
        bucket: String,
        /// Key prefix.
        prefix: String,
    },
}

impl Target {
    /// Parses `DIR`, `file://PATH` or `s3://BUCKET[/PREFIX]`.
    pub fn parse(s: &str) -> Result<Self, Error> {
        if let Some(path) = s.strip_prefix("file://") {
            if path.is_empty() {
                return Err(Error::Target(s.to_string(), "empty path"));
            }
            return Ok(Self::Dir(PathBuf::from(path)));
        }
        if let Some(rest) = s.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let ok_bucket = (3..=63).contains(&bucket.len())
                && bucket.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                });
            if !ok_bucket {
                return Err(Error::Target(
                    s.to_string(),
                    "bucket names are 3 to 63 of a-z 0-9 . -",
                ));
            }
            let prefix = prefix.trim_matches('/');
            if prefix.split('/').any(|p| p == "." || p == "..")
                || prefix.contains("//")
                || prefix.contains('\\')
            {
                return Err(Error::Target(s.to_string(), "invalid key prefix"));
            }
            return Ok(Self::S3 {
                bucket: bucket.to_string(),
                prefix: prefix.to_string(),
            });
        }
        if s.contains("://") {
            return Err(Error::Target(
                s.to_string(),
                "supported destinations are a directory, file://PATH and s3://BUCKET/PREFIX",
            ));
        }
        if s.is_empty() {
            return Err(Error::Target(s.to_string(), "empty path"));
        }
        Ok(Self::Dir(PathBuf::from(s)))
    }
}

/// Client settings of an S3-compatible store.
#[derive(Debug, Clone, Default)]
pub struct S3Config {
    /// Endpoint URL (`https://s3.example.org`, `http://127.0.0.1:3900`); AWS when absent.
    pub endpoint: Option<String>,
    /// Region (`garage` for Garage's default, `us-east-1`…).
    pub region: String,
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Path-style requests (`ENDPOINT/BUCKET/KEY`) instead of virtual-hosted ones.
    pub path_style: bool,
    /// Allow plain HTTP to an endpoint that is not on loopback.
    pub allow_http: bool,
    /// Per-request timeout (also bounds connection attempts).
    pub timeout: Duration,
}

/// Whether an `http://` endpoint points at the loopback interface.
pub fn is_loopback_http(endpoint: &str) -> bool {
    let Some(rest) = endpoint.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or("");
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    host == "localhost" || host == "::1" || host.starts_with("127.")
}

/// Builds the client of `bucket` (no request is sent).
pub fn s3_store(bucket: &str, cfg: &S3Config) -> Result<Arc<dyn ObjectStore>, Error> {
    if cfg.access_key_id.is_empty() || cfg.secret_access_key.is_empty() {
        return Err(Error::NoCredentials);
    }
    let mut allow_http = false;
    if let Some(ep) = &cfg.endpoint {
        if ep.starts_with("http://") {
            if !(cfg.allow_http || is_loopback_http(ep)) {
                return Err(Error::PlainHttp(ep.clone()));
            }
            allow_http = true;
        } else if !ep.starts_with("https://") {
            return Err(Error::Target(
                ep.clone(),
                "the endpoint must be an http:// or https:// URL",
            ));
        }
    }
    let timeout = if cfg.timeout.is_zero() {
        Duration::from_secs(30)
    } else {
        cfg.timeout
    };
    let client = ClientOptions::new()
        .with_allow_http(allow_http)
        .with_connect_timeout(timeout.min(Duration::from_secs(5)))
        .with_timeout(timeout);
    let retry = RetryConfig {
        backoff: BackoffConfig::default(),
        max_retries: 3,
        retry_timeout: timeout,
    };
    let region = if cfg.region.is_empty() {
        "us-east-1"
    } else {
        &cfg.region
    };
    let mut b = AmazonS3Builder::new()
        .with_bucket_name(bucket)
        .with_region(region)
        .with_access_key_id(&cfg.access_key_id)
        .with_secret_access_key(&cfg.secret_access_key)
        .with_virtual_hosted_style_request(!cfg.path_style)
        .with_allow_http(allow_http)
        .with_client_options(client)
        .with_retry(retry);
    if let Some(ep) = &cfg.endpoint {
        b = b.with_endpoint(ep);
    }
    let store = b.build().map_err(|e| Error::Store {
        op: "configure",
        key: bucket.to_string(),
        source: e,
    })?;
    Ok(Arc::new(store))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_parse() -> Result<(), Error> {
        assert_eq!(Target::parse("site")?, Target::Dir("site".into()));
        assert_eq!(
            Target::parse("file:///tmp/x")?,
            Target::Dir("/tmp/x".into())
        );
        assert_eq!(
            Target::parse("s3://opendata/vigie/site/")?,
            Target::S3 {
                bucket: "opendata".into(),
                prefix: "vigie/site".into()
            }
        );
        assert_eq!(
            Target::parse("s3://opendata")?,
            Target::S3 {
                bucket: "opendata".into(),
                prefix: String::new()
            }
        );
        assert!(Target::parse("s3://Bad_Bucket/x").is_err());
        assert!(Target::parse("s3://bucket/a/../b").is_err());
        assert!(Target::parse("gs://bucket/x").is_err());
        Ok(())
    }

    #[test]
    fn http_only_on_loopback_or_explicitly() {
        assert!(is_loopback_http("http://127.0.0.1:3900"));
        assert!(is_loopback_http("http://localhost:3900/"));
        assert!(is_loopback_http("http://[::1]:3900"));
        assert!(!is_loopback_http("http://s3.example.org"));
        assert!(!is_loopback_http("https://127.0.0.1"));
        let mut cfg = S3Config {
            endpoint: Some("http://s3.example.org".into()),
            region: "garage".into(),
            access_key_id: "GK1".into(),
            secret_access_key: "s".into(),
            ..S3Config::default()
        };
        assert!(matches!(s3_store("bucket", &cfg), Err(Error::PlainHttp(_))));
        cfg.allow_http = true;
        assert!(s3_store("bucket", &cfg).is_ok());
        cfg.access_key_id.clear();
        assert!(matches!(
            s3_store("bucket", &cfg),
            Err(Error::NoCredentials)
        ));
    }
}
