//! Citizen contributions: anyone can report a missing or wrong centre, a false availability,
//! a wrong figure or a dataset to read, without an account; moderators decide; every decision
//! is public.
//!
//! - [`model`]: the kinds, their fields and how a submission is checked (pure);
//! - [`store`]: the [`Desk`] — contributions, decisions, moderators and sessions in SQLite;
//! - [`overlay`]: what accepted contributions change in the slot finder's data (pure);
//! - [`register`]: the public register as CSV;
//! - [`auth`]: tokens, argon2 hashes, HMAC form tokens.
//!
//! **Invariants:** the register never holds an e-mail or a client address; a contribution is
//! acknowledged only once it is on disk; nothing a contributor wrote is published before a
//! moderator decided (availability reports are counted, never shown as text).

pub mod auth;
pub mod model;
pub mod overlay;
pub mod register;
pub mod store;

pub use model::{Decision, FieldError, Incoming, Kind, Known, Status, Submission};
pub use overlay::Overlay;
pub use store::{Desk, Erratum, Item, QueueFilter, RegisterEntry, Session, Settings, Signal};

use std::path::PathBuf;

/// What can go wrong with the desk.
#[derive(Debug, thiserror::Error)]
pub enum ContribError {
    /// The SQLite file.
    #[error("contributions database: {0}")]
    Db(String),
    /// A file or directory.
    #[error("{}: {error}", path.display())]
    Io { path: PathBuf, error: String },
    /// The operating system's random source.
    #[error("random source: {0}")]
    Random(String),
    /// Hashing a secret.
    #[error("hashing: {0}")]
    Hash(String),
    /// No such contribution.
    #[error("no such contribution")]
    NotFound,
    /// A decision that cannot be taken.
    #[error("{0}")]
    Decision(String),
    /// A moderator that cannot be created.
    #[error("{0}")]
    Moderator(String),
    /// Writing the register.
    #[error("export: {0}")]
    Export(String),
}
