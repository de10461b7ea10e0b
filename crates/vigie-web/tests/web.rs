//! The web application over a small release written by the test (real release layout):
//! pages in both languages, caching and conditional requests, compression, CORS, OpenAPI,
//! map and chart data, the slot finder seam, the static export and the page-weight budget.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use vigie_finder::{PlaceHit, PlaceKind, PlatformEntry, PlatformState};
use vigie_web::slots::{ScanStatus, SlotHistoryPoint};
use vigie_web::{AppState, Release, SearchError, SearchParams, SlotFinder};

type TestResult = Result<(), Box<dyn std::error::Error>>;

mod common;
use common::fixture;

fn state() -> Result<(tempfile::TempDir, AppState), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    fixture(dir.path())?;
    let release = Release::load(&dir.path().join("current"))?;
    Ok((dir, AppState::new(release, true)))
}

async fn get(
    app: &axum::Router,
    uri: &str,
    headers: &[(&str, &str)],
) -> Result<(StatusCode, axum::http::HeaderMap, Vec<u8>), Box<dyn std::error::Error>> {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app.clone().oneshot(req.body(Body::empty())?).await?;
    let status = res.status();
    let h = res.headers().clone();
    let body = res.into_body().collect().await?.to_bytes().to_vec();
    Ok((status, h, body))
}

#[tokio::test]
async fn pages_in_french_and_english() -> TestResult {
    let (_d, s) = state()?;
    let app = vigie_web::router(s);
    let (st, _, b) = get(&app, "/territoire/DEP-07", &[]).await?;
    assert_eq!(st, StatusCode::OK);
    let fr = String::from_utf8(b)?;
    assert!(fr.contains("<html lang=\"fr\">"));
    assert!(fr.contains("BAS ET EN BAISSE"));
    assert!(fr.contains("Autres départements de la région"));
    assert!(fr.contains("href=\"/territoire/DEP-26\""));
    assert!(fr.contains("data-geo=\"/api/v1/geo/departments\""));
    assert!(fr.contains("<details><summary>Tableau des données"));
    assert!(
        fr.contains("href=\"/en/territoire/DEP-07\""),
        "language switch"
    );
    assert!(!fr.contains("style=\""), "no inline style (CSP)");
    // « Tous les chiffres »: labels of the data dictionary, counts without decimals, no
    // change of a change.
    assert!(fr.contains("<th scope=\"row\">Taux d&#39;incidence sur 7 jours</th>"));
    assert!(fr.contains("<tr data-indicator=\"hosp\"><th scope=\"row\">Patients hospitalisés</th><td>28/02/2022</td><td class=\"num\">424</td><td class=\"num\">400</td><td class=\"num\">+6,0\u{a0}%</td></tr>"));
    assert!(!fr.contains("<code>incidence_rate_7d</code>"));
    assert!(
        fr.contains("<td class=\"num\">424</td>"),
        "count without decimals"
    );
    assert!(!fr.contains("424,0"));
    assert!(fr.contains("<tr data-indicator=\"cases_wow_change\"><th scope=\"row\">Évolution des cas sur 7 jours</th><td>28/02/2022</td><td class=\"num\">+12,0\u{a0}%</td><td class=\"num\">-5,0\u{a0}%</td><td class=\"num\">—</td></tr>"));
    assert!(
        fr.contains("pour 100 000 hab., au 28/02/2022)</th>"),
        "map unit in words"
    );
    assert!(!fr.contains("/100k"));
    assert!(!fr.contains("<script>"), "no inline script (CSP)");
    let (st, _, b) = get(&app, "/en/territoire/DEP-07", &[]).await?;
    assert_eq!(st, StatusCode::OK);
    let en = String::from_utf8(b)?;
    assert!(en.contains("<html lang=\"en\">"));
    assert!(en.contains("LOW AND FALLING"));
    assert!(en.contains("Other departments of the region"));
    assert!(en.contains("href=\"/en/territoire/DEP-26\""));
    assert!(en.contains("46.0") || en.contains(">46<"), "English number");
    for p in [
        "/",
        "/en/",
        "/vaccination",
        "/sources",
        "/donnees",
        "/statistiques",
        "/a-propos",
        "/licences",
        "/territoires",
        "/rendez-vous",
        "/en/rendez-vous",
    ] {
        let (st, _, _) = get(&app, p, &[]).await?;
        assert_eq!(st, StatusCode::OK, "{p}");
    }
    let (st, h, b) = get(&app, "/territoire/DEP-99", &[]).await?;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(h[header::CONTENT_TYPE].to_str()?.starts_with("text/html"));
    assert!(String::from_utf8(b)?.contains("<h1>Page introuvable</h1>"));
    let (st, _, b) = get(&app, "/en/nope", &[]).await?;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(String::from_utf8(b)?.contains("<h1>Page not found</h1>"));
    for p in [
        "/charts/FR/nope.svg",
        "/open-data/nope.csv",
        "/assets/nope.js",
    ] {
        let (st, h, b) = get(&app, p, &[]).await?;
        assert_eq!(st, StatusCode::NOT_FOUND, "{p}");
        assert!(
            h[header::CONTENT_TYPE].to_str()?.starts_with("text/html"),
            "{p}"
        );
        assert!(String::from_utf8(b)?.contains("Page introuvable"), "{p}");
    }
    // API errors: RFC 9457 problem documents everywhere.
    for (p, status) in [
        ("/api/v1/territories/DEP-99", 404),
        ("/api/v1/nope", 404),
        ("/api/v1/charts/DEP-99", 404),
        ("/api/v1/slots/search?commune=07186", 503),
    ] {
        let (st, h, b) = get(&app, p, &[]).await?;
        assert_eq!(st.as_u16(), status, "{p}");
        assert_eq!(h[header::CONTENT_TYPE], "application/problem+json", "{p}");
        let v: Value = serde_json::from_slice(&b)?;
        assert_eq!(v["status"], status, "{p}");
        assert!(v["title"].is_string() && v["detail"].is_string() && v["type"].is_string());
    }
    // Non-canonical territory keys: permanent redirects.
    for (from, to) in [
        ("/territoire/dep-07", "/territoire/DEP-07"),
        ("/en/territoire/DEP-7", "/en/territoire/DEP-07"),
        ("/territoire/fr", "/territoire/FR"),
        ("/api/v1/territories/dep-26", "/api/v1/territories/DEP-26"),
    ] {
        let (st, h, _) = get(&app, from, &[]).await?;
        assert_eq!(st, StatusCode::PERMANENT_REDIRECT, "{from}");
        assert_eq!(h[header::LOCATION], to, "{from}");
    }
    let (st, h, _) = get(&app, "/territoire?key=DEP-26", &[]).await?;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(h[header::LOCATION], "/territoire/DEP-26");
    Ok(())
}

#[tokio::test]
async fn etag_304_cache_cors_compression() -> TestResult {
    let (_d, s) = state()?;
    let app = vigie_web::router(s);
    for uri in ["/api/v1/territories/FR", "/territoire/FR", "/api/v1/map"] {
        let (st, h, _) = get(&app, uri, &[]).await?;
        assert_eq!(st, StatusCode::OK);
        let tag = h[header::ETAG].to_str()?.to_string();
        assert!(
            tag.starts_with('"') && !tag.starts_with("W/"),
            "strong: {tag}"
        );
        assert!(h[header::CACHE_CONTROL].to_str()?.contains("max-age"));
        let (st, h2, b) = get(&app, uri, &[("if-none-match", &tag)]).await?;
        assert_eq!(st, StatusCode::NOT_MODIFIED, "{uri}");
        assert!(b.is_empty());
        assert_eq!(h2[header::ETAG].to_str()?, tag);
        // A compressed answer has its own tag but still revalidates.
        let (st, h3, _) = get(&app, uri, &[("accept-encoding", "br")]).await?;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(h3[header::CONTENT_ENCODING], "br");
        let br_tag = h3[header::ETAG].to_str()?.to_string();
        assert_eq!(br_tag, format!("{}-br\"", tag.trim_end_matches('"')));
        let (st, _, _) = get(&app, uri, &[("if-none-match", &br_tag)]).await?;
        assert_eq!(st, StatusCode::NOT_MODIFIED);
    }
    let (_, h, _) = get(
        &app,
        "/api/v1/release",
        &[("origin", "https://example.org")],
    )
    .await?;
    assert_eq!(h[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let (_, h, _) = get(&app, "/", &[]).await?;
    assert!(
        h[header::CONTENT_SECURITY_POLICY]
            .to_str()?
            .contains("script-src 'self'")
    );
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    Ok(())
}

#[tokio::test]
async fn assets_versioned_and_immutable() -> TestResult {
    let (_d, s) = state()?;
    let app = vigie_web::router(s);
    let (_, _, b) = get(&app, "/territoire/FR", &[]).await?;
    let html = String::from_utf8(b)?;
    let mut n = 0;
    for part in html
        .split("src=\"/assets/")
        .skip(1)
        .chain(html.split("href=\"/assets/").skip(1))
    {
        let path = part.split('"').next().unwrap_or_default();
        let (st, h, body) = get(&app, &format!("/assets/{path}"), &[]).await?;
        assert_eq!(st, StatusCode::OK, "{path}");
        assert!(
            h[header::CACHE_CONTROL].to_str()?.contains("immutable"),
            "{path}"
        );
        assert!(!body.is_empty());
        n += 1;
    }
    assert_eq!(
        n, 7,
        "icon, vigie.css, vigie.js, Leaflet js+css, uPlot js+css"
    );
    let (st, _, _) = get(&app, "/assets/../Cargo.toml", &[]).await?;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _, _) = get(&app, "/charts/..%2F..%2Fetc/passwd", &[]).await?;
    assert_eq!(st, StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn api_map_charts_geo_openapi() -> TestResult {
    let (_d, s) = state()?;
    let app = vigie_web::router(s);
    let (_, _, b) = get(&app, "/api/v1/map", &[]).await?;
    let map: Value = serde_json::from_slice(&b)?;
    assert_eq!(map["layers"][0]["values"]["26"], 120.0);
    assert_eq!(map["departments"]["26"]["key"], "DEP-26");
    assert_eq!(map["layers"][0]["classes"][1]["label"]["fr"], "≥ 50");
    let ids: Vec<&str> = map["layers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["id"].as_str())
        .collect();
    assert_eq!(ids, ["incidence_rate_7d", "positivity_rate_7d"]);
    let (_, _, b) = get(&app, "/api/v1/charts/DEP-07", &[]).await?;
    let c: Value = serde_json::from_slice(&b)?;
    assert_eq!(c["charts"][0]["series"][0]["values"][27], 73.0);
    let (st, h, b) = get(&app, "/api/v1/geo/departments", &[]).await?;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "application/geo+json");
    let g: Value = serde_json::from_slice(&b)?;
    assert_eq!(g["features"][0]["properties"]["code"], "07");
    let (_, _, b) = get(&app, "/api/openapi.json", &[]).await?;
    let doc: Value = serde_json::from_slice(&b)?;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for p in [
        "/api/v1/territories/{territory}",
        "/api/v1/map",
        "/api/v1/slots/search",
        "/api/v1/places",
    ] {
        assert!(doc["paths"][p]["get"].is_object(), "{p}");
    }
    let (_, _, b) = get(&app, "/donnees", &[]).await?;
    assert!(String::from_utf8(b)?.contains("GET /api/v1/provenance/{territory}/{indicator}"));
    Ok(())
}

/// A slot finder answering exactly the shapes of docs/slots-api.md.
struct Fake;

impl SlotFinder for Fake {
    fn search_json(&self, q: &SearchParams) -> Result<Vec<u8>, SearchError> {
        if q.commune.as_deref() == Some("00000") {
            return Err(SearchError::BadParameter {
                parameter: "commune".into(),
                message: "unknown commune 00000".into(),
            });
        }
        let answer = json!({
            "query": {"kind": "commune", "code": "07186", "label": "Privas (07000)",
                      "latitude": 44.73, "longitude": 4.59, "radius_km": 50, "tag": "all",
                      "from": null, "to": null},
            "generated_at": "2026-11-29T10:30:00+01:00",
            "stale_platforms": [{"platform": "keldoc", "stale_since": "2026-11-29T08:00:00+01:00"}],
            "days": ["2026-11-29", "2026-11-30"],
            "count": {"centres": 2, "centres_with_slots": 1, "slots": 12},
            "centres": [
                {"id": "doctolib1", "name": "Centre de vaccination de Privas", "platform": "doctolib",
                 "booking_url": "https://partners.doctolib.fr/x", "address": "1 place de la Mairie, 07000 Privas",
                 "postcode": "07000", "insee": "07186", "department": "07", "latitude": 44.73, "longitude": 4.59,
                 "type": "vaccination-center", "vaccines": ["pfizer-biontech"], "phone": "+33475000000",
                 "next_slot": "2026-11-30T09:15:00+01:00", "slot_count": 12, "distance_km": 0.4,
                 "matching_slots": 12, "daily_matching": [{"date": "2026-11-30", "count": 12}]},
                {"id": "keldoc2", "name": "Pharmacie du Centre", "platform": "keldoc",
                 "booking_url": "javascript:alert(1)", "address": "Aubenas", "distance_km": 25.0,
                 "matching_slots": 0, "daily_matching": []},
                {"id": "maiia3", "name": "Cabinet médical", "platform": "maiia", "phone_only": true,
                 "booking_url": "https://www.maiia.com/x", "address": "Le Pouzin", "distance_km": 26.0,
                 "phone": "04 75 00 00 01", "matching_slots": 0, "daily_matching": []},
                {"id": "bimedoc4", "name": "Pharmacie bloquée", "platform": "bimedoc", "status": "error",
                 "address": "Privas", "distance_km": 27.0, "matching_slots": 0, "daily_matching": []}
            ]
        });
        serde_json::to_vec(&answer).map_err(|e| SearchError::Unavailable(e.to_string()))
    }
    fn places(&self, q: &str, limit: usize) -> Vec<PlaceHit> {
        if q.to_lowercase().starts_with("pri") && limit > 0 {
            vec![PlaceHit {
                kind: PlaceKind::Commune,
                code: "07186".into(),
                label: "Privas (07000)".into(),
                postcode: Some("07000".into()),
                department: Some("07".into()),
                latitude: 44.73,
                longitude: 4.59,
                departments_near: None,
            }]
        } else {
            Vec::new()
        }
    }
    fn status(&self) -> Option<ScanStatus> {
        let platform = |slug: &str, name: &str, status, stale| PlatformEntry {
            platform: slug.into(),
            name: name.into(),
            status,
            last_success: None,
            stale,
            stale_since: None,
            centres: 0,
            centres_with_slots: 0,
            slots: 0,
            error: None,
        };
        Some(ScanStatus {
            generated_at: "2026-11-29T10:30:00+01:00".into(),
            platforms: vec![
                platform("doctolib", "Doctolib", PlatformState::Ok, false),
                platform("keldoc", "Keldoc", PlatformState::Failed, true),
            ],
        })
    }
}

/// The fake finder with an availability history.
struct WithHistory;

impl SlotFinder for WithHistory {
    fn search_json(&self, q: &SearchParams) -> Result<Vec<u8>, SearchError> {
        Fake.search_json(q)
    }
    fn places(&self, q: &str, limit: usize) -> Vec<PlaceHit> {
        Fake.places(q, limit)
    }
    fn status(&self) -> Option<ScanStatus> {
        Fake.status()
    }
    fn history(&self, department: Option<&str>) -> Option<Vec<SlotHistoryPoint>> {
        let k = if department == Some("07") { 1 } else { 10 };
        let point = |time: &str, with: u64, slots: u64| SlotHistoryPoint {
            time: time.into(),
            centres: 40 * k,
            centres_with_slots: with * k,
            slots: slots * k,
        };
        Some(vec![
            point("2026-11-29T10:00:00+01:00", 30, 1200),
            point("2026-11-29T10:30:00+01:00", 31, 1250),
        ])
    }
}

#[tokio::test]
async fn slot_history_api_and_statistics_chart() -> TestResult {
    let (_d, s) = state()?;
    // The default of the trait keeps no history: 404, and no chart on the statistics page.
    let app = vigie_web::router(s.clone().with_slot_finder(Arc::new(Fake)));
    let (st, _, _) = get(&app, "/api/v1/slots/history", &[]).await?;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (_, _, b) = get(&app, "/statistiques", &[]).await?;
    assert!(!String::from_utf8(b)?.contains("data-history"));
    let app = vigie_web::router(s.with_slot_finder(Arc::new(WithHistory)));
    let (st, _, b) = get(&app, "/api/v1/slots/history", &[]).await?;
    assert_eq!(st, StatusCode::OK);
    let v: Value = serde_json::from_slice(&b)?;
    assert_eq!(v[1]["slots"], 12500);
    let (_, _, b) = get(&app, "/api/v1/slots/history?department=07", &[]).await?;
    let v: Value = serde_json::from_slice(&b)?;
    assert_eq!(v[0]["centres_with_slots"], 30);
    let (st, _, b) = get(&app, "/api/v1/slots/history?department=..%2F", &[]).await?;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8(b)?.contains("department"));
    let (_, _, b) = get(&app, "/statistiques", &[]).await?;
    let page = String::from_utf8(b)?;
    assert!(page.contains("data-history=\"/api/v1/slots/history\""));
    assert!(
        page.contains("uPlot.iife.min.js"),
        "the chart library is loaded"
    );
    // The table lists the newest scan first.
    let newest = page.find("dim. 29 nov. à 10:30").unwrap_or(usize::MAX);
    let oldest = page.find("dim. 29 nov. à 10:00").unwrap_or(0);
    assert!(newest < oldest);
    assert!(page.contains(
        "<td class=\"num\">12\u{202f}500</td><td class=\"num\">310</td><td class=\"num\">400</td>"
    ));
    let (_, _, b) = get(&app, "/api/openapi.json", &[]).await?;
    assert!(String::from_utf8(b)?.contains("/api/v1/slots/history"));
    Ok(())
}

#[tokio::test]
async fn slot_finder_seam() -> TestResult {
    let (_d, s) = state()?;
    // Without a finder: the page says so and the API answers 503.
    let app = vigie_web::router(s.clone());
    let (_, _, b) = get(&app, "/rendez-vous?q=Privas", &[]).await?;
    assert!(String::from_utf8(b)?.contains("id=\"slot-nodata\""));
    let (st, _, _) = get(&app, "/api/v1/slots/search?commune=07186", &[]).await?;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
    // With one: server-rendered results (no JavaScript needed), API pass-through, errors.
    let app = vigie_web::router(s.with_slot_finder(Arc::new(Fake)));
    let (st, _, b) = get(&app, "/rendez-vous?q=Privas&tag=all&radius_km=50", &[]).await?;
    assert_eq!(st, StatusCode::OK);
    let page = String::from_utf8(b)?;
    assert!(page.contains("Centre de vaccination de Privas"));
    assert!(page.contains("href=\"https://partners.doctolib.fr/x\""));
    assert!(!page.contains("javascript:"), "only https booking links");
    assert!(page.contains("<p class=\"avail no\">Aucun créneau</p>"));
    // A centre whose scan failed: availability unknown, never « Aucun créneau ».
    let blocked = &page[page.find("Pharmacie bloquée").ok_or("no blocked centre")?..];
    let blocked = &blocked[..blocked.find("</li>").unwrap_or(blocked.len())];
    assert!(
        blocked.contains("Disponibilités inconnues") && !blocked.contains("Aucun créneau"),
        "{blocked}"
    );
    assert!(page.contains("<strong>12 créneaux</strong> · prochain : lun. 30 nov. à 09:15"));
    assert!(page.contains("<span class=\"dist\">0,4\u{a0}km</span>"));
    assert!(page.contains("<span class=\"dist\">25\u{a0}km</span>"));
    assert!(page.contains("target=\"_blank\" rel=\"noopener\">Prendre rendez-vous</a>"));
    assert!(page.contains("<a class=\"tel\" href=\"tel:+33475000000\">04 75 00 00 00</a>"));
    assert!(page.contains("Réservation par téléphone uniquement"));
    assert!(page.contains("données de Keldoc datant de dim. 29 nov. à 08:00"));
    assert!(page.contains("mis à jour il y a "));
    // Results in the API's order: availability, then distance.
    let a = page
        .find("Centre de vaccination de Privas")
        .unwrap_or(usize::MAX);
    let b = page.find("Pharmacie du Centre").unwrap_or(0);
    assert!(a < b, "centres with slots first");
    // The day picker: every day with its count, as links for pages without JavaScript.
    assert!(page.contains("data-day=\"2026-11-30\">lun. 30 nov. <span class=\"n\">12</span></a>"));
    assert!(page.contains("data-day=\"2026-11-29\">dim. 29 nov. <span class=\"n\">0</span></a>"));
    let (_, _, b) = get(&app, "/rendez-vous?commune=07186&day=2026-11-29", &[]).await?;
    let page = String::from_utf8(b)?;
    assert!(page.contains("data-day=\"2026-11-29\" aria-current=\"true\""));
    assert!(
        page.contains("0 créneau dans 0 lieu sur 4 trouvés. Disponibilités inconnues pour 1 lieu.")
    );
    let (_, _, b) = get(&app, "/rendez-vous?commune=07186", &[]).await?;
    assert!(
        String::from_utf8(b)?
            .contains("<p class=\"count\">12 créneaux dans 1 lieu sur 4 trouvés. Disponibilités inconnues pour 1 lieu.</p>")
    );
    // A finder error in French, naming the field.
    let (_, _, b) = get(&app, "/rendez-vous?commune=00000", &[]).await?;
    let page = String::from_utf8(b)?;
    assert!(
        page.contains("Commune : « 00000 » est inconnu."),
        "French error"
    );
    assert!(!page.contains("unknown commune"));
    // The scan state in words and Paris times.
    let (_, _, b) = get(&app, "/sources", &[]).await?;
    let page = String::from_utf8(b)?;
    assert!(page.contains("Dernier relevé : dim. 29 nov. 2026 à 10:30"));
    assert!(page.contains("<th scope=\"row\">Keldoc</th><td class=\"state-failed\">en échec ; lieux du relevé précédent conservés</td>"));
    assert!(page.contains("construite le mar. 1 mars 2022 à 01:00"));
    assert!(!page.contains("2022-03-01T00:00:00Z"));
    // English.
    let (_, _, b) = get(&app, "/en/rendez-vous?commune=07186", &[]).await?;
    let page = String::from_utf8(b)?;
    assert!(page.contains("<strong>12 slots</strong> · next: Mon 30 Nov at 09:15"));
    assert!(page.contains("Booking by phone only"));
    assert!(page.contains("Keldoc data from Sun 29 Nov at 08:00"));
    assert!(page.contains("<option value=\"50\" selected>"));
    let (st, h, b) = get(&app, "/api/v1/slots/search?commune=07186&radius_km=20", &[]).await?;
    assert_eq!(st, StatusCode::OK);
    assert!(
        !h.contains_key(header::ETAG),
        "slot answers are not tied to the release"
    );
    let v: Value = serde_json::from_slice(&b)?;
    assert_eq!(v["count"]["slots"], 12);
    let (st, _, b) = get(
        &app,
        "/api/v1/slots/search?commune=07186&radius_km=500",
        &[],
    )
    .await?;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8(b)?.contains("radius_km"));
    let (st, _, b) = get(&app, "/api/v1/slots/search?commune=00000", &[]).await?;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8(b)?.contains("commune"));
    let (st, _, _) = get(&app, "/api/v1/slots/search?tag=all", &[]).await?;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (_, _, b) = get(&app, "/api/v1/places?q=priv", &[]).await?;
    let v: Value = serde_json::from_slice(&b)?;
    assert_eq!(v[0]["code"], "07186");
    let (_, _, b) = get(&app, "/api/v1/slots/status", &[]).await?;
    let v: Value = serde_json::from_slice(&b)?;
    assert_eq!(v["platforms"][0]["status"], "ok");
    Ok(())
}

fn gzip_len(bytes: &[u8]) -> Result<usize, std::io::Error> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes)?;
    Ok(e.finish()?.len())
}

/// Home page budget: HTML + every stylesheet and script it loads, gzip, under 200 KB (map
/// data aside); at most 6 assets.
#[tokio::test]
async fn home_page_weight_budget() -> TestResult {
    let (_d, s) = state()?;
    let app = vigie_web::router(s);
    let (_, _, b) = get(&app, "/", &[]).await?;
    let html = String::from_utf8(b)?;
    let mut total = gzip_len(html.as_bytes())?;
    let mut assets = 0;
    for part in html
        .split("src=\"/assets/")
        .skip(1)
        .chain(html.split("href=\"/assets/").skip(1))
    {
        let path = part.split('"').next().unwrap_or_default();
        let (_, _, body) = get(&app, &format!("/assets/{path}"), &[]).await?;
        total += gzip_len(&body)?;
        assets += 1;
    }
    assert!(assets <= 6, "assets: {assets}");
    assert!(total < 200 * 1024, "home weighs {total} bytes gzip");
    assert!(
        total > 20 * 1024,
        "the budget counts the libraries: {total}"
    );
    Ok(())
}

/// The static export: both languages, relative links, data files with their `.js` twins.
#[test]
fn static_export_relative_and_complete() -> TestResult {
    let dir = tempfile::tempdir()?;
    fixture(dir.path())?;
    let release = Release::load(&dir.path().join("current"))?;
    let out = dir.path().join("site");
    let n = vigie_web::static_site::export(&release, true, &out)?;
    assert!(n > 30, "{n} files");
    for f in [
        "index.html",
        "en/index.html",
        "territoire/DEP-07/index.html",
        "en/territoire/DEP-07/index.html",
        "api/v1/map.json",
        "api/v1/map.json.js",
        "api/v1/charts/DEP-07.json.js",
        "api/v1/geo/departments.json.js",
        "api/openapi.json",
        "licences/index.html",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let page = std::fs::read_to_string(out.join("en/territoire/DEP-07/index.html"))?;
    assert!(page.contains("data-spec=\"../../../charts/DEP-07/incidence.json\""));
    assert!(out.join("charts/DEP-07/incidence.json.js").is_file());
    assert!(page.contains("href=\"../../../territoire/DEP-07/index.html\""));
    assert!(!page.contains("=\"/"), "no root-relative link left");
    let js = std::fs::read_to_string(out.join("api/v1/map.json.js"))?;
    assert!(js.starts_with("(window.VIGIE_JSONP=window.VIGIE_JSONP||{})[document.currentScript.src.replace(/\\.js$/,'')]={"));
    Ok(())
}

/// The static export with a slot snapshot (a small `vigie.slots.v1` file in the real format):
/// the per-department files, the status, the index and the autocomplete prefix files the
/// in-browser search reads, each with its `.js` twin for `file://`.
#[test]
fn static_export_with_slot_files() -> TestResult {
    let dir = tempfile::tempdir()?;
    fixture(dir.path())?;
    let release = Release::load(&dir.path().join("current"))?;
    let snapshot: vigie_finder::Snapshot = serde_json::from_str(&std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/centres.json"),
    )?)?;
    let out = dir.path().join("site");
    let n = vigie_web::static_site::export_with_slots(&release, true, Some(&snapshot), &out)?;
    assert!(n > 900, "{n} files");
    let read = |rel: &str| -> Result<Value, Box<dyn std::error::Error>> {
        Ok(serde_json::from_str(&std::fs::read_to_string(
            out.join(rel),
        )?)?)
    };
    let dep = read("data/slots/departments/07.json")?;
    assert_eq!(dep["department"], "07");
    assert_eq!(dep["generated_at"], "2026-11-29T11:00:32+01:00");
    assert_eq!(dep["centres"].as_array().map(Vec::len), Some(1));
    assert_eq!(dep["centres"][0]["id"], "mesoigner:1026");
    assert_eq!(dep["centres"][0]["daily"][1]["date"], "2026-11-30");
    assert!(out.join("data/slots/departments/07.json.js").is_file());
    let empty = read("data/slots/departments/01.json")?;
    assert_eq!(empty["centres"], json!([]));
    let status = read("data/slots/status.json")?;
    assert_eq!(status["platforms"].as_array().map(Vec::len), Some(4));
    let index = read("data/slots/index.json")?;
    assert_eq!(index["departments"]["07"]["centres"], 1);
    assert_eq!(index["departments"]["01"]["centres"], 0);
    assert_eq!(index["departments"]["01"]["bbox"], Value::Null);
    let bbox = &index["departments"]["75"]["bbox"];
    assert!(
        bbox[0]
            .as_f64()
            .is_some_and(|la| (48.8..48.95).contains(&la)),
        "{bbox}"
    );
    assert_eq!(index["days"].as_array().map(Vec::len), Some(3));
    let pr = read("data/places/pr.json")?;
    let privas = pr
        .as_array()
        .and_then(|a| a.iter().find(|p| p["code"] == "07186"))
        .ok_or("Privas in pr.json")?;
    assert_eq!(privas["label"], "Privas (07000)");
    let near = privas["departments_near"]
        .as_array()
        .ok_or("departments_near")?;
    assert!(near.contains(&json!("07")) && near.contains(&json!("26")));
    let digits = read("data/places/07.json")?;
    let pc = digits
        .as_array()
        .and_then(|a| a.iter().find(|p| p["code"] == "07000"))
        .ok_or("07000 in 07.json")?;
    assert_eq!(pc["kind"], "postcode");
    assert!(
        pc["departments_near"]
            .as_array()
            .is_some_and(|a| a.contains(&json!("07")))
    );
    let js = std::fs::read_to_string(out.join("data/places/pr.json.js"))?;
    assert!(js.starts_with("(window.VIGIE_JSONP=window.VIGIE_JSONP||{})"));
    // The page searches in the browser over these files.
    let page = std::fs::read_to_string(out.join("rendez-vous/index.html"))?;
    assert!(page.contains("data-mode=\"static\""));
    assert!(page.contains("data-status=\"../data/slots/status.json\""));
    assert!(page.contains("data-index=\"../data/slots/index.json\""));
    assert!(!page.contains("=\"/"), "no root-relative link left");
    // Without a snapshot, no slot file.
    let bare = dir.path().join("bare");
    vigie_web::static_site::export(&release, true, &bare)?;
    assert!(!bare.join("data/slots").exists());
    Ok(())
}

/// Counts the searches it answers.
struct Counting(std::sync::atomic::AtomicUsize);

impl SlotFinder for Counting {
    fn search_json(&self, q: &SearchParams) -> Result<Vec<u8>, SearchError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Fake.search_json(q)
    }
    fn places(&self, q: &str, limit: usize) -> Vec<PlaceHit> {
        Fake.places(q, limit)
    }
    fn status(&self) -> Option<ScanStatus> {
        Fake.status()
    }
}

/// A search answer is serialised once and reused for the same query (the load benchmark's
/// finding); another query, or an error, is not served from it.
#[tokio::test]
async fn slot_answers_reused_per_query() -> TestResult {
    let (_d, s) = state()?;
    let finder = Arc::new(Counting(std::sync::atomic::AtomicUsize::new(0)));
    let app = vigie_web::router(s.with_slot_finder(finder.clone()));
    let calls = || finder.0.load(std::sync::atomic::Ordering::SeqCst);
    let (_, _, first) = get(&app, "/api/v1/slots/search?commune=07186", &[]).await?;
    let (st, h, again) = get(&app, "/api/v1/slots/search?commune=07186", &[]).await?;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        h.get(header::CONTENT_TYPE).map(|v| v.as_bytes()),
        Some(&b"application/json"[..])
    );
    assert_eq!(first, again);
    assert_eq!(calls(), 1);
    get(
        &app,
        "/api/v1/slots/search?commune=07186&tag=third_dose",
        &[],
    )
    .await?;
    assert_eq!(calls(), 2);
    let (st, _, _) = get(&app, "/api/v1/slots/search?commune=00000", &[]).await?;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _, _) = get(&app, "/api/v1/slots/search?commune=00000", &[]).await?;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(calls(), 4, "errors are not kept");
    Ok(())
}

#[tokio::test]
async fn kpi_cards_and_headline_come_from_the_presentation_catalogue() -> TestResult {
    let (_d, s) = state()?;
    let app = vigie_web::router(s);
    let (st, _, b) = get(&app, "/vaccination", &[]).await?;
    assert_eq!(st, StatusCode::OK);
    let page = String::from_utf8(b)?;
    // VaccinTracker's headline, with its bar toward the 90 % target.
    assert!(
        page.contains("41\u{202f}234\u{202f}567 personnes ont reçu au moins une dose, soit 61,2\u{a0}% de la population"),
        "{page}"
    );
    assert!(page.contains("<rect class=\"bar\" width=\"61.2\""));
    assert!(page.contains("objectif 90\u{a0}%"));
    // Coverage changes in points, never « +0,0 % ».
    assert!(page.contains("+0,5\u{a0}point en 7 jours"), "{page}");
    assert!(page.contains("+2,3\u{a0}points en 7 jours"));
    assert!(!page.contains("+0,0"));
    // Projections in words from their status, consistent across doses.
    assert!(page.contains("90\u{a0}% : pas dans les 2 ans au rythme des 14 derniers jours"));
    assert!(page.contains("90\u{a0}% : pas de date, la première dose ne progresse plus"));
    // Cards in catalogue order, only those of the page.
    let d = page
        .find("class=\"card\" data-indicator=\"vaccination_coverage_dose1\"")
        .ok_or("dose1 card")?;
    let c = page
        .find("class=\"card\" data-indicator=\"vaccination_coverage_complete\"")
        .ok_or("complete card")?;
    assert!(d < c);
    assert!(!page.contains("class=\"card\" data-indicator=\"hosp\""));

    let (_, _, b) = get(&app, "/territoire/DEP-07", &[]).await?;
    let dash = String::from_utf8(b)?;
    let order: Vec<usize> = ["incidence_rate_7d", "positivity_rate_7d", "hosp"]
        .iter()
        .map(|id| {
            dash.find(&format!("class=\"card\" data-indicator=\"{id}\""))
                .unwrap_or(usize::MAX)
        })
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]) && order[2] != usize::MAX,
        "{order:?}"
    );
    assert!(!dash.contains("class=\"card\" data-indicator=\"vaccination_coverage_dose1\""));
    // A card whose catalogue entry says `points` shows points.
    assert!(dash.contains("Taux de positivité (7 jours)"));
    Ok(())
}

/// The fixture with `release.json` saying whether the data are the demonstration dataset.
fn state_with_demo(
    demo: bool,
) -> Result<(tempfile::TempDir, AppState), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    fixture(dir.path())?;
    let manifest = dir.path().join("current/release.json");
    let mut m: Value = serde_json::from_str(&std::fs::read_to_string(&manifest)?)?;
    m["demo"] = json!(demo);
    std::fs::write(&manifest, m.to_string())?;
    let release = Release::load(&dir.path().join("current"))?;
    // The server flag stays off: the release itself says demo.
    Ok((dir, AppState::new(release, false)))
}

/// Every API answer of a demo release says so: `demo` and `data_status` members on the
/// release, sources, territory, series, provenance and release-list answers, and the
/// `Vigie-Data-Status` header on every `/api/` answer (errors and 304 included).
#[tokio::test]
async fn api_answers_of_a_demo_release_say_demo() -> TestResult {
    let (_d, s) = state_with_demo(true)?;
    let app = vigie_web::router(s);
    for uri in [
        "/api/v1/release",
        "/api/v1/sources",
        "/api/v1/territories/DEP-07",
        "/api/v1/provenance/DEP-07/incidence_rate_7d",
        "/api/v1/releases",
        "/api/v1/charts/DEP-07",
        "/api/v1/map",
    ] {
        let (st, h, b) = get(&app, uri, &[]).await?;
        assert_eq!(st, StatusCode::OK, "{uri}");
        assert_eq!(h["vigie-data-status"], "demo", "{uri}");
        let v: Value = serde_json::from_slice(&b)?;
        assert_eq!(v["demo"], true, "{uri}");
        assert_eq!(v["data_status"], "demo", "{uri}");
    }
    for uri in [
        "/api/v1/territories",
        "/api/v1/checks",
        "/api/v1/data-dictionary",
        "/api/openapi.json",
        "/api/v1/nope",
        "/api/v1/territories/DEP-99",
        "/api/v1/slots/search?commune=07186",
    ] {
        let (_, h, _) = get(&app, uri, &[]).await?;
        assert_eq!(h["vigie-data-status"], "demo", "{uri}");
    }
    let (_, h, _) = get(&app, "/api/v1/territories/FR", &[]).await?;
    let tag = h[header::ETAG].to_str()?.to_string();
    let (st, h, _) = get(&app, "/api/v1/territories/FR", &[("if-none-match", &tag)]).await?;
    assert_eq!(st, StatusCode::NOT_MODIFIED);
    assert_eq!(h["vigie-data-status"], "demo");
    // Pages carry no such header.
    let (_, h, _) = get(&app, "/", &[]).await?;
    assert!(!h.contains_key("vigie-data-status"));
    // A release of real data says so too.
    let (_d, s) = state_with_demo(false)?;
    let app = vigie_web::router(s);
    for uri in [
        "/api/v1/release",
        "/api/v1/territories/FR",
        "/api/v1/sources",
    ] {
        let (_, h, b) = get(&app, uri, &[]).await?;
        assert_eq!(h["vigie-data-status"], "official", "{uri}");
        let v: Value = serde_json::from_slice(&b)?;
        assert_eq!(v["demo"], false, "{uri}");
        assert_eq!(v["data_status"], "official", "{uri}");
    }
    Ok(())
}

/// The web passes the published numbers through: a point of a chart series is the same JSON
/// number in `/api/v1/charts/…` and `/api/v1/territories/…`, and a map value is the latest
/// value of the territory.
#[tokio::test]
async fn numbers_identical_across_endpoints() -> TestResult {
    let (_d, s) = state()?;
    let app = vigie_web::router(s);
    let (_, _, b) = get(&app, "/api/v1/charts/DEP-26", &[]).await?;
    let charts: Value = serde_json::from_slice(&b)?;
    let (_, _, b) = get(&app, "/api/v1/territories/DEP-26", &[]).await?;
    let territory: Value = serde_json::from_slice(&b)?;
    let in_chart = &charts["charts"][0]["series"][0]["values"][27];
    let in_series = &territory["indicators"]["incidence_rate_7d"]["all"]["values"][27];
    assert_eq!(in_chart.to_string(), "147.33333333333334");
    assert_eq!(in_series.to_string(), in_chart.to_string());
    // The raw bytes too (no other spelling of the number).
    assert!(String::from_utf8(b)?.contains("147.33333333333334"));
    let (_, _, b) = get(&app, "/api/v1/map", &[]).await?;
    let map: Value = serde_json::from_slice(&b)?;
    assert_eq!(
        map["layers"][0]["values"]["26"].to_string(),
        territory["latest"]["incidence_rate_7d"]["value"].to_string()
    );
    Ok(())
}

/// Every `/api/` error is a problem document: unknown paths, a method other than GET on every
/// route (405 with `Allow`), invalid queries, unknown releases and indicators.
#[tokio::test]
async fn api_errors_are_problem_documents() -> TestResult {
    let (_d, s) = state()?;
    let app = vigie_web::router(s.with_slot_finder(Arc::new(Fake)));
    let doc: Value = serde_json::from_str(&vigie_web::api::openapi_json())?;
    // Each path with the methods it documents (the others must be refused).
    let mut routes: Vec<(String, Vec<String>)> = doc["paths"]
        .as_object()
        .ok_or("paths")?
        .iter()
        .map(|(p, item)| {
            let uri = p
                .replace("{territory}", "FR")
                .replace("{indicator}", "incidence_rate_7d")
                .replace("{id}", "20220301T000000Z");
            let methods = item
                .as_object()
                .map(|m| m.keys().map(|k| k.to_ascii_uppercase()).collect())
                .unwrap_or_default();
            (uri, methods)
        })
        .collect();
    routes.push(("/api/openapi.json".into(), vec!["GET".into()]));
    assert!(routes.len() >= 17);
    for (uri, documented) in &routes {
        for method in ["POST", "PUT", "DELETE"] {
            if documented.iter().any(|m| m == method) {
                continue;
            }
            let req = Request::builder()
                .method(method)
                .uri(uri)
                .body(Body::empty())?;
            let res = app.clone().oneshot(req).await?;
            assert_eq!(
                res.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {uri}"
            );
            assert_eq!(
                res.headers()[header::CONTENT_TYPE],
                "application/problem+json",
                "{method} {uri}"
            );
            assert!(res.headers().contains_key(header::ALLOW), "{method} {uri}");
            let body = res.into_body().collect().await?.to_bytes();
            let p: Value = serde_json::from_slice(&body)?;
            assert_eq!(p["status"], 405, "{method} {uri}");
        }
    }
    for (uri, status) in [
        ("/api/nope", 404),
        ("/api/v1/territories/FR/extra", 404),
        ("/api/v1/provenance/FR/nope", 404),
        ("/api/v1/provenance/DEP-99/incidence_rate_7d", 404),
        ("/api/v1/releases/19990101T000000Z/territories/FR", 404),
        ("/api/v1/releases/..%2F..%2Fetc/territories/FR", 404),
        ("/api/v1/slots/search?commune=07186&limit=abc", 400),
        ("/api/v1/slots/search?commune=07186&radius_km=0", 400),
        ("/api/v1/places?limit=-1", 400),
        ("/api/v1/slots/history?department=123456", 400),
        ("/api/v1/slots/history", 404),
    ] {
        let (st, h, b) = get(&app, uri, &[]).await?;
        assert_eq!(st.as_u16(), status, "{uri}");
        assert_eq!(h[header::CONTENT_TYPE], "application/problem+json", "{uri}");
        let p: Value = serde_json::from_slice(&b)?;
        assert_eq!(p["status"], status, "{uri}");
        assert_eq!(p["type"], "about:blank", "{uri}");
        assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()), "{uri}");
        assert_eq!(p["error"], p["detail"], "{uri}");
    }
    // Pages: the French 404 page.
    let (st, h, b) = get(&app, "/nulle-part", &[]).await?;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(h[header::CONTENT_TYPE].to_str()?.starts_with("text/html"));
    let page = String::from_utf8(b)?;
    assert!(page.contains("<html lang=\"fr\">") && page.contains("<h1>Page introuvable</h1>"));
    Ok(())
}

/// A release whose files do not have the published shape is refused at load, with an error
/// naming the file and the field.
#[test]
fn a_release_that_does_not_parse_is_refused() -> TestResult {
    let dir = tempfile::tempdir()?;
    fixture(dir.path())?;
    let rel = dir.path().join("current");
    let path = rel.join("open-data/territories/DEP-26.json");
    let mut t: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    t["latest"]["hosp"]["value"] = json!("beaucoup");
    std::fs::write(&path, t.to_string())?;
    let err = Release::load(&rel).err().ok_or("loaded")?.to_string();
    assert!(err.contains("open-data/territories/DEP-26.json"), "{err}");
    assert!(err.contains("field `latest.hosp.value`"), "{err}");
    // A field missing from release.json.
    fixture(dir.path())?;
    let path = rel.join("release.json");
    let mut m: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    m.as_object_mut().ok_or("object")?.remove("release_id");
    std::fs::write(&path, m.to_string())?;
    let err = Release::load(&rel).err().ok_or("loaded")?.to_string();
    assert!(err.contains("release.json"), "{err}");
    assert!(err.contains("release_id"), "{err}");
    // Put back, the release loads.
    fixture(dir.path())?;
    assert_eq!(Release::load(&rel)?.id(), "20220301T000000Z");
    Ok(())
}
