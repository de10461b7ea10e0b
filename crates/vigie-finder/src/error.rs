//! Typed errors of the finder core.

/// Everything that can go wrong in this crate (bad parameters, unreadable embedded data).
#[derive(Debug, thiserror::Error)]
pub enum FinderError {
    /// A search or places parameter is invalid; `param` names it (the API answers 400).
    #[error("invalid parameter `{param}`: {message}")]
    InvalidParam {
        param: &'static str,
        message: String,
    },
    /// A place (commune, postcode, department) is unknown.
    #[error("unknown {kind} `{code}`")]
    UnknownPlace { kind: &'static str, code: String },
    /// A time string of a snapshot could not be read.
    #[error("invalid time `{value}`: {message}")]
    Time { value: String, message: String },
    /// The embedded place table could not be read.
    #[error("embedded place table: {0}")]
    Places(String),
    /// Writing CSV failed.
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    /// JSON (de)serialisation failed.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}
