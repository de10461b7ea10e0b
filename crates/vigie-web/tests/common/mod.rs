//! The small release the web tests write (real release layout).
#![allow(dead_code)]

use std::path::Path;

use serde_json::{Value, json};

pub fn write(root: &Path, rel: &str, text: &str) -> std::io::Result<()> {
    let p = root.join(rel);
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d)?;
    }
    std::fs::write(p, text)
}

fn latest(v: f64, wording: &str) -> Value {
    json!({"value": v, "date": "2022-02-28", "level": "low", "trend": "falling", "change_unit": "percent",
           "value_7_days_before": v * 1.5, "change_7_days_percent": -33.3,
           "wording_fr": wording, "wording_en": "LOW AND FALLING"})
}

fn l10n(fr: &str, en: &str) -> Value {
    json!({"fr": fr, "en": en})
}

/// A chart spec as `vigie build` writes it (schema vigie.chart.v1).
fn chart_spec(key: &str, name: &str, values: &[f64]) -> Value {
    json!({"schema": "vigie.chart.v1", "id": "incidence", "territory": key, "kind": "time",
           "title": l10n(&format!("Taux d'incidence sur 7 jours — {name}"), &format!("7-day incidence rate — {name}")),
           "unit": l10n("pour 100 000 hab.", "per 100,000"), "decimals": 1,
           "start": "2022-02-01", "step_days": 1, "end": "2022-02-28", "data_until": "2022-02-28",
           "series": [{"indicator": "incidence_rate_7d", "breakdown": "all", "label": l10n("Taux d'incidence", "Incidence rate"),
                       "kind": "area", "color": "#0072B2", "values": values}],
           "thresholds": [{"value": 50.0, "label": l10n("seuil modéré (50)", "moderate threshold (50)")}],
           "y_min_zero": true, "source": l10n("Source : Santé publique France — données jusqu'au 28/02/2022 — Vigie", "Source: Santé publique France — data up to 28/02/2022 — Vigie"),
           "demo": true})
}

/// A map spec as `vigie build` writes it (schema vigie.map.v1).
fn map_spec(id: &str, v07: f64, v26: f64) -> Value {
    json!({"schema": "vigie.map.v1", "id": id, "title": l10n(id, id), "short": l10n(id, id),
           "unit": l10n("pour 100 000 hab.", "per 100,000"), "date": "2022-02-28",
           "subtitle": l10n("par département, au 28/02/2022", "by department, on 28/02/2022"), "decimals": 1,
           "classes": [{"min": null, "max": 50.0, "color": "#ffffcc", "label": l10n("< 50", "< 50")},
                       {"min": 50.0, "max": null, "color": "#800026", "label": l10n("≥ 50", "≥ 50")}],
           "no_data_color": "#d9d9d9", "no_data_label": l10n("pas de donnée", "no data"),
           "values": {"07": v07, "26": v26}, "names": {"07": "Ardèche", "26": "Drôme"},
           "source": l10n("Source : SPF", "Source: SPF"), "demo": true})
}

/// The presentation catalogue of the fixture.
fn presentation() -> Value {
    let layer = |id: &str| {
        json!({"indicator": id, "title": l10n(id, id), "short": l10n(id, id),
        "unit": l10n("%", "%"), "thresholds": [50.0], "decimals": 1, "source": l10n("SPF", "SPF"), "interactive": true})
    };
    let card = |id: &str, fr: &str, change: &str, pages: Value| {
        let decimals = if id == "hosp" { 0 } else { 1 };
        json!({"indicator": id, "label": l10n(fr, id), "decimals": decimals, "change": change, "pages": pages})
    };
    json!({"kpi": [card("incidence_rate_7d", "Taux d'incidence (7 jours)", "percent", json!(["territory", "home"])),
                   card("positivity_rate_7d", "Taux de positivité (7 jours)", "points", json!(["territory", "home"])),
                   card("hosp", "Patients hospitalisés", "percent", json!(["territory"])),
                   card("vaccination_coverage_dose1", "Couverture : au moins une dose", "points", json!(["vaccination"])),
                   card("vaccination_coverage_complete", "Couverture : schéma complet", "points", json!(["vaccination"]))],
        "headline": [{"id": "dose1", "people": "vaccination_dose1_cum", "percent": "vaccination_coverage_dose1",
                      "text": l10n("{people} personnes ont reçu au moins une dose, soit {percent} de la population",
                                   "{people} people have received at least one dose, that is {percent} of the population"),
                      "target_label": l10n("objectif {target}", "target {target}"), "pages": ["vaccination"]}],
        "chart": [{"id": "incidence", "title": l10n("Taux d'incidence sur 7 jours", "7-day incidence rate"),
        "decimals": 1, "kind": "time", "series": [], "thresholds": [], "y_min_zero": true, "page": "epidemic",
        "source": l10n("Santé publique France", "Santé publique France")}],
        "dashboard": [], "map_layer": [layer("incidence_rate_7d"), layer("positivity_rate_7d")], "labels": {}})
}

/// A release with France, one region and two departments, in `root/current` (a directory).
pub fn fixture(root: &Path) -> std::io::Result<()> {
    release_fixture(root, &root.join("current"), "20220301T000000Z")
}

/// The same release with id `id` in the directory `rel` of the data directory `root`.
pub fn release_fixture(root: &Path, rel: &Path, id: &str) -> std::io::Result<()> {
    let rel = rel.to_path_buf();
    write(
        &rel,
        "release.json",
        &json!({"release_id": id, "built_at": "2022-03-01T00:00:00Z",
                "data_until": "2022-02-28", "demo": true, "files_used": 1, "rows_read": 10,
                "indicator_rows": 100, "charts": 3, "vigie_version": "0.1.0", "groups": 4,
                "violations_total": 0})
        .to_string(),
    )?;
    write(
        &rel,
        "open-data/sources.json",
        &json!({"files": [
            {"file": "sp-pos.csv", "sha256": "ab".repeat(32), "bytes": 1000, "rows": 10, "source": "sp-pos",
             "first_date": "2022-02-01", "last_date": "2022-02-28"},
            {"file": "departements.geojson", "sha256": "cd".repeat(32), "bytes": 2000, "source": "geometry-departements"},
            {"file": "intl/WHO-COVID-19-global-data.csv.gz", "sha256": "ef".repeat(32), "bytes": 3000, "rows": 40, "source": "who-covid-19-global-data",
             "title": "OMS : cas et décès COVID-19 par pays et par semaine", "vintage": "2024-08", "fetched_at": "2024-08-20T08:00:00Z",
             "first_date": "2022-01-02", "last_date": "2022-01-23"},
            {"file": "intl/time_series_covid19_confirmed_global.csv", "sha256": "12".repeat(32), "bytes": 4000, "rows": 30, "source": "jhu-csse-confirmed-global",
             "title": "JHU CSSE : cas confirmés cumulés par pays", "first_date": "2022-01-01", "last_date": "2022-01-28"}]})
        .to_string(),
    )?;
    write(
        &rel,
        "open-data/checks.json",
        &json!({"checks": [{"kind": "jhu_vs_who", "territory": "ISO-FRA", "quantity": "cases_cum_per_million",
                            "reference": "WHO (source:who)", "breakdown": "source:jhu", "dates_compared": 4,
                            "max_relative_difference": 0.125, "at": "2022-01-09", "mean_relative_difference": 0.05,
                            "explanation_fr": "JHU agrège des sources nationales au jour de publication ; l'OMS publie par semaine de notification.",
                            "explanation_en": "JHU aggregates national sources by publication day; the WHO publishes by reporting week."}],
                "revisions": [{"territory": "ISO-FRA", "indicator": "cases_cum", "breakdown": "source:jhu", "date": "2022-01-10",
                               "before": 1_234_567.0, "after": 1_234_000.0}]})
        .to_string(),
    )?;
    write(
        &rel,
        "open-data/data-dictionary.json",
        &json!({"indicators": [
            {"id": "incidence_rate_7d", "sources": ["sp-pos"], "label_fr": "Taux d'incidence sur 7 jours",
             "label_en": "7-day incidence rate", "unit": "pour 100 000 habitants",
             "formula": "cases_7d / population × 100000", "window_days": 7, "alignment": "trailing", "breakdowns": "all"},
            {"id": "hosp", "label_fr": "Patients hospitalisés", "label_en": "Patients in hospital", "unit": "patients",
             "formula": "hosp", "window_days": 1, "alignment": "trailing", "breakdowns": "all"},
            {"id": "cases_wow_change", "label_fr": "Évolution des cas sur 7 jours", "label_en": "Week-over-week change in cases",
             "unit": "%", "formula": "(cases_7d(t) − cases_7d(t-7)) / cases_7d(t-7) × 100",
             "window_days": 7, "alignment": "trailing", "breakdowns": "all"},
            {"id": "cases_cum_per_million", "label_fr": "Cas confirmés (cumul) par million d'habitants",
             "label_en": "Confirmed cases (cumulative) per million", "unit": "par million d'habitants",
             "formula": "cases_cum / population × 1000000", "window_days": 1, "alignment": "trailing", "breakdowns": "source",
             "sources": ["jhu-csse-confirmed-global", "who-covid-19-global-data"]},
            {"id": "cases_cum", "label_fr": "Cas confirmés (cumul)", "label_en": "Confirmed cases (cumulative)", "unit": "personnes",
             "formula": "cases_cum", "window_days": 1, "alignment": "trailing", "breakdowns": "source",
             "sources": ["jhu-csse-confirmed-global", "who-covid-19-global-data"]}]}).to_string(),
    )?;
    let terrs = [
        ("FR", "France", "country", None, 60.0),
        ("REG-84", "Auvergne-Rhône-Alpes", "region", None, 50.0),
        ("DEP-07", "Ardèche", "department", Some("REG-84"), 46.0),
        ("DEP-26", "Drôme", "department", Some("REG-84"), 120.0),
    ];
    let index: Vec<Value> = terrs
        .iter()
        .map(|(k, n, l, r, _)| json!({"territory": k, "name": n, "level": l, "region": r, "population_insee": 330000}))
        .collect();
    let mut index = index;
    index.extend(world_fixture(&rel)?);
    write(
        &rel,
        "open-data/territories.json",
        &Value::Array(index).to_string(),
    )?;
    for (k, n, l, r, inc) in terrs {
        let mut values: Vec<f64> = (0..28).map(|i| inc + f64::from(i)).collect();
        if k == "DEP-26" {
            // A number whose shortest decimal form has 17 digits: any recomputation shows.
            values[27] = 147.0 + 1.0 / 3.0;
        }
        write(
            &rel,
            &format!("open-data/territories/{k}.json"),
            &json!({"territory": k, "name": n, "level": l, "region": r, "population": 330000.0, "population_insee": 330000,
                    "population_source": "source_file",
                    "latest": {"incidence_rate_7d": latest(inc, "BAS ET EN BAISSE"),
                               "positivity_rate_7d": latest(inc / 20.0, "BAS ET STABLE"),
                               "hosp": {"value": 424.0, "date": "2022-02-28", "value_7_days_before": 400.0, "change_7_days_percent": 6.0, "change_unit": "percent"},
                               "cases_wow_change": {"value": 12.0, "date": "2022-02-28", "value_7_days_before": -5.0, "change_7_days_percent": -340.0, "change_unit": "percent"},
                               "vaccination_dose1_cum": {"value": 41_234_567.0, "date": "2022-02-28", "change_unit": "percent"},
                               "vaccination_coverage_dose1": {"value": 61.24, "date": "2022-02-28", "change_7_days_points": 0.54, "change_unit": "points",
                                   "projection": {"target_percent": 90.0, "status": "beyond_horizon", "projected_date": null, "horizon_days": 730, "pace_days": 14, "limited_by": null, "reached_on": null}},
                               "vaccination_coverage_complete": {"value": 55.0, "date": "2022-02-28", "change_7_days_points": 2.3, "change_unit": "points",
                                   "projection": {"target_percent": 90.0, "status": "no_progress", "projected_date": null, "horizon_days": 730, "pace_days": 14, "limited_by": "vaccination_coverage_dose1", "reached_on": null}}},
                    "indicators": {"incidence_rate_7d": {"all": {"start": "2022-02-01", "values": values}}}})
            .to_string(),
        )?;
        write(
            &rel,
            &format!("charts/{k}/incidence.svg"),
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        )?;
        write(
            &rel,
            &format!("charts/{k}/incidence.json"),
            &chart_spec(k, n, &values).to_string(),
        )?;
    }
    write(
        &rel,
        "charts/maps/incidence_rate_7d.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )?;
    write(
        &rel,
        "charts/presentation.json",
        &presentation().to_string(),
    )?;
    write(
        &rel,
        "charts/index.json",
        &json!({"charts": {"FR": ["incidence"], "REG-84": ["incidence"], "DEP-07": ["incidence"], "DEP-26": ["incidence"]},
                "maps": ["incidence_rate_7d", "positivity_rate_7d"]})
        .to_string(),
    )?;
    for (id, v07, v26) in [
        ("incidence_rate_7d", 46.0, 120.0),
        ("positivity_rate_7d", 2.3, 6.0),
    ] {
        write(
            &rel,
            &format!("charts/maps/{id}.json"),
            &map_spec(id, v07, v26).to_string(),
        )?;
    }
    // Department outlines, as `vigie serve` finds them in the data directory's sources.
    write(
        root,
        "sources/departements.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"07","nom":"Ardèche"},"geometry":{"type":"Polygon","coordinates":[[[4.0,44.5],[4.8,44.5],[4.8,45.3],[4.0,45.3],[4.0,44.5]]]}}]}"#,
    )?;
    Ok(())
}

/// The world's territories of the fixture, in the shapes `vigie build` writes (`level`
/// `world_country`…, a `world` object, series per source with their step, empty `latest`);
/// returns their index entries. WHO cumulative cases per million (weekly, on Sundays):
/// Germany 450 000 > France 412 345,6 > Italy 3 000 (its last week null).
pub fn world_fixture(rel: &Path) -> std::io::Result<Vec<Value>> {
    let world = |a3: &str, en: &str, cont: Option<&str>| json!({"name_en": en, "alpha3": a3, "alpha2": "", "numeric": "", "continent": cont, "who_region": null});
    let who = |v: &[Option<f64>]| json!({"start": "2022-01-02", "end": "2022-01-23", "step": "P7D", "values": v});
    let jhu = |v: f64| {
        let values: Vec<f64> = (1..=28).map(|i| v * f64::from(i)).collect();
        json!({"start": "2022-01-01", "end": "2022-01-28", "step": "P1D", "values": values})
    };
    let terrs = [
        (
            "ISO-FRA",
            "France",
            "world_country",
            world("FRA", "France", Some("CONT-EU")),
            67_813_000.0,
            vec![
                Some(100_000.0),
                Some(200_000.0),
                Some(300_000.0),
                Some(412_345.6),
            ],
            1000.0,
        ),
        (
            "ISO-DEU",
            "Allemagne",
            "world_country",
            world("DEU", "Germany", Some("CONT-EU")),
            83_000_000.0,
            vec![
                Some(150_000.0),
                Some(250_000.0),
                Some(350_000.0),
                Some(450_000.0),
            ],
            500.0,
        ),
        (
            "ISO-ITA",
            "Italie",
            "world_country",
            world("ITA", "Italy", Some("CONT-EU")),
            59_000_000.0,
            vec![Some(1000.0), Some(2000.0), Some(3000.0), None],
            2000.0,
        ),
        (
            "WORLD",
            "Monde",
            "world",
            world("", "World", None),
            7_900_000_000.0,
            vec![Some(10.0), Some(20.0), Some(30.0), Some(97_561.0)],
            10.0,
        ),
        (
            "CONT-EU",
            "Europe",
            "continent",
            world("", "Europe", None),
            747_000_000.0,
            vec![Some(10.0), Some(20.0), Some(30.0), Some(338_390.0)],
            10.0,
        ),
        (
            "X-DIAMOND-PRINCESS",
            "Diamond Princess",
            "non_country",
            world("", "Diamond Princess", None),
            0.0,
            vec![None, None, None, None],
            0.0,
        ),
    ];
    let mut index = Vec::new();
    for (k, n, level, w, pop, who_values, jhu_step) in terrs {
        let mut indicators = json!({"cases_cum_per_million": {"source:who": who(&who_values), "source:jhu": jhu(jhu_step)}});
        if k == "X-DIAMOND-PRINCESS" {
            indicators = json!({"cases_cum": {"source:jhu": {"start": "2020-02-01", "end": "2020-02-03", "step": "P1D", "values": [600.0, 700.0, 712.0]}}});
        }
        if k == "ISO-FRA" {
            indicators["cases_cum"] =
                json!({"source:who": who(&[Some(1.0), Some(2.0), Some(3.0), Some(38_997_490.0)])});
        }
        write(
            rel,
            &format!("open-data/territories/{k}.json"),
            &json!({"territory": k, "name": n, "level": level, "region": null, "population_insee": pop as u64,
                    "world": w, "population": pop, "population_source": "countries_table", "latest": {},
                    "indicators": indicators})
            .to_string(),
        )?;
        write(
            rel,
            &format!("open-data/territories/{k}.csv"),
            "territory,indicator,breakdown,date,value,data_status\n",
        )?;
        index.push(json!({"territory": k, "name": n, "level": level, "region": null, "population_insee": pop as u64, "world": w}));
    }
    Ok(index)
}
