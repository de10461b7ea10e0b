//! The seam for the future HTTP layer: a connector says which requests to send next, given
//! the exchanges so far, and finally what the scan found. Connectors are pure and stateless;
//! the caller owns the HTTP client, politeness, retries and record/replay.
//!
//! ```text
//! let mut exchanges = vec![];
//! loop {
//!     match connector.step(&target, &exchanges)? {
//!         Step::Send(requests) => for r in requests { exchanges.push(http.send(r)) },
//!         Step::Done(outcome) => break outcome,
//!     }
//! }
//! ```

use jiff::civil::Date;

use crate::error::SlotError;
use crate::model::{Platform, ScanOutcome};

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// A request to send. Headers (API keys, `User-Agent`) are the HTTP layer's business.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: Method,
    pub url: String,
    /// JSON body (POST).
    pub body: Option<serde_json::Value>,
    /// What the request is for (`"booking"`, `"slots"`, …), for logs and request counts.
    pub purpose: &'static str,
}

impl Request {
    pub fn get(url: String, purpose: &'static str) -> Self {
        Request {
            method: Method::Get,
            url,
            body: None,
            purpose,
        }
    }
}

/// A request and the answer it got.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    pub request: Request,
    pub status: u16,
    pub body: Vec<u8>,
}

/// What a connector wants next.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Send these requests (in order), append the exchanges, call `step` again.
    Send(Vec<Request>),
    /// The scan is complete.
    Done(ScanOutcome),
}

/// The centre to scan, as the centre list knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanTarget {
    /// Booking URL of the centre.
    pub booking_url: String,
    /// The platform's id of the centre (Bimedoc uuid, Valwin slug, mesoigner id, …).
    pub platform_id: String,
    pub department: Option<String>,
    /// Address as the centre list has it (Doctolib uses it to repair a stale `pid`).
    pub address: Option<String>,
    /// First day of the search (today, in Paris).
    pub start: Date,
    /// Horizon in days ([`crate::DEFAULT_DAYS`]).
    pub days: u16,
    /// Platform data collected by the centre-list builder (Doctolib booking JSON, Keldoc
    /// motive categories), which saves a request.
    pub platform_data: Option<serde_json::Value>,
}

/// One booking platform's scan flow.
pub trait Connector {
    fn platform(&self) -> Platform;

    /// The next step given the exchanges so far (empty at first).
    fn step(&self, target: &ScanTarget, exchanges: &[Exchange]) -> Result<Step, SlotError>;
}

/// Maps a non-2xx status to a typed error (403 = blocked).
pub fn check_status(platform: Platform, exchange: &Exchange) -> Result<(), SlotError> {
    match exchange.status {
        200..=299 => Ok(()),
        403 => Err(SlotError::Blocked {
            platform,
            status: 403,
            url: exchange.request.url.clone(),
        }),
        status => Err(SlotError::Http {
            platform,
            status,
            url: exchange.request.url.clone(),
        }),
    }
}
