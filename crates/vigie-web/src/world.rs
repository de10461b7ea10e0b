//! The world's countries (`/monde`, `/monde/{alpha3}`): what the pages and the API compute
//! at request time from the release's world territories (`ISO-FRA`, `WORLD`, `CONT-EU`…):
//! the latest value of each country, the choropleth document, the ranking and the chart specs
//! (`vigie.chart.v1`, the same contract as the build's charts, so the SVG, the interactive
//! chart and the data table draw one spec). Series are read with their step: JHU CSSE is
//! daily (`P1D`), the WHO weekly (`P7D`, dated on the Sunday ending the week).

use std::collections::BTreeMap;

use serde::Serialize;
use vigie_contracts::chart::{ChartSpec, DrawKind, SpecKind, SpecSeries, day_to_iso, iso_to_day};
use vigie_contracts::release::{DataStatus, PublishedSeries, TerritoryFile};
use vigie_contracts::{L10n, MapSpec};

use crate::i18n::Lang;
use crate::release::{Release, SeriesLatest, TerritorySummary, step_days};

/// A publisher of the world's series (one breakdown of the territory files).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorldSource {
    /// URL value (`who`, `jhu`).
    pub slug: &'static str,
    /// Breakdown key in the territory files (`source:who`).
    pub breakdown: &'static str,
    /// Prefix of its source ids in `sources.json` (`who-`).
    pub source_prefix: &'static str,
    /// Short name (« OMS », « WHO »).
    pub short: (&'static str, &'static str),
    /// Full name.
    pub long: (&'static str, &'static str),
    /// Legend label of its series on a country's chart (« OMS, par semaine »).
    pub series: (&'static str, &'static str),
}

impl WorldSource {
    /// Short name in `lang`.
    pub fn short(&self, lang: Lang) -> &'static str {
        lang.t(self.short.0, self.short.1)
    }
    /// Full name in `lang`.
    pub fn long(&self, lang: Lang) -> &'static str {
        lang.t(self.long.0, self.long.1)
    }
}

/// The sources, the default (the WHO, the longer series) first.
pub const SOURCES: [WorldSource; 2] = [
    WorldSource {
        slug: "who",
        breakdown: "source:who",
        source_prefix: "who-",
        short: ("OMS", "WHO"),
        long: (
            "Organisation mondiale de la santé (OMS), par semaine",
            "World Health Organization (WHO), weekly",
        ),
        series: ("OMS, par semaine", "WHO, weekly"),
    },
    WorldSource {
        slug: "jhu",
        breakdown: "source:jhu",
        source_prefix: "jhu-",
        short: ("JHU", "JHU"),
        long: (
            "Johns Hopkins University CSSE, par jour",
            "Johns Hopkins University CSSE, daily",
        ),
        series: ("JHU CSSE, par jour", "JHU CSSE, daily"),
    },
];

/// A source by its URL value (`oms` is accepted for `who`).
pub fn source(slug: &str) -> Option<&'static WorldSource> {
    let slug = slug.trim().to_ascii_lowercase();
    let slug = if slug == "oms" { "who" } else { slug.as_str() };
    SOURCES.iter().find(|s| s.slug == slug)
}

/// The source of a breakdown key (`source:jhu`).
pub fn source_of_breakdown(b: &str) -> Option<&'static WorldSource> {
    SOURCES.iter().find(|s| s.breakdown == b)
}

/// The indicators a reader can map, rank and compare (the default first).
pub const INDICATORS: [&str; 5] = [
    "cases_cum_per_million",
    "deaths_cum_per_million",
    "cases_7d_per_million",
    "deaths_7d_per_million",
    "incidence_rate_7d",
];

/// Decimals shown for a world indicator.
pub fn decimals(id: &str) -> u8 {
    match id {
        "cases_cum_per_million" => 0,
        "deaths_cum_per_million" | "cases_7d_per_million" | "incidence_rate_7d" => 1,
        "deaths_7d_per_million" | "case_fatality_ratio" => 2,
        _ => 0,
    }
}

/// The countries compared by default.
pub const DEFAULT_COUNTRIES: [&str; 5] = ["FRA", "DEU", "ITA", "ESP", "GBR"];

/// At most this many countries are compared.
pub const MAX_COUNTRIES: usize = 8;

/// Colours of the compared countries (Okabe–Ito, then two dark ones), in legend order.
pub const PALETTE: [&str; MAX_COUNTRIES] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8F6A00", "#56B4E9", "#000000", "#7F3C8D",
];

/// Column a ranking is sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// Value (the rank).
    Value,
    /// Country name.
    Name,
    /// Date of the value.
    Date,
    /// Population.
    Population,
}

impl SortKey {
    /// URL value in `lang`.
    pub fn slug(self, lang: Lang) -> &'static str {
        match self {
            SortKey::Value => lang.t("valeur", "value"),
            SortKey::Name => lang.t("pays", "country"),
            SortKey::Date => "date",
            SortKey::Population => "population",
        }
    }
    fn parse(s: &str) -> Option<SortKey> {
        Some(match s {
            "valeur" | "value" | "rang" | "rank" => SortKey::Value,
            "pays" | "country" | "nom" | "name" => SortKey::Name,
            "date" => SortKey::Date,
            "population" => SortKey::Population,
            _ => return None,
        })
    }
}

/// The reader's choices on `/monde`, all in the URL query.
#[derive(Clone, Debug, PartialEq)]
pub struct WorldQuery {
    /// Alpha-3 codes of the compared countries (known, upper case, at most eight, in order).
    pub countries: Vec<String>,
    /// Codes asked for that the release does not have, or beyond the eighth.
    pub dropped: Vec<String>,
    /// Indicator of the map, ranking and comparison.
    pub indicator: &'static str,
    /// Source.
    pub source: &'static WorldSource,
    /// Logarithmic value axis of the comparison.
    pub log: bool,
    /// Column of the ranking.
    pub sort: SortKey,
    /// Ranking in ascending order.
    pub ascending: bool,
}

impl WorldQuery {
    /// The defaults (France, Germany, Italy, Spain, United Kingdom; cumulative cases per
    /// million; WHO; linear), keeping only the countries the release has.
    pub fn defaults(release: &Release) -> WorldQuery {
        WorldQuery {
            countries: DEFAULT_COUNTRIES
                .iter()
                .filter(|c| crate::routes::world_country(release, c).is_some())
                .map(|c| (*c).to_string())
                .collect(),
            dropped: Vec::new(),
            indicator: INDICATORS[0],
            source: &SOURCES[0],
            log: false,
            sort: SortKey::Value,
            ascending: false,
        }
    }

    /// Reads a query string: French keys (`pays`, `indicateur`, `echelle`, `source`, `tri`,
    /// `ordre`) or English ones (`countries`, `indicator`, `scale`, `source`, `sort`,
    /// `order`); countries as `FRA,DEU` or repeated keys. Unknown values fall back to the
    /// defaults.
    pub fn parse(release: &Release, raw: &str) -> WorldQuery {
        let mut q = WorldQuery::defaults(release);
        let mut asked: Option<Vec<String>> = None;
        for (k, v) in form_urlencoded(raw) {
            match k.as_str() {
                "pays" | "countries" | "country" => {
                    let list = asked.get_or_insert_with(Vec::new);
                    list.extend(
                        v.split([',', ' ', ';'])
                            .map(|c| c.trim().to_ascii_uppercase())
                            .filter(|c| !c.is_empty()),
                    );
                }
                "indicateur" | "indicator" => {
                    if let Some(i) = INDICATORS.iter().find(|i| **i == v) {
                        q.indicator = i;
                    }
                }
                "source" => {
                    if let Some(s) = source(&v) {
                        q.source = s;
                    }
                }
                "echelle" | "scale" => {
                    q.log = matches!(v.as_str(), "log" | "logarithmique" | "logarithmic");
                }
                "tri" | "sort" => {
                    if let Some(s) = SortKey::parse(&v) {
                        q.sort = s;
                    }
                }
                "ordre" | "order" => {
                    q.ascending = matches!(v.as_str(), "croissant" | "asc" | "ascending");
                }
                _ => {}
            }
        }
        if let Some(list) = asked {
            q.countries.clear();
            for c in list {
                if q.countries.contains(&c) || q.dropped.contains(&c) {
                    continue;
                }
                if q.countries.len() < MAX_COUNTRIES
                    && crate::routes::world_country(release, &c).is_some()
                {
                    q.countries.push(c);
                } else {
                    q.dropped.push(c);
                }
            }
        }
        q
    }

    /// The query string of these choices in `lang` (`pays=FRA,DEU&indicateur=…`), with the
    /// ranking's column and order replaced by `sort` when given.
    pub fn to_query(&self, lang: Lang, sort: Option<(SortKey, bool)>) -> String {
        let (sort, ascending) = sort.unwrap_or((self.sort, self.ascending));
        let mut parts = vec![
            format!(
                "{}={}",
                lang.t("pays", "countries"),
                self.countries.join(",")
            ),
            format!("{}={}", lang.t("indicateur", "indicator"), self.indicator),
            format!(
                "{}={}",
                lang.t("echelle", "scale"),
                if self.log {
                    "log"
                } else {
                    lang.t("lineaire", "linear")
                }
            ),
            format!("source={}", self.source.slug),
        ];
        if sort != SortKey::Value || ascending {
            parts.push(format!("{}={}", lang.t("tri", "sort"), sort.slug(lang)));
            parts.push(format!(
                "{}={}",
                lang.t("ordre", "order"),
                if ascending {
                    lang.t("croissant", "asc")
                } else {
                    lang.t("decroissant", "desc")
                }
            ));
        }
        parts.join("&")
    }
}

/// Pairs of a query string, percent-decoded (`+` is a space).
pub fn form_urlencoded(raw: &str) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len() => {
                    let hex = std::str::from_utf8(&b[i + 1..i + 3])
                        .ok()
                        .and_then(|h| u8::from_str_radix(h, 16).ok());
                    match hex {
                        Some(v) => {
                            out.push(v);
                            i += 2;
                        }
                        None => out.push(b'%'),
                    }
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    raw.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(kv), String::new()),
        })
        .collect()
}

/// The label and unit of an indicator from the data dictionary.
pub fn label(release: &Release, lang: Lang, id: &str) -> (String, String) {
    let d = release.dictionary.indicators.iter().find(|i| i.id == id);
    let label = d
        .map(|i| match lang {
            Lang::Fr => i.label_fr.clone(),
            Lang::En => i.label_en.clone(),
        })
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| id.to_string());
    let unit = d
        .map(|i| crate::i18n::unit(lang, &i.unit))
        .unwrap_or_default();
    (label, unit)
}

/// The latest value of `indicator` from `source` in a world territory.
pub fn latest<'t>(
    t: &'t TerritorySummary,
    indicator: &str,
    source: &WorldSource,
) -> Option<&'t SeriesLatest> {
    t.series_latest
        .get(&(indicator.to_string(), source.breakdown.to_string()))
}

/// The countries with a value of `indicator` from `source`, highest value first (ties by
/// name); the value's rank is its position + 1.
pub fn ranking<'r>(
    release: &'r Release,
    indicator: &str,
    source: &WorldSource,
) -> Vec<(&'r TerritorySummary, &'r SeriesLatest)> {
    let mut v: Vec<_> = release
        .territories
        .iter()
        .filter(|t| t.level == "world_country")
        .filter_map(|t| Some((t, latest(t, indicator, source)?)))
        .collect();
    v.sort_by(|a, b| {
        b.1.value
            .total_cmp(&a.1.value)
            .then_with(|| a.0.name.cmp(&b.0.name))
    });
    v
}

/// The aggregates (the world, then continents, then WHO regions), in reference order.
pub fn aggregates(release: &Release) -> Vec<&TerritorySummary> {
    let mut v: Vec<&TerritorySummary> = release
        .territories
        .iter()
        .filter(|t| matches!(t.level.as_str(), "world" | "continent" | "who_region"))
        .collect();
    let rank = |l: &str| match l {
        "world" => 0,
        "continent" => 1,
        _ => 2,
    };
    v.sort_by_key(|t| rank(&t.level));
    v
}

/// The name of a world territory in `lang`.
pub fn name(t: &TerritorySummary, lang: Lang) -> String {
    match (lang, &t.world) {
        (Lang::En, Some(w)) if !w.name_en.is_empty() => w.name_en.clone(),
        _ => t.name.clone(),
    }
}

/// Rounds a class boundary to two significant digits (1 234 → 1 200, 0,0456 → 0,046).
fn nice(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 0.0;
    }
    let mag = 10f64.powf(v.log10().floor() - 1.0);
    (v / mag).round() * mag
}

/// Class boundaries of a set of values: the sextiles of the positive values, rounded to two
/// significant digits, without repeats (none when there are too few values).
pub fn thresholds(values: &[f64]) -> Vec<f64> {
    let mut pos: Vec<f64> = values
        .iter()
        .copied()
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    pos.sort_by(f64::total_cmp);
    if pos.len() < 2 {
        return vec![1.0];
    }
    let mut th: Vec<f64> = Vec::new();
    for k in 1..6 {
        let i = (pos.len() * k / 6).min(pos.len() - 1);
        let t = nice(pos[i]);
        if t > 0.0 && th.last().is_none_or(|l| t > *l) {
            th.push(t);
        }
    }
    if th.is_empty() {
        th.push(nice(pos[pos.len() / 2]).max(1.0));
    }
    th
}

/// `/api/v1/world/map/{source}/{indicator}`: the choropleth of one indicator (a
/// `vigie.map.v1` spec keyed by territory, `ISO-FRA`) with the date of each country's value.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WorldMapDoc {
    /// Release id.
    pub release_id: String,
    /// Demonstration data.
    pub demo: bool,
    /// `demo` or `official`.
    pub data_status: DataStatus,
    /// Source (`who`, `jhu`).
    pub source: String,
    /// The map: classes, colours, legend labels, values and names by territory key.
    pub map: MapSpec,
    /// Territory key → ISO date of its value (the last value of its series).
    pub dates: BTreeMap<String, String>,
}

/// The choropleth of `indicator` from `source`.
pub fn map_doc(
    release: &Release,
    indicator: &str,
    source: &WorldSource,
    status: DataStatus,
) -> WorldMapDoc {
    let rows = ranking(release, indicator, source);
    let values: BTreeMap<String, f64> =
        rows.iter().map(|(t, l)| (t.key.clone(), l.value)).collect();
    let dates = rows
        .iter()
        .map(|(t, l)| (t.key.clone(), l.date.clone()))
        .collect();
    let names = rows
        .iter()
        .map(|(t, _)| (t.key.clone(), t.name.clone()))
        .collect();
    let last = rows
        .iter()
        .map(|(_, l)| l.date.as_str())
        .max()
        .unwrap_or("");
    let d = decimals(indicator);
    let v: Vec<f64> = values.values().copied().collect();
    let scale = vigie_charts::ColorScale::sequential(thresholds(&v));
    let classes = vigie_charts::map_classes(&scale, usize::from(d));
    let (fr, fr_unit) = label(release, Lang::Fr, indicator);
    let (en, en_unit) = label(release, Lang::En, indicator);
    let date_fr = crate::fmt::date(Lang::Fr, last);
    let date_en = crate::fmt::date(Lang::En, last);
    WorldMapDoc {
        release_id: release.id().to_string(),
        demo: status.is_demo(),
        data_status: status,
        source: source.slug.to_string(),
        map: MapSpec {
            schema: vigie_contracts::chart::MAP_SCHEMA.to_string(),
            id: indicator.to_string(),
            title: L10n::new(fr.clone(), en.clone()),
            short: L10n::new(fr, en),
            unit: L10n::new(fr_unit, en_unit),
            date: last.to_string(),
            subtitle: L10n::new(
                format!(
                    "par pays, dernière valeur publiée par {} (au plus tard le {date_fr})",
                    source.short(Lang::Fr)
                ),
                format!(
                    "by country, latest value published by the {} (at most {date_en})",
                    source.short(Lang::En)
                ),
            ),
            decimals: d,
            classes,
            no_data_color: scale.no_data_color.clone(),
            no_data_label: L10n::new("pas de données", "no data"),
            values,
            names,
            source: L10n::new(
                format!(
                    "Source : {} — Vigie. Contours : Natural Earth (world-atlas 2.0.2)",
                    source.long(Lang::Fr)
                ),
                format!(
                    "Source: {} — Vigie. Outlines: Natural Earth (world-atlas 2.0.2)",
                    source.long(Lang::En)
                ),
            ),
            demo: status.is_demo(),
        },
        dates,
    }
}

/// A series of a world territory file.
pub fn series<'f>(
    full: &'f TerritoryFile,
    indicator: &str,
    source: &WorldSource,
) -> Option<&'f PublishedSeries> {
    full.indicators.get(indicator)?.get(source.breakdown)
}

/// Series placed on one date axis: (start day, step in days, end day), the finest step of
/// the series (a weekly series on a daily axis keeps its value on its own day, null on the
/// others: the charts join a series only across gaps no longer than its own step).
fn axis_of(series: &[&PublishedSeries]) -> Option<(i32, i32, i32)> {
    let mut start: Option<i32> = None;
    let mut end: Option<i32> = None;
    let mut step: Option<i32> = None;
    for s in series {
        let (Some(a), Some(st)) = (iso_to_day(&s.start), step_days(&s.step)) else {
            continue;
        };
        let st = i32::try_from(st).ok()?;
        let n = i32::try_from(s.values.len()).ok()?;
        if n == 0 {
            continue;
        }
        let b = a + (n - 1) * st;
        start = Some(start.map_or(a, |x| x.min(a)));
        end = Some(end.map_or(b, |x| x.max(b)));
        step = Some(step.map_or(st, |x| x.min(st)));
    }
    let (start, end, step) = (start?, end?, step?);
    // Every series' dates must fall on the axis; when they do not (mixed grids), go daily.
    let aligned = series.iter().all(|s| {
        let (Some(a), Some(st)) = (iso_to_day(&s.start), step_days(&s.step)) else {
            return true;
        };
        (a - start) % step == 0 && st % i64::from(step) == 0
    });
    Some((start, if aligned { step } else { 1 }, end))
}

/// The values of `s` on the axis (start, step, end).
fn on_axis(s: &PublishedSeries, (start, step, end): (i32, i32, i32)) -> Vec<Option<f64>> {
    let n = usize::try_from((end - start) / step + 1).unwrap_or(0);
    let mut out = vec![None; n];
    let (Some(a), Some(st)) = (iso_to_day(&s.start), step_days(&s.step)) else {
        return out;
    };
    let Ok(st) = i32::try_from(st) else {
        return out;
    };
    for (i, v) in s.values.iter().enumerate() {
        let Some(v) = v else { continue };
        let Ok(i) = i32::try_from(i) else { break };
        let day = a + i * st;
        if (day - start) % step != 0 {
            continue;
        }
        if let Ok(j) = usize::try_from((day - start) / step)
            && j < n
        {
            out[j] = Some(*v);
        }
    }
    out
}

/// One series to chart: its data, its legend label and colour.
pub struct Line<'a> {
    /// Indicator id.
    pub indicator: &'a str,
    /// Breakdown key.
    pub breakdown: &'a str,
    /// Legend label.
    pub label: L10n,
    /// Colour.
    pub color: &'a str,
    /// The published series.
    pub series: &'a PublishedSeries,
}

/// A time chart spec of `lines` on one axis.
pub fn spec_of(
    id: &str,
    territory: &str,
    title: L10n,
    indicator: &str,
    lines: &[Line<'_>],
    release: &Release,
    demo: bool,
) -> Option<ChartSpec> {
    let refs: Vec<&PublishedSeries> = lines.iter().map(|l| l.series).collect();
    let axis = axis_of(&refs)?;
    let series: Vec<SpecSeries> = lines
        .iter()
        .map(|l| SpecSeries {
            indicator: l.indicator.to_string(),
            breakdown: l.breakdown.to_string(),
            label: l.label.clone(),
            kind: DrawKind::Line,
            color: l.color.to_string(),
            dashed: false,
            decimals: Some(decimals(l.indicator)),
            values: on_axis(l.series, axis),
        })
        .collect();
    let last = series
        .iter()
        .filter_map(|s| s.values.iter().rposition(Option::is_some))
        .max()?;
    let data_until = day_to_iso(axis.0 + i32::try_from(last).ok()? * axis.1);
    let mut names: Vec<&str> = Vec::new();
    for l in lines {
        if let Some(s) = source_of_breakdown(l.breakdown)
            && !names.contains(&s.long.0)
        {
            names.push(s.long.0);
        }
    }
    let en_names: Vec<&str> = SOURCES
        .iter()
        .filter(|s| names.contains(&s.long.0))
        .map(|s| s.long.1)
        .collect();
    let (_, fr_unit) = label(release, Lang::Fr, indicator);
    let (_, en_unit) = label(release, Lang::En, indicator);
    Some(ChartSpec {
        schema: vigie_contracts::chart::CHART_SCHEMA.to_string(),
        id: id.to_string(),
        territory: territory.to_string(),
        kind: SpecKind::Time,
        title,
        subtitle: None,
        unit: Some(L10n::new(fr_unit, en_unit)),
        decimals: decimals(indicator),
        start: day_to_iso(axis.0),
        step_days: u32::try_from(axis.1).unwrap_or(1),
        end: day_to_iso(axis.2),
        source: L10n::new(
            format!(
                "Source : {} — données jusqu'au {} — Vigie",
                names.join(" ; "),
                crate::fmt::date(Lang::Fr, &data_until)
            ),
            format!(
                "Source: {} — data up to {} — Vigie",
                en_names.join("; "),
                crate::fmt::date(Lang::En, &data_until)
            ),
        ),
        data_until,
        series,
        bars: Vec::new(),
        bar_color: None,
        thresholds: Vec::new(),
        y_min_zero: true,
        demo,
    })
}

/// The comparison chart of `countries` (alpha-3) for `indicator` from `source`, one series per
/// country labelled « France — OMS », in the order asked.
pub fn compare_spec(
    release: &Release,
    countries: &[String],
    indicator: &str,
    source: &WorldSource,
    demo: bool,
) -> Option<ChartSpec> {
    let files: Vec<(String, String, TerritoryFile)> = countries
        .iter()
        .filter_map(|c| {
            let t = crate::routes::world_country(release, c)?;
            Some((
                t.name.clone(),
                name(t, Lang::En),
                release.territory_file(&t.key)?,
            ))
        })
        .collect();
    let lines: Vec<Line<'_>> = files
        .iter()
        .zip(PALETTE)
        .filter_map(|((fr, en, full), color)| {
            Some(Line {
                indicator,
                breakdown: source.breakdown,
                label: L10n::new(
                    format!("{fr} — {}", source.short(Lang::Fr)),
                    format!("{en} — {}", source.short(Lang::En)),
                ),
                color,
                series: series(full, indicator, source)?,
            })
        })
        .collect();
    let (fr, _) = label(release, Lang::Fr, indicator);
    let (en, _) = label(release, Lang::En, indicator);
    spec_of(
        "compare",
        "WORLD",
        L10n::new(
            format!("{fr} — comparaison des pays"),
            format!("{en} — countries compared"),
        ),
        indicator,
        &lines,
        release,
        demo,
    )
}

/// The charts of a country page: (id, indicator, French title, English title).
pub const COUNTRY_CHARTS: [(&str, &str, &str, &str); 4] = [
    (
        "cases_7d",
        "cases_7d_per_million",
        "Nouveaux cas sur 7 jours par million d'habitants",
        "New cases over 7 days per million",
    ),
    (
        "deaths_7d",
        "deaths_7d_per_million",
        "Décès sur 7 jours par million d'habitants",
        "Deaths over 7 days per million",
    ),
    (
        "cases_cum",
        "cases_cum_per_million",
        "Cas confirmés cumulés par million d'habitants",
        "Cumulative confirmed cases per million",
    ),
    (
        "deaths_cum",
        "deaths_cum_per_million",
        "Décès cumulés par million d'habitants",
        "Cumulative deaths per million",
    ),
];

/// One chart of a country page (`id` of [`COUNTRY_CHARTS`]): both sources of the indicator,
/// the WHO's weekly series and JHU's daily one.
pub fn country_spec(release: &Release, key: &str, id: &str, demo: bool) -> Option<ChartSpec> {
    let (_, indicator, fr, en) = COUNTRY_CHARTS.iter().find(|c| c.0 == id)?;
    let t = release.territory(key)?;
    let full = release.territory_file(key)?;
    let lines: Vec<Line<'_>> = SOURCES
        .iter()
        .zip(["#0072B2", "#D55E00"])
        .filter_map(|(s, color)| {
            Some(Line {
                indicator,
                breakdown: s.breakdown,
                label: L10n::new(s.series.0, s.series.1),
                color,
                series: series(&full, indicator, s)?,
            })
        })
        .collect();
    spec_of(
        id,
        key,
        L10n::new(
            format!("{fr} — {}", t.name),
            format!("{en} — {}", name(t, Lang::En)),
        ),
        indicator,
        &lines,
        release,
        demo,
    )
}

/// The chart specs of a country page, in display order.
pub fn country_specs(release: &Release, key: &str, demo: bool) -> Vec<ChartSpec> {
    COUNTRY_CHARTS
        .iter()
        .filter_map(|c| country_spec(release, key, c.0, demo))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_and_thresholds() {
        let pairs = form_urlencoded("pays=FRA%2CDEU&x&indicateur=cases_7d_per_million+");
        assert_eq!(pairs[0], ("pays".into(), "FRA,DEU".into()));
        assert_eq!(pairs[1], ("x".into(), String::new()));
        assert_eq!(pairs[2].1, "cases_7d_per_million ");
        assert_eq!(form_urlencoded("a=%zz%")[0].1, "%zz%");
        assert_eq!(nice(1234.0), 1200.0);
        assert!((nice(0.0456) - 0.046).abs() < 1e-12);
        let th = thresholds(&[
            1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0,
        ]);
        assert_eq!(th, vec![3.0, 5.0, 7.0, 9.0, 11.0]);
        assert_eq!(thresholds(&[]), vec![1.0]);
        assert_eq!(source("OMS").map(|s| s.slug), Some("who"));
        assert!(source("x").is_none());
    }

    #[test]
    fn weekly_and_daily_on_one_axis() {
        let daily = PublishedSeries {
            start: "2020-01-01".into(),
            end: None,
            step: "P1D".into(),
            values: vec![Some(1.0); 15],
        };
        let weekly = PublishedSeries {
            start: "2020-01-05".into(),
            end: None,
            step: "P7D".into(),
            values: vec![Some(7.0), None, Some(21.0)],
        };
        let axis = axis_of(&[&daily, &weekly]).unwrap_or((0, 0, 0));
        assert_eq!(axis.1, 1);
        assert_eq!(day_to_iso(axis.0), "2020-01-01");
        assert_eq!(day_to_iso(axis.2), "2020-01-19");
        let w = on_axis(&weekly, axis);
        assert_eq!(w.len(), 19);
        assert_eq!(w[4], Some(7.0));
        assert_eq!(w[11], None);
        assert_eq!(w[18], Some(21.0));
        let only_weekly = axis_of(&[&weekly]).unwrap_or((0, 0, 0));
        assert_eq!(only_weekly.1, 7);
        assert_eq!(on_axis(&weekly, only_weekly), weekly.values);
    }
}
