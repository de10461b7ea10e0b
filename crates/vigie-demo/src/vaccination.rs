//! The demo vaccination campaign, in the current (2023) Santé publique France VAC-SI formats
//! that `catalog/vaccination.toml` recognises:
//!
//! * `vacsi-dep.csv`, `vacsi-reg.csv`, `vacsi-fra.csv`: daily injections by dose rank (first
//!   dose, completed primary series, boosters 1–3 and bivalent), SPF's cumulatives and
//!   coverages (the "2023: primary series and boosters" vintage);
//! * `vacsi-a-fra.csv`: the same by VAC-SI age class (`clage_vacsi`, `0` = all ages);
//! * `vacsi-tot-a-fra.csv`: the last day's totals by age class with SPF's population of each
//!   class (`pop`), the denominator of the coverage by age;
//! * `vacsi-v-fra.csv`: the same by vaccine (`vaccin` 1–4, `0` = all), with dose ranks 1–4;
//! * `flux-tot-nat.csv`: weekly deliveries by vaccine type (`;`, `dd/mm/yyyy`).
//!
//! Every total is the exact sum of its parts (regions and France are sums of departments; age
//! classes and vaccines are apportioned with the largest-remainder method), every cumulative is
//! the running sum of the daily values from the first day of the window (the campaign starts
//! then), and every coverage stays below 100 %.

use std::fmt::Write;

use vigie_core::{Date, TerritoryId, reference};

use crate::Rng;

/// Dose columns, in the SPF order: (daily column suffix, share of the department's first-dose
/// coverage reached at the end, centre of the S-curve as a fraction of the window).
const DOSES: [(&str, f64, f64); 6] = [
    ("dose1", 1.0, 0.28),
    ("complet", 0.965, 0.38),
    ("rappel", 0.72, 0.66),
    ("2_rappel", 0.18, 0.84),
    ("rappel_biv", 0.1, 0.9),
    ("3_rappel", 0.035, 0.95),
];

/// The coverage columns of the 2023 files (SPF does not publish `couv_2_rappel`… for all
/// vintages, but the 2023 files carry all six).
const SPF_HEADER_TAIL: &str = "n_dose1;n_complet;n_rappel;n_2_rappel;n_rappel_biv;n_3_rappel;\
n_cum_dose1;n_cum_complet;n_cum_rappel;n_cum_2_rappel;n_cum_rappel_biv;n_cum_3_rappel;\
couv_dose1;couv_complet;couv_rappel;couv_2_rappel;couv_rappel_biv;couv_3_rappel";

/// VAC-SI age classes (`clage_vacsi`): code, share of the population, relative uptake of the
/// primary series, relative uptake of boosters.
const AGE_CLASSES: [(&str, f64, f64, f64); 14] = [
    ("04", 0.054, 0.01, 0.0),
    ("09", 0.059, 0.06, 0.0),
    ("11", 0.025, 0.3, 0.0),
    ("17", 0.074, 0.85, 0.25),
    ("24", 0.078, 0.95, 0.75),
    ("29", 0.055, 0.95, 0.8),
    ("39", 0.121, 1.0, 0.85),
    ("49", 0.127, 1.05, 0.95),
    ("59", 0.130, 1.1, 1.05),
    ("64", 0.061, 1.12, 1.2),
    ("69", 0.058, 1.15, 1.25),
    ("74", 0.053, 1.15, 1.3),
    ("79", 0.036, 1.15, 1.3),
    ("80", 0.069, 1.1, 1.25),
];

/// SPF vaccine codes and their shares of first doses and of later doses.
const VACCINES: [(&str, f64, f64); 4] = [
    ("1", 0.78, 0.82),
    ("2", 0.13, 0.16),
    ("3", 0.07, 0.02),
    ("4", 0.02, 0.0),
];

/// Delivery types (`type_de_vaccin`), doses per unit (`nb_ucd`), share of deliveries.
const DELIVERIES: [(&str, u64, f64); 4] = [
    ("Pfizer", 6, 0.79),
    ("Moderna", 10, 0.14),
    ("AstraZeneca", 10, 0.05),
    ("Janssen", 5, 0.02),
];

/// Weekday factors (Monday first), normalised to a mean of 1 below.
const WEEKDAY: [f64; 7] = [1.1, 1.12, 1.1, 1.1, 1.08, 0.85, 0.3];

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Daily values `[day][dose]` for one territory.
type Daily = Vec<[u64; 6]>;

fn add_into(total: &mut Daily, part: &Daily) {
    for (t, p) in total.iter_mut().zip(part) {
        for k in 0..6 {
            t[k] += p[k];
        }
    }
}

/// Largest-remainder apportionment of `total` over `weights` (ties to the lower index).
fn apportion(total: u64, weights: &[f64]) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if total == 0 || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut out: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let mut left = total.saturating_sub(out.iter().sum());
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for i in order {
        if left == 0 {
            break;
        }
        if weights[i] > 0.0 {
            out[i] += 1;
            left -= 1;
        }
    }
    out
}

/// One department's campaign: daily injections per dose rank.
fn department(pop: f64, overseas: bool, days: u32, rng: &mut Rng) -> Daily {
    let final_dose1 = if overseas {
        0.36 + 0.14 * rng.next()
    } else {
        0.70 + 0.06 * rng.next()
    };
    let shift = 0.04 * (rng.next() - 0.5);
    let width = 0.07 + 0.02 * rng.next();
    let mean_weekday = WEEKDAY.iter().sum::<f64>() / 7.0;
    let n = f64::from(days.max(2) - 1);
    let mut out = vec![[0u64; 6]; days as usize];
    for (k, &(_, share, centre)) in DOSES.iter().enumerate() {
        let target = pop * final_dose1 * share;
        let m = centre + shift;
        let s = |u: f64| logistic((u - m) / width);
        // Normalised so that the curve is 0 the day before the window and 1 on its last day.
        let s0 = s(-1.0 / n);
        let s1 = s(1.0);
        let mut previous = 0.0;
        for (i, day) in out.iter_mut().enumerate() {
            let u = i as f64 / n;
            let level = (s(u) - s0) / (s1 - s0);
            let increment = target * (level - previous);
            previous = level;
            let weekday = WEEKDAY[(i % 7).min(6)] / mean_weekday;
            let noise = 0.9 + 0.2 * rng.next();
            day[k] = (increment * weekday * noise).round().max(0.0) as u64;
        }
    }
    out
}

fn write_rows(out: &mut String, code: &str, start: Date, daily: &Daily, pop: f64) {
    let mut cum = [0u64; 6];
    for (i, d) in daily.iter().enumerate() {
        let day = start.add_days(i as i32);
        let _ = write!(out, "{code};{day}");
        for v in d {
            let _ = write!(out, ";{v}");
        }
        for k in 0..6 {
            cum[k] += d[k];
        }
        for c in cum {
            let _ = write!(out, ";{c}");
        }
        for c in cum {
            let _ = write!(out, ";{:.1}", coverage(c, pop));
        }
        out.push('\n');
    }
}

fn coverage(cum: u64, pop: f64) -> f64 {
    if pop > 0.0 {
        cum as f64 / pop * 100.0
    } else {
        0.0
    }
}

/// The vaccination files over `days` days ending on `end` (the campaign starts on the first
/// day of the window).
pub(crate) fn files(end: Date, days: u32) -> Vec<(String, Vec<u8>)> {
    let r = reference();
    let days = days.max(1);
    let start = end.add_days(1 - days as i32);
    // Day-of-week alignment: `department` indexes WEEKDAY by `i % 7` from a Monday, so each
    // department is generated from the Monday before the window and its first days dropped.
    let offset = start.weekday() as usize;
    let mut rng = Rng(0x7acc_1e55_c0de_2021);
    let mut dep_rows = format!("dep;jour;{SPF_HEADER_TAIL}\n");
    let mut regions: Vec<(TerritoryId, Daily)> = r
        .regions()
        .iter()
        .map(|&id| (id, vec![[0u64; 6]; days as usize]))
        .collect();
    let mut france: Daily = vec![[0u64; 6]; days as usize];
    for &dep in r.departments() {
        let t = r.get(dep);
        let overseas = t.code.len() == 3;
        let full = department(
            t.population as f64,
            overseas,
            days + offset as u32,
            &mut rng,
        );
        let daily: Daily = full.into_iter().skip(offset).collect();
        write_rows(&mut dep_rows, &t.code, start, &daily, t.population as f64);
        if let Some(reg) = t.region
            && let Some((_, total)) = regions.iter_mut().find(|(id, _)| *id == reg)
        {
            add_into(total, &daily);
        }
        add_into(&mut france, &daily);
    }
    let mut reg_rows = format!("reg;jour;{SPF_HEADER_TAIL}\n");
    for (id, daily) in &regions {
        let t = r.get(*id);
        write_rows(&mut reg_rows, &t.code, start, daily, t.population as f64);
    }
    let fr_pop = r.get(r.france()).population as f64;
    let mut fra_rows = format!("fra;jour;{SPF_HEADER_TAIL}\n");
    write_rows(&mut fra_rows, "FR", start, &france, fr_pop);

    vec![
        ("vacsi-dep.csv".to_string(), dep_rows.into_bytes()),
        ("vacsi-reg.csv".to_string(), reg_rows.into_bytes()),
        ("vacsi-fra.csv".to_string(), fra_rows.into_bytes()),
        (
            "vacsi-a-fra.csv".to_string(),
            by_age(start, &france, fr_pop).into_bytes(),
        ),
        (
            "vacsi-tot-a-fra.csv".to_string(),
            totals_by_age(start, &france, fr_pop).into_bytes(),
        ),
        (
            "vacsi-v-fra.csv".to_string(),
            by_vaccine(start, &france).into_bytes(),
        ),
        (
            "flux-tot-nat.csv".to_string(),
            deliveries(start, end, &france).into_bytes(),
        ),
    ]
}

/// The national daily values apportioned over the age classes, and each class's population.
fn split_by_age(france: &Daily, fr_pop: f64) -> (Vec<Daily>, Vec<f64>) {
    let primary: Vec<f64> = AGE_CLASSES.iter().map(|a| a.1 * a.2).collect();
    let booster: Vec<f64> = AGE_CLASSES.iter().map(|a| a.1 * a.3).collect();
    let share_sum: f64 = AGE_CLASSES.iter().map(|a| a.1).sum();
    let mut per_class: Vec<Daily> = vec![Vec::with_capacity(france.len()); AGE_CLASSES.len()];
    for d in france {
        let split: Vec<Vec<u64>> = (0..6)
            .map(|k| apportion(d[k], if k < 2 { &primary } else { &booster }))
            .collect();
        for (a, class) in per_class.iter_mut().enumerate() {
            let mut row = [0u64; 6];
            for k in 0..6 {
                row[k] = split[k][a];
            }
            class.push(row);
        }
    }
    let pops = AGE_CLASSES
        .iter()
        .map(|a| fr_pop * a.1 / share_sum)
        .collect();
    (per_class, pops)
}

/// `vacsi-a-fra`: the national totals apportioned over the age classes (sorted by class code
/// then day, as SPF does, with the `0` class last).
fn by_age(start: Date, france: &Daily, fr_pop: f64) -> String {
    let (per_class, pops) = split_by_age(france, fr_pop);
    let mut out = format!("fra;clage_vacsi;jour;{SPF_HEADER_TAIL}\n");
    let mut body = String::new();
    for (a, class) in per_class.iter().enumerate() {
        write_rows(&mut body, AGE_CLASSES[a].0, start, class, pops[a]);
    }
    write_rows(&mut body, "0", start, france, fr_pop);
    // `write_rows` writes `code;jour;…`: prefix the country code.
    for line in body.lines() {
        let _ = writeln!(out, "FR;{line}");
    }
    out
}

/// `vacsi-tot-a-fra`: the last day's cumulative totals by age class (then `0`), SPF's
/// population of each class (`pop`, one decimal as SPF writes it) and the coverages.
fn totals_by_age(start: Date, france: &Daily, fr_pop: f64) -> String {
    let (per_class, pops) = split_by_age(france, fr_pop);
    let day = start.add_days(france.len().saturating_sub(1) as i32);
    let mut out = String::from(
        "fra;clage_vacsi;jour;n_tot_dose1;n_tot_complet;n_tot_rappel;n_tot_2_rappel;\
n_tot_rappel_biv;n_tot_3_rappel;pop;couv_tot_dose1;couv_tot_complet;couv_tot_rappel;\
couv_tot_2_rappel;couv_tot_rappel_biv;couv_tot_3_rappel\n",
    );
    let classes = AGE_CLASSES
        .iter()
        .map(|a| a.0)
        .zip(per_class.iter().zip(pops))
        .chain(std::iter::once(("0", (france, fr_pop))));
    for (code, (daily, pop)) in classes {
        let mut cum = [0u64; 6];
        for d in daily {
            for k in 0..6 {
                cum[k] += d[k];
            }
        }
        let _ = write!(out, "FR;{code};{day}");
        for c in cum {
            let _ = write!(out, ";{c}");
        }
        let _ = write!(out, ";{pop:.1}");
        for c in cum {
            let _ = write!(out, ";{:.1}", coverage(c, pop));
        }
        out.push('\n');
    }
    out
}

/// `vacsi-v-fra`: by vaccine, with dose ranks 1–4 (rank 2 = completed primary series, 3 = first
/// booster, 4 = second booster; Janssen is single-dose).
fn by_vaccine(start: Date, france: &Daily) -> String {
    let first: Vec<f64> = VACCINES.iter().map(|v| v.1).collect();
    let later: Vec<f64> = VACCINES.iter().map(|v| v.2).collect();
    let mut out = String::from(
        "fra;vaccin;jour;n_dose1;n_dose2;n_dose3;n_dose4;n_complet;n_rappel;n_2_rappel;\
n_rappel_biv;n_3_rappel;n_cum_dose1;n_cum_dose2;n_cum_dose3;n_cum_dose4;n_cum_complet;\
n_cum_rappel;n_cum_2_rappel;n_cum_rappel_biv;n_cum_3_rappel\n",
    );
    // Rows: [dose1, dose2, dose3, dose4, complet, rappel, 2_rappel, rappel_biv, 3_rappel].
    let mut per_vaccine: Vec<Vec<[u64; 9]>> = vec![Vec::new(); VACCINES.len() + 1];
    for d in france {
        let all = [d[0], d[1], d[2], d[3], d[1], d[2], d[3], d[4], d[5]];
        let split: Vec<Vec<u64>> = all
            .iter()
            .enumerate()
            .map(|(k, &v)| apportion(v, if k == 0 || k == 4 { &first } else { &later }))
            .collect();
        for (v, rows) in per_vaccine.iter_mut().take(VACCINES.len()).enumerate() {
            let mut row = [0u64; 9];
            for k in 0..9 {
                row[k] = split[k][v];
            }
            rows.push(row);
        }
        per_vaccine[VACCINES.len()].push(all);
    }
    let codes = VACCINES.iter().map(|v| v.0).chain(std::iter::once("0"));
    for (code, rows) in codes.zip(&per_vaccine) {
        let mut cum = [0u64; 9];
        for (i, row) in rows.iter().enumerate() {
            let _ = write!(out, "FR;{code};{}", start.add_days(i as i32));
            for v in row {
                let _ = write!(out, ";{v}");
            }
            for k in 0..9 {
                cum[k] += row[k];
            }
            for c in cum {
                let _ = write!(out, ";{c}");
            }
            out.push('\n');
        }
    }
    out
}

/// `flux-tot-nat`: weekly deliveries (week ending on Sunday), about 8 % more than the
/// injections of the following week, in whole units (`nb_ucd`).
fn deliveries(start: Date, end: Date, france: &Daily) -> String {
    let mut out = String::from("date_fin_semaine;type_de_vaccin;nb_ucd;nb_doses\n");
    let injected = |d: Date| -> u64 {
        let i = d.days_since(start);
        if i < 0 {
            return 0;
        }
        france
            .get(i as usize)
            .map(|row| row.iter().sum::<u64>())
            .unwrap_or(0)
    };
    // First Sunday on or after the day before the window.
    let mut sunday = start.add_days(-1);
    while sunday.weekday() != 6 {
        sunday = sunday.add_days(1);
    }
    while sunday <= end {
        // The week after the delivery (or the week before when it runs past the window).
        let ahead: u64 = (1..=7).map(|k| injected(sunday.add_days(k))).sum();
        let week = if sunday.add_days(7) <= end {
            ahead
        } else {
            (0..7).map(|k| injected(sunday.add_days(-k))).sum()
        };
        let doses = week as f64 * 1.08;
        let (y, m, d) = sunday.ymd();
        for (name, per_unit, share) in DELIVERIES {
            let ucd = (doses * share / per_unit as f64).ceil() as u64;
            if ucd > 0 {
                let _ = writeln!(out, "{d:02}/{m:02}/{y};{name};{ucd};{}", ucd * per_unit);
            }
        }
        sunday = sunday.add_days(7);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_is_exact_and_proportional() {
        assert_eq!(apportion(10, &[1.0, 1.0, 1.0]), vec![4, 3, 3]);
        assert_eq!(apportion(7, &[0.0, 1.0, 3.0]), vec![0, 2, 5]);
        assert_eq!(apportion(0, &[1.0]), vec![0]);
        assert_eq!(apportion(5, &[0.0, 0.0]), vec![0, 0]);
    }
}
