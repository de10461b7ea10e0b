//! Server-rendered HTML pages, French first, readable without JavaScript.

use std::fmt::Write;

use serde_json::Value;

use crate::release::{Release, TerritorySummary};

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

/// The headline indicators of a dashboard: (id, label, decimals).
pub const KPIS: [(&str, &str, usize); 11] = [
    (
        "incidence_rate_7d",
        "Taux d'incidence (7 jours, pour 100 000 hab.)",
        1,
    ),
    ("positivity_rate_7d", "Taux de positivité (7 jours, %)", 1),
    ("r_effective", "Taux de reproduction R", 2),
    ("cases_7d_mean", "Cas positifs (moyenne 7 jours)", 0),
    ("hosp", "Patients hospitalisés", 0),
    ("icu", "Patients en réanimation", 0),
    (
        "hosp_admissions_7d_mean",
        "Nouvelles hospitalisations (moyenne 7 jours)",
        1,
    ),
    (
        "icu_saturation",
        "Saturation des lits de réanimation (%)",
        1,
    ),
    (
        "vaccination_coverage_dose1",
        "Couverture vaccinale, au moins une dose (%)",
        1,
    ),
    (
        "vaccination_coverage_complete",
        "Couverture vaccinale, schéma complet (%)",
        1,
    ),
    (
        "vaccination_coverage_booster",
        "Couverture vaccinale, premier rappel (%)",
        1,
    ),
];

fn layout(title: &str, release: &Release, demo: bool, body: &str) -> String {
    let mut s = String::with_capacity(body.len() + 2048);
    let _ = write!(
        s,
        "<!doctype html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} — Vigie</title>\n<link rel=\"stylesheet\" href=\"/assets/vigie.css\">\n</head>\n<body>\n<a class=\"skip\" href=\"#contenu\">Aller au contenu</a>\n<header class=\"site\"><a href=\"/\">Vigie</a><nav aria-label=\"Navigation principale\"><a href=\"/\">Accueil</a><a href=\"/territoires\">Territoires</a><a href=\"/sources\">Sources et fraîcheur</a><a href=\"/donnees\">Données ouvertes et API</a></nav></header>\n",
        esc(title)
    );
    if demo {
        s.push_str("<p class=\"demo\" role=\"note\">Données de démonstration : ces chiffres sont générés par Vigie pour montrer son fonctionnement. Ce ne sont pas des données réelles.</p>\n");
    }
    let _ = write!(
        s,
        "<main id=\"contenu\">\n{body}</main>\n<footer>Publication {} · données jusqu'au {} · <a href=\"/sources\">d'où viennent ces chiffres ?</a> · Vigie, logiciel libre (Apache-2.0).</footer>\n</body>\n</html>\n",
        esc(release.id()),
        esc(&fr_date(
            release.manifest["data_until"].as_str().unwrap_or("—")
        ))
    );
    s
}

fn kpi_cards(t: &TerritorySummary) -> String {
    let mut s = String::from("<ul class=\"cards\">\n");
    for (id, label, decimals) in KPIS {
        let k = &t.latest[id];
        let Some(v) = k["value"].as_f64() else {
            continue;
        };
        let level = k["level"].as_str().unwrap_or("");
        let _ = writeln!(
            s,
            "<li class=\"card\"><h3>{}</h3><div class=\"value\">{}</div>{}<div class=\"date\">au {}{}</div></li>",
            esc(label),
            fr_number(v, decimals),
            k["wording_fr"]
                .as_str()
                .map(|w| format!(
                    "<div class=\"wording level-{}\">{}</div>",
                    esc(level),
                    esc(w)
                ))
                .unwrap_or_default(),
            esc(&fr_date(k["date"].as_str().unwrap_or(""))),
            k["change_7_days_percent"]
                .as_f64()
                .map(|c| format!(
                    " · {}{} % en 7 jours",
                    if c >= 0.0 { "+" } else { "" },
                    fr_number(c, 1)
                ))
                .unwrap_or_default(),
        );
        if let Some(p) = k["projection"].as_object() {
            let target = p
                .get("target_percent")
                .and_then(Value::as_f64)
                .unwrap_or(0.0);
            let when = match p.get("reached_on").and_then(Value::as_str) {
                Some("reached") => format!("objectif de {} % atteint", fr_number(target, 0)),
                Some(d) => format!(
                    "{} % vers le {} au rythme des 14 derniers jours",
                    fr_number(target, 0),
                    fr_date(d)
                ),
                None => format!("{} % : pas de date au rythme actuel", fr_number(target, 0)),
            };
            s.truncate(s.len() - "</li>\n".len());
            let _ = writeln!(s, "<div class=\"date\">{}</div></li>", esc(&when));
        }
    }
    s.push_str("</ul>\n");
    s
}

/// Charts shown on a dashboard: (file stem, caption).
pub const CHARTS: [(&str, &str); 14] = [
    ("cases", "Cas positifs par jour et moyenne sur 7 jours"),
    ("incidence", "Taux d'incidence sur 7 jours"),
    ("positivity", "Taux de positivité sur 7 jours"),
    ("r", "Taux de reproduction effectif R"),
    ("hospital", "Patients hospitalisés et en réanimation"),
    (
        "admissions",
        "Nouvelles hospitalisations et admissions en réanimation",
    ),
    ("deaths", "Décès à l'hôpital"),
    ("icu_saturation", "Saturation des lits de réanimation"),
    ("vaccination_cumulative", "Personnes vaccinées (cumul)"),
    ("vaccination_daily", "Injections par jour"),
    ("vaccination_coverage", "Couverture vaccinale"),
    (
        "vaccination_coverage_by_age",
        "Couverture vaccinale par âge",
    ),
    ("vaccination_by_vaccine", "Premières doses par vaccin"),
    ("deliveries", "Doses livrées et doses injectées"),
];

fn charts(release: &Release, key: &str) -> String {
    let mut s = String::from(
        "<section aria-labelledby=\"graphiques\"><h2 id=\"graphiques\">Graphiques</h2><div class=\"charts\">\n",
    );
    let mut any = false;
    for (stem, caption) in CHARTS {
        if release
            .dir
            .join("charts")
            .join(key)
            .join(format!("{stem}.svg"))
            .exists()
        {
            any = true;
            let _ = writeln!(
                s,
                "<figure><img src=\"/charts/{key}/{stem}.svg\" alt=\"{}\" loading=\"lazy\"><figcaption>{} — <a href=\"/charts/{key}/{stem}.svg\">SVG</a> · <a href=\"/api/v1/territories/{key}\">données</a></figcaption></figure>",
                esc(caption),
                esc(caption)
            );
        }
    }
    s.push_str("</div></section>\n");
    if any { s } else { String::new() }
}

fn figures_table(t: &TerritorySummary) -> String {
    let mut rows: Vec<(&String, &Value)> = t
        .latest
        .as_object()
        .map(|o| o.iter().collect())
        .unwrap_or_default();
    rows.sort_by(|a, b| a.0.cmp(b.0));
    let mut s = String::from(
        "<section aria-labelledby=\"chiffres\"><h2 id=\"chiffres\">Tous les chiffres</h2><table><caption class=\"muted\">Dernière valeur de chaque indicateur et évolution sur 7 jours</caption><thead><tr><th scope=\"col\">Indicateur</th><th scope=\"col\">Date</th><th scope=\"col\">Valeur</th><th scope=\"col\">7 jours avant</th><th scope=\"col\">Évolution</th></tr></thead><tbody>\n",
    );
    for (id, k) in rows {
        let v = k["value"].as_f64().unwrap_or(f64::NAN);
        let _ = writeln!(
            s,
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(id),
            esc(&fr_date(k["date"].as_str().unwrap_or(""))),
            fr_number(v, 2),
            k["value_7_days_before"]
                .as_f64()
                .map(|x| fr_number(x, 2))
                .unwrap_or_else(|| "—".into()),
            k["change_7_days_percent"]
                .as_f64()
                .map(|x| format!("{} %", fr_number(x, 1)))
                .unwrap_or_else(|| "—".into()),
        );
    }
    s.push_str("</tbody></table></section>\n");
    s
}

/// Home page.
pub fn home(release: &Release, demo: bool) -> String {
    let mut body = String::from("<h1>La situation en France</h1>\n");
    if let Some(fr) = release.territory("FR") {
        body.push_str(&kpi_cards(fr));
    }
    if release
        .dir
        .join("charts/maps/incidence_rate_7d.svg")
        .exists()
    {
        body.push_str("<section class=\"map\" aria-labelledby=\"carte\"><h2 id=\"carte\">Taux d'incidence par département</h2><img src=\"/charts/maps/incidence_rate_7d.svg\" alt=\"Carte des départements colorés selon le taux d'incidence sur 7 jours\"></section>\n");
    }
    body.push_str(&charts(release, "FR"));
    body.push_str(&territory_list(release));
    layout("Situation épidémique", release, demo, &body)
}

fn territory_list(release: &Release) -> String {
    let mut s = String::from(
        "<section aria-labelledby=\"territoires\"><h2 id=\"territoires\">Régions et départements</h2><ul class=\"territories\">\n",
    );
    for t in release.territories.iter().filter(|t| t.level == "region") {
        let _ = writeln!(
            s,
            "<li><a href=\"/territoire/{}\">{}</a></li>",
            esc(&t.key),
            esc(&t.name)
        );
    }
    s.push_str("</ul><p><a href=\"/territoires\">Tous les départements</a></p></section>\n");
    s
}

/// List of every territory.
pub fn territories(release: &Release, demo: bool) -> String {
    let mut body = String::from("<h1>Territoires</h1>\n");
    for (level, title) in [
        ("country", "France"),
        ("region", "Régions"),
        ("department", "Départements"),
    ] {
        let _ = writeln!(body, "<h2>{title}</h2><ul class=\"territories\">");
        for t in release.territories.iter().filter(|t| t.level == level) {
            let code = t.key.split_once('-').map_or("", |x| x.1);
            let _ = writeln!(
                body,
                "<li><a href=\"/territoire/{}\">{}{}</a></li>",
                esc(&t.key),
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
    layout("Territoires", release, demo, &body)
}

/// Dashboard of one territory.
pub fn dashboard(release: &Release, demo: bool, t: &TerritorySummary) -> String {
    let mut body = format!("<h1>{}</h1>\n", esc(&t.name));
    if let Some(region) = t.region.as_deref().and_then(|r| release.territory(r)) {
        let _ = writeln!(
            body,
            "<p>Région : <a href=\"/territoire/{}\">{}</a></p>",
            esc(&region.key),
            esc(&region.name)
        );
    }
    let children: Vec<&TerritorySummary> = release
        .territories
        .iter()
        .filter(|c| c.region.as_deref() == Some(t.key.as_str()))
        .collect();
    if !children.is_empty() {
        body.push_str("<p>Départements : ");
        let links: Vec<String> = children
            .iter()
            .map(|c| {
                format!(
                    "<a href=\"/territoire/{}\">{}</a>",
                    esc(&c.key),
                    esc(&c.name)
                )
            })
            .collect();
        body.push_str(&links.join(", "));
        body.push_str("</p>\n");
    }
    body.push_str(&kpi_cards(t));
    body.push_str(&charts(release, &t.key));
    body.push_str(&figures_table(t));
    if let (Some(p), Some(src)) = (t.population, t.population_source.as_deref()) {
        let src = if src == "source_file" {
            "population du fichier source (Santé publique France)"
        } else {
            "population INSEE intégrée à Vigie"
        };
        let _ = writeln!(
            body,
            "<p class=\"muted\">Population utilisée pour les taux : {} ({src}).</p>",
            fr_number(p, 0)
        );
    }
    layout(&t.name, release, demo, &body)
}

/// Sources and freshness.
pub fn sources(release: &Release, demo: bool) -> String {
    let mut body = String::from("<h1>Sources et fraîcheur des données</h1>\n");
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
            "<div class=\"stale\" role=\"alert\"><p><strong>La dernière mise à jour ({}) a été refusée par le contrôle de publication</strong> ; la publication précédente reste en ligne.</p><ul>{}</ul></div>",
            esc(last["release_id"].as_str().unwrap_or("")),
            failures
                .iter()
                .map(|f| format!("<li>{}</li>", esc(f)))
                .collect::<String>()
        );
    }
    body.push_str(
        "<p>Chaque chiffre vient des fichiers ci-dessous, identifiés par leur empreinte SHA-256. Les formules sont décrites dans le <a href=\"/open-data/data-dictionary.md\">dictionnaire des données</a>.</p>\n<table><thead><tr><th scope=\"col\">Fichier</th><th scope=\"col\">Jeu de données</th><th scope=\"col\">Période</th><th scope=\"col\">Lignes</th><th scope=\"col\">SHA-256</th></tr></thead><tbody>\n",
    );
    for f in release.sources["files"].as_array().into_iter().flatten() {
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{} → {}</td><td class=\"num\">{}</td><td><code>{}</code></td></tr>",
            esc(f["file"].as_str().unwrap_or("")),
            esc(f["title"].as_str().or(f["source"].as_str()).unwrap_or("")),
            esc(&fr_date(f["first_date"].as_str().unwrap_or("—"))),
            esc(&fr_date(f["last_date"].as_str().unwrap_or("—"))),
            f["rows"]
                .as_f64()
                .map(|r| fr_number(r, 0))
                .unwrap_or_default(),
            esc(f["sha256"]
                .as_str()
                .map(|s| &s[..s.len().min(16)])
                .unwrap_or("")),
        );
    }
    body.push_str("</tbody></table>\n");
    let _ = writeln!(
        body,
        "<p>Publication <code>{}</code> construite le {}.</p>",
        esc(release.id()),
        esc(release.manifest["built_at"].as_str().unwrap_or(""))
    );
    layout("Sources", release, demo, &body)
}

/// Open data and API.
pub fn open_data(release: &Release, demo: bool) -> String {
    let body = "<h1>Données ouvertes et API</h1>\n<ul>\n<li><a href=\"/open-data/indicators.csv\">indicators.csv</a> — tous les indicateurs (colonnes <code>territory,indicator,breakdown,date,value</code>)</li>\n<li><a href=\"/open-data/data-dictionary.md\">Dictionnaire des données</a> (<a href=\"/open-data/data-dictionary.json\">JSON</a>)</li>\n<li><a href=\"/open-data/sources.json\">Provenance des fichiers</a> · <a href=\"/open-data/checks.json\">contrôles de cohérence</a></li>\n</ul>\n<h2>API JSON</h2>\n<ul>\n<li><code>GET /api/v1/release</code> — publication en ligne</li>\n<li><code>GET /api/v1/territories</code> — liste des territoires</li>\n<li><code>GET /api/v1/territories/{territoire}</code> — toutes les séries d'un territoire (<code>FR</code>, <code>REG-84</code>, <code>DEP-01</code>)</li>\n<li><code>GET /api/v1/sources</code>, <code>/api/v1/checks</code>, <code>/api/v1/data-dictionary</code></li>\n</ul>\n<p>Licence des données : Licence Ouverte 2.0 (Etalab), comme les données sources.</p>\n";
    layout("Données ouvertes", release, demo, body)
}

/// 404 page.
pub fn not_found(release: &Release, demo: bool) -> String {
    layout(
        "Page introuvable",
        release,
        demo,
        "<h1>Page introuvable</h1><p><a href=\"/\">Retour à l'accueil</a></p>\n",
    )
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
            esc("<a href='x'>&\""),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;"
        );
    }
}
