//! Indicator maths over aligned daily vectors (`NaN` = missing).
//!
//! Every function takes slices that share the same first day and returns a vector of the same
//! length. A window is undefined (`NaN`) as soon as one of its days is missing: missing days
//! never shift a window.

/// Where a window sits relative to the day it is reported on.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub enum Align {
    /// `t-(w-1) ..= t` (pandas `rolling(w)`).
    #[default]
    Trailing,
    /// `t-(w-1)/2 ..= t+(w-1)/2` (pandas `rolling(w, center=True)`, `w` odd).
    Centred,
}

impl Align {
    /// Offset of the window's last day relative to the reported day.
    fn lead(self, window: usize) -> usize {
        match self {
            Align::Trailing => 0,
            Align::Centred => (window.saturating_sub(1)) / 2,
        }
    }
}

/// How an indicator is computed from measures (or from other indicators), declared as data.
#[derive(Clone, Debug, PartialEq)]
pub enum Formula {
    /// The measure itself.
    Value {
        /// Input name.
        input: String,
    },
    /// Sum over a window.
    Sum {
        /// Input name.
        input: String,
        /// Window length in days.
        window: usize,
        /// Window alignment.
        align: Align,
    },
    /// Mean over a window.
    Mean {
        /// Input name.
        input: String,
        /// Window length in days.
        window: usize,
        /// Window alignment.
        align: Align,
    },
    /// `sum(numerator over window) / population(t) × per` (window 1 = a stock per population).
    Rate {
        /// Counted measure.
        numerator: String,
        /// Population input (already filled for every day).
        population: String,
        /// Window length in days.
        window: usize,
        /// Window alignment.
        align: Align,
        /// Scale, e.g. 100 000.
        per: f64,
    },
    /// `sum(numerator) / sum(denominator) × factor` over a window (ratio of sums).
    Ratio {
        /// Numerator input.
        numerator: String,
        /// Denominator input.
        denominator: String,
        /// Window length in days.
        window: usize,
        /// Window alignment.
        align: Align,
        /// Scale, e.g. 100 for a percentage.
        factor: f64,
    },
    /// `mean(numerator / denominator × factor)` over a window (mean of daily ratios).
    MeanOfRatios {
        /// Numerator input.
        numerator: String,
        /// Denominator input.
        denominator: String,
        /// Window length in days.
        window: usize,
        /// Window alignment.
        align: Align,
        /// Scale.
        factor: f64,
    },
    /// Effective reproduction number: `A(t) = sum(x, window)`, `R = mean(A(t)/A(t-delay), smoothing)`.
    Reproduction {
        /// Input (positives, emergency visits…).
        input: String,
        /// Summing window (7).
        window: usize,
        /// Delay between the two sums (7).
        delay: usize,
        /// Trailing smoothing window of the ratio (7).
        smoothing: usize,
    },
    /// `x(t) - x(t-1)` of a cumulative measure.
    DailyFromCumulative {
        /// Cumulative input.
        input: String,
    },
    /// `(x(t) - x(t-lag)) / x(t-lag) × 100`.
    Change {
        /// Input (a measure or another indicator).
        input: String,
        /// Lag in days (7 for week over week).
        lag: usize,
    },
    /// Running total of the defined values, reported on the days the input has a value
    /// (weekly deliveries stay weekly).
    Cumulative {
        /// Input.
        input: String,
    },
    /// Sum of several inputs; inputs absent for the territory are skipped, a missing day in a
    /// present input makes the day undefined.
    Add {
        /// Inputs.
        inputs: Vec<String>,
    },
}

impl Formula {
    /// The same formula over a series reported every `step` days (weekly files: one value per
    /// period, the period's total for counts), with vectors holding one value per period.
    /// Windows and lags in days become periods when they are a whole number of periods; a
    /// `mean` (a daily mean), a `mean_of_ratios` (of daily ratios), a reproduction number and
    /// any window that is not a whole number of periods have no per-period meaning and give
    /// `None`: nothing daily is invented from weekly totals. `daily_from_cumulative` becomes
    /// the difference between consecutive periods (new cases of the week). `step` 1 returns the
    /// formula unchanged.
    pub fn for_step(&self, step: usize) -> Option<Formula> {
        if step <= 1 {
            return Some(self.clone());
        }
        let periods =
            |days: usize| (days.is_multiple_of(step) && days >= step).then_some(days / step);
        Some(match self {
            Formula::Value { .. }
            | Formula::DailyFromCumulative { .. }
            | Formula::Cumulative { .. }
            | Formula::Add { .. } => self.clone(),
            Formula::Sum {
                input,
                window,
                align,
            } => Formula::Sum {
                input: input.clone(),
                window: periods(*window)?,
                align: *align,
            },
            Formula::Rate {
                numerator,
                population,
                window,
                align,
                per,
            } => Formula::Rate {
                numerator: numerator.clone(),
                population: population.clone(),
                // A stock per population (window 1) stays a stock per population.
                window: if *window == 1 { 1 } else { periods(*window)? },
                align: *align,
                per: *per,
            },
            Formula::Ratio {
                numerator,
                denominator,
                window,
                align,
                factor,
            } => Formula::Ratio {
                numerator: numerator.clone(),
                denominator: denominator.clone(),
                window: if *window == 1 { 1 } else { periods(*window)? },
                align: *align,
                factor: *factor,
            },
            Formula::Change { input, lag } => Formula::Change {
                input: input.clone(),
                lag: periods(*lag)?,
            },
            Formula::Mean { .. } | Formula::MeanOfRatios { .. } | Formula::Reproduction { .. } => {
                return None;
            }
        })
    }

    /// Names of the inputs the formula reads.
    pub fn inputs(&self) -> Vec<&str> {
        match self {
            Formula::Value { input }
            | Formula::Sum { input, .. }
            | Formula::Mean { input, .. }
            | Formula::Reproduction { input, .. }
            | Formula::DailyFromCumulative { input }
            | Formula::Change { input, .. }
            | Formula::Cumulative { input } => vec![input],
            Formula::Add { inputs } => inputs.iter().map(String::as_str).collect(),
            Formula::Rate {
                numerator,
                population,
                ..
            } => vec![numerator, population],
            Formula::Ratio {
                numerator,
                denominator,
                ..
            }
            | Formula::MeanOfRatios {
                numerator,
                denominator,
                ..
            } => {
                vec![numerator, denominator]
            }
        }
    }

    /// Evaluates the formula; `input` returns the aligned vector of an input name.
    /// `None` when a required input is absent.
    pub fn evaluate<'a>(&self, input: impl Fn(&str) -> Option<&'a [f64]>) -> Option<Vec<f64>> {
        Some(match self {
            Formula::Value { input: i } => input(i)?.to_vec(),
            Formula::Sum {
                input: i,
                window,
                align,
            } => rolling_sum(input(i)?, *window, *align),
            Formula::Mean {
                input: i,
                window,
                align,
            } => rolling_mean(input(i)?, *window, *align),
            Formula::Rate {
                numerator,
                population,
                window,
                align,
                per,
            } => scaled_ratio(
                &rolling_sum(input(numerator)?, *window, *align),
                input(population)?,
                *per,
            ),
            Formula::Ratio {
                numerator,
                denominator,
                window,
                align,
                factor,
            } => scaled_ratio(
                &rolling_sum(input(numerator)?, *window, *align),
                &rolling_sum(input(denominator)?, *window, *align),
                *factor,
            ),
            Formula::MeanOfRatios {
                numerator,
                denominator,
                window,
                align,
                factor,
            } => rolling_mean(
                &scaled_ratio(input(numerator)?, input(denominator)?, *factor),
                *window,
                *align,
            ),
            Formula::Reproduction {
                input: i,
                window,
                delay,
                smoothing,
            } => reproduction(input(i)?, *window, *delay, *smoothing),
            Formula::DailyFromCumulative { input: i } => diff(input(i)?, 1),
            Formula::Change { input: i, lag } => pct_change(input(i)?, *lag),
            Formula::Cumulative { input: i } => cumulative(input(i)?),
            Formula::Add { inputs } => {
                let present: Vec<&[f64]> = inputs.iter().filter_map(|n| input(n)).collect();
                let first = present.first()?;
                (0..first.len())
                    .map(|t| present.iter().map(|v| v[t]).sum())
                    .collect()
            }
        })
    }
}

/// Rolling sum; `NaN` where the window is incomplete or holds a missing day.
pub fn rolling_sum(v: &[f64], window: usize, align: Align) -> Vec<f64> {
    let n = v.len();
    let mut out = vec![f64::NAN; n];
    if window == 0 {
        return out;
    }
    let lead = align.lead(window);
    for (t, slot) in out.iter_mut().enumerate() {
        let last = t + lead;
        if last >= n || last + 1 < window {
            continue;
        }
        // Direct summation: exact for integer counts, no drift from a running total.
        let mut s = 0.0;
        for x in &v[last + 1 - window..=last] {
            s += x;
        }
        *slot = s;
    }
    out
}

/// Rolling mean; same rules as [`rolling_sum`].
pub fn rolling_mean(v: &[f64], window: usize, align: Align) -> Vec<f64> {
    let mut out = rolling_sum(v, window, align);
    let w = window as f64;
    for x in &mut out {
        *x /= w;
    }
    out
}

/// `num / den × factor`; `NaN` where either is missing or `den` is not positive.
pub fn scaled_ratio(num: &[f64], den: &[f64], factor: f64) -> Vec<f64> {
    num.iter()
        .zip(den)
        .map(|(n, d)| if *d > 0.0 { n / d * factor } else { f64::NAN })
        .collect()
}

/// `x(t) - x(t-lag)`.
pub fn diff(v: &[f64], lag: usize) -> Vec<f64> {
    (0..v.len())
        .map(|t| {
            if t >= lag {
                v[t] - v[t - lag]
            } else {
                f64::NAN
            }
        })
        .collect()
}

/// `(x(t) - x(t-lag)) / x(t-lag) × 100`; `NaN` when `x(t-lag)` is 0 or missing.
pub fn pct_change(v: &[f64], lag: usize) -> Vec<f64> {
    (0..v.len())
        .map(|t| {
            if t < lag || v[t - lag] == 0.0 {
                f64::NAN
            } else {
                (v[t] - v[t - lag]) / v[t - lag] * 100.0
            }
        })
        .collect()
}

/// Effective reproduction number as CovidTracker computed it ("Cori-style" ratio of sums):
/// `A(t) = sum(x, t-window+1..=t)`, `R(t) = mean over smoothing days of A(t)/A(t-delay)`.
/// A zero denominator makes that day's ratio undefined (not infinite).
pub fn reproduction(v: &[f64], window: usize, delay: usize, smoothing: usize) -> Vec<f64> {
    let a = rolling_sum(v, window, Align::Trailing);
    let ratio: Vec<f64> = (0..a.len())
        .map(|t| {
            if t >= delay && a[t - delay] > 0.0 {
                a[t] / a[t - delay]
            } else {
                f64::NAN
            }
        })
        .collect();
    rolling_mean(&ratio, smoothing, Align::Trailing)
}

/// Running total of the defined values, defined where the input is.
pub fn cumulative(v: &[f64]) -> Vec<f64> {
    let mut total = 0.0;
    v.iter()
        .map(|x| {
            if x.is_nan() {
                f64::NAN
            } else {
                total += x;
                total
            }
        })
        .collect()
}

/// Fills missing days of a slowly varying stock (a population): each missing day takes the
/// last known value before it, or the first known value after it at the start.
pub fn fill_stock(v: &[f64]) -> Vec<f64> {
    let mut out = v.to_vec();
    let mut last = f64::NAN;
    for x in &mut out {
        if x.is_nan() {
            *x = last;
        } else {
            last = *x;
        }
    }
    if let Some(first) = v.iter().copied().find(|x| !x.is_nan()) {
        for x in &mut out {
            if !x.is_nan() {
                break;
            }
            *x = first;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NAN: f64 = f64::NAN;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn weekly_formulas_count_periods_and_invent_no_daily_values() {
        let sum7 = Formula::Sum {
            input: "x".into(),
            window: 7,
            align: Align::Trailing,
        };
        // A 7-day sum of weekly totals is the week itself; 14 days are two weeks.
        let weekly = [10.0, 20.0, 40.0];
        let get = |_: &str| Some(&weekly[..]);
        assert_eq!(
            sum7.for_step(7).unwrap().evaluate(get).unwrap(),
            weekly.to_vec()
        );
        let sum14 = Formula::Sum {
            input: "x".into(),
            window: 14,
            align: Align::Trailing,
        };
        let two = sum14.for_step(7).unwrap().evaluate(get).unwrap();
        assert!(two[0].is_nan());
        assert_eq!(&two[1..], &[30.0, 60.0]);
        // Week-to-week differences of a cumulative total, and a 7-day lag as one week.
        let diff = Formula::DailyFromCumulative { input: "x".into() };
        let d = diff.for_step(7).unwrap().evaluate(get).unwrap();
        assert_eq!(&d[1..], &[10.0, 20.0]);
        let change = Formula::Change {
            input: "x".into(),
            lag: 7,
        };
        let c = change.for_step(7).unwrap().evaluate(get).unwrap();
        assert_eq!(&c[1..], &[100.0, 100.0]);
        // A daily mean, a 10-day window or R have no weekly meaning.
        let mean = Formula::Mean {
            input: "x".into(),
            window: 7,
            align: Align::Trailing,
        };
        assert!(mean.for_step(7).is_none());
        let sum10 = Formula::Sum {
            input: "x".into(),
            window: 10,
            align: Align::Trailing,
        };
        assert!(sum10.for_step(7).is_none());
        assert_eq!(mean.for_step(1), Some(mean.clone()));
    }

    #[test]
    fn trailing_and_centred_sums() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let t = rolling_sum(&v, 7, Align::Trailing);
        assert!(t[5].is_nan());
        assert_eq!(t[6], 28.0);
        assert_eq!(t[7], 35.0);
        let c = rolling_sum(&v, 7, Align::Centred);
        assert!(c[2].is_nan());
        assert_eq!(c[3], 28.0);
        assert_eq!(c[4], 35.0);
        assert!(c[5].is_nan());
    }

    #[test]
    fn a_missing_day_makes_the_window_undefined() {
        let v = [1.0, 1.0, 1.0, NAN, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let t = rolling_sum(&v, 7, Align::Trailing);
        for x in &t[..10] {
            assert!(x.is_nan());
        }
        assert_eq!(t[10], 7.0);
    }

    #[test]
    fn reproduction_constant_growth() {
        // x doubles every 7 days => R = 2 once defined.
        let v: Vec<f64> = (0..40).map(|t| (2f64).powf(t as f64 / 7.0)).collect();
        let r = reproduction(&v, 7, 7, 7);
        assert!(r[18].is_nan());
        assert!(close(r[19], 2.0, 1e-9));
        assert!(close(r[39], 2.0, 1e-9));
    }

    #[test]
    fn cumulative_and_add() {
        let c = cumulative(&[1.0, NAN, 2.0, 3.0]);
        assert_eq!((c[0], c[2], c[3]), (1.0, 3.0, 6.0));
        assert!(c[1].is_nan());
        let f = Formula::Add {
            inputs: vec!["a".into(), "b".into(), "absent".into()],
        };
        let (a, b) = ([1.0, 2.0, NAN], [10.0, 20.0, 30.0]);
        let out = f
            .evaluate(|n| match n {
                "a" => Some(&a[..]),
                "b" => Some(&b[..]),
                _ => None,
            })
            .unwrap();
        assert_eq!(&out[..2], &[11.0, 22.0]);
        assert!(out[2].is_nan());
    }

    #[test]
    fn percent_change_and_fill() {
        let v = [10.0, 0.0, 15.0];
        let c = pct_change(&v, 1);
        assert!(c[0].is_nan());
        assert_eq!(c[1], -100.0);
        assert!(c[2].is_nan());
        assert_eq!(
            fill_stock(&[NAN, 5.0, NAN, 7.0, NAN]),
            vec![5.0, 5.0, 5.0, 7.0, 7.0]
        );
    }

    proptest! {
        #[test]
        fn sums_of_parts_equal_sum_of_whole(
            a in proptest::collection::vec(0u32..10_000, 1..60),
            b in proptest::collection::vec(0u32..10_000, 1..60),
        ) {
            let n = a.len().min(b.len());
            let a: Vec<f64> = a[..n].iter().map(|x| f64::from(*x)).collect();
            let b: Vec<f64> = b[..n].iter().map(|x| f64::from(*x)).collect();
            let whole: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
            let (sa, sb, sw) = (rolling_sum(&a, 7, Align::Trailing), rolling_sum(&b, 7, Align::Trailing), rolling_sum(&whole, 7, Align::Trailing));
            for t in 0..n {
                if t >= 6 { prop_assert_eq!(sa[t] + sb[t], sw[t]); } else { prop_assert!(sw[t].is_nan()); }
            }
        }

        #[test]
        fn rates_are_never_negative_and_ratio_of_sums_is_bounded(
            p in proptest::collection::vec(0u32..1000, 7..40),
            extra in proptest::collection::vec(0u32..1000, 7..40),
        ) {
            let n = p.len().min(extra.len());
            let p: Vec<f64> = p[..n].iter().map(|x| f64::from(*x)).collect();
            let t: Vec<f64> = p.iter().zip(&extra[..n]).map(|(x, e)| x + f64::from(*e)).collect();
            let f = Formula::Ratio { numerator: "p".into(), denominator: "t".into(), window: 7, align: Align::Trailing, factor: 100.0 };
            let out = f.evaluate(|name| if name == "p" { Some(&p[..]) } else { Some(&t[..]) }).unwrap();
            for x in out.iter().filter(|x| !x.is_nan()) {
                prop_assert!((0.0..=100.0).contains(x));
            }
        }

        #[test]
        fn centred_is_trailing_shifted(v in proptest::collection::vec(0u32..1000, 1..50)) {
            let v: Vec<f64> = v.iter().map(|x| f64::from(*x)).collect();
            let t = rolling_sum(&v, 7, Align::Trailing);
            let c = rolling_sum(&v, 7, Align::Centred);
            for i in 0..v.len() {
                if i + 3 < v.len() { prop_assert!(c[i].to_bits() == t[i + 3].to_bits() || (c[i].is_nan() && t[i+3].is_nan())); }
                else { prop_assert!(c[i].is_nan()); }
            }
        }
    }
}
