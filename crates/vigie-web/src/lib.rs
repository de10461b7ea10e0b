//! `vigie serve`: the HTML pages and the JSON API over the live release.
//!
//! The router is a function of the state ([`router`]); [`serve`] runs it on a listener until
//! the shutdown future completes. The release is loaded once and swapped when a new build
//! replaces it ([`reload_if_changed`]): a request sees one whole release.
//!
//! Every GET answer carries a strong ETag derived from the release id and the URL (suffixed by
//! the content coding), and a conditional request with a matching `If-None-Match` gets `304`
//! without rendering. Pages are French at the root and English under `/en/`.
//!
//! Slot-search answers follow the live scan, not the release: they carry no ETag, and each
//! is serialised once per normalised query and reused for [`SLOT_CACHE_TTL`] (the load
//! benchmark, bench/web/README.md). The slot finder page, `/statistiques` and `/sources` show
//! the scan too and are rendered on each request.
//!
//! **Invariant:** this crate only reads the release directory; it never writes data.

pub mod api;
pub mod assets;
pub mod data;
pub mod fmt;
pub mod i18n;
pub mod pages;
pub mod release;
pub mod routes;
pub mod slots;
pub mod static_site;
pub mod views;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

pub use i18n::Lang;
pub use release::{LoadError, Release};
pub use slots::{SearchError, SearchParams, SlotFinder};

/// PNG charts rendered on demand, by `release id/dir/file`.
type PngCache = Arc<Mutex<HashMap<String, Arc<Vec<u8>>>>>;

/// Rendered pages by `release id + URL`.
type PageCache = Arc<Mutex<HashMap<String, Arc<String>>>>;

/// Simplified department outlines of one release id (None: the release has none).
type GeoCache = Arc<Mutex<Option<(String, Option<Arc<Vec<u8>>>)>>>;

/// Serialised slot-search answers by normalised query, with the time they were computed.
type SlotCache = Arc<Mutex<HashMap<String, (std::time::Instant, axum::body::Bytes)>>>;

/// How long a slot-search answer is reused. A scan lasts minutes and the answer is sent with
/// `max-age=30`, so answering from a copy up to this old changes nothing for clients.
pub const SLOT_CACHE_TTL: Duration = Duration::from_secs(10);

/// At most this many slot-search answers are kept in memory.
const SLOT_CACHE_ENTRIES: usize = 4096;

/// At most this many on-demand PNGs are kept in memory.
const PNG_CACHE_ENTRIES: usize = 1024;

/// At most this many rendered pages are kept in memory.
const PAGE_CACHE_ENTRIES: usize = 2048;

/// Shared state of the server.
#[derive(Clone)]
pub struct AppState {
    /// Live release.
    pub release: Arc<RwLock<Arc<Release>>>,
    /// Whether the data are the demonstration dataset.
    pub demo: bool,
    /// The slot finder; None until slot data are plugged in (the page says so).
    pub slots: Option<Arc<dyn SlotFinder>>,
    png_cache: PngCache,
    page_cache: PageCache,
    geo_cache: GeoCache,
    slot_cache: SlotCache,
}

impl AppState {
    /// State over a loaded release.
    pub fn new(release: Release, demo: bool) -> AppState {
        AppState {
            release: Arc::new(RwLock::new(Arc::new(release))),
            demo,
            slots: None,
            png_cache: PngCache::default(),
            page_cache: PageCache::default(),
            geo_cache: Arc::default(),
            slot_cache: SlotCache::default(),
        }
    }

    /// The same state with a slot finder plugged in.
    pub fn with_slot_finder(mut self, finder: Arc<dyn SlotFinder>) -> AppState {
        self.slots = Some(finder);
        self
    }

    fn current(&self) -> Arc<Release> {
        match self.release.read() {
            Ok(r) => r.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
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

    /// A rendered document of the live release, computed on first use.
    fn cached(&self, name: &str, make: impl FnOnce() -> Option<String>) -> Option<Arc<String>> {
        let key = format!("{}{name}", self.current().id());
        if let Some(hit) = self
            .page_cache
            .lock()
            .ok()
            .and_then(|c| c.get(&key).cloned())
        {
            return Some(hit);
        }
        let body = Arc::new(make()?);
        if let Ok(mut c) = self.page_cache.lock() {
            if c.len() >= PAGE_CACHE_ENTRIES {
                c.clear();
            }
            c.insert(key, body.clone());
        }
        Some(body)
    }

    /// A slot-search answer serialised once and reused for [`SLOT_CACHE_TTL`].
    fn slot_answer(
        &self,
        key: String,
        make: impl FnOnce() -> Result<Vec<u8>, SearchError>,
    ) -> Result<axum::body::Bytes, SearchError> {
        let now = std::time::Instant::now();
        if let Some(hit) = self.slot_cache.lock().ok().and_then(|c| {
            c.get(&key)
                .filter(|(at, _)| now.duration_since(*at) < SLOT_CACHE_TTL)
                .map(|(_, b)| b.clone())
        }) {
            return Ok(hit);
        }
        let bytes = axum::body::Bytes::from(make()?);
        if let Ok(mut c) = self.slot_cache.lock() {
            if c.len() >= SLOT_CACHE_ENTRIES {
                c.retain(|_, (at, _)| now.duration_since(*at) < SLOT_CACHE_TTL);
                if c.len() >= SLOT_CACHE_ENTRIES {
                    c.clear();
                }
            }
            c.insert(key, (now, bytes.clone()));
        }
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

/// Reloads the release when its id changed on disk; returns whether it did.
pub fn reload_if_changed(state: &AppState) -> Result<bool, LoadError> {
    let cur = state.current();
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
    if let Ok(mut w) = state.release.write() {
        *w = Arc::new(fresh);
    }
    if let Ok(mut c) = state.page_cache.lock() {
        c.clear();
    }
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

fn now_seconds() -> Option<i64> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
}

/// The page context of a request in `lang`.
fn page_ctx<'a>(s: &'a AppState, r: &'a Release, lang: Lang) -> pages::Ctx<'a> {
    pages::Ctx {
        release: r,
        demo: s.demo,
        lang,
        slots: s.slots.as_deref(),
        now: now_seconds(),
        export: false,
        urls: routes::Urls::live(lang),
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
fn not_found_page(s: &AppState, path: &str) -> Response {
    let (lang, _) = Lang::from_path(path);
    let r = s.current();
    match pages::not_found(&page_ctx(s, &r, lang)) {
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
    let ctx = page_ctx(&s, &r, lang);
    let body = if route.is_some_and(|r| r.live_scan()) {
        pages::render(&ctx, path, &query).map(|b| b.map(Arc::new))
    } else {
        let mut failed = None;
        let hit = s.cached(&uri.to_string(), || {
            match pages::render(&ctx, path, &query) {
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
    if let Some(hit) = s.png_cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
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
            if let Ok(mut c) = s.png_cache.lock() {
                if c.len() >= PNG_CACHE_ENTRIES {
                    c.clear();
                }
                c.insert(key, png.clone());
            }
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

/// Strong ETags and `304 Not Modified` for GET and HEAD. Slot answers change without a new
/// release and are left alone. The tag names the content coding (`"<hash>-br"`), so that
/// compressed and plain answers have different tags; `If-None-Match` matches on the hash.
async fn etag(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let eligible = (req.method() == Method::GET || req.method() == Method::HEAD)
        && !req.uri().path().starts_with("/api/v1/slots")
        && !req.uri().path().starts_with("/api/v1/places")
        && !scan_bound(Lang::from_path(req.uri().path()).1)
        && req.uri().path() != "/healthz";
    if !eligible {
        return next.run(req).await;
    }
    let base = etag_base(s.current().id(), req.uri());
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

/// The application router.
pub fn router(state: AppState) -> Router {
    let dir = state.current().dir.clone();
    let files = Router::new().nest_service("/open-data", ServeDir::new(dir.join("open-data")));
    Router::new()
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/v1/release", get(api::api_release))
        .route("/api/v1/territories", get(api::api_territories))
        .route("/api/v1/territories/{key}", get(api::api_territory))
        .route("/api/v1/sources", get(api::api_sources))
        .route("/api/v1/checks", get(api::api_checks))
        .route("/api/v1/data-dictionary", get(api::api_dictionary))
        .route("/api/v1/provenance/{key}/{indicator}", get(api::api_provenance))
        .route("/api/v1/releases", get(api::api_releases))
        .route("/api/v1/releases/{id}/territories/{key}", get(api::api_release_territory))
        .route("/api/v1/map", get(api::api_map))
        .route("/api/v1/charts/{key}", get(api::api_charts))
        .route("/api/v1/geo/departments", get(api::api_geo))
        .route("/api/v1/slots/search", get(api::api_slots_search))
        .route("/api/v1/slots/status", get(api::api_slots_status))
        .route("/api/v1/slots/history", get(api::api_slots_history))
        .route("/api/v1/places", get(api::api_places))
        .route("/charts/{dir}/{file}", get(chart))
        .route("/assets/{*path}", get(asset))
        .route("/healthz", get(healthz))
        .merge(files)
        .fallback(page)
        .layer(axum::middleware::from_fn_with_state(state.clone(), error_bodies))
        .layer(CorsLayer::new().allow_origin(tower_http::cors::Any).allow_methods([Method::GET, Method::HEAD]))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(state.clone(), etag))
        .layer(axum::middleware::from_fn_with_state(state.clone(), data_status))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(10)))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(16 * 1024))
        .with_state(state)
}

/// Serves until `shutdown` completes; reloads the release every `reload_every`.
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
                Ok(true) => tracing::info!("release reloaded: {}", watcher.current().id()),
                Ok(false) => {}
                Err(e) => tracing::warn!("release not reloaded: {e}"),
            }
        }
    });
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
