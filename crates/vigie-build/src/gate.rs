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

/// Indicators that are counts of people or stocks and can never be negative.
const NON_NEGATIVE: &[&str] = &[
    "cases",
    "tests",
    "hosp",
    "icu",
    "hosp_admissions",
    "icu_admissions",
    "hosp_deaths",
    "hosp_deaths_cum",
    "vaccination_dose1_cum",
    "vaccination_complete_cum",
    "vaccination_booster_cum",
    "vaccine_deliveries_doses",
];

/// Finds impossible values: negative counts and stocks, coverage above 100 % beyond
/// `coverage_tolerance` points, and days after `today` (the build day). At most 100 are listed.
pub fn validate(
    computed: &Computed,
    breakdowns: &Breakdowns,
    today: Option<Date>,
    coverage_tolerance: f64,
) -> (Vec<Violation>, usize) {
    let r = reference();
    let mut out = Vec::new();
    let mut total = 0usize;
    for g in &computed.groups {
        for (ind, values) in &g.values {
            let id = computed.indicators[*ind].id.as_str();
            let coverage = id.contains("coverage");
            let non_negative = NON_NEGATIVE.contains(&id);
            for (i, v) in values.iter().enumerate() {
                if v.is_nan() {
                    continue;
                }
                let day = g.start.add_days(i as i32);
                let rule = if non_negative && *v < 0.0 {
                    Some("negative count or stock")
                } else if coverage && *v > 100.0 + coverage_tolerance {
                    Some("coverage above 100 %")
                } else if today.is_some_and(|t| day > t) {
                    Some("date in the future")
                } else {
                    None
                };
                if let Some(rule) = rule {
                    total += 1;
                    if out.len() < 100 {
                        out.push(Violation {
                            rule: rule.to_string(),
                            territory: r.get(g.territory).key(),
                            indicator: id.to_string(),
                            breakdown: breakdowns.key(g.breakdown).to_string(),
                            date: day.to_string(),
                            value: round_published(*v),
                        });
                    }
                }
            }
        }
    }
    (out, total)
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

/// Checks `new` (a release directory) against `previous` (the live one, if any).
pub fn evaluate(new: &Path, previous: Option<&Path>, policy: GatePolicy) -> GateReport {
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
    let first = manifest
        .as_ref()
        .and_then(|m| m.violations.first())
        .map(|v| {
            format!(
                " (first: {:?} {:?} {:?} {:?} = {}: {})",
                v.territory, v.indicator, v.breakdown, v.date, v.value, v.rule
            )
        });
    checks.push(GateCheck {
        check: "plausible values".into(),
        passed: violations == 0,
        detail: format!(
            "{violations} impossible values{}",
            first.unwrap_or_default()
        ),
    });

    // A demonstration release is not a reference for real data.
    let prev_manifest = previous
        .and_then(|p| read::<ReleaseManifest>(&p.join("release.json")))
        .filter(|m| !m.demo);
    let previous_release_id = prev_manifest.as_ref().map(|m| m.release_id.clone());
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
            if let Some(after) = cur.get(k)
                && (*after as f64) < (*before as f64) * (1.0 - policy.max_volume_drop)
            {
                drops.push(format!("{k}: {before} → {after} rows"));
            }
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
        let (before, after) = (
            pm.data_until.as_deref().unwrap_or_default(),
            manifest
                .as_ref()
                .and_then(|m| m.data_until.as_deref())
                .unwrap_or_default(),
        );
        checks.push(GateCheck {
            check: "freshness".into(),
            passed: policy.allow_older_data || after >= before,
            detail: format!("data until {after} (live release: {before})"),
        });
    }
    GateReport {
        passed: checks.iter().all(|c| c.passed),
        release_id,
        previous_release_id,
        checks,
    }
}
