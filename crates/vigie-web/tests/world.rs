//! The world's pages (`/monde`, `/monde/{alpha3}`, `/en/world…`), their API documents and
//! their static export, over the fixture's world territories (the real JSON shapes: levels
//! `world_country`, `world`, `continent`, `non_country`, series per source with their step).

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use vigie_web::{AppState, Release};

type TestResult = Result<(), Box<dyn std::error::Error>>;

mod common;

fn app() -> Result<(tempfile::TempDir, axum::Router), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    common::fixture(dir.path())?;
    let release = Release::load(&dir.path().join("current"))?;
    Ok((dir, vigie_web::router(AppState::new(release, true))))
}

async fn get(
    app: &axum::Router,
    uri: &str,
) -> Result<(StatusCode, axum::http::HeaderMap, String), Box<dyn std::error::Error>> {
    let res = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty())?)
        .await?;
    let status = res.status();
    let h = res.headers().clone();
    let body = res.into_body().collect().await?.to_bytes().to_vec();
    Ok((status, h, String::from_utf8(body)?))
}

/// The text of an HTML fragment: tags removed, entities of the templates decoded, every kind
/// of space one plain space.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace("&#38;", "&")
        .replace(['\u{a0}', '\u{202f}'], " ");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The part of `page` after the tag holding `start`, up to the next `end`.
fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let Some(i) = page.find(start) else {
        return "";
    };
    let rest = &page[i..];
    let rest = &rest[rest.find('>').map_or(0, |j| j + 1)..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The rows of the ranking: (rank, name, value, date, population).
fn ranking(page: &str) -> Vec<Vec<String>> {
    let table = between(page, "id=\"world-ranking\"", "</table>");
    table
        .split("<tr data-key=")
        .skip(1)
        .map(|row| {
            row.split("</t")
                .map(text)
                .map(|c| c.trim_start_matches(|ch| ch != ' ').trim().to_string())
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn world_page_ranking_map_comparison() -> TestResult {
    let (_d, app) = app()?;
    let (st, _, page) = get(&app, "/monde").await?;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("<html lang=\"fr\">"));
    assert!(
        page.contains("aria-current=\"page\">Monde</a>"),
        "nav entry"
    );
    // The ranking: WHO, cumulative cases per million, highest first, French numbers.
    let rows = ranking(&page);
    let names: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(names, ["Allemagne", "France", "Italie"], "{rows:?}");
    assert_eq!(rows[0][..4], ["1", "Allemagne", "450 000", "23/01/2022"]);
    assert_eq!(rows[1][2], "412 346");
    assert_eq!(rows[1][4], "67 813 000");
    // Italy's last week is null: its value is the week before.
    assert_eq!(rows[2][2..4], ["3 000", "16/01/2022"]);
    assert!(page.contains("<a href=\"/monde/DEU\">Allemagne</a>"));
    // Aggregates and pseudo-countries apart from the ranking.
    let agg = text(between(&page, "class=\"world-aggregates\"", "</table>"));
    assert!(agg.contains("Monde 97 561 23/01/2022"), "{agg}");
    assert!(agg.contains("Europe 338 390"), "{agg}");
    assert!(!names.contains(&"Monde") && !names.contains(&"Diamond Princess"));
    let non = text(between(&page, "class=\"non-countries\"", "</ul>"));
    assert_eq!(non, "Diamond Princess : 712 cas (JHU, au 03/02/2020)");
    // The map reads its document and the vendored outlines.
    assert!(page.contains("data-map=\"/api/v1/world/map/who/cases_cum_per_million\""));
    assert!(page.contains("data-geo=\"/assets/vendor/world-atlas-2.0.2/countries.geo.json\""));
    // The comparison: the default countries the release has, labelled « pays — OMS ».
    let legend = text(between(&page, "id=\"compare-legend\"", "</ul>"));
    assert_eq!(legend, "France — OMS Allemagne — OMS Italie — OMS");
    assert!(page.contains(
        "data-spec=\"/api/v1/world/compare?countries=FRA,DEU,ITA&#38;indicator=cases_cum_per_million&#38;source=who\""
    ));
    assert!(page.contains("data-scale=\"linear\""));
    // Its data table, one row a week: the last row is the last week.
    let table = between(&page, "class=\"chart-table\"", "</table>");
    let last = text(table.rsplit("<tr>").next().unwrap_or(""));
    assert_eq!(last, "23/01/2022 412 346 450 000 —");
    Ok(())
}

#[tokio::test]
async fn world_choices_in_the_url() -> TestResult {
    let (_d, app) = app()?;
    let (st, _, page) = get(
        &app,
        "/monde?pays=ita,FRA,XXX&indicateur=cases_cum_per_million&echelle=log&source=jhu",
    )
    .await?;
    assert_eq!(st, StatusCode::OK);
    let legend = text(between(&page, "id=\"compare-legend\"", "</ul>"));
    assert_eq!(legend, "Italie — JHU France — JHU");
    assert!(page.contains("data-scale=\"log\""));
    assert!(text(&page).contains("Non retenus (code inconnu ou au-delà de 8 pays) : XXX"));
    assert!(page.contains("value=\"ITA,FRA\""));
    // JHU's daily series: 28 January, Italy 2 000 × 28.
    let rows = ranking(&page);
    assert_eq!(rows[0][..4], ["1", "Italie", "56 000", "28/01/2022"]);
    // Sorting by name links keep the choices; sorted A to Z.
    let (_, _, by_name) = get(
        &app,
        "/monde?pays=ITA,FRA&echelle=log&source=jhu&tri=pays&ordre=croissant",
    )
    .await?;
    let names: Vec<String> = ranking(&by_name)
        .into_iter()
        .map(|r| r[1].clone())
        .collect();
    assert_eq!(names, ["Allemagne", "France", "Italie"]);
    assert!(by_name.contains("aria-sort=\"ascending\""));
    // Nine countries: the ninth is left out.
    let (_, _, many) = get(&app, "/monde?pays=FRA,DEU,ITA,FRA").await?;
    assert!(many.contains("value=\"FRA,DEU,ITA\""));
    // English keys and labels under /en/world.
    let (st, _, en) = get(&app, "/en/world?countries=DEU&source=who").await?;
    assert_eq!(st, StatusCode::OK);
    assert!(en.contains("<html lang=\"en\">"));
    assert_eq!(
        text(between(&en, "id=\"compare-legend\"", "</ul>")),
        "Germany — WHO"
    );
    assert!(en.contains("<a href=\"/en/world/DEU\">Germany</a>"));
    assert!(en.contains("href=\"/monde\""), "language switch");
    Ok(())
}

#[tokio::test]
async fn country_pages_and_france_links() -> TestResult {
    let (_d, app) = app()?;
    let (st, _, page) = get(&app, "/monde/FRA").await?;
    assert_eq!(st, StatusCode::OK);
    let t = text(&page);
    assert!(t.contains("Cas confirmés (cumul) — OMS 38 997 490"), "{t}");
    assert!(page.contains("href=\"/territoire/FR\""), "France dashboard");
    assert!(page.contains("data-spec=\"/api/v1/world/charts/ISO-FRA/cases_cum\""));
    assert!(page.contains("src=\"/api/v1/world/charts/ISO-FRA/cases_cum.svg?lang=fr\""));
    assert!(t.contains("l'OMS publie par semaine de notification"));
    assert!(t.contains("5,0 %"), "mean difference in %: {t}");
    assert!(t.contains("12,5 % (au 09/01/2022)"));
    assert!(t.contains("10/01/2022 Cas confirmés (cumul) JHU 1 234 567 1 234 000"));
    assert!(
        page.contains(&"ef".repeat(32)),
        "full SHA-256 of the WHO file"
    );
    assert!(t.contains("2024-08"), "vintage");
    assert!(page.contains("href=\"/open-data/territories/ISO-FRA.csv\""));
    assert!(page.contains("href=\"/api/v1/territories/ISO-FRA\""));
    let (_, _, de) = get(&app, "/monde/DEU").await?;
    assert!(!de.contains("href=\"/territoire/FR\""));
    let (_, _, en) = get(&app, "/en/world/FRA").await?;
    assert!(text(&en).contains("Confirmed cases (cumulative) — WHO 38,997,490"));
    // The France dashboard links to France in the world, and lists no country of the world.
    let (_, _, fr) = get(&app, "/territoire/FR").await?;
    assert!(fr.contains("<a href=\"/monde/FRA\">La France dans le monde</a>"));
    assert!(!fr.contains("ISO-"), "no world territory in the selector");
    let (_, _, list) = get(&app, "/territoires").await?;
    assert!(!list.contains("ISO-") && !list.contains("Allemagne"));
    // Codes: any case (redirect), unknown codes get the 404 page.
    let (st, h, _) = get(&app, "/monde/fra").await?;
    assert_eq!(st, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(h[header::LOCATION], "/monde/FRA");
    let (st, h, _) = get(&app, "/territoire/ISO-DEU").await?;
    assert_eq!(st, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(h[header::LOCATION], "/monde/DEU");
    let (st, _, nf) = get(&app, "/monde/XYZ").await?;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(nf.contains("Page introuvable"));
    let (st, _, nf) = get(&app, "/en/world/WORLD").await?;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(nf.contains("Page not found"));
    Ok(())
}

#[tokio::test]
async fn world_api() -> TestResult {
    let (_d, app) = app()?;
    let (st, _, b) = get(&app, "/api/v1/territories/ISO-FRA").await?;
    assert_eq!(st, StatusCode::OK);
    let v: Value = serde_json::from_str(&b)?;
    assert_eq!(v["world"]["alpha3"], "FRA");
    assert_eq!(
        v["indicators"]["cases_cum_per_million"]["source:who"]["step"],
        "P7D"
    );
    let (_, _, b) = get(&app, "/api/v1/territories?level=world_country").await?;
    let v: Value = serde_json::from_str(&b)?;
    let keys: Vec<&str> = v
        .as_array()
        .map(|a| a.iter().filter_map(|t| t["territory"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(keys, ["ISO-FRA", "ISO-DEU", "ISO-ITA"]);
    // The choropleth: keyed by territory, with each value's date.
    let (_, _, b) = get(&app, "/api/v1/world/map/who/cases_cum_per_million").await?;
    let v: Value = serde_json::from_str(&b)?;
    assert_eq!(v["map"]["schema"], "vigie.map.v1");
    assert_eq!(v["map"]["values"]["ISO-DEU"], 450_000.0);
    assert_eq!(v["dates"]["ISO-ITA"], "2022-01-16");
    assert!(v["map"]["values"].get("WORLD").is_none());
    // The comparison: one weekly series per country, in the order asked.
    let (_, _, b) = get(&app, "/api/v1/world/compare?countries=DEU,FRA").await?;
    let v: Value = serde_json::from_str(&b)?;
    assert_eq!(v["schema"], "vigie.chart.v1");
    assert_eq!(v["step_days"], 7);
    assert_eq!(v["series"][0]["label"]["fr"], "Allemagne — OMS");
    assert_eq!(v["series"][1]["label"]["en"], "France — WHO");
    assert_eq!(v["series"][1]["values"][3], 412_345.6);
    // A country chart mixes JHU (daily) and the WHO (weekly) on a daily axis: the weekly
    // values on their Sundays, null between (the charts join a series over its own step).
    let (_, _, b) = get(&app, "/api/v1/world/charts/ISO-FRA/cases_cum").await?;
    let v: Value = serde_json::from_str(&b)?;
    assert_eq!(
        (v["start"].as_str(), v["step_days"].as_u64()),
        (Some("2022-01-01"), Some(1))
    );
    let who = &v["series"][0]["values"];
    assert_eq!((who[1].as_f64(), who[2].as_f64()), (Some(100_000.0), None));
    assert_eq!(who[22], 412_345.6);
    let (st, h, svg) = get(&app, "/api/v1/world/compare.svg?countries=FRA&lang=en").await?;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "image/svg+xml");
    assert!(svg.contains("France — WHO"));
    let (st, h, b) = get(&app, "/api/v1/world/compare?countries=FRA,ZZZ").await?;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(h[header::CONTENT_TYPE], "application/problem+json");
    assert!(b.contains("countries: unknown country"));
    let (st, _, _) = get(&app, "/api/v1/world/map/who/nope").await?;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _, _) = get(&app, "/api/v1/world/charts/WORLD/cases_cum").await?;
    assert_eq!(st, StatusCode::NOT_FOUND);
    Ok(())
}

#[test]
fn world_static_export() -> TestResult {
    let dir = tempfile::tempdir()?;
    common::fixture(dir.path())?;
    let release = Release::load(&dir.path().join("current"))?;
    let out = dir.path().join("site");
    vigie_web::static_site::export(&release, true, &out)?;
    for f in [
        "monde/index.html",
        "en/world/index.html",
        "monde/FRA/index.html",
        "en/world/DEU/index.html",
        "api/v1/world/map/who/cases_cum_per_million.json.js",
        "api/v1/world/compare/who/cases_cum_per_million.json",
        "api/v1/world/compare/who/cases_cum_per_million.svg",
        "api/v1/world/charts/ISO-FRA/cases_cum.json.js",
        "api/v1/world/charts/ISO-FRA/cases_cum.svg",
        "assets/vendor/world-atlas-2.0.2/countries.geo.json",
        "assets/vendor/world-atlas-2.0.2/countries.geo.json.js",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    assert!(!out.join("territoire/ISO-FRA").exists());
    let page = std::fs::read_to_string(out.join("monde/FRA/index.html"))?;
    assert!(page.contains("data-spec=\"../../api/v1/world/charts/ISO-FRA/cases_cum.json\""));
    assert!(!page.contains("=\"/"), "no root-relative link left");
    let world = std::fs::read_to_string(out.join("en/world/index.html"))?;
    assert!(world.contains("data-map=\"../../api/v1/world/map/who/cases_cum_per_million.json\""));
    assert!(world.contains("href=\"../../en/world/DEU/index.html\""));
    assert!(!world.contains("=\"/"), "no root-relative link left");
    Ok(())
}
