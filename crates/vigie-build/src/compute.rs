//! From merged measure series to indicator vectors: aggregation of departments into regions
//! and France, cross-checks against published aggregates, and formula evaluation.

use std::collections::{BTreeMap, HashMap};

use vigie_core::indicator::fill_stock;
use vigie_core::{Date, Series, TerritoryId, reference};
use vigie_sources::catalog::{Aggregate, IndicatorSpec, MeasureKind};
use vigie_sources::{BreakdownId, Breakdowns, Catalog, MeasureId, SeriesKey, Store};

/// Where a group's population denominator came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PopulationSource {
    /// The `pop` column of the source file (summed over departments where aggregated).
    SourceFile,
    /// A population table among the sources (constant).
    Table,
    /// The embedded INSEE population.
    Insee,
    /// The embedded countries table (UN WPP, via Our World in Data).
    Countries,
    /// None available (rates undefined).
    None,
}

impl PopulationSource {
    /// Identifier in open data.
    pub fn as_str(self) -> &'static str {
        match self {
            PopulationSource::SourceFile => "source_file",
            PopulationSource::Table => "population_table",
            PopulationSource::Insee => "insee_embedded",
            PopulationSource::Countries => "countries_table",
            PopulationSource::None => "none",
        }
    }
}

/// The indicators of one territory and breakdown, aligned on one day range.
#[derive(Debug)]
pub struct Group {
    /// Territory.
    pub territory: TerritoryId,
    /// Breakdown.
    pub breakdown: BreakdownId,
    /// First day of every vector.
    pub start: Date,
    /// `(index in the indicator list, values)`; only indicators with a defined value.
    pub values: Vec<(usize, Vec<f64>)>,
    /// Population used for rates.
    pub population_source: PopulationSource,
    /// Last population value used (for display).
    pub population: Option<f64>,
    /// Days between two values of the group's series (1; 7 for weekly sources, whose vectors
    /// are defined every 7th day from the first reported date).
    pub step_days: u16,
}

impl Group {
    /// Values of an indicator by index.
    pub fn get(&self, indicator: usize) -> Option<&[f64]> {
        self.values
            .iter()
            .find(|(i, _)| *i == indicator)
            .map(|(_, v)| v.as_slice())
    }
}

/// A comparison between a published aggregate and the sum of its parts, or between one of our
/// indicators and the publisher's own value.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Check {
    /// What was compared.
    pub kind: &'static str,
    /// Territory key.
    pub territory: String,
    /// Measure or indicator.
    pub quantity: String,
    /// Publisher's counterpart.
    pub reference: String,
    /// Breakdown key.
    pub breakdown: String,
    /// Dates where both are defined.
    pub dates_compared: usize,
    /// Largest relative difference (|ours − theirs| / |theirs|).
    pub max_relative_difference: f64,
    /// Where it occurs.
    pub at: Option<String>,
    /// Mean relative difference.
    pub mean_relative_difference: f64,
    /// Why the two may differ, in French and English (comparisons between publishers).
    pub explanation: Option<(&'static str, &'static str)>,
}

/// A day where a published cumulative total went down (a revision): the new count of that
/// period is negative, kept as published.
#[derive(Clone, Debug)]
pub struct Revision {
    /// Territory key.
    pub territory: String,
    /// Cumulative indicator.
    pub indicator: String,
    /// Breakdown key (`source:jhu`).
    pub breakdown: String,
    /// Day of the decrease.
    pub date: Date,
    /// The cumulative value before and on that day.
    pub before: f64,
    /// The value on that day.
    pub after: f64,
}

/// Result of the computation step.
#[derive(Debug)]
pub struct Computed {
    /// Indicators evaluated, in catalogue order.
    pub indicators: Vec<IndicatorSpec>,
    /// Groups in territory order, then breakdown order.
    pub groups: Vec<Group>,
    /// Consistency checks.
    pub checks: Vec<Check>,
    /// Series derived by aggregation, by measure id.
    pub aggregated: BTreeMap<String, usize>,
    /// Vaccination coverage target (%) for the projections.
    pub coverage_target: f64,
    /// Downward revisions of published cumulative totals.
    pub revisions: Vec<Revision>,
    /// Breakdown dimensions whose negative values are revisions (`[gate] revisions_in`).
    pub revisions_in: Vec<String>,
}

fn sum_strict(parts: &[&Series]) -> Option<Series> {
    let (start, len) = vigie_core::series::span(parts.iter().copied())?;
    let mut out = vec![0.0; len];
    for s in parts {
        let off = s.start.days_since(start) as usize;
        // Days outside a part's range are missing for that part.
        for (i, o) in out.iter_mut().enumerate() {
            let v = if i >= off {
                s.values.get(i - off).copied().unwrap_or(f64::NAN)
            } else {
                f64::NAN
            };
            *o += v;
        }
    }
    Some(Series::from_values(start, out).trimmed())
}

/// The sum, day by day, of the parts whose series cover that day (between its first and last
/// value): a part that stopped being published (JHU dropped Western Sahara in 2021) no longer
/// counts after its last value, a part missing one day inside its range makes the day
/// undefined.
fn sum_covering(parts: &[&Series]) -> Option<Series> {
    let (start, len) = vigie_core::series::span(parts.iter().copied())?;
    let mut out = vec![0.0; len];
    let mut any = vec![false; len];
    for s in parts {
        let Some((a, z)) = s.defined_range() else {
            continue;
        };
        for d in a.days()..=z.days() {
            let i = (d - start.days()) as usize;
            out[i] += s.get(Date::from_days(d)).unwrap_or(f64::NAN);
            any[i] = true;
        }
    }
    for (o, a) in out.iter_mut().zip(any) {
        if !a {
            *o = f64::NAN;
        }
    }
    Some(Series::from_values(start, out).trimmed())
}

fn compare(
    kind: &'static str,
    quantity: &str,
    reference_name: &str,
    territory: TerritoryId,
    breakdown: &str,
    ours: &Series,
    theirs: &Series,
) -> Option<Check> {
    compare_by(
        false,
        kind,
        quantity,
        reference_name,
        territory,
        breakdown,
        ours,
        theirs,
    )
}

/// Two publishers compared: the difference relative to the larger of the two values
/// (`|a − b| / max(|a|, |b|)`, from 0 to 1), so that a publisher's total stuck at 16 cases for
/// weeks (the WHO's France in spring 2020) does not read as a difference of 100 000 %.
fn compare_publishers(
    kind: &'static str,
    quantity: &str,
    reference_name: &str,
    territory: TerritoryId,
    breakdown: &str,
    ours: &Series,
    theirs: &Series,
) -> Option<Check> {
    compare_by(
        true,
        kind,
        quantity,
        reference_name,
        territory,
        breakdown,
        ours,
        theirs,
    )
}

#[allow(clippy::too_many_arguments)]
fn compare_by(
    symmetric: bool,
    kind: &'static str,
    quantity: &str,
    reference_name: &str,
    territory: TerritoryId,
    breakdown: &str,
    ours: &Series,
    theirs: &Series,
) -> Option<Check> {
    let mut n = 0usize;
    let (mut max, mut sum) = (0.0f64, 0.0f64);
    let mut at = None;
    for (d, t) in theirs.points() {
        let Some(o) = ours.get(d) else { continue };
        let scale = if symmetric {
            t.abs().max(o.abs())
        } else {
            t.abs()
        };
        let rel = if scale == 0.0 {
            if o == t { 0.0 } else { 1.0 }
        } else {
            (o - t).abs() / scale
        };
        n += 1;
        sum += rel;
        if n == 1 || rel > max {
            max = rel;
            at = Some(d.to_string());
        }
    }
    (n > 0).then(|| Check {
        kind,
        territory: reference().get(territory).key(),
        quantity: quantity.to_string(),
        reference: reference_name.to_string(),
        breakdown: breakdown.to_string(),
        dates_compared: n,
        max_relative_difference: max,
        at,
        mean_relative_difference: sum / n as f64,
        explanation: None,
    })
}

/// Adds region and France series summed from departments where the files do not carry them,
/// and checks the published aggregates against the sums where they do.
pub fn aggregate(
    store: &mut Store,
    catalog: &Catalog,
    breakdowns: &Breakdowns,
) -> (Vec<Check>, BTreeMap<String, usize>) {
    let r = reference();
    let mut checks = Vec::new();
    let mut derived: BTreeMap<String, usize> = BTreeMap::new();
    for (mi, m) in catalog.measures.iter().enumerate() {
        if m.aggregate != Aggregate::Sum {
            continue;
        }
        let measure = MeasureId(mi as u16);
        let mut bds: Vec<BreakdownId> = store
            .series
            .keys()
            .chain(store.constants.keys())
            .filter(|k| k.measure == measure)
            .map(|k| k.breakdown)
            .collect();
        bds.sort();
        bds.dedup();
        for b in bds {
            let key = |t: TerritoryId| SeriesKey {
                measure,
                territory: t,
                breakdown: b,
            };
            // Constants (capacities): plain sums when every part has one.
            let sum_const =
                |store: &Store, parts: &mut dyn Iterator<Item = TerritoryId>| -> Option<f64> {
                    parts
                        .map(|t| store.constants.get(&key(t)).copied())
                        .sum::<Option<f64>>()
                };
            for &reg in r.regions() {
                if !store.constants.contains_key(&key(reg))
                    && let Some(v) = sum_const(store, &mut r.departments_of(reg))
                {
                    store.constants.insert(key(reg), v);
                }
                let parts: Option<Vec<&Series>> = r
                    .departments_of(reg)
                    .map(|d| store.series.get(&key(d)))
                    .collect();
                let Some(agg) = parts.and_then(|p| sum_strict(&p)) else {
                    continue;
                };
                match store.series.get(&key(reg)) {
                    Some(direct) => checks.extend(compare(
                        "aggregate",
                        &m.id,
                        "sum of departments",
                        reg,
                        breakdowns.key(b),
                        &agg,
                        direct,
                    )),
                    None => {
                        store.series.insert(key(reg), agg);
                        *derived.entry(m.id.clone()).or_default() += 1;
                    }
                }
            }
            let fr = r.france();
            if !store.constants.contains_key(&key(fr))
                && let Some(v) = sum_const(store, &mut r.departments().iter().copied())
            {
                store.constants.insert(key(fr), v);
            }
            let from_deps: Option<Vec<&Series>> = r
                .departments()
                .iter()
                .map(|d| store.series.get(&key(*d)))
                .collect();
            let agg = match from_deps {
                Some(p) => sum_strict(&p),
                None => r
                    .regions()
                    .iter()
                    .map(|g| store.series.get(&key(*g)))
                    .collect::<Option<Vec<_>>>()
                    .and_then(|p| sum_strict(&p)),
            };
            // The world: continents, WHO regions and WORLD are the sums of the members that
            // have the series, each counted between its first and last value (a member's
            // missing day inside that range makes the aggregate's day undefined).
            for &a in r.world() {
                if !r.get(a).level.is_world_aggregate() || store.series.contains_key(&key(a)) {
                    continue;
                }
                let members: Vec<TerritoryId> = r
                    .members_of(a)
                    .filter(|m| store.series.contains_key(&key(*m)))
                    .collect();
                let parts: Vec<&Series> = members
                    .iter()
                    .filter_map(|m| store.series.get(&key(*m)))
                    .collect();
                let Some(sum) = sum_covering(&parts).filter(|s| s.count_defined() > 0) else {
                    continue;
                };
                let step = members
                    .first()
                    .and_then(|m| store.steps.get(&key(*m)).copied());
                if let Some(step) = step
                    && members
                        .iter()
                        .all(|m| store.steps.get(&key(*m)) == Some(&step))
                {
                    store.steps.insert(key(a), step);
                }
                store.series.insert(key(a), sum);
                *derived.entry(m.id.clone()).or_default() += 1;
            }
            let Some(agg) = agg else { continue };
            match store.series.get(&key(fr)) {
                Some(direct) => checks.extend(compare(
                    "aggregate",
                    &m.id,
                    "sum of departments",
                    fr,
                    breakdowns.key(b),
                    &agg,
                    direct,
                )),
                None => {
                    store.series.insert(key(fr), agg);
                    *derived.entry(m.id.clone()).or_default() += 1;
                }
            }
        }
    }
    (checks, derived)
}

/// Evaluates every indicator for every territory and breakdown that has data.
pub fn evaluate(
    store: &Store,
    catalog: &Catalog,
    breakdowns: &Breakdowns,
) -> (Vec<IndicatorSpec>, Vec<Group>) {
    let r = reference();
    let indicators = catalog.all_indicators();
    // Each indicator's formula then its fallbacks, in order.
    let formulas: Vec<Vec<vigie_core::Formula>> = indicators
        .iter()
        .map(|i| {
            std::iter::once(&i.formula)
                .chain(&i.fallback)
                .map(|f| f.to_formula())
                .collect()
        })
        .collect();
    let population_measure = catalog
        .measures
        .iter()
        .position(|m| m.id == "population")
        .map(|i| MeasureId(i as u16));
    // Other population denominators (`kind = "population"`, e.g. the VAC-SI population of an
    // age class): filled like `population`; for the `all` breakdown only, a territory without
    // one falls back on its `population`. An age class never borrows another file's
    // population: SI-DEP's 30–39 class is not VAC-SI's.
    let other_populations: Vec<MeasureId> = catalog
        .measures
        .iter()
        .enumerate()
        .filter(|(_, m)| m.kind == MeasureKind::Population && m.id != "population")
        .map(|(i, _)| MeasureId(i as u16))
        .collect();
    let is_population =
        |m: MeasureId| Some(m) == population_measure || other_populations.contains(&m);

    let mut by_group: HashMap<(TerritoryId, BreakdownId), Vec<MeasureId>> = HashMap::new();
    for k in store.series.keys() {
        by_group
            .entry((k.territory, k.breakdown))
            .or_default()
            .push(k.measure);
    }
    let mut keys: Vec<(TerritoryId, BreakdownId)> = by_group.keys().copied().collect();
    keys.sort_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| {
            vigie_sources::breakdown::sort_key(breakdowns.key(a.1))
                .cmp(&vigie_sources::breakdown::sort_key(breakdowns.key(b.1)))
        })
    });

    let mut groups = Vec::with_capacity(keys.len());
    for (territory, breakdown) in keys {
        let mut measures = by_group.remove(&(territory, breakdown)).unwrap_or_default();
        measures.sort();
        let data: Vec<(MeasureId, &Series)> = measures
            .iter()
            .filter(|m| !is_population(**m))
            .filter_map(|m| {
                store
                    .series
                    .get(&SeriesKey {
                        measure: *m,
                        territory,
                        breakdown,
                    })
                    .map(|s| (*m, s))
            })
            .collect();
        let Some((start, len)) = vigie_core::series::span(data.iter().map(|(_, s)| *s)) else {
            continue;
        };
        let mut inputs: HashMap<&str, Vec<f64>> = HashMap::new();
        for (m, s) in &data {
            inputs.insert(
                catalog.measures[m.0 as usize].id.as_str(),
                s.aligned(start, len),
            );
        }
        // Population: the source file's, filled across the range; else INSEE for `all`.
        let mut population_source = PopulationSource::None;
        let filled_series = |measure: MeasureId| -> Option<Vec<f64>> {
            let p = store.series.get(&SeriesKey {
                measure,
                territory,
                breakdown,
            })?;
            let filled = fill_stock(&p.aligned(start, len));
            // A series entirely outside the range still gives its nearest value.
            Some(if filled.iter().all(|x| x.is_nan()) {
                let v = if p.start > start {
                    p.points().next()
                } else {
                    p.last()
                };
                vec![v.map_or(f64::NAN, |x| x.1); len]
            } else {
                filled
            })
        };
        if let Some(filled) = population_measure.and_then(filled_series) {
            inputs.insert("population", filled);
            population_source = PopulationSource::SourceFile;
        }
        for &m in &other_populations {
            if let Some(filled) = filled_series(m) {
                inputs.insert(catalog.measures[m.0 as usize].id.as_str(), filled);
            }
        }
        // Constants (capacities, population tables). A population table only applies where
        // the data files carry no population of their own.
        for (k, v) in &store.constants {
            if k.territory == territory && k.breakdown == breakdown {
                let id = catalog.measures[k.measure.0 as usize].id.as_str();
                if Some(k.measure) == population_measure {
                    if population_source == PopulationSource::SourceFile {
                        continue;
                    }
                    population_source = PopulationSource::Table;
                } else if other_populations.contains(&k.measure) && inputs.contains_key(id) {
                    // The file's own population comes first, then a table.
                    continue;
                }
                inputs.insert(id, vec![*v; len]);
            }
        }
        // The embedded population: INSEE's for France's `all` breakdown, the countries table's
        // for the world (whose `source:*` breakdowns each count the whole population).
        let whole = vigie_sources::breakdown::is_whole_population(breakdowns.key(breakdown));
        let t = r.get(territory);
        if population_source == PopulationSource::None && whole && t.population > 0 {
            inputs.insert("population", vec![t.population as f64; len]);
            population_source = if t.level.is_french() {
                PopulationSource::Insee
            } else {
                PopulationSource::Countries
            };
        }
        if whole && let Some(general) = inputs.get("population").cloned() {
            for &m in &other_populations {
                inputs
                    .entry(catalog.measures[m.0 as usize].id.as_str())
                    .or_insert_with(|| general.clone());
            }
        }
        let population = inputs
            .get("population")
            .and_then(|p| p.iter().rev().find(|x| !x.is_nan()).copied());
        // A group of weekly series is evaluated one value per period, from its first reported
        // date, then laid back on days (undefined between reports): nothing daily is invented.
        let step = data
            .iter()
            .filter_map(|(m, _)| {
                store.steps.get(&SeriesKey {
                    measure: *m,
                    territory,
                    breakdown,
                })
            })
            .copied()
            .max()
            .unwrap_or(1);
        let (offset, periods) = if step > 1 {
            let first = data
                .iter()
                .filter_map(|(_, s)| s.points().next().map(|p| p.0))
                .min()
                .unwrap_or(start);
            let off = first.days_since(start).rem_euclid(i32::from(step)) as usize;
            (off, (len.saturating_sub(off)).div_ceil(usize::from(step)))
        } else {
            (0, len)
        };
        if step > 1 {
            let st = usize::from(step);
            for v in inputs.values_mut() {
                *v = (0..periods).map(|k| v[offset + k * st]).collect();
            }
        }
        let mut values: Vec<(usize, Vec<f64>)> = Vec::new();
        let mut computed: HashMap<&str, usize> = HashMap::new();
        for (i, (spec, alternatives)) in indicators.iter().zip(&formulas).enumerate() {
            if spec.only_all && breakdown != Breakdowns::ALL {
                continue;
            }
            let out = alternatives.iter().find_map(|formula| {
                formula.for_step(usize::from(step))?.evaluate(|name| {
                    computed
                        .get(name)
                        .map(|j| values[*j].1.as_slice())
                        .or_else(|| inputs.get(name).map(Vec::as_slice))
                })
            });
            if let Some(out) = out
                && out.iter().any(|x| !x.is_nan())
            {
                computed.insert(spec.id.as_str(), values.len());
                values.push((i, out));
            }
        }
        if step > 1 {
            let st = usize::from(step);
            for (_, v) in values.iter_mut() {
                let mut daily = vec![f64::NAN; len];
                for (k, x) in v.iter().enumerate() {
                    daily[offset + k * st] = *x;
                }
                *v = daily;
            }
        }
        if !values.is_empty() {
            groups.push(Group {
                territory,
                breakdown,
                start,
                values,
                population_source,
                population,
                step_days: step,
            });
        }
    }
    (indicators, groups)
}

/// Compares our indicators with the publisher's own (SPF indicator tables).
pub fn cross_checks(computed: &Computed, breakdowns: &Breakdowns) -> Vec<Check> {
    let pairs = [
        ("incidence_rate_7d", "spf_incidence_rate"),
        ("positivity_rate_7d", "spf_positivity_rate"),
        ("r_effective", "spf_r_effective"),
        ("icu_saturation", "spf_icu_occupancy"),
        ("vaccination_dose1_cum", "spf_vacc_dose1_cum"),
        ("vaccination_dose2_cum", "spf_vacc_dose2_cum"),
        ("vaccination_complete_cum", "spf_vacc_complete_cum"),
        ("vaccination_booster_cum", "spf_vacc_booster_cum"),
        (
            "vaccination_coverage_dose1",
            "spf_vaccination_coverage_dose1",
        ),
        (
            "vaccination_coverage_complete",
            "spf_vaccination_coverage_complete",
        ),
    ];
    let idx = |id: &str| computed.indicators.iter().position(|i| i.id == id);
    let mut out = Vec::new();
    for g in computed
        .groups
        .iter()
        .filter(|g| g.breakdown == Breakdowns::ALL)
    {
        for (ours, theirs) in pairs {
            let (Some(a), Some(b)) = (idx(ours), idx(theirs)) else {
                continue;
            };
            let (Some(va), Some(vb)) = (g.get(a), g.get(b)) else {
                continue;
            };
            let sa = Series::from_values(g.start, va.to_vec());
            let sb = Series::from_values(g.start, vb.to_vec());
            out.extend(compare(
                "publisher_indicator",
                ours,
                theirs,
                g.territory,
                breakdowns.key(g.breakdown),
                &sa,
                &sb,
            ));
        }
    }
    out
}

const JHU_VS_WHO: (&str, &str) = (
    "JHU agrège des sources nationales et régionales au jour de publication ; l'OMS publie les chiffres que lui notifient les États, par semaine de notification : les deux cumuls diffèrent par les dates de rattachement, les révisions et la définition des cas.",
    "JHU aggregates national and regional sources by publication day; the WHO publishes what member states notify, by reporting week: the totals differ by dates, revisions and case definitions.",
);
const WHO_VS_OWID: (&str, &str) = (
    "Our World in Data republie les chiffres de l'OMS : l'écart doit être nul, sauf date de mise à jour différente.",
    "Our World in Data republishes the WHO's figures: no difference is expected, except for a different update date.",
);
const SPF_VS_WORLD: (&str, &str) = (
    "Santé publique France compte la France entière (outre-mer compris) par date de publication ; JHU et l'OMS comptent la France sans les collectivités d'outre-mer qu'ils publient à part (Guadeloupe, La Réunion…), avec leurs propres dates de rattachement. Les décès de SPF sont ceux de l'hôpital et des EHPAD.",
    "Santé publique France counts the whole of France (overseas included) by publication date; JHU and the WHO count France without the overseas territories they publish separately (Guadeloupe, Réunion…), with their own reporting dates. SPF's deaths are those in hospitals and nursing homes.",
);

/// Compares the world's publishers with each other (JHU with the WHO, the WHO with OWID, per
/// country at their common dates) and France's Santé publique France figures with JHU's and
/// the WHO's France (`ISO-FRA`).
pub fn world_checks(computed: &Computed, breakdowns: &Breakdowns) -> Vec<Check> {
    let r = reference();
    let idx = |id: &str| computed.indicators.iter().position(|i| i.id == id);
    let bd = |k: &str| breakdowns.get(k);
    let series = |t: TerritoryId, b: Option<BreakdownId>, ind: &str| -> Option<Series> {
        let (b, i) = (b?, idx(ind)?);
        let g = computed
            .groups
            .iter()
            .find(|g| g.territory == t && g.breakdown == b)?;
        Some(Series::from_values(g.start, g.get(i)?.to_vec()))
    };
    let (jhu, who, owid) = (bd("source:jhu"), bd("source:who"), bd("source:owid"));
    let mut out = Vec::new();
    let mut push = |c: Option<Check>, why: (&'static str, &'static str)| {
        if let Some(mut c) = c {
            c.explanation = Some(why);
            out.push(c);
        }
    };
    for &t in r.world() {
        for ind in ["cases_cum", "deaths_cum"] {
            if let (Some(a), Some(b)) = (series(t, jhu, ind), series(t, who, ind)) {
                push(
                    compare_publishers(
                        "jhu_vs_who",
                        ind,
                        "WHO (source:who)",
                        t,
                        "source:jhu",
                        &a,
                        &b,
                    ),
                    JHU_VS_WHO,
                );
            }
            let owid_ind = if ind == "cases_cum" {
                "owid_total_cases"
            } else {
                "owid_total_deaths"
            };
            if let (Some(a), Some(b)) = (series(t, who, ind), series(t, owid, owid_ind)) {
                push(
                    compare_publishers("who_vs_owid", ind, owid_ind, t, "source:who", &a, &b),
                    WHO_VS_OWID,
                );
            }
        }
    }
    let fr = r.france();
    let Some(fra) = r.by_key("ISO-FRA") else {
        return out;
    };
    let spf_cases = series(fr, Some(Breakdowns::ALL), "cases_confirmed_cum");
    let spf_deaths = match (
        series(fr, Some(Breakdowns::ALL), "hosp_deaths_cum_published"),
        series(fr, Some(Breakdowns::ALL), "ehpad_deaths_cum"),
    ) {
        (Some(h), Some(e)) => sum_strict(&[&h, &e]),
        (h, _) => h,
    };
    for (b, name) in [(jhu, "source:jhu"), (who, "source:who")] {
        if let (Some(spf), Some(w)) = (&spf_cases, series(fra, b, "cases_cum")) {
            push(
                compare_publishers(
                    "spf_vs_world",
                    "cases_confirmed_cum",
                    &format!("ISO-FRA cases_cum ({name})"),
                    fr,
                    "all",
                    spf,
                    &w,
                ),
                SPF_VS_WORLD,
            );
        }
        if let (Some(spf), Some(w)) = (&spf_deaths, series(fra, b, "deaths_cum")) {
            push(
                compare_publishers(
                    "spf_vs_world",
                    "hosp_deaths_cum_published + ehpad_deaths_cum",
                    &format!("ISO-FRA deaths_cum ({name})"),
                    fr,
                    "all",
                    spf,
                    &w,
                ),
                SPF_VS_WORLD,
            );
        }
    }
    out
}

/// Every day where a published cumulative total (`cases_cum`, `deaths_cum`) of a breakdown
/// in `revisions_in` went down.
pub fn revisions(computed: &Computed, breakdowns: &Breakdowns) -> Vec<Revision> {
    let r = reference();
    let mut out = Vec::new();
    for g in &computed.groups {
        let key = breakdowns.key(g.breakdown);
        let dim = key.split_once(':').map_or(key, |(d, _)| d);
        // Aggregates inherit their members' revisions: only the members' are listed.
        if !computed.revisions_in.iter().any(|d| d == dim)
            || r.get(g.territory).level.is_world_aggregate()
        {
            continue;
        }
        for (i, values) in &g.values {
            let spec = &computed.indicators[*i];
            if !matches!(
                spec.formula,
                vigie_sources::catalog::FormulaSpec::Value { .. }
            ) || !spec.id.ends_with("_cum")
            {
                continue;
            }
            let mut prev: Option<f64> = None;
            for (k, v) in values.iter().enumerate() {
                if v.is_nan() {
                    continue;
                }
                if let Some(p) = prev
                    && *v < p
                {
                    out.push(Revision {
                        territory: r.get(g.territory).key(),
                        indicator: spec.id.clone(),
                        breakdown: key.to_string(),
                        date: g.start.add_days(k as i32),
                        before: p,
                        after: *v,
                    });
                }
                prev = Some(*v);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use vigie_core::Date;

    proptest! {
        /// A region derived from its departments is exactly their sum on every day where all
        /// of them have a value, and undefined elsewhere; France is not derived from a partial set.
        #[test]
        fn region_is_the_sum_of_its_departments(
            a in proptest::collection::vec(proptest::option::weighted(0.9, 0u32..5000), 1..40),
            b in proptest::collection::vec(proptest::option::weighted(0.9, 0u32..5000), 1..40),
            shift in 0i32..5,
        ) {
            let catalog = Catalog::builtin().unwrap();
            let breakdowns = Breakdowns::default();
            let r = reference();
            let positives = MeasureId(catalog.measures.iter().position(|m| m.id == "positives").unwrap() as u16);
            let (a2, b2) = (r.by_key("DEP-2A").unwrap(), r.by_key("DEP-2B").unwrap());
            let start = Date::from_ymd(2021, 1, 1).unwrap();
            let mk = |v: &[Option<u32>], s: Date| Series::from_values(s, v.iter().map(|x| x.map_or(f64::NAN, f64::from)).collect());
            let (sa, sb) = (mk(&a, start), mk(&b, start.add_days(shift)));
            let mut store = Store::default();
            store.series.insert(SeriesKey { measure: positives, territory: a2, breakdown: Breakdowns::ALL }, sa.clone());
            store.series.insert(SeriesKey { measure: positives, territory: b2, breakdown: Breakdowns::ALL }, sb.clone());
            aggregate(&mut store, &catalog, &breakdowns);
            let region = store.series.get(&SeriesKey { measure: positives, territory: r.by_key("REG-94").unwrap(), breakdown: Breakdowns::ALL });
            for d in 0..50 {
                let day = start.add_days(d);
                let expected = match (sa.get(day), sb.get(day)) { (Some(x), Some(y)) => Some(x + y), _ => None };
                prop_assert_eq!(region.and_then(|s| s.get(day)), expected);
            }
            prop_assert!(!store.series.keys().any(|k| k.territory == r.france()));
        }
    }
}
