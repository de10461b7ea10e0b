//! Publishes a static site (the tree `vigie publish` exports) to any object store — an
//! S3-compatible bucket (Garage, MinIO, AWS, Scaleway…) through `object_store`, or a local
//! directory — so that readers never see a partial release.
//!
//! Protocol ([`publish`]):
//! 1. every file is uploaded under the immutable `PREFIX/releases/<id>/` with its
//!    `Content-Type`, `Cache-Control: public, max-age=31536000, immutable`, optional
//!    `Content-Encoding: gzip` ([`Compression`]) and its SHA-256 as user metadata; objects
//!    already there with the same size and SHA-256 are skipped (a re-run resumes);
//! 2. the release folder is listed and every object's size checked;
//! 3. only then the pointers are written: `PREFIX/index.html` (a redirect) and last
//!    `PREFIX/current.json` ([`Pointer`]), both with a short `Cache-Control`;
//! 4. releases other than the current one and the `keep` most recent are deleted.
//!
//! A publish killed at any point leaves the previous pointer, and the complete release it
//! names, untouched. See `README.md` for the reader protocol.

mod layout;
mod target;
mod upload;

pub use layout::{
    CACHE_IMMUTABLE, CACHE_POINTER, Compression, ENTRY, META_SHA256, POINTER, Pointer, RELEASES,
    content_type, entry_html, join, release_dir, to_prune, valid_release_id,
};
pub use object_store;
pub use target::{S3Config, Target, is_loopback_http, s3_store};
pub use upload::{Destination, Options, Summary, publish, read_pointer};

/// Errors of a publish.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The destination cannot be parsed.
    #[error("destination {0}: {1}")]
    Target(String, &'static str),
    /// No credentials for an S3 destination.
    #[error(
        "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or --s3-access-key-id / --s3-secret-access-key)"
    )]
    NoCredentials,
    /// A plain-HTTP endpoint that is not on loopback, without explicit permission.
    #[error("endpoint {0} is plain HTTP and not on loopback: use https:// or pass --s3-allow-http")]
    PlainHttp(String),
    /// The release id cannot name a folder.
    #[error("invalid release id {0:?}")]
    ReleaseId(String),
    /// Reading the local site failed.
    #[error("reading {path}: {source}")]
    Io {
        /// File or directory.
        path: std::path::PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The local site has no files.
    #[error("{0}: nothing to publish (no files)")]
    Empty(std::path::PathBuf),
    /// The store refused or failed an operation.
    #[error("{op} {key}: {source}")]
    Store {
        /// Operation (`put`, `list`, `get`…).
        op: &'static str,
        /// Key or prefix concerned.
        key: String,
        /// Cause.
        source: object_store::Error,
    },
    /// After the upload, an object is missing or has the wrong size: the pointer was not moved.
    #[error("verification failed for {key}: expected {expected} bytes, found {found:?}")]
    Verify {
        /// Key.
        key: String,
        /// Size uploaded.
        expected: u64,
        /// Size listed (None: missing).
        found: Option<u64>,
    },
}

impl Error {
    /// A short hint for the most common store failures (unreachable, missing bucket, denied).
    pub fn hint(&self) -> Option<&'static str> {
        let Self::Store { source, .. } = self else {
            return None;
        };
        let text = format!("{source:?} {source}");
        let denied = matches!(
            source,
            object_store::Error::PermissionDenied { .. }
                | object_store::Error::Unauthenticated { .. }
        );
        if text.contains("NoSuchBucket") {
            Some("the bucket does not exist (create it first, e.g. `garage bucket create NAME`)")
        } else if denied
            || [
                "AccessDenied",
                "InvalidAccessKeyId",
                "SignatureDoesNotMatch",
                "403 Forbidden",
            ]
            .iter()
            .any(|t| text.contains(t))
        {
            Some("access denied: check the key, its secret and its rights on the bucket")
        } else if [
            "error sending request",
            "Connect",
            "connect",
            "timed out",
            "dns error",
        ]
        .iter()
        .any(|t| text.contains(t))
        {
            Some("the endpoint is unreachable: check --s3-endpoint and that the server is running")
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(source: object_store::Error) -> Error {
        Error::Store {
            op: "get",
            key: "site/current.json".into(),
            source,
        }
    }

    fn generic(text: &str) -> object_store::Error {
        object_store::Error::Generic {
            store: "S3",
            source: text.to_string().into(),
        }
    }

    #[test]
    fn hints_name_the_usual_causes() {
        let bucket = store(generic("404 Not Found: <Code>NoSuchBucket</Code>"));
        assert!(
            bucket
                .hint()
                .is_some_and(|h| h.contains("bucket does not exist"))
        );
        let denied = store(object_store::Error::PermissionDenied {
            path: "x".into(),
            source: "403 Forbidden".into(),
        });
        assert!(denied.hint().is_some_and(|h| h.contains("access denied")));
        // A duration that happens to contain 403 is not a refusal.
        let down = store(generic(
            "Error performing GET in 403.1ms, after 3 retries - HTTP error: error sending request",
        ));
        assert!(down.hint().is_some_and(|h| h.contains("unreachable")));
        assert_eq!(store(generic("500 Internal Server Error")).hint(), None);
        assert_eq!(Error::NoCredentials.hint(), None);
    }
}
