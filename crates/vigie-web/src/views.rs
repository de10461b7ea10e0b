//! Typed view models of the pages, built from the release and the slot finder's answers.
//!
//! The templates (`templates/*.html`) only print fields of these structs: every number, date
//! and sentence is formatted here, through [`crate::fmt`] and [`crate::i18n`]. Reading the
//! release (still JSON values) happens only in the small functions of the `access` section at
//! the end of this file, so that a typed `Release` replaces them one by one.

use crate::assets;
use crate::fmt;
use crate::i18n::{self, Lang, Texts};
use crate::release::{Release, TerritorySummary};
use crate::routes::{Route, TABLE, Urls};
use crate::slots::{SearchParams, SlotFinder};

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
    /// The URL builder of the page.
    pub urls: Urls,
    /// What the pages show of the citizen contributions (errata, availability signals, the
    /// « Signaler » links); None when contributions are not open (and in the static export).
    pub contrib: Option<&'a crate::contrib::ContribView>,
}

impl Ctx<'_> {
    /// The UI strings.
    pub fn tx(&self) -> &'static Texts {
        self.lang.tx()
    }
    fn num(&self, v: f64, d: usize) -> String {
        fmt::number(self.lang, v, d)
    }
    fn date(&self, iso: &str) -> String {
        fmt::date(self.lang, iso)
    }
    fn dash_or(&self, v: Option<f64>, d: usize) -> String {
        v.map_or_else(|| "—".into(), |v| self.num(v, d))
    }
}

/// A link.
pub struct Link {
    /// Target.
    pub href: String,
    /// Text.
    pub text: String,
}

/// A front-end library (stylesheet and script).
pub struct Lib {
    /// Stylesheet URL.
    pub css: String,
    /// Script URL.
    pub js: String,
}

/// A link of the main navigation.
pub struct NavLink {
    /// Target.
    pub href: String,
    /// Label.
    pub label: &'static str,
    /// The current page.
    pub current: bool,
}

/// The frame of every page.
pub struct LayoutView {
    /// UI strings.
    pub tx: &'static Texts,
    /// `fr` / `en`.
    pub lang: &'static str,
    /// Title (before « — Vigie »).
    pub title: String,
    /// Favicon URL.
    pub icon: String,
    /// Stylesheet URL.
    pub css: String,
    /// Script URL.
    pub js: String,
    /// Leaflet, for pages with a map.
    pub leaflet: Option<Lib>,
    /// uPlot, for pages with charts.
    pub uplot: Option<Lib>,
    /// Home URL.
    pub home: String,
    /// Main navigation.
    pub nav: Vec<NavLink>,
    /// The same page in the other language.
    pub other_href: String,
    /// Code of the other language.
    pub other_lang: &'static str,
    /// Demonstration data.
    pub demo: bool,
    /// When the release was built, in words (Europe/Paris); its id when unknown.
    pub release_id: String,
    /// Last day of data, formatted.
    pub data_until: String,
    /// `/sources`.
    pub sources_href: String,
    /// `/statistiques`.
    pub statistics_href: String,
    /// `/licences`.
    pub licences_href: String,
    /// `/contribuer`, when contributions are open on a live server.
    pub contribute_href: Option<String>,
    /// `/contributions`.
    pub contributions_href: String,
    /// `/confidentialite`.
    pub privacy_href: String,
}

/// Which front-end libraries a page loads.
#[derive(Clone, Copy, Default)]
pub struct Needs {
    /// Leaflet.
    pub map: bool,
    /// uPlot.
    pub charts: bool,
}

/// The frame of a page at `route` (None: the 404 page).
pub fn layout(ctx: &Ctx<'_>, route: Option<Route<'_>>, title: &str, needs: Needs) -> LayoutView {
    let u = ctx.urls;
    let tx = ctx.tx();
    let other = ctx.lang.other();
    let lib = |name: &str, css: &str, js: &str| Lib {
        css: u.file(&format!("assets/vendor/{name}/{css}")),
        js: u.file(&format!("assets/vendor/{name}/{js}")),
    };
    LayoutView {
        tx,
        lang: ctx.lang.code(),
        title: title.to_string(),
        icon: u.file(&format!("assets/{}", assets::icon_path())),
        css: u.file(&format!("assets/{}", assets::css_path())),
        js: u.file(&format!("assets/{}", assets::js_path())),
        leaflet: needs.map.then(|| {
            lib(
                &format!("leaflet-{}", assets::LEAFLET),
                "leaflet.css",
                "leaflet.js",
            )
        }),
        uplot: needs.charts.then(|| {
            lib(
                &format!("uplot-{}", assets::UPLOT),
                "uPlot.min.css",
                "uPlot.iife.min.js",
            )
        }),
        home: u.page(Route::Home),
        nav: TABLE
            .iter()
            .filter(|e| e.in_nav)
            .map(|e| NavLink {
                href: u.page(e.route),
                label: (e.label)(tx),
                current: route == Some(e.route),
            })
            .collect(),
        other_href: u.page_in(other, route.unwrap_or(Route::Home)),
        other_lang: other.code(),
        demo: ctx.demo,
        release_id: access::manifest_str(ctx.release, "built_at")
            .and_then(|t| fmt::paris_time(ctx.lang, t, true))
            .unwrap_or_else(|| ctx.release.id().to_string()),
        data_until: ctx.date(access::manifest_str(ctx.release, "data_until").unwrap_or("—")),
        sources_href: u.page(Route::Sources),
        statistics_href: u.page(Route::Statistics),
        licences_href: u.page(Route::Licences),
        contribute_href: (ctx.contrib.is_some() && !ctx.export).then(|| u.page(Route::Contribute)),
        contributions_href: u.page(Route::Contributions),
        privacy_href: u.page(Route::Privacy),
    }
}

// ---------------------------------------------------------------------------------------
// KPI cards.

/// One KPI card.
pub struct KpiView {
    /// Indicator id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Value, formatted.
    pub value: String,
    /// Unit shown after the value (may be empty).
    pub unit: String,
    /// Level and trend in words (« BAS ET EN BAISSE »).
    pub level_word: Option<String>,
    /// CSS class of the level (`level-low`).
    pub level_class: String,
    /// Change in 7 days (« -33,3 % en 7 jours », « +0,5 point en 7 jours »).
    pub change: Option<String>,
    /// Date of the value, formatted.
    pub date: String,
    /// Vaccination projection.
    pub projection: Option<String>,
    /// « Signaler » link (contributions open, live server only).
    pub report_href: Option<String>,
    /// Accepted errata of this figure (« Erratum (signalement accepté le …) : … »).
    pub errata: Vec<String>,
}

/// The KPI cards of `page` (`territory`, `home`, `vaccination`) for a territory, as the
/// release's presentation catalogue declares them (order, labels, units, decimals, change).
pub fn kpis(ctx: &Ctx<'_>, t: &TerritorySummary, page: &str) -> Vec<KpiView> {
    use vigie_contracts::presentation::ChangeKind;
    let tx = ctx.tx();
    let l = spec_lang(ctx.lang);
    ctx.release
        .presentation
        .kpis_on(page)
        .filter_map(|card| {
            let k = access::latest(t, &card.indicator)?;
            let change = match card.change {
                ChangeKind::Percent => k.change_percent.map(|c| fmt::percent_change(ctx.lang, c)),
                ChangeKind::Points => k.change_points.map(|c| fmt::points_change(ctx.lang, c)),
                ChangeKind::None => None,
            };
            Some(KpiView {
                id: card.indicator.clone(),
                label: card.label.get(l).to_string(),
                value: ctx.num(k.value, usize::from(card.decimals)),
                unit: card
                    .unit
                    .as_ref()
                    .map(|u| u.get(l).to_string())
                    .unwrap_or_default(),
                level_word: match ctx.lang {
                    Lang::Fr => k.wording_fr.clone(),
                    Lang::En => k.wording_en.clone().or_else(|| k.wording_fr.clone()),
                },
                level_class: format!("level-{}", k.level.as_deref().unwrap_or("none")),
                change: change.map(|c| format!("{c} {}", tx.in_7_days)),
                date: ctx.date(k.date.as_deref().unwrap_or("")),
                projection: k.projection.as_ref().map(|p| i18n::projection(ctx.lang, p)),
                report_href: ctx.contrib.filter(|_| !ctx.export).map(|_| {
                    format!(
                        "{}/contribuer?kind=figure_error&territory={}&indicator={}&date={}",
                        ctx.lang.prefix(),
                        qenc(&t.key),
                        qenc(&card.indicator),
                        qenc(k.date.as_deref().unwrap_or(""))
                    )
                }),
                errata: ctx
                    .contrib
                    .map(|v| {
                        v.errata_of(&t.key, &card.indicator)
                            .map(|e| {
                                let at = fmt::paris_time(
                                    ctx.lang,
                                    &e.provenance.decided_at_rfc3339(),
                                    true,
                                )
                                .unwrap_or_default();
                                let date = e
                                    .date
                                    .as_deref()
                                    .map(|d| format!(" — {}", ctx.date(d)))
                                    .unwrap_or_default();
                                format!(
                                    "{} ({} {at}, {}){date} : {}",
                                    tx.erratum,
                                    tx.erratum_accepted,
                                    e.provenance.contribution_id,
                                    e.text.as_deref().unwrap_or("")
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// A headline sentence with its progress bar toward the coverage target.
pub struct HeadlineView {
    /// Identifier.
    pub id: String,
    /// The sentence (« 52 345 678 personnes ont reçu au moins une dose, soit 78,1 % de la
    /// population »).
    pub text: String,
    /// Share reached, 0–100 (the bar's width).
    pub percent: f64,
    /// The share, formatted (« 78,1 % »).
    pub percent_text: String,
    /// Target, 0–100 (the bar's mark), when known.
    pub target: Option<f64>,
    /// « objectif 90 % ».
    pub target_text: Option<String>,
    /// Date of the figures, formatted.
    pub date: String,
}

impl HeadlineView {
    /// The bar's width in the 0–100 user units of the progress SVG.
    pub fn width(&self) -> String {
        format!("{:.1}", self.percent.clamp(0.0, 100.0))
    }

    /// The target mark's position in the same units.
    pub fn target_left(&self) -> String {
        format!("{:.1}", (self.target.unwrap_or(0.0) - 0.3).clamp(0.0, 99.4))
    }
}

/// The headlines of `page` for a territory (both indicators must have a latest value).
pub fn headlines(ctx: &Ctx<'_>, t: &TerritorySummary, page: &str) -> Vec<HeadlineView> {
    let l = spec_lang(ctx.lang);
    let pct = |v: f64| match ctx.lang {
        Lang::Fr => format!("{}\u{a0}%", ctx.num(v, 1)),
        Lang::En => format!("{}%", ctx.num(v, 1)),
    };
    ctx.release
        .presentation
        .headlines_on(page)
        .filter_map(|h| {
            let people = access::latest(t, &h.people)?;
            let share = access::latest(t, &h.percent)?;
            let target = share
                .projection
                .as_ref()
                .map(|p| p.target_percent)
                .or_else(|| access::manifest_num(ctx.release, "coverage_target"));
            let target_text = target.and_then(|v| {
                let label = h.target_label.as_ref()?.get(l);
                let tv = match ctx.lang {
                    Lang::Fr => format!("{}\u{a0}%", ctx.num(v, 0)),
                    Lang::En => format!("{}%", ctx.num(v, 0)),
                };
                Some(label.replace("{target}", &tv))
            });
            Some(HeadlineView {
                id: h.id.clone(),
                text: h
                    .text
                    .get(l)
                    .replace("{people}", &ctx.num(people.value, 0))
                    .replace("{percent}", &pct(share.value)),
                percent: share.value,
                percent_text: pct(share.value),
                target,
                target_text,
                date: ctx.date(share.date.as_deref().unwrap_or("")),
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Incidence by age (CovidTracker's heat-map).

/// One cell of the age × week heat-map.
pub struct HeatCell {
    /// Value, formatted (« 312,4 », « — »).
    pub text: String,
    /// CSS class of its colour (`heat-0` … `heat-8`, `heat-none`): the map layer's classes on
    /// the same 9-colour ramp as the maps.
    pub class: String,
}

/// One age class of the heat-map.
pub struct HeatRow {
    /// « 20 à 29 ans ».
    pub label: String,
    /// One cell per week.
    pub cells: Vec<HeatCell>,
}

/// The incidence rate by age class and week of a territory.
pub struct HeatmapView {
    /// Title.
    pub title: String,
    /// Week heads (the week's last day, « 28/02 »).
    pub weeks: Vec<String>,
    /// Rows, youngest first.
    pub rows: Vec<HeatRow>,
    /// Legend: (label, class).
    pub legend: Vec<(String, String)>,
}

/// Weeks shown by the heat-map.
const HEATMAP_WEEKS: usize = 12;

fn age_label(lang: Lang, key: &str) -> String {
    let a = key.trim_start_matches("age:");
    if let Some(lo) = a.strip_suffix('+') {
        return match lang {
            Lang::Fr => format!("{lo} ans et plus"),
            Lang::En => format!("{lo} and over"),
        };
    }
    match (lang, a.split_once('-')) {
        (Lang::Fr, Some((lo, hi))) => format!("{lo} à {hi} ans"),
        (Lang::En, Some((lo, hi))) => format!("{lo}–{hi}"),
        _ => a.to_string(),
    }
}

/// The 7-day incidence rate by age class over the last 12 weeks (one column every 7 days back
/// from the last day), coloured with the incidence map layer's classes; None without ages.
pub fn incidence_by_age(ctx: &Ctx<'_>, key: &str) -> Option<HeatmapView> {
    const ID: &str = "incidence_rate_7d";
    let file = access::territory_full(ctx.release, key)?;
    let by = file.indicators.get(ID)?;
    let mut ages: Vec<(&String, &vigie_contracts::release::PublishedSeries)> =
        by.iter().filter(|(k, _)| k.starts_with("age:")).collect();
    if ages.len() < 2 {
        return None;
    }
    let low = |k: &str| -> u32 {
        k.trim_start_matches("age:")
            .split(['-', '+'])
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(u32::MAX)
    };
    ages.sort_by_key(|(k, _)| low(k));
    // Day numbers via ISO dates: the last day any class has.
    let day = |iso: &str| fmt::unix_seconds(&format!("{iso}T00:00:00Z")).map(|s| s / 86_400);
    let last = ages
        .iter()
        .filter_map(|(_, s)| {
            let i = s.values.iter().rposition(Option::is_some)?;
            Some(day(&s.start)? + i as i64)
        })
        .max()?;
    let week_days: Vec<i64> = (0..HEATMAP_WEEKS as i64)
        .rev()
        .map(|w| last - 7 * w)
        .collect();
    let layer = ctx
        .release
        .presentation
        .map_layer
        .iter()
        .find(|m| m.indicator == ID);
    let thresholds: Vec<f64> = layer.map(|m| m.thresholds.clone()).unwrap_or_default();
    let classes = thresholds.len() + 1;
    let ramp = |c: usize| {
        if classes <= 1 {
            4
        } else {
            (c * 8 + (classes - 1) / 2) / (classes - 1)
        }
    };
    let class_of = |v: f64| {
        format!(
            "heat-{}",
            ramp(thresholds.iter().filter(|t| v >= **t).count())
        )
    };
    let iso_of = |d: i64| crate::data::add_days("1970-01-01", d).unwrap_or_default();
    let rows = ages
        .iter()
        .map(|(k, s)| {
            let start = day(&s.start).unwrap_or(i64::MAX);
            HeatRow {
                label: age_label(ctx.lang, k),
                cells: week_days
                    .iter()
                    .map(|d| {
                        let v = usize::try_from(d - start).ok().and_then(|i| s.get(i));
                        HeatCell {
                            text: ctx.dash_or(v, 0),
                            class: v.map_or_else(|| "heat-none".to_string(), class_of),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let legend = (0..classes)
        .map(|c| {
            let label = match (c.checked_sub(1).map(|j| thresholds[j]), thresholds.get(c)) {
                (None, Some(b)) => format!("< {}", ctx.num(*b, 0)),
                (Some(a), None) => format!("≥ {}", ctx.num(a, 0)),
                (Some(a), Some(b)) => match ctx.lang {
                    Lang::Fr => format!("{} à < {}", ctx.num(a, 0), ctx.num(*b, 0)),
                    Lang::En => format!("{} to < {}", ctx.num(a, 0), ctx.num(*b, 0)),
                },
                (None, None) => String::new(),
            };
            (label, format!("heat-{}", ramp(c)))
        })
        .collect();
    Some(HeatmapView {
        title: match ctx.lang {
            Lang::Fr => format!(
                "Taux d'incidence par âge (pour 100\u{202f}000 hab., 7 jours) — {}",
                file.head.name
            ),
            Lang::En => format!(
                "Incidence rate by age (per 100,000, 7 days) — {}",
                file.head.name
            ),
        },
        weeks: week_days
            .iter()
            .map(|d| {
                let iso = iso_of(*d);
                match ctx.lang {
                    Lang::Fr => ctx.date(&iso).chars().take(5).collect(),
                    Lang::En => iso.chars().skip(5).collect(),
                }
            })
            .collect(),
        rows,
        legend,
    })
}

// ---------------------------------------------------------------------------------------
// Open-data files.

/// One downloadable file of `/donnees`.
pub struct FileView {
    /// URL.
    pub href: String,
    /// File name shown.
    pub name: String,
    /// « 167,2 Mo · 3 104 222 lignes », empty when `files.json` does not list it.
    pub size: String,
    /// Data rows (CSV).
    pub rows: Option<u64>,
}

/// The per-territory CSV of one territory.
pub struct TerritoryFileView {
    /// Territory name.
    pub name: String,
    /// The file.
    pub file: FileView,
}

/// The open-data files of the release, with the sizes and rows of `open-data/files.json`:
/// (national files, per-territory CSVs in reference order).
pub fn open_data_files(ctx: &Ctx<'_>) -> (Vec<FileView>, Vec<TerritoryFileView>) {
    use vigie_contracts::release::{FILES_PATH, OpenDataFiles};
    let listed: OpenDataFiles = std::fs::read(ctx.release.dir.join(FILES_PATH))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let tx = ctx.tx();
    let view = |path: &str, name: String| -> Option<FileView> {
        let f = listed.get(path);
        if f.is_none() && !ctx.release.dir.join(path).is_file() {
            return None;
        }
        let size = f
            .map(|f| {
                let mut s = fmt::file_size(ctx.lang, f.bytes);
                if let Some(r) = f.rows {
                    s.push_str(" · ");
                    s.push_str(&fmt::plural(ctx.lang, r, tx.row_one, tx.row_many));
                }
                s
            })
            .unwrap_or_default();
        Some(FileView {
            href: ctx.urls.file(path),
            name,
            size,
            rows: f.and_then(|f| f.rows),
        })
    };
    let national = ["open-data/indicators.csv", "open-data/indicators.csv.gz"]
        .iter()
        .filter_map(|p| view(p, p.trim_start_matches("open-data/").to_string()))
        .collect();
    let per_territory = ctx
        .release
        .territories
        .iter()
        .filter(|t| !crate::release::is_world_level(&t.level))
        .filter_map(|t| {
            let path = format!("open-data/territories/{}.csv", t.key);
            Some(TerritoryFileView {
                name: t.name.clone(),
                file: view(&path, format!("{}.csv", t.key))?,
            })
        })
        .collect();
    (national, per_territory)
}

// ---------------------------------------------------------------------------------------
// Charts.

/// A table with a caption, column heads and rows headed by their first cell.
pub struct TableView {
    /// Caption.
    pub caption: String,
    /// Column heads (after the row-head column).
    pub heads: Vec<String>,
    /// Head of the row-head column.
    pub first_head: String,
    /// Rows.
    pub rows: Vec<RowView>,
}

/// A table row.
pub struct RowView {
    /// Row head.
    pub head: String,
    /// Cells.
    pub cells: Vec<String>,
}

/// One chart figure: the image, its caption and links, its text alternative and data table.
pub struct ChartView {
    /// File stem (`cases`).
    pub stem: String,
    /// Caption (also the image's alt text).
    pub caption: String,
    /// SVG URL.
    pub img: String,
    /// The chart data the script draws (`data-src`).
    pub data_src: String,
    /// The territory's data (link).
    pub data_href: String,
    /// « Dernières valeurs — … ».
    pub summary: Option<String>,
    /// The data table (12 weeks).
    pub table: Option<TableView>,
}

fn spec_lang(lang: Lang) -> vigie_contracts::Lang {
    match lang {
        Lang::Fr => vigie_contracts::Lang::Fr,
        Lang::En => vigie_contracts::Lang::En,
    }
}

/// The chart figures of a territory (`only = Some(_)`: the vaccination charts), each from its
/// chart spec (`charts/<T>/<id>.json`): the SVG rendered from the spec, the interactive chart
/// drawn by vigie.js from the same spec, and the text alternative and data table with the
/// spec's series labels in the spec's order.
pub fn charts(ctx: &Ctx<'_>, key: &str, only: Option<&str>) -> Vec<ChartView> {
    use vigie_contracts::presentation::ChartPage;
    let release = ctx.release;
    let page = only.map(|_| ChartPage::Vaccination);
    crate::data::chart_specs(release, key, page)
        .into_iter()
        .map(|spec| {
            let id = &spec.id;
            let json = ctx.urls.file(&format!("charts/{key}/{id}.json"));
            let img = ctx.urls.file(&format!("charts/{key}/{id}.svg"));
            chart_view(ctx, &spec, img, json)
        })
        .collect()
}

/// The figure of one chart spec: caption, SVG `img`, the spec's URL `json` for the script,
/// text alternative and data table (one row a week, the spec's series in its order).
pub fn chart_view(
    ctx: &Ctx<'_>,
    spec: &vigie_contracts::ChartSpec,
    img: String,
    json: String,
) -> ChartView {
    use vigie_contracts::chart::SpecKind;
    let tx = ctx.tx();
    let l = spec_lang(ctx.lang);
    {
        {
            let id = &spec.id;
            let d = usize::from(spec.decimals);
            let caption = spec.title.get(l).to_string();
            let (summary, table) = if spec.kind == SpecKind::Bars {
                let table = TableView {
                    caption: match &spec.subtitle {
                        Some(sub) => format!("{caption} ({})", sub.get(l)),
                        None => caption.clone(),
                    },
                    first_head: match ctx.lang {
                        Lang::Fr => "Classe".into(),
                        Lang::En => "Class".into(),
                    },
                    heads: vec![spec.unit.as_ref().map_or("", |u| u.get(l)).to_string()],
                    rows: spec
                        .bars
                        .iter()
                        .map(|b| RowView {
                            head: b.label.get(l).to_string(),
                            cells: vec![ctx.dash_or(b.value, d)],
                        })
                        .collect(),
                };
                (
                    spec.subtitle.as_ref().map(|s| s.get(l).to_string()),
                    Some(table),
                )
            } else {
                // One row a week, whatever the axis step, on the last date (within the last
                // week) where the most series have a value: a weekly series on a daily axis
                // (WHO with JHU) keeps its values in the table.
                let every = usize::try_from(7 / spec.step_days.clamp(1, 7)).unwrap_or(1);
                let rows = table_anchor(spec)
                    .map_or_else(|| spec.table(every, 12), |s| s.table(every, 12));
                let summary = rows.last().and_then(|(date, last)| {
                    let parts: Vec<String> = spec
                        .series
                        .iter()
                        .zip(last)
                        .filter_map(|(se, v)| {
                            let d = usize::from(se.decimals_or(spec.decimals));
                            v.map(|v| format!("{} : {}", se.label.get(l), ctx.num(v, d)))
                        })
                        .collect();
                    (!parts.is_empty()).then(|| {
                        format!(
                            "{} {} {} — {}.",
                            tx.chart_latest,
                            tx.on_date,
                            ctx.date(date),
                            parts.join(" ; ")
                        )
                    })
                });
                let table = TableView {
                    caption: caption.clone(),
                    first_head: tx.date.to_string(),
                    heads: spec
                        .series
                        .iter()
                        .map(|se| se.label.get(l).to_string())
                        .collect(),
                    rows: rows
                        .iter()
                        .map(|(date, values)| RowView {
                            head: ctx.date(date),
                            cells: values
                                .iter()
                                .zip(&spec.series)
                                .map(|(v, se)| {
                                    ctx.dash_or(*v, usize::from(se.decimals_or(spec.decimals)))
                                })
                                .collect(),
                        })
                        .collect(),
                };
                (summary, Some(table))
            };
            ChartView {
                stem: id.clone(),
                caption,
                img,
                data_src: json.clone(),
                data_href: json,
                summary,
                table,
            }
        }
    }
}

/// For a spec mixing a weekly series with daily ones: the spec with its `data_until` moved
/// back (at most 6 axis dates) to the last date where the most series have a value, when that
/// is not `data_until` itself.
fn table_anchor(spec: &vigie_contracts::ChartSpec) -> Option<vigie_contracts::ChartSpec> {
    use vigie_contracts::chart::{day_to_iso, iso_to_day};
    // Only for a spec mixing cadences: some series has values at most one axis date in 7.
    let sparse = spec.series.iter().any(|s| {
        let idx: Vec<usize> = (0..s.values.len())
            .filter(|i| s.values[*i].is_some())
            .collect();
        idx.len() > 1 && idx.windows(2).all(|w| w[1] - w[0] >= 7)
    });
    if !sparse {
        return None;
    }
    let axis = spec.axis();
    let last = iso_to_day(&spec.data_until).and_then(|d| axis.iter().position(|x| *x == d))?;
    let count = |i: usize| {
        spec.series
            .iter()
            .filter(|s| s.values.get(i).copied().flatten().is_some())
            .count()
    };
    let best = (last.saturating_sub(6)..=last)
        .rev()
        .max_by_key(|i| (count(*i), *i))?;
    (best != last && count(best) > count(last)).then(|| {
        let mut s = spec.clone();
        s.data_until = day_to_iso(axis[best]);
        s
    })
}

/// Short labels of the chart series (the dictionary's label when absent).
fn indicator_label(lang: Lang, id: &str, dict: &[access::IndicatorInfo]) -> String {
    const LABELS: [(&str, &str, &str); 23] = [
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
        (
            "vaccination_coverage_dose1",
            "Au moins une dose (%)",
            "At least one dose (%)",
        ),
        (
            "vaccination_coverage_complete",
            "Schéma complet (%)",
            "Fully vaccinated (%)",
        ),
        ("vaccination_coverage_booster", "Rappel (%)", "Booster (%)"),
    ];
    LABELS
        .iter()
        .find(|(i, _, _)| *i == id)
        .map(|(_, fr, en)| lang.t(fr, en).to_string())
        .unwrap_or_else(|| full_label(lang, id, dict))
}

/// The dictionary's label of an indicator (its id when it has none).
fn full_label(lang: Lang, id: &str, dict: &[access::IndicatorInfo]) -> String {
    dict.iter()
        .find(|i| i.id == id)
        .map(|i| match lang {
            Lang::Fr => i.label_fr.clone(),
            Lang::En => i.label_en.clone(),
        })
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| id.to_string())
}

/// Whether an indicator is itself a change in percent (`…_change`: a change of it is not shown).
fn is_change(id: &str, dict: &[access::IndicatorInfo]) -> bool {
    id.ends_with("_change")
        || dict.iter().any(|i| {
            i.id == id
                && i.formula.contains(") / ")
                && i.formula.contains("× 100")
                && i.formula.contains(" − ")
        })
}

/// Decimals of an indicator's values, from its unit: counts (people, patients, doses, deaths,
/// visits, beds) are whole numbers, rates and percentages have one decimal, R two.
fn decimals(id: &str, dict: &[access::IndicatorInfo]) -> usize {
    if id.starts_with("r_") || id == "r" {
        return 2;
    }
    let unit = dict
        .iter()
        .find(|i| i.id == id)
        .map(|i| i.unit.as_str())
        .unwrap_or("");
    match unit {
        "" => 2,
        "%" => 1,
        u if u.starts_with("pour ") => 1,
        _ => 0,
    }
}

// ---------------------------------------------------------------------------------------
// Map.

/// A layer of the department map.
pub struct LayerView {
    /// Indicator id.
    pub id: String,
    /// Label.
    pub label: String,
    /// The layer shown first.
    pub checked: bool,
    /// The static SVG map of the layer (the map without JavaScript).
    pub svg: Option<String>,
}

/// A department row of the map's table.
pub struct MapRow {
    /// Dashboard URL.
    pub href: String,
    /// `DEP-07`.
    pub key: String,
    /// Name.
    pub name: String,
    /// One value per layer.
    pub cells: Vec<String>,
}

/// The department map: layer switch, Leaflet host, static SVG map, table of the values.
pub struct MapView {
    /// Layers.
    pub layers: Vec<LayerView>,
    /// `data-map`.
    pub data_map: String,
    /// `data-geo`, when the release has outlines.
    pub data_geo: Option<String>,
    /// `data-focus`.
    pub focus: String,
    /// `data-members`.
    pub members: String,
    /// `data-layer`.
    pub layer: String,
    /// `data-lang`.
    pub lang: &'static str,
    /// The static map of the default layer: (URL, alt text).
    pub fallback: Option<(String, String)>,
    /// The static maps of the other layers (links shown without JavaScript).
    pub other_maps: Vec<Link>,
    /// Column heads of the table.
    pub heads: Vec<String>,
    /// Rows of the table.
    pub rows: Vec<MapRow>,
}

/// The map of `focus` (`FR`, a region or a department), `default_layer` shown first; layers,
/// classes, dates and values from the build's map specs.
pub fn map(ctx: &Ctx<'_>, focus: &str, default_layer: &str) -> Option<MapView> {
    let release = ctx.release;
    let tx = ctx.tx();
    let l = spec_lang(ctx.lang);
    let layers = crate::data::map_layers(release);
    let first = layers.first()?;
    let default = layers
        .iter()
        .find(|m| m.id == default_layer)
        .unwrap_or(first);
    let svg_of = |id: &str| {
        let rel = format!("charts/maps/{id}.svg");
        release.dir.join(&rel).exists().then(|| ctx.urls.file(&rel))
    };
    let area = if focus.starts_with("DEP-") {
        release.territory(focus).and_then(|t| t.region.clone())
    } else {
        Some(focus.to_string())
    };
    let members: Vec<&str> = release
        .territories
        .iter()
        .filter(|t| t.region.is_some() && t.region == area)
        .map(|t| t.key.as_str())
        .collect();
    let region = focus.starts_with("REG-").then_some(focus);
    Some(MapView {
        layers: layers
            .iter()
            .map(|m| LayerView {
                id: m.id.clone(),
                label: m.short.get(l).to_string(),
                checked: m.id == default.id,
                svg: svg_of(&m.id),
            })
            .collect(),
        data_map: ctx.urls.api("api/v1/map"),
        data_geo: crate::data::geo_path(release).map(|_| ctx.urls.api("api/v1/geo/departments")),
        focus: focus.to_string(),
        members: members.join(" "),
        layer: default.id.clone(),
        lang: ctx.lang.code(),
        fallback: svg_of(&default.id).map(|src| {
            (
                src,
                format!(
                    "{} — {}, {}",
                    tx.map_title,
                    default.title.get(l),
                    default.subtitle.get(l)
                ),
            )
        }),
        other_maps: layers
            .iter()
            .filter(|m| m.id != default.id)
            .filter_map(|m| {
                Some(Link {
                    href: svg_of(&m.id)?,
                    text: m.short.get(l).to_string(),
                })
            })
            .collect(),
        heads: layers
            .iter()
            .map(|m| {
                format!(
                    "{} ({}, {} {})",
                    m.short.get(l),
                    m.unit.get(l),
                    tx.on_date,
                    ctx.date(&m.date)
                )
            })
            .collect(),
        rows: release
            .territories
            .iter()
            .filter(|t| {
                t.level == "department" && region.is_none_or(|r| t.region.as_deref() == Some(r))
            })
            .map(|t| {
                let code = t.key.trim_start_matches("DEP-");
                MapRow {
                    href: ctx.urls.page(Route::Territory(&t.key)),
                    key: t.key.clone(),
                    name: t.name.clone(),
                    cells: layers
                        .iter()
                        .map(|m| ctx.dash_or(m.values.get(code).copied(), usize::from(m.decimals)))
                        .collect(),
                }
            })
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------
// Dashboards and lists.

/// A row of « Tous les chiffres ».
pub struct FigureRow {
    /// Indicator id.
    pub id: String,
    /// Label (from the data dictionary).
    pub label: String,
    /// Date.
    pub date: String,
    /// Value.
    pub value: String,
    /// Value 7 days before.
    pub before: String,
    /// Change in 7 days (— for indicators that are already changes).
    pub change: String,
}

/// Every latest value of a territory, labelled from the data dictionary.
pub fn figures(ctx: &Ctx<'_>, t: &TerritorySummary) -> Vec<FigureRow> {
    let dict = access::dictionary(ctx.release);
    let mut rows: Vec<(String, FigureRow)> = access::latest_all(t)
        .into_iter()
        .map(|(id, k)| {
            let change = is_change(&id, &dict);
            let d = decimals(&id, &dict);
            let shown = |v: f64| {
                if change {
                    fmt::percent_change(ctx.lang, v)
                } else {
                    ctx.num(v, d)
                }
            };
            let label = full_label(ctx.lang, &id, &dict);
            (
                label.to_lowercase(),
                FigureRow {
                    label,
                    date: ctx.date(k.date.as_deref().unwrap_or("")),
                    value: shown(k.value),
                    before: k.before.map_or_else(|| "—".into(), shown),
                    change: match (change, k.change_percent) {
                        (false, Some(c)) => fmt::percent_change(ctx.lang, c),
                        _ => "—".into(),
                    },
                    id,
                },
            )
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows.into_iter().map(|(_, r)| r).collect()
}

/// A territory of a list: link and name with its code.
pub struct TerritoryLink {
    /// Key.
    pub key: String,
    /// Dashboard URL.
    pub href: String,
    /// Name (« Ardèche »).
    pub name: String,
    /// Code in brackets (« (07) »), may be empty.
    pub code: String,
    /// The current territory (selector).
    pub selected: bool,
}

/// The territories of `level` (every French territory when None: the world's countries have
/// their own pages).
pub fn territory_links(ctx: &Ctx<'_>, level: Option<&str>, current: &str) -> Vec<TerritoryLink> {
    ctx.release
        .territories
        .iter()
        .filter(|t| level.map_or(!crate::release::is_world_level(&t.level), |l| t.level == l))
        .map(|t| link_of(ctx, t, current))
        .collect()
}

fn link_of(ctx: &Ctx<'_>, t: &TerritorySummary, current: &str) -> TerritoryLink {
    TerritoryLink {
        key: t.key.clone(),
        href: ctx.urls.page(Route::Territory(&t.key)),
        name: t.name.clone(),
        code: t
            .key
            .split_once('-')
            .map_or(String::new(), |x| format!(" ({})", x.1)),
        selected: t.key == current,
    }
}

/// The links around a dashboard: France, the region, and the related territories.
pub struct Around {
    /// « France », « Région : … ».
    pub crumbs: Vec<(Option<&'static str>, Link)>,
    /// (title, links) of the related territories.
    pub related: Option<(String, Vec<Link>)>,
}

/// Parent and related territories of `t`.
pub fn around(ctx: &Ctx<'_>, t: &TerritorySummary) -> Around {
    let release = ctx.release;
    let tx = ctx.tx();
    let mut crumbs = Vec::new();
    if t.level != "country" && release.territory("FR").is_some() {
        crumbs.push((
            None,
            Link {
                href: ctx.urls.page(Route::Territory("FR")),
                text: tx.france.into(),
            },
        ));
    }
    if let Some(region) = t.region.as_deref().and_then(|r| release.territory(r)) {
        crumbs.push((
            Some(tx.region_prefix),
            Link {
                href: ctx.urls.page(Route::Territory(&region.key)),
                text: region.name.clone(),
            },
        ));
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
    let title = match t.level.as_str() {
        "department" => tx.other_departments,
        "region" => tx.departments,
        _ => tx.regions,
    };
    Around {
        crumbs,
        related: (!related.is_empty()).then(|| {
            (
                title.to_string(),
                related
                    .iter()
                    .map(|c| Link {
                        href: ctx.urls.page(Route::Territory(&c.key)),
                        text: c.name.clone(),
                    })
                    .collect(),
            )
        }),
    }
}

/// « Population utilisée pour les taux : 330 000 (…) ».
pub fn population(ctx: &Ctx<'_>, t: &TerritorySummary) -> Option<String> {
    let tx = ctx.tx();
    let (p, src) = (t.population?, t.population_source.as_deref()?);
    let src = if src == "source_file" {
        tx.population_source_file
    } else {
        tx.population_insee
    };
    Some(format!("{} {} ({src}).", tx.population_used, ctx.num(p, 0)))
}

/// A row of the coverage table: territory and three coverages.
pub fn coverage_rows(ctx: &Ctx<'_>) -> Vec<(TerritoryLink, Vec<String>)> {
    ctx.release
        .territories
        .iter()
        .filter(|t| !crate::release::is_world_level(&t.level))
        .map(|t| {
            let cells = [
                "vaccination_coverage_dose1",
                "vaccination_coverage_complete",
                "vaccination_coverage_booster",
            ]
            .iter()
            .map(|id| ctx.dash_or(access::latest(t, id).map(|k| k.value), 1))
            .collect();
            (link_of(ctx, t, ""), cells)
        })
        .collect()
}

/// Heads of the coverage table.
pub fn coverage_heads(lang: Lang) -> Vec<String> {
    [
        "vaccination_coverage_dose1",
        "vaccination_coverage_complete",
        "vaccination_coverage_booster",
    ]
    .iter()
    .map(|id| indicator_label(lang, id, &[]))
    .collect()
}

// ---------------------------------------------------------------------------------------
// Sources, statistics.

/// A source file row.
pub struct SourceRow {
    /// File name.
    pub file: String,
    /// Dataset title.
    pub dataset: String,
    /// « 01/02/2022 → 28/02/2022 ».
    pub period: String,
    /// Rows.
    pub rows: String,
    /// First 16 hex digits of the SHA-256.
    pub sha: String,
    /// What a reader must know about the source (« a cessé d'être mis à jour… »).
    pub note: Option<String>,
}

/// The source files of the release.
pub fn source_rows(ctx: &Ctx<'_>) -> Vec<SourceRow> {
    access::source_files(ctx.release)
        .into_iter()
        .map(|f| SourceRow {
            period: format!(
                "{} → {}",
                ctx.date(f.first_date.as_deref().unwrap_or("—")),
                ctx.date(f.last_date.as_deref().unwrap_or("—"))
            ),
            rows: f.rows.map(|r| fmt::count(ctx.lang, r)).unwrap_or_default(),
            sha: f.sha256.chars().take(16).collect(),
            file: f.file,
            dataset: f.title,
            note: f.note,
        })
        .collect()
}

/// The gate's refusal of the last build: (release id, failed checks).
pub fn gate_refusal(ctx: &Ctx<'_>) -> Option<(String, Vec<String>)> {
    access::gate_refusal(ctx.release)
}

/// « dim. 29 nov. 2026 à 10:30 » (Paris) from an RFC 3339 time; the text itself otherwise.
pub fn paris(ctx: &Ctx<'_>, iso: &str) -> String {
    fmt::paris_time(ctx.lang, iso, true).unwrap_or_else(|| iso.to_string())
}

/// A platform row of `/sources`.
pub struct PlatformRow {
    /// Name.
    pub name: String,
    /// State in words.
    pub state: String,
    /// CSS class (`state-ok`, …).
    pub class: String,
    /// « 12 lieux, 4 avec des créneaux ».
    pub places: String,
    /// Last successful scan, Paris time.
    pub last_success: String,
    /// Errors in words.
    pub problems: String,
}

/// The platforms of the live scan: (scan time in Paris, rows).
pub fn platforms(ctx: &Ctx<'_>) -> Option<(String, Vec<PlatformRow>)> {
    let status = ctx.slots.and_then(SlotFinder::status)?;
    let tx = ctx.tx();
    let l = ctx.lang;
    let rows = access::platform_states(&status)
        .into_iter()
        .map(|p| {
            let mut state = match p.status.as_str() {
                "ok" => tx.state_ok.to_string(),
                "degraded" => tx.state_degraded.to_string(),
                "failed" => tx.state_failed.to_string(),
                "not_scanned" => tx.state_not_scanned.to_string(),
                other => other.replace('_', " "),
            };
            if p.stale {
                state = format!("{state} ; {}", tx.state_stale);
            }
            PlatformRow {
                places: match (p.centres, p.centres_with_slots) {
                    (Some(c), Some(w)) => match l {
                        Lang::Fr => format!(
                            "{}, dont {} avec des créneaux",
                            fmt::plural(l, c, "lieu", "lieux"),
                            fmt::count(l, w)
                        ),
                        Lang::En => format!(
                            "{}, {} with slots",
                            fmt::plural(l, c, "place", "places"),
                            fmt::count(l, w)
                        ),
                    },
                    (Some(c), None) => fmt::plural(l, c, "lieu", "lieux"),
                    _ => "—".into(),
                },
                last_success: p
                    .last_success
                    .as_deref()
                    .map_or_else(|| tx.never.to_string(), |t| paris(ctx, t)),
                problems: p
                    .error
                    .as_deref()
                    .filter(|e| !e.is_empty())
                    .map_or_else(|| tx.none.to_string(), |e| i18n::platform_errors(l, e)),
                class: format!("state-{}", p.status),
                name: p.name,
                state,
            }
        })
        .collect();
    let at = access::status_generated_at(&status).map_or_else(|| "—".into(), |t| paris(ctx, &t));
    Some((at, rows))
}

/// A statistic: (label, value).
pub fn release_stats(ctx: &Ctx<'_>) -> Vec<(&'static str, String)> {
    let tx = ctx.tx();
    let mut v: Vec<(&'static str, String)> = [
        ("files_used", tx.files_used),
        ("rows_read", tx.rows_read),
        ("indicator_rows", tx.indicator_rows),
        ("groups", tx.groups),
        ("charts", tx.charts_count),
        ("violations_total", tx.violations),
    ]
    .into_iter()
    .filter_map(|(key, label)| {
        access::manifest_num(ctx.release, key).map(|v| (label, ctx.num(v, 0)))
    })
    .collect();
    v.push((
        tx.territories,
        fmt::count(ctx.lang, ctx.release.territories.len() as u64),
    ));
    v
}

/// At most this many scans are listed in the history table (the chart draws them all).
pub const HISTORY_ROWS: usize = 48;

/// A scan of the slot history.
pub struct HistoryRow {
    /// `<time datetime>` (RFC 3339, Paris offset).
    pub datetime: String,
    /// Time in Paris.
    pub time: String,
    /// Slots.
    pub slots: String,
    /// Places with slots.
    pub with_slots: String,
    /// Places read.
    pub places: String,
}

/// The slot history table, newest first: (caption, rows); None without history.
pub fn history(ctx: &Ctx<'_>) -> Option<(String, Vec<HistoryRow>)> {
    let points = access::history(ctx.slots?)?;
    if points.is_empty() {
        return None;
    }
    let cell = |v: Option<u64>| v.map_or_else(|| "—".into(), |v| fmt::count(ctx.lang, v));
    let rows: Vec<HistoryRow> = points
        .iter()
        .rev()
        .take(HISTORY_ROWS)
        .map(|p| HistoryRow {
            datetime: fmt::paris_rfc3339(&p.time).unwrap_or_else(|| p.time.clone()),
            time: fmt::paris_time(ctx.lang, &p.time, false).unwrap_or_else(|| p.time.clone()),
            slots: cell(p.slots),
            with_slots: cell(p.centres_with_slots),
            places: cell(p.centres),
        })
        .collect();
    Some((i18n::last_scans(ctx.lang, rows.len() as u64), rows))
}

// ---------------------------------------------------------------------------------------
// Slot finder.

/// An `<option>`.
pub struct OptionView {
    /// Value.
    pub value: String,
    /// Text.
    pub text: String,
    /// Selected.
    pub selected: bool,
}

/// The search form, with the values of the query.
pub struct SlotFormView {
    /// Form action.
    pub action: String,
    /// `data-mode` and the data attributes of the mode: (name, value).
    pub data: Vec<(&'static str, String)>,
    /// Free text.
    pub q: String,
    /// Postcode.
    pub postcode: String,
    /// Department.
    pub department: String,
    /// Commune code.
    pub commune: String,
    /// Dose tags.
    pub tags: Vec<OptionView>,
    /// Radii.
    pub radii: Vec<OptionView>,
}

/// The form of `/rendez-vous` and its data attributes.
pub fn slot_form(ctx: &Ctx<'_>, q: &SearchParams) -> SlotFormView {
    let u = ctx.urls;
    let val = |s: &Option<String>| s.clone().unwrap_or_default();
    let tag = q.tag.as_deref().unwrap_or("all");
    let radius = q.radius_km.unwrap_or(50.0);
    SlotFormView {
        action: u.page(Route::Slots),
        data: if ctx.export {
            vec![
                ("data-mode", "static".into()),
                ("data-status", u.api("data/slots/status.json")),
                ("data-index", u.api("data/slots/index.json")),
            ]
        } else {
            vec![
                ("data-mode", "api".into()),
                ("data-places", u.api("api/v1/places")),
                ("data-search", u.api("api/v1/slots/search")),
                ("data-status", u.api("api/v1/slots/status")),
            ]
        },
        q: val(&q.q),
        postcode: val(&q.postcode),
        department: val(&q.department),
        commune: val(&q.commune),
        tags: crate::slots::TAGS
            .iter()
            .map(|(id, fr, en)| OptionView {
                value: (*id).into(),
                text: ctx.lang.t(fr, en).into(),
                selected: *id == tag,
            })
            .collect(),
        radii: crate::slots::RADII
            .iter()
            .map(|r| OptionView {
                value: r.to_string(),
                text: format!("{r} km"),
                selected: (f64::from(*r) - radius).abs() < 0.5,
            })
            .collect(),
    }
}

/// A day of the day picker.
pub struct DayLink {
    /// Link (without JavaScript).
    pub href: String,
    /// `data-day` (empty: every day).
    pub day: String,
    /// « lun. 30 nov. ».
    pub label: String,
    /// Matching slots.
    pub count: String,
    /// The day shown.
    pub current: bool,
}

/// A centre of the results.
pub struct CentreView {
    /// Id.
    pub id: String,
    /// Matching slots (on the day shown).
    pub slots: u64,
    /// `data-distance`.
    pub distance_raw: Option<String>,
    /// Name.
    pub name: String,
    /// Address.
    pub address: String,
    /// « 0,4 km ».
    pub distance: Option<String>,
    /// `phone`, `yes`, `no` or `unknown` (the centre's scan failed).
    pub avail: &'static str,
    /// « 12 créneaux ».
    pub slots_text: String,
    /// « lun. 30 nov. à 09:15 ».
    pub next: Option<String>,
    /// Data from an earlier scan (time).
    pub stale_since: Option<String>,
    /// `https` booking link.
    pub booking: Option<String>,
    /// (tel: URL, display).
    pub phone: Option<(String, String)>,
    /// « Signaler » link (contributions open, live server only).
    pub report_href: Option<String>,
    /// « 3 signalements de créneaux non réservables ces 2 dernières heures ».
    pub signals: Vec<String>,
    /// « Information corrigée par un contributeur le … » (the latest accepted contribution).
    pub contributed: Option<String>,
}

/// The server-rendered answer of a search.
pub struct SlotAnswer {
    /// `data-generated` of the age line.
    pub generated: String,
    /// « mis à jour il y a 12 min ».
    pub age: String,
    /// « données de Keldoc datant de … ; … ».
    pub stale: Option<String>,
    /// Day picker.
    pub days: Vec<DayLink>,
    /// Label of the place searched.
    pub place: String,
    /// « 12 créneaux dans 1 lieu sur 3 trouvés. ».
    pub count: String,
    /// Centres.
    pub centres: Vec<CentreView>,
}

/// The state of the results area.
pub enum SlotOutcome {
    /// No finder: the page says so.
    NoData,
    /// No place given yet.
    Empty,
    /// An error, in the page's language.
    Error(String),
    /// An answer.
    Answer(Box<SlotAnswer>),
}

/// Searches (on the server) and builds the results.
pub fn slot_outcome(ctx: &Ctx<'_>, q: &SearchParams) -> SlotOutcome {
    let Some(finder) = ctx.slots else {
        return SlotOutcome::NoData;
    };
    let mut q = q.clone();
    if !q.has_place()
        && let Some(text) = q.q.as_deref().filter(|t| !t.trim().is_empty())
        && let Some((kind, code)) = access::first_place(finder, text)
    {
        match kind.as_str() {
            "postcode" => q.postcode = Some(code),
            "department" => q.department = Some(code),
            _ => q.commune = Some(code),
        }
    }
    if !q.has_place() {
        return SlotOutcome::Empty;
    }
    let res = match finder.search(&q) {
        Ok(r) => r,
        Err(crate::slots::SearchError::BadParameter { parameter, message }) => {
            return SlotOutcome::Error(i18n::search_error(ctx.lang, &parameter, &message));
        }
        Err(crate::slots::SearchError::Unavailable(_)) => {
            return SlotOutcome::Error(ctx.tx().slot_no_data.to_string());
        }
    };
    let a = access::slot_answer(&res);
    let status = finder.status();
    let l = ctx.lang;
    let tx = ctx.tx();
    let day = q.day.as_deref().filter(|d| a.days.iter().any(|x| x == d));
    let base = format!("{}?{}", ctx.urls.page(Route::Slots), search_query(&q));
    let total: u64 = a.centres.iter().map(|c| c.count(None)).sum();
    let mut days = Vec::new();
    if !a.days.is_empty() {
        days.push(DayLink {
            href: base.clone(),
            day: String::new(),
            label: tx.all_days.into(),
            count: fmt::count(l, total),
            current: day.is_none(),
        });
        for d in &a.days {
            let n: u64 = a.centres.iter().map(|c| c.count(Some(d))).sum();
            days.push(DayLink {
                href: format!("{base}&day={d}"),
                day: d.clone(),
                label: fmt::short_day(l, d),
                count: fmt::count(l, n),
                current: day == Some(d.as_str()),
            });
        }
    }
    let mut centres: Vec<(&access::Centre, u64)> =
        a.centres.iter().map(|c| (c, c.count(day))).collect();
    // The API's order; with a day picked, the centres with slots that day first (stable).
    if day.is_some() {
        centres.sort_by_key(|(_, n)| *n == 0);
    }
    let with = centres.iter().filter(|(_, n)| *n > 0).count() as u64;
    let slots: u64 = centres.iter().map(|(_, n)| n).sum();
    let stale: Vec<String> = a
        .stale_platforms
        .iter()
        .map(|(p, since)| {
            let name = access::platform_name(status.as_ref(), p);
            let since = since
                .as_deref()
                .and_then(|t| fmt::slot_time(l, t))
                .unwrap_or_else(|| "—".into());
            i18n::stale_platform(l, &name, &since)
        })
        .collect();
    SlotOutcome::Answer(Box::new(SlotAnswer {
        age: ctx
            .now
            .and_then(|now| fmt::data_age(l, &a.generated_at, now))
            .unwrap_or_default(),
        generated: a.generated_at.clone(),
        stale: (!stale.is_empty()).then(|| format!("{} {}.", tx.stale_intro, stale.join(" ; "))),
        days,
        place: a.label.clone(),
        count: i18n::slot_count_line(
            l,
            slots,
            with,
            centres.len() as u64,
            centres.iter().filter(|(c, n)| *n == 0 && c.failed).count() as u64,
        ),
        centres: centres
            .into_iter()
            .map(|(c, n)| CentreView {
                id: c.id.clone(),
                slots: n,
                distance_raw: c.distance_km.map(|d| d.to_string()),
                name: c.name.clone(),
                address: c.address.clone(),
                distance: c.distance_km.map(|d| fmt::distance(l, d)),
                avail: if c.phone_only && n == 0 {
                    "phone"
                } else if n > 0 {
                    "yes"
                } else if c.failed {
                    "unknown"
                } else {
                    "no"
                },
                slots_text: i18n::slots(l, n),
                next: c.next_slot.as_deref().and_then(|t| fmt::slot_time(l, t)),
                stale_since: c
                    .stale_since
                    .as_deref()
                    .filter(|_| c.stale)
                    .and_then(|t| fmt::slot_time(l, t)),
                booking: c.booking_url.clone().filter(|u| u.starts_with("https://")),
                phone: c
                    .phone
                    .as_deref()
                    .filter(|p| {
                        !p.is_empty()
                            && p.chars()
                                .all(|ch| ch.is_ascii_digit() || "+ .".contains(ch))
                    })
                    .map(|p| {
                        let tel: String = p.chars().filter(|ch| *ch != ' ' && *ch != '.').collect();
                        (format!("tel:{tel}"), fmt::phone_display(p))
                    }),
                report_href: ctx
                    .contrib
                    .filter(|_| !ctx.export)
                    .map(|_| format!("{}/contribuer?centre_id={}", l.prefix(), qenc(&c.id))),
                signals: ctx
                    .contrib
                    .and_then(|v| v.signals.get(&c.id))
                    .map(|sig| i18n::signals(l, sig.not_bookable, sig.booked))
                    .unwrap_or_default(),
                contributed: c.contributions.last().map(|m| {
                    let at = fmt::paris_time(l, &m.decided_at, true)
                        .unwrap_or_else(|| m.decided_at.clone());
                    let what = if m.change == "added" {
                        tx.added_by_contributor
                    } else {
                        tx.corrected_by_contributor
                    };
                    format!("{what} {at} ({})", m.id)
                }),
            })
            .collect(),
    }))
}

/// Percent-encodes a query value.
fn qenc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
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

// ---------------------------------------------------------------------------------------
// Access to the release and to the finder's JSON answers: the only code reading `Value`s.

/// Reading the release and the slot finder's answers (JSON today).
pub mod access {
    use super::*;
    use vigie_contracts::release::TerritoryFile;

    /// `release.json` text field.
    pub fn manifest_str<'a>(r: &'a Release, key: &str) -> Option<&'a str> {
        let m = &r.manifest;
        match key {
            "release_id" => Some(m.release_id.as_str()),
            "built_at" => Some(m.built_at.as_str()),
            "data_until" => m.data_until.as_deref(),
            "vigie_version" => Some(m.vigie_version.as_str()),
            "data_status" => Some(m.data_status.as_str()),
            _ => None,
        }
    }

    /// `release.json` number field.
    pub fn manifest_num(r: &Release, key: &str) -> Option<f64> {
        let m = &r.manifest;
        // Counts of a release are far below 2^53: exact as f64.
        #[allow(clippy::cast_precision_loss)]
        Some(match key {
            "files_used" => m.files_used as f64,
            "rows_read" => m.rows_read as f64,
            "indicator_rows" => m.indicator_rows as f64,
            "groups" => m.groups as f64,
            "charts" => m.charts as f64,
            "violations_total" => m.violations_total as f64,
            _ => return None,
        })
    }

    /// The latest value of one indicator of a territory.
    #[derive(Clone, Debug, Default)]
    pub struct Latest {
        /// Value.
        pub value: f64,
        /// ISO date.
        pub date: Option<String>,
        /// Level id (`low`…).
        pub level: Option<String>,
        /// Wording in French.
        pub wording_fr: Option<String>,
        /// Wording in English.
        pub wording_en: Option<String>,
        /// Value 7 days before.
        pub before: Option<f64>,
        /// Change in 7 days, percent.
        pub change_percent: Option<f64>,
        /// Change in 7 days, percentage points (indicators in %).
        pub change_points: Option<f64>,
        /// Vaccination projection.
        pub projection: Option<vigie_contracts::release::CoverageProjection>,
    }

    fn latest_of(k: &vigie_contracts::release::LatestValue) -> Latest {
        Latest {
            value: k.value,
            date: Some(k.date.clone()).filter(|d| !d.is_empty()),
            level: k.level.clone(),
            wording_fr: k.wording_fr.clone(),
            wording_en: k.wording_en.clone(),
            before: k.value_7_days_before,
            change_percent: k.change_7_days_percent,
            change_points: k.change_7_days_points,
            projection: k.projection.clone(),
        }
    }

    /// The latest value of `id` in `t`.
    pub fn latest(t: &TerritorySummary, id: &str) -> Option<Latest> {
        t.latest.get(id).map(latest_of)
    }

    /// Every latest value of `t`.
    pub fn latest_all(t: &TerritorySummary) -> Vec<(String, Latest)> {
        t.latest
            .iter()
            .map(|(id, k)| (id.clone(), latest_of(k)))
            .collect()
    }

    /// An indicator of the data dictionary.
    #[derive(Clone, Debug, Default)]
    pub struct IndicatorInfo {
        /// Id.
        pub id: String,
        /// French label.
        pub label_fr: String,
        /// English label.
        pub label_en: String,
        /// Unit.
        pub unit: String,
        /// Formula in words.
        pub formula: String,
    }

    /// The indicators of the release's data dictionary.
    pub fn dictionary(r: &Release) -> Vec<IndicatorInfo> {
        r.dictionary
            .indicators
            .iter()
            .map(|i| IndicatorInfo {
                id: i.id.clone(),
                label_fr: i.label_fr.clone(),
                label_en: i.label_en.clone(),
                unit: i.unit.clone(),
                formula: i.formula.clone(),
            })
            .collect()
    }

    /// The full document of a territory (every series).
    pub fn territory_full(r: &Release, key: &str) -> Option<TerritoryFile> {
        crate::data::territory_full(r, key)
    }

    /// Whether the territory has the series `id` (breakdown `all`).
    pub fn has_series(full: &TerritoryFile, id: &str) -> bool {
        full.indicators
            .get(id)
            .is_some_and(|b| b.contains_key("all"))
    }

    /// (value, date) of the latest value of `id` in a full territory document.
    pub fn full_latest(full: &TerritoryFile, id: &str) -> Option<(f64, String)> {
        let k = full.head.latest.get(id)?;
        Some((k.value, k.date.clone()))
    }

    /// Weekly samples (every 7th day back from the last) of a series: (date, value).
    pub fn weekly(full: &TerritoryFile, id: &str, weeks: usize) -> Vec<(String, Option<f64>)> {
        let Some(series) = full.indicators.get(id).and_then(|b| b.get("all")) else {
            return Vec::new();
        };
        let n = series.values.len();
        let mut out = Vec::new();
        for w in 0..weeks {
            let Some(i) = n.checked_sub(1).and_then(|l| l.checked_sub(w * 7)) else {
                break;
            };
            let date = i64::try_from(i)
                .ok()
                .and_then(|i| crate::data::add_days(&series.start, i))
                .unwrap_or_default();
            out.push((date, series.get(i)));
        }
        out.reverse();
        out
    }

    /// A source file of `sources.json`.
    pub struct SourceFile {
        /// File name.
        pub file: String,
        /// Dataset title (or source id).
        pub title: String,
        /// First date.
        pub first_date: Option<String>,
        /// Last date.
        pub last_date: Option<String>,
        /// Rows.
        pub rows: Option<u64>,
        /// SHA-256.
        pub sha256: String,
        /// What a reader must know about the source (catalogue `note`).
        pub note: Option<String>,
    }

    /// The input files of the release.
    pub fn source_files(r: &Release) -> Vec<SourceFile> {
        r.sources
            .files
            .iter()
            .map(|f| SourceFile {
                file: f.file.clone(),
                title: f
                    .title
                    .clone()
                    .or_else(|| f.source.clone())
                    .unwrap_or_default(),
                first_date: f.first_date.clone(),
                last_date: f.last_date.clone(),
                rows: f.rows,
                sha256: f.sha256.clone(),
                note: f.note.clone(),
            })
            .collect()
    }

    /// The gate's refusal of the last build: (release id, « check : detail » of each failure).
    pub fn gate_refusal(r: &Release) -> Option<(String, Vec<String>)> {
        let last = &r.status.as_ref()?.last_build;
        if last.state != vigie_contracts::release::BuildState::Refused {
            return None;
        }
        let failures = last
            .gate
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| format!("{} : {}", c.check, c.detail))
            .collect();
        Some((last.release_id.clone(), failures))
    }

    /// A platform of the slot status.
    pub struct PlatformState {
        /// Display name.
        pub name: String,
        /// `ok`, `degraded`, `failed`, `not_scanned`.
        pub status: String,
        /// Centres carried from an earlier scan.
        pub stale: bool,
        /// Centres.
        pub centres: Option<u64>,
        /// Centres with slots.
        pub centres_with_slots: Option<u64>,
        /// Last success (RFC 3339).
        pub last_success: Option<String>,
        /// Error summary.
        pub error: Option<String>,
    }

    /// The platforms of a slot status document.
    pub fn platform_states(status: &crate::slots::ScanStatus) -> Vec<PlatformState> {
        status
            .platforms
            .iter()
            .map(|p| PlatformState {
                name: if p.name.is_empty() {
                    p.platform.clone()
                } else {
                    p.name.clone()
                },
                status: match p.status {
                    vigie_finder::PlatformState::Ok => "ok",
                    vigie_finder::PlatformState::Degraded => "degraded",
                    vigie_finder::PlatformState::Failed => "failed",
                    vigie_finder::PlatformState::NotScanned => "not_scanned",
                }
                .into(),
                stale: p.stale,
                centres: Some(u64::from(p.centres)),
                centres_with_slots: Some(u64::from(p.centres_with_slots)),
                last_success: p.last_success.clone(),
                error: p.error.clone(),
            })
            .collect()
    }

    /// `generated_at` of a slot status document.
    pub fn status_generated_at(status: &crate::slots::ScanStatus) -> Option<String> {
        Some(status.generated_at.clone()).filter(|t| !t.is_empty())
    }

    /// Display name of a platform slug.
    pub fn platform_name(status: Option<&crate::slots::ScanStatus>, slug: &str) -> String {
        status
            .and_then(|s| s.platforms.iter().find(|p| p.platform == slug))
            .map(|p| p.name.as_str())
            .filter(|n| !n.is_empty())
            .unwrap_or(slug)
            .to_string()
    }

    /// A point of the slot history.
    pub struct HistoryPoint {
        /// RFC 3339.
        pub time: String,
        /// Places read.
        pub centres: Option<u64>,
        /// Places with slots.
        pub centres_with_slots: Option<u64>,
        /// Slots.
        pub slots: Option<u64>,
    }

    /// The France-wide slot history, oldest first.
    pub fn history(f: &dyn SlotFinder) -> Option<Vec<HistoryPoint>> {
        Some(
            f.history(None)?
                .into_iter()
                .map(|p| HistoryPoint {
                    time: p.time,
                    centres: Some(p.centres),
                    centres_with_slots: Some(p.centres_with_slots),
                    slots: Some(p.slots),
                })
                .collect(),
        )
    }

    /// The first autocomplete entry of a text: (kind, code).
    pub fn first_place(f: &dyn SlotFinder, text: &str) -> Option<(String, String)> {
        let first = f.places(text, 1).into_iter().next()?;
        let kind = match first.kind {
            vigie_finder::PlaceKind::Commune => "commune",
            vigie_finder::PlaceKind::Postcode => "postcode",
            vigie_finder::PlaceKind::Department => "department",
        };
        Some((kind.into(), first.code))
    }

    /// A centre of a search answer.
    pub struct Centre {
        /// Id.
        pub id: String,
        /// Name.
        pub name: String,
        /// Address.
        pub address: String,
        /// Distance.
        pub distance_km: Option<f64>,
        /// Matching slots, all days.
        pub matching: u64,
        /// Matching slots per day.
        pub daily: Vec<(String, u64)>,
        /// Booking by phone only.
        pub phone_only: bool,
        /// Next slot (RFC 3339).
        pub next_slot: Option<String>,
        /// Carried from an earlier scan.
        pub stale: bool,
        /// Its scan failed (availability unknown, not « no slot »).
        pub failed: bool,
        /// Since when.
        pub stale_since: Option<String>,
        /// Booking URL.
        pub booking_url: Option<String>,
        /// Phone.
        pub phone: Option<String>,
        /// Accepted contributions that changed or added it.
        pub contributions: Vec<vigie_finder::ContributionMark>,
    }

    impl Centre {
        /// Matching slots on `day` (all days when None).
        pub fn count(&self, day: Option<&str>) -> u64 {
            match day {
                None => self.matching,
                Some(d) => self
                    .daily
                    .iter()
                    .find(|(x, _)| x == d)
                    .map_or(0, |(_, n)| *n),
            }
        }
    }

    /// A search answer.
    pub struct Answer {
        /// Scan time.
        pub generated_at: String,
        /// Label of the place.
        pub label: String,
        /// Days of the scan.
        pub days: Vec<String>,
        /// (platform slug, stale since).
        pub stale_platforms: Vec<(String, Option<String>)>,
        /// Centres in the API's order.
        pub centres: Vec<Centre>,
    }

    /// Reads a search answer (docs/slots-api.md).
    pub fn slot_answer(res: &crate::slots::SlotSearch) -> Answer {
        Answer {
            generated_at: res.generated_at.clone(),
            label: res.query.label.clone().unwrap_or_default(),
            days: res.days.clone(),
            stale_platforms: res
                .stale_platforms
                .iter()
                .map(|p| (p.platform.clone(), p.stale_since.clone()))
                .collect(),
            centres: res
                .centres
                .iter()
                .map(|c| Centre {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    address: c.address.clone().unwrap_or_default(),
                    distance_km: c.distance_km,
                    matching: c.matching_slots,
                    daily: c
                        .daily_matching
                        .iter()
                        .map(|x| (x.date.clone(), u64::from(x.count)))
                        .collect(),
                    phone_only: c.phone_only,
                    next_slot: c.next_slot.clone(),
                    stale: c.status == Some(vigie_finder::CentreStatus::Stale),
                    failed: c.status == Some(vigie_finder::CentreStatus::Error),
                    stale_since: c.stale_since.clone(),
                    booking_url: c.booking_url.clone(),
                    phone: c.phone.clone(),
                    contributions: c.contributions.clone(),
                })
                .collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The world: `/monde` and `/monde/{alpha3}`.

/// An option of a select.
pub struct ChoiceView {
    /// Value sent.
    pub value: String,
    /// Label.
    pub label: String,
    /// Selected.
    pub selected: bool,
}

/// A column head of the ranking: a link sorting by that column.
pub struct SortHead {
    /// Label.
    pub label: &'static str,
    /// The page sorted by this column (descending first, ascending when it already is).
    pub href: String,
    /// `aria-sort` (`descending`, `ascending`), none when not sorted by it.
    pub aria_sort: Option<&'static str>,
    /// Numeric column.
    pub num: bool,
}

/// A row of the ranking (or of the aggregates' table).
pub struct RankRow {
    /// Rank (empty for aggregates).
    pub rank: String,
    /// Territory key (`ISO-FRA`).
    pub key: String,
    /// Country page, when the territory is a country.
    pub href: Option<String>,
    /// Name.
    pub name: String,
    /// Value, formatted.
    pub value: String,
    /// The value as published (`data-value`, for scripts and tests).
    pub raw: String,
    /// Date of the value, formatted.
    pub date: String,
    /// Population, formatted (— when unknown).
    pub population: String,
    /// Alpha-3 code, for the comparison checkbox (countries only).
    pub code: Option<String>,
    /// Among the compared countries.
    pub compared: bool,
}

/// The world map: where its data are.
pub struct WorldMapView {
    /// `data-map`: the choropleth document.
    pub data_map: String,
    /// `data-geo`: the outlines (GeoJSON).
    pub data_geo: String,
}

/// The names of the query keys in the page's language.
pub struct QueryKeys {
    /// `pays` / `countries`.
    pub countries: &'static str,
    /// `indicateur` / `indicator`.
    pub indicator: &'static str,
    /// `echelle` / `scale`.
    pub scale: &'static str,
}

/// `/monde`.
pub struct WorldView {
    /// The form's target (the page without query).
    pub action: String,
    /// Query keys.
    pub keys: QueryKeys,
    /// Indicators.
    pub indicators: Vec<ChoiceView>,
    /// Sources.
    pub sources: Vec<ChoiceView>,
    /// Scales.
    pub scales: Vec<ChoiceView>,
    /// `FRA,DEU,…`.
    pub countries_value: String,
    /// Codes left out, joined.
    pub dropped: Option<String>,
    /// Label of the indicator, with its unit and source (« … (par million d'hab., OMS) »).
    pub indicator_label: String,
    /// The map.
    pub map: WorldMapView,
    /// Ranking heads.
    pub heads: Vec<SortHead>,
    /// Ranking rows.
    pub rows: Vec<RankRow>,
    /// World, continents, WHO regions.
    pub aggregates: Vec<RankRow>,
    /// Pseudo-countries: (name, cumulated cases and source, formatted).
    pub non_countries: Vec<(String, String)>,
    /// The comparison chart.
    pub compare: Option<ChartView>,
    /// `log` or `linear` (`data-scale` of the comparison).
    pub scale: &'static str,
    /// The comparison's series (label, colour), in legend order.
    pub legend: Vec<(String, String)>,
    /// Rendered for the static export (one page: the default choices).
    pub export: bool,
}

fn world_query_keys(lang: Lang) -> QueryKeys {
    QueryKeys {
        countries: lang.t("pays", "countries"),
        indicator: lang.t("indicateur", "indicator"),
        scale: lang.t("echelle", "scale"),
    }
}

fn population_text(ctx: &Ctx<'_>, t: &TerritorySummary) -> String {
    t.population
        .filter(|p| *p > 0.0)
        .map_or_else(|| "—".into(), |p| ctx.num(p, 0))
}

/// The view of `/monde` for the reader's choices `q`.
pub fn world(ctx: &Ctx<'_>, q: &crate::world::WorldQuery) -> WorldView {
    use crate::world::{self, SortKey};
    let tx = ctx.tx();
    let r = ctx.release;
    let lang = ctx.lang;
    let d = usize::from(world::decimals(q.indicator));
    let page = ctx.urls.page(Route::World);
    // Links carry the query only on the server (the static export has one page per path).
    let with_query = |query: String| {
        if ctx.urls.is_export() {
            page.clone()
        } else {
            format!("{page}?{query}")
        }
    };
    let row_of = |rank: String, t: &TerritorySummary, l: &crate::release::SeriesLatest| {
        let code = crate::routes::country_code(t).map(str::to_string);
        RankRow {
            rank,
            key: t.key.clone(),
            href: code
                .as_deref()
                .map(|c| ctx.urls.page(Route::WorldCountry(c))),
            name: world::name(t, lang),
            value: ctx.num(l.value, d),
            raw: l.value.to_string(),
            date: ctx.date(&l.date),
            population: population_text(ctx, t),
            compared: code.as_ref().is_some_and(|c| q.countries.contains(c)),
            code,
        }
    };
    let ranked = world::ranking(r, q.indicator, q.source);
    let mut rows: Vec<(usize, RankRow)> = ranked
        .iter()
        .enumerate()
        .map(|(i, (t, l))| (i, row_of((i + 1).to_string(), t, l)))
        .collect();
    match q.sort {
        SortKey::Value => {}
        SortKey::Name => rows.sort_by_key(|r| fold_name(&r.1.name)),
        SortKey::Date => rows.sort_by(|a, b| {
            ranked[b.0]
                .1
                .date
                .cmp(&ranked[a.0].1.date)
                .then(a.0.cmp(&b.0))
        }),
        SortKey::Population => rows.sort_by(|a, b| {
            let p = |i: usize| ranked[i].0.population.unwrap_or(0.0);
            p(b.0).total_cmp(&p(a.0)).then(a.0.cmp(&b.0))
        }),
    }
    // Ascending by value is the ranking read from the bottom; for the name, A to Z comes first.
    let natural_ascending = q.sort == SortKey::Name;
    if q.ascending != natural_ascending {
        rows.reverse();
    }
    let head = |label: &'static str, key: SortKey, num: bool| {
        let current = q.sort == key;
        let default_asc = key == SortKey::Name;
        let asc = if current { !q.ascending } else { default_asc };
        SortHead {
            label,
            href: with_query(q.to_query(lang, Some((key, asc)))),
            aria_sort: current.then_some(if q.ascending {
                "ascending"
            } else {
                "descending"
            }),
            num,
        }
    };
    let (label, unit) = world::label(r, lang, q.indicator);
    let aggregates = world::aggregates(r)
        .into_iter()
        .filter_map(|t| {
            let l = world::latest(t, q.indicator, q.source)?;
            Some(row_of(String::new(), t, l))
        })
        .collect();
    let non_countries = r
        .territories
        .iter()
        .filter(|t| t.level == "non_country")
        .map(|t| {
            let cases = world::SOURCES.iter().find_map(|s| {
                world::latest(t, "cases_cum", s).map(|l| {
                    format!(
                        "{} {} ({}, {} {})",
                        ctx.num(l.value, 0),
                        lang.t("cas", "cases"),
                        s.short(lang),
                        tx.on_date,
                        ctx.date(&l.date)
                    )
                })
            });
            (world::name(t, lang), cases.unwrap_or_else(|| "—".into()))
        })
        .collect();
    let compare = world::compare_spec(r, &q.countries, q.indicator, q.source, ctx.demo);
    let legend = compare
        .as_ref()
        .map(|s| {
            s.series
                .iter()
                .map(|se| (se.label.get(spec_lang(lang)).to_string(), se.color.clone()))
                .collect()
        })
        .unwrap_or_default();
    let compare = compare.map(|spec| {
        let query = format!(
            "countries={}&indicator={}&source={}",
            q.countries.join(","),
            q.indicator,
            q.source.slug
        );
        let (img, json) = if ctx.urls.is_export() {
            (
                ctx.urls.file(&format!(
                    "api/v1/world/compare/{}/{}.svg",
                    q.source.slug, q.indicator
                )),
                ctx.urls.api(&format!(
                    "api/v1/world/compare/{}/{}",
                    q.source.slug, q.indicator
                )),
            )
        } else {
            (
                format!(
                    "{}?{query}&lang={}",
                    ctx.urls.api("api/v1/world/compare.svg"),
                    lang.code()
                ),
                format!("{}?{query}", ctx.urls.api("api/v1/world/compare")),
            )
        };
        chart_view(ctx, &spec, img, json)
    });
    WorldView {
        action: page.clone(),
        keys: world_query_keys(lang),
        indicators: world::INDICATORS
            .iter()
            .map(|i| ChoiceView {
                value: (*i).to_string(),
                label: world::label(r, lang, i).0,
                selected: *i == q.indicator,
            })
            .collect(),
        sources: world::SOURCES
            .iter()
            .map(|s| ChoiceView {
                value: s.slug.to_string(),
                label: s.long(lang).to_string(),
                selected: s.slug == q.source.slug,
            })
            .collect(),
        scales: [
            (lang.t("lineaire", "linear"), tx.world_scale_linear, !q.log),
            ("log", tx.world_scale_log, q.log),
        ]
        .into_iter()
        .map(|(v, l, sel)| ChoiceView {
            value: v.to_string(),
            label: l.to_string(),
            selected: sel,
        })
        .collect(),
        countries_value: q.countries.join(","),
        dropped: (!q.dropped.is_empty()).then(|| q.dropped.join(", ")),
        // The unit only when the label does not already say it (« … par million d'habitants »).
        indicator_label: if label.contains("million") || unit.is_empty() {
            format!("{label} — {}", q.source.short(lang))
        } else {
            format!("{label} ({unit}) — {}", q.source.short(lang))
        },
        map: WorldMapView {
            data_map: ctx.urls.api(&format!(
                "api/v1/world/map/{}/{}",
                q.source.slug, q.indicator
            )),
            data_geo: ctx.urls.file(&format!(
                "assets/vendor/world-atlas-{}/countries.geo.json",
                assets::WORLD_ATLAS
            )),
        },
        heads: vec![
            head(tx.world_rank, SortKey::Value, true),
            head(tx.world_country, SortKey::Name, false),
            head(tx.value, SortKey::Value, true),
            head(tx.date, SortKey::Date, true),
            head(tx.world_population, SortKey::Population, true),
        ],
        rows: rows.into_iter().map(|(_, r)| r).collect(),
        aggregates,
        non_countries,
        compare,
        scale: if q.log { "log" } else { "linear" },
        legend,
        export: ctx.urls.is_export(),
    }
}

/// A name folded for sorting (accents and case ignored).
fn fold_name(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' | 'å' | 'ã' | 'À' | 'Â' | 'Ä' | 'Á' | 'Å' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
            'î' | 'ï' | 'í' | 'Î' | 'Ï' | 'Í' => 'i',
            'ô' | 'ö' | 'ó' | 'õ' | 'Ô' | 'Ö' | 'Ó' => 'o',
            'ù' | 'û' | 'ü' | 'ú' | 'Ù' | 'Û' | 'Ü' | 'Ú' => 'u',
            'ç' | 'Ç' => 'c',
            'ñ' | 'Ñ' => 'n',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// A latest value of a country page: indicator, source, value and date.
pub struct CountryFigure {
    /// Indicator label.
    pub label: String,
    /// Source short name.
    pub source: &'static str,
    /// Value.
    pub value: String,
    /// Date.
    pub date: String,
}

/// An input file of a country page.
pub struct CountrySource {
    /// File.
    pub file: String,
    /// Dataset title.
    pub dataset: String,
    /// Vintage (— when none).
    pub vintage: String,
    /// First → last date.
    pub period: String,
    /// SHA-256 (full).
    pub sha: String,
    /// When it was fetched (— when imported by hand).
    pub fetched: String,
}

/// A cross-check of a country page.
pub struct CheckRow {
    /// Quantity compared (label).
    pub quantity: String,
    /// Which series against which.
    pub compared: String,
    /// Dates compared.
    pub dates: String,
    /// Mean relative difference, in %.
    pub mean: String,
    /// Largest one, in %, with its date.
    pub max: String,
    /// Why they differ.
    pub explanation: String,
}

/// A downward revision of a country page.
pub struct RevisionRow {
    /// Date.
    pub date: String,
    /// Indicator label.
    pub indicator: String,
    /// Source.
    pub source: String,
    /// Total before.
    pub before: String,
    /// Total after.
    pub after: String,
}

/// `/monde/{alpha3}`.
pub struct CountryView {
    /// Name.
    pub name: String,
    /// Continent and WHO region, in words.
    pub subtitle: Option<String>,
    /// Latest figures per source.
    pub kpis: Vec<KpiView>,
    /// Charts.
    pub charts: Vec<ChartView>,
    /// Every latest value per source.
    pub figures: Vec<CountryFigure>,
    /// Input files of its sources.
    pub sources: Vec<CountrySource>,
    /// JHU vs WHO (and OWID, SPF) comparisons.
    pub checks: Vec<CheckRow>,
    /// Downward revisions.
    pub revisions: Vec<RevisionRow>,
    /// « 12 révisions ».
    pub revisions_count: String,
    /// CSV, JSON, API.
    pub open_data: Vec<Link>,
    /// The France dashboard (France only).
    pub france: Option<String>,
    /// `/monde`.
    pub world_href: String,
    /// Population used for the rates.
    pub population: Option<String>,
}

/// The view of a country page.
pub fn country(ctx: &Ctx<'_>, t: &TerritorySummary) -> CountryView {
    use crate::world;
    let tx = ctx.tx();
    let r = ctx.release;
    let lang = ctx.lang;
    let name_of = |key: &str| r.territory(key).map(|t| world::name(t, lang));
    let subtitle = t.world.as_ref().and_then(|w| {
        let mut parts = Vec::new();
        if let Some(c) = w.continent.as_deref().and_then(name_of) {
            parts.push(format!("{} : {c}", tx.continent));
        }
        if let Some(c) = w.who_region.as_deref().and_then(name_of) {
            parts.push(format!("{} : {c}", tx.who_region));
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    });
    let mut kpis = Vec::new();
    for s in &world::SOURCES {
        for id in [
            "cases_cum",
            "deaths_cum",
            "cases_7d_per_million",
            "deaths_7d_per_million",
        ] {
            let Some(l) = world::latest(t, id, s) else {
                continue;
            };
            let (label, unit) = world::label(r, lang, id);
            kpis.push(KpiView {
                id: format!("{id}-{}", s.slug),
                label: format!("{label} — {}", s.short(lang)),
                value: ctx.num(l.value, usize::from(world::decimals(id))),
                unit: if id.ends_with("_cum") {
                    String::new()
                } else {
                    unit
                },
                level_word: None,
                level_class: String::new(),
                change: None,
                date: ctx.date(&l.date),
                projection: None,
                report_href: None,
                errata: Vec::new(),
            });
        }
    }
    let charts = world::country_specs(r, &t.key, ctx.demo)
        .iter()
        .map(|spec| {
            let rel = format!("api/v1/world/charts/{}/{}", t.key, spec.id);
            chart_view(
                ctx,
                spec,
                format!(
                    "{}{}",
                    ctx.urls.file(&format!("{rel}.svg")),
                    if ctx.urls.is_export() {
                        String::new()
                    } else {
                        format!("?lang={}", lang.code())
                    }
                ),
                ctx.urls.api(&rel),
            )
        })
        .collect();
    let mut figures: Vec<(String, usize, CountryFigure)> = t
        .series_latest
        .iter()
        .filter_map(|((id, b), l)| {
            let s = world::source_of_breakdown(b)?;
            let (label, _) = world::label(r, lang, id);
            let order = world::SOURCES.iter().position(|x| x == s).unwrap_or(0);
            Some((
                label.to_lowercase(),
                order,
                CountryFigure {
                    label,
                    source: s.short(lang),
                    value: ctx.num(l.value, usize::from(world::decimals(id))),
                    date: ctx.date(&l.date),
                },
            ))
        })
        .collect();
    figures.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let used: Vec<&str> = t
        .series_latest
        .keys()
        .filter_map(|(_, b)| world::source_of_breakdown(b).map(|s| s.source_prefix))
        .collect();
    let sources = r
        .sources
        .files
        .iter()
        .filter(|f| {
            f.source
                .as_deref()
                .is_some_and(|s| used.iter().any(|p| s.starts_with(p)))
        })
        .map(|f| CountrySource {
            file: f.file.clone(),
            dataset: f
                .title
                .clone()
                .or_else(|| f.source.clone())
                .unwrap_or_default(),
            vintage: f.vintage.clone().unwrap_or_else(|| "—".into()),
            period: format!(
                "{} → {}",
                ctx.date(f.first_date.as_deref().unwrap_or("—")),
                ctx.date(f.last_date.as_deref().unwrap_or("—"))
            ),
            sha: f.sha256.clone(),
            fetched: f
                .fetched_at
                .as_deref()
                .map_or_else(|| "—".into(), |at| paris(ctx, at)),
        })
        .collect();
    let checks_file: Option<vigie_contracts::release::ChecksFile> =
        std::fs::read(r.dir.join("open-data/checks.json"))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
    let breakdown_name = |b: &str| {
        world::source_of_breakdown(b).map_or_else(|| b.to_string(), |s| s.short(lang).to_string())
    };
    let pct = |v: f64| format!("{}\u{a0}%", ctx.num(v * 100.0, 1));
    let checks = checks_file
        .as_ref()
        .map(|c| {
            c.checks
                .iter()
                .filter(|c| {
                    c.territory == t.key
                        || (c.kind == "spf_vs_world"
                            && c.reference.split(' ').next() == Some(t.key.as_str()))
                })
                .map(|c| CheckRow {
                    quantity: c
                        .quantity
                        .split(" + ")
                        .map(|q| world::label(r, lang, q).0)
                        .collect::<Vec<_>>()
                        .join(" + "),
                    compared: if c.kind == "spf_vs_world" {
                        format!(
                            "Santé publique France / {}",
                            reference_name(lang, &c.reference)
                        )
                    } else {
                        format!(
                            "{} / {}",
                            breakdown_name(&c.breakdown),
                            reference_name(lang, &c.reference)
                        )
                    },
                    dates: fmt::count(lang, c.dates_compared as u64),
                    mean: pct(c.mean_relative_difference),
                    max: match &c.at {
                        Some(at) => format!(
                            "{} ({} {})",
                            pct(c.max_relative_difference),
                            tx.on_date,
                            ctx.date(at)
                        ),
                        None => pct(c.max_relative_difference),
                    },
                    explanation: match lang {
                        Lang::Fr => c.explanation_fr.clone(),
                        Lang::En => c.explanation_en.clone(),
                    }
                    .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let revisions: Vec<RevisionRow> = checks_file
        .as_ref()
        .map(|c| {
            c.revisions
                .iter()
                .filter(|v| v.territory == t.key)
                .map(|v| RevisionRow {
                    date: ctx.date(&v.date),
                    indicator: world::label(r, lang, &v.indicator).0,
                    source: breakdown_name(&v.breakdown),
                    before: ctx.num(v.before, 0),
                    after: ctx.num(v.after, 0),
                })
                .collect()
        })
        .unwrap_or_default();
    let key = &t.key;
    CountryView {
        name: world::name(t, lang),
        subtitle,
        kpis,
        charts,
        figures: figures.into_iter().map(|(_, _, f)| f).collect(),
        sources,
        checks,
        revisions_count: fmt::plural(
            lang,
            revisions.len() as u64,
            lang.t("révision", "revision"),
            lang.t("révisions", "revisions"),
        ),
        revisions,
        open_data: vec![
            Link {
                href: ctx.urls.file(&format!("open-data/territories/{key}.csv")),
                text: format!("{key}.csv"),
            },
            Link {
                href: ctx.urls.file(&format!("open-data/territories/{key}.json")),
                text: format!("{key}.json"),
            },
            Link {
                href: ctx.urls.api(&format!("api/v1/territories/{key}")),
                text: format!("/api/v1/territories/{key}"),
            },
        ],
        france: (key == "ISO-FRA" && r.territory("FR").is_some())
            .then(|| ctx.urls.page(Route::Territory("FR"))),
        world_href: ctx.urls.page(Route::World),
        population: t.population.filter(|p| *p > 0.0).map(|p| {
            format!(
                "{} {} ({}).",
                tx.population_used,
                ctx.num(p, 0),
                lang.t("table des pays de Vigie", "Vigie's countries table")
            )
        }),
    }
}

/// The publisher of a check's reference (`WHO (source:who)` → « OMS », `owid_total_cases` →
/// « Our World in Data »), the reference itself otherwise.
fn reference_name(lang: Lang, reference: &str) -> String {
    if let Some(s) = crate::world::SOURCES
        .iter()
        .find(|s| reference.contains(s.breakdown))
    {
        return s.short(lang).to_string();
    }
    if reference.starts_with("owid") {
        return "Our World in Data".into();
    }
    if reference.starts_with("spf") || reference.contains("Santé publique France") {
        return "Santé publique France".into();
    }
    reference.to_string()
}

/// « La France dans le monde » on the France dashboard, when the release has France's
/// international series.
pub fn france_in_world(ctx: &Ctx<'_>, t: &TerritorySummary) -> Option<String> {
    (t.key == "FR" && crate::routes::world_country(ctx.release, "FRA").is_some())
        .then(|| ctx.urls.page(Route::WorldCountry("FRA")))
}
