//! Server-rendered HTML pages, French first (English under `/en`), readable without JavaScript;
//! scripts only enhance them (interactive map, charts, slot search).
//!
//! Each page is an askama template (`templates/`, escaping by default) over a typed view model
//! of [`crate::views`]; the frame is `layout.html`, the KPI cards `kpi.html`, the chart figures
//! `chart.html`, the map `map.html`. No HTML is assembled in Rust.

use askama::Template;

use crate::assets;
use crate::routes::Route;
use crate::slots::SearchParams;
use crate::views::{self, LayoutView, Needs, SlotOutcome};

pub use crate::views::Ctx;

/// A page could not be rendered.
#[derive(Debug, thiserror::Error)]
#[error("rendering a page: {0}")]
pub struct RenderError(#[from] askama::Error);

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: LayoutView,
    headlines: Vec<views::HeadlineView>,
    kpis: Vec<views::KpiView>,
    slot_action: String,
    has_vaccination: bool,
    vaccination_href: String,
    map: Option<views::MapView>,
    france: Option<String>,
    regions: Vec<views::TerritoryLink>,
    territories_href: String,
}

#[derive(Template)]
#[template(path = "territories.html")]
struct TerritoriesPage {
    l: LayoutView,
    groups: Vec<(&'static str, Vec<views::TerritoryLink>)>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    l: LayoutView,
    name: String,
    selector_action: String,
    options: Vec<views::TerritoryLink>,
    around: views::Around,
    kpis: Vec<views::KpiView>,
    map: Option<views::MapView>,
    charts: Vec<views::ChartView>,
    heatmap: Option<views::HeatmapView>,
    figures: Vec<views::FigureRow>,
    population: Option<String>,
    world: Option<String>,
}

#[derive(Template)]
#[template(path = "world.html")]
struct WorldPage {
    l: LayoutView,
    w: views::WorldView,
}

#[derive(Template)]
#[template(path = "country.html")]
struct CountryPage {
    l: LayoutView,
    c: views::CountryView,
    kpis: Vec<views::KpiView>,
    charts: Vec<views::ChartView>,
}

#[derive(Template)]
#[template(path = "vaccination.html")]
struct VaccinationPage {
    l: LayoutView,
    headlines: Vec<views::HeadlineView>,
    kpis: Vec<views::KpiView>,
    map: Option<views::MapView>,
    charts: Vec<views::ChartView>,
    heads: Vec<String>,
    rows: Vec<(views::TerritoryLink, Vec<String>)>,
}

#[derive(Template)]
#[template(path = "sources.html")]
struct SourcesPage {
    l: LayoutView,
    refusal: Option<(String, Vec<String>)>,
    dictionary_href: String,
    files: Vec<views::SourceRow>,
    built_at: String,
    platforms: Option<(String, Vec<views::PlatformRow>)>,
}

#[derive(Template)]
#[template(path = "open_data.html")]
struct OpenDataPage {
    l: LayoutView,
    national: Vec<views::FileView>,
    per_territory: Vec<views::TerritoryFileView>,
    header: String,
    big: bool,
    dictionary_md: String,
    dictionary_json: String,
    sources_json: String,
    checks_json: String,
    openapi: String,
    endpoints: Vec<(String, String, String)>,
    /// The live scan's files (href, name, description); empty in a static export.
    slot_files: Vec<(String, String, &'static str)>,
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    l: LayoutView,
    stats: Vec<(&'static str, String)>,
    history: Option<(String, Vec<views::HistoryRow>)>,
    history_src: String,
}

#[derive(Template)]
#[template(path = "about.html")]
struct AboutPage {
    l: LayoutView,
    sources_href: String,
}

#[derive(Template)]
#[template(path = "licences.html")]
struct LicencesPage {
    l: LayoutView,
    leaflet_version: &'static str,
    leaflet_licence: String,
    uplot_version: &'static str,
    uplot_licence: String,
    licences: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "slots.html")]
struct SlotsPage {
    l: LayoutView,
    form: views::SlotFormView,
    outcome: SlotOutcome,
    error: Option<String>,
    export: bool,
    slot_geo: Option<String>,
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage {
    l: LayoutView,
}

const MAP: Needs = Needs {
    map: true,
    charts: false,
};
const MAP_AND_CHARTS: Needs = Needs {
    map: true,
    charts: true,
};

/// Home page.
pub fn home(ctx: &Ctx<'_>) -> Result<String, RenderError> {
    let tx = ctx.tx();
    let r = ctx.release;
    let u = ctx.urls;
    let fr = r.territory("FR");
    let page = HomePage {
        l: views::layout(ctx, Some(Route::Home), tx.title_home, MAP),
        headlines: fr
            .map(|t| views::headlines(ctx, t, "home"))
            .unwrap_or_default(),
        kpis: fr.map(|t| views::kpis(ctx, t, "home")).unwrap_or_default(),
        slot_action: u.page(Route::Slots),
        has_vaccination: fr.is_some_and(|t| !views::kpis(ctx, t, "vaccination").is_empty()),
        vaccination_href: u.page(Route::Vaccination),
        map: views::map(ctx, "FR", "incidence_rate_7d"),
        france: fr.map(|_| u.page(Route::Territory("FR"))),
        regions: views::territory_links(ctx, Some("region"), ""),
        territories_href: u.page(Route::Territories),
    };
    Ok(page.render()?)
}

/// List of every territory.
pub fn territories(ctx: &Ctx<'_>) -> Result<String, RenderError> {
    let tx = ctx.tx();
    let page = TerritoriesPage {
        l: views::layout(
            ctx,
            Some(Route::Territories),
            tx.nav_territories,
            Needs::default(),
        ),
        groups: vec![
            (tx.france, views::territory_links(ctx, Some("country"), "")),
            (tx.regions, views::territory_links(ctx, Some("region"), "")),
            (
                tx.departments,
                views::territory_links(ctx, Some("department"), ""),
            ),
        ],
    };
    Ok(page.render()?)
}

/// Dashboard of one territory.
pub fn dashboard(
    ctx: &Ctx<'_>,
    t: &crate::release::TerritorySummary,
) -> Result<String, RenderError> {
    let page = DashboardPage {
        l: views::layout(ctx, Some(Route::Territory(&t.key)), &t.name, MAP_AND_CHARTS),
        name: t.name.clone(),
        selector_action: ctx
            .urls
            .page_path(&format!("{}/territoire", ctx.lang.prefix())),
        options: views::territory_links(ctx, None, &t.key),
        around: views::around(ctx, t),
        kpis: views::kpis(ctx, t, "territory"),
        map: views::map(ctx, &t.key, "incidence_rate_7d"),
        charts: views::charts(ctx, &t.key, None),
        heatmap: views::incidence_by_age(ctx, &t.key),
        figures: views::figures(ctx, t),
        population: views::population(ctx, t),
        world: views::france_in_world(ctx, t),
    };
    Ok(page.render()?)
}

/// The world: map, ranking and comparison of the countries, for the reader's choices (the
/// URL query).
pub fn world(ctx: &Ctx<'_>, q: &crate::world::WorldQuery) -> Result<String, RenderError> {
    let page = WorldPage {
        l: views::layout(ctx, Some(Route::World), ctx.tx().world_h1, MAP_AND_CHARTS),
        w: views::world(ctx, q),
    };
    Ok(page.render()?)
}

/// The page of one country of the world.
pub fn country(ctx: &Ctx<'_>, t: &crate::release::TerritorySummary) -> Result<String, RenderError> {
    let mut c = views::country(ctx, t);
    let code = crate::routes::country_code(t).unwrap_or(&t.key);
    let page = CountryPage {
        l: views::layout(
            ctx,
            Some(Route::WorldCountry(code)),
            &c.name,
            MAP_AND_CHARTS,
        ),
        kpis: std::mem::take(&mut c.kpis),
        charts: std::mem::take(&mut c.charts),
        c,
    };
    Ok(page.render()?)
}

/// Vaccination: coverage by dose and territory, pace, deliveries, projections.
pub fn vaccination(ctx: &Ctx<'_>) -> Result<String, RenderError> {
    let tx = ctx.tx();
    let kpis = ctx
        .release
        .territory("FR")
        .map(|fr| views::kpis(ctx, fr, "vaccination"))
        .unwrap_or_default();
    let headlines = ctx
        .release
        .territory("FR")
        .map(|fr| views::headlines(ctx, fr, "vaccination"))
        .unwrap_or_default();
    let any = !kpis.is_empty();
    let page = VaccinationPage {
        l: views::layout(
            ctx,
            Some(Route::Vaccination),
            tx.nav_vaccination,
            MAP_AND_CHARTS,
        ),
        headlines,
        map: any
            .then(|| views::map(ctx, "FR", "vaccination_coverage_dose1"))
            .flatten(),
        charts: if any {
            views::charts(ctx, "FR", Some("vaccination"))
        } else {
            Vec::new()
        },
        heads: views::coverage_heads(ctx.lang),
        rows: if any {
            views::coverage_rows(ctx)
        } else {
            Vec::new()
        },
        kpis,
    };
    Ok(page.render()?)
}

/// Sources and freshness.
pub fn sources(ctx: &Ctx<'_>) -> Result<String, RenderError> {
    let tx = ctx.tx();
    let page = SourcesPage {
        l: views::layout(
            ctx,
            Some(Route::Sources),
            tx.title_sources,
            Needs::default(),
        ),
        refusal: views::gate_refusal(ctx),
        dictionary_href: ctx.urls.file("open-data/data-dictionary.md"),
        files: views::source_rows(ctx),
        built_at: views::paris(
            ctx,
            views::access::manifest_str(ctx.release, "built_at").unwrap_or("—"),
        ),
        platforms: views::platforms(ctx),
    };
    Ok(page.render()?)
}

/// Open data and API documentation (the endpoints come from the OpenAPI document).
pub fn open_data(ctx: &Ctx<'_>) -> Result<String, RenderError> {
    let tx = ctx.tx();
    let u = ctx.urls;
    let (national, per_territory) = views::open_data_files(ctx);
    let big = national
        .first()
        .and_then(|f| f.rows)
        .is_some_and(|r| r > 1_048_575);
    let page = OpenDataPage {
        l: views::layout(
            ctx,
            Some(Route::OpenData),
            tx.title_open_data,
            Needs::default(),
        ),
        national,
        per_territory,
        header: vigie_contracts::release::INDICATORS_HEADER
            .trim_end()
            .to_string(),
        big,
        dictionary_md: u.file("open-data/data-dictionary.md"),
        dictionary_json: u.file("open-data/data-dictionary.json"),
        sources_json: u.file("open-data/sources.json"),
        checks_json: u.file("open-data/checks.json"),
        openapi: u.file("api/openapi.json"),
        slot_files: if ctx.export {
            Vec::new()
        } else {
            [
                ("vitemadose/info_centres.json", tx.slot_file_info_centres),
                ("vitemadose/07.json", tx.slot_file_dep),
                ("vitemadose/stats.json", tx.slot_file_stats),
                ("vitemadose/stats_by_date.json", tx.slot_file_stats_by_date),
                ("slots/open-data/centres.csv", tx.slot_file_centres_csv),
                ("slots/open-data/slots.csv", tx.slot_file_slots_csv),
                (
                    "slots/open-data/data-dictionary.md",
                    tx.slot_file_dictionary,
                ),
            ]
            .into_iter()
            .chain(ctx.contrib.is_some().then_some((
                "contributions.csv",
                ctx.lang.t(
                    "Registre public des contributions et des décisions des modérateurs (aussi en Atom : /contributions.atom)",
                    "Public register of contributions and moderators' decisions (also as Atom: /contributions.atom)",
                ),
            )))
            .map(|(path, what)| (u.file(path), format!("/{path}"), what))
            .collect()
        },
        endpoints: crate::api::endpoints()
            .into_iter()
            .map(|(method, path, summary)| {
                let text = match ctx.lang {
                    crate::i18n::Lang::Fr => crate::i18n::endpoint_fr(&path)
                        .map(String::from)
                        .unwrap_or(summary),
                    crate::i18n::Lang::En => summary,
                };
                (method, path, text)
            })
            .collect(),
    };
    Ok(page.render()?)
}

/// Statistics of the release and of the slot scans.
pub fn statistics(ctx: &Ctx<'_>) -> Result<String, RenderError> {
    let tx = ctx.tx();
    let history = views::history(ctx);
    let page = StatisticsPage {
        l: views::layout(
            ctx,
            Some(Route::Statistics),
            tx.nav_statistics,
            Needs {
                map: false,
                charts: history.is_some(),
            },
        ),
        stats: views::release_stats(ctx),
        history,
        history_src: ctx.urls.api("api/v1/slots/history"),
    };
    Ok(page.render()?)
}

/// About.
pub fn about(ctx: &Ctx<'_>) -> Result<String, RenderError> {
    let page = AboutPage {
        l: views::layout(
            ctx,
            Some(Route::About),
            ctx.tx().nav_about,
            Needs::default(),
        ),
        sources_href: ctx.urls.page(Route::Sources),
    };
    Ok(page.render()?)
}

/// Licences of the software and data shipped with the pages.
pub fn licences(ctx: &Ctx<'_>) -> Result<String, RenderError> {
    let u = ctx.urls;
    let page = LicencesPage {
        l: views::layout(
            ctx,
            Some(Route::Licences),
            ctx.tx().nav_licences,
            Needs::default(),
        ),
        leaflet_version: assets::LEAFLET,
        leaflet_licence: u.file(&format!(
            "assets/vendor/leaflet-{}/LICENSE",
            assets::LEAFLET
        )),
        uplot_version: assets::UPLOT,
        uplot_licence: u.file(&format!("assets/vendor/uplot-{}/LICENSE", assets::UPLOT)),
        licences: assets::VENDORED
            .iter()
            .filter(|a| a.path.ends_with("LICENSE"))
            .map(|a| (a.path, String::from_utf8_lossy(a.bytes).into_owned()))
            .collect(),
    };
    Ok(page.render()?)
}

/// The slot finder: a search form that works without JavaScript, the results rendered by the
/// server, and a script adding autocomplete, the day picker, a map view and, in the static
/// export, the search itself.
pub fn slots(ctx: &Ctx<'_>, q: &SearchParams) -> Result<String, RenderError> {
    let outcome = if ctx.export {
        SlotOutcome::Empty
    } else {
        views::slot_outcome(ctx, q)
    };
    let needs = if matches!(outcome, SlotOutcome::NoData) {
        Needs::default()
    } else {
        MAP
    };
    let page = SlotsPage {
        l: views::layout(ctx, Some(Route::Slots), ctx.tx().nav_slots, needs),
        form: views::slot_form(ctx, q),
        error: match &outcome {
            SlotOutcome::Error(e) => Some(e.clone()),
            _ => None,
        },
        outcome,
        export: ctx.export,
        slot_geo: crate::data::geo_path(ctx.release)
            .map(|_| ctx.urls.api("api/v1/geo/departments")),
    };
    Ok(page.render()?)
}

/// 404 page.
pub fn not_found(ctx: &Ctx<'_>) -> Result<String, RenderError> {
    let page = NotFoundPage {
        l: views::layout(ctx, None, ctx.tx().not_found, Needs::default()),
    };
    Ok(page.render()?)
}

/// Renders the page at `path` (without the language prefix); `Ok(None)` for an unknown page.
pub fn render(ctx: &Ctx<'_>, path: &str, q: &SearchParams) -> Result<Option<String>, RenderError> {
    render_query(ctx, path, q, "")
}

/// [`render`] with the raw URL query (`/monde` reads its choices from it).
pub fn render_query(
    ctx: &Ctx<'_>,
    path: &str,
    q: &SearchParams,
    raw_query: &str,
) -> Result<Option<String>, RenderError> {
    let Some(route) = Route::parse(path) else {
        return Ok(None);
    };
    Ok(Some(match route {
        Route::Home => home(ctx)?,
        Route::Territories => territories(ctx)?,
        Route::Vaccination => vaccination(ctx)?,
        Route::Slots => slots(ctx, q)?,
        Route::Sources => sources(ctx)?,
        Route::OpenData => open_data(ctx)?,
        Route::Statistics => statistics(ctx)?,
        Route::About => about(ctx)?,
        Route::Licences => licences(ctx)?,
        Route::Territory(key) => match ctx.release.territory(key) {
            Some(t) if !crate::release::is_world_level(&t.level) => dashboard(ctx, t)?,
            _ => return Ok(None),
        },
        Route::World => world(
            ctx,
            &crate::world::WorldQuery::parse(ctx.release, raw_query),
        )?,
        Route::WorldCountry(code) => match crate::routes::world_country(ctx.release, code) {
            Some(t) => country(ctx, t)?,
            None => return Ok(None),
        },
        // Served by their own handlers (crate::contrib): they change without a new release.
        Route::Contribute | Route::Contributions | Route::Privacy | Route::Moderation => {
            return Ok(None);
        }
    }))
}

/// Paths of every page in French (without the language prefix).
pub fn all_paths(release: &crate::release::Release) -> Vec<String> {
    crate::routes::all_paths(release)
}

/// Paths of every page in `lang` (without the language prefix), for the static export.
pub fn all_paths_in(release: &crate::release::Release, lang: crate::i18n::Lang) -> Vec<String> {
    crate::routes::all_paths_in(release, lang)
}
