//! Latest values of a territory, with a level word, a trend word and the change over 7 days,
//! all three from the same comparison, and the projected date of each vaccination coverage
//! target.
//!
//! Rules (documented in `docs/catalogue.md`, « Indicateurs clés »):
//!
//! * the trend compares the last value with the value **7 days before**, the same pair as
//!   `change_7_days_percent` / `change_7_days_points` (CovidTracker compared with the day
//!   before for the word and with 7 days before for the number);
//! * an indicator whose unit is `%` changes in **points** (`change_7_days_points`), never in
//!   % of a %; its `change_7_days_percent` is `null`;
//! * the level comes from the indicator's own thresholds (catalogue), or, for a count whose
//!   scale only makes sense per inhabitant, from the thresholds of its rate per 100 000
//!   ([`LEVEL_BASIS`]); vaccination coverage has no level (it is not an epidemic signal);
//! * a coverage projection is only given when it means something ([`Projection`]).

use std::collections::BTreeMap;

use vigie_contracts::release::{ChangeUnit, CoverageProjection, LatestValue};
use vigie_core::round_published as round;
use vigie_core::wording::{Level, Thresholds, Trend, level, trend_against, wording_fr};
use vigie_core::{Date, TerritoryId};
use vigie_sources::Breakdowns;

use crate::compute::Computed;

/// Counts whose level is read on the scale of their rate per 100 000 inhabitants (same
/// territory, same day): a number of patients means nothing without the population. The
/// scales themselves are in the catalogue (`thresholds` of the rate indicator).
pub const LEVEL_BASIS: [(&str, &str); 8] = [
    ("cases_7d_mean", "incidence_rate_7d"),
    ("cases_7d", "incidence_rate_7d"),
    ("hosp", "hosp_per_100k"),
    ("icu", "icu_per_100k"),
    ("hosp_admissions_7d_mean", "hosp_admissions_7d_per_100k"),
    ("hosp_admissions_7d", "hosp_admissions_7d_per_100k"),
    ("icu_admissions_7d_mean", "icu_admissions_7d_per_100k"),
    ("hosp_deaths_7d_mean", "hosp_deaths_7d_per_100k"),
];

/// Days between the last value and the value it is compared with.
pub const COMPARISON_DAYS: usize = 7;

/// Days of pace used by the coverage projections.
pub const PACE_DAYS: usize = 14;

/// A projected date further than this after the last data day is not published
/// (`beyond_horizon`): a linear extrapolation of the last 14 days says nothing about 2061.
pub const PROJECTION_HORIZON_DAYS: i32 = 730;

/// Coverage indicators in dose order, each with the earlier doses it cannot overtake (the
/// first one present applies): one cannot complete a primary series without a first dose, nor
/// get a booster without it.
const DOSE_ORDER: [(&str, &[&str]); 4] = [
    ("vaccination_coverage_dose1", &[]),
    (
        "vaccination_coverage_dose2",
        &["vaccination_coverage_dose1"],
    ),
    (
        "vaccination_coverage_complete",
        &["vaccination_coverage_dose1"],
    ),
    (
        "vaccination_coverage_booster",
        &[
            "vaccination_coverage_complete",
            "vaccination_coverage_dose2",
            "vaccination_coverage_dose1",
        ],
    ),
];

/// Why a coverage projection has (or has no) date: the published status.
pub use vigie_contracts::release::ProjectionStatus;

/// The projection of one coverage series.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    /// Status.
    pub status: ProjectionStatus,
    /// Points per day over the last 14 days.
    pub pace: Option<f64>,
    /// Day the target is reached (status `projected`).
    pub date: Option<Date>,
    /// The earlier dose whose projection bounded this one.
    pub limited_by: Option<&'static str>,
}

/// The projection of `values` (aligned from `start`, last defined value at `last`) to
/// `target` %, on its own.
pub fn project(values: &[f64], last: usize, start: Date, target: f64) -> Projection {
    let now = values[last];
    let before = last
        .checked_sub(PACE_DAYS)
        .map(|j| values[j])
        .filter(|x| !x.is_nan());
    let pace = before.map(|b| (now - b) / PACE_DAYS as f64);
    let (status, date) = if now >= target {
        (ProjectionStatus::Reached, None)
    } else {
        match pace {
            None => (ProjectionStatus::NoData, None),
            Some(p) if p <= 0.0 || !p.is_finite() => (ProjectionStatus::NoProgress, None),
            Some(p) => {
                let days = ((target - now) / p).ceil();
                if days > f64::from(PROJECTION_HORIZON_DAYS) {
                    (ProjectionStatus::BeyondHorizon, None)
                } else {
                    (
                        ProjectionStatus::Projected,
                        Some(start.add_days(last as i32 + days as i32)),
                    )
                }
            }
        }
    };
    Projection {
        status,
        pace,
        date,
        limited_by: None,
    }
}

/// Bounds a later dose's projection by an earlier dose's: a later dose cannot reach the
/// target before an earlier one unless the earlier one already did.
pub fn bound_by_earlier(later: &mut Projection, earlier: &Projection, earlier_id: &'static str) {
    use ProjectionStatus as S;
    match (earlier.status, later.status) {
        (S::Reached, _) | (_, S::Reached) => {}
        (S::Projected, S::Projected) => {
            if let (Some(e), Some(l)) = (earlier.date, later.date)
                && l < e
            {
                later.date = Some(e);
                later.limited_by = Some(earlier_id);
            }
        }
        (S::Projected, _) => {}
        // The earlier dose has no date: the later one cannot have one either.
        (e, S::Projected) => {
            later.status = e;
            later.date = None;
            later.limited_by = Some(earlier_id);
        }
        // Both without a date: "no progress" on the earlier dose is the binding reason.
        (S::NoProgress, S::BeyondHorizon) => {
            later.status = S::NoProgress;
            later.limited_by = Some(earlier_id);
        }
        _ => {}
    }
}

fn projection_json(p: &Projection, target: f64) -> CoverageProjection {
    let reached_on = match p.status {
        ProjectionStatus::Reached => Some("reached".to_string()),
        ProjectionStatus::Projected => p.date.map(|d| d.to_string()),
        _ => None,
    };
    CoverageProjection {
        target_percent: target,
        pace_14d_points_per_day: p.pace.map(round),
        reached_on,
        status: p.status,
        projected_date: p.date.map(|d| d.to_string()),
        horizon_days: PROJECTION_HORIZON_DAYS,
        pace_days: PACE_DAYS,
        limited_by: p.limited_by.map(String::from),
    }
}

fn thresholds_of(computed: &Computed, id: &str) -> Option<Thresholds> {
    computed
        .indicators
        .iter()
        .find(|i| i.id == id)
        .and_then(|i| i.thresholds.as_ref())
        .map(|t| Thresholds {
            levels: t.levels,
            step: t.step,
        })
}

/// For each indicator of the territory's `all` breakdown: last value and its date, the value
/// 7 days before, the change (in % or, for `%` units, in points), the level and trend words
/// where a scale exists, and for coverage the projected date of the target. Every number is
/// rounded for publication ([`vigie_core::publish`]), after the comparisons.
pub fn latest(computed: &Computed, territory: TerritoryId) -> BTreeMap<String, LatestValue> {
    let Some(g) = computed
        .groups
        .iter()
        .find(|g| g.territory == territory && g.breakdown == Breakdowns::ALL)
    else {
        return BTreeMap::new();
    };
    let value_at = |id: &str, i: usize| -> Option<f64> {
        let ind = computed.indicators.iter().position(|s| s.id == id)?;
        g.get(ind)?.get(i).copied().filter(|x| !x.is_nan())
    };
    let mut out = BTreeMap::new();
    let mut projections: Vec<(&'static str, Projection)> = Vec::new();
    for (ind, values) in &g.values {
        let spec = &computed.indicators[*ind];
        let Some(i) = values.iter().rposition(|x| !x.is_nan()) else {
            continue;
        };
        let v = values[i];
        let before_index = i.checked_sub(COMPARISON_DAYS);
        let week_before = before_index.map(|j| values[j]).filter(|x| !x.is_nan());
        let in_points = spec.unit == "%";
        let change_percent = if in_points {
            None
        } else {
            week_before
                .filter(|w| *w != 0.0)
                .map(|w| (v - w) / w * 100.0)
        };
        let change_points = if in_points {
            week_before.map(|w| v - w)
        } else {
            None
        };
        let mut item = LatestValue {
            date: g.start.add_days(i as i32).to_string(),
            value: round(v),
            value_7_days_before: week_before.map(round),
            date_7_days_before: before_index.map(|j| g.start.add_days(j as i32).to_string()),
            change_7_days_percent: change_percent.map(round),
            change_7_days_points: change_points.map(round),
            change_unit: if in_points {
                ChangeUnit::Points
            } else {
                ChangeUnit::Percent
            },
            level: None,
            level_basis: None,
            level_basis_value: None,
            level_thresholds: None,
            trend: None,
            trend_basis: None,
            trend_stable_within_percent: None,
            wording_fr: None,
            wording_en: None,
            projection: None,
        };
        // Level: own scale, or the scale of the rate per 100 000 of the same count.
        let basis = LEVEL_BASIS
            .iter()
            .find(|(count, _)| *count == spec.id)
            .map(|(_, rate)| *rate);
        let scale = match basis {
            Some(rate) => thresholds_of(computed, rate).zip(value_at(rate, i)),
            None => spec
                .thresholds
                .as_ref()
                .map(|t| Thresholds {
                    levels: t.levels,
                    step: t.step,
                })
                .map(|t| (t, v)),
        };
        if let Some((t, basis_value)) = scale {
            let lvl: Level = level(basis_value, &t);
            item.level = Some(lvl.id().to_string());
            item.level_basis = Some(basis.unwrap_or(spec.id.as_str()).to_string());
            item.level_basis_value = Some(round(basis_value));
            item.level_thresholds = Some(t.levels.to_vec());
            if let Some(w) = week_before {
                let trend: Trend = trend_against(v, w, t.step);
                item.trend = Some(trend.id().to_string());
                item.trend_basis = Some("7_days_before".to_string());
                item.trend_stable_within_percent = Some(t.step * 100.0);
                item.wording_fr = Some(wording_fr(lvl, trend));
                item.wording_en = Some(format!("{} {}", lvl.label_en(), trend.label_en()));
            }
        }
        if let Some((id, _)) = DOSE_ORDER.iter().find(|(id, _)| *id == spec.id) {
            projections.push((id, project(values, i, g.start, computed.coverage_target)));
        }
        out.insert(spec.id.clone(), item);
    }
    // Consistency across doses, in dose order.
    for (id, earlier) in DOSE_ORDER {
        let Some(k) = projections.iter().position(|(p, _)| *p == id) else {
            continue;
        };
        if let Some(e) = earlier
            .iter()
            .find_map(|e| projections.iter().find(|(p, _)| p == e).cloned())
        {
            bound_by_earlier(&mut projections[k].1, &e.1, e.0);
        }
    }
    for (id, p) in &projections {
        if let Some(item) = out.get_mut(*id) {
            item.projection = Some(projection_json(p, computed.coverage_target));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> Date {
        Date::from_ymd(2021, 1, 1).unwrap()
    }

    #[test]
    fn projection_at_current_pace() {
        // +0.5 point a day, 40 % on day 20: 90 % is 100 days later.
        let v: Vec<f64> = (0..21).map(|i| 30.0 + 0.5 * f64::from(i)).collect();
        let p = project(&v, 20, start(), 90.0);
        assert_eq!(p.status, ProjectionStatus::Projected);
        assert_eq!(p.date.map(|d| d.to_string()).as_deref(), Some("2021-05-01"));
        assert_eq!(p.pace, Some(0.5));
        let j = projection_json(&p, 90.0);
        assert_eq!(j.reached_on.as_deref(), Some("2021-05-01"));
        assert_eq!(
            j.status,
            vigie_contracts::release::ProjectionStatus::Projected
        );
        let r = project(&v, 20, start(), 35.0);
        assert_eq!(r.status, ProjectionStatus::Reached);
        assert_eq!(
            projection_json(&r, 35.0).reached_on.as_deref(),
            Some("reached")
        );
        let flat = vec![50.0; 21];
        let f = project(&flat, 20, start(), 90.0);
        assert_eq!(f.status, ProjectionStatus::NoProgress);
        assert_eq!(projection_json(&f, 90.0).reached_on, None);
        assert_eq!(
            project(&v[..10], 9, start(), 90.0).status,
            ProjectionStatus::NoData
        );
    }

    #[test]
    fn no_date_beyond_two_years() {
        // 0.0013 point a day from 71.6 %: 90 % in about 14 000 days (the demo's « 2061 »).
        let v: Vec<f64> = (0..15).map(|i| 71.56 + 0.0013 * f64::from(i)).collect();
        let p = project(&v, 14, start(), 90.0);
        assert_eq!(p.status, ProjectionStatus::BeyondHorizon);
        assert_eq!(p.date, None);
        // Exactly at the horizon is still projected, one day more is not (0.5 point a day,
        // 365 points to go: 730 days).
        let v: Vec<f64> = (0..15).map(|i| 3.0 + 0.5 * f64::from(i)).collect();
        let p = project(&v, 14, start(), 375.0);
        assert_eq!(p.status, ProjectionStatus::Projected, "{p:?}");
        assert_eq!(p.date, Some(start().add_days(14 + 730)));
        let p = project(&v, 14, start(), 375.5);
        assert_eq!(p.status, ProjectionStatus::BeyondHorizon);
    }

    #[test]
    fn a_later_dose_never_reaches_the_target_before_an_earlier_one() {
        let d = |n: i32| Some(start().add_days(n));
        let p = |status, date| Projection {
            status,
            pace: Some(0.1),
            date,
            limited_by: None,
        };
        use ProjectionStatus as S;
        // La Réunion: first dose without a date, full schedule « vers 2071 » → no date either.
        let mut later = p(S::Projected, d(300));
        bound_by_earlier(&mut later, &p(S::NoProgress, None), "dose1");
        assert_eq!((later.status, later.date), (S::NoProgress, None));
        assert_eq!(later.limited_by, Some("dose1"));
        let mut later = p(S::BeyondHorizon, None);
        bound_by_earlier(&mut later, &p(S::NoProgress, None), "dose1");
        assert_eq!(later.status, S::NoProgress);
        let mut later = p(S::Projected, d(300));
        bound_by_earlier(&mut later, &p(S::BeyondHorizon, None), "dose1");
        assert_eq!(later.status, S::BeyondHorizon);
        // A later dose projected earlier than the first dose waits for it.
        let mut later = p(S::Projected, d(100));
        bound_by_earlier(&mut later, &p(S::Projected, d(200)), "dose1");
        assert_eq!((later.status, later.date), (S::Projected, d(200)));
        // Unless the first dose already reached the target, or the later one is behind.
        let mut later = p(S::Projected, d(100));
        bound_by_earlier(&mut later, &p(S::Reached, None), "dose1");
        assert_eq!((later.date, later.limited_by), (d(100), None));
        let mut later = p(S::Projected, d(300));
        bound_by_earlier(&mut later, &p(S::Projected, d(200)), "dose1");
        assert_eq!((later.date, later.limited_by), (d(300), None));
        // A later dose without progress keeps its own reason.
        let mut later = p(S::NoProgress, None);
        bound_by_earlier(&mut later, &p(S::Projected, d(200)), "dose1");
        assert_eq!((later.status, later.limited_by), (S::NoProgress, None));
    }
}
