//! The demonstration's world: the JHU CSSE wide files (cumulative confirmed cases and deaths,
//! one column per day, `M/D/YY`) and the WHO's weekly file, for every country the built-in
//! JHU place table knows, in the publishers' own layouts (names as JHU spells them, provinces
//! for Australia, Canada and China, WHO alpha-2 codes). The WHO's totals follow JHU's with a
//! reporting lag and small differences, as the real ones do, so the cross-checks have
//! something to say.

use std::collections::BTreeMap;
use std::fmt::Write;

use vigie_core::{Date, Level, reference};

use crate::Rng;

/// JHU's confirmed-cases file name (the name tells confirmed and deaths apart).
pub const JHU_CONFIRMED: &str = "time_series_covid19_confirmed_global.csv";
/// JHU's deaths file name.
pub const JHU_DEATHS: &str = "time_series_covid19_deaths_global.csv";
/// The WHO's weekly file name.
pub const WHO: &str = "WHO-COVID-19-global-data.csv";

/// One place of the JHU file: `(Country/Region, Province/State, territory key)`.
fn places() -> Vec<(String, String, String)> {
    let Ok(catalog) = vigie_sources::Catalog::builtin() else {
        return Vec::new();
    };
    let Some(table) = catalog.code_tables.get("jhu_places") else {
        return Vec::new();
    };
    // One place per territory: the plain country name where there is one, else a province of
    // a country known only by its provinces.
    let mut by_key: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut entries: Vec<(&String, &String)> = table.iter().collect();
    entries.sort();
    for (place, key) in entries {
        if key == "-" {
            continue;
        }
        let (country, province) = match place.split_once('|') {
            None => (place.clone(), String::new()),
            Some((c, "*")) => (c.to_string(), "Demo".to_string()),
            Some(_) => continue,
        };
        by_key
            .entry(key.clone())
            .and_modify(|e| {
                if !province.is_empty() && e.1.is_empty() {
                    return;
                }
                if province.is_empty() {
                    *e = (country.clone(), String::new());
                }
            })
            .or_insert((country, province));
    }
    by_key.into_iter().map(|(k, (c, p))| (c, p, k)).collect()
}

fn quoted(s: &str) -> String {
    if s.contains(',') || s.contains('"') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The three files, covering `days` days ending on `end` (WHO: the Sundays among them).
pub fn files(end: Date, days: u32) -> Vec<(String, Vec<u8>)> {
    let r = reference();
    let start = end.add_days(1 - days as i32);
    let mut rng = Rng(crate::SEED ^ 0x0077_0e1d);
    let mut header = String::from("Province/State,Country/Region,Lat,Long");
    for i in 0..days {
        let (y, m, d) = start.add_days(i as i32).ymd();
        let _ = write!(header, ",{m}/{d}/{:02}", y % 100);
    }
    header.push('\n');
    let (mut confirmed, mut deaths) = (header.clone(), header);
    let mut who = String::from(
        "Date_reported,Country_code,Country,WHO_region,New_cases,Cumulative_cases,New_deaths,Cumulative_deaths\n",
    );
    for (country, province, key) in places() {
        let Some(id) = r.by_key(&key) else { continue };
        let t = r.get(id);
        let pseudo = t.level == Level::NonCountry;
        let population = if pseudo { 3_000.0 } else { t.population as f64 };
        if population <= 0.0 {
            continue;
        }
        // Cases per million before the period, a wave with its own peak, height and width.
        let already = population * (0.05 + 0.25 * rng.next());
        let peak = days as f64 * (0.3 + 0.5 * rng.next());
        let height = 300.0 + 2_500.0 * rng.next(); // new cases per million per day at the peak
        let width = days as f64 * (0.08 + 0.08 * rng.next());
        let fatality = 0.002 + 0.008 * rng.next();
        let (mut cum_c, mut cum_d) = (already.round(), (already * fatality * 2.0).round());
        let (mut row_c, mut row_d) = (
            format!("{},{},0,0", quoted(&province), quoted(&country)),
            format!("{},{},0,0", quoted(&province), quoted(&country)),
        );
        let mut sundays = Vec::new();
        for i in 0..days {
            let x = (f64::from(i) - peak) / width;
            let per_million = 30.0 + height * (-x * x / 2.0).exp();
            let new_c = (per_million * population / 1e6 * (0.8 + 0.4 * rng.next())).round();
            cum_c += new_c;
            cum_d += (new_c * fatality).round();
            let _ = write!(row_c, ",{cum_c}");
            let _ = write!(row_d, ",{cum_d}");
            let day = start.add_days(i as i32);
            if day.weekday() == 6 {
                sundays.push((day, cum_c, cum_d));
            }
        }
        confirmed.push_str(&row_c);
        confirmed.push('\n');
        deaths.push_str(&row_d);
        deaths.push('\n');
        if pseudo || t.iso.who_code.is_empty() {
            continue;
        }
        // The WHO: the same totals a few percent lower (reporting lag, definitions).
        let share = 0.96 + 0.04 * rng.next();
        let region = t
            .who_region
            .map(|w| r.get(w).code.clone())
            .unwrap_or_default();
        let (mut prev_c, mut prev_d) = (None::<f64>, None::<f64>);
        for (day, c, d) in sundays {
            let (c, d) = ((c * share).round(), (d * share).round());
            let new = |now: f64, prev: Option<f64>| {
                prev.map(|p| format!("{}", now - p)).unwrap_or_default()
            };
            let _ = writeln!(
                who,
                "{day},{},{},{region},{},{c},{},{d}",
                t.iso.who_code,
                quoted(&t.name_en),
                new(c, prev_c),
                new(d, prev_d)
            );
            (prev_c, prev_d) = (Some(c), Some(d));
        }
    }
    vec![
        (JHU_CONFIRMED.to_string(), confirmed.into_bytes()),
        (JHU_DEATHS.to_string(), deaths.into_bytes()),
        (WHO.to_string(), who.into_bytes()),
    ]
}
