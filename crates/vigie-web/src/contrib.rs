//! Citizen contributions over HTTP: the forms (`/contribuer`), the contributor's private
//! status page, the public register (`/contributions`, `/contributions.atom`,
//! `/contributions.csv`, `GET /api/v1/contributions`), the privacy page, the moderation pages
//! (`/moderation`, session cookie + CSRF token) and the moderation API (bearer token).
//!
//! Everything is written through the [`Desk`] of `vigie-contributions`; this module checks
//! requests, limits clients and renders templates. Abuse is handled here without third
//! parties: a per-client rate on submissions and logins (`429` with `Retry-After`), the
//! request size limit of the router, a honeypot field and a signed form token that must be at
//! least [`FORM_MIN_DELAY`] seconds old, and escaping by the templates. Client addresses are
//! only held, hashed with a key that changes every day, by the rate limiters.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter, clock::Clock};
use serde::{Deserialize, Serialize};
use vigie_contributions::auth::{self, FormTokenError};
use vigie_contributions::model::{CentreField, Known, RawFields, raw_from_json};
use vigie_contributions::store::{HistoryEntry, Item, QueueFilter, RegisterEntry, Signal};
use vigie_contributions::{Decision, Desk, Erratum, Kind, Status, Submission};

use crate::i18n::{Lang, Texts};
use crate::release::Release;
use crate::routes::Route;
use crate::views::{self, LayoutView, Needs};
use crate::{AppState, api};

/// Seconds a form must have been shown before it is sent (robots send at once).
pub const FORM_MIN_DELAY: i64 = 3;
/// Seconds a form stays valid.
pub const FORM_MAX_AGE: i64 = 4 * 3600;
/// The window of the availability signal shown on the cards.
pub const SIGNAL_WINDOW_SECS: i64 = 2 * 3600;
/// The moderators' session cookie.
pub const SESSION_COOKIE: &str = "vigie_moderation";
/// Submissions a client may send at once, then one per [`SUBMIT_PERIOD`].
pub const SUBMIT_BURST: u32 = 5;
/// See [`SUBMIT_BURST`].
pub const SUBMIT_PERIOD: Duration = Duration::from_secs(60);

type Limiter = DefaultKeyedRateLimiter<[u8; 16]>;

/// What the pages show of the contributions (refreshed after each submission and decision,
/// and at most [`VIEW_TTL`] old).
#[derive(Debug, Clone, Default)]
pub struct ContribView {
    /// Accepted figure errors.
    pub errata: Vec<Erratum>,
    /// Availability reports per centre within [`SIGNAL_WINDOW_SECS`].
    pub signals: BTreeMap<String, Signal>,
    computed_at: i64,
}

/// How old the cached [`ContribView`] may get (the signal window slides).
const VIEW_TTL: i64 = 60;

impl ContribView {
    /// The errata of an indicator of a territory.
    pub fn errata_of<'a>(
        &'a self,
        territory: &'a str,
        indicator: &'a str,
    ) -> impl Iterator<Item = &'a Erratum> + 'a {
        self.errata
            .iter()
            .filter(move |e| e.territory == territory && e.indicator == indicator)
    }
}

/// The contribution service of a server.
pub struct Contrib {
    /// The desk.
    pub desk: Arc<Desk>,
    submit: Mutex<(Arc<Limiter>, Arc<Limiter>)>,
    /// Clients blocked after failed logins or tokens, until when.
    blocked: Mutex<std::collections::HashMap<[u8; 16], Instant>>,
    /// The key hashing client addresses and when it was made.
    key: Mutex<(Instant, [u8; 32])>,
    view: RwLock<Arc<ContribView>>,
    /// Bumped by every decision: part of the ETags of the release's answers, since errata
    /// show on its pages and in its provenance.
    generation: std::sync::atomic::AtomicU64,
}

fn limiter(burst: u32, period: Duration) -> Arc<Limiter> {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    let quota = Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
        .allow_burst(burst);
    Arc::new(RateLimiter::keyed(quota))
}

fn fresh_limiters() -> (Arc<Limiter>, Arc<Limiter>) {
    (
        limiter(SUBMIT_BURST, SUBMIT_PERIOD),
        limiter(5, Duration::from_secs(60)),
    )
}

impl Contrib {
    /// The service over a desk.
    pub fn new(desk: Arc<Desk>) -> Contrib {
        Contrib {
            desk,
            submit: Mutex::new(fresh_limiters()),
            blocked: Mutex::default(),
            key: Mutex::new((
                Instant::now(),
                auth::random_bytes::<32>().unwrap_or([7; 32]),
            )),
            view: RwLock::default(),
            generation: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// The hashed key of a client address; the hashing key (and the limiters' memory)
    /// changes every 24 hours, so no address outlives a day even hashed.
    fn client_key(&self, ip: IpAddr) -> [u8; 16] {
        let mut key = crate::limits::lock(&self.key);
        if key.0.elapsed() > Duration::from_secs(86_400) {
            *key = (
                Instant::now(),
                auth::random_bytes::<32>().unwrap_or([9; 32]),
            );
            *crate::limits::lock(&self.submit) = fresh_limiters();
            crate::limits::lock(&self.blocked).clear();
        }
        let mac = auth::hmac(&key.1, ip.to_string().as_bytes());
        let mut out = [0u8; 16];
        out.copy_from_slice(&mac[..16]);
        out
    }

    /// Counts a submission of `ip`: `Err(wait)` when over its rate.
    fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        let k = self.client_key(ip);
        let l = crate::limits::lock(&self.submit).0.clone();
        l.check_key(&k)
            .map_err(|not_until| not_until.wait_time_from(l.clock().now()))
    }

    /// `Err(wait)` while `ip` is blocked after too many failed logins or bearer tokens
    /// (successful ones never count, so scripts deciding many contributions are not slowed).
    fn auth_blocked(&self, ip: IpAddr) -> Result<(), Duration> {
        let k = self.client_key(ip);
        let now = Instant::now();
        let mut blocked = crate::limits::lock(&self.blocked);
        blocked.retain(|_, until| *until > now);
        match blocked.get(&k) {
            Some(until) => Err(*until - now),
            None => Ok(()),
        }
    }

    /// Counts a failed login or bearer token of `ip` (5 at once, then one per minute).
    fn auth_failed(&self, ip: IpAddr) {
        let k = self.client_key(ip);
        let l = crate::limits::lock(&self.submit).1.clone();
        if let Err(not_until) = l.check_key(&k) {
            let wait = not_until.wait_time_from(l.clock().now());
            crate::limits::lock(&self.blocked).insert(k, Instant::now() + wait);
        }
    }

    /// How many decisions this server took (see the field).
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// The view of the contributions at `now` (recomputed when older than [`VIEW_TTL`]).
    pub fn view(&self, now: i64) -> Arc<ContribView> {
        let cur = match self.view.read() {
            Ok(v) => v.clone(),
            Err(p) => p.into_inner().clone(),
        };
        if now - cur.computed_at < VIEW_TTL && cur.computed_at != 0 {
            return cur;
        }
        self.refresh(now)
    }

    /// Recomputes the view at `now`.
    pub fn refresh(&self, now: i64) -> Arc<ContribView> {
        let v = Arc::new(ContribView {
            errata: self.desk.errata().unwrap_or_else(|e| {
                tracing::warn!("errata: {e}");
                Vec::new()
            }),
            signals: self
                .desk
                .signals(now - SIGNAL_WINDOW_SECS)
                .unwrap_or_else(|e| {
                    tracing::warn!("signals: {e}");
                    BTreeMap::new()
                }),
            computed_at: now,
        });
        match self.view.write() {
            Ok(mut w) => *w = v.clone(),
            Err(p) => *p.into_inner() = v.clone(),
        }
        v
    }
}

/// Paths whose answers change without a new release (no ETag, no page cache).
pub fn is_live_path(path: &str) -> bool {
    let p = path.strip_prefix("/en").unwrap_or(path);
    p.starts_with("/contribuer")
        || p.starts_with("/contributions")
        || p.starts_with("/moderation")
        || p.starts_with("/confidentialite")
        || path.starts_with("/api/v1/contributions")
        || path.starts_with("/api/v1/moderation")
        || path == "/api/v1/errata"
        || path == "/api/v1/blocklist"
}

fn now() -> i64 {
    crate::now_seconds().unwrap_or(0)
}

/// The client address of a request (behind trusted proxies, the forwarded one).
fn client(s: &AppState, req_headers: &HeaderMap, peer: Option<SocketAddr>) -> IpAddr {
    let peer = peer.map_or(IpAddr::from([127, 0, 0, 1]), |p| p.ip());
    crate::limits::client_ip(&s.limits, peer, req_headers)
}

fn peer_of(req: &Request) -> Option<SocketAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
}

fn too_many(wait: Duration, api: bool, lang: Lang) -> Response {
    let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    let mut res = if api {
        api::problem(
            StatusCode::TOO_MANY_REQUESTS,
            "too many contributions from this client",
        )
    } else {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            lang.t(
                "Trop d’envois depuis votre connexion : réessayez dans une minute.\n",
                "Too many submissions from your connection: try again in a minute.\n",
            ),
        )
            .into_response()
    };
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn html_page(status: StatusCode, body: Result<String, askama::Error>) -> Response {
    match body {
        Ok(b) => no_store(
            (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                b,
            )
                .into_response(),
        ),
        Err(e) => {
            tracing::error!("rendering a contribution page: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "erreur interne / internal error\n",
            )
                .into_response()
        }
    }
}

/// The problem document of a malformed contribution: `field` names the field that is wrong.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldProblem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// `<field>: <what is wrong>` (English).
    pub detail: String,
    /// The same as `detail`.
    pub error: String,
    /// The field (`kind`, `booking_url`, `body` for an unreadable document…).
    pub field: String,
    /// `<field> : <ce qui ne va pas>` (French).
    pub detail_fr: String,
}

/// A problem+json answer naming a field (`400` of a malformed contribution).
fn field_problem(field: &str, en: &str, fr: &str) -> Response {
    let body = FieldProblem {
        kind: "about:blank".into(),
        title: "Bad Request".into(),
        status: 400,
        detail: format!("{field}: {en}"),
        error: format!("{field}: {en}"),
        field: field.into(),
        detail_fr: format!("{field} : {fr}"),
    };
    (
        StatusCode::BAD_REQUEST,
        [
            (header::CONTENT_TYPE, "application/problem+json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        serde_json::to_string(&body).unwrap_or_default(),
    )
        .into_response()
}

/// The body of `POST /api/v1/contributions` (documentation: every value is a string; only
/// the fields of the `kind` are accepted, see docs/contributions.md).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContributionBody {
    /// `missing_centre`, `centre_correction`, `availability_report`, `figure_error` or
    /// `dataset_suggestion`.
    pub kind: Kind,
    /// missing_centre: the place's name.
    pub name: Option<String>,
    /// missing_centre: the address.
    pub address: Option<String>,
    /// missing_centre: the commune's INSEE code.
    pub commune: Option<String>,
    /// missing_centre: the booking URL (https).
    pub booking_url: Option<String>,
    /// missing_centre: the phone number.
    pub phone: Option<String>,
    /// missing_centre: the platform's slug (`doctolib`…, or `autre`).
    pub platform: Option<String>,
    /// centre_correction, availability_report: the centre's id in the slot search.
    pub centre_id: Option<String>,
    /// centre_correction: `address`, `phone`, `hours`, `booking_url`, `closed`,
    /// `not_vaccination_place`.
    pub field: Option<String>,
    /// centre_correction: the new value (not for `closed`, `not_vaccination_place`).
    pub value: Option<String>,
    /// availability_report: `not_bookable` or `booked`.
    pub outcome: Option<String>,
    /// availability_report: when (RFC 3339; default now; at most 7 days ago).
    pub seen_at: Option<String>,
    /// figure_error: the territory key (`FR`, `DEP-07`).
    pub territory: Option<String>,
    /// figure_error: the indicator id.
    pub indicator: Option<String>,
    /// figure_error: the date of the figure (`YYYY-MM-DD`).
    pub date: Option<String>,
    /// dataset_suggestion: the dataset's URL.
    pub url: Option<String>,
    /// How the contributor knows (required except for availability reports).
    pub evidence: Option<String>,
    /// Optional: to be told of the decision; never published, deleted after the retention.
    pub email: Option<String>,
}

/// What a submission is checked against: the request's release and the live scan.
struct LiveKnown<'a> {
    release: &'a Release,
    slots: Option<&'a dyn crate::SlotFinder>,
}

impl Known for LiveKnown<'_> {
    fn centre(&self, id: &str) -> bool {
        match self.slots {
            Some(f) if f.scan_dir().is_some() => f.centre(id).is_some(),
            // No scan to check against: taken as given (the moderator checks).
            _ => true,
        }
    }
    fn territory(&self, key: &str) -> bool {
        self.release.territory(key).is_some()
    }
    fn indicator(&self, id: &str) -> bool {
        self.release
            .dictionary
            .indicators
            .iter()
            .any(|i| i.id == id)
    }
}

/// The answer of `POST /api/v1/contributions`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Accepted {
    /// The contribution's id in the register (`C-000042`).
    pub id: String,
    /// `pending`.
    pub status: String,
    /// Private link (capability URL) to follow the decision as JSON.
    pub status_url: String,
    /// The same as a page.
    pub status_page: String,
    /// Contributions about the same thing, this one included.
    pub thread_size: u32,
}

/// The status of a contribution for its contributor (`GET /api/v1/contributions/{id}?token=`).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Followed {
    pub id: String,
    pub kind: Kind,
    pub object: String,
    pub status: Status,
    pub submitted_at: String,
    pub decided_at: Option<String>,
    pub reason: Option<String>,
    pub duplicate_of: Option<String>,
    pub thread_size: u32,
}

impl Followed {
    fn of(i: &Item) -> Followed {
        Followed {
            id: i.id.clone(),
            kind: i.submission.kind(),
            object: i.object.clone(),
            status: i.status,
            submitted_at: rfc3339(i.submitted_at),
            decided_at: i.decided_at.map(rfc3339),
            reason: i.reason.clone(),
            duplicate_of: i.duplicate_of.clone(),
            thread_size: i.thread_size,
        }
    }
}

fn rfc3339(t: i64) -> String {
    vigie_contributions::overlay::rfc3339(t)
}

/// Checks and records raw fields from `client`; the error is a field and its messages.
enum SubmitError {
    Field(vigie_contributions::FieldError),
    Form(FormTokenError),
    Rate(Duration),
    Unavailable,
    Internal(String),
}

async fn submit_raw(
    s: &AppState,
    mut raw: RawFields,
    ip: IpAddr,
    form: bool,
) -> Result<(vigie_contributions::store::Receipt, Kind), SubmitError> {
    let Some(c) = s.contrib.clone() else {
        return Err(SubmitError::Unavailable);
    };
    if raw.get("website").is_some_and(|v| !v.trim().is_empty()) {
        return Err(SubmitError::Field(vigie_contributions::FieldError {
            field: "website".into(),
            fr: "ce champ doit rester vide".into(),
            en: "this field must stay empty".into(),
        }));
    }
    let t = now();
    if form {
        let token = raw.get("form_token").map(String::as_str).unwrap_or("");
        auth::check_form_token(c.desk.form_key(), token, t, FORM_MIN_DELAY, FORM_MAX_AGE)
            .map_err(SubmitError::Form)?;
        // The form's commune is free text: a name or a postcode is looked up.
        if let Some(q) = raw.get("commune").cloned() {
            let q = q.trim();
            let is_code = q.len() == 5
                && vigie_finder::Places::embedded()
                    .ok()
                    .is_some_and(|p| p.commune(&q.to_ascii_uppercase()).is_some());
            if !q.is_empty()
                && !is_code
                && let Some(insee) = commune_of(q)
            {
                raw.insert("commune".into(), insee);
            }
        }
    }
    c.check(ip).map_err(SubmitError::Rate)?;
    let r = s.current();
    let known = LiveKnown {
        release: &r,
        slots: s.slots.as_deref(),
    };
    let mut incoming = Submission::parse(&raw, t, &known).map_err(SubmitError::Field)?;
    incoming.centre_name = incoming
        .submission
        .centre_id()
        .and_then(|id| s.slots.as_ref()?.centre(id))
        .map(|c| c.name);
    let slots = s.slots.clone();
    let department = incoming.submission.department(&|id| {
        slots
            .as_ref()
            .and_then(|f| f.centre(id))
            .and_then(|c| c.department)
    });
    let kind = incoming.submission.kind();
    let desk = c.desk.clone();
    let receipt = tokio::task::spawn_blocking(move || desk.submit(&incoming, department, t))
        .await
        .map_err(|e| SubmitError::Internal(e.to_string()))?
        .map_err(|e| SubmitError::Internal(e.to_string()))?;
    if kind == Kind::AvailabilityReport {
        c.refresh(t);
        s.caches.slots.clear();
    }
    Ok((receipt, kind))
}

/// The INSEE code of a commune given by name or postcode (the best autocomplete match).
fn commune_of(q: &str) -> Option<String> {
    let places = vigie_finder::Places::embedded().ok()?;
    if q.len() == 5 && q.bytes().all(|b| b.is_ascii_digit()) {
        return places.postcode_communes(q).first().map(|p| p.insee.clone());
    }
    places
        .autocomplete(q, 5)
        .into_iter()
        .find(|h| h.kind == vigie_finder::PlaceKind::Commune)
        .map(|h| h.code)
}

fn status_paths(lang: Lang, id: &str, token: &str) -> (String, String) {
    (
        format!("/api/v1/contributions/{id}?token={token}"),
        format!("{}/contribuer/suivi/{id}?jeton={token}", lang.prefix()),
    )
}

/// `POST /api/v1/contributions`.
#[utoipa::path(post, path = "/api/v1/contributions", tag = "contributions",
    request_body(content = ContributionBody, content_type = "application/json"),
    responses((status = 202, description = "Recorded (on disk) and pending; `status_url` is the contributor's private link", body = Accepted, content_type = "application/json"),
              (status = 400, description = "Malformed: `field` names the field", body = FieldProblem, content_type = "application/problem+json"),
              (status = 413, description = "Body too large", body = crate::api::Problem, content_type = "application/problem+json"),
              (status = 429, description = "Too many submissions from this client (`Retry-After`)", body = crate::api::Problem, content_type = "application/problem+json"),
              (status = 503, description = "Contributions are not open on this server", body = crate::api::Problem, content_type = "application/problem+json")))]
pub async fn api_submit(State(s): State<AppState>, req: Request) -> Response {
    let ip = client(&s, req.headers(), peer_of(&req));
    let Ok(body) = axum::body::to_bytes(req.into_body(), 64 * 1024).await else {
        return api::problem(StatusCode::PAYLOAD_TOO_LARGE, "request body too large");
    };
    let raw = match raw_from_json(&body) {
        Ok(r) => r,
        Err(e) => return field_problem(&e.field, &e.en, &e.fr),
    };
    match submit_raw(&s, raw, ip, false).await {
        Ok((receipt, _)) => {
            let (status_url, status_page) = status_paths(Lang::Fr, &receipt.id, &receipt.token);
            let body = Accepted {
                id: receipt.id,
                status: Status::Pending.as_str().into(),
                status_url: status_url.clone(),
                status_page,
                thread_size: receipt.thread_size,
            };
            no_store(
                (
                    StatusCode::ACCEPTED,
                    [
                        (header::CONTENT_TYPE, "application/json".to_string()),
                        (header::LOCATION, status_url),
                    ],
                    serde_json::to_string(&body).unwrap_or_default(),
                )
                    .into_response(),
            )
        }
        Err(SubmitError::Field(e)) => field_problem(&e.field, &e.en, &e.fr),
        Err(SubmitError::Form(_)) => field_problem("form_token", "invalid", "invalide"),
        Err(SubmitError::Rate(wait)) => too_many(wait, true, Lang::En),
        Err(SubmitError::Unavailable) => api::problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "contributions are not open on this server",
        ),
        Err(SubmitError::Internal(e)) => {
            tracing::error!("contribution not recorded: {e}");
            api::problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "contribution not recorded",
            )
        }
    }
}

/// The `token` (API) or `jeton` (page) of a status link.
fn query_value(uri: &axum::http::Uri, name: &str) -> Option<String> {
    form_urlencoded::parse(uri.query()?.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `GET /api/v1/contributions/{id}?token=…`: the contributor's view (404 without the right
/// token: the link is the capability).
#[utoipa::path(get, path = "/api/v1/contributions/{id}", tag = "contributions",
    params(("id" = String, Path, description = "C-000042"), ("token" = String, Query, description = "The token of the private status link")),
    responses((status = 200, description = "The contribution's status", body = Followed, content_type = "application/json"),
              (status = 404, description = "Unknown, or not the right token", body = crate::api::Problem, content_type = "application/problem+json")))]
pub async fn api_follow(
    State(s): State<AppState>,
    Path(id): Path<String>,
    uri: axum::http::Uri,
) -> Response {
    let Some(c) = s.contrib.clone() else {
        return api::problem(StatusCode::NOT_FOUND, "no such contribution");
    };
    let token = query_value(&uri, "token").unwrap_or_default();
    match c.desk.follow(&id, &token) {
        Ok(Some(item)) => no_store(axum::Json(Followed::of(&item)).into_response()),
        _ => api::problem(StatusCode::NOT_FOUND, "no such contribution"),
    }
}

/// `GET /api/v1/contributions`: the public register (decided contributions only).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RegisterAnswer {
    pub count: usize,
    pub entries: Vec<RegisterEntry>,
}

fn register_entries(s: &AppState) -> Vec<RegisterEntry> {
    s.contrib
        .as_ref()
        .and_then(|c| {
            c.desk
                .register()
                .map_err(|e| tracing::warn!("register: {e}"))
                .ok()
        })
        .unwrap_or_default()
}

/// `GET /api/v1/contributions`.
#[utoipa::path(get, path = "/api/v1/contributions", tag = "contributions",
    responses((status = 200, description = "The public register: every decided contribution, newest decision first, without personal data", body = RegisterAnswer, content_type = "application/json")))]
pub async fn api_register(State(s): State<AppState>) -> Response {
    let entries = register_entries(&s);
    let mut res = axum::Json(RegisterAnswer {
        count: entries.len(),
        entries,
    })
    .into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=30"),
    );
    res
}

/// `GET /api/v1/errata`.
#[utoipa::path(get, path = "/api/v1/errata", tag = "contributions",
    responses((status = 200, description = "Accepted figure errors, shown beside the figures", body = [Erratum], content_type = "application/json")))]
pub async fn api_errata(State(s): State<AppState>) -> Response {
    let errata = s
        .contrib
        .as_ref()
        .map(|c| c.view(now()).errata.clone())
        .unwrap_or_default();
    axum::Json(errata).into_response()
}

/// The public blocklist: centres removed after an accepted contribution.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BlocklistAnswer {
    pub entries: Vec<vigie_contributions::overlay::Blocked>,
}

/// `GET /api/v1/blocklist`.
#[utoipa::path(get, path = "/api/v1/blocklist", tag = "contributions",
    responses((status = 200, description = "Centres removed from the slot search after an accepted contribution, with the reason", body = BlocklistAnswer, content_type = "application/json")))]
pub async fn api_blocklist(State(s): State<AppState>) -> Response {
    let entries = s
        .contrib
        .as_ref()
        .and_then(|c| c.desk.overlay().ok())
        .map(|o| o.blocklist)
        .unwrap_or_default();
    axum::Json(BlocklistAnswer { entries }).into_response()
}

/// `GET /api/v1/contributions/signals`: availability reports per centre in the last two hours.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignalsAnswer {
    /// The window, in seconds.
    pub window_seconds: i64,
    pub centres: BTreeMap<String, Signal>,
}

/// `GET /api/v1/contributions/signals`.
#[utoipa::path(get, path = "/api/v1/contributions/signals", tag = "contributions",
    responses((status = 200, description = "Availability reports per centre in the last two hours (never changing the slot counts)", body = SignalsAnswer, content_type = "application/json")))]
pub async fn api_signals(State(s): State<AppState>) -> Response {
    let centres = s
        .contrib
        .as_ref()
        .map(|c| c.view(now()).signals.clone())
        .unwrap_or_default();
    axum::Json(SignalsAnswer {
        window_seconds: SIGNAL_WINDOW_SECS,
        centres,
    })
    .into_response()
}

/// The body of `POST /api/v1/moderation/contributions/{id}/decision`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    pub decision: Decision,
    #[serde(default)]
    pub reason: Option<String>,
}

/// The answer of a decision.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DecisionAnswer {
    pub id: String,
    pub status: Status,
    pub moderator: Option<String>,
    pub decided_at: Option<String>,
    pub reason: Option<String>,
    pub duplicate_of: Option<String>,
}

fn unauthorized() -> Response {
    let mut res = api::problem(
        StatusCode::UNAUTHORIZED,
        "a moderator's bearer token is required",
    );
    res.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"vigie-moderation\""),
    );
    res
}

/// The moderator of a bearer token (verified off the async threads: argon2 is slow on
/// purpose). Failed attempts count against the client's login rate.
async fn bearer(s: &AppState, headers: &HeaderMap, ip: IpAddr) -> Result<String, Response> {
    let Some(c) = s.contrib.clone() else {
        return Err(unauthorized());
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let Some(token) = token else {
        return Err(unauthorized());
    };
    if let Err(wait) = c.auth_blocked(ip) {
        return Err(too_many(wait, true, Lang::En));
    }
    let desk = c.desk.clone();
    match tokio::task::spawn_blocking(move || desk.bearer(&token)).await {
        Ok(Ok(Some(name))) => Ok(name),
        _ => {
            c.auth_failed(ip);
            Err(unauthorized())
        }
    }
}

/// Takes a decision and refreshes what the pages show.
async fn decide(
    s: &AppState,
    id: String,
    moderator: String,
    decision: Decision,
    reason: Option<String>,
) -> Result<Item, vigie_contributions::ContribError> {
    let Some(c) = s.contrib.clone() else {
        return Err(vigie_contributions::ContribError::NotFound);
    };
    let desk = c.desk.clone();
    let t = now();
    let item = tokio::task::spawn_blocking(move || {
        desk.decide(&id, &moderator, decision, reason.as_deref(), t)
    })
    .await
    .map_err(|e| vigie_contributions::ContribError::Db(e.to_string()))??;
    c.refresh(t);
    // Errata are shown on the release's cached pages and in its provenance answers.
    c.generation
        .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    s.caches.pages.clear();
    s.caches.slots.clear();
    Ok(item)
}

/// `POST /api/v1/moderation/contributions/{id}/decision` (bearer token).
#[utoipa::path(post, path = "/api/v1/moderation/contributions/{id}/decision", tag = "moderation",
    params(("id" = String, Path, description = "C-000042")),
    request_body(content = DecisionBody, content_type = "application/json"),
    security(("moderator_token" = [])),
    responses((status = 200, description = "Decided (with second approvals, a first accept answers `awaiting_second_approval`)", body = DecisionAnswer, content_type = "application/json"),
              (status = 400, description = "Unreadable body", body = crate::api::Problem, content_type = "application/problem+json"),
              (status = 401, description = "No or wrong `Authorization: Bearer` token", body = crate::api::Problem, content_type = "application/problem+json"),
              (status = 404, description = "Unknown contribution", body = crate::api::Problem, content_type = "application/problem+json"),
              (status = 409, description = "The decision cannot be taken (a reason is missing, no thread to join, the same moderator twice)", body = crate::api::Problem, content_type = "application/problem+json"),
              (status = 429, description = "Too many failed tokens from this client", body = crate::api::Problem, content_type = "application/problem+json")))]
pub async fn api_decide(
    State(s): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let ip = client(&s, req.headers(), peer_of(&req));
    let moderator = match bearer(&s, req.headers(), ip).await {
        Ok(m) => m,
        Err(res) => return res,
    };
    let Ok(body) = axum::body::to_bytes(req.into_body(), 16 * 1024).await else {
        return api::problem(StatusCode::PAYLOAD_TOO_LARGE, "request body too large");
    };
    let body: DecisionBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return api::problem(
                StatusCode::BAD_REQUEST,
                &format!(
                    "body: {e} (expected {{\"decision\": \"accept\"|\"reject\"|\"duplicate\"|\"need_info\", \"reason\": \"…\"}})"
                ),
            );
        }
    };
    match decide(&s, id, moderator, body.decision, body.reason).await {
        Ok(item) => no_store(
            axum::Json(DecisionAnswer {
                id: item.id.clone(),
                status: item.status,
                moderator: item.moderator.clone(),
                decided_at: item.decided_at.map(rfc3339),
                reason: item.reason.clone(),
                duplicate_of: item.duplicate_of.clone(),
            })
            .into_response(),
        ),
        Err(vigie_contributions::ContribError::NotFound) => {
            api::problem(StatusCode::NOT_FOUND, "no such contribution")
        }
        Err(vigie_contributions::ContribError::Decision(e)) => {
            api::problem(StatusCode::CONFLICT, &e)
        }
        Err(e) => {
            tracing::error!("decision not recorded: {e}");
            api::problem(StatusCode::INTERNAL_SERVER_ERROR, "decision not recorded")
        }
    }
}

/// A queue entry as the API gives it to scripts.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QueueEntry {
    pub id: String,
    pub kind: Kind,
    pub object: String,
    pub department: Option<String>,
    pub status: Status,
    pub submitted_at: String,
    pub thread: String,
    pub thread_size: u32,
    /// The contributor's evidence (moderators only).
    pub evidence: Option<String>,
}

/// `GET /api/v1/moderation/contributions?kind=&department=&older_than_hours=&all=` (bearer).
#[utoipa::path(get, path = "/api/v1/moderation/contributions", tag = "moderation",
    params(("kind" = Option<String>, Query, description = "Only this kind"), ("department" = Option<String>, Query, description = "Only this department"),
           ("older_than_hours" = Option<u32>, Query, description = "Only contributions at least this old"), ("all" = Option<bool>, Query, description = "Also decided ones")),
    security(("moderator_token" = [])),
    responses((status = 200, description = "The moderation queue, oldest first, with the contributors' evidence", body = [QueueEntry], content_type = "application/json"),
              (status = 401, description = "No or wrong `Authorization: Bearer` token", body = crate::api::Problem, content_type = "application/problem+json")))]
pub async fn api_queue(State(s): State<AppState>, req: Request) -> Response {
    let ip = client(&s, req.headers(), peer_of(&req));
    if let Err(res) = bearer(&s, req.headers(), ip).await {
        return res;
    }
    let filter = queue_filter(req.uri());
    let Some(c) = s.contrib.clone() else {
        return unauthorized();
    };
    match c.desk.queue(&filter, now()) {
        Ok(items) => no_store(
            axum::Json(
                items
                    .iter()
                    .map(|i| QueueEntry {
                        id: i.id.clone(),
                        kind: i.submission.kind(),
                        object: i.object.clone(),
                        department: i.department.clone(),
                        status: i.status,
                        submitted_at: rfc3339(i.submitted_at),
                        thread: i.thread.clone(),
                        thread_size: i.thread_size,
                        evidence: i.submission.evidence().map(str::to_string),
                    })
                    .collect::<Vec<_>>(),
            )
            .into_response(),
        ),
        Err(e) => {
            tracing::error!("queue: {e}");
            api::problem(StatusCode::INTERNAL_SERVER_ERROR, "queue unavailable")
        }
    }
}

fn queue_filter(uri: &axum::http::Uri) -> QueueFilter {
    let q = |n: &str| query_value(uri, n).filter(|v| !v.trim().is_empty());
    QueueFilter {
        kind: q("kind").as_deref().and_then(Kind::parse),
        department: q("department").map(|d| d.trim().to_ascii_uppercase()),
        older_than_hours: q("older_than_hours").and_then(|h| h.trim().parse().ok()),
        all: q("all").is_some_and(|v| v == "1" || v == "true" || v == "on"),
    }
}

// ---------------------------------------------------------------------------------------
// Pages.

/// A field of a form, as the template draws it.
pub struct FieldView {
    /// `name` and `id` (prefixed `f-`).
    pub name: &'static str,
    pub label: &'static str,
    /// `text`, `url`, `tel`, `email`, `date`, `datetime-local`, `textarea`, `select`, `hidden`.
    pub input: &'static str,
    pub value: String,
    pub required: bool,
    pub hint: Option<String>,
    /// `(value, label)` of a select.
    pub options: Vec<(String, String)>,
    /// The error of this field, if it is the one that was wrong.
    pub error: Option<String>,
    /// `autocomplete` attribute.
    pub autocomplete: &'static str,
}

/// A link of a chooser.
pub struct ChoiceView {
    pub href: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "contribute.html")]
struct ContributePage {
    l: LayoutView,
    /// The kind of the form, None: the chooser.
    kind_label: Option<String>,
    kind: String,
    about: Option<(String, String)>,
    intro_hint: Option<&'static str>,
    fields: Vec<FieldView>,
    choices: Vec<ChoiceView>,
    other_choices: Vec<ChoiceView>,
    /// Form-level error (token, rate).
    error: Option<String>,
    /// The field in error, to link from the summary.
    /// The field in error: (name, message, label of its visible input — None for a hidden or
    /// unknown field, whose message is shown alone).
    error_field: Option<(String, String, Option<String>)>,
    form_token: String,
    action: String,
    privacy_href: String,
    register_href: String,
    enabled: bool,
}

#[derive(Template)]
#[template(path = "contribution_status.html")]
struct StatusPage {
    l: LayoutView,
    found: bool,
    fresh: bool,
    id: String,
    kind: String,
    object: String,
    status: String,
    status_class: &'static str,
    submitted: String,
    decided: Option<String>,
    reason: Option<String>,
    thread_size: u32,
    register_href: String,
}

/// A register row as the page shows it.
pub struct RegisterRow {
    pub id: String,
    pub kind: &'static str,
    pub object: String,
    pub department: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub reason: String,
    pub submitted: String,
    pub decided: String,
    pub moderator: String,
}

/// A blocklist row.
pub struct BlockRow {
    pub centre_id: String,
    pub cause: &'static str,
    pub reason: String,
    pub contribution: String,
    pub decided: String,
}

/// An erratum row.
pub struct ErratumRow {
    pub territory: String,
    pub indicator: String,
    pub date: String,
    pub text: String,
    pub contribution: String,
    pub decided: String,
}

#[derive(Template)]
#[template(path = "contributions.html")]
struct RegisterPage {
    l: LayoutView,
    rows: Vec<RegisterRow>,
    blocked: Vec<BlockRow>,
    errata: Vec<ErratumRow>,
    atom: String,
    csv: String,
    json: String,
    contribute_href: String,
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    l: LayoutView,
    fr: bool,
    retention_days: u32,
    register_href: String,
}

/// One entry of the Atom feed.
pub struct AtomEntry {
    pub id: String,
    pub title: String,
    pub updated: String,
    pub summary: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "contributions.atom", escape = "xml")]
struct AtomFeed {
    updated: String,
    self_link: String,
    register_link: String,
    entries: Vec<AtomEntry>,
}

fn layout(s: &AppState, r: &Release, lang: Lang, route: Route<'_>, title: &str) -> LayoutView {
    let view = s.contrib.as_ref().map(|c| c.view(now()));
    let ctx = crate::page_ctx(s, r, lang, view.as_deref());
    views::layout(&ctx, Some(route), title, Needs::default())
}

fn status_word(tx: &Texts, lang: Lang, st: Status) -> (String, &'static str) {
    let _ = tx;
    let class = match st {
        Status::Accepted => "st-accepted",
        Status::Rejected => "st-rejected",
        Status::Duplicate => "st-duplicate",
        Status::NeedInfo => "st-info",
        Status::Pending | Status::AwaitingSecondApproval => "st-pending",
    };
    let word = lang.t(st.label_fr(), st.label_en());
    (word.to_string(), class)
}

fn kind_label(lang: Lang, k: Kind) -> &'static str {
    lang.t(k.label_fr(), k.label_en())
}

fn when(lang: Lang, t: i64) -> String {
    crate::fmt::paris_time(lang, &rfc3339(t), true).unwrap_or_else(|| rfc3339(t))
}

/// The form of a kind, prefilled from `values` (the query, or what was sent), with the field
/// in `error` marked.
fn form_fields(
    s: &AppState,
    r: &Release,
    lang: Lang,
    kind: Kind,
    values: &RawFields,
    error: Option<&vigie_contributions::FieldError>,
    retention: u32,
) -> Vec<FieldView> {
    let tx = lang.tx();
    let v = |k: &str| values.get(k).cloned().unwrap_or_default();
    let err = |k: &str| {
        error
            .filter(|e| e.field == k)
            .map(|e| lang.t(&e.fr, &e.en).to_string())
    };
    let f =
        |name: &'static str, label: &'static str, input: &'static str, required: bool| FieldView {
            name,
            label,
            input,
            value: v(name),
            required,
            hint: None,
            options: Vec::new(),
            error: err(name),
            autocomplete: "off",
        };
    let mut out = Vec::new();
    match kind {
        Kind::MissingCentre => {
            out.push(FieldView {
                autocomplete: "organization",
                ..f("name", tx.f_name, "text", true)
            });
            out.push(FieldView {
                autocomplete: "street-address",
                ..f("address", tx.f_address, "text", false)
            });
            out.push(f("commune", tx.f_commune, "text", false));
            out.push(f("booking_url", tx.f_booking_url, "url", false));
            out.push(FieldView {
                autocomplete: "tel",
                ..f("phone", tx.f_phone, "tel", false)
            });
            let mut options = vec![(String::new(), tx.f_platform_unknown.to_string())];
            options.extend(
                vigie_slots::Platform::ALL
                    .iter()
                    .map(|p| (p.slug().to_string(), p.reference_name().to_string())),
            );
            options.push(("autre".into(), tx.f_platform_other.to_string()));
            out.push(FieldView {
                options,
                ..f("platform", tx.f_platform, "select", false)
            });
            out.push(f("evidence", tx.f_evidence_centre, "textarea", true));
        }
        Kind::CentreCorrection => {
            out.push(f("centre_id", "", "hidden", true));
            let options = CentreField::ALL
                .iter()
                .map(|c| {
                    (
                        c.as_str().to_string(),
                        lang.t(c.label_fr(), c.label_en()).to_string(),
                    )
                })
                .collect();
            out.push(FieldView {
                options,
                ..f("field", tx.f_field, "select", true)
            });
            out.push(FieldView {
                hint: Some(tx.f_value_hint.to_string()),
                ..f("value", tx.f_value, "text", false)
            });
            out.push(f("evidence", tx.f_evidence_centre, "textarea", true));
        }
        Kind::AvailabilityReport => {
            out.push(f("centre_id", "", "hidden", true));
            out.push(FieldView {
                options: vec![
                    ("not_bookable".into(), tx.choice_not_bookable.into()),
                    ("booked".into(), tx.choice_booked.into()),
                ],
                ..f("outcome", tx.f_outcome, "select", true)
            });
            let mut seen = f("seen_at", tx.f_seen_at, "datetime-local", false);
            if seen.value.is_empty() {
                seen.value = jiff::Timestamp::from_second(now())
                    .map(|t| {
                        t.to_zoned(
                            jiff::tz::TimeZone::get("Europe/Paris")
                                .unwrap_or(jiff::tz::TimeZone::UTC),
                        )
                        .strftime("%Y-%m-%dT%H:%M")
                        .to_string()
                    })
                    .unwrap_or_default();
            }
            out.push(seen);
        }
        Kind::FigureError => {
            let territories = r
                .territories
                .iter()
                .map(|t| (t.key.clone(), t.name.clone()))
                .collect();
            out.push(FieldView {
                options: territories,
                ..f("territory", tx.f_territory, "select", true)
            });
            let indicators = r
                .dictionary
                .indicators
                .iter()
                .map(|i| {
                    (
                        i.id.clone(),
                        match lang {
                            Lang::Fr => i.label_fr.clone(),
                            Lang::En => i.label_en.clone(),
                        },
                    )
                })
                .collect();
            out.push(FieldView {
                options: indicators,
                ..f("indicator", tx.f_indicator, "select", true)
            });
            out.push(f("date", tx.f_date, "date", false));
            out.push(f("evidence", tx.f_evidence_figure, "textarea", true));
        }
        Kind::DatasetSuggestion => {
            out.push(f("url", tx.f_url, "url", true));
            out.push(f("evidence", tx.f_evidence_dataset, "textarea", true));
        }
    }
    out.push(FieldView {
        hint: Some(format!("{} {retention} {}.", tx.f_email_hint, tx.days_word)),
        autocomplete: "email",
        ..f("email", tx.f_email, "email", false)
    });
    let _ = s;
    out
}

/// What a centre or figure form is about, in words.
fn about(
    s: &AppState,
    r: &Release,
    lang: Lang,
    kind: Kind,
    v: &RawFields,
) -> Option<(String, String)> {
    let tx = lang.tx();
    match kind {
        Kind::CentreCorrection | Kind::AvailabilityReport => {
            let id = v.get("centre_id")?;
            let name = s
                .slots
                .as_ref()
                .and_then(|f| f.centre(id))
                .map(|c| match c.address {
                    Some(a) => format!("{} — {a}", c.name),
                    None => c.name,
                })
                .unwrap_or_else(|| id.clone());
            Some((tx.about_centre.to_string(), name))
        }
        Kind::FigureError => {
            let t = v.get("territory").and_then(|k| r.territory(k))?;
            let ind = v
                .get("indicator")
                .and_then(|i| r.dictionary.indicators.iter().find(|d| &d.id == i))?;
            let label = match lang {
                Lang::Fr => &ind.label_fr,
                Lang::En => &ind.label_en,
            };
            let date = v
                .get("date")
                .map(|d| format!(" ({})", crate::fmt::date(lang, d)))
                .unwrap_or_default();
            Some((
                tx.about_figure.to_string(),
                format!("{} — {label}{date}", t.name),
            ))
        }
        _ => None,
    }
}

fn contribute_url(lang: Lang, pairs: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    format!("{}/contribuer?{}", lang.prefix(), q.finish())
}

#[allow(clippy::too_many_arguments)]
fn render_form(
    s: &AppState,
    lang: Lang,
    kind: Option<Kind>,
    values: &RawFields,
    field_error: Option<&vigie_contributions::FieldError>,
    form_error: Option<String>,
    status: StatusCode,
) -> Response {
    let r = s.current();
    let tx = lang.tx();
    let retention = s
        .contrib
        .as_ref()
        .map_or(90, |c| c.desk.settings().email_retention_days);
    let title = kind.map_or(tx.nav_contribute, |k| kind_label(lang, k));
    let centre = values.get("centre_id").cloned();
    let choices = match (kind, &centre) {
        (None, Some(id)) => vec![
            ChoiceView {
                href: contribute_url(
                    lang,
                    &[
                        ("kind", "availability_report"),
                        ("centre_id", id),
                        ("outcome", "not_bookable"),
                    ],
                ),
                label: tx.choice_not_bookable.into(),
            },
            ChoiceView {
                href: contribute_url(
                    lang,
                    &[
                        ("kind", "availability_report"),
                        ("centre_id", id),
                        ("outcome", "booked"),
                    ],
                ),
                label: tx.choice_booked.into(),
            },
            ChoiceView {
                href: contribute_url(lang, &[("kind", "centre_correction"), ("centre_id", id)]),
                label: tx.choice_wrong_info.into(),
            },
            ChoiceView {
                href: contribute_url(
                    lang,
                    &[
                        ("kind", "centre_correction"),
                        ("centre_id", id),
                        ("field", "closed"),
                    ],
                ),
                label: tx.choice_closed.into(),
            },
        ],
        (None, None) => Kind::ALL
            .iter()
            .filter(|k| !matches!(k, Kind::CentreCorrection | Kind::AvailabilityReport))
            .map(|k| ChoiceView {
                href: contribute_url(lang, &[("kind", k.as_str())]),
                label: kind_label(lang, *k).into(),
            })
            .collect(),
        _ => Vec::new(),
    };
    let other_choices = if kind.is_some() {
        vec![ChoiceView {
            href: contribute_url(lang, &[]),
            label: tx.other_kinds.into(),
        }]
    } else {
        Vec::new()
    };
    let fields = kind
        .map(|k| form_fields(s, &r, lang, k, values, field_error, retention))
        .unwrap_or_default();
    // « Erreur : » first in the title of a page that refused the form.
    let title = if field_error.is_some() || form_error.is_some() {
        format!("{} {title}", lang.t("Erreur\u{a0}:", "Error:"))
    } else {
        title.to_string()
    };
    let page = ContributePage {
        l: layout(s, &r, lang, Route::Contribute, &title),
        kind_label: kind.map(|k| kind_label(lang, k).to_string()),
        kind: kind.map_or("", Kind::as_str).to_string(),
        // The centre chooser names its centre too.
        about: about(
            s,
            &r,
            lang,
            kind.unwrap_or(Kind::AvailabilityReport),
            values,
        ),
        intro_hint: (kind == Some(Kind::MissingCentre)).then_some(tx.missing_centre_hint),
        error_field: field_error.map(|e| {
            let label = fields
                .iter()
                .find(|f| f.name == e.field && f.input != "hidden")
                .map(|f| f.label.to_string());
            (e.field.clone(), lang.t(&e.fr, &e.en).to_string(), label)
        }),
        fields,
        choices,
        other_choices,
        error: form_error,
        form_token: s
            .contrib
            .as_ref()
            .map(|c| auth::form_token(c.desk.form_key(), now()))
            .unwrap_or_default(),
        action: format!("{}/contribuer", lang.prefix()),
        privacy_href: format!("{}/confidentialite", lang.prefix()),
        register_href: format!("{}/contributions", lang.prefix()),
        enabled: s.contrib.is_some(),
    };
    html_page(status, page.render())
}

fn lang_of(uri: &axum::http::Uri) -> Lang {
    Lang::from_path(uri.path()).0
}

/// `GET /contribuer?kind=…&centre_id=…` (and `/en/contribuer`).
pub async fn page_contribute(State(s): State<AppState>, uri: axum::http::Uri) -> Response {
    let lang = lang_of(&uri);
    let mut values = RawFields::new();
    if let Some(q) = uri.query() {
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            if v.len() <= 500 {
                values.insert(k.into_owned(), v.into_owned());
            }
        }
    }
    let kind = values.get("kind").and_then(|k| Kind::parse(k));
    // A centre kind without its centre: the general chooser.
    let kind = kind.filter(|k| {
        !matches!(k, Kind::CentreCorrection | Kind::AvailabilityReport)
            || values.contains_key("centre_id")
    });
    render_form(&s, lang, kind, &values, None, None, StatusCode::OK)
}

/// `POST /contribuer`: the form's submission; `303` to the private status page, or the form
/// again (`400`, values kept) naming the field that is wrong.
pub async fn page_submit(State(s): State<AppState>, req: Request) -> Response {
    let lang = lang_of(req.uri());
    let ip = client(&s, req.headers(), peer_of(&req));
    let Ok(body) = axum::body::to_bytes(req.into_body(), 64 * 1024).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let mut raw = RawFields::new();
    for (k, v) in form_urlencoded::parse(&body) {
        raw.insert(k.into_owned(), v.into_owned());
    }
    // Empty optional fields are absent.
    raw.retain(|_, v| !v.trim().is_empty());
    let kind = raw.get("kind").and_then(|k| Kind::parse(k));
    let tx = lang.tx();
    match submit_raw(&s, raw.clone(), ip, true).await {
        Ok((receipt, _)) => {
            let (_, page) = status_paths(lang, &receipt.id, &receipt.token);
            no_store(Redirect::to(&format!("{page}&recu=1")).into_response())
        }
        Err(SubmitError::Field(e)) => {
            let mut values = raw;
            values.remove("form_token");
            render_form(
                &s,
                lang,
                kind,
                &values,
                Some(&e),
                None,
                StatusCode::BAD_REQUEST,
            )
        }
        Err(SubmitError::Form(f)) => {
            let msg = match f {
                FormTokenError::TooFast => tx.form_error_too_fast,
                FormTokenError::Expired => tx.form_error_expired,
                FormTokenError::Invalid => tx.form_error_invalid,
            };
            render_form(
                &s,
                lang,
                kind,
                &raw,
                None,
                Some(msg.into()),
                StatusCode::BAD_REQUEST,
            )
        }
        Err(SubmitError::Rate(wait)) => too_many(wait, false, lang),
        Err(SubmitError::Unavailable) => render_form(
            &s,
            lang,
            kind,
            &raw,
            None,
            Some(tx.contributions_unavailable.into()),
            StatusCode::SERVICE_UNAVAILABLE,
        ),
        Err(SubmitError::Internal(e)) => {
            tracing::error!("contribution not recorded: {e}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "erreur interne / internal error\n",
            )
                .into_response()
        }
    }
}

/// `GET /contribuer/suivi/{id}?jeton=…`: the contributor's private status page.
pub async fn page_status(
    State(s): State<AppState>,
    Path(id): Path<String>,
    uri: axum::http::Uri,
) -> Response {
    let lang = lang_of(&uri);
    let tx = lang.tx();
    let r = s.current();
    let token = query_value(&uri, "jeton").unwrap_or_default();
    let item = s
        .contrib
        .as_ref()
        .and_then(|c| c.desk.follow(&id, &token).ok().flatten());
    let l = layout(&s, &r, lang, Route::Contribute, tx.status_title);
    let page = match item {
        Some(i) => {
            let (status, status_class) = status_word(tx, lang, i.status);
            StatusPage {
                l,
                found: true,
                fresh: query_value(&uri, "recu").is_some(),
                id: i.id.clone(),
                kind: kind_label(lang, i.submission.kind()).into(),
                object: i.object.clone(),
                status,
                status_class,
                submitted: when(lang, i.submitted_at),
                decided: i.decided_at.map(|t| when(lang, t)),
                reason: i.reason.clone(),
                thread_size: i.thread_size,
                register_href: format!("{}/contributions", lang.prefix()),
            }
        }
        None => StatusPage {
            l,
            found: false,
            fresh: false,
            id,
            kind: String::new(),
            object: String::new(),
            status: String::new(),
            status_class: "",
            submitted: String::new(),
            decided: None,
            reason: None,
            thread_size: 0,
            register_href: format!("{}/contributions", lang.prefix()),
        },
    };
    let found = page.found;
    let mut res = html_page(
        if found {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        },
        page.render(),
    );
    // The token is in the URL: never send it elsewhere.
    res.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

fn register_rows(lang: Lang, entries: &[RegisterEntry]) -> Vec<RegisterRow> {
    let tx = lang.tx();
    entries
        .iter()
        .map(|e| {
            let status: &'static str = lang.t(e.status.label_fr(), e.status.label_en());
            RegisterRow {
                id: e.id.clone(),
                kind: kind_label(lang, e.kind),
                object: e.object.clone(),
                department: e.department.clone().unwrap_or_default(),
                status,
                status_class: status_word(tx, lang, e.status).1,
                reason: e.reason.clone().unwrap_or_default(),
                submitted: crate::fmt::paris_time(lang, &e.submitted_at, true)
                    .unwrap_or_else(|| e.submitted_at.clone()),
                decided: crate::fmt::paris_time(lang, &e.decided_at, true)
                    .unwrap_or_else(|| e.decided_at.clone()),
                moderator: e.moderator.clone(),
            }
        })
        .collect()
}

/// `GET /contributions`: the public register page.
pub async fn page_register(State(s): State<AppState>, uri: axum::http::Uri) -> Response {
    let lang = lang_of(&uri);
    let tx = lang.tx();
    let r = s.current();
    let entries = register_entries(&s);
    let overlay = s
        .contrib
        .as_ref()
        .and_then(|c| c.desk.overlay().ok())
        .unwrap_or_default();
    let errata = s
        .contrib
        .as_ref()
        .map(|c| c.view(now()).errata.clone())
        .unwrap_or_default();
    let page = RegisterPage {
        l: layout(&s, &r, lang, Route::Contributions, tx.nav_contributions),
        rows: register_rows(lang, &entries),
        blocked: overlay
            .blocklist
            .iter()
            .map(|b| BlockRow {
                centre_id: b.centre_id.clone(),
                cause: match (b.cause.as_str(), lang) {
                    ("closed", Lang::Fr) => CentreField::Closed.label_fr(),
                    ("closed", Lang::En) => CentreField::Closed.label_en(),
                    (_, Lang::Fr) => CentreField::NotVaccinationPlace.label_fr(),
                    (_, Lang::En) => CentreField::NotVaccinationPlace.label_en(),
                },
                reason: b.reason.clone().unwrap_or_default(),
                contribution: b.provenance.contribution_id.clone(),
                decided: when(lang, b.provenance.decided_at),
            })
            .collect(),
        errata: errata
            .iter()
            .map(|e| ErratumRow {
                territory: r
                    .territory(&e.territory)
                    .map_or_else(|| e.territory.clone(), |t| t.name.clone()),
                indicator: r
                    .dictionary
                    .indicators
                    .iter()
                    .find(|i| i.id == e.indicator)
                    .map_or_else(
                        || e.indicator.clone(),
                        |i| match lang {
                            Lang::Fr => i.label_fr.clone(),
                            Lang::En => i.label_en.clone(),
                        },
                    ),
                date: e
                    .date
                    .as_deref()
                    .map(|d| crate::fmt::date(lang, d))
                    .unwrap_or_default(),
                text: e.text.clone().unwrap_or_default(),
                contribution: e.provenance.contribution_id.clone(),
                decided: when(lang, e.provenance.decided_at),
            })
            .collect(),
        atom: "/contributions.atom".into(),
        csv: "/contributions.csv".into(),
        json: "/api/v1/contributions".into(),
        contribute_href: format!("{}/contribuer", lang.prefix()),
    };
    let mut res = html_page(StatusCode::OK, page.render());
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=30"),
    );
    res
}

/// The Atom feed of the register.
pub fn atom(entries: &[RegisterEntry], now_rfc3339: &str) -> Result<String, askama::Error> {
    let feed = AtomFeed {
        updated: entries
            .first()
            .map_or_else(|| now_rfc3339.to_string(), |e| e.decided_at.clone()),
        self_link: "/contributions.atom".into(),
        register_link: "/contributions".into(),
        entries: entries
            .iter()
            .take(200)
            .map(|e| AtomEntry {
                id: format!("urn:vigie:contribution:{}", e.id),
                title: format!("{} — {} : {}", e.id, e.kind.label_fr(), e.status.label_fr()),
                updated: e.decided_at.clone(),
                summary: match &e.reason {
                    Some(r) => format!("{} — {r}", e.object),
                    None => e.object.clone(),
                },
                link: format!("/contributions#{}", e.id),
            })
            .collect(),
    };
    feed.render()
}

/// `GET /contributions.atom`.
pub async fn feed_atom(State(s): State<AppState>) -> Response {
    let entries = register_entries(&s);
    match atom(&entries, &rfc3339(now())) {
        Ok(body) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=60"),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!("atom: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `GET /contributions.csv` (also `/open-data/contributions.csv`).
pub async fn feed_csv(State(s): State<AppState>) -> Response {
    let entries = register_entries(&s);
    match vigie_contributions::register::csv(&entries) {
        Ok(body) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=60"),
            ],
            Bytes::from(body),
        )
            .into_response(),
        Err(e) => {
            tracing::error!("csv: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `GET /confidentialite`.
pub async fn page_privacy(State(s): State<AppState>, uri: axum::http::Uri) -> Response {
    let lang = lang_of(&uri);
    let r = s.current();
    let page = PrivacyPage {
        l: layout(&s, &r, lang, Route::Privacy, lang.tx().privacy_title),
        fr: lang == Lang::Fr,
        retention_days: s
            .contrib
            .as_ref()
            .map_or(90, |c| c.desk.settings().email_retention_days),
        register_href: format!("{}/contributions", lang.prefix()),
    };
    html_page(StatusCode::OK, page.render())
}

// ---------------------------------------------------------------------------------------
// Moderation pages.

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
}

fn session_of(s: &AppState, headers: &HeaderMap) -> Option<(String, vigie_contributions::Session)> {
    let c = s.contrib.as_ref()?;
    let cookie = session_cookie(headers)?;
    let session = c.desk.session(&cookie, now()).ok()??;
    Some((cookie, session))
}

#[derive(Template)]
#[template(path = "moderation_login.html")]
struct LoginPage {
    l: LayoutView,
    error: Option<&'static str>,
    action: String,
    form_token: String,
}

/// A queue row.
pub struct QueueRow {
    pub id: String,
    pub href: String,
    pub kind: &'static str,
    pub object: String,
    pub department: String,
    pub status: String,
    pub status_class: &'static str,
    pub submitted: String,
    pub thread_size: u32,
}

#[derive(Template)]
#[template(path = "moderation_queue.html")]
struct QueuePage {
    l: LayoutView,
    moderator: String,
    csrf: String,
    rows: Vec<QueueRow>,
    kinds: Vec<(String, String, bool)>,
    department: String,
    older: String,
    all: bool,
    action: String,
    logout: String,
}

#[derive(Template)]
#[template(path = "moderation_item.html")]
struct ItemPage {
    l: LayoutView,
    moderator: String,
    csrf: String,
    id: String,
    kind: &'static str,
    status: String,
    status_class: &'static str,
    submitted: String,
    department: String,
    says: Vec<(String, String)>,
    current: Vec<(String, String)>,
    history: Vec<(String, String, String, String)>,
    first_approval: Option<String>,
    has_email: bool,
    thread_size: u32,
    saved: bool,
    error: Option<String>,
    action: String,
    back: String,
    logout: String,
}

fn login_page(
    s: &AppState,
    lang: Lang,
    error: Option<&'static str>,
    status: StatusCode,
) -> Response {
    let r = s.current();
    let tx = lang.tx();
    let page = LoginPage {
        l: layout(s, &r, lang, Route::Moderation, tx.mod_login_title),
        error,
        action: format!("{}/moderation/connexion", lang.prefix()),
        form_token: s
            .contrib
            .as_ref()
            .map(|c| auth::form_token(c.desk.form_key(), now()))
            .unwrap_or_default(),
    };
    html_page(status, page.render())
}

/// `GET /moderation`: the login form, or the queue of a logged-in moderator.
pub async fn page_moderation(State(s): State<AppState>, req: Request) -> Response {
    let lang = lang_of(req.uri());
    let Some((_, session)) = session_of(&s, req.headers()) else {
        return login_page(&s, lang, None, StatusCode::OK);
    };
    let tx = lang.tx();
    let r = s.current();
    let filter = queue_filter(req.uri());
    let items = s
        .contrib
        .as_ref()
        .and_then(|c| c.desk.queue(&filter, now()).ok())
        .unwrap_or_default();
    let page = QueuePage {
        l: layout(&s, &r, lang, Route::Moderation, tx.mod_queue_title),
        moderator: session.moderator.clone(),
        csrf: session.csrf.clone(),
        rows: items
            .iter()
            .map(|i| {
                let (status, status_class) = status_word(tx, lang, i.status);
                QueueRow {
                    id: i.id.clone(),
                    href: format!("{}/moderation/contributions/{}", lang.prefix(), i.id),
                    kind: kind_label(lang, i.submission.kind()),
                    object: i.object.clone(),
                    department: i.department.clone().unwrap_or_default(),
                    status,
                    status_class,
                    submitted: when(lang, i.submitted_at),
                    thread_size: i.thread_size,
                }
            })
            .collect(),
        kinds: Kind::ALL
            .iter()
            .map(|k| {
                (
                    k.as_str().to_string(),
                    kind_label(lang, *k).to_string(),
                    filter.kind == Some(*k),
                )
            })
            .collect(),
        department: filter.department.clone().unwrap_or_default(),
        older: filter
            .older_than_hours
            .map(|h| h.to_string())
            .unwrap_or_default(),
        all: filter.all,
        action: format!("{}/moderation", lang.prefix()),
        logout: format!("{}/moderation/deconnexion", lang.prefix()),
    };
    let mut res = html_page(StatusCode::OK, page.render());
    res.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

fn form_of(body: &[u8]) -> RawFields {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// `POST /moderation/connexion`: opens a session (`Secure`, `HttpOnly`, `SameSite=Strict`
/// cookie), rate-limited per client.
pub async fn page_login(State(s): State<AppState>, req: Request) -> Response {
    let lang = lang_of(req.uri());
    let ip = client(&s, req.headers(), peer_of(&req));
    let Some(c) = s.contrib.clone() else {
        return login_page(&s, lang, None, StatusCode::SERVICE_UNAVAILABLE);
    };
    if let Err(wait) = c.auth_blocked(ip) {
        return too_many(wait, false, lang);
    }
    let Ok(body) = axum::body::to_bytes(req.into_body(), 16 * 1024).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let f = form_of(&body);
    let token = f.get("form_token").map(String::as_str).unwrap_or("");
    if auth::check_form_token(c.desk.form_key(), token, now(), 0, FORM_MAX_AGE).is_err() {
        return login_page(
            &s,
            lang,
            Some(lang.tx().mod_bad_csrf),
            StatusCode::FORBIDDEN,
        );
    }
    let name = f.get("name").cloned().unwrap_or_default();
    let password = f.get("password").cloned().unwrap_or_default();
    let desk = c.desk.clone();
    let t = now();
    let opened = tokio::task::spawn_blocking(move || desk.login(name.trim(), &password, t)).await;
    match opened {
        Ok(Ok(Some((cookie, _)))) => {
            let mut res = Redirect::to(&format!("{}/moderation", lang.prefix())).into_response();
            let max_age = i64::from(c.desk.settings().session_hours.max(1)) * 3600;
            if let Ok(v) = HeaderValue::from_str(&format!(
                "{SESSION_COOKIE}={cookie}; Path=/; Max-Age={max_age}; Secure; HttpOnly; SameSite=Strict"
            )) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            no_store(res)
        }
        _ => {
            c.auth_failed(ip);
            login_page(
                &s,
                lang,
                Some(lang.tx().mod_bad_login),
                StatusCode::UNAUTHORIZED,
            )
        }
    }
}

/// Whether a form's CSRF token is the session's.
fn csrf_ok(f: &RawFields, session: &vigie_contributions::Session) -> bool {
    f.get("csrf")
        .is_some_and(|t| auth::same(t.as_bytes(), session.csrf.as_bytes()))
}

fn forbidden(s: &AppState, lang: Lang) -> Response {
    let r = s.current();
    let tx = lang.tx();
    let page = LoginPage {
        l: layout(s, &r, lang, Route::Moderation, tx.mod_login_title),
        error: Some(tx.mod_bad_csrf),
        action: format!("{}/moderation/connexion", lang.prefix()),
        form_token: s
            .contrib
            .as_ref()
            .map(|c| auth::form_token(c.desk.form_key(), now()))
            .unwrap_or_default(),
    };
    html_page(StatusCode::FORBIDDEN, page.render())
}

/// `POST /moderation/deconnexion` (CSRF token required).
pub async fn page_logout(State(s): State<AppState>, req: Request) -> Response {
    let lang = lang_of(req.uri());
    let (cookie, session) = match require_session(&s, &req, lang) {
        Ok(found) => found,
        Err(res) => return *res,
    };
    let Ok(body) = axum::body::to_bytes(req.into_body(), 16 * 1024).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    if !csrf_ok(&form_of(&body), &session) {
        return forbidden(&s, lang);
    }
    if let Some(c) = &s.contrib {
        let _ = c.desk.logout(&cookie);
    }
    let mut res = Redirect::to(&format!("{}/moderation", lang.prefix())).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "vigie_moderation=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict",
        ),
    );
    no_store(res)
}

/// What a submission says, field by field, as the moderators read it.
fn says(lang: Lang, sub: &Submission, centre_name: Option<&str>) -> Vec<(String, String)> {
    let tx = lang.tx();
    let centre_line = |id: &str| match centre_name {
        Some(n) => format!("{n} ({id})"),
        None => id.to_string(),
    };
    let mut v: Vec<(String, String)> = Vec::new();
    let mut push = |k: &str, val: Option<&str>| {
        if let Some(val) = val {
            v.push((k.to_string(), val.to_string()));
        }
    };
    match sub {
        Submission::MissingCentre {
            name,
            address,
            commune,
            booking_url,
            phone,
            platform,
            evidence,
        } => {
            push(tx.f_name, Some(name));
            push(tx.f_address, address.as_deref());
            push(tx.f_commune, commune.as_deref());
            push(tx.f_booking_url, booking_url.as_deref());
            push(tx.f_phone, phone.as_deref());
            push(tx.f_platform, platform.as_deref());
            push(tx.f_evidence_centre, Some(evidence));
        }
        Submission::CentreCorrection {
            centre_id,
            field,
            value,
            evidence,
        } => {
            push(lang.t("Centre", "Centre"), Some(&centre_line(centre_id)));
            push(tx.f_field, Some(lang.t(field.label_fr(), field.label_en())));
            push(tx.f_value, value.as_deref());
            push(tx.f_evidence_centre, Some(evidence));
        }
        Submission::AvailabilityReport {
            centre_id,
            outcome,
            seen_at,
        } => {
            push(lang.t("Centre", "Centre"), Some(&centre_line(centre_id)));
            push(
                tx.f_outcome,
                Some(match outcome {
                    vigie_contributions::model::Outcome::NotBookable => tx.choice_not_bookable,
                    vigie_contributions::model::Outcome::Booked => tx.choice_booked,
                }),
            );
            push(tx.f_seen_at, Some(&when(lang, *seen_at)));
        }
        Submission::FigureError {
            territory,
            indicator,
            date,
            evidence,
        } => {
            push(tx.f_territory, Some(territory));
            push(tx.f_indicator, Some(indicator));
            push(tx.f_date, date.as_deref());
            push(tx.f_evidence_figure, Some(evidence));
        }
        Submission::DatasetSuggestion { url, evidence } => {
            push(tx.f_url, Some(url));
            push(tx.f_evidence_dataset, Some(evidence));
        }
    }
    v
}

/// The current data of what a contribution is about (the centre as scanned, the figure as
/// published).
fn current(s: &AppState, r: &Release, lang: Lang, sub: &Submission) -> Vec<(String, String)> {
    let tx = lang.tx();
    match sub {
        Submission::CentreCorrection { centre_id, .. }
        | Submission::AvailabilityReport { centre_id, .. } => {
            let Some(c) = s.slots.as_ref().and_then(|f| f.centre(centre_id)) else {
                return Vec::new();
            };
            let mut v = vec![(tx.f_name.to_string(), c.name.clone())];
            if let Some(a) = &c.address {
                v.push((tx.f_address.to_string(), a.clone()));
            }
            if let Some(p) = &c.phone {
                v.push((tx.f_phone.to_string(), crate::fmt::phone_display(p)));
            }
            if let Some(u) = &c.booking_url {
                v.push((tx.f_booking_url.to_string(), u.clone()));
            }
            v.push((
                lang.t("Créneaux", "Slots").to_string(),
                c.matching_slots.to_string(),
            ));
            v
        }
        Submission::FigureError {
            territory,
            indicator,
            ..
        } => {
            let Some(t) = r.territory(territory) else {
                return Vec::new();
            };
            let mut v = vec![(tx.f_territory.to_string(), t.name.clone())];
            if let Some(l) = t.latest.get(indicator) {
                v.push((
                    lang.t("Dernière valeur publiée", "Latest published value")
                        .to_string(),
                    format!(
                        "{} ({})",
                        crate::fmt::number(lang, l.value, 2),
                        crate::fmt::date(lang, &l.date)
                    ),
                ));
            }
            v.push((
                lang.t("Publication", "Release").to_string(),
                r.id().to_string(),
            ));
            v
        }
        Submission::MissingCentre { booking_url, .. } => {
            let known = booking_url.as_deref().and_then(|u| {
                let key = vigie_slots::centres::url_key(u);
                let f = s.slots.as_ref()?;
                f.centre_by_url(&key)
            });
            match known {
                Some(c) => vec![(
                    lang.t("Déjà connu", "Already known").to_string(),
                    format!("{} ({})", c.name, c.id),
                )],
                None => Vec::new(),
            }
        }
        Submission::DatasetSuggestion { .. } => Vec::new(),
    }
}

fn item_page(
    s: &AppState,
    lang: Lang,
    session: &vigie_contributions::Session,
    item: &Item,
    saved: bool,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let history: Vec<HistoryEntry> = s
        .contrib
        .as_ref()
        .and_then(|c| c.desk.history(&item.id).ok())
        .unwrap_or_default();
    let r = s.current();
    let tx = lang.tx();
    let (st, st_class) = status_word(tx, lang, item.status);
    let page = ItemPage {
        l: layout(
            s,
            &r,
            lang,
            Route::Moderation,
            &format!("{} {}", tx.mod_item_title, item.id),
        ),
        moderator: session.moderator.clone(),
        csrf: session.csrf.clone(),
        id: item.id.clone(),
        kind: kind_label(lang, item.submission.kind()),
        status: st,
        status_class: st_class,
        submitted: when(lang, item.submitted_at),
        department: item.department.clone().unwrap_or_default(),
        says: says(
            lang,
            &item.submission,
            item.submission
                .centre_id()
                .and_then(|id| s.slots.as_ref()?.centre(id))
                .map(|c| c.name)
                .as_deref(),
        ),
        current: current(s, &r, lang, &item.submission),
        history: history
            .iter()
            .map(|h| {
                (
                    when(lang, h.decided_at),
                    h.moderator.clone(),
                    Status::parse(&h.status)
                        .map(|x| status_word(tx, lang, x).0)
                        .unwrap_or_else(|| h.status.clone()),
                    h.reason.clone().unwrap_or_default(),
                )
            })
            .collect(),
        first_approval: item.first_approval_by.clone(),
        has_email: item.has_email,
        thread_size: item.thread_size,
        saved,
        error,
        action: format!("{}/moderation/contributions/{}", lang.prefix(), item.id),
        back: format!("{}/moderation", lang.prefix()),
        logout: format!("{}/moderation/deconnexion", lang.prefix()),
    };
    let mut res = html_page(status, page.render());
    res.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

/// `GET /moderation/contributions/{id}`: the contributor's evidence and the current data side
/// by side, and the decision form.
pub async fn page_item(
    State(s): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let lang = lang_of(req.uri());
    let session = match require_session(&s, &req, lang) {
        Ok((_, session)) => session,
        Err(res) => return *res,
    };
    let saved = query_value(req.uri(), "ok").is_some();
    show_item(&s, lang, &session, &id, saved, None, StatusCode::OK)
}

/// The moderator's session of a request, or the login page (`401`).
fn require_session(
    s: &AppState,
    req: &Request,
    lang: Lang,
) -> Result<(String, vigie_contributions::Session), Box<Response>> {
    session_of(s, req.headers()).ok_or_else(|| {
        Box::new(login_page(
            s,
            lang,
            Some(lang.tx().mod_need_login),
            StatusCode::UNAUTHORIZED,
        ))
    })
}

/// The page of the contribution `id` (404 when there is none).
fn show_item(
    s: &AppState,
    lang: Lang,
    session: &vigie_contributions::Session,
    id: &str,
    saved: bool,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    match s.contrib.as_ref().map(|c| c.desk.get(id)) {
        Some(Ok(Some(item))) => item_page(s, lang, session, &item, saved, error, status),
        _ => crate::not_found_page(
            s,
            &format!("{}/moderation/contributions/{id}", lang.prefix()),
        ),
    }
}

/// `POST /moderation/contributions/{id}`: a decision from the form (session + CSRF token).
pub async fn page_decide(
    State(s): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let lang = lang_of(req.uri());
    let session = match require_session(&s, &req, lang) {
        Ok((_, session)) => session,
        Err(res) => return *res,
    };
    let Ok(body) = axum::body::to_bytes(req.into_body(), 16 * 1024).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let f = form_of(&body);
    if !csrf_ok(&f, &session) {
        return forbidden(&s, lang);
    }
    let refused = |error: String| {
        show_item(
            &s,
            lang,
            &session,
            &id,
            false,
            Some(error),
            StatusCode::BAD_REQUEST,
        )
    };
    let Some(decision) = f.get("decision").and_then(|d| Decision::parse(d)) else {
        return refused(
            lang.t("Choisissez une décision.", "Choose a decision.")
                .into(),
        );
    };
    let reason = f.get("reason").cloned();
    match decide(&s, id.clone(), session.moderator.clone(), decision, reason).await {
        Ok(_) => no_store(
            Redirect::to(&format!(
                "{}/moderation/contributions/{id}?ok=1",
                lang.prefix()
            ))
            .into_response(),
        ),
        Err(vigie_contributions::ContribError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => refused(e.to_string()),
    }
}

/// The contribution routes, French and English.
pub fn routes(router: axum::Router<AppState>) -> axum::Router<AppState> {
    use axum::routing::{get, post};
    let mut r = router
        .route("/api/v1/contributions", get(api_register).post(api_submit))
        .route("/api/v1/contributions/signals", get(api_signals))
        .route("/api/v1/contributions/{id}", get(api_follow))
        .route("/api/v1/moderation/contributions", get(api_queue))
        .route(
            "/api/v1/moderation/contributions/{id}/decision",
            post(api_decide),
        )
        .route("/api/v1/errata", get(api_errata))
        .route("/api/v1/blocklist", get(api_blocklist))
        .route("/contributions.atom", get(feed_atom))
        .route("/contributions.csv", get(feed_csv));
    for prefix in ["", "/en"] {
        r = r
            .route(
                &format!("{prefix}/contribuer"),
                get(page_contribute).post(page_submit),
            )
            .route(
                &format!("{prefix}/contribuer/suivi/{{id}}"),
                get(page_status),
            )
            .route(&format!("{prefix}/contributions"), get(page_register))
            .route(&format!("{prefix}/confidentialite"), get(page_privacy))
            .route(&format!("{prefix}/moderation"), get(page_moderation))
            .route(&format!("{prefix}/moderation/connexion"), post(page_login))
            .route(
                &format!("{prefix}/moderation/deconnexion"),
                post(page_logout),
            )
            .route(
                &format!("{prefix}/moderation/contributions/{{id}}"),
                get(page_item).post(page_decide),
            );
    }
    r
}
