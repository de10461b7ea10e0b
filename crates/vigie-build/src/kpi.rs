//! Latest values with CovidTracker's level-and-trend wording.

use serde_json::{Value, json};
use vigie_core::TerritoryId;
use vigie_core::wording::{Thresholds, characterise, wording_fr};
use vigie_sources::Breakdowns;

use crate::compute::Computed;

/// For each indicator of the territory's `all` breakdown: last value, its date, the value a
/// week before, the change in %, and the level-and-trend wording where thresholds exist.
pub fn latest(computed: &Computed, territory: TerritoryId) -> Value {
    let Some(g) = computed
        .groups
        .iter()
        .find(|g| g.territory == territory && g.breakdown == Breakdowns::ALL)
    else {
        return json!({});
    };
    let mut out = serde_json::Map::new();
    for (ind, values) in &g.values {
        let spec = &computed.indicators[*ind];
        let Some(i) = values.iter().rposition(|x| !x.is_nan()) else {
            continue;
        };
        let v = values[i];
        let week_before = i.checked_sub(7).map(|j| values[j]).filter(|x| !x.is_nan());
        // CovidTracker compares with the previous day for the wording.
        let previous = i.checked_sub(1).map(|j| values[j]).filter(|x| !x.is_nan());
        let mut item = json!({
            "date": g.start.add_days(i as i32).to_string(),
            "value": v,
            "value_7_days_before": week_before,
            "change_7_days_percent": week_before.filter(|w| *w != 0.0).map(|w| (v - w) / w * 100.0),
        });
        if spec.id.starts_with("vaccination_coverage_") {
            item["projection"] = projection(values, i, g.start, computed.coverage_target);
        }
        if let (Some(t), Some(p)) = (&spec.thresholds, previous) {
            let (level, trend) = characterise(
                v,
                p,
                &Thresholds {
                    levels: t.levels,
                    step: t.step,
                },
            );
            item["level"] = json!(level.id());
            item["trend"] = json!(trend.id());
            item["wording_fr"] = json!(wording_fr(level, trend));
            item["wording_en"] = json!(format!("{} {}", level.label_en(), trend.label_en()));
        }
        out.insert(spec.id.clone(), item);
    }
    Value::Object(out)
}

/// When a coverage series reaches `target` % at its pace over the last 14 days.
fn projection(values: &[f64], last: usize, start: vigie_core::Date, target: f64) -> Value {
    let now = values[last];
    let Some(before) = last
        .checked_sub(14)
        .map(|j| values[j])
        .filter(|x| !x.is_nan())
    else {
        return json!({"target_percent": target, "pace_14d_points_per_day": null, "reached_on": null});
    };
    let pace = (now - before) / 14.0;
    let reached_on = if now >= target {
        Some("reached".to_string())
    } else if pace > 0.0 {
        let days = ((target - now) / pace).ceil();
        (days < 36_500.0).then(|| start.add_days(last as i32 + days as i32).to_string())
    } else {
        None
    };
    json!({"target_percent": target, "pace_14d_points_per_day": pace, "reached_on": reached_on})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_at_current_pace() {
        let start = vigie_core::Date::from_ymd(2021, 1, 1).unwrap();
        // +0.5 point a day, 40 % on day 20: 90 % is 100 days later.
        let v: Vec<f64> = (0..21).map(|i| 30.0 + 0.5 * f64::from(i)).collect();
        let p = projection(&v, 20, start, 90.0);
        assert_eq!(p["reached_on"], "2021-05-01");
        assert_eq!(p["pace_14d_points_per_day"], 0.5);
        assert_eq!(projection(&v, 20, start, 35.0)["reached_on"], "reached");
        let flat = vec![50.0; 21];
        assert_eq!(
            projection(&flat, 20, start, 90.0)["reached_on"],
            Value::Null
        );
    }
}
