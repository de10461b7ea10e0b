//! `vigie serve`: the HTML pages and the JSON API over the live release.
//!
//! The router is a function of the state ([`router`]); [`serve`] runs it on a listener until
//! the shutdown future completes. The release is loaded once and swapped when a new build
//! replaces it ([`reload_if_changed`]): a request sees one whole release.
//!
//! **Invariant:** this crate only reads the release directory; it never writes data.

pub mod pages;
pub mod release;
pub mod static_site;

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

pub use release::{LoadError, Release};

pub(crate) const CSS: &str = include_str!("../assets/vigie.css");

/// PNG charts rendered on demand, by `release id/dir/file`.
type PngCache = Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<Vec<u8>>>>>;

/// At most this many on-demand PNGs are kept in memory.
const PNG_CACHE_ENTRIES: usize = 1024;

/// Shared state of the server.
#[derive(Clone)]
pub struct AppState {
    /// Live release.
    pub release: Arc<RwLock<Arc<Release>>>,
    /// Whether the data are the demonstration dataset.
    pub demo: bool,
    png_cache: PngCache,
}

impl AppState {
    /// State over a loaded release.
    pub fn new(release: Release, demo: bool) -> AppState {
        AppState {
            release: Arc::new(RwLock::new(Arc::new(release))),
            demo,
            png_cache: PngCache::default(),
        }
    }

    fn current(&self) -> Arc<Release> {
        match self.release.read() {
            Ok(r) => r.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

/// Reloads the release when its id changed on disk; returns whether it did.
pub fn reload_if_changed(state: &AppState) -> Result<bool, LoadError> {
    let cur = state.current();
    let manifest = std::fs::read(cur.dir.join("release.json")).ok();
    let id = manifest
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v["release_id"].as_str().map(String::from));
    if id.as_deref() == Some(cur.id()) || id.is_none() {
        return Ok(false);
    }
    let fresh = Release::load(&cur.dir)?;
    if let Ok(mut w) = state.release.write() {
        *w = Arc::new(fresh);
    }
    Ok(true)
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "public, max-age=60")],
        Html(body),
    )
        .into_response()
}

async fn home(State(s): State<AppState>) -> Response {
    html(StatusCode::OK, pages::home(&s.current(), s.demo))
}

async fn territories_page(State(s): State<AppState>) -> Response {
    html(StatusCode::OK, pages::territories(&s.current(), s.demo))
}

async fn dashboard(State(s): State<AppState>, Path(key): Path<String>) -> Response {
    let r = s.current();
    match r.territory(&key) {
        Some(t) => html(StatusCode::OK, pages::dashboard(&r, s.demo, t)),
        None => html(StatusCode::NOT_FOUND, pages::not_found(&r, s.demo)),
    }
}

async fn sources_page(State(s): State<AppState>) -> Response {
    html(StatusCode::OK, pages::sources(&s.current(), s.demo))
}

async fn open_data_page(State(s): State<AppState>) -> Response {
    html(StatusCode::OK, pages::open_data(&s.current(), s.demo))
}

async fn not_found(State(s): State<AppState>) -> Response {
    html(
        StatusCode::NOT_FOUND,
        pages::not_found(&s.current(), s.demo),
    )
}

fn json_file(path: PathBuf) -> Response {
    match std::fs::read(&path) {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            "{\"error\":\"not found\"}",
        )
            .into_response(),
    }
}

async fn api_release(State(s): State<AppState>) -> Response {
    let r = s.current();
    let mut m = r.manifest.clone();
    m["demo"] = serde_json::json!(s.demo);
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, "public, max-age=60")],
        axum::Json(m),
    )
        .into_response()
}

async fn api_territories(State(s): State<AppState>) -> Response {
    json_file(s.current().dir.join("open-data/territories.json"))
}

async fn api_territory(State(s): State<AppState>, Path(key): Path<String>) -> Response {
    let r = s.current();
    if r.territory(&key).is_none() {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            "{\"error\":\"unknown territory\"}",
        )
            .into_response();
    }
    json_file(
        r.dir
            .join("open-data/territories")
            .join(format!("{key}.json")),
    )
}

async fn api_file(State(s): State<AppState>, Path(name): Path<String>) -> Response {
    let file = match name.as_str() {
        "sources" => "sources.json",
        "checks" => "checks.json",
        "data-dictionary" => "data-dictionary.json",
        _ => return (StatusCode::NOT_FOUND, "{\"error\":\"not found\"}").into_response(),
    };
    json_file(s.current().dir.join("open-data").join(file))
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
    let not_found = || (StatusCode::NOT_FOUND, "not found\n").into_response();
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

/// "Where does this number come from?": formula, inputs, source files and release of one
/// indicator of one territory.
async fn api_provenance(
    State(s): State<AppState>,
    Path((key, indicator)): Path<(String, String)>,
) -> Response {
    let r = s.current();
    let Some(t) = r.territory(&key) else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({"error": "unknown territory"})),
        )
            .into_response();
    };
    let dict: serde_json::Value = std::fs::read(r.dir.join("open-data/data-dictionary.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let Some(spec) = dict["indicators"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["id"] == indicator.as_str()))
    else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({"error": "unknown indicator"})),
        )
            .into_response();
    };
    let wanted: Vec<&str> = spec["sources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .collect();
    let files: Vec<&serde_json::Value> = r.sources["files"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["source"].as_str().is_some_and(|s| wanted.contains(&s)))
        .collect();
    let body = serde_json::json!({
        "territory": t.key,
        "indicator": spec,
        "latest": t.latest[&indicator],
        "population": t.population,
        "population_source": t.population_source,
        "source_files": files,
        "release_id": r.id(),
        "built_at": r.manifest["built_at"],
    });
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, "public, max-age=300")],
        axum::Json(body),
    )
        .into_response()
}

fn data_root(r: &Release) -> Option<std::path::PathBuf> {
    r.dir.parent().map(std::path::Path::to_path_buf)
}

/// Releases kept in the data directory, newest first.
async fn api_releases(State(s): State<AppState>) -> Response {
    let r = s.current();
    let mut list = Vec::new();
    if let Some(root) = data_root(&r)
        && let Ok(entries) = std::fs::read_dir(root.join("releases"))
    {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            if let Some(m) = std::fs::read(e.path().join("release.json"))
                .ok()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            {
                list.push(serde_json::json!({"release_id": m["release_id"], "built_at": m["built_at"], "data_until": m["data_until"], "live": m["release_id"] == r.id()}));
            }
        }
    }
    list.sort_by(|a, b| b["release_id"].as_str().cmp(&a["release_id"].as_str()));
    (
        StatusCode::OK,
        axum::Json(serde_json::json!({"releases": list, "status": r.status})),
    )
        .into_response()
}

/// A territory as published by a past release ("as of").
async fn api_release_territory(
    State(s): State<AppState>,
    Path((id, key)): Path<(String, String)>,
) -> Response {
    let r = s.current();
    let ok = |x: &str| {
        !x.is_empty()
            && !x.starts_with('.')
            && x.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    match data_root(&r) {
        Some(root) if ok(&id) && ok(&key) => json_file(
            root.join("releases")
                .join(&id)
                .join("open-data/territories")
                .join(format!("{key}.json")),
        ),
        _ => (StatusCode::NOT_FOUND, "{\"error\":\"not found\"}").into_response(),
    }
}

async fn css() -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

async fn healthz(State(s): State<AppState>) -> Response {
    (StatusCode::OK, format!("ok {}\n", s.current().id())).into_response()
}

/// The application router.
pub fn router(state: AppState) -> Router {
    let dir = state.current().dir.clone();
    let files = Router::new().nest_service("/open-data", ServeDir::new(dir.join("open-data")));
    Router::new()
        .route("/", get(home))
        .route("/territoires", get(territories_page))
        .route("/territoire/{key}", get(dashboard))
        .route("/sources", get(sources_page))
        .route("/donnees", get(open_data_page))
        .route("/api/v1/release", get(api_release))
        .route("/api/v1/territories", get(api_territories))
        .route("/api/v1/territories/{key}", get(api_territory))
        .route("/api/v1/{name}", get(api_file))
        .route("/api/v1/provenance/{key}/{indicator}", get(api_provenance))
        .route("/api/v1/releases", get(api_releases))
        .route("/api/v1/releases/{id}/territories/{key}", get(api_release_territory))
        .route("/charts/{dir}/{file}", get(chart))
        .route("/assets/vigie.css", get(css))
        .route("/healthz", get(healthz))
        .merge(files)
        .fallback(not_found)
        .layer(CorsLayer::new().allow_origin(tower_http::cors::Any).allow_methods([axum::http::Method::GET, axum::http::Method::HEAD]))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
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
