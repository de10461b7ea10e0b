//! `vigie serve`: the HTML pages and the JSON API over the live release.
//!
//! The router is a function of the state ([`router`]); [`serve`] runs it on a listener until
//! the shutdown future completes, within the [`limits::Limits`] (timeouts, connection caps,
//! per-client rate, cache bytes, compression threshold).
//!
//! **One release per answer.** The release is loaded from its own directory
//! (`DIR/releases/<id>`, the target of `DIR/current`), never through the link. Every request
//! first looks at the link (one `readlink`); when it moved, that request loads the new release
//! (the others keep answering from the old one until it is loaded), then the request is pinned
//! to one loaded release ([`AppState::current`] returns it for the whole request) and every
//! file it reads is relative to that release. Every answer says which release it comes from
//! ([`RELEASE_HEADER`]).
//!
//! Every GET answer carries a strong ETag derived from the release id and the URL (suffixed by
//! the content coding), and a conditional request with a matching `If-None-Match` gets `304`
//! without rendering: a 304 is never given across releases. Pages are French at the root and
//! English under `/en/`.
//!
//! Slot-search answers follow the live scan, not the release: they carry no ETag, and each
//! is serialised once per normalised query and reused for [`SLOT_CACHE_TTL`] (the load
//! benchmark, bench/web/README.md). The slot finder page, `/statistiques` and `/sources` show
//! the scan too and are rendered on each request.
//!
//! **Invariant:** this crate only reads the release directory and the scan; it never writes
//! them. Citizen contributions ([`contrib`]) are written only through the
//! `vigie_contributions::Desk` the server is given.

pub mod api;
pub mod assets;
pub mod cache;
pub mod contrib;
pub mod data;
pub mod fmt;
pub mod i18n;
pub mod limits;
pub mod pages;
pub mod release;
pub mod routes;
pub mod slots;
pub mod static_site;
pub mod views;
pub mod world;

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use limits::lock;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use tower_http::compression::{CompressionLayer, Predicate};
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

pub use i18n::Lang;
pub use limits::Limits;
pub use release::{LoadError, Release};
pub use slots::{SearchError, SearchParams, SlotFinder};

/// Simplified department outlines of one release id (None: the release has none).
type GeoCache = Arc<Mutex<Option<(String, Option<Arc<Vec<u8>>>)>>>;

/// How long a slot-search answer is reused. A scan lasts minutes and the answer is sent with
/// `max-age=30`, so answering from a copy up to this old changes nothing for clients.
pub const SLOT_CACHE_TTL: Duration = Duration::from_secs(10);

/// `Cache-Control` of the live scan's files (a scan lasts minutes).
const SCAN_FILES_CACHE: &str = "public, max-age=60";

/// The header naming the release an answer comes from (on every answer, errors and `304`
/// included).
pub const RELEASE_HEADER: &str = "vigie-release";

tokio::task_local! {
    /// The release a request is pinned to, for the whole request.
    static PINNED: Arc<Release>;
}

/// Where the server looks for a new release: the `current` link of a data directory.
#[derive(Default)]
struct Watch {
    /// `DIR/current`.
    link: Option<PathBuf>,
    /// A release is being loaded (one loader at a time; the others keep the old release).
    loading: AtomicBool,
    /// A target that did not load, not retried until the link moves again.
    failed: Mutex<Option<PathBuf>>,
    /// Modification time of `DIR/status.json` when it was last read.
    status_seen: Mutex<Option<SystemTime>>,
}

/// Shared state of the server.
#[derive(Clone)]
pub struct AppState {
    /// Live release.
    pub release: Arc<RwLock<Arc<Release>>>,
    /// Whether the data are the demonstration dataset.
    pub demo: bool,
    /// The slot finder; None until slot data are plugged in (the page says so).
    pub slots: Option<Arc<dyn SlotFinder>>,
    /// The server's limits.
    pub limits: Arc<Limits>,
    /// Citizen contributions; None: not open on this server (the forms say so).
    pub contrib: Option<Arc<contrib::Contrib>>,
    caches: Arc<cache::Caches>,
    rate: limits::RateGate,
    geo_cache: GeoCache,
    watch: Arc<Watch>,
}

impl AppState {
    /// State over a loaded release.
    pub fn new(release: Release, demo: bool) -> AppState {
        let limits = Arc::new(Limits::default());
        AppState {
            release: Arc::new(RwLock::new(Arc::new(release))),
            demo,
            slots: None,
            contrib: None,
            caches: Arc::new(cache::Caches::new(limits.cache_bytes)),
            rate: limits::RateGate::new(limits.clone()),
            limits,
            geo_cache: Arc::default(),
            watch: Arc::default(),
        }
    }

    /// The same state with a slot finder plugged in.
    pub fn with_slot_finder(mut self, finder: Arc<dyn SlotFinder>) -> AppState {
        self.slots = Some(finder);
        self
    }

    /// The same state with citizen contributions open, over `desk`.
    pub fn with_contributions(mut self, desk: Arc<vigie_contributions::Desk>) -> AppState {
        self.contrib = Some(Arc::new(contrib::Contrib::new(desk)));
        self
    }

    /// The same state within `limits` (its caches sized to `limits.cache_bytes`).
    pub fn with_limits(mut self, limits: Limits) -> AppState {
        let limits = Arc::new(limits);
        self.caches = Arc::new(cache::Caches::new(limits.cache_bytes));
        self.rate = limits::RateGate::new(limits.clone());
        self.limits = limits;
        self
    }

    /// The same state following the data directory's `current` link: the release it points
    /// to is loaded as soon as a request sees that it moved.
    pub fn following(mut self, link: PathBuf) -> AppState {
        self.watch = Arc::new(Watch {
            link: Some(link),
            ..Watch::default()
        });
        self
    }

    /// Bytes held by the in-memory caches (at most `limits.cache_bytes`).
    pub fn cache_weight(&self) -> u64 {
        self.caches.weight()
    }

    /// The release of the request being answered (the live one outside a request).
    pub fn current(&self) -> Arc<Release> {
        PINNED.try_with(Arc::clone).unwrap_or_else(|_| self.live())
    }

    /// The release loaded last.
    fn live(&self) -> Arc<Release> {
        match self.release.read() {
            Ok(r) => r.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn set_live(&self, fresh: Arc<Release>) {
        match self.release.write() {
            Ok(mut w) => *w = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
    }

    /// The release a new request is pinned to: the loaded one, or, when `current` moved, the
    /// release it now points to (loaded by this request; concurrent requests keep the old one
    /// until it is). `status.json` is re-read when it changed (a refused build leaves the
    /// release as it is but changes what `/sources` says).
    async fn refresh(&self) -> Arc<Release> {
        let cur = self.live();
        let Some(link) = self.watch.link.as_ref() else {
            return cur;
        };
        let Some(target) = resolve_link(link) else {
            return cur;
        };
        if target != cur.dir {
            let failed = lock(&self.watch.failed).as_ref() == Some(&target);
            if !failed
                && self
                    .watch
                    .loading
                    .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
            {
                // The load runs in its own task, so that it completes (and frees the loading
                // flag) even when the request that started it goes away.
                let state = self.clone();
                let loader = tokio::spawn(async move { state.switch_to(target).await });
                if let Ok(Some(fresh)) = loader.await {
                    return fresh;
                }
            }
            return self.live();
        }
        let seen = status_mtime(&cur);
        if seen != *lock(&self.watch.status_seen) {
            *lock(&self.watch.status_seen) = seen;
            let status = release::read_status(&cur.dir);
            if status != cur.status {
                let mut fresh = (*cur).clone();
                fresh.status = status;
                let fresh = Arc::new(fresh);
                self.set_live(fresh.clone());
                self.caches.pages.clear();
                return fresh;
            }
        }
        cur
    }

    /// Loads the release in `target` and makes it the live one (a release that does not load
    /// is remembered and not retried until the link moves again); frees the loading flag.
    async fn switch_to(&self, target: PathBuf) -> Option<Arc<Release>> {
        let dir = target.clone();
        let loaded = tokio::task::spawn_blocking(move || Release::load(&dir)).await;
        let fresh = match loaded {
            Ok(Ok(fresh)) => {
                let fresh = Arc::new(fresh);
                tracing::info!("release switched to {}", fresh.id());
                self.set_live(fresh.clone());
                *lock(&self.watch.failed) = None;
                *lock(&self.watch.status_seen) = status_mtime(&fresh);
                self.caches.pages.clear();
                Some(fresh)
            }
            Ok(Err(e)) => {
                tracing::warn!("release {} not loaded: {e}", target.display());
                *lock(&self.watch.failed) = Some(target);
                None
            }
            Err(e) => {
                tracing::warn!("release {} not loaded: {e}", target.display());
                None
            }
        };
        self.watch.loading.store(false, Ordering::Release);
        fresh
    }

    /// Whether the live release holds demonstration data (the server was started on them, or
    /// the release says so).
    pub fn is_demo(&self) -> bool {
        self.demo || self.current().is_demo()
    }

    /// The data status the API answers carry.
    pub fn data_status(&self) -> api::DataStatus {
        api::DataStatus::from_demo(self.is_demo())
    }

    /// A rendered document of the request's release, computed on first use.
    fn cached(&self, name: &str, make: impl FnOnce() -> Option<String>) -> Option<Arc<String>> {
        let key = format!("{}{name}", self.current().id());
        if let Some(hit) = self.caches.pages.get(&key) {
            return Some(hit);
        }
        let body = Arc::new(make()?);
        self.caches.pages.insert(key, body.clone());
        Some(body)
    }

    /// A slot-search answer serialised once and reused for [`SLOT_CACHE_TTL`].
    fn slot_answer(
        &self,
        key: String,
        make: impl FnOnce() -> Result<Vec<u8>, SearchError>,
    ) -> Result<axum::body::Bytes, SearchError> {
        let now = std::time::Instant::now();
        if let Some((at, b)) = self.caches.slots.get(&key)
            && now.duration_since(at) < SLOT_CACHE_TTL
        {
            return Ok(b);
        }
        let bytes = axum::body::Bytes::from(make()?);
        self.caches.slots.insert(key, (now, bytes.clone()));
        Ok(bytes)
    }

    /// The simplified department outlines of the live release, computed once per release.
    fn geo(&self) -> Option<Arc<Vec<u8>>> {
        let r = self.current();
        if let Ok(c) = self.geo_cache.lock()
            && let Some((id, g)) = c.as_ref()
            && id == r.id()
        {
            return g.clone();
        }
        let g = data::geo_path(&r)
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|t| data::simplify_geojson(&t))
            .map(|s| Arc::new(s.into_bytes()));
        if let Ok(mut c) = self.geo_cache.lock() {
            *c = Some((r.id().to_string(), g.clone()));
        }
        g
    }
}

/// The directory a `current` link points to (relative targets resolved against its folder).
fn resolve_link(link: &std::path::Path) -> Option<PathBuf> {
    let target = std::fs::read_link(link).ok()?;
    Some(match link.parent() {
        Some(parent) if target.is_relative() => parent.join(target),
        _ => target,
    })
}

/// Modification time of the data directory's `status.json` of a release.
fn status_mtime(r: &Release) -> Option<SystemTime> {
    let path = vigie_contracts::layout::DataLayout::of_release(&r.dir)?.status();
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The directory of the live release of a data directory: the target of `DIR/current`
/// (`DIR/releases/<id>`), so that the release is read from its own directory, never through
/// the link.
pub fn live_release_dir(data_dir: &std::path::Path) -> Option<PathBuf> {
    resolve_link(&vigie_contracts::layout::DataLayout::new(data_dir).current())
}

/// Reloads a release that was not found through a `current` link (a directory given as is)
/// when its id changed on disk; returns whether it did.
pub fn reload_if_changed(state: &AppState) -> Result<bool, LoadError> {
    if state.watch.link.is_some() {
        return Ok(false);
    }
    let cur = state.live();
    /// The one field a reload looks at.
    #[derive(serde::Deserialize)]
    struct Id {
        release_id: String,
    }
    let manifest = std::fs::read(cur.dir.join("release.json")).ok();
    let id = manifest
        .and_then(|b| serde_json::from_slice::<Id>(&b).ok())
        .map(|m| m.release_id);
    if id.as_deref() == Some(cur.id()) || id.is_none() {
        return Ok(false);
    }
    let fresh = Release::load(&cur.dir)?;
    state.set_live(Arc::new(fresh));
    state.caches.pages.clear();
    Ok(true)
}

fn html(status: StatusCode, body: Arc<String>) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=60"),
        ],
        body.as_ref().clone(),
    )
        .into_response()
}

pub(crate) fn now_seconds() -> Option<i64> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
}

/// The page context of a request in `lang`.
pub(crate) fn page_ctx<'a>(
    s: &'a AppState,
    r: &'a Release,
    lang: Lang,
    contrib: Option<&'a contrib::ContribView>,
) -> pages::Ctx<'a> {
    pages::Ctx {
        release: r,
        demo: s.demo,
        lang,
        slots: s.slots.as_deref(),
        now: now_seconds(),
        export: false,
        urls: routes::Urls::live(lang),
        contrib,
    }
}

/// A page that could not be rendered (a template error): plain text, 500.
fn render_failed(e: &pages::RenderError) -> Response {
    tracing::error!("{e}");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "erreur interne / internal error\n",
    )
        .into_response()
}

/// The 404 page of `path` (French, or English under `/en`).
pub(crate) fn not_found_page(s: &AppState, path: &str) -> Response {
    let (lang, _) = Lang::from_path(path);
    let r = s.current();
    match pages::not_found(&page_ctx(s, &r, lang, None)) {
        Ok(body) => html(StatusCode::NOT_FOUND, Arc::new(body)),
        Err(e) => render_failed(&e),
    }
}

/// Every page: `/…` in French, `/en/…` in English; unknown paths get the 404 page.
async fn page(State(s): State<AppState>, method: Method, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return api::problem(StatusCode::NOT_FOUND, "no such API endpoint");
    }
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let (lang, path) = Lang::from_path(uri.path());
    let r = s.current();
    let query = axum::extract::Query::<SearchParams>::try_from_uri(&uri)
        .map(|q| q.0)
        .unwrap_or_default();
    let route = routes::Route::parse(path);
    // The territory selector without JavaScript: `/territoire?key=DEP-07`.
    if path.trim_end_matches('/') == "/territoire"
        && let Some(key) = uri
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("key=")))
        && let Some(key) = routes::canonical_territory(&r, key)
    {
        let to = routes::Urls::live(lang).page(routes::Route::Territory(&key));
        return Redirect::to(&to).into_response();
    }
    // A territory key spelt otherwise (`dep-07`, `DEP-7`): permanent redirect to the canonical one.
    if let Some(routes::Route::Territory(key)) = route
        && r.territory(key).is_none()
        && let Some(canonical) = routes::canonical_territory(&r, key)
    {
        let mut to = routes::Urls::live(lang).page(routes::Route::Territory(&canonical));
        if let Some(q) = uri.query() {
            to = format!("{to}?{q}");
        }
        return Redirect::permanent(&to).into_response();
    }
    // A world territory's key under `/territoire/` (`ISO-FRA`): its country page.
    if let Some(routes::Route::Territory(key)) = route
        && let Some(code) = r.territory(key).and_then(routes::country_code)
    {
        let to = routes::Urls::live(lang).page(routes::Route::WorldCountry(code));
        return Redirect::permanent(&to).into_response();
    }
    // A country code spelt otherwise (`/monde/fra`): permanent redirect to `/monde/FRA`.
    if let Some(routes::Route::WorldCountry(code)) = route
        && let Some(canonical) = routes::world_country(&r, code).and_then(routes::country_code)
        && canonical != code
    {
        let to = routes::Urls::live(lang).page(routes::Route::WorldCountry(canonical));
        return Redirect::permanent(&to).into_response();
    }
    let raw_query = uri.query().unwrap_or("");
    let view = s
        .contrib
        .as_ref()
        .map(|c| c.view(now_seconds().unwrap_or(0)));
    let ctx = page_ctx(&s, &r, lang, view.as_deref());
    let body = if route.is_some_and(|r| r.live_scan()) {
        pages::render_query(&ctx, path, &query, raw_query).map(|b| b.map(Arc::new))
    } else {
        let mut failed = None;
        let hit = s.cached(&uri.to_string(), || {
            match pages::render_query(&ctx, path, &query, raw_query) {
                Ok(b) => b,
                Err(e) => {
                    failed = Some(e);
                    None
                }
            }
        });
        match failed {
            Some(e) => Err(e),
            None => Ok(hit),
        }
    };
    match body {
        Ok(Some(body)) => html(StatusCode::OK, body),
        Ok(None) => not_found_page(&s, uri.path()),
        Err(e) => render_failed(&e),
    }
}

/// Pages showing the live slot scan, which changes without a new release: neither cached with
/// the release's pages nor tagged with its ETag.
fn scan_bound(path: &str) -> bool {
    routes::Route::parse(path).is_some_and(|r| r.live_scan())
}

/// Uniform error bodies: a 404 (or 405) without a body of its own gets the HTML 404 page on
/// pages, files and charts, and an `application/problem+json` document under `/api/`.
async fn error_bodies(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    let status = res.status();
    if status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED {
        return res;
    }
    let ct = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if path.starts_with("/api/") {
        if ct.starts_with("application/problem+json") {
            return res;
        }
        let mut p = api::problem(status, "no such API endpoint");
        if let Some(allow) = res.headers().get(header::ALLOW) {
            p.headers_mut().insert(header::ALLOW, allow.clone());
        }
        return p;
    }
    if status == StatusCode::NOT_FOUND && !ct.starts_with("text/html") {
        return not_found_page(&s, &path);
    }
    res
}

fn safe_segment(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// `/charts/{dir}/{file}`: SVG and PNG files of the release; a PNG the build did not render is
/// rasterised from its SVG on first request and kept in memory.
async fn chart(State(s): State<AppState>, Path((dir, file)): Path<(String, String)>) -> Response {
    let not_found = || StatusCode::NOT_FOUND.into_response();
    if !safe_segment(&dir) || !safe_segment(&file) {
        return not_found();
    }
    let r = s.current();
    let path = r.dir.join("charts").join(&dir).join(&file);
    let headers = |ct: &'static str| {
        [
            (header::CONTENT_TYPE, ct),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ]
    };
    if file.ends_with(".svg") {
        return match std::fs::read(&path) {
            Ok(b) => (StatusCode::OK, headers("image/svg+xml"), b).into_response(),
            Err(_) => not_found(),
        };
    }
    // Chart and map specs (vigie.chart.v1, vigie.map.v1), and the chart index.
    if file.ends_with(".json") {
        return match std::fs::read(&path) {
            Ok(b) => (StatusCode::OK, headers("application/json"), b).into_response(),
            Err(_) => not_found(),
        };
    }
    let Some(stem) = file.strip_suffix(".png") else {
        return not_found();
    };
    if let Ok(b) = std::fs::read(&path) {
        return (StatusCode::OK, headers("image/png"), b).into_response();
    }
    let key = format!("{}/{dir}/{file}", r.id());
    if let Some(hit) = s.caches.png.get(&key) {
        return (StatusCode::OK, headers("image/png"), hit.as_ref().clone()).into_response();
    }
    let Ok(svg) =
        std::fs::read_to_string(r.dir.join("charts").join(&dir).join(format!("{stem}.svg")))
    else {
        return not_found();
    };
    let rendered = tokio::task::spawn_blocking(move || vigie_charts::svg_to_png(&svg, 1.0)).await;
    match rendered {
        Ok(Ok(png)) => {
            let png = Arc::new(png);
            s.caches.png.insert(key, png.clone());
            (StatusCode::OK, headers("image/png"), png.as_ref().clone()).into_response()
        }
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "cannot render the chart\n",
        )
            .into_response(),
    }
}

/// `/assets/…`: embedded stylesheet, script and vendored libraries. Paths carry a content hash
/// or a version, so they are cached for a year.
async fn asset(Path(path): Path<String>) -> Response {
    match assets::find(&path) {
        Some((ct, bytes)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, ct),
                (
                    header::CACHE_CONTROL,
                    if path == "vigie.css" {
                        "public, max-age=3600"
                    } else {
                        "public, max-age=31536000, immutable"
                    },
                ),
            ],
            bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn healthz(State(s): State<AppState>) -> Response {
    (StatusCode::OK, format!("ok {}\n", s.current().id())).into_response()
}

/// The entity tag of a GET answer: the release id and the URL, so a new release changes it.
fn etag_base(release_id: &str, uri: &Uri) -> String {
    format!(
        "{:016x}",
        assets::fnv64(&[release_id.as_bytes(), uri.to_string().as_bytes()])
    )
}

/// What the ETag of a GET or HEAD answer is made of: the id of the live scan for its files
/// (`/vitemadose/…`, `/slots/open-data/…`), the request's release id otherwise; None for
/// answers that change without either (slot searches, pages showing the scan, `/healthz`).
fn tag_source(s: &AppState, req: &Request) -> Option<String> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return None;
    }
    let path = req.uri().path();
    if path.starts_with("/vitemadose/") || path.starts_with("/slots/") {
        return s
            .slots
            .as_ref()?
            .scan_dir()
            .map(|(id, _)| format!("scan {id}"));
    }
    let live = contrib::is_live_path(path)
        || path.starts_with("/api/v1/slots")
        || path.starts_with("/api/v1/places")
        || scan_bound(Lang::from_path(path).1)
        || path == "/healthz";
    // Decisions on contributions change errata shown with the release's figures.
    (!live).then(|| match &s.contrib {
        Some(c) => format!("{} {}", s.current().id(), c.generation()),
        None => s.current().id().to_string(),
    })
}

/// Strong ETags and `304 Not Modified` for GET and HEAD. Slot answers change without a new
/// release and are left alone. The tag names the content coding (`"<hash>-br"`), so that
/// compressed and plain answers have different tags; `If-None-Match` matches on the hash.
async fn etag(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let Some(source) = tag_source(&s, &req) else {
        return next.run(req).await;
    };
    let base = etag_base(&source, req.uri());
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|t| {
                let t = t.trim().trim_start_matches("W/").trim_matches('"');
                t == "*" || t.split('-').next() == Some(base.as_str())
            })
        });
    if matches {
        let mut res = StatusCode::NOT_MODIFIED.into_response();
        if let Ok(v) = HeaderValue::from_str(&format!("\"{base}\"")) {
            res.headers_mut().insert(header::ETAG, v);
        }
        return res;
    }
    let mut res = next.run(req).await;
    if res.status() == StatusCode::OK && !res.headers().contains_key(header::ETAG) {
        let coding = res
            .headers()
            .get(header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .map(|c| format!("-{c}"))
            .unwrap_or_default();
        if let Ok(v) = HeaderValue::from_str(&format!("\"{base}{coding}\"")) {
            res.headers_mut().insert(header::ETAG, v);
        }
    }
    res
}

/// The `Vigie-Data-Status` header ([`api::DATA_STATUS_HEADER`]) on every `/api/` answer,
/// errors and `304` included: `demo` when the live release holds demonstration data.
async fn data_status(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    if api {
        res.headers_mut().insert(
            header::HeaderName::from_static(api::DATA_STATUS_HEADER),
            HeaderValue::from_static(s.data_status().as_str()),
        );
    }
    res
}

/// Pins the request to one release (see the crate's documentation) and names it in the
/// [`RELEASE_HEADER`] of the answer.
async fn pin(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let r = s.refresh().await;
    let id = HeaderValue::from_str(r.id()).ok();
    let mut res = PINNED.scope(r, next.run(req)).await;
    if let Some(id) = id {
        res.headers_mut()
            .insert(header::HeaderName::from_static(RELEASE_HEADER), id);
    }
    res
}

/// The directory a file service answers from, for the request being answered.
type DirOf = fn(&AppState) -> Option<PathBuf>;

/// `/open-data/…`: the files of the request's release, read from its own directory.
fn release_open_data(s: &AppState) -> Option<PathBuf> {
    Some(s.current().dir.join("open-data"))
}

/// `/vitemadose/…`: the live slot scan's ViteMaDose v2 files (what the ViteMaDose front-ends
/// read).
fn scan_vitemadose(s: &AppState) -> Option<PathBuf> {
    Some(s.slots.as_ref()?.scan_dir()?.1.join("vitemadose"))
}

/// `/slots/open-data/…`: the live slot scan's centres and slots as open data.
fn scan_open_data(s: &AppState) -> Option<PathBuf> {
    Some(s.slots.as_ref()?.scan_dir()?.1.join("open-data"))
}

/// A service answering the files under `dir_of`'s directory (404 when there is none), with
/// `cache` as their `Cache-Control`. A big file with a `.gz` copy beside it (the national CSV)
/// is sent as that copy to clients that accept gzip, with `Content-Encoding: gzip`.
fn dir_files(
    s: AppState,
    dir_of: DirOf,
    cache: Option<&'static str>,
) -> impl tower::Service<
    Request,
    Response = Response,
    Error = std::convert::Infallible,
    Future = impl Future<Output = Result<Response, std::convert::Infallible>> + Send,
> + Clone
+ Send
+ 'static {
    tower::service_fn(move |req: Request| {
        let dir = dir_of(&s);
        async move {
            let Some(dir) = dir else {
                return Ok(StatusCode::NOT_FOUND.into_response());
            };
            let Ok(mut res) =
                tower::ServiceExt::oneshot(ServeDir::new(dir).precompressed_gzip(), req).await;
            if let Some(cache) = cache.filter(|_| res.status() == StatusCode::OK) {
                res.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            }
            Ok(res.into_response())
        }
    })
}

/// Compress an answer only when its size is known and at most `max` bytes: bigger ones are
/// sent as they are (or precompressed), so that compression never competes with small
/// requests for the CPU.
#[derive(Clone, Copy)]
struct AtMost(u64);

impl tower_http::compression::Predicate for AtMost {
    fn should_compress<B: axum::body::HttpBody>(&self, res: &axum::http::Response<B>) -> bool {
        let len = res.body().size_hint().exact().or_else(|| {
            res.headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
        });
        len.is_some_and(|n| n <= self.0)
    }
}

/// The security headers every answer carries, errors, `304`, `408`, `413` and `429` included.
fn security_headers(router: Router) -> Router {
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
}

/// The application router.
pub fn router(state: AppState) -> Router {
    let limits = state.limits.clone();
    let compression = CompressionLayer::new().compress_when(
        tower_http::compression::DefaultPredicate::new().and(AtMost(limits.compress_max_bytes)),
    );
    let rate = state.rate.clone();
    let app = Router::new()
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/v1/release", get(api::api_release))
        .route("/api/v1/territories", get(api::api_territories))
        .route("/api/v1/territories/{key}", get(api::api_territory))
        .route("/api/v1/sources", get(api::api_sources))
        .route("/api/v1/checks", get(api::api_checks))
        .route("/api/v1/data-dictionary", get(api::api_dictionary))
        .route(
            "/api/v1/provenance/{key}/{indicator}",
            get(api::api_provenance),
        )
        .route("/api/v1/releases", get(api::api_releases))
        .route(
            "/api/v1/releases/{id}/territories/{key}",
            get(api::api_release_territory),
        )
        .route("/api/v1/map", get(api::api_map))
        .route("/api/v1/charts/{key}", get(api::api_charts))
        .route("/api/v1/geo/departments", get(api::api_geo))
        .route(
            "/api/v1/world/map/{source}/{indicator}",
            get(api::api_world_map),
        )
        .route("/api/v1/world/compare", get(api::api_world_compare))
        .route("/api/v1/world/compare.svg", get(api::api_world_compare_svg))
        .route(
            "/api/v1/world/charts/{key}/{chart}",
            get(api::api_world_chart),
        )
        .route("/api/v1/slots/search", get(api::api_slots_search))
        .route("/api/v1/slots/status", get(api::api_slots_status))
        .route("/api/v1/slots/history", get(api::api_slots_history))
        .route("/api/v1/places", get(api::api_places))
        .route("/open-data/contributions.csv", get(contrib::feed_csv))
        .route("/charts/{dir}/{file}", get(chart))
        .route("/assets/{*path}", get(asset))
        .route("/healthz", get(healthz))
        .nest_service(
            "/vitemadose",
            dir_files(state.clone(), scan_vitemadose, Some(SCAN_FILES_CACHE)),
        )
        .nest_service(
            "/slots/open-data",
            dir_files(state.clone(), scan_open_data, Some(SCAN_FILES_CACHE)),
        )
        .nest_service(
            "/open-data",
            dir_files(state.clone(), release_open_data, None),
        )
        .fallback(page);
    let app = contrib::routes(app)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error_bodies,
        ))
        .layer(
            CorsLayer::new()
                .allow_origin(tower_http::cors::Any)
                .allow_methods([Method::GET, Method::HEAD]),
        )
        .layer(compression)
        .layer(axum::middleware::from_fn_with_state(state.clone(), etag))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            data_status,
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), pin))
        .layer(axum::middleware::from_fn_with_state(
            rate,
            limits::rate_limit,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(limits.request_timeout),
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(16 * 1024))
        .with_state(state);
    security_headers(app)
}

/// Serves until `shutdown` completes, within the state's [`Limits`]. A release given as a plain
/// directory is reloaded when its id changes, checked every `reload_every`; one followed
/// through a `current` link ([`AppState::following`]) is picked up by the first request after
/// the link moves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    reload_every: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let watcher = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(reload_every);
        loop {
            tick.tick().await;
            match reload_if_changed(&watcher) {
                Ok(true) => tracing::info!("release reloaded: {}", watcher.live().id()),
                Ok(false) => {}
                Err(e) => tracing::warn!("release not reloaded: {e}"),
            }
        }
    });
    let limits = state.limits.clone();
    let housekeeping = state.rate.clone();
    let app = router(state);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            housekeeping.forget_idle_clients();
        }
    });
    limits::serve_limited(listener, app, limits, shutdown).await
}
