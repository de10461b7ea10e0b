//! Axis tick computations: "nice" 1-2-5 value ticks and calendar time ticks.

use crate::format::{
    civil_from_days, days_from_civil, push_day_month, push_month_year, text_width,
};

/// Ticks of a linear value axis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LinearTicks {
    /// Axis start (the first tick).
    pub min: f64,
    /// Axis end (the last tick).
    pub max: f64,
    /// Distance between ticks: 1, 2 or 5 × 10^k.
    pub step: f64,
    /// Tick values, from `min` to `max`.
    pub values: Vec<f64>,
    /// Decimals needed to print the ticks.
    pub decimals: usize,
}

/// Largest magnitude handled; wider domains are clamped so that `max - min` stays finite.
const LIMIT: f64 = 1e300;
/// Most ticks ever produced.
const MAX_TICKS: usize = 60;

/// Nice ticks covering `[lo, hi]` with about `target` intervals. Non-finite bounds fall back to
/// `[0, 1]`, an empty domain is widened around its value.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> LinearTicks {
    let (mut lo, mut hi) = match (lo.is_finite(), hi.is_finite()) {
        (true, true) => (lo.min(hi), lo.max(hi)),
        (true, false) => (lo, lo),
        (false, true) => (hi, hi),
        (false, false) => (0.0, 1.0),
    };
    lo = lo.clamp(-LIMIT, LIMIT);
    hi = hi.clamp(-LIMIT, LIMIT);
    if hi - lo <= hi.abs().max(lo.abs()) * 1e-12 {
        if lo == 0.0 {
            hi = 1.0;
        } else {
            let pad = lo.abs() * 0.1;
            lo -= pad;
            hi += pad;
        }
    }
    let target = target.clamp(1, 20) as f64;
    let raw = (hi - lo) / target;
    let mut step = nice_step(raw);
    let mut min = (lo / step).floor() * step;
    let mut max = (hi / step).ceil() * step;
    let mut n = ((max - min) / step).round();
    while !(n.is_finite() && n <= MAX_TICKS as f64) {
        step = nice_step(step * 1.5);
        min = (lo / step).floor() * step;
        max = (hi / step).ceil() * step;
        n = ((max - min) / step).round();
        if !step.is_finite() {
            break;
        }
    }
    let n = if n.is_finite() && n >= 1.0 {
        n as usize
    } else {
        1
    };
    let n = n.min(MAX_TICKS);
    let values: Vec<f64> = (0..=n)
        .map(|i| {
            let v = min + step * i as f64;
            // Avoid "-0" and float noise like 0.30000000000000004.
            if v.abs() < step * 1e-9 { 0.0 } else { v }
        })
        .collect();
    let max = values.last().copied().unwrap_or(max);
    LinearTicks {
        min,
        max,
        step,
        values,
        decimals: decimals_for_step(step),
    }
}

/// The smallest of 1, 2, 5 × 10^k that is ≥ `raw` (positive, finite).
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let exp = raw.log10().floor();
    let mag = 10f64.powf(exp);
    if !(mag.is_finite() && mag > 0.0) {
        return if raw > 1.0 { LIMIT } else { f64::MIN_POSITIVE };
    }
    let norm = raw / mag;
    let nice = if norm <= 1.0 + 1e-9 {
        1.0
    } else if norm <= 2.0 + 1e-9 {
        2.0
    } else if norm <= 5.0 + 1e-9 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Decimals needed to print multiples of `step` exactly.
pub(crate) fn decimals_for_step(step: f64) -> usize {
    if !(step.is_finite() && step > 0.0) || step >= 1.0 {
        return 0;
    }
    let d = -(step.log10() + 1e-9).floor();
    if d.is_finite() {
        (d as usize).min(12)
    } else {
        0
    }
}

/// Spacing of calendar ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeUnit {
    /// Every `n` days (`n` = 1).
    Days(i64),
    /// Every `n` weeks, on Mondays.
    Weeks(i64),
    /// Every `n` months, on the 1st, months aligned on multiples of `n` (quarters start in
    /// January, April…).
    Months(i64),
    /// Every `n` years, on 1 January of years multiple of `n`.
    Years(i64),
}

impl TimeUnit {
    /// Approximate length in days.
    fn approx_days(self) -> f64 {
        match self {
            TimeUnit::Days(n) => n as f64,
            TimeUnit::Weeks(n) => 7.0 * n as f64,
            TimeUnit::Months(n) => 30.44 * n as f64,
            TimeUnit::Years(n) => 365.25 * n as f64,
        }
    }

    /// Width estimate of the widest label at font size `size` (`years`: the range spans more
    /// than one calendar year, so day labels may carry the year).
    fn label_width(self, size: f64, years: bool) -> f64 {
        let sample = match self {
            TimeUnit::Days(_) | TimeUnit::Weeks(_) if years => "00/00/0000",
            TimeUnit::Days(_) | TimeUnit::Weeks(_) => "00/00",
            TimeUnit::Months(_) => "sept. 0000",
            TimeUnit::Years(n) if n >= 10_000 => "-0000000",
            TimeUnit::Years(_) => "0000",
        };
        text_width(sample, size)
    }
}

/// Candidate spacings, finest first.
fn candidates() -> impl Iterator<Item = TimeUnit> {
    let fixed = [
        TimeUnit::Days(1),
        TimeUnit::Weeks(1),
        TimeUnit::Weeks(2),
        TimeUnit::Months(1),
        TimeUnit::Months(2),
        TimeUnit::Months(3),
        TimeUnit::Months(6),
    ];
    let years = (0..7).flat_map(|k| {
        let p = 10i64.pow(k);
        [
            TimeUnit::Years(p),
            TimeUnit::Years(2 * p),
            TimeUnit::Years(5 * p),
        ]
    });
    fixed.into_iter().chain(years)
}

/// One time tick: its day and its label.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TimeTick {
    pub day: i64,
    pub label: String,
}

/// Calendar ticks for the day range `[d0, d1]` drawn over `width` px with labels of font size
/// `font_size`: the finest spacing whose labels do not overlap.
pub(crate) fn time_ticks(
    d0: f64,
    d1: f64,
    width: f64,
    font_size: f64,
) -> (TimeUnit, Vec<TimeTick>) {
    let (d0, d1) = if d0 <= d1 { (d0, d1) } else { (d1, d0) };
    let span = (d1 - d0).max(1.0);
    let width = if width.is_finite() {
        width.max(1.0)
    } else {
        1.0
    };
    let years = civil_from_days(d0.clamp(-1e12, 1e12) as i64).0
        != civil_from_days(d1.clamp(-1e12, 1e12) as i64).0;
    let mut chosen = TimeUnit::Years(5_000_000);
    for unit in candidates() {
        let count = span / unit.approx_days() + 1.0;
        let needed = unit.label_width(font_size, years) + font_size;
        // Spacing between ticks in px must fit a label.
        let spacing = width * unit.approx_days() / span;
        if count <= MAX_TICKS as f64 && spacing >= needed {
            chosen = unit;
            break;
        }
    }
    (chosen, generate(chosen, d0, d1, years))
}

/// All ticks of `unit` within `[d0, d1]` (at most [`MAX_TICKS`] + a few). When the range spans
/// several years (`years`), day labels carry the year on the first tick and on the first tick
/// of each new year (`28/12/2020`, `04/01`… `04/01/2021`), so the axis always says the year.
fn generate(unit: TimeUnit, d0: f64, d1: f64, years: bool) -> Vec<TimeTick> {
    let lo = d0.ceil().clamp(-1e12, 1e12) as i64;
    let hi = d1.floor().clamp(-1e12, 1e12) as i64;
    let mut out = Vec::new();
    if lo > hi {
        return out;
    }
    let limit = MAX_TICKS * 2;
    let mut label = String::new();
    match unit {
        TimeUnit::Days(n) | TimeUnit::Weeks(n) => {
            let (n, first) = if let TimeUnit::Weeks(_) = unit {
                // 1970-01-05 (day 4) was a Monday.
                let n = 7 * n;
                (n, lo + (4 - lo).rem_euclid(n))
            } else {
                (n, lo + (-lo).rem_euclid(n))
            };
            let mut d = first;
            let mut last_year = None;
            while d <= hi && out.len() < limit {
                label.clear();
                push_day_month(&mut label, d);
                let year = civil_from_days(d).0;
                if years && last_year != Some(year) {
                    label.push('/');
                    label.push_str(&year.to_string());
                }
                last_year = Some(year);
                out.push(TimeTick {
                    day: d,
                    label: label.clone(),
                });
                d += n;
            }
        }
        TimeUnit::Months(n) => {
            let (y, m, _) = civil_from_days(lo);
            let mut index = y * 12 + i64::from(m) - 1; // months since year 0
            if civil_from_days(lo).2 != 1 {
                index += 1;
            }
            index += (-index).rem_euclid(n);
            loop {
                let year = index.div_euclid(12);
                let month = (index.rem_euclid(12) + 1) as u32;
                let d = days_from_civil(year, month, 1);
                if d > hi || out.len() >= limit {
                    break;
                }
                label.clear();
                push_month_year(&mut label, d);
                out.push(TimeTick {
                    day: d,
                    label: label.clone(),
                });
                index += n;
            }
        }
        TimeUnit::Years(n) => {
            let (y, m, d) = civil_from_days(lo);
            let mut year = if m == 1 && d == 1 { y } else { y + 1 };
            year += (-year).rem_euclid(n);
            loop {
                let d = days_from_civil(year, 1, 1);
                if d > hi || out.len() >= limit {
                    break;
                }
                out.push(TimeTick {
                    day: d,
                    label: year.to_string(),
                });
                year += n;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::days_from_civil;

    #[test]
    fn one_two_five_steps() {
        let t = nice_ticks(0.0, 87.0, 5);
        assert_eq!(t.step, 20.0);
        assert_eq!(t.values, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(t.decimals, 0);
        let t = nice_ticks(0.0, 1.3, 5);
        assert_eq!(t.step, 0.5);
        assert_eq!(t.decimals, 1);
        assert_eq!(t.values.len(), 4);
        let t = nice_ticks(-23.0, 41.0, 6);
        assert_eq!(t.step, 20.0);
        assert_eq!(t.min, -40.0);
        assert_eq!(t.max, 60.0);
        assert!(t.values.contains(&0.0));
        let t = nice_ticks(0.0, 0.00042, 4);
        assert_eq!(t.decimals, 4);
        assert!((t.step - 0.0002).abs() < 1e-15, "{t:?}");
        for (lo, hi, target) in [(0.0, 1.0, 5), (3.0, 7.0, 3), (1e6, 3e6, 5), (0.2, 0.9, 7)] {
            let t = nice_ticks(lo, hi, target);
            let mant = t.step / 10f64.powf(t.step.log10().floor());
            assert!(
                [1.0, 2.0, 5.0].iter().any(|m| (mant - m).abs() < 1e-9),
                "step {} for {lo}..{hi}",
                t.step
            );
            assert!(t.min <= lo && t.max >= hi);
        }
    }

    #[test]
    fn day_labels_say_the_year_when_the_range_spans_two() {
        // 2020-12-01 .. 2021-02-15, weekly ticks: the first tick and the first of 2021 carry it.
        let d0 = days_from_civil(2020, 12, 1) as f64;
        let d1 = days_from_civil(2021, 2, 15) as f64;
        let (unit, ticks) = time_ticks(d0, d1, 900.0, 11.0);
        assert!(
            matches!(unit, TimeUnit::Weeks(_) | TimeUnit::Days(_)),
            "{unit:?}"
        );
        assert!(ticks[0].label.ends_with("/2020"), "{:?}", ticks[0]);
        let first_2021 = ticks
            .iter()
            .find(|t| civil_from_days(t.day).0 == 2021)
            .map(|t| t.label.clone());
        assert!(first_2021.is_some_and(|l| l.ends_with("/2021")));
        assert_eq!(ticks.iter().filter(|t| t.label.len() > 5).count(), 2);
        // Within one year: no year.
        let (_, ticks) = time_ticks(d1, d1 + 40.0, 900.0, 11.0);
        assert!(ticks.iter().all(|t| t.label.len() == 5), "{ticks:?}");
    }

    #[test]
    fn degenerate_domains() {
        let t = nice_ticks(5.0, 5.0, 5);
        assert!(t.min < 5.0 && t.max > 5.0, "{t:?}");
        let t = nice_ticks(0.0, 0.0, 5);
        assert_eq!((t.min, t.max), (0.0, 1.0));
        let t = nice_ticks(f64::NAN, f64::INFINITY, 5);
        assert!(t.values.len() >= 2);
        let t = nice_ticks(-1e308, 1e308, 5);
        assert!(
            t.values.len() >= 2 && t.values.len() <= MAX_TICKS + 1,
            "{t:?}"
        );
        let t = nice_ticks(1e16, 1e16 + 2.0, 5);
        assert!(t.values.len() <= MAX_TICKS + 1);
        let t = nice_ticks(-7.0, -3.0, 4);
        assert!(t.min <= -7.0 && t.max >= -3.0);
    }

    #[test]
    fn time_ticks_adapt_to_span() {
        let start = days_from_civil(2020, 3, 1) as f64;
        // Ten days on 600 px: daily ticks.
        let (unit, ticks) = time_ticks(start, start + 9.0, 600.0, 11.0);
        assert_eq!(unit, TimeUnit::Days(1));
        assert_eq!(ticks.len(), 10);
        assert_eq!(ticks[0].label, "01/03");
        // Two months: weekly ticks on Mondays.
        let (unit, ticks) = time_ticks(start, start + 60.0, 600.0, 11.0);
        assert!(matches!(unit, TimeUnit::Weeks(_)), "{unit:?}");
        assert_eq!(ticks[0].label, "02/03"); // Monday 2 March 2020
        assert!(ticks.iter().all(|t| (t.day - 4).rem_euclid(7) == 0));
        // A year and a half: months, labelled "mars 2020".
        let (unit, ticks) = time_ticks(start, start + 550.0, 700.0, 11.0);
        assert!(matches!(unit, TimeUnit::Months(_)), "{unit:?}");
        assert!(ticks.iter().any(|t| t.label == "janv. 2021"), "{ticks:?}");
        // Six years: years.
        let (unit, ticks) = time_ticks(start, start + 6.0 * 365.0, 500.0, 11.0);
        assert!(matches!(unit, TimeUnit::Years(_)), "{unit:?}");
        assert_eq!(ticks[0].label, "2021");
        // Huge span: bounded.
        let (_, ticks) = time_ticks(i32::MIN as f64, i32::MAX as f64, 600.0, 11.0);
        assert!(!ticks.is_empty() && ticks.len() <= MAX_TICKS * 2);
        // Tiny or reversed inputs do not panic.
        let _ = time_ticks(10.0, 0.0, 0.0, 11.0);
        let _ = time_ticks(0.0, 0.0, f64::NAN, 11.0);
    }
}
