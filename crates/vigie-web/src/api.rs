//! The JSON API (`/api/v1/…`), documented by an OpenAPI 3 document generated from these
//! handlers (`/api/openapi.json`).

use std::path::PathBuf;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use utoipa::OpenApi;

use crate::AppState;
use crate::release::Release;
use crate::slots::{SearchError, SearchParams};

/// The OpenAPI document of the API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Vigie API",
        description = "Read-only JSON API of Vigie: French Covid-19 epidemic and vaccination indicators, their provenance, and vaccination slots.",
        license(name = "Data: Licence Ouverte 2.0; software: Apache-2.0")
    ),
    paths(
        api_release,
        api_territories,
        api_territory,
        api_sources,
        api_checks,
        api_dictionary,
        api_provenance,
        api_releases,
        api_release_territory,
        api_map,
        api_charts,
        api_geo,
        api_slots_search,
        api_places,
        api_slots_status,
        api_slots_history
    )
)]
pub struct ApiDoc;

/// The OpenAPI document as JSON.
pub fn openapi_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

/// (method, path, summary) of every endpoint, from the OpenAPI document.
pub fn endpoints() -> Vec<(String, String, String)> {
    let doc = ApiDoc::openapi();
    let mut v = Vec::new();
    for (path, item) in &doc.paths.paths {
        if let Some(op) = &item.get {
            v.push((
                "GET".to_string(),
                path.clone(),
                op.summary.clone().unwrap_or_default(),
            ));
        }
    }
    v
}

/// An error answer of the API: an RFC 9457 problem document (`application/problem+json`)
/// with `type`, `title`, `status` and `detail`, and the detail also as `error` (the member
/// the API answered before, which clients read).
pub fn problem(status: StatusCode, detail: &str) -> Response {
    let title = status.canonical_reason().unwrap_or("Error");
    let body = json!({
        "type": "about:blank",
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
        "error": detail,
    });
    (
        status,
        [
            (header::CONTENT_TYPE, "application/problem+json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}

fn error(status: StatusCode, message: &str) -> Response {
    problem(status, message)
}

/// A territory key of an API path spelt otherwise (`dep-07`): a permanent redirect to the
/// canonical spelling, `None` when the key is canonical or unknown.
fn canonical_redirect(r: &Release, key: &str, to: impl Fn(&str) -> String) -> Option<Response> {
    if r.territory(key).is_some() {
        return None;
    }
    let canonical = crate::routes::canonical_territory(r, key)?;
    Some(axum::response::Redirect::permanent(&to(&canonical)).into_response())
}

pub(crate) fn json_file(path: PathBuf) -> Response {
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
        Err(_) => error(StatusCode::NOT_FOUND, "not found"),
    }
}

fn json_value(v: &serde_json::Value) -> Response {
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, "public, max-age=300")],
        axum::Json(v),
    )
        .into_response()
}

/// The live release (id, build time, data end date, counts, demo flag).
#[utoipa::path(get, path = "/api/v1/release", tag = "release",
    responses((status = 200, description = "release.json with the demo flag", content_type = "application/json")))]
pub async fn api_release(State(s): State<AppState>) -> Response {
    let r = s.current();
    let mut m = r.manifest.clone();
    m["demo"] = json!(s.demo);
    json_value(&m)
}

/// The territories of the release (France, regions, departments).
#[utoipa::path(get, path = "/api/v1/territories", tag = "territories",
    responses((status = 200, description = "Array of {territory, name, level, region}", content_type = "application/json")))]
pub async fn api_territories(State(s): State<AppState>) -> Response {
    json_file(s.current().dir.join("open-data/territories.json"))
}

/// Every series of one territory, with its latest values and their wording.
#[utoipa::path(get, path = "/api/v1/territories/{territory}", tag = "territories",
    params(("territory" = String, Path, description = "FR, REG-84, DEP-07…")),
    responses((status = 200, description = "Series and latest values", content_type = "application/json"),
               (status = 404, description = "Unknown territory")))]
pub async fn api_territory(State(s): State<AppState>, Path(key): Path<String>) -> Response {
    let r = s.current();
    if let Some(res) = canonical_redirect(&r, &key, |k| format!("/api/v1/territories/{k}")) {
        return res;
    }
    if r.territory(&key).is_none() {
        return error(StatusCode::NOT_FOUND, &format!("unknown territory {key}"));
    }
    json_file(
        r.dir
            .join("open-data/territories")
            .join(format!("{key}.json")),
    )
}

/// Provenance of every input file: SHA-256, size, source type, vintage, rows, dates.
#[utoipa::path(get, path = "/api/v1/sources", tag = "release",
    responses((status = 200, description = "sources.json", content_type = "application/json")))]
pub async fn api_sources(State(s): State<AppState>) -> Response {
    json_file(s.current().dir.join("open-data/sources.json"))
}

/// Consistency checks: published aggregates against sums of departments.
#[utoipa::path(get, path = "/api/v1/checks", tag = "release",
    responses((status = 200, description = "checks.json", content_type = "application/json")))]
pub async fn api_checks(State(s): State<AppState>) -> Response {
    json_file(s.current().dir.join("open-data/checks.json"))
}

/// The data dictionary: every indicator's formula, window, unit and sources.
#[utoipa::path(get, path = "/api/v1/data-dictionary", tag = "release",
    responses((status = 200, description = "data-dictionary.json", content_type = "application/json")))]
pub async fn api_dictionary(State(s): State<AppState>) -> Response {
    json_file(s.current().dir.join("open-data/data-dictionary.json"))
}

/// Where a figure comes from: formula, inputs, source files with hashes, release.
#[utoipa::path(get, path = "/api/v1/provenance/{territory}/{indicator}", tag = "release",
    params(("territory" = String, Path, description = "FR, REG-84, DEP-07…"),
           ("indicator" = String, Path, description = "indicator id, e.g. incidence_rate_7d")),
    responses((status = 200, description = "Provenance", content_type = "application/json"),
               (status = 404, description = "Unknown territory or indicator")))]
pub async fn api_provenance(
    State(s): State<AppState>,
    Path((key, indicator)): Path<(String, String)>,
) -> Response {
    let r = s.current();
    let Some(t) = r.territory(&key) else {
        return error(StatusCode::NOT_FOUND, "unknown territory");
    };
    let dict: serde_json::Value = std::fs::read(r.dir.join("open-data/data-dictionary.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let Some(spec) = dict["indicators"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["id"] == indicator.as_str()))
    else {
        return error(StatusCode::NOT_FOUND, "unknown indicator");
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
    json_value(&json!({
        "territory": t.key,
        "indicator": spec,
        "latest": t.latest[&indicator],
        "population": t.population,
        "population_source": t.population_source,
        "source_files": files,
        "release_id": r.id(),
        "built_at": r.manifest["built_at"],
    }))
}

fn data_root(r: &Release) -> Option<PathBuf> {
    r.dir.parent().map(std::path::Path::to_path_buf)
}

/// Releases kept in the data directory, newest first, and the last gate decision.
#[utoipa::path(get, path = "/api/v1/releases", tag = "release",
    responses((status = 200, description = "{releases, status}", content_type = "application/json")))]
pub async fn api_releases(State(s): State<AppState>) -> Response {
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
                list.push(json!({"release_id": m["release_id"], "built_at": m["built_at"], "data_until": m["data_until"], "live": m["release_id"] == r.id()}));
            }
        }
    }
    list.sort_by(|a, b| b["release_id"].as_str().cmp(&a["release_id"].as_str()));
    json_value(&json!({"releases": list, "status": r.status}))
}

/// A territory as published by a past release ("as of").
#[utoipa::path(get, path = "/api/v1/releases/{id}/territories/{territory}", tag = "release",
    params(("id" = String, Path, description = "release id"),
           ("territory" = String, Path, description = "FR, REG-84, DEP-07…")),
    responses((status = 200, description = "Series and latest values as of that release", content_type = "application/json"),
               (status = 404, description = "Unknown release or territory")))]
pub async fn api_release_territory(
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
        _ => error(StatusCode::NOT_FOUND, "not found"),
    }
}

/// Latest value of every map layer (incidence, positivity, hospital, ICU saturation, coverage) per department.
#[utoipa::path(get, path = "/api/v1/map", tag = "pages",
    responses((status = 200, description = "{layers, colours, departments: {code: {key, name, values, dates}}}", content_type = "application/json")))]
pub async fn api_map(State(s): State<AppState>) -> Response {
    let r = s.current();
    cached_json(&s, "map", || Some(crate::data::map_json(&r)))
}

/// A JSON document computed once per release and kept with the rendered pages.
fn cached_json<T: serde::Serialize>(
    s: &AppState,
    name: &str,
    make: impl FnOnce() -> Option<T>,
) -> Response {
    let body = s.cached(&format!("json:{name}"), || {
        make().map(|v| serde_json::to_string(&v).unwrap_or_default())
    });
    match body {
        Some(b) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            b.as_ref().clone(),
        )
            .into_response(),
        None => error(StatusCode::NOT_FOUND, "unknown territory"),
    }
}

/// The series drawn by the charts of a territory's dashboard.
#[utoipa::path(get, path = "/api/v1/charts/{territory}", tag = "pages",
    params(("territory" = String, Path, description = "FR, REG-84, DEP-07…")),
    responses((status = 200, description = "{key, charts: {stem: {series: {id: {start, values}}}}}", content_type = "application/json"),
               (status = 404, description = "Unknown territory")))]
pub async fn api_charts(State(s): State<AppState>, Path(key): Path<String>) -> Response {
    let r = s.current();
    if let Some(res) = canonical_redirect(&r, &key, |k| format!("/api/v1/charts/{k}")) {
        return res;
    }
    if r.territory(&key).is_none() {
        return error(StatusCode::NOT_FOUND, &format!("unknown territory {key}"));
    }
    cached_json(&s, &format!("charts/{key}"), || {
        crate::data::charts_json(&r, &key)
    })
}

/// Simplified department outlines (GeoJSON, coordinates rounded to 3 decimals).
#[utoipa::path(get, path = "/api/v1/geo/departments", tag = "pages",
    responses((status = 200, description = "GeoJSON FeatureCollection with properties code and nom", content_type = "application/geo+json"),
               (status = 404, description = "The release has no department outlines")))]
pub async fn api_geo(State(s): State<AppState>) -> Response {
    match s.geo() {
        Some(g) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/geo+json"),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            g.as_ref().clone(),
        )
            .into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "no department outlines in this release",
        ),
    }
}

fn no_slots() -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "the slot finder has no data yet",
    )
}

fn fresh(v: &serde_json::Value) -> Response {
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, "public, max-age=30")],
        axum::Json(v),
    )
        .into_response()
}

/// Vaccination centres with slots near a place (docs/slots-api.md).
#[utoipa::path(get, path = "/api/v1/slots/search", tag = "slots",
    params(("commune" = Option<String>, Query, description = "INSEE code of a commune"),
           ("postcode" = Option<String>, Query, description = "postcode"),
           ("department" = Option<String>, Query, description = "department code"),
           ("lat" = Option<f64>, Query, description = "latitude"),
           ("lon" = Option<f64>, Query, description = "longitude"),
           ("radius_km" = Option<f64>, Query, description = "1–200, default 50"),
           ("tag" = Option<String>, Query, description = "all, first_or_second_dose, kids_first_dose, third_dose"),
           ("vaccine" = Option<String>, Query, description = "vaccine slug"),
           ("from" = Option<String>, Query, description = "YYYY-MM-DD"),
           ("to" = Option<String>, Query, description = "YYYY-MM-DD"),
           ("platform" = Option<String>, Query, description = "comma-separated platform slugs"),
           ("type" = Option<String>, Query, description = "comma-separated centre types"),
           ("limit" = Option<usize>, Query, description = "default 100, max 1000")),
    responses((status = 200, description = "{query, generated_at, stale_platforms, days, count, centres}", content_type = "application/json"),
              (status = 400, description = "{error} naming the parameter"),
              (status = 503, description = "No slot data loaded")))]
pub async fn api_slots_search(
    State(s): State<AppState>,
    q: Result<Query<SearchParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = q else {
        return error(StatusCode::BAD_REQUEST, "invalid query parameters");
    };
    let Some(f) = s.slots.as_ref() else {
        return no_slots();
    };
    if let Err(e) = q.validate() {
        return error(StatusCode::BAD_REQUEST, &e.to_string());
    }
    // The page-only fields do not change the answer.
    let key = format!(
        "{:?}",
        SearchParams {
            q: None,
            day: None,
            ..q.clone()
        }
    );
    match s.slot_answer(key, || f.search_json(&q)) {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "public, max-age=30"),
            ],
            bytes,
        )
            .into_response(),
        Err(e @ SearchError::BadParameter { .. }) => error(StatusCode::BAD_REQUEST, &e.to_string()),
        Err(e @ SearchError::Unavailable(_)) => {
            error(StatusCode::SERVICE_UNAVAILABLE, &e.to_string())
        }
    }
}

/// Query of the autocomplete.
#[derive(serde::Deserialize)]
pub struct PlacesQuery {
    q: Option<String>,
    limit: Option<usize>,
}

/// Autocomplete over communes, postcodes and departments.
#[utoipa::path(get, path = "/api/v1/places", tag = "slots",
    params(("q" = String, Query, description = "text typed"), ("limit" = Option<usize>, Query, description = "default 10, max 50")),
    responses((status = 200, description = "[{kind, code, label, postcode, department, latitude, longitude}]", content_type = "application/json"),
              (status = 503, description = "No slot data loaded")))]
pub async fn api_places(
    State(s): State<AppState>,
    q: Result<Query<PlacesQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = q else {
        return error(StatusCode::BAD_REQUEST, "invalid query parameters");
    };
    let Some(f) = s.slots.as_ref() else {
        return no_slots();
    };
    let text = q.q.unwrap_or_default();
    if text.chars().count() > 100 {
        return error(StatusCode::BAD_REQUEST, "q: too long");
    }
    fresh(&f.places(&text, q.limit.unwrap_or(10).clamp(1, 50)))
}

/// State of the last scan of each booking platform.
#[utoipa::path(get, path = "/api/v1/slots/status", tag = "slots",
    responses((status = 200, description = "{generated_at, platforms}", content_type = "application/json"),
              (status = 503, description = "No slot data loaded")))]
pub async fn api_slots_status(State(s): State<AppState>) -> Response {
    match s.slots.as_ref().and_then(|f| f.status()) {
        Some(v) => fresh(&v),
        None => no_slots(),
    }
}

/// Query of the slot history.
#[derive(serde::Deserialize)]
pub struct HistoryQuery {
    department: Option<String>,
}

/// Availability over time (one point per scan), for France or one department.
#[utoipa::path(get, path = "/api/v1/slots/history", tag = "slots",
    params(("department" = Option<String>, Query, description = "department code; France when absent")),
    responses((status = 200, description = "[{time, centres, centres_with_slots, slots}], oldest first", content_type = "application/json"),
              (status = 400, description = "{error} naming the parameter"),
              (status = 404, description = "No history kept")))]
pub async fn api_slots_history(
    State(s): State<AppState>,
    q: Result<Query<HistoryQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = q else {
        return error(StatusCode::BAD_REQUEST, "invalid query parameters");
    };
    let dep = q
        .department
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    if dep.is_some_and(|d| d.len() > 3 || !d.bytes().all(|b| b.is_ascii_alphanumeric())) {
        return error(StatusCode::BAD_REQUEST, "department: not a department code");
    }
    match s.slots.as_ref().and_then(|f| f.history(dep)) {
        Some(v) => fresh(&v),
        None => error(StatusCode::NOT_FOUND, "no slot history"),
    }
}

/// `/api/openapi.json`.
pub async fn openapi() -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        openapi_json(),
    )
        .into_response()
}
