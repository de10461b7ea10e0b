//! Typed errors of the parsers: every input-derived failure is a value, never a panic.

use crate::model::Platform;

/// What can go wrong when reading a platform's answer.
#[derive(Debug, thiserror::Error)]
pub enum SlotError {
    /// The body is not JSON or does not have the expected shape (schema drift, wrong types).
    #[error("{platform}: {what}: unexpected response shape: {source}")]
    Shape {
        platform: Platform,
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// A field has a value we cannot interpret (e.g. a date-time that does not parse).
    #[error("{platform}: {field}: invalid value {value:?}: {reason}")]
    Value {
        platform: Platform,
        field: &'static str,
        value: String,
        reason: String,
    },
    /// The platform refused the request (HTTP 403): it blocks us.
    #[error("{platform}: blocked (HTTP {status}) on {url}")]
    Blocked {
        platform: Platform,
        status: u16,
        url: String,
    },
    /// Any other unexpected HTTP status.
    #[error("{platform}: HTTP {status} on {url}")]
    Http {
        platform: Platform,
        status: u16,
        url: String,
    },
    /// The booking URL does not carry what the platform needs (centre id, campaign, …).
    #[error("{platform}: unusable booking URL {url:?}: {reason}")]
    Url {
        platform: Platform,
        url: String,
        reason: &'static str,
    },
    /// The driver broke the flow protocol: it did not hand one answer per request sent.
    #[error("{platform}: the flow sent {sent} requests but received {received} answers")]
    Protocol {
        platform: Platform,
        sent: usize,
        received: usize,
    },
    /// The time zone database lacks a zone we need.
    #[error("time zone {zone} unavailable: {reason}")]
    TimeZone { zone: &'static str, reason: String },
}

impl SlotError {
    pub(crate) fn value(
        platform: Platform,
        field: &'static str,
        value: &str,
        reason: impl std::fmt::Display,
    ) -> Self {
        SlotError::Value {
            platform,
            field,
            value: value.chars().take(80).collect(),
            reason: reason.to_string(),
        }
    }
}

/// Deserialises `body` into `T`, mapping failures to [`SlotError::Shape`].
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    platform: Platform,
    what: &'static str,
    body: &[u8],
) -> Result<T, SlotError> {
    serde_json::from_slice(body).map_err(|source| SlotError::Shape {
        platform,
        what,
        source,
    })
}
