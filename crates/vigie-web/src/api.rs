//! The JSON API (`/api/v1/…`), documented by an OpenAPI 3 document generated from these
//! handlers (`/api/openapi.json`).

use std::path::PathBuf;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;
pub use vigie_contracts::release::DataStatus;
use vigie_contracts::release::{
    ChecksFile, DataDictionary, DataDirStatus, IndicatorDoc, LatestValue, ReleaseManifest,
    SourceFile, SourcesFile, TerritoryFile, TerritoryIndexEntry,
};

use crate::AppState;
use crate::release::Release;
use crate::slots::{SearchError, SearchParams};

/// The response header every `/api/` answer carries: `demo` for demonstration data,
/// `official` otherwise.
pub const DATA_STATUS_HEADER: &str = "vigie-data-status";

/// Documents the [`DATA_STATUS_HEADER`] on every response of every operation.
struct DataStatusHeader;

impl utoipa::Modify for DataStatusHeader {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{RefOr, header::HeaderBuilder, schema};
        let header = HeaderBuilder::new()
            .schema(
                schema::ObjectBuilder::new()
                    .schema_type(schema::Type::String)
                    .enum_values(Some(["demo", "official"])),
            )
            .description(Some(
                "`demo` when the answer comes from the demonstration dataset (not real figures), `official` otherwise.",
            ))
            .build();
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.options,
                &mut item.head,
                &mut item.patch,
                &mut item.trace,
            ]
            .into_iter()
            .flatten()
            {
                for response in op.responses.responses.values_mut() {
                    if let RefOr::T(r) = response {
                        r.headers.insert("Vigie-Data-Status".into(), header.clone());
                    }
                }
            }
        }
    }
}

/// The OpenAPI document of the API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Vigie API",
        description = "JSON API of Vigie: French Covid-19 epidemic and vaccination indicators, their provenance, vaccination slots, and citizen contributions (submitted without an account, decided by moderators, every decision public).",
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
        api_slots_history,
        api_world_map,
        api_world_compare,
        api_world_compare_svg,
        api_world_chart,
        crate::contrib::api_submit,
        crate::contrib::api_register,
        crate::contrib::api_follow,
        crate::contrib::api_signals,
        crate::contrib::api_errata,
        crate::contrib::api_blocklist,
        crate::contrib::api_queue,
        crate::contrib::api_decide
    ),
    modifiers(&DataStatusHeader, &ModeratorToken)
)]
pub struct ApiDoc;

/// The moderators' bearer token (`vigie moderators add NAME` prints it once).
struct ModeratorToken;

impl utoipa::Modify for ModeratorToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "moderator_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A moderator's token, printed once by `vigie moderators add NAME`",
                    ))
                    .build(),
            ),
        );
    }
}

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

/// An error answer of the API: an RFC 9457 problem document, sent as
/// `application/problem+json`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank` (the status says it all).
    #[serde(rename = "type")]
    pub kind: String,
    /// The reason phrase of the status (`Not Found`).
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What is wrong, naming the parameter when one is.
    pub detail: String,
    /// The detail again, under the member the API answered before (clients read it).
    pub error: String,
}

/// The problem+json answer of an error.
pub fn problem(status: StatusCode, detail: &str) -> Response {
    let body = Problem {
        kind: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail: detail.into(),
        error: detail.into(),
    };
    (
        status,
        [
            (header::CONTENT_TYPE, "application/problem+json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        serde_json::to_string(&body).unwrap_or_default(),
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

/// A JSON answer tied to the release.
fn json_ok<T: serde::Serialize>(v: &T) -> Response {
    match serde_json::to_vec(v) {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// Why a file of a release could not be answered: (status, detail).
type Unreadable = (StatusCode, &'static str);

/// A typed file of the live release (or of a kept one), read on request.
fn read_file<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Result<T, Unreadable> {
    let bytes = std::fs::read(path).map_err(|_| (StatusCode::NOT_FOUND, "not found"))?;
    crate::release::parse(path, &bytes).map_err(|e| {
        tracing::error!("{e}");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "a file of the release does not parse",
        )
    })
}

/// The live release (id, build time, data end date, counts), saying whether its data are the
/// demonstration dataset.
#[utoipa::path(get, path = "/api/v1/release", tag = "release",
    responses((status = 200, description = "release.json, with `demo` and `data_status`", body = ReleaseManifest, content_type = "application/json")))]
pub async fn api_release(State(s): State<AppState>) -> Response {
    let r = s.current();
    let mut m = r.manifest.clone();
    m.data_status = s.data_status();
    m.demo = m.data_status.is_demo();
    json_ok(&m)
}

/// The `level` filter of `/api/v1/territories`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LevelQuery {
    /// Only the territories of this level: `country`, `region`, `department`,
    /// `world_country`, `world`, `continent`, `who_region` or `non_country`.
    pub level: Option<String>,
}

/// The territories of the release (France, regions, departments; the world's countries,
/// aggregates and pseudo-countries), optionally of one level.
#[utoipa::path(get, path = "/api/v1/territories", tag = "territories", params(LevelQuery),
    responses((status = 200, description = "Every territory with data, in reference order; each entry says `demo` and `data_status`", body = [TerritoryIndexEntry], content_type = "application/json"),
              (status = 500, description = "The index does not parse", body = Problem, content_type = "application/problem+json")))]
pub async fn api_territories(State(s): State<AppState>, Query(q): Query<LevelQuery>) -> Response {
    let r = s.current();
    let status = s.data_status();
    match read_file::<Vec<TerritoryIndexEntry>>(&r.dir.join("open-data/territories.json")) {
        Ok(mut index) => {
            if let Some(level) = q.level.as_deref() {
                index.retain(|t| t.level == level);
            }
            for t in &mut index {
                t.demo = status.is_demo();
                t.data_status = status;
            }
            json_ok(&index)
        }
        Err((status, detail)) => error(status, detail),
    }
}

/// A territory file with the data status of its release.
fn territory_answer(path: &std::path::Path, status: DataStatus) -> Response {
    match read_file::<TerritoryFile>(path) {
        Ok(mut t) => {
            t.head.demo = status.is_demo();
            t.head.data_status = status;
            json_ok(&t)
        }
        Err((status, detail)) => error(status, detail),
    }
}

/// Every series of one territory, with its latest values and their wording.
#[utoipa::path(get, path = "/api/v1/territories/{territory}", tag = "territories",
    params(("territory" = String, Path, description = "FR, REG-84, DEP-07…")),
    responses((status = 200, description = "Series and latest values, with `demo` and `data_status`", body = TerritoryFile, content_type = "application/json"),
               (status = 404, description = "Unknown territory", body = Problem, content_type = "application/problem+json")))]
pub async fn api_territory(State(s): State<AppState>, Path(key): Path<String>) -> Response {
    let r = s.current();
    if let Some(res) = canonical_redirect(&r, &key, |k| format!("/api/v1/territories/{k}")) {
        return res;
    }
    if r.territory(&key).is_none() {
        return error(StatusCode::NOT_FOUND, &format!("unknown territory {key}"));
    }
    territory_answer(
        &r.dir
            .join("open-data/territories")
            .join(format!("{key}.json")),
        s.data_status(),
    )
}

/// Provenance of every input file: SHA-256, size, source type, vintage, rows, dates.
#[utoipa::path(get, path = "/api/v1/sources", tag = "release",
    responses((status = 200, description = "sources.json, with `demo` and `data_status`", body = SourcesFile, content_type = "application/json")))]
pub async fn api_sources(State(s): State<AppState>) -> Response {
    let mut sources = s.current().sources.clone();
    sources.data_status = s.data_status();
    sources.demo = sources.data_status.is_demo();
    json_ok(&sources)
}

/// Consistency checks: published aggregates against sums of departments.
#[utoipa::path(get, path = "/api/v1/checks", tag = "release",
    responses((status = 200, description = "checks.json, with `demo` and `data_status`", body = ChecksFile, content_type = "application/json"),
              (status = 404, description = "The release has no checks file", body = Problem, content_type = "application/problem+json")))]
pub async fn api_checks(State(s): State<AppState>) -> Response {
    let r = s.current();
    match read_file::<ChecksFile>(&r.dir.join("open-data/checks.json")) {
        Ok(mut c) => {
            c.data_status = s.data_status();
            c.demo = c.data_status.is_demo();
            json_ok(&c)
        }
        Err((status, detail)) => error(status, detail),
    }
}

/// The data dictionary: every indicator's formula, window, unit and sources.
#[utoipa::path(get, path = "/api/v1/data-dictionary", tag = "release",
    responses((status = 200, description = "data-dictionary.json, with `demo` and `data_status`", body = DataDictionary, content_type = "application/json")))]
pub async fn api_dictionary(State(s): State<AppState>) -> Response {
    let mut d = s.current().dictionary.clone();
    d.data_status = s.data_status();
    d.demo = d.data_status.is_demo();
    json_ok(&d)
}

/// `/api/v1/provenance/{territory}/{indicator}`: where a figure comes from.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Provenance {
    /// Territory key.
    pub territory: String,
    /// The indicator as the data dictionary describes it (formula, window, inputs, sources).
    pub indicator: IndicatorDoc,
    /// Its latest value in the territory, when it has one.
    pub latest: Option<LatestValue>,
    /// Population used for rates.
    pub population: Option<f64>,
    /// Where that population comes from.
    pub population_source: Option<String>,
    /// The input files of the indicator's source types, with their hashes.
    pub source_files: Vec<SourceFile>,
    /// Release id.
    pub release_id: String,
    /// Build time of the release.
    pub built_at: String,
    /// Generated demonstration data.
    pub demo: bool,
    /// `demo` or `official`.
    pub data_status: DataStatus,
    /// Errata of this figure accepted by the moderators (citizen contributions).
    #[serde(default)]
    pub errata: Vec<vigie_contributions::Erratum>,
}

/// Where a figure comes from: formula, inputs, source files with hashes, release.
#[utoipa::path(get, path = "/api/v1/provenance/{territory}/{indicator}", tag = "release",
    params(("territory" = String, Path, description = "FR, REG-84, DEP-07…"),
           ("indicator" = String, Path, description = "indicator id, e.g. incidence_rate_7d")),
    responses((status = 200, description = "Provenance", body = Provenance, content_type = "application/json"),
               (status = 404, description = "Unknown territory or indicator", body = Problem, content_type = "application/problem+json")))]
pub async fn api_provenance(
    State(s): State<AppState>,
    Path((key, indicator)): Path<(String, String)>,
) -> Response {
    let r = s.current();
    let Some(t) = r.territory(&key) else {
        return error(StatusCode::NOT_FOUND, "unknown territory");
    };
    let Some(spec) = r.dictionary.indicators.iter().find(|i| i.id == indicator) else {
        return error(StatusCode::NOT_FOUND, "unknown indicator");
    };
    let source_files = r
        .sources
        .files
        .iter()
        .filter(|f| f.source.as_ref().is_some_and(|s| spec.sources.contains(s)))
        .cloned()
        .collect();
    let status = s.data_status();
    json_ok(&Provenance {
        territory: t.key.clone(),
        indicator: spec.clone(),
        latest: t.latest.get(&indicator).cloned(),
        population: t.population,
        population_source: t.population_source.clone(),
        source_files,
        release_id: r.id().to_string(),
        built_at: r.manifest.built_at.clone(),
        demo: status.is_demo(),
        data_status: status,
        errata: s
            .contrib
            .as_ref()
            .map(|c| {
                c.view(crate::now_seconds().unwrap_or(0))
                    .errata_of(&t.key, &indicator)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default(),
    })
}

fn data_root(r: &Release) -> Option<PathBuf> {
    vigie_contracts::layout::DataLayout::of_release(&r.dir).map(|l| l.root().to_path_buf())
}

/// A release kept in the data directory.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct KeptRelease {
    /// Release id.
    pub release_id: String,
    /// Build time.
    pub built_at: String,
    /// Last day of data.
    pub data_until: Option<String>,
    /// Whether it is the live release.
    pub live: bool,
    /// Generated demonstration data.
    pub demo: bool,
    /// `demo` or `official`.
    pub data_status: DataStatus,
}

/// `/api/v1/releases`.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ReleaseList {
    /// Releases kept, newest first.
    pub releases: Vec<KeptRelease>,
    /// The last build and gate decision (`status.json`), when there is one.
    pub status: Option<DataDirStatus>,
    /// The live release holds demonstration data.
    pub demo: bool,
    /// `demo` or `official`, of the live release.
    pub data_status: DataStatus,
}

/// Releases kept in the data directory that passed the publish gate (and the live one), newest
/// first, and the last gate decision.
#[utoipa::path(get, path = "/api/v1/releases", tag = "release",
    responses((status = 200, description = "The kept releases and the last build", body = ReleaseList, content_type = "application/json")))]
pub async fn api_releases(State(s): State<AppState>) -> Response {
    let r = s.current();
    let mut releases = Vec::new();
    if let Some(root) = data_root(&r)
        && let Ok(entries) =
            std::fs::read_dir(vigie_contracts::layout::DataLayout::new(&root).releases())
    {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if vigie_contracts::layout::is_internal(&name) {
                continue;
            }
            let path = e.path().join(vigie_contracts::layout::MANIFEST);
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            match crate::release::parse::<ReleaseManifest>(&path, &bytes) {
                // Only releases that passed the gate (and the live one) are listed.
                Ok(m) if m.release_id == r.id() || passed_gate(&e.path()) => {
                    let status = DataStatus::from_demo(m.demo || m.data_status.is_demo());
                    releases.push(KeptRelease {
                        live: m.release_id == r.id(),
                        release_id: m.release_id,
                        built_at: m.built_at,
                        data_until: m.data_until,
                        demo: status.is_demo(),
                        data_status: status,
                    });
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("{e}"),
            }
        }
    }
    releases.sort_by(|a, b| b.release_id.cmp(&a.release_id));
    let status = s.data_status();
    json_ok(&ReleaseList {
        releases,
        status: r.status.clone(),
        demo: status.is_demo(),
        data_status: status,
    })
}

/// Whether the release in `dir` passed the publish gate (its `gate.json` says so).
fn passed_gate(dir: &std::path::Path) -> bool {
    let path = dir.join(vigie_contracts::layout::GATE);
    std::fs::read(&path)
        .ok()
        .and_then(|b| crate::release::parse::<vigie_contracts::release::GateReport>(&path, &b).ok())
        .is_some_and(|g| g.passed)
}

/// A territory as published by a past release ("as of").
#[utoipa::path(get, path = "/api/v1/releases/{id}/territories/{territory}", tag = "release",
    params(("id" = String, Path, description = "release id"),
           ("territory" = String, Path, description = "FR, REG-84, DEP-07…")),
    responses((status = 200, description = "Series and latest values as of that release, with its `demo` and `data_status`", body = TerritoryFile, content_type = "application/json"),
               (status = 404, description = "Unknown release or territory", body = Problem, content_type = "application/problem+json")))]
pub async fn api_release_territory(
    State(s): State<AppState>,
    Path((id, key)): Path<(String, String)>,
) -> Response {
    let r = s.current();
    let ok = crate::release::safe_key;
    let Some(dir) = data_root(&r)
        .filter(|_| ok(&id) && ok(&key))
        .map(|root| vigie_contracts::layout::DataLayout::new(root).release(&id))
    else {
        return error(StatusCode::NOT_FOUND, "not found");
    };
    // A release that did not pass the gate is never answered for.
    if id != r.id() && !passed_gate(&dir) {
        return error(StatusCode::NOT_FOUND, "not found");
    }
    let manifest = match read_file::<ReleaseManifest>(&dir.join("release.json")) {
        Ok(m) => m,
        Err((status, detail)) => return error(status, detail),
    };
    let status = DataStatus::from_demo(
        manifest.demo || manifest.data_status.is_demo() || (id == r.id() && s.is_demo()),
    );
    territory_answer(
        &dir.join("open-data/territories")
            .join(format!("{key}.json")),
        status,
    )
}

/// Latest value of every map layer (incidence, positivity, hospital, ICU saturation, coverage) per department.
#[utoipa::path(get, path = "/api/v1/map", tag = "pages",
    responses((status = 200, description = "The interactive layers (map specs) and the departments", body = crate::data::MapDoc, content_type = "application/json")))]
pub async fn api_map(State(s): State<AppState>) -> Response {
    let r = s.current();
    let status = s.data_status();
    cached_json(&s, "map", || Some(crate::data::map_json(&r, status)))
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

/// The chart specs of a territory's dashboard.
#[utoipa::path(get, path = "/api/v1/charts/{territory}", tag = "pages",
    params(("territory" = String, Path, description = "FR, REG-84, DEP-07…")),
    responses((status = 200, description = "Every chart spec of the territory, in display order", body = crate::data::ChartsDoc, content_type = "application/json"),
               (status = 404, description = "Unknown territory", body = Problem, content_type = "application/problem+json")))]
pub async fn api_charts(State(s): State<AppState>, Path(key): Path<String>) -> Response {
    let r = s.current();
    if let Some(res) = canonical_redirect(&r, &key, |k| format!("/api/v1/charts/{k}")) {
        return res;
    }
    if r.territory(&key).is_none() {
        return error(StatusCode::NOT_FOUND, &format!("unknown territory {key}"));
    }
    let status = s.data_status();
    cached_json(&s, &format!("charts/{key}"), || {
        crate::data::charts_json(&r, &key, status)
    })
}

/// A GeoJSON feature collection (schema of `/api/v1/geo/departments`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct DepartmentOutlines {
    /// `FeatureCollection`.
    #[schema(rename = "type")]
    kind: String,
    /// One feature per department.
    features: Vec<DepartmentFeature>,
}

/// A department outline.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct DepartmentFeature {
    /// `Feature`.
    #[schema(rename = "type")]
    kind: String,
    /// `code` and `nom` of the department.
    properties: DepartmentProperties,
    /// A GeoJSON `Polygon` or `MultiPolygon`, coordinates rounded to 3 decimals.
    #[schema(value_type = Object)]
    geometry: (),
}

/// The properties of a department outline.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct DepartmentProperties {
    /// Department code (`07`, `2A`).
    code: String,
    /// Name.
    nom: String,
}

/// Simplified department outlines (GeoJSON, coordinates rounded to 3 decimals).
#[utoipa::path(get, path = "/api/v1/geo/departments", tag = "pages",
    responses((status = 200, description = "GeoJSON FeatureCollection with properties code and nom", body = DepartmentOutlines, content_type = "application/geo+json"),
               (status = 404, description = "The release has no department outlines", body = Problem, content_type = "application/problem+json")))]
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

fn fresh<T: serde::Serialize>(v: &T) -> Response {
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
    responses((status = 200, description = "Centres sorted by availability, then distance", body = vigie_finder::SearchAnswer<'static>, content_type = "application/json"),
              (status = 400, description = "A parameter is missing or invalid (the detail names it)", body = Problem, content_type = "application/problem+json"),
              (status = 503, description = "No slot data loaded", body = Problem, content_type = "application/problem+json")))]
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
    responses((status = 200, description = "Communes, postcodes and departments matching the text", body = [vigie_finder::PlaceHit], content_type = "application/json"),
              (status = 400, description = "Invalid parameters", body = Problem, content_type = "application/problem+json"),
              (status = 503, description = "No slot data loaded", body = Problem, content_type = "application/problem+json")))]
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
    responses((status = 200, description = "The platforms of the live scan", body = crate::slots::ScanStatus, content_type = "application/json"),
              (status = 503, description = "No slot data loaded", body = Problem, content_type = "application/problem+json")))]
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
    responses((status = 200, description = "One point per scan, oldest first", body = [crate::slots::SlotHistoryPoint], content_type = "application/json"),
              (status = 400, description = "Invalid department code", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No history kept", body = Problem, content_type = "application/problem+json")))]
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

/// The choices of a world chart (`/api/v1/world/compare`).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// Alpha-3 codes, comma-separated, at most 8 (default `FRA,DEU,ITA,ESP,GBR`).
    pub countries: Option<String>,
    /// `cases_cum_per_million` (default), `deaths_cum_per_million`, `cases_7d_per_million`,
    /// `deaths_7d_per_million` or `incidence_rate_7d`.
    pub indicator: Option<String>,
    /// `who` (default) or `jhu`.
    pub source: Option<String>,
    /// Language of the SVG's texts: `fr` (default) or `en`.
    pub lang: Option<String>,
}

/// The comparison asked for, or the detail of the 400 answer (naming the parameter).
fn compare_choice(
    r: &Release,
    q: &CompareQuery,
) -> Result<
    (
        Vec<String>,
        &'static str,
        &'static crate::world::WorldSource,
    ),
    String,
> {
    use crate::world;
    let bad = |p: &str, m: String| format!("{p}: {m}");
    let indicator = match q.indicator.as_deref() {
        None => world::INDICATORS[0],
        Some(i) => *world::INDICATORS
            .iter()
            .find(|x| **x == i)
            .ok_or_else(|| bad("indicator", format!("unknown indicator {i:?}")))?,
    };
    let source = match q.source.as_deref() {
        None => &world::SOURCES[0],
        Some(s) => {
            world::source(s).ok_or_else(|| bad("source", format!("unknown source {s:?}")))?
        }
    };
    let countries = match q.countries.as_deref() {
        None => world::WorldQuery::defaults(r).countries,
        Some(list) => {
            let mut v: Vec<String> = Vec::new();
            for c in list.split(',').map(|c| c.trim().to_ascii_uppercase()) {
                if c.is_empty() || v.contains(&c) {
                    continue;
                }
                if crate::routes::world_country(r, &c).is_none() {
                    return Err(bad("countries", format!("unknown country {c:?}")));
                }
                v.push(c);
            }
            if v.len() > world::MAX_COUNTRIES {
                return Err(bad(
                    "countries",
                    format!("at most {} countries", world::MAX_COUNTRIES),
                ));
            }
            v
        }
    };
    Ok((countries, indicator, source))
}

fn svg_answer(svg: String) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        svg,
    )
        .into_response()
}

fn spec_lang(lang: Option<&str>) -> vigie_contracts::Lang {
    if lang == Some("en") {
        vigie_contracts::Lang::En
    } else {
        vigie_contracts::Lang::Fr
    }
}

/// The comparison chart of up to eight countries (a `vigie.chart.v1` spec, one series per
/// country labelled « France — OMS »).
#[utoipa::path(get, path = "/api/v1/world/compare", tag = "world", params(CompareQuery),
    responses((status = 200, description = "The chart spec", body = vigie_contracts::ChartSpec, content_type = "application/json"),
               (status = 400, description = "Invalid parameter (the detail names it)", body = Problem, content_type = "application/problem+json"),
               (status = 404, description = "None of the countries has that series", body = Problem, content_type = "application/problem+json")))]
pub async fn api_world_compare(
    State(s): State<AppState>,
    Query(q): Query<CompareQuery>,
) -> Response {
    let r = s.current();
    let (countries, indicator, source) = match compare_choice(&r, &q) {
        Ok(c) => c,
        Err(detail) => return error(StatusCode::BAD_REQUEST, &detail),
    };
    let name = format!(
        "world/compare/{}/{indicator}/{}",
        source.slug,
        countries.join(",")
    );
    let demo = s.data_status().is_demo();
    cached_json(&s, &name, || {
        crate::world::compare_spec(&r, &countries, indicator, source, demo)
    })
}

/// The comparison chart as SVG (the same spec as `/api/v1/world/compare`).
#[utoipa::path(get, path = "/api/v1/world/compare.svg", tag = "world", params(CompareQuery),
    responses((status = 200, description = "The chart (SVG)", body = String, content_type = "image/svg+xml"),
               (status = 400, description = "Invalid parameter (the detail names it)", body = Problem, content_type = "application/problem+json"),
               (status = 404, description = "None of the countries has that series", body = Problem, content_type = "application/problem+json")))]
pub async fn api_world_compare_svg(
    State(s): State<AppState>,
    Query(q): Query<CompareQuery>,
) -> Response {
    let r = s.current();
    let (countries, indicator, source) = match compare_choice(&r, &q) {
        Ok(c) => c,
        Err(detail) => return error(StatusCode::BAD_REQUEST, &detail),
    };
    let demo = s.data_status().is_demo();
    match crate::world::compare_spec(&r, &countries, indicator, source, demo) {
        Some(spec) => svg_answer(vigie_charts::render_spec(
            &spec,
            spec_lang(q.lang.as_deref()),
            800,
            400,
        )),
        None => error(StatusCode::NOT_FOUND, "no series for these countries"),
    }
}

/// The choropleth of the world's countries for one indicator and source.
#[utoipa::path(get, path = "/api/v1/world/map/{source}/{indicator}", tag = "world",
    params(("source" = String, Path, description = "who or jhu"),
           ("indicator" = String, Path, description = "cases_cum_per_million, deaths_cum_per_million, cases_7d_per_million, deaths_7d_per_million or incidence_rate_7d")),
    responses((status = 200, description = "A map spec keyed by territory (ISO-FRA) with the date of each value", body = crate::world::WorldMapDoc, content_type = "application/json"),
               (status = 404, description = "Unknown source or indicator", body = Problem, content_type = "application/problem+json")))]
pub async fn api_world_map(
    State(s): State<AppState>,
    Path((source, indicator)): Path<(String, String)>,
) -> Response {
    let r = s.current();
    let Some(src) = crate::world::source(&source) else {
        return error(StatusCode::NOT_FOUND, &format!("unknown source {source}"));
    };
    let Some(ind) = crate::world::INDICATORS.iter().find(|i| **i == indicator) else {
        return error(
            StatusCode::NOT_FOUND,
            &format!("unknown indicator {indicator}"),
        );
    };
    let status = s.data_status();
    cached_json(&s, &format!("world/map/{}/{ind}", src.slug), || {
        Some(crate::world::map_doc(&r, ind, src, status))
    })
}

/// One chart of a country page (`cases_7d`, `deaths_7d`, `cases_cum`, `deaths_cum`; `….svg`
/// for the SVG), both sources on one axis.
#[utoipa::path(get, path = "/api/v1/world/charts/{territory}/{chart}", tag = "world",
    params(("territory" = String, Path, description = "ISO-FRA, ISO-DEU…"),
           ("chart" = String, Path, description = "cases_7d, deaths_7d, cases_cum or deaths_cum; with .svg, the SVG"),
           ("lang" = Option<String>, Query, description = "Language of the SVG: fr (default) or en")),
    responses((status = 200, description = "The chart spec (or its SVG)", body = vigie_contracts::ChartSpec, content_type = "application/json"),
               (status = 404, description = "Unknown country or chart", body = Problem, content_type = "application/problem+json")))]
pub async fn api_world_chart(
    State(s): State<AppState>,
    Path((key, chart)): Path<(String, String)>,
    Query(q): Query<CompareQuery>,
) -> Response {
    let r = s.current();
    if r.territory(&key).is_none_or(|t| t.level != "world_country") {
        return error(StatusCode::NOT_FOUND, &format!("unknown country {key}"));
    }
    let demo = s.data_status().is_demo();
    if let Some(id) = chart.strip_suffix(".svg") {
        return match crate::world::country_spec(&r, &key, id, demo) {
            Some(spec) => svg_answer(vigie_charts::render_spec(
                &spec,
                spec_lang(q.lang.as_deref()),
                800,
                400,
            )),
            None => error(StatusCode::NOT_FOUND, &format!("unknown chart {chart}")),
        };
    }
    let body = s.cached(&format!("json:world/charts/{key}/{chart}"), || {
        crate::world::country_spec(&r, &key, &chart, demo)
            .map(|v| serde_json::to_string(&v).unwrap_or_default())
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
        None => error(StatusCode::NOT_FOUND, &format!("unknown chart {chart}")),
    }
}
