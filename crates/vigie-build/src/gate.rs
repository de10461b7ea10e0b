//! The publish gate: checks a freshly built release, alone and against the live one, before it
//! may replace it.
//!
//! Value checks run during the build on the computed series ([`validate`]) and are written to
//! `release.json` (`violations`). The gate ([`evaluate`]) reads two release directories: it
//! refuses a release with violations, a source that disappeared, a source whose row count fell
//! by more than the allowed share, or data older than the live release's.

use std::collections::BTreeMap;
use std::path::Path;

use vigie_contracts::release::{ReleaseManifest, SourcesFile};
use vigie_core::{Date, reference, round_published};
use vigie_sources::Breakdowns;

use crate::compute::Computed;

pub use vigie_contracts::release::{GateCheck, GateReport, Violation};

/// Finds implausible values against each indicator's catalogue bounds (`bounds` in the
/// indicator catalogue: minimum, maximum, multiple of the population, at most another
/// indicator), and days after `today` (the build day). At most 10 per indicator and 100 in
/// all are listed; every one is counted, per indicator. A value that is not a finite number is implausible whatever the bounds.
pub fn validate(
    computed: &Computed,
    breakdowns: &Breakdowns,
    today: Option<Date>,
) -> (Vec<Violation>, BTreeMap<String, usize>) {
    let r = reference();
    let mut out = Vec::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let position = |id: &str| computed.indicators.iter().position(|i| i.id == id);
    for g in &computed.groups {
        let population = r.get(g.territory).population as f64;
        // Series computed from published cumulative totals: a negative value is a revision
        // (listed in checks.json), not refused by `min`.
        let bkey = breakdowns.key(g.breakdown);
        let revision = computed
            .revisions_in
            .iter()
            .any(|d| bkey.split_once(':').is_some_and(|(dim, _)| dim == d));
        for (ind, values) in &g.values {
            let spec = &computed.indicators[*ind];
            let id = spec.id.as_str();
            let bounds = spec.bounds.clone().unwrap_or_default();
            let cap = bounds
                .max_per_population
                .filter(|_| population > 0.0)
                .map(|f| f * population);
            let other = bounds.at_most.as_deref().and_then(|o| {
                let j = position(o)?;
                g.values.iter().find(|(k, _)| *k == j).map(|(_, v)| (o, v))
            });
            for (i, v) in values.iter().enumerate() {
                if v.is_nan() {
                    continue;
                }
                let day = g.start.add_days(i as i32);
                let rule = if !v.is_finite() {
                    Some("not a finite number".to_string())
                } else if let Some(lo) = bounds.min.filter(|lo| v < lo && !revision) {
                    Some(format!("below the plausible minimum {lo}"))
                } else if let Some(hi) = bounds.max.filter(|hi| v > hi) {
                    Some(format!("above the plausible maximum {hi}"))
                } else if let Some(c) = cap.filter(|c| v > c) {
                    Some(format!(
                        "above {} × the population ({})",
                        bounds.max_per_population.unwrap_or(1.0),
                        c.round()
                    ))
                } else if let Some((o, w)) = other
                    && let Some(w) = w.get(i).filter(|w| !w.is_nan() && v > *w)
                {
                    Some(format!(
                        "above {o} on the same day ({})",
                        round_published(*w)
                    ))
                } else if today.is_some_and(|t| day > t) {
                    Some("date in the future".to_string())
                } else {
                    None
                };
                if let Some(rule) = rule {
                    let n = counts.entry(id.to_string()).or_default();
                    *n += 1;
                    if *n <= 10 && out.len() < 100 {
                        out.push(Violation {
                            rule,
                            territory: r.get(g.territory).key(),
                            indicator: id.to_string(),
                            breakdown: breakdowns.key(g.breakdown).to_string(),
                            date: day.to_string(),
                            // JSON has no infinities: the largest number keeps the sign.
                            value: if v.is_finite() {
                                round_published(*v)
                            } else {
                                f64::MAX.copysign(*v)
                            },
                        });
                    }
                }
            }
        }
    }
    (out, counts)
}

/// What the gate tolerates.
#[derive(Clone, Copy, Debug)]
pub struct GatePolicy {
    /// Largest allowed drop of a source's row count, as a share (0.2 = 20 %).
    pub max_volume_drop: f64,
    /// Accept data ending before the live release's.
    pub allow_older_data: bool,
}

impl Default for GatePolicy {
    fn default() -> Self {
        GatePolicy {
            max_volume_drop: 0.2,
            allow_older_data: false,
        }
    }
}

fn read<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn rows_by_source(sources: &SourcesFile) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for f in &sources.files {
        if let (Some(s), Some(n)) = (&f.source, f.rows) {
            *out.entry(s.clone()).or_default() += n;
        }
    }
    out
}

/// The last day each source type covers (the latest over its files).
fn last_date_by_source(sources: &SourcesFile) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for f in &sources.files {
        if let (Some(s), Some(d)) = (&f.source, &f.last_date) {
            let e = out.entry(s.clone()).or_default();
            if d > e {
                *e = d.clone();
            }
        }
    }
    out
}

/// The series of the live release that the new one lacks (territory × indicator ×
/// breakdown), from the comparison of the two releases ([`crate::history::compare`]).
#[derive(Clone, Debug, Default)]
pub struct SeriesPresence {
    /// Missing series, `TERRITORY indicator breakdown`, in territory order (at most 100).
    pub missing: Vec<String>,
    /// How many are missing.
    pub missing_total: usize,
    /// How many are missing, per territory.
    pub missing_by_territory: BTreeMap<String, usize>,
    /// Series of the new release the live one did not have.
    pub added_total: usize,
    /// Values of the live release changed or removed in the new one.
    pub values_changed_or_removed: u64,
}

/// Checks `new` (a release directory) against `previous` (the live one, if any), with what
/// the comparison of their series found (`presence`).
pub fn evaluate(
    new: &Path,
    previous: Option<&Path>,
    policy: GatePolicy,
    presence: Option<&SeriesPresence>,
) -> GateReport {
    let mut checks = Vec::new();
    let manifest: Option<ReleaseManifest> = read(&new.join("release.json"));
    let sources: SourcesFile = read(&new.join("open-data/sources.json")).unwrap_or_default();
    let release_id = manifest
        .as_ref()
        .map(|m| m.release_id.clone())
        .unwrap_or_default();
    let indicator_rows = manifest.as_ref().map_or(0, |m| m.indicator_rows);

    let files = sources.files.len();
    checks.push(GateCheck {
        check: "data present".into(),
        passed: files > 0 && indicator_rows > 0,
        detail: format!("{files} source files, {indicator_rows} indicator rows"),
    });
    let violations = manifest.as_ref().map_or(0, |m| m.violations_total);
    let by_indicator: Vec<String> = manifest
        .as_ref()
        .map(|m| {
            m.violations_by_indicator
                .iter()
                .map(|(i, n)| format!("{i} {n}"))
                .collect()
        })
        .unwrap_or_default();
    let listed: Vec<String> = manifest
        .as_ref()
        .map(|m| {
            // The first of each indicator, then the others.
            let mut seen = std::collections::BTreeSet::new();
            let (firsts, rest): (Vec<&Violation>, Vec<&Violation>) = m
                .violations
                .iter()
                .partition(|v| seen.insert(v.indicator.clone()));
            firsts
                .into_iter()
                .chain(rest)
                .take(8)
                .map(|v| {
                    format!(
                        "{} {} {} {} = {}: {}",
                        v.territory, v.indicator, v.breakdown, v.date, v.value, v.rule
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    checks.push(GateCheck {
        check: "plausible values".into(),
        passed: violations == 0,
        detail: if violations == 0 {
            "every value within its catalogue bounds".into()
        } else {
            format!(
                "{violations} implausible values ({}; first: {})",
                by_indicator.join(", "),
                listed.join("; ")
            )
        },
    });

    // A demonstration release is not a reference for real data.
    let prev_manifest = previous
        .and_then(|p| read::<ReleaseManifest>(&p.join("release.json")))
        .filter(|m| !m.demo);
    let previous_release_id = prev_manifest.as_ref().map(|m| m.release_id.clone());
    let mut diff = Vec::new();
    if let (Some(prev), Some(pm)) = (previous, prev_manifest.as_ref()) {
        let prev_sources: SourcesFile =
            read(&prev.join("open-data/sources.json")).unwrap_or_default();
        let (old, cur) = (rows_by_source(&prev_sources), rows_by_source(&sources));
        let missing: Vec<&String> = old.keys().filter(|k| !cur.contains_key(*k)).collect();
        checks.push(GateCheck {
            check: "sources still present".into(),
            passed: missing.is_empty(),
            detail: if missing.is_empty() {
                format!("{} source types", cur.len())
            } else {
                format!("missing since the live release: {missing:?}")
            },
        });
        let mut drops = Vec::new();
        for (k, before) in &old {
            if let Some(after) = cur.get(k) {
                if (*after as f64) < (*before as f64) * (1.0 - policy.max_volume_drop) {
                    drops.push(format!("{k}: {before} → {after} rows"));
                }
                if after != before {
                    diff.push(format!("{k}: {before} → {after} rows"));
                }
            }
        }
        for k in cur.keys().filter(|k| !old.contains_key(*k)) {
            diff.push(format!("{k}: new source"));
        }
        checks.push(GateCheck {
            check: "row counts".into(),
            passed: drops.is_empty(),
            detail: if drops.is_empty() {
                format!(
                    "no source lost more than {:.0} % of its rows",
                    policy.max_volume_drop * 100.0
                )
            } else {
                format!(
                    "rows dropped by more than {:.0} %: {}",
                    policy.max_volume_drop * 100.0,
                    drops.join("; ")
                )
            },
        });
        // Per source: the release-wide last day hides a source that lost its recent days.
        let (old_last, cur_last) = (
            last_date_by_source(&prev_sources),
            last_date_by_source(&sources),
        );
        let mut older = Vec::new();
        for (k, before) in &old_last {
            if let Some(after) = cur_last.get(k) {
                if after < before {
                    older.push(format!("{k}: data until {after} (live release: {before})"));
                }
                if after != before {
                    diff.push(format!("{k}: data until {before} → {after}"));
                }
            }
        }
        let (before, after) = (
            pm.data_until.as_deref().unwrap_or_default(),
            manifest
                .as_ref()
                .and_then(|m| m.data_until.as_deref())
                .unwrap_or_default(),
        );
        checks.push(GateCheck {
            check: "freshness".into(),
            passed: policy.allow_older_data || (after >= before && older.is_empty()),
            detail: if older.is_empty() {
                format!("every source as recent as in the live release; data until {after} (live release: {before})")
            } else {
                format!("older than the live release: {}", older.join("; "))
            },
        });
        if let Some(p) = presence {
            checks.push(GateCheck {
                check: "series present".into(),
                passed: p.missing_total == 0,
                detail: if p.missing_total == 0 {
                    "every series of the live release is still published".into()
                } else {
                    format!(
                        "{} series of the live release are missing ({}; first: {})",
                        p.missing_total,
                        p.missing_by_territory
                            .iter()
                            .map(|(t, n)| format!("{t} {n}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        p.missing
                            .iter()
                            .take(10)
                            .cloned()
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                },
            });
            diff.push(format!(
                "{} values changed or removed, {} series added, {} series missing",
                p.values_changed_or_removed, p.added_total, p.missing_total
            ));
        }
    }
    GateReport {
        passed: checks.iter().all(|c| c.passed),
        release_id,
        previous_release_id,
        checks,
        diff,
    }
}
