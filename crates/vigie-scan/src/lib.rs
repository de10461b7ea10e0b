//! `vigie scan`: the polite HTTP engine that drives the pure slot connectors of
//! `vigie-slots`, with record/replay of the exchanges and the availability history store.
//!
//! * [`client::HttpClient`]: live, live + recording, replay (no network), in-memory.
//! * [`recording`]: the recording format (`exchanges.jsonl`) and its matching rules.
//! * [`policy`]: per-platform concurrency, request budget (token bucket), timeouts, retries
//!   with exponential backoff and jitter, `Retry-After`, headers and API keys.
//! * [`breaker`]: the per-platform circuit breaker (pure state machine).
//! * [`runner`]: [`runner::Scanner::scan`] → [`runner::ScanRun`] (per-centre results and
//!   per-platform reports, serialisable).
//! * [`history`]: one availability point per run in SQLite.
//!
//! This crate is an I/O edge: it owns the network, the recording files, the database and the
//! monotonic clock used for timeouts and budgets. The run time is passed in.

pub mod breaker;
pub mod client;
pub mod dir;
pub mod history;
pub mod policy;
pub mod recording;
pub mod runner;

pub use breaker::{Breaker, BreakerConfig, BreakerMemory, BreakerState};
pub use client::{ClientError, HttpClient, RawResponse, Responder, TransportError};
pub use history::{HistoryError, HistoryPoint, HistoryRow, HistoryStore, SeriesFilter};
pub use policy::{DEFAULT_USER_AGENT, PlatformPolicy, RetryPolicy};
pub use recording::{MissingRequest, RecordedExchange, RecordingError, Replay};
pub use runner::{
    CentreError, CentreResult, CentreTarget, Connectors, ErrorClass, OutcomeSummary,
    PlatformReport, PlatformStatus, Preparation, ScanConfig, ScanRun, Scanner, scan,
};
