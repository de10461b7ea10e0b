//! Server-rendered HTML pages, French first (English under `/en`), readable without JavaScript;
//! scripts only enhance them (interactive map, charts, slot search).

use std::fmt::Write;

use serde_json::Value;

use crate::assets;
use crate::i18n::Lang;
use crate::release::{Release, TerritorySummary};
use crate::slots::{SearchParams, SlotFinder};

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// French number: thousands separated by a narrow no-break space, decimal comma.
pub fn fr_number(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    let sign = if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

/// `2020-05-19` → `19/05/2020`.
pub fn fr_date(iso: &str) -> String {
    match (iso.get(0..4), iso.get(5..7), iso.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => iso.to_string(),
    }
}

/// What a page is rendered for.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// The release.
    pub release: &'a Release,
    /// Demonstration data.
    pub demo: bool,
    /// Language.
    pub lang: Lang,
    /// The slot finder, when one is plugged in.
    pub slots: Option<&'a dyn SlotFinder>,
    /// Now (seconds since the epoch), for the age of the slot data; None: not shown.
    pub now: Option<i64>,
    /// Rendered for the static export (the slot search runs in the browser).
    pub export: bool,
}

impl Ctx<'_> {
    fn t<'b>(&self, fr: &'b str, en: &'b str) -> &'b str {
        self.lang.t(fr, en)
    }
    /// A site link in the page's language (`/territoire/FR` → `/en/territoire/FR`).
    fn link(&self, path: &str) -> String {
        match (self.lang, path) {
            (Lang::En, "/") => "/en/".into(),
            (Lang::En, p) => format!("/en{p}"),
            (Lang::Fr, p) => p.into(),
        }
    }
    fn num(&self, v: f64, d: usize) -> String {
        self.lang.number(v, d)
    }
    fn date(&self, iso: &str) -> String {
        self.lang.date(iso)
    }
}

/// The headline indicators of a dashboard: (id, French label, English label, decimals).
pub const KPIS: [(&str, &str, &str, usize); 11] = [
    (
        "incidence_rate_7d",
        "Taux d'incidence (7 jours, pour 100 000 hab.)",
        "Incidence rate (7 days, per 100,000)",
        1,
    ),
    (
        "positivity_rate_7d",
        "Taux de positivité (7 jours, %)",
        "Test positivity (7 days, %)",
        1,
    ),
    (
        "r_effective",
        "Taux de reproduction R",
        "Reproduction number R",
        2,
    ),
    (
        "cases_7d_mean",
        "Cas positifs (moyenne 7 jours)",
        "Positive cases (7-day average)",
        0,
    ),
    ("hosp", "Patients hospitalisés", "Patients in hospital", 0),
    (
        "icu",
        "Patients en réanimation",
        "Patients in intensive care",
        0,
    ),
    (
        "hosp_admissions_7d_mean",
        "Nouvelles hospitalisations (moyenne 7 jours)",
        "New hospital admissions (7-day average)",
        1,
    ),
    (
        "icu_saturation",
        "Saturation des lits de réanimation (%)",
        "ICU bed saturation (%)",
        1,
    ),
    (
        "vaccination_coverage_dose1",
        "Couverture vaccinale, au moins une dose (%)",
        "Vaccination coverage, at least one dose (%)",
        1,
    ),
    (
        "vaccination_coverage_complete",
        "Couverture vaccinale, schéma complet (%)",
        "Vaccination coverage, fully vaccinated (%)",
        1,
    ),
    (
        "vaccination_coverage_booster",
        "Couverture vaccinale, premier rappel (%)",
        "Vaccination coverage, first booster (%)",
        1,
    ),
];

/// Which front-end libraries a page loads.
#[derive(Clone, Copy, Default)]
struct Needs {
    map: bool,
    charts: bool,
}

/// Pages of the site (path without the language prefix, French title, English title), for the
/// navigation and the static export.
pub const NAV: [(&str, &str, &str); 7] = [
    ("/", "Accueil", "Home"),
    ("/territoires", "Territoires", "Territories"),
    ("/vaccination", "Vaccination", "Vaccination"),
    ("/rendez-vous", "Trouver un créneau", "Find a slot"),
    ("/sources", "Sources et fraîcheur", "Sources and freshness"),
    ("/donnees", "Données ouvertes et API", "Open data and API"),
    ("/a-propos", "À propos", "About"),
];

fn layout(ctx: &Ctx<'_>, path: &str, title: &str, needs: Needs, body: &str) -> String {
    let release = ctx.release;
    let mut s = String::with_capacity(body.len() + 4096);
    let _ = write!(
        s,
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} — Vigie</title>\n<link rel=\"icon\" href=\"/assets/{}\" type=\"image/svg+xml\">\n<link rel=\"stylesheet\" href=\"/assets/{}\">\n",
        ctx.lang.code(),
        esc(title),
        assets::icon_path(),
        assets::css_path()
    );
    if needs.map {
        let _ = writeln!(
            s,
            "<link rel=\"stylesheet\" href=\"/assets/vendor/leaflet-{v}/leaflet.css\">\n<script defer src=\"/assets/vendor/leaflet-{v}/leaflet.js\"></script>",
            v = assets::LEAFLET
        );
    }
    if needs.charts {
        let _ = writeln!(
            s,
            "<link rel=\"stylesheet\" href=\"/assets/vendor/uplot-{v}/uPlot.min.css\">\n<script defer src=\"/assets/vendor/uplot-{v}/uPlot.iife.min.js\"></script>",
            v = assets::UPLOT
        );
    }
    let other = ctx.lang.other();
    let other_link = Ctx {
        lang: other,
        ..*ctx
    }
    .link(path);
    let _ = write!(
        s,
        "<script defer src=\"/assets/{}\"></script>\n</head>\n<body>\n<a class=\"skip\" href=\"#contenu\">{}</a>\n<header class=\"site\"><a class=\"brand\" href=\"{}\">Vigie</a><nav aria-label=\"{}\">",
        assets::js_path(),
        ctx.t("Aller au contenu", "Skip to content"),
        ctx.link("/"),
        ctx.t("Navigation principale", "Main navigation"),
    );
    for (p, fr, en) in NAV {
        let current = if p == path {
            " aria-current=\"page\""
        } else {
            ""
        };
        let _ = write!(
            s,
            "<a href=\"{}\"{current}>{}</a>",
            ctx.link(p),
            esc(ctx.t(fr, en))
        );
    }
    let _ = writeln!(
        s,
        "</nav><a class=\"lang\" href=\"{}\" hreflang=\"{}\" lang=\"{}\">{}</a></header>",
        esc(&other_link),
        other.code(),
        other.code(),
        ctx.t("English", "Français")
    );
    if ctx.demo {
        let _ = writeln!(
            s,
            "<p class=\"demo\" role=\"note\">{}</p>",
            ctx.t(
                "Données de démonstration : ces chiffres sont générés par Vigie pour montrer son fonctionnement. Ce ne sont pas des données réelles.",
                "Demonstration data: these figures are generated by Vigie to show how it works. They are not real data."
            )
        );
    }
    let _ = write!(
        s,
        "<main id=\"contenu\" tabindex=\"-1\">\n{body}</main>\n<footer>{} {} · {} {} · <a href=\"{}\">{}</a> · <a href=\"{}\">{}</a> · <a href=\"{}\">{}</a> · {}</footer>\n</body>\n</html>\n",
        ctx.t("Publication", "Release"),
        esc(release.id()),
        ctx.t("données jusqu'au", "data until"),
        esc(&ctx.date(release.manifest["data_until"].as_str().unwrap_or("—"))),
        ctx.link("/sources"),
        ctx.t(
            "d'où viennent ces chiffres ?",
            "where do these figures come from?"
        ),
        ctx.link("/statistiques"),
        ctx.t("statistiques", "statistics"),
        ctx.link("/licences"),
        ctx.t("licences", "licences"),
        ctx.t(
            "Vigie, logiciel libre (Apache-2.0).",
            "Vigie, free software (Apache-2.0)."
        ),
    );
    s
}

fn kpi_cards(ctx: &Ctx<'_>, t: &TerritorySummary, only: Option<&str>) -> String {
    let mut s = String::from("<ul class=\"cards\">\n");
    let mut any = false;
    for (id, fr, en, decimals) in KPIS {
        if only.is_some_and(|p| !id.starts_with(p)) {
            continue;
        }
        let k = &t.latest[id];
        let Some(v) = k["value"].as_f64() else {
            continue;
        };
        any = true;
        let level = k["level"].as_str().unwrap_or("");
        let wording = k[ctx.t("wording_fr", "wording_en")]
            .as_str()
            .or(k["wording_fr"].as_str());
        let _ = write!(
            s,
            "<li class=\"card\"><h3>{}</h3><div class=\"value\">{}</div>{}<div class=\"date\">{} {}{}</div>",
            esc(ctx.t(fr, en)),
            ctx.num(v, decimals),
            wording
                .map(|w| format!(
                    "<div class=\"wording level-{}\">{}</div>",
                    esc(level),
                    esc(w)
                ))
                .unwrap_or_default(),
            ctx.t("au", "on"),
            esc(&ctx.date(k["date"].as_str().unwrap_or(""))),
            k["change_7_days_percent"]
                .as_f64()
                .map(|c| format!(
                    " · {}{} % {}",
                    if c >= 0.0 { "+" } else { "" },
                    ctx.num(c, 1),
                    ctx.t("en 7 jours", "in 7 days")
                ))
                .unwrap_or_default(),
        );
        if let Some(p) = k["projection"].as_object() {
            let target = p
                .get("target_percent")
                .and_then(Value::as_f64)
                .unwrap_or(0.0);
            let tgt = ctx.num(target, 0);
            let when = match p.get("reached_on").and_then(Value::as_str) {
                Some("reached") => match ctx.lang {
                    Lang::Fr => format!("objectif de {tgt} % atteint"),
                    Lang::En => format!("{tgt} % target reached"),
                },
                Some(d) => match ctx.lang {
                    Lang::Fr => format!(
                        "{tgt} % vers le {} au rythme des 14 derniers jours",
                        ctx.date(d)
                    ),
                    Lang::En => format!(
                        "{tgt} % around {} at the pace of the last 14 days",
                        ctx.date(d)
                    ),
                },
                None => match ctx.lang {
                    Lang::Fr => format!("{tgt} % : pas de date au rythme actuel"),
                    Lang::En => format!("{tgt} %: no date at the current pace"),
                },
            };
            let _ = write!(s, "<div class=\"date\">{}</div>", esc(&when));
        }
        s.push_str("</li>\n");
    }
    s.push_str("</ul>\n");
    if any { s } else { String::new() }
}

fn indicator_label<'a>(ctx: &Ctx<'_>, id: &'a str) -> &'a str {
    const LABELS: [(&str, &str, &str); 20] = [
        ("cases", "Cas du jour", "Daily cases"),
        ("cases_7d_mean", "Moyenne 7 jours", "7-day average"),
        ("incidence_rate_7d", "Taux d'incidence", "Incidence rate"),
        (
            "positivity_rate_7d",
            "Taux de positivité (%)",
            "Positivity (%)",
        ),
        ("r_effective", "R", "R"),
        ("hosp", "Hospitalisés", "In hospital"),
        ("icu", "En réanimation", "In intensive care"),
        (
            "hosp_admissions_7d_mean",
            "Hospitalisations (moy. 7 j)",
            "Hospital admissions (7-day avg)",
        ),
        (
            "icu_admissions_7d_mean",
            "Admissions en réanimation (moy. 7 j)",
            "ICU admissions (7-day avg)",
        ),
        ("hosp_deaths", "Décès du jour", "Daily deaths"),
        (
            "hosp_deaths_7d_mean",
            "Décès (moy. 7 j)",
            "Deaths (7-day avg)",
        ),
        ("icu_saturation", "Saturation (%)", "Saturation (%)"),
        (
            "vaccination_dose1_cum",
            "Au moins une dose",
            "At least one dose",
        ),
        (
            "vaccination_complete_cum",
            "Schéma complet",
            "Fully vaccinated",
        ),
        ("vaccination_booster_cum", "Rappel", "Booster"),
        (
            "vaccination_dose1_7d_mean",
            "Premières doses (moy. 7 j)",
            "First doses (7-day avg)",
        ),
        (
            "vaccination_complete_7d_mean",
            "Schémas complétés (moy. 7 j)",
            "Completed (7-day avg)",
        ),
        (
            "vaccination_booster_7d_mean",
            "Rappels (moy. 7 j)",
            "Boosters (7-day avg)",
        ),
        (
            "vaccine_deliveries_doses_cum",
            "Doses livrées (cumul)",
            "Doses delivered (cumulative)",
        ),
        (
            "vaccination_doses_injected_cum",
            "Doses injectées (cumul)",
            "Doses injected (cumulative)",
        ),
    ];
    match id {
        "vaccination_coverage_dose1" => ctx.t("Au moins une dose (%)", "At least one dose (%)"),
        "vaccination_coverage_complete" => ctx.t("Schéma complet (%)", "Fully vaccinated (%)"),
        "vaccination_coverage_booster" => ctx.t("Rappel (%)", "Booster (%)"),
        _ => LABELS
            .iter()
            .find(|(i, _, _)| *i == id)
            .map(|(_, fr, en)| ctx.t(fr, en))
            .unwrap_or(id),
    }
}

fn spec_lang(lang: Lang) -> vigie_contracts::Lang {
    match lang {
        Lang::Fr => vigie_contracts::Lang::Fr,
        Lang::En => vigie_contracts::Lang::En,
    }
}

/// The charts of a territory, each drawn from its chart spec: the SVG, the interactive chart
/// (vigie.js reads the same spec) and the text alternative and data table, with the spec's
/// labels in the spec's order.
fn charts(ctx: &Ctx<'_>, key: &str, only: Option<&str>) -> String {
    use vigie_contracts::chart::SpecKind;
    use vigie_contracts::presentation::ChartPage;
    let release = ctx.release;
    let page = only.map(|_| ChartPage::Vaccination);
    let specs = crate::data::chart_specs(release, key, page);
    if specs.is_empty() {
        return String::new();
    }
    let l = spec_lang(ctx.lang);
    let mut s = format!(
        "<section aria-labelledby=\"graphiques\"><h2 id=\"graphiques\">{}</h2><div class=\"charts\">\n",
        ctx.t("Graphiques", "Charts")
    );
    for spec in &specs {
        let id = &spec.id;
        let title = spec.title.get(l);
        let d = usize::from(spec.decimals);
        let _ = write!(
            s,
            "<figure class=\"chart\" data-chart=\"{id}\" data-spec=\"/charts/{key}/{id}.json\"><img src=\"/charts/{key}/{id}.svg\" alt=\"{}\" loading=\"lazy\" width=\"800\" height=\"400\"><figcaption>{} — <a href=\"/charts/{key}/{id}.svg\">SVG</a> · <a href=\"/charts/{key}/{id}.json\">{}</a></figcaption>",
            esc(title),
            esc(title),
            ctx.t("données (JSON)", "data (JSON)")
        );
        if spec.kind == SpecKind::Bars {
            let _ = write!(
                s,
                "<details><summary>{}</summary><table class=\"chart-table\"><caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
                ctx.t("Tableau des données", "Data table"),
                esc(&format!(
                    "{}{}",
                    title,
                    spec.subtitle
                        .as_ref()
                        .map(|x| format!(" ({})", x.get(l)))
                        .unwrap_or_default()
                )),
                ctx.t("Classe", "Class"),
                esc(spec.unit.as_ref().map_or("", |u| u.get(l)))
            );
            for b in &spec.bars {
                let _ = write!(
                    s,
                    "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr>",
                    esc(b.label.get(l)),
                    b.value.map(|v| ctx.num(v, d)).unwrap_or_else(|| "—".into())
                );
            }
            s.push_str("</tbody></table></details></figure>\n");
            continue;
        }
        let rows = spec.table(7, 12);
        if let Some((date, last)) = rows.last() {
            let summary: Vec<String> = spec
                .series
                .iter()
                .zip(last)
                .filter_map(|(se, v)| v.map(|v| format!("{} : {}", se.label.get(l), ctx.num(v, d))))
                .collect();
            if !summary.is_empty() {
                let _ = write!(
                    s,
                    "<p class=\"alt\">{} {} — {}.</p>",
                    ctx.t("Valeurs au", "Values on"),
                    esc(&ctx.date(date)),
                    esc(&summary.join(" ; "))
                );
            }
        }
        let _ = write!(
            s,
            "<details><summary>{}</summary><table class=\"chart-table\"><caption>{}</caption><thead><tr><th scope=\"col\">{}</th>",
            ctx.t(
                "Tableau des données (12 dernières semaines)",
                "Data table (last 12 weeks)"
            ),
            esc(title),
            ctx.t("Date", "Date")
        );
        for se in &spec.series {
            let _ = write!(s, "<th scope=\"col\">{}</th>", esc(se.label.get(l)));
        }
        s.push_str("</tr></thead><tbody>");
        for (date, values) in &rows {
            let _ = write!(
                s,
                "<tr data-date=\"{}\"><th scope=\"row\">{}</th>",
                esc(date),
                esc(&ctx.date(date))
            );
            for v in values {
                let _ = write!(
                    s,
                    "<td class=\"num\">{}</td>",
                    v.map(|v| ctx.num(v, d)).unwrap_or_else(|| "—".into())
                );
            }
            s.push_str("</tr>");
        }
        s.push_str("</tbody></table></details></figure>\n");
    }
    s.push_str("</div></section>\n");
    s
}

/// The department map: SVG fallback, layer switch, Leaflet host and a table of the values, all
/// from the build's map specs (the static and the interactive map share classes and date).
fn map_section(ctx: &Ctx<'_>, focus: &str, default_layer: &str) -> String {
    let release = ctx.release;
    let l = spec_lang(ctx.lang);
    let layers = crate::data::map_layers(release);
    let Some(first) = layers.first() else {
        return String::new();
    };
    let current = layers
        .iter()
        .find(|m| m.id == default_layer)
        .unwrap_or(first);
    let mut s = format!(
        "<section class=\"map\" aria-labelledby=\"carte\"><h2 id=\"carte\">{}</h2>\n",
        ctx.t("Carte des départements", "Map of the departments")
    );
    let _ = write!(
        s,
        "<fieldset class=\"layers\" id=\"map-layers\" hidden><legend>{}</legend>",
        ctx.t("Indicateur affiché", "Indicator shown")
    );
    for m in &layers {
        let _ = write!(
            s,
            "<label><input type=\"radio\" name=\"layer\" value=\"{}\"{}> {}</label>",
            esc(&m.id),
            if m.id == current.id { " checked" } else { "" },
            esc(m.short.get(l))
        );
    }
    s.push_str("</fieldset>\n");
    let has_geo = crate::data::geo_path(release).is_some();
    let area = if focus.starts_with("DEP-") {
        release.territory(focus).and_then(|t| t.region.as_deref())
    } else {
        Some(focus)
    };
    let members: Vec<&str> = release
        .territories
        .iter()
        .filter(|t| t.region.is_some() && t.region.as_deref() == area)
        .map(|t| t.key.as_str())
        .collect();
    let members = members.join(" ");
    let _ = writeln!(
        s,
        "<div id=\"map\" class=\"leaflet-host\" data-map=\"/api/v1/map\"{} data-focus=\"{}\" data-members=\"{}\" data-layer=\"{}\" data-lang=\"{}\" role=\"region\" aria-label=\"{}\" hidden></div><div id=\"map-legend\" class=\"legend\" aria-live=\"polite\"></div>",
        if has_geo {
            " data-geo=\"/api/v1/geo/departments\""
        } else {
            ""
        },
        esc(focus),
        esc(&members),
        esc(&current.id),
        ctx.lang.code(),
        ctx.t(
            "Carte interactive des départements",
            "Interactive map of the departments"
        )
    );
    let svg = format!("charts/maps/{}.svg", current.id);
    if release.dir.join(&svg).exists() {
        let _ = write!(
            s,
            "<div class=\"map-fallback\"><img src=\"/{svg}\" alt=\"{}\"><p class=\"muted\">{} ",
            esc(&format!(
                "{} — {}, {}",
                ctx.t("Carte des départements", "Map of the departments"),
                current.title.get(l),
                current.subtitle.get(l)
            )),
            ctx.t("Autres cartes :", "Other maps:")
        );
        let others: Vec<String> = layers
            .iter()
            .filter(|m| {
                m.id != current.id
                    && release
                        .dir
                        .join(format!("charts/maps/{}.svg", m.id))
                        .exists()
            })
            .map(|m| {
                format!(
                    "<a href=\"/charts/maps/{}.svg\">{}</a>",
                    esc(&m.id),
                    esc(m.short.get(l))
                )
            })
            .collect();
        s.push_str(&others.join(" · "));
        s.push_str("</p></div>\n");
    }
    // The values as a table: the map's text alternative, at each map's date.
    let region = focus.strip_prefix("REG-").map(|_| focus);
    let _ = write!(
        s,
        "<details><summary>{}</summary><div class=\"scroll\"><table><thead><tr><th scope=\"col\">{}</th>",
        ctx.t(
            "Tableau des valeurs par département",
            "Table of the values per department"
        ),
        ctx.t("Département", "Department")
    );
    for m in &layers {
        let _ = write!(
            s,
            "<th scope=\"col\">{} ({}, {})</th>",
            esc(m.short.get(l)),
            esc(m.unit.get(l)),
            esc(&format!("{} {}", ctx.t("au", "on"), ctx.date(&m.date)))
        );
    }
    s.push_str("</tr></thead><tbody>");
    for t in release.territories.iter().filter(|t| {
        t.level == "department" && region.is_none_or(|r| t.region.as_deref() == Some(r))
    }) {
        let _ = write!(
            s,
            "<tr><th scope=\"row\"><a href=\"{}\" data-dep=\"{}\">{}</a></th>",
            ctx.link(&format!("/territoire/{}", t.key)),
            esc(&t.key),
            esc(&t.name)
        );
        let code = t.key.trim_start_matches("DEP-");
        for m in &layers {
            let v = m.values.get(code);
            let _ = write!(
                s,
                "<td class=\"num\">{}</td>",
                v.map(|v| ctx.num(*v, usize::from(m.decimals)))
                    .unwrap_or_else(|| "—".into())
            );
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div></details></section>\n");
    s
}

fn figures_table(ctx: &Ctx<'_>, t: &TerritorySummary) -> String {
    let mut rows: Vec<(&String, &Value)> = t
        .latest
        .as_object()
        .map(|o| o.iter().collect())
        .unwrap_or_default();
    rows.sort_by(|a, b| a.0.cmp(b.0));
    let mut s = format!(
        "<section aria-labelledby=\"chiffres\"><h2 id=\"chiffres\">{}</h2><div class=\"scroll\"><table><caption class=\"muted\">{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">Date</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>\n",
        ctx.t("Tous les chiffres", "All the figures"),
        ctx.t(
            "Dernière valeur de chaque indicateur et évolution sur 7 jours",
            "Latest value of every indicator and week-over-week change"
        ),
        ctx.t("Indicateur", "Indicator"),
        ctx.t("Valeur", "Value"),
        ctx.t("7 jours avant", "7 days before"),
        ctx.t("Évolution", "Change"),
    );
    for (id, k) in rows {
        let v = k["value"].as_f64().unwrap_or(f64::NAN);
        let _ = writeln!(
            s,
            "<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(id),
            esc(&ctx.date(k["date"].as_str().unwrap_or(""))),
            ctx.num(v, 2),
            k["value_7_days_before"]
                .as_f64()
                .map(|x| ctx.num(x, 2))
                .unwrap_or_else(|| "—".into()),
            k["change_7_days_percent"]
                .as_f64()
                .map(|x| format!("{} %", ctx.num(x, 1)))
                .unwrap_or_else(|| "—".into()),
        );
    }
    s.push_str("</tbody></table></div></section>\n");
    s
}

fn slot_box(ctx: &Ctx<'_>) -> String {
    format!(
        "<section class=\"slot-box\" aria-labelledby=\"rdv\"><h2 id=\"rdv\">{}</h2><form action=\"/rendez-vous\" method=\"get\" role=\"search\"><label for=\"home-q\">{}</label> <input id=\"home-q\" name=\"q\" type=\"search\" autocomplete=\"off\" placeholder=\"{}\"> <button type=\"submit\">{}</button></form></section>\n",
        ctx.t(
            "Trouver un créneau de vaccination",
            "Find a vaccination slot"
        ),
        ctx.t(
            "Commune, code postal ou département",
            "Town, postcode or department"
        ),
        ctx.t("Privas, 07000, 07…", "Privas, 07000, 07…"),
        ctx.t("Chercher", "Search"),
    )
}

/// Home page.
pub fn home(ctx: &Ctx<'_>) -> String {
    let release = ctx.release;
    let mut body = format!(
        "<h1>{}</h1>\n",
        ctx.t("La situation en France", "The situation in France")
    );
    if let Some(fr) = release.territory("FR") {
        body.push_str(&kpi_cards(ctx, fr, None));
    }
    body.push_str(&slot_box(ctx));
    if let Some(fr) = release.territory("FR") {
        let vacc = kpi_cards(ctx, fr, Some("vaccination"));
        if !vacc.is_empty() {
            let _ = writeln!(
                body,
                "<section aria-labelledby=\"vacc\"><h2 id=\"vacc\">{}</h2><p><a href=\"{}\">{}</a></p></section>",
                ctx.t("Vaccination", "Vaccination"),
                ctx.link("/vaccination"),
                ctx.t(
                    "Couverture par dose, âge et territoire, rythme et projections",
                    "Coverage by dose, age and territory, pace and projections"
                )
            );
        }
    }
    body.push_str(&map_section(ctx, "FR", "incidence_rate_7d"));
    body.push_str(&territory_list(ctx));
    layout(
        ctx,
        "/",
        ctx.t("Situation épidémique", "Epidemic situation"),
        Needs {
            map: true,
            charts: false,
        },
        &body,
    )
}

fn territory_list(ctx: &Ctx<'_>) -> String {
    let mut s = format!(
        "<section aria-labelledby=\"territoires\"><h2 id=\"territoires\">{}</h2><ul class=\"territories\">\n",
        ctx.t("Régions et départements", "Regions and departments")
    );
    if ctx.release.territory("FR").is_some() {
        let _ = writeln!(
            s,
            "<li><a href=\"{}\">France</a></li>",
            ctx.link("/territoire/FR")
        );
    }
    for t in ctx
        .release
        .territories
        .iter()
        .filter(|t| t.level == "region")
    {
        let _ = writeln!(
            s,
            "<li><a href=\"{}\">{}</a></li>",
            ctx.link(&format!("/territoire/{}", t.key)),
            esc(&t.name)
        );
    }
    let _ = writeln!(
        s,
        "</ul><p><a href=\"{}\">{}</a></p></section>",
        ctx.link("/territoires"),
        ctx.t("Tous les départements", "Every department")
    );
    s
}

/// List of every territory.
pub fn territories(ctx: &Ctx<'_>) -> String {
    let mut body = format!("<h1>{}</h1>\n", ctx.t("Territoires", "Territories"));
    for (level, fr, en) in [
        ("country", "France", "France"),
        ("region", "Régions", "Regions"),
        ("department", "Départements", "Departments"),
    ] {
        let _ = writeln!(body, "<h2>{}</h2><ul class=\"territories\">", ctx.t(fr, en));
        for t in ctx.release.territories.iter().filter(|t| t.level == level) {
            let code = t.key.split_once('-').map_or("", |x| x.1);
            let _ = writeln!(
                body,
                "<li><a href=\"{}\">{}{}</a></li>",
                ctx.link(&format!("/territoire/{}", t.key)),
                esc(&t.name),
                if code.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", esc(code))
                }
            );
        }
        body.push_str("</ul>\n");
    }
    layout(
        ctx,
        "/territoires",
        ctx.t("Territoires", "Territories"),
        Needs::default(),
        &body,
    )
}

fn territory_selector(ctx: &Ctx<'_>, current: &str) -> String {
    let mut s = format!(
        "<form class=\"selector\" action=\"/territoire\" method=\"get\" data-nav><label for=\"territory-select\">{}</label> <select id=\"territory-select\" name=\"key\">",
        ctx.t("Choisir un territoire", "Choose a territory")
    );
    for t in &ctx.release.territories {
        let code = t
            .key
            .split_once('-')
            .map_or(String::new(), |x| format!(" ({})", x.1));
        let _ = write!(
            s,
            "<option value=\"{}\" data-href=\"{}\"{}>{}{}</option>",
            esc(&t.key),
            ctx.link(&format!("/territoire/{}", t.key)),
            if t.key == current { " selected" } else { "" },
            esc(&t.name),
            esc(&code)
        );
    }
    let _ = writeln!(
        s,
        "</select> <button type=\"submit\">{}</button></form>",
        ctx.t("Voir", "Show")
    );
    s
}

/// Dashboard of one territory.
pub fn dashboard(ctx: &Ctx<'_>, t: &TerritorySummary) -> String {
    let release = ctx.release;
    let mut body = format!("<h1>{}</h1>\n", esc(&t.name));
    body.push_str(&territory_selector(ctx, &t.key));
    let mut nav = Vec::new();
    if t.level != "country" && release.territory("FR").is_some() {
        nav.push(format!(
            "<a href=\"{}\">France</a>",
            ctx.link("/territoire/FR")
        ));
    }
    if let Some(region) = t.region.as_deref().and_then(|r| release.territory(r)) {
        nav.push(format!(
            "{} <a href=\"{}\">{}</a>",
            ctx.t("Région :", "Region:"),
            ctx.link(&format!("/territoire/{}", region.key)),
            esc(&region.name)
        ));
    }
    if !nav.is_empty() {
        let _ = writeln!(
            body,
            "<nav class=\"crumbs\" aria-label=\"{}\">{}</nav>",
            ctx.t("Territoires parents", "Parent territories"),
            nav.join(" · ")
        );
    }
    let related: Vec<&TerritorySummary> = match t.level.as_str() {
        "department" => release
            .territories
            .iter()
            .filter(|c| c.key != t.key && c.region.is_some() && c.region == t.region)
            .collect(),
        "region" => release
            .territories
            .iter()
            .filter(|c| c.region.as_deref() == Some(t.key.as_str()))
            .collect(),
        _ => release
            .territories
            .iter()
            .filter(|c| c.level == "region")
            .collect(),
    };
    if !related.is_empty() {
        let title = match t.level.as_str() {
            "department" => ctx.t(
                "Autres départements de la région",
                "Other departments of the region",
            ),
            "region" => ctx.t("Départements", "Departments"),
            _ => ctx.t("Régions", "Regions"),
        };
        let links: Vec<String> = related
            .iter()
            .map(|c| {
                format!(
                    "<a href=\"{}\">{}</a>",
                    ctx.link(&format!("/territoire/{}", c.key)),
                    esc(&c.name)
                )
            })
            .collect();
        let _ = writeln!(
            body,
            "<nav class=\"related\" aria-label=\"{}\"><strong>{}</strong> : {}</nav>",
            esc(title),
            esc(title),
            links.join(", ")
        );
    }
    body.push_str(&kpi_cards(ctx, t, None));
    body.push_str(&map_section(ctx, &t.key, "incidence_rate_7d"));
    body.push_str(&charts(ctx, &t.key, None));
    body.push_str(&figures_table(ctx, t));
    if let (Some(p), Some(src)) = (t.population, t.population_source.as_deref()) {
        let src = if src == "source_file" {
            ctx.t(
                "population du fichier source (Santé publique France)",
                "population of the source file (Santé publique France)",
            )
        } else {
            ctx.t(
                "population INSEE intégrée à Vigie",
                "INSEE population embedded in Vigie",
            )
        };
        let _ = writeln!(
            body,
            "<p class=\"muted\">{} {} ({src}).</p>",
            ctx.t(
                "Population utilisée pour les taux :",
                "Population used for the rates:"
            ),
            ctx.num(p, 0)
        );
    }
    layout(
        ctx,
        &format!("/territoire/{}", t.key),
        &t.name,
        Needs {
            map: true,
            charts: true,
        },
        &body,
    )
}

/// Vaccination: coverage by dose and territory, pace, deliveries, projections.
pub fn vaccination(ctx: &Ctx<'_>) -> String {
    let release = ctx.release;
    let mut body = format!("<h1>{}</h1>\n", ctx.t("Vaccination", "Vaccination"));
    let cards = release
        .territory("FR")
        .map(|fr| kpi_cards(ctx, fr, Some("vaccination")))
        .unwrap_or_default();
    if cards.is_empty() {
        let _ = writeln!(
            body,
            "<p>{}</p>",
            ctx.t(
                "Cette publication ne contient pas encore de données de vaccination.",
                "This release has no vaccination data yet."
            )
        );
    } else {
        body.push_str(&cards);
        body.push_str(&map_section(ctx, "FR", "vaccination_coverage_dose1"));
        body.push_str(&charts(ctx, "FR", Some("vaccination")));
        let _ = write!(
            body,
            "<section aria-labelledby=\"couv\"><h2 id=\"couv\">{}</h2><div class=\"scroll\"><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            ctx.t("Couverture par territoire", "Coverage by territory"),
            ctx.t("Territoire", "Territory"),
            indicator_label(ctx, "vaccination_coverage_dose1"),
            indicator_label(ctx, "vaccination_coverage_complete"),
            indicator_label(ctx, "vaccination_coverage_booster"),
        );
        for t in &release.territories {
            let cell = |id: &str| {
                t.latest[id]["value"]
                    .as_f64()
                    .map(|v| ctx.num(v, 1))
                    .unwrap_or_else(|| "—".into())
            };
            let _ = write!(
                body,
                "<tr><th scope=\"row\"><a href=\"{}\">{}</a></th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                ctx.link(&format!("/territoire/{}", t.key)),
                esc(&t.name),
                cell("vaccination_coverage_dose1"),
                cell("vaccination_coverage_complete"),
                cell("vaccination_coverage_booster")
            );
        }
        body.push_str("</tbody></table></div></section>\n");
    }
    layout(
        ctx,
        "/vaccination",
        ctx.t("Vaccination", "Vaccination"),
        Needs {
            map: true,
            charts: true,
        },
        &body,
    )
}

/// Sources and freshness.
pub fn sources(ctx: &Ctx<'_>) -> String {
    let release = ctx.release;
    let mut body = format!(
        "<h1>{}</h1>\n",
        ctx.t(
            "Sources et fraîcheur des données",
            "Sources and freshness of the data"
        )
    );
    let last = &release.status["last_build"];
    if last["state"] == "refused" {
        let failures: Vec<String> = last["gate"]["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["passed"] == false)
            .map(|c| {
                format!(
                    "{} : {}",
                    c["check"].as_str().unwrap_or(""),
                    c["detail"].as_str().unwrap_or("")
                )
            })
            .collect();
        let _ = writeln!(
            body,
            "<div class=\"stale\" role=\"alert\"><p><strong>{} ({})</strong> {}</p><ul>{}</ul></div>",
            ctx.t(
                "La dernière mise à jour a été refusée par le contrôle de publication",
                "The last update was refused by the publication gate"
            ),
            esc(last["release_id"].as_str().unwrap_or("")),
            ctx.t(
                "; la publication précédente reste en ligne.",
                "; the previous release stays online."
            ),
            failures
                .iter()
                .map(|f| format!("<li>{}</li>", esc(f)))
                .collect::<String>()
        );
    }
    let _ = writeln!(
        body,
        "<p>{} <a href=\"/open-data/data-dictionary.md\">{}</a>.</p>\n<div class=\"scroll\"><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">SHA-256</th></tr></thead><tbody>",
        ctx.t(
            "Chaque chiffre vient des fichiers ci-dessous, identifiés par leur empreinte SHA-256. Les formules sont décrites dans le",
            "Every figure comes from the files below, identified by their SHA-256 hash. The formulas are described in the"
        ),
        ctx.t("dictionnaire des données", "data dictionary"),
        ctx.t("Fichier", "File"),
        ctx.t("Jeu de données", "Dataset"),
        ctx.t("Période", "Period"),
        ctx.t("Lignes", "Rows"),
    );
    for f in release.sources["files"].as_array().into_iter().flatten() {
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{} → {}</td><td class=\"num\">{}</td><td><code>{}</code></td></tr>",
            esc(f["file"].as_str().unwrap_or("")),
            esc(f["title"].as_str().or(f["source"].as_str()).unwrap_or("")),
            esc(&ctx.date(f["first_date"].as_str().unwrap_or("—"))),
            esc(&ctx.date(f["last_date"].as_str().unwrap_or("—"))),
            f["rows"]
                .as_f64()
                .map(|r| ctx.num(r, 0))
                .unwrap_or_default(),
            esc(f["sha256"]
                .as_str()
                .map(|s| &s[..s.len().min(16)])
                .unwrap_or("")),
        );
    }
    body.push_str("</tbody></table></div>\n");
    let _ = writeln!(
        body,
        "<p>{} <code>{}</code> {} {}.</p>",
        ctx.t("Publication", "Release"),
        esc(release.id()),
        ctx.t("construite le", "built at"),
        esc(release.manifest["built_at"].as_str().unwrap_or(""))
    );
    if let Some(status) = ctx.slots.and_then(SlotFinder::status) {
        let _ = write!(
            body,
            "<h2>{}</h2><p>{} {}</p><ul>",
            ctx.t("Créneaux de vaccination", "Vaccination slots"),
            ctx.t("Dernier relevé :", "Last scan:"),
            esc(status["generated_at"].as_str().unwrap_or("—"))
        );
        for p in status["platforms"].as_array().into_iter().flatten() {
            let _ = write!(
                body,
                "<li>{} : {}</li>",
                esc(p["name"].as_str().unwrap_or("")),
                esc(p["status"].as_str().unwrap_or(""))
            );
        }
        body.push_str("</ul>\n");
    }
    layout(
        ctx,
        "/sources",
        ctx.t("Sources", "Sources"),
        Needs::default(),
        &body,
    )
}

/// Open data and API documentation (the endpoints come from the OpenAPI document).
pub fn open_data(ctx: &Ctx<'_>) -> String {
    let mut body = format!(
        "<h1>{}</h1>\n<ul>\n<li><a href=\"/open-data/indicators.csv\">indicators.csv</a> — {} (<code>territory,indicator,breakdown,date,value</code>)</li>\n<li><a href=\"/open-data/data-dictionary.md\">{}</a> (<a href=\"/open-data/data-dictionary.json\">JSON</a>)</li>\n<li><a href=\"/open-data/sources.json\">{}</a> · <a href=\"/open-data/checks.json\">{}</a></li>\n</ul>\n<h2>{}</h2>\n<p>{} <a href=\"/api/openapi.json\">OpenAPI 3</a>. {}</p>\n<div class=\"scroll\"><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>\n",
        ctx.t("Données ouvertes et API", "Open data and API"),
        ctx.t("tous les indicateurs", "every indicator"),
        ctx.t("Dictionnaire des données", "Data dictionary"),
        ctx.t("Provenance des fichiers", "Provenance of the files"),
        ctx.t("contrôles de cohérence", "consistency checks"),
        ctx.t("API JSON", "JSON API"),
        ctx.t("Description complète :", "Full description:"),
        ctx.t(
            "Lecture seule, CORS ouvert, ETag et réponses compressées.",
            "Read-only, open CORS, ETag and compressed answers."
        ),
        ctx.t("Requête", "Request"),
        ctx.t("Description", "Description"),
    );
    for (method, path, summary) in crate::api::endpoints() {
        let _ = writeln!(
            body,
            "<tr><td><code>{} {}</code></td><td>{}</td></tr>",
            esc(&method),
            esc(&path),
            esc(&summary)
        );
    }
    let _ = writeln!(
        body,
        "</tbody></table></div>\n<p>{}</p>",
        ctx.t(
            "Licence des données : Licence Ouverte 2.0 (Etalab), comme les données sources.",
            "Data licence: Licence Ouverte 2.0 (Etalab), like the source data."
        )
    );
    layout(
        ctx,
        "/donnees",
        ctx.t("Données ouvertes", "Open data"),
        Needs::default(),
        &body,
    )
}

/// Statistics of the release.
pub fn statistics(ctx: &Ctx<'_>) -> String {
    let m = &ctx.release.manifest;
    let mut body = format!(
        "<h1>{}</h1>\n<dl class=\"stats\">",
        ctx.t("Statistiques de la publication", "Release statistics")
    );
    for (key, fr, en) in [
        ("files_used", "Fichiers sources lus", "Source files read"),
        ("rows_read", "Lignes lues", "Rows read"),
        (
            "indicator_rows",
            "Valeurs d'indicateurs publiées",
            "Indicator values published",
        ),
        ("groups", "Séries calculées", "Series computed"),
        ("charts", "Graphiques", "Charts"),
        ("violations_total", "Valeurs rejetées", "Values rejected"),
    ] {
        if let Some(v) = m[key].as_f64() {
            let _ = write!(
                body,
                "<dt>{}</dt><dd>{}</dd>",
                esc(ctx.t(fr, en)),
                ctx.num(v, 0)
            );
        }
    }
    let _ = writeln!(
        body,
        "<dt>{}</dt><dd>{}</dd></dl>",
        ctx.t("Territoires", "Territories"),
        ctx.num(ctx.release.territories.len() as f64, 0)
    );
    let history = ctx.slots.and_then(|f| f.history(None));
    let points: Vec<&Value> = history
        .as_ref()
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    if !points.is_empty() {
        body.push_str(&slot_history(ctx, &points));
    }
    layout(
        ctx,
        "/statistiques",
        ctx.t("Statistiques", "Statistics"),
        Needs {
            map: false,
            charts: !points.is_empty(),
        },
        &body,
    )
}

/// At most this many scans are listed in the history table (the chart draws them all).
const HISTORY_ROWS: usize = 48;

/// "Slots over time": a uPlot chart drawn by the script from the API, and the table of the
/// last scans (the chart's text alternative, and the whole content without JavaScript).
fn slot_history(ctx: &Ctx<'_>, points: &[&Value]) -> String {
    let mut s = format!(
        "<section aria-labelledby=\"creneaux\"><h2 id=\"creneaux\">{}</h2><figure class=\"chart slot-history\" data-history=\"/api/v1/slots/history\"><figcaption>{}</figcaption>",
        ctx.t("Créneaux au fil du temps", "Slots over time"),
        ctx.t(
            "Créneaux disponibles et lieux avec des créneaux, à chaque relevé des plateformes (France).",
            "Available slots and places with slots, at each scan of the platforms (France)."
        ),
    );
    let _ = write!(
        s,
        "<div class=\"scroll\"><table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        esc(&match ctx.lang {
            Lang::Fr => format!("{} derniers relevés", points.len().min(HISTORY_ROWS)),
            Lang::En => format!("Last {} scans", points.len().min(HISTORY_ROWS)),
        }),
        ctx.t("Relevé", "Scan"),
        ctx.t("Créneaux", "Slots"),
        ctx.t("Lieux avec des créneaux", "Places with slots"),
        ctx.t("Lieux", "Places"),
    );
    for p in points.iter().rev().take(HISTORY_ROWS) {
        let time = p["time"].as_str().unwrap_or("");
        let cell = |k: &str| {
            p[k].as_f64()
                .map(|v| ctx.num(v, 0))
                .unwrap_or_else(|| "—".into())
        };
        let _ = write!(
            s,
            "<tr><th scope=\"row\"><time datetime=\"{}\">{}</time></th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(time),
            esc(&slot_time(time, ctx.lang).unwrap_or_else(|| time.to_string())),
            cell("slots"),
            cell("centres_with_slots"),
            cell("centres"),
        );
    }
    s.push_str("</tbody></table></div></figure></section>\n");
    s
}

/// About.
pub fn about(ctx: &Ctx<'_>) -> String {
    let body = match ctx.lang {
        Lang::Fr => {
            "<h1>À propos</h1>\n<p>Vigie publie les indicateurs officiels de l'épidémie de Covid-19 et de la vaccination en France (Santé publique France, INSEE) : taux d'incidence, positivité, hospitalisations, réanimations, décès, couverture vaccinale, et aide à trouver un créneau de vaccination. C'est le successeur libre et auto-hébergeable de CovidTracker, VaccinTracker et ViteMaDose.</p>\n<p>Chaque chiffre est traçable jusqu'au fichier source (voir <a href=\"/sources\">sources</a>). Les pages fonctionnent sans JavaScript ; la carte et les graphiques interactifs l'utilisent quand il est disponible.</p>\n<p>Code source sous licence Apache-2.0.</p>\n"
        }
        Lang::En => {
            "<h1>About</h1>\n<p>Vigie publishes the official indicators of the Covid-19 epidemic and of vaccination in France (Santé publique France, INSEE): incidence, positivity, hospital and intensive care, deaths, vaccination coverage, and helps find a vaccination slot. It is the free, self-hostable successor of CovidTracker, VaccinTracker and ViteMaDose.</p>\n<p>Every figure can be traced back to its source file (see <a href=\"/en/sources\">sources</a>). The pages work without JavaScript; the map and the interactive charts use it when available.</p>\n<p>Source code under the Apache-2.0 licence.</p>\n"
        }
    };
    layout(
        ctx,
        "/a-propos",
        ctx.t("À propos", "About"),
        Needs::default(),
        body,
    )
}

/// Licences of the software and data shipped with the pages.
pub fn licences(ctx: &Ctx<'_>) -> String {
    let mut body = format!(
        "<h1>{}</h1>\n<ul>\n<li>Vigie — Apache-2.0</li>\n<li>Leaflet {} — BSD-2-Clause — <a href=\"/assets/vendor/leaflet-{}/LICENSE\">LICENSE</a></li>\n<li>uPlot {} — MIT — <a href=\"/assets/vendor/uplot-{}/LICENSE\">LICENSE</a></li>\n<li>{}</li>\n<li>{}</li>\n</ul>\n",
        ctx.t("Licences", "Licences"),
        assets::LEAFLET,
        assets::LEAFLET,
        assets::UPLOT,
        assets::UPLOT,
        ctx.t(
            "Contours des départements : france-geojson (IGN Admin Express, INSEE COG), Licence Ouverte",
            "Department outlines: france-geojson (IGN Admin Express, INSEE COG), Licence Ouverte"
        ),
        ctx.t(
            "Données : Santé publique France, INSEE, Etalab — Licence Ouverte 2.0",
            "Data: Santé publique France, INSEE, Etalab — Licence Ouverte 2.0"
        ),
    );
    for a in assets::VENDORED
        .iter()
        .filter(|a| a.path.ends_with("LICENSE"))
    {
        let _ = writeln!(
            body,
            "<details><summary>{}</summary><pre>{}</pre></details>",
            esc(a.path),
            esc(&String::from_utf8_lossy(a.bytes))
        );
    }
    layout(
        ctx,
        "/licences",
        ctx.t("Licences", "Licences"),
        Needs::default(),
        &body,
    )
}

/// Weekday of a civil date (0 = Sunday), Sakamoto's method.
fn weekday(y: i64, m: i64, d: i64) -> usize {
    const T: [i64; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if m < 3 { y - 1 } else { y };
    let i = usize::try_from(m - 1).unwrap_or(0).min(11);
    usize::try_from((y + y / 4 - y / 100 + y / 400 + T[i] + d).rem_euclid(7)).unwrap_or(0)
}

/// Days since 1970-01-01 of a civil date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil(iso: &str) -> Option<(i64, i64, i64)> {
    let y = iso.get(0..4)?.parse().ok()?;
    let m: i64 = iso.get(5..7)?.parse().ok()?;
    let d: i64 = iso.get(8..10)?.parse().ok()?;
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

const FR_DAYS: [&str; 7] = ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."];
const EN_DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const FR_MONTHS: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];
const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A day of the picker: `2026-11-30` → `lun. 30 nov.` (French) or `Mon 30 Nov`.
pub fn short_day(iso: &str, lang: Lang) -> String {
    let Some((y, m, d)) = civil(iso) else {
        return iso.to_string();
    };
    let w = weekday(y, m, d);
    let mi = usize::try_from(m - 1).unwrap_or(0);
    match lang {
        Lang::Fr => format!("{} {d} {}", FR_DAYS[w], FR_MONTHS[mi]),
        Lang::En => format!("{} {d} {}", EN_DAYS[w], EN_MONTHS[mi]),
    }
}

/// A slot time in the centre's own local time (the wall clock of the RFC 3339 string):
/// `2026-11-30T09:15:00+01:00` → `lun. 30 nov. à 09:15` (French) or `Mon 30 Nov at 09:15`.
pub fn slot_time(iso: &str, lang: Lang) -> Option<String> {
    civil(iso)?;
    let hm = iso
        .get(11..16)
        .filter(|t| t.as_bytes().get(2) == Some(&b':'))?;
    Some(format!(
        "{} {} {hm}",
        short_day(iso, lang),
        lang.t("à", "at")
    ))
}

/// Seconds since the epoch of an RFC 3339 time (`Z` or `±hh:mm`).
pub fn unix_seconds(iso: &str) -> Option<i64> {
    let (y, m, d) = civil(iso)?;
    let h: i64 = iso.get(11..13)?.parse().ok()?;
    let mi: i64 = iso.get(14..16)?.parse().ok()?;
    let sec: i64 = iso.get(17..19)?.parse().ok()?;
    let rest = iso.get(19..)?;
    let rest = rest.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    let offset = if rest == "Z" || rest == "z" {
        0
    } else {
        let sign = match rest.get(0..1)? {
            "+" => 1,
            "-" => -1,
            _ => return None,
        };
        let oh: i64 = rest.get(1..3)?.parse().ok()?;
        let om: i64 = rest.get(4..6)?.parse().ok()?;
        sign * (oh * 3600 + om * 60)
    };
    Some(days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

/// "mis à jour il y a 12 min" from the scan time and now (seconds since the epoch).
pub fn data_age(generated_at: &str, now: i64, lang: Lang) -> Option<String> {
    let min = ((now - unix_seconds(generated_at)?) / 60).max(0);
    Some(match (lang, min) {
        (Lang::Fr, m) if m < 60 => format!("mis à jour il y a {m} min"),
        (Lang::En, m) if m < 60 => format!("updated {m} min ago"),
        (Lang::Fr, m) => format!("mis à jour il y a {} h {:02} min", m / 60, m % 60),
        (Lang::En, m) => format!("updated {} h {:02} min ago", m / 60, m % 60),
    })
}

/// Distance with one decimal under 10 km, whole kilometres beyond.
pub fn distance(km: f64, lang: Lang) -> String {
    let d = if km < 10.0 { 1 } else { 0 };
    format!("{}\u{a0}km", lang.number(km, d))
}

/// `+33475000000` → `04 75 00 00 00`; other numbers as given.
pub fn phone_display(p: &str) -> String {
    let digits: String = p.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.strip_prefix("33") {
        Some(rest) if p.starts_with('+') && rest.len() == 9 => format!("0{rest}"),
        _ if digits.len() == 10 && digits.starts_with('0') => digits,
        _ => return p.to_string(),
    };
    national
        .as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Display name of a platform slug.
fn platform_name(slug: &str, status: Option<&Value>) -> String {
    status
        .and_then(|s| s["platforms"].as_array())
        .and_then(|a| a.iter().find(|p| p["platform"] == slug))
        .and_then(|p| p["name"].as_str())
        .unwrap_or(slug)
        .to_string()
}

/// Percent-encodes a query value.
fn qenc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The query string of a search (without the day).
fn search_query(q: &SearchParams) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("commune", &q.commune),
        ("postcode", &q.postcode),
        ("department", &q.department),
        ("tag", &q.tag),
        ("vaccine", &q.vaccine),
        ("platform", &q.platform),
        ("type", &q.kind),
        ("q", &q.q),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", qenc(v)));
        }
    }
    if let Some(r) = q.radius_km {
        parts.push(format!("radius_km={r}"));
    }
    parts.join("&")
}

/// The slot finder: a search form that works without JavaScript, the results rendered by the
/// server, and a script adding autocomplete, the day picker, a map view and, in the static
/// export, the search itself.
pub fn slots(ctx: &Ctx<'_>, q: &SearchParams) -> String {
    let mut body = format!(
        "<h1>{}</h1>\n<form class=\"slot-form\" action=\"/rendez-vous\" method=\"get\" role=\"search\" id=\"slot-form\" data-lang=\"{}\"",
        ctx.t("Trouver un créneau", "Find a slot"),
        ctx.lang.code()
    );
    if ctx.export {
        // The static export has no server: the script searches the per-department files.
        body.push_str(
            " data-mode=\"static\" data-status=\"/data/slots/status.json\" data-index=\"/data/slots/index.json\">\n",
        );
    } else {
        body.push_str(
            " data-mode=\"api\" data-places=\"/api/v1/places\" data-search=\"/api/v1/slots/search\" data-status=\"/api/v1/slots/status\">\n",
        );
    }
    let val = |s: &Option<String>| esc(s.as_deref().unwrap_or(""));
    let _ = write!(
        body,
        "<div class=\"field ac\"><label for=\"slot-q\">{}</label><input id=\"slot-q\" name=\"q\" type=\"search\" value=\"{}\" autocomplete=\"off\" role=\"combobox\" aria-autocomplete=\"list\" aria-expanded=\"false\" aria-controls=\"slot-q-list\"><ul id=\"slot-q-list\" role=\"listbox\" aria-label=\"{}\" hidden></ul></div>\n<div class=\"field\"><label for=\"slot-postcode\">{}</label><input id=\"slot-postcode\" name=\"postcode\" inputmode=\"numeric\" pattern=\"[0-9]{{5}}\" value=\"{}\" size=\"6\"></div>\n<div class=\"field\"><label for=\"slot-department\">{}</label><input id=\"slot-department\" name=\"department\" value=\"{}\" size=\"4\"></div>\n<input type=\"hidden\" name=\"commune\" id=\"slot-commune\" value=\"{}\">\n",
        ctx.t(
            "Commune, code postal ou département",
            "Town, postcode or department"
        ),
        val(&q.q),
        ctx.t("Suggestions", "Suggestions"),
        ctx.t("Code postal", "Postcode"),
        val(&q.postcode),
        ctx.t("ou département", "or department"),
        val(&q.department),
        val(&q.commune),
    );
    let _ = write!(
        body,
        "<div class=\"field\"><label for=\"slot-tag\">{}</label><select id=\"slot-tag\" name=\"tag\">",
        ctx.t("Dose", "Dose")
    );
    let tag = q.tag.as_deref().unwrap_or("all");
    for (id, fr, en) in crate::slots::TAGS {
        let _ = write!(
            body,
            "<option value=\"{id}\"{}>{}</option>",
            if id == tag { " selected" } else { "" },
            esc(ctx.t(fr, en))
        );
    }
    let _ = write!(
        body,
        "</select></div>\n<div class=\"field\"><label for=\"slot-radius\">{}</label><select id=\"slot-radius\" name=\"radius_km\">",
        ctx.t("Distance", "Distance")
    );
    let radius = q.radius_km.unwrap_or(50.0);
    for r in crate::slots::RADII {
        let _ = write!(
            body,
            "<option value=\"{r}\"{}>{r} km</option>",
            if (f64::from(r) - radius).abs() < 0.5 {
                " selected"
            } else {
                ""
            }
        );
    }
    let _ = write!(
        body,
        "</select></div>\n<button type=\"submit\">{}</button>\n</form>\n",
        ctx.t("Chercher", "Search")
    );
    let views = format!(
        "<div id=\"slot-views\" class=\"views\" role=\"group\" aria-label=\"{}\" hidden><button type=\"button\" data-view=\"list\" aria-pressed=\"true\">{}</button><button type=\"button\" data-view=\"map\" aria-pressed=\"false\">{}</button></div>\n",
        ctx.t("Affichage", "View"),
        ctx.t("Liste", "List"),
        ctx.t("Carte", "Map"),
    );
    let geo = if crate::data::geo_path(ctx.release).is_some() {
        " data-geo=\"/api/v1/geo/departments\""
    } else {
        ""
    };
    let map_label = ctx.t(
        "Carte des lieux de vaccination",
        "Map of the vaccination places",
    );
    if ctx.export {
        body.push_str("<div id=\"slot-meta\" aria-live=\"polite\"></div>\n");
        body.push_str(&views);
        let _ = write!(
            body,
            "<nav id=\"slot-days\" class=\"days\" hidden></nav>\n<div id=\"slot-map\" class=\"leaflet-host\"{geo} role=\"region\" aria-label=\"{map_label}\" hidden></div>\n<section id=\"slot-results\" aria-live=\"polite\"><noscript><p class=\"notice\">"
        );
        body.push_str(ctx.t(
            "Cette copie statique du site cherche les créneaux dans votre navigateur : JavaScript est nécessaire.",
            "This static copy of the site searches slots in your browser: JavaScript is needed.",
        ));
        body.push_str("</p></noscript></section>\n");
        return layout(
            ctx,
            "/rendez-vous",
            ctx.t("Trouver un créneau", "Find a slot"),
            Needs {
                map: true,
                charts: false,
            },
            &body,
        );
    }
    let Some(finder) = ctx.slots else {
        let _ = writeln!(
            body,
            "<p class=\"notice\" id=\"slot-nodata\">{}</p>",
            ctx.t(
                "La recherche de créneaux n'a pas encore de données : aucun relevé des plateformes de réservation n'est chargé.",
                "The slot finder has no data yet: no scan of the booking platforms is loaded."
            )
        );
        return layout(
            ctx,
            "/rendez-vous",
            ctx.t("Trouver un créneau", "Find a slot"),
            Needs::default(),
            &body,
        );
    };
    let mut q = q.clone();
    if !q.has_place()
        && let Some(text) = q.q.as_deref().filter(|t| !t.trim().is_empty())
        && let Some(first) = finder.places(text, 1).as_array().and_then(|a| a.first())
    {
        let code = first["code"].as_str().map(String::from);
        match first["kind"].as_str() {
            Some("postcode") => q.postcode = code,
            Some("department") => q.department = code,
            _ => q.commune = code,
        }
    }
    let mut results = String::new();
    let mut meta = String::new();
    let mut days = String::new();
    if q.has_place() {
        match finder.search(&q) {
            Ok(res) => {
                let status = finder.status();
                meta = slot_meta(ctx, &res, status.as_ref());
                let day = q.day.as_deref().filter(|d| {
                    res["days"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|x| x == d))
                });
                days = day_picker(ctx, &res, &q, day);
                results = slot_results(ctx, &res, day);
            }
            Err(e) => {
                let _ = write!(
                    results,
                    "<p class=\"stale\" role=\"alert\">{}</p>",
                    esc(&e.to_string())
                );
            }
        }
    }
    if days.is_empty() {
        days = "<nav id=\"slot-days\" class=\"days\" hidden></nav>\n".into();
    }
    let _ = write!(
        body,
        "<div id=\"slot-meta\" aria-live=\"polite\">{meta}</div>\n{views}{days}<div id=\"slot-map\" class=\"leaflet-host\"{geo} role=\"region\" aria-label=\"{map_label}\" hidden></div>\n<section id=\"slot-results\" aria-live=\"polite\">{results}</section>\n"
    );
    layout(
        ctx,
        "/rendez-vous",
        ctx.t("Trouver un créneau", "Find a slot"),
        Needs {
            map: true,
            charts: false,
        },
        &body,
    )
}

/// Age of the data and the banner of platforms whose centres come from an earlier scan.
fn slot_meta(ctx: &Ctx<'_>, res: &Value, status: Option<&Value>) -> String {
    let mut s = String::new();
    let generated = res["generated_at"].as_str().unwrap_or("");
    let age = ctx
        .now
        .and_then(|now| data_age(generated, now, ctx.lang))
        .unwrap_or_default();
    let _ = write!(
        s,
        "<p id=\"slot-age\" class=\"muted\" data-generated=\"{}\">{}</p>",
        esc(generated),
        esc(&age)
    );
    let stale: Vec<String> = res["stale_platforms"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let name = platform_name(p["platform"].as_str().unwrap_or(""), status);
            let since = p["stale_since"]
                .as_str()
                .and_then(|t| slot_time(t, ctx.lang))
                .unwrap_or_else(|| "—".into());
            match ctx.lang {
                Lang::Fr => format!("données de {name} datant de {since}"),
                Lang::En => format!("{name} data from {since}"),
            }
        })
        .collect();
    if !stale.is_empty() {
        let _ = write!(
            s,
            "<p class=\"stale\" id=\"slot-stale\" role=\"status\">{} {}.</p>",
            ctx.t(
                "Certaines plateformes n'ont pas pu être relues : ",
                "Some platforms could not be read again: "
            ),
            esc(&stale.join(" ; "))
        );
    }
    s
}

/// Matching slots of a centre on `day` (all days when None).
fn centre_count(c: &Value, day: Option<&str>) -> u64 {
    match day {
        None => c["matching_slots"].as_u64().unwrap_or(0),
        Some(d) => c["daily_matching"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|x| x["date"] == d)
            .and_then(|x| x["count"].as_u64())
            .unwrap_or(0),
    }
}

/// The day picker: every day of the scan with its matching slots; links without JavaScript.
fn day_picker(ctx: &Ctx<'_>, res: &Value, q: &SearchParams, day: Option<&str>) -> String {
    let days: Vec<&str> = res["days"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if days.is_empty() {
        return String::new();
    }
    let centres: Vec<&Value> = res["centres"].as_array().into_iter().flatten().collect();
    let base = format!("{}?{}", ctx.link("/rendez-vous"), search_query(q));
    let total: u64 = centres.iter().map(|c| centre_count(c, None)).sum();
    let mut s = format!(
        "<nav id=\"slot-days\" class=\"days\" aria-label=\"{}\"><a href=\"{}\" data-day=\"\"{}>{} <span class=\"n\">{}</span></a>",
        ctx.t("Jour du rendez-vous", "Day of the appointment"),
        esc(&base),
        if day.is_none() {
            " aria-current=\"true\""
        } else {
            ""
        },
        ctx.t("Tous les jours", "All days"),
        ctx.num(total as f64, 0)
    );
    for d in days {
        let n: u64 = centres.iter().map(|c| centre_count(c, Some(d))).sum();
        let _ = write!(
            s,
            "<a href=\"{}\" data-day=\"{d}\"{}>{} <span class=\"n\">{}</span></a>",
            esc(&format!("{base}&day={d}")),
            if day == Some(d) {
                " aria-current=\"true\""
            } else {
                ""
            },
            esc(&short_day(d, ctx.lang)),
            ctx.num(n as f64, 0)
        );
    }
    s.push_str("</nav>\n");
    s
}

fn slot_results(ctx: &Ctx<'_>, res: &Value, day: Option<&str>) -> String {
    let mut centres: Vec<(&Value, u64)> = res["centres"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| (c, centre_count(c, day)))
        .collect();
    // The API's order; with a day picked, the centres with slots that day first (stable).
    if day.is_some() {
        centres.sort_by_key(|(_, n)| *n == 0);
    }
    let with = centres.iter().filter(|(_, n)| *n > 0).count();
    let slots: u64 = centres.iter().map(|(_, n)| n).sum();
    let mut s = format!(
        "<h2>{} — {}</h2><p class=\"count\">{}</p><ol class=\"centres\">",
        ctx.t("Résultats", "Results"),
        esc(res["query"]["label"].as_str().unwrap_or("")),
        esc(&match ctx.lang {
            Lang::Fr => format!(
                "{} lieux avec des créneaux sur {}, {} créneaux.",
                ctx.num(with as f64, 0),
                ctx.num(centres.len() as f64, 0),
                ctx.num(slots as f64, 0)
            ),
            Lang::En => format!(
                "{} places with slots out of {}, {} slots.",
                ctx.num(with as f64, 0),
                ctx.num(centres.len() as f64, 0),
                ctx.num(slots as f64, 0)
            ),
        })
    );
    for (c, n) in centres {
        let dist = c["distance_km"].as_f64();
        let _ = write!(
            s,
            "<li class=\"centre\" data-id=\"{}\" data-slots=\"{n}\"{}><h3>{}</h3><p class=\"addr\">{}{}</p>",
            esc(c["id"].as_str().unwrap_or("")),
            dist.map(|d| format!(" data-distance=\"{d}\""))
                .unwrap_or_default(),
            esc(c["name"].as_str().unwrap_or("")),
            esc(c["address"].as_str().unwrap_or("")),
            dist.map(|d| format!(" · <span class=\"dist\">{}</span>", distance(d, ctx.lang)))
                .unwrap_or_default(),
        );
        let avail = if c["phone_only"].as_bool() == Some(true) && n == 0 {
            format!(
                "<p class=\"avail phone\">{}</p>",
                ctx.t(
                    "Réservation par téléphone uniquement",
                    "Booking by phone only"
                )
            )
        } else if n > 0 {
            let next = c["next_slot"]
                .as_str()
                .and_then(|t| slot_time(t, ctx.lang))
                .map(|t| format!(" · {} {}", ctx.t("prochain :", "next:"), esc(&t)))
                .unwrap_or_default();
            let label = match (ctx.lang, n) {
                (Lang::Fr, 1) => "1 créneau".to_string(),
                (Lang::En, 1) => "1 slot".to_string(),
                (Lang::Fr, n) => format!("{} créneaux", ctx.num(n as f64, 0)),
                (Lang::En, n) => format!("{} slots", ctx.num(n as f64, 0)),
            };
            format!("<p class=\"avail yes\"><strong>{label}</strong>{next}</p>")
        } else {
            format!(
                "<p class=\"avail no\">{}</p>",
                ctx.t("Aucun créneau", "No slot")
            )
        };
        s.push_str(&avail);
        if let Some(since) = c["stale_since"]
            .as_str()
            .filter(|_| c["status"] == "stale")
            .and_then(|t| slot_time(t, ctx.lang))
        {
            let _ = write!(
                s,
                "<p class=\"muted\">{} {}</p>",
                ctx.t("Données datant de", "Data from"),
                esc(&since)
            );
        }
        let mut actions = Vec::new();
        if let Some(url) = c["booking_url"]
            .as_str()
            .filter(|u| u.starts_with("https://"))
        {
            actions.push(format!(
                "<a class=\"book\" href=\"{}\" target=\"_blank\" rel=\"noopener\">{}</a>",
                esc(url),
                ctx.t("Prendre rendez-vous", "Book an appointment")
            ));
        }
        if let Some(phone) = c["phone"].as_str().filter(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|ch| ch.is_ascii_digit() || "+ .".contains(ch))
        }) {
            let tel: String = phone
                .chars()
                .filter(|ch| *ch != ' ' && *ch != '.')
                .collect();
            actions.push(format!(
                "<a class=\"tel\" href=\"tel:{}\">{}</a>",
                esc(&tel),
                esc(&phone_display(phone))
            ));
        }
        if !actions.is_empty() {
            let _ = write!(s, "<p class=\"actions\">{}</p>", actions.join(" "));
        }
        s.push_str("</li>");
    }
    s.push_str("</ol>");
    s
}

/// 404 page.
pub fn not_found(ctx: &Ctx<'_>) -> String {
    let body = format!(
        "<h1>{}</h1><p><a href=\"{}\">{}</a></p>\n",
        ctx.t("Page introuvable", "Page not found"),
        ctx.link("/"),
        ctx.t("Retour à l'accueil", "Back to the home page")
    );
    layout(
        ctx,
        "/404",
        ctx.t("Page introuvable", "Page not found"),
        Needs::default(),
        &body,
    )
}

/// Renders the page at `path` (without the language prefix); None for an unknown page.
pub fn render(ctx: &Ctx<'_>, path: &str, q: &SearchParams) -> Option<String> {
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    Some(match path {
        "/" | "" => home(ctx),
        "/territoires" => territories(ctx),
        "/vaccination" => vaccination(ctx),
        "/rendez-vous" => slots(ctx, q),
        "/sources" => sources(ctx),
        "/donnees" => open_data(ctx),
        "/statistiques" => statistics(ctx),
        "/a-propos" => about(ctx),
        "/licences" => licences(ctx),
        p => {
            let key = p.strip_prefix("/territoire/")?;
            dashboard(ctx, ctx.release.territory(key)?)
        }
    })
}

/// Paths of every page (without the language prefix), for the static export.
pub fn all_paths(release: &Release) -> Vec<String> {
    let mut v: Vec<String> = NAV.iter().map(|(p, _, _)| (*p).to_string()).collect();
    v.push("/statistiques".into());
    v.push("/licences".into());
    v.extend(
        release
            .territories
            .iter()
            .map(|t| format!("/territoire/{}", t.key)),
    );
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(fr_number(1234567.891, 1), "1\u{202f}234\u{202f}567,9");
        assert_eq!(fr_number(-12.5, 1), "-12,5");
        assert_eq!(fr_number(999.0, 0), "999");
        assert_eq!(fr_date("2020-05-19"), "19/05/2020");
        assert_eq!(
            slot_time("2026-11-30T09:15:00+01:00", Lang::Fr).as_deref(),
            Some("lun. 30 nov. à 09:15")
        );
        assert_eq!(
            slot_time("2026-11-30T09:15:00+01:00", Lang::En).as_deref(),
            Some("Mon 30 Nov at 09:15")
        );
        // Overseas: the centre's own wall clock, not Paris time.
        assert_eq!(
            slot_time("2027-02-28T23:50:00-04:00", Lang::Fr).as_deref(),
            Some("dim. 28 févr. à 23:50")
        );
        assert_eq!(slot_time("garbage", Lang::Fr), None);
        assert_eq!(short_day("2024-02-29", Lang::Fr), "jeu. 29 févr.");
        assert_eq!(distance(3.25, Lang::Fr), "3,2\u{a0}km");
        assert_eq!(distance(9.96, Lang::En), "10.0\u{a0}km");
        assert_eq!(distance(33.6, Lang::Fr), "34\u{a0}km");
        assert_eq!(phone_display("+33475000000"), "04 75 00 00 00");
        assert_eq!(phone_display("0475000000"), "04 75 00 00 00");
        assert_eq!(phone_display("+4122000000"), "+4122000000");
        assert_eq!(unix_seconds("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(unix_seconds("2026-11-29T09:30:00Z"), Some(1_795_944_600));
        let now = 1_795_944_600 + 12 * 60 + 59;
        assert_eq!(
            data_age("2026-11-29T10:30:00+01:00", now, Lang::Fr).as_deref(),
            Some("mis à jour il y a 12 min")
        );
        assert_eq!(
            data_age("2026-11-29T10:30:00+01:00", now + 3600, Lang::En).as_deref(),
            Some("updated 1 h 12 min ago")
        );
        assert_eq!(
            esc("<a href='x'>&\""),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;"
        );
    }
}
