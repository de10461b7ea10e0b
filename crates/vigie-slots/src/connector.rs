//! The seam between the pure platform flows and the HTTP layer. A [`Connector`] starts one
//! [`Flow`] per centre; the flow says which requests to send next and, once it has what it
//! needs, what the scan found. A flow keeps what it parsed: each call of [`Flow::step`]
//! receives only the answers to the requests of the previous step, in the same order, each
//! exactly once, so every platform answer is parsed once (issue 15). The caller owns the HTTP
//! client, politeness, retries and record/replay.
//!
//! ```text
//! let mut flow = connector.start(&target)?;
//! let mut answers = vec![];
//! loop {
//!     match flow.step(std::mem::take(&mut answers))? {
//!         Step::Send(requests) => for r in requests { answers.push(http.send(r)) },
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

/// What a flow wants next.
#[derive(Debug, Clone, PartialEq)]
pub enum Step<T = ScanOutcome> {
    /// Send these requests (in order), append the exchanges, call `step` again.
    Send(Vec<Request>),
    /// The flow is complete: a centre's scan ([`ScanOutcome`]), or `()` for a connector's
    /// preparation ([`Connector::prepare`]).
    Done(T),
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

/// One centre's scan in progress, started by [`Connector::start`]. It owns what it parsed
/// so far; `Send` so that a scan task may hold it across awaits.
pub trait Flow<T = ScanOutcome>: Send {
    /// The next step, given the answers to the requests of the previous [`Step::Send`]: one
    /// exchange per request, in the same order (none at the first call). Every answer is
    /// handed exactly once; a flow never sees an answer again.
    fn step(&mut self, answers: Vec<Exchange>) -> Result<Step<T>, SlotError>;
}

/// One booking platform's scan flow, shared by every worker of a scan; the state of a
/// centre's scan is its [`Flow`]. A connector may keep what it learns once per scan (its
/// [`Connector::prepare`], Keldoc's resolved URLs): the scanner builds its connectors per
/// scan.
pub trait Connector {
    fn platform(&self) -> Platform;

    /// The flow that scans `target` (an error when the target lacks what the platform
    /// needs: a centre id in the booking URL, platform data).
    fn start(&self, target: &ScanTarget) -> Result<Box<dyn Flow>, SlotError>;

    /// Work to do once per scan, before any centre's flow starts, given the scan's targets
    /// of this platform: Mapharma reads its open data when some centre is known by its
    /// campaign URL only. The flow leaves what it learned in the connector; when it fails,
    /// its error is the error of every centre that could not start without it. `None` (the
    /// default): nothing to prepare.
    fn prepare(&self, _targets: &[&ScanTarget]) -> Option<Box<dyn Flow<()>>> {
        None
    }
}

/// Locks what a connector keeps for a scan (a poisoned lock still holds valid data: every
/// writer replaces a whole value).
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Checks that a step received one answer per request it sent (a driver bug otherwise).
pub(crate) fn expect_answers(
    platform: Platform,
    sent: usize,
    answers: &[Exchange],
) -> Result<(), SlotError> {
    if answers.len() == sent {
        Ok(())
    } else {
        Err(SlotError::Protocol {
            platform,
            sent,
            received: answers.len(),
        })
    }
}

/// The one answer of a step that sent one request.
pub(crate) fn only_answer(
    platform: Platform,
    answers: &[Exchange],
) -> Result<&Exchange, SlotError> {
    expect_answers(platform, 1, answers)?;
    answers.first().ok_or(SlotError::Protocol {
        platform,
        sent: 1,
        received: 0,
    })
}

/// The error of a flow stepped after it was done.
pub(crate) fn stepped_after_done(platform: Platform, answers: &[Exchange]) -> SlotError {
    SlotError::Protocol {
        platform,
        sent: 0,
        received: answers.len(),
    }
}

/// A flow of one request: `request`, then `finish` on its answer (its status checked).
pub(crate) struct Single<F> {
    platform: Platform,
    request: Option<Request>,
    finish: Option<F>,
}

impl<F> Single<F>
where
    F: FnOnce(&Exchange) -> Result<ScanOutcome, SlotError> + Send + 'static,
{
    pub(crate) fn boxed(platform: Platform, request: Request, finish: F) -> Box<dyn Flow> {
        Box::new(Single {
            platform,
            request: Some(request),
            finish: Some(finish),
        })
    }
}

impl<F> Flow for Single<F>
where
    F: FnOnce(&Exchange) -> Result<ScanOutcome, SlotError> + Send,
{
    fn step(&mut self, answers: Vec<Exchange>) -> Result<Step, SlotError> {
        if let Some(r) = self.request.take() {
            expect_answers(self.platform, 0, &answers)?;
            return Ok(Step::Send(vec![r]));
        }
        expect_answers(self.platform, 1, &answers)?;
        let finish = self.finish.take().ok_or(SlotError::Protocol {
            platform: self.platform,
            sent: 0,
            received: answers.len(),
        })?;
        let ex = answers.into_iter().next().ok_or(SlotError::Protocol {
            platform: self.platform,
            sent: 1,
            received: 0,
        })?;
        check_status(self.platform, &ex)?;
        finish(&ex).map(Step::Done)
    }
}

/// A flow that needs no request: its outcome is known at the start (a campaign without
/// free places, say).
pub(crate) struct Ready(pub(crate) Platform, pub(crate) Option<ScanOutcome>);

impl Flow for Ready {
    fn step(&mut self, answers: Vec<Exchange>) -> Result<Step, SlotError> {
        expect_answers(self.0, 0, &answers)?;
        self.1.take().map(Step::Done).ok_or(SlotError::Protocol {
            platform: self.0,
            sent: 0,
            received: answers.len(),
        })
    }
}

/// Independent branches of a flow (one per motive, reason, series of windows), each with at
/// most one request in flight; the requests of every branch go out in one step. It pairs
/// each answer with the branch that asked for it.
#[derive(Debug, Default)]
pub(crate) struct Branches {
    inflight: Vec<usize>,
}

impl Branches {
    /// Sends the requests of the given branches (branch index, request), in that order.
    pub(crate) fn send<T>(&mut self, requests: Vec<(usize, Request)>) -> Step<T> {
        let (branches, requests): (Vec<usize>, Vec<Request>) = requests.into_iter().unzip();
        self.inflight = branches;
        Step::Send(requests)
    }

    /// The answers of the last step, each with its branch index.
    pub(crate) fn receive(
        &mut self,
        platform: Platform,
        answers: Vec<Exchange>,
    ) -> Result<Vec<(usize, Exchange)>, SlotError> {
        expect_answers(platform, self.inflight.len(), &answers)?;
        Ok(std::mem::take(&mut self.inflight)
            .into_iter()
            .zip(answers)
            .collect())
    }
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

/// The answers received so far, matched to the requests a discovery flow replays (discovery
/// runs once per scan, so re-walking is cheap there; scan flows are [`Flow`]s): it walks its
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
    pub(crate) fn restore(&self, exchanges: Vec<Exchange>) -> Vec<Exchange> {
        exchanges
            .into_iter()
            .map(|mut e| {
                e.request.url = restore_origin(self.platform, self.base, &e.request.url);
                e
            })
            .collect()
    }

    /// [`Rebasing::restore`] of borrowed exchanges (discovery flows).
    pub(crate) fn restore_all(&self, exchanges: &[Exchange]) -> Vec<Exchange> {
        self.restore(exchanges.to_vec())
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

/// A flow whose requests go to a configured origin (see [`Rebased`]).
struct RebasedFlow<T> {
    inner: Box<dyn Flow<T>>,
    platform: Platform,
    base: String,
}

impl<T> Flow<T> for RebasedFlow<T> {
    fn step(&mut self, answers: Vec<Exchange>) -> Result<Step<T>, SlotError> {
        let rebasing = Rebasing::new(self.platform, &self.base);
        Ok(match self.inner.step(rebasing.restore(answers))? {
            Step::Send(reqs) => Step::Send(rebasing.rebase(reqs)),
            done => done,
        })
    }
}

impl<C: Connector> Connector for Rebased<C> {
    fn platform(&self) -> Platform {
        self.inner.platform()
    }

    fn start(&self, target: &ScanTarget) -> Result<Box<dyn Flow>, SlotError> {
        Ok(self.rebased(self.inner.start(target)?))
    }

    fn prepare(&self, targets: &[&ScanTarget]) -> Option<Box<dyn Flow<()>>> {
        Some(self.rebased(self.inner.prepare(targets)?))
    }
}

impl<C: Connector> Rebased<C> {
    fn rebased<T: 'static>(&self, inner: Box<dyn Flow<T>>) -> Box<dyn Flow<T>> {
        match &self.base {
            None => inner,
            Some(base) => Box::new(RebasedFlow {
                inner,
                platform: self.inner.platform(),
                base: base.clone(),
            }),
        }
    }
}
