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

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::error::SlotError;
use crate::model::{Platform, ScanOutcome};

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    /// `GET` or `POST`.
    pub fn name(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
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

    /// A POST with a JSON body.
    pub fn post(url: String, body: serde_json::Value, purpose: &'static str) -> Self {
        Request {
            method: Method::Post,
            url,
            body: Some(body),
            purpose,
        }
    }

    /// Same method, URL and body (the purpose is a label).
    pub fn same_as(&self, other: &Request) -> bool {
        self.method == other.method && self.url == other.url && self.body == other.body
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

/// One booking platform's scan flow. Implementations are pure and stateless, hence `Send +
/// Sync`: one value can serve every worker.
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

/// The answers received so far, matched to the requests a flow replays: a flow walks its
/// plan from the start at every step, takes the answer of each request it needs
/// ([`Answers::take`]: same method, URL and body; each exchange used once) and queues the
/// requests that have no answer yet. Independent branches (motives, reasons) queue their
/// requests together, so the caller may send them in one batch.
#[derive(Debug)]
pub(crate) struct Answers<'a> {
    exchanges: &'a [Exchange],
    used: Vec<bool>,
    pending: Vec<Request>,
}

impl<'a> Answers<'a> {
    pub(crate) fn new(exchanges: &'a [Exchange]) -> Self {
        Answers {
            exchanges,
            used: vec![false; exchanges.len()],
            pending: Vec::new(),
        }
    }

    /// The answer to `request`, or `None` after queueing it.
    pub(crate) fn take(&mut self, request: Request) -> Option<&'a Exchange> {
        let exchanges = self.exchanges;
        for (i, ex) in exchanges.iter().enumerate() {
            if !self.used[i] && ex.request.same_as(&request) {
                self.used[i] = true;
                return Some(ex);
            }
        }
        if !self.pending.iter().any(|r| r.same_as(&request)) {
            self.pending.push(request);
        }
        None
    }

    /// `Send` the queued requests, or `Done(outcome)` when nothing is missing.
    pub(crate) fn finish(self, outcome: ScanOutcome) -> Step {
        if self.pending.is_empty() {
            Step::Done(outcome)
        } else {
            Step::Send(self.pending)
        }
    }

    /// [`Answers::take`], the answer's status checked ([`check_status`]).
    pub(crate) fn take_ok(
        &mut self,
        platform: Platform,
        request: Request,
    ) -> Result<Option<&'a Exchange>, SlotError> {
        match self.take(request) {
            Some(ex) => check_status(platform, ex).map(|()| Some(ex)),
            None => Ok(None),
        }
    }

    pub(crate) fn is_complete(&self) -> bool {
        self.pending.is_empty()
    }

    pub(crate) fn into_pending(self) -> Vec<Request> {
        self.pending
    }
}

/// The real API origins of each platform (what [`ConnectorConfig::base_urls`] replaces).
pub fn default_origins(platform: Platform) -> &'static [&'static str] {
    match platform {
        Platform::Doctolib => &[
            "https://partners.doctolib.fr",
            "http://partners.doctolib.fr",
        ],
        Platform::Keldoc => &["https://www.keldoc.com", "https://booking.keldoc.com"],
        Platform::Maiia => &["https://www.maiia.com"],
        Platform::Ordoclic => &["https://api.ordoclic.fr"],
        Platform::Mapharma => &["https://mapharma.net"],
        Platform::AvecMonDoc => &["https://api.avecmondoc.com"],
        Platform::Mesoigner => &["https://www.mesoigner.fr"],
        Platform::Bimedoc => &["https://server.bimedoc.com"],
        Platform::Valwin => &["https://pharma-api.epharmacie.pro"],
    }
}

/// Configuration of the connectors: where each platform's API lives. Empty = the real hosts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectorConfig {
    /// Per platform, an origin (`http://127.0.0.1:8080`, optionally with a path prefix)
    /// replacing every API origin of that platform ([`default_origins`]) in the requests.
    pub base_urls: BTreeMap<Platform, String>,
}

impl ConnectorConfig {
    /// Points `platform` at `base` (e.g. a local test server).
    pub fn with_base_url(mut self, platform: Platform, base: impl Into<String>) -> Self {
        self.base_urls
            .insert(platform, base.into().trim_end_matches('/').to_string());
        self
    }

    /// The same base for every platform (a single local server answering all of them).
    pub fn all_at(base: &str) -> Self {
        Platform::ALL
            .iter()
            .fold(ConnectorConfig::default(), |c, p| c.with_base_url(*p, base))
    }
}

/// A connector whose requests go to configured origins instead of the real hosts. Answers
/// are mapped back, so the wrapped flow sees its own URLs.
#[derive(Debug, Clone)]
pub struct Rebased<C> {
    inner: C,
    base: Option<String>,
}

impl<C: Connector> Rebased<C> {
    pub fn new(inner: C, config: &ConnectorConfig) -> Self {
        let base = config.base_urls.get(&inner.platform()).cloned();
        Rebased { inner, base }
    }
}

/// Maps a rebased URL (starting with `base`) back to the platform's real origin: the first
/// origin, except Keldoc's booking API paths (`/api/patients/v2/searches/resource`,
/// `/api/patients/v2/clinics/`), which live on `booking.keldoc.com`, and Doctolib's
/// department pages (`/vaccination-covid-19/`), asked over `http`.
pub fn restore_origin(platform: Platform, base: &str, url: &str) -> String {
    let Some(rest) = url.strip_prefix(base) else {
        return url.to_string();
    };
    let origins = default_origins(platform);
    let origin = match (platform, origins) {
        (Platform::Keldoc, [_, booking, ..])
            if rest.starts_with("/api/patients/v2/searches/resource")
                || rest.starts_with("/api/patients/v2/clinics/") =>
        {
            booking
        }
        (Platform::Doctolib, [_, http, ..]) if rest.starts_with("/vaccination-covid-19/") => http,
        (_, [first, ..]) => first,
        _ => return url.to_string(),
    };
    format!("{origin}{rest}")
}

/// Replaces the first matching origin of `from` by `to` at the start of `url`.
pub fn rebase_url(url: &str, from: &[&str], to: &str) -> String {
    for origin in from {
        if let Some(rest) = url.strip_prefix(origin)
            && (rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'))
        {
            return format!("{to}{rest}");
        }
    }
    url.to_string()
}

/// The two directions of a rebased flow: the flow's requests go to `base`, the answers come
/// back with the platform's own URLs.
pub(crate) struct Rebasing<'a> {
    platform: Platform,
    base: &'a str,
}

impl<'a> Rebasing<'a> {
    pub(crate) fn new(platform: Platform, base: &'a str) -> Self {
        Rebasing { platform, base }
    }

    /// The exchanges as the flow made them (real origins, [`restore_origin`]).
    pub(crate) fn restore(&self, exchanges: &[Exchange]) -> Vec<Exchange> {
        exchanges
            .iter()
            .map(|e| {
                let mut e = e.clone();
                e.request.url = restore_origin(self.platform, self.base, &e.request.url);
                e
            })
            .collect()
    }

    /// The flow's requests sent to `base` instead ([`rebase_url`]).
    pub(crate) fn rebase(&self, requests: Vec<Request>) -> Vec<Request> {
        let origins = default_origins(self.platform);
        requests
            .into_iter()
            .map(|mut r| {
                r.url = rebase_url(&r.url, origins, self.base);
                r
            })
            .collect()
    }
}

impl<C: Connector> Connector for Rebased<C> {
    fn platform(&self) -> Platform {
        self.inner.platform()
    }

    fn step(&self, target: &ScanTarget, exchanges: &[Exchange]) -> Result<Step, SlotError> {
        let Some(base) = &self.base else {
            return self.inner.step(target, exchanges);
        };
        let rebasing = Rebasing::new(self.inner.platform(), base);
        Ok(
            match self.inner.step(target, &rebasing.restore(exchanges))? {
                Step::Send(reqs) => Step::Send(rebasing.rebase(reqs)),
                done => done,
            },
        )
    }
}
