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
