//! The scan runner: drives each centre's connector through the polite client, centres in
//! parallel within each platform's limits, and reports per centre and per platform.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use vigie_slots::{
    Connector, ConnectorConfig, Discovered, DiscoveryFlow, Exchange, Flow, Platform, Request,
    ScanOutcome, ScanTarget, SlotError, Step,
};

use crate::breaker::{Breaker, BreakerMemory, BreakerState, Outcome};
use crate::client::{HttpClient, TransportError, wall_clock};
use crate::policy::{PlatformPolicy, TokenBucket, parse_retry_after};
use crate::recording::MissingRequest;

/// Default guard on the number of `step` calls for one centre.
pub const DEFAULT_MAX_STEPS: usize = 64;

/// Guard on the number of `step` calls of one centre discovery (a Doctolib crawl asks page
/// after page of every department).
pub const DISCOVERY_MAX_STEPS: usize = 4000;

/// One centre to scan.
#[derive(Debug, Clone)]
pub struct CentreTarget {
    /// Vigie's centre id (`bimedoc:…`).
    pub centre_id: String,
    pub platform: Platform,
    pub target: ScanTarget,
}

/// The connectors by platform.
#[derive(Clone, Default)]
pub struct Connectors {
    map: HashMap<Platform, Arc<dyn Connector + Send + Sync>>,
}

impl std::fmt::Debug for Connectors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut keys: Vec<_> = self.map.keys().map(|p| p.slug()).collect();
        keys.sort_unstable();
        f.debug_struct("Connectors")
            .field("platforms", &keys)
            .finish()
    }
}

impl Connectors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the connector of its platform.
    pub fn with(mut self, c: impl Connector + Send + Sync + 'static) -> Self {
        self.map.insert(c.platform(), Arc::new(c));
        self
    }

    /// The connectors of the nine platforms of `vigie-slots`, talking to the real hosts.
    pub fn available() -> Self {
        Self::with_config(&ConnectorConfig::default())
    }

    /// The connectors of the nine platforms, each pointed at the origins of `config`
    /// ([`vigie_slots::connector`]; e.g. a local server in tests).
    pub fn with_config(config: &ConnectorConfig) -> Self {
        let map = Platform::ALL
            .iter()
            .map(|&p| {
                let c: Arc<dyn Connector + Send + Sync> =
                    Arc::from(vigie_slots::connector(p, config));
                (p, c)
            })
            .collect();
        Connectors { map }
    }

    pub fn get(&self, p: Platform) -> Option<Arc<dyn Connector + Send + Sync>> {
        self.map.get(&p).cloned()
    }
}

/// Settings of a scan.
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// Policies by platform ([`PlatformPolicy::default_for`] where absent).
    pub policies: HashMap<Platform, PlatformPolicy>,
    pub max_steps: usize,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            policies: HashMap::new(),
            max_steps: DEFAULT_MAX_STEPS,
        }
    }
}

impl ScanConfig {
    /// Default policies with the API keys found by `lookup` (e.g. `std::env::var(..).ok()`).
    pub fn with_api_keys(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let policies = Platform::ALL
            .iter()
            .map(|&p| (p, PlatformPolicy::default_for(p).with_api_key(p, &lookup)))
            .collect();
        ScanConfig {
            policies,
            max_steps: DEFAULT_MAX_STEPS,
        }
    }

    pub fn policy(&self, p: Platform) -> PlatformPolicy {
        self.policies
            .get(&p)
            .cloned()
            .unwrap_or_else(|| PlatformPolicy::default_for(p))
    }
}

/// The class of a centre's failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// HTTP 403: the platform blocks us.
    Blocked,
    /// No answer within the timeout (after the retries).
    Timeout,
    /// Connection refused or reset, DNS, TLS, interrupted body (after the retries).
    Network,
    /// Any other unexpected HTTP status (including 429 and 5xx after the retries).
    HttpStatus,
    /// The answer is not what the connector expects (not JSON, truncated, schema drift,
    /// uninterpretable value).
    BadBody,
    /// The platform's circuit breaker is open: the request was not sent.
    BreakerOpen,
    /// Replay: a request of the centre was not in the recording.
    MissingReplay,
    /// The centre's data cannot be scanned (unusable booking URL).
    BadTarget,
    /// No connector for the platform.
    NoConnector,
    /// The connector did not finish within `max_steps` steps.
    LoopGuard,
    /// Anything else (e.g. missing time zone data).
    Internal,
}

/// A centre's failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CentreError {
    pub class: ErrorClass,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub message: String,
}

/// What a successful scan found, in serialisable form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeSummary {
    pub slots: usize,
    /// Sum of the slots' places.
    pub places: u64,
    /// Earliest slot (RFC 9557, centre zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_slot: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_hint: Option<String>,
    pub phone_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_count: Option<u64>,
}

impl OutcomeSummary {
    pub fn of(o: &ScanOutcome) -> Self {
        OutcomeSummary {
            slots: o.slots.len(),
            places: o.slots.iter().map(|s| u64::from(s.places)).sum(),
            next_slot: o
                .slots
                .iter()
                .min_by_key(|s| s.start.timestamp())
                .map(|s| s.start.to_string()),
            next_hint: o.next_hint.as_ref().map(ToString::to_string),
            phone_only: o.phone_only,
            platform_count: o.platform_count,
        }
    }
}

/// The scan of one centre.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CentreResult {
    pub centre_id: String,
    /// Platform slug.
    pub platform: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<OutcomeSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<CentreError>,
    /// HTTP requests sent (retries included).
    pub requests: u32,
    pub retries: u32,
    pub duration_ms: u64,
    /// The full outcome (not serialised: the export builds its own view from it).
    #[serde(skip)]
    pub outcome: Option<ScanOutcome>,
}

/// The health of a platform in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlatformStatus {
    /// Every centre scanned without error and the breaker never tripped.
    Ok,
    /// Some centres failed, or the breaker tripped, but some centres were scanned.
    Degraded,
    /// No centre could be scanned.
    Failed,
}

/// The report of one platform in a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlatformReport {
    pub platform: String,
    pub centres: u32,
    pub succeeded: u32,
    pub failed: u32,
    pub requests: u64,
    pub retries: u64,
    pub errors: BTreeMap<ErrorClass, u32>,
    pub breaker_tripped: bool,
    pub breaker_state: BreakerState,
    pub status: PlatformStatus,
    /// The platform's preparation ([`Connector::prepare`], e.g. Mapharma's open data), when
    /// it ran: its requests (also in `requests`) and its error, which is the error of every
    /// centre that could not start without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preparation: Option<Preparation>,
}

/// What a platform's preparation did in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preparation {
    pub requests: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<CentreError>,
}

/// The result of a scan run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanRun {
    /// The run time given by the caller (RFC 3339).
    pub started_at: String,
    pub duration_ms: u64,
    /// One per target, in input order.
    pub centres: Vec<CentreResult>,
    /// One per platform present in the targets, in [`Platform::ALL`] order.
    pub platforms: Vec<PlatformReport>,
    /// Replay: requests missing from the recording.
    pub missing_replay: Vec<MissingRequest>,
}

struct PlatformState {
    policy: PlatformPolicy,
    semaphore: Arc<Semaphore>,
    bucket: Mutex<TokenBucket>,
    breaker: Mutex<Breaker>,
}

/// A scanner: the client, the connectors and the per-platform politeness state. The
/// breakers live as long as the scanner (a long-running service keeps them across runs).
pub struct Scanner {
    client: Arc<HttpClient>,
    connectors: Connectors,
    config: ScanConfig,
    platforms: HashMap<Platform, Arc<PlatformState>>,
    origin: Instant,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field("client", &self.client)
            .field("connectors", &self.connectors)
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Scanner {
    pub fn new(client: Arc<HttpClient>, connectors: Connectors, config: ScanConfig) -> Self {
        let platforms = Platform::ALL
            .iter()
            .map(|&p| {
                let policy = config.policy(p);
                let state = PlatformState {
                    semaphore: Arc::new(Semaphore::new(policy.concurrency.max(1))),
                    bucket: Mutex::new(TokenBucket::new(policy.rate_per_sec, policy.burst)),
                    breaker: Mutex::new(Breaker::new(policy.breaker)),
                    policy,
                };
                (p, Arc::new(state))
            })
            .collect();
        Scanner {
            client,
            connectors,
            config,
            platforms,
            origin: Instant::now(),
        }
    }

    /// Scans every target; never fails as a whole (each centre carries its own error).
    /// `now` is the run time written in the report.
    pub async fn scan(&self, targets: Vec<CentreTarget>, now: jiff::Timestamp) -> ScanRun {
        let started = Instant::now();
        let trips_before: HashMap<Platform, u32> = self
            .platforms
            .iter()
            .map(|(p, s)| (*p, lock(&s.breaker).trips()))
            .collect();
        let n = targets.len();
        let mut present = Vec::new();
        for t in &targets {
            if !present.contains(&t.platform) {
                present.push(t.platform);
            }
        }
        let prepared = self.prepare(&present, &targets).await;
        let mut set = tokio::task::JoinSet::new();
        for (i, t) in targets.into_iter().enumerate() {
            let ctx = CentreCtx {
                preparation_error: prepared.get(&t.platform).and_then(|p| p.error.clone()),
                ..self.ctx(t.platform, self.config.max_steps)
            };
            set.spawn(async move { (i, ctx.run(t).await) });
        }
        let mut slots: Vec<Option<CentreResult>> = vec![None; n];
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok((i, r)) => {
                    if let Some(s) = slots.get_mut(i) {
                        *s = Some(r);
                    }
                }
                Err(e) => tracing::error!("centre task failed: {e}"),
            }
        }
        // A task that panicked leaves a hole: report it as an internal error.
        let centres: Vec<CentreResult> = slots
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| CentreResult {
                    centre_id: String::new(),
                    platform: String::new(),
                    summary: None,
                    error: Some(CentreError {
                        class: ErrorClass::Internal,
                        status: None,
                        message: "centre task panicked".to_string(),
                    }),
                    requests: 0,
                    retries: 0,
                    duration_ms: 0,
                    outcome: None,
                })
            })
            .collect();
        let now_d = self.origin.elapsed();
        let platforms = Platform::ALL
            .iter()
            .filter(|p| present.contains(p))
            .map(|&p| {
                let (trips, state) = self
                    .platforms
                    .get(&p)
                    .map(|s| {
                        let b = lock(&s.breaker);
                        (b.trips(), b.state(now_d))
                    })
                    .unwrap_or((0, BreakerState::Closed));
                let tripped = trips > trips_before.get(&p).copied().unwrap_or(0);
                let mut r = platform_report(p, &centres, tripped, state);
                if let Some(prep) = prepared.get(&p) {
                    r.requests += u64::from(prep.requests);
                    r.preparation = Some(prep.clone());
                }
                r
            })
            .collect();
        ScanRun {
            started_at: now.to_string(),
            duration_ms: millis(started.elapsed()),
            centres,
            platforms,
            missing_replay: self.client.missing(),
        }
    }
}

impl Scanner {
    /// The driver of one flow of platform `p`: the client, the platform's connector and
    /// politeness state, at most `max_steps` steps.
    fn ctx(&self, p: Platform, max_steps: usize) -> CentreCtx {
        CentreCtx {
            client: Arc::clone(&self.client),
            connector: self.connectors.get(p),
            state: self.platforms.get(&p).cloned(),
            max_steps,
            origin: self.origin,
            preparation_error: None,
        }
    }

    /// Runs the preparation of every platform present that has one, concurrently, through
    /// the platform's politeness (breaker, budget, retries).
    async fn prepare(
        &self,
        present: &[Platform],
        targets: &[CentreTarget],
    ) -> HashMap<Platform, Preparation> {
        let mut set = tokio::task::JoinSet::new();
        for &p in present {
            let (Some(connector), Some(state)) = (self.connectors.get(p), self.platforms.get(&p))
            else {
                continue;
            };
            let of_platform: Vec<&ScanTarget> = targets
                .iter()
                .filter(|t| t.platform == p)
                .map(|t| &t.target)
                .collect();
            let Some(flow) = connector.prepare(&of_platform) else {
                continue;
            };
            let ctx = self.ctx(p, self.config.max_steps);
            let state = Arc::clone(state);
            set.spawn(async move {
                let mut c = Counters::default();
                let r = ctx.run_flow(&state, flow, &mut c).await;
                (
                    p,
                    Preparation {
                        requests: c.requests,
                        error: r.err(),
                    },
                )
            });
        }
        let mut out = HashMap::new();
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok((p, prep)) => {
                    if let Some(e) = &prep.error {
                        tracing::warn!("{p}: preparation failed: {}", e.message);
                    }
                    out.insert(p, prep);
                }
                Err(e) => tracing::error!("preparation task failed: {e}"),
            }
        }
        out
    }
}

impl Scanner {
    /// What the breakers remember now, which is `wall` on the clock (by platform slug; to
    /// carry them to the next scan, e.g. in a data directory's `scans/breakers.json`).
    pub fn breakers(&self, wall: jiff::Timestamp) -> BTreeMap<String, BreakerMemory> {
        let now = self.origin.elapsed();
        self.platforms
            .iter()
            .map(|(p, s)| (p.slug().to_string(), lock(&s.breaker).remember(now, wall)))
            .collect()
    }

    /// Puts the breakers back as `memory` left them (platforms it does not name stay
    /// closed); `wall` is now on the clock.
    pub fn recall_breakers(&self, memory: &BTreeMap<String, BreakerMemory>, wall: jiff::Timestamp) {
        let now = self.origin.elapsed();
        for (p, s) in &self.platforms {
            if let Some(m) = memory.get(p.slug()) {
                let mut b = lock(&s.breaker);
                *b = Breaker::recall(*b.config(), m, now, wall);
            }
        }
    }

    /// Runs a centre discovery through the same driver as the scans, with its platform's
    /// politeness (budget, breaker, retries): the breaker it trips stays tripped for the scan
    /// that follows.
    pub async fn discover(&self, discovery: DiscoveryFlow) -> Result<Discovered, CentreError> {
        let p = discovery.platform();
        let Some(state) = self.platforms.get(&p).cloned() else {
            return Err(CentreError {
                class: ErrorClass::NoConnector,
                status: None,
                message: format!("no policy for {p}"),
            });
        };
        let ctx = self.ctx(p, DISCOVERY_MAX_STEPS);
        let mut c = Counters::default();
        ctx.run_flow(&state, Box::new(discovery), &mut c).await
    }
}

/// Convenience: one run with a fresh [`Scanner`].
pub async fn scan(
    targets: Vec<CentreTarget>,
    connectors: Connectors,
    client: Arc<HttpClient>,
    config: ScanConfig,
    now: jiff::Timestamp,
) -> ScanRun {
    Scanner::new(client, connectors, config)
        .scan(targets, now)
        .await
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn platform_report(
    p: Platform,
    centres: &[CentreResult],
    breaker_tripped: bool,
    breaker_state: BreakerState,
) -> PlatformReport {
    let mut r = PlatformReport {
        platform: p.slug().to_string(),
        centres: 0,
        succeeded: 0,
        failed: 0,
        requests: 0,
        retries: 0,
        errors: BTreeMap::new(),
        breaker_tripped,
        breaker_state,
        status: PlatformStatus::Ok,
        preparation: None,
    };
    for c in centres.iter().filter(|c| c.platform == p.slug()) {
        r.centres += 1;
        r.requests += u64::from(c.requests);
        r.retries += u64::from(c.retries);
        match &c.error {
            None => r.succeeded += 1,
            Some(e) => {
                r.failed += 1;
                *r.errors.entry(e.class).or_insert(0) += 1;
            }
        }
    }
    r.status = if r.centres > 0 && r.succeeded == 0 {
        PlatformStatus::Failed
    } else if r.failed > 0 || breaker_tripped {
        PlatformStatus::Degraded
    } else {
        PlatformStatus::Ok
    };
    r
}

struct CentreCtx {
    client: Arc<HttpClient>,
    connector: Option<Arc<dyn Connector + Send + Sync>>,
    state: Option<Arc<PlatformState>>,
    max_steps: usize,
    origin: Instant,
    /// The error of the platform's preparation, if it failed: the error of a centre that
    /// cannot start without it.
    preparation_error: Option<CentreError>,
}

#[derive(Default)]
struct Counters {
    requests: u32,
    retries: u32,
    missing: bool,
}

impl CentreCtx {
    async fn run(self, t: CentreTarget) -> CentreResult {
        let started = Instant::now();
        let mut counters = Counters::default();
        let result = self.drive(&t, &mut counters).await;
        let (outcome, error) = match result {
            Ok(o) => (Some(o), None),
            Err(e) => (None, Some(e)),
        };
        CentreResult {
            centre_id: t.centre_id,
            platform: t.platform.slug().to_string(),
            summary: outcome.as_ref().map(OutcomeSummary::of),
            error,
            requests: counters.requests,
            retries: counters.retries,
            duration_ms: millis(started.elapsed()),
            outcome,
        }
    }

    async fn drive(&self, t: &CentreTarget, c: &mut Counters) -> Result<ScanOutcome, CentreError> {
        let (Some(connector), Some(state)) = (&self.connector, &self.state) else {
            return Err(CentreError {
                class: ErrorClass::NoConnector,
                status: None,
                message: format!("no connector for {}", t.platform),
            });
        };
        let _permit = state.semaphore.acquire().await.map_err(|e| CentreError {
            class: ErrorClass::Internal,
            status: None,
            message: e.to_string(),
        })?;
        let flow = connector.start(&t.target).map_err(|e| {
            match (&e, &self.preparation_error) {
                // The centre needed what the preparation could not get: its error.
                (SlotError::Url { .. }, Some(p)) => CentreError {
                    class: p.class,
                    status: p.status,
                    message: format!("{e} ({})", p.message),
                },
                _ => classify(&e, false),
            }
        })?;
        let mut outcome = self.run_flow(state, flow, c).await?;
        // Kept until the export: no growth slack (a national scan holds hundreds of
        // thousands of slots).
        outcome.slots.shrink_to_fit();
        Ok(outcome)
    }

    /// Drives a flow to its result, each request sent politely ([`CentreCtx::send`]).
    async fn run_flow<T>(
        &self,
        state: &PlatformState,
        mut flow: Box<dyn Flow<T>>,
        c: &mut Counters,
    ) -> Result<T, CentreError> {
        let mut answers: Vec<Exchange> = Vec::new();
        let mut sent = 0usize;
        for _ in 0..self.max_steps.max(1) {
            // Each answer is handed to the flow once: the flow keeps what it parsed.
            let step = flow
                .step(std::mem::take(&mut answers))
                .map_err(|e| classify(&e, c.missing))?;
            match step {
                Step::Done(done) => return Ok(done),
                Step::Send(requests) => {
                    sent += requests.len();
                    for r in requests {
                        let ex = self.send(state, r, c).await?;
                        answers.push(ex);
                    }
                }
            }
        }
        Err(CentreError {
            class: ErrorClass::LoopGuard,
            status: None,
            message: format!(
                "connector not done after {} steps ({sent} requests)",
                self.max_steps
            ),
        })
    }

    fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    /// Sends one request politely: breaker, budget, timeout, retries.
    async fn send(
        &self,
        state: &PlatformState,
        request: Request,
        c: &mut Counters,
    ) -> Result<Exchange, CentreError> {
        let policy = &state.policy;
        let offline = self.client.is_offline();
        let mut retry = 0u32;
        loop {
            if !lock(&state.breaker).try_acquire(self.now()) {
                return Err(CentreError {
                    class: ErrorClass::BreakerOpen,
                    status: None,
                    message: format!("circuit breaker open, {} not sent", request.url),
                });
            }
            if !offline {
                let wait = lock(&state.bucket).take(self.now());
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
            }
            c.requests += 1;
            let res = self
                .client
                .send(&request, &policy.headers, policy.timeout)
                .await;
            let (outcome, retryable, hint) = match &res {
                Ok(r) if r.status == 429 => (
                    Outcome::Failure,
                    true,
                    r.retry_after.as_deref().and_then(|v| {
                        parse_retry_after(v, wall_clock(), policy.retry.retry_after_cap)
                    }),
                ),
                Ok(r) if r.status >= 500 => (Outcome::Failure, true, None),
                Ok(r) if r.status == 403 => (Outcome::Blocked, false, None),
                Ok(_) => (Outcome::Success, false, None),
                Err(TransportError::Invalid(_)) => (Outcome::Success, false, None),
                Err(_) => (Outcome::Failure, true, None),
            };
            lock(&state.breaker).record(outcome, self.now());
            if retryable && retry < policy.retry.max_retries {
                retry += 1;
                c.retries += 1;
                if !offline {
                    let delay =
                        hint.unwrap_or_else(|| policy.retry.backoff(retry, fastrand::f64()));
                    tokio::time::sleep(delay).await;
                }
                continue;
            }
            return match res {
                Ok(r) => {
                    c.missing |= r.missing;
                    Ok(Exchange {
                        request,
                        status: r.status,
                        body: r.body,
                    })
                }
                Err(e) => Err(CentreError {
                    class: match e {
                        TransportError::Timeout(_) => ErrorClass::Timeout,
                        TransportError::Network(_) => ErrorClass::Network,
                        TransportError::Invalid(_) => ErrorClass::BadTarget,
                    },
                    status: None,
                    message: format!("{}: {e}", request.url),
                }),
            };
        }
    }
}

fn classify(e: &SlotError, missing: bool) -> CentreError {
    let (class, status) = match e {
        _ if missing => (ErrorClass::MissingReplay, None),
        SlotError::Blocked { status, .. } => (ErrorClass::Blocked, Some(*status)),
        SlotError::Http { status, .. } => (ErrorClass::HttpStatus, Some(*status)),
        SlotError::Shape { .. } | SlotError::Value { .. } => (ErrorClass::BadBody, None),
        SlotError::Url { .. } => (ErrorClass::BadTarget, None),
        _ => (ErrorClass::Internal, None),
    };
    CentreError {
        class,
        status,
        message: e.to_string(),
    }
}
