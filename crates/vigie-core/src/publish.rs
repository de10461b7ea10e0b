//! The precision of published numbers: every indicator value written to open data (CSV and
//! JSON), charts and the API goes through [`round_published`] first, so that one value is the
//! same string everywhere.
//!
//! Rule (documented in the data dictionary, `rules.precision`): values are rounded to
//! [`DECIMALS`] decimals, half away from zero on the value's shortest decimal representation
//! (`0.00005` → `0.0001`, `-2.34565` → `-2.3457`); integers are kept exactly; `-0` is never
//! produced; undefined values (NaN) stay undefined.

/// Decimals of every published value.
pub const DECIMALS: u32 = 4;

/// `10^DECIMALS`.
const SCALE: f64 = 10_000.0;

/// Beyond this magnitude an `f64` has no digit left at the 4th decimal: kept as is.
const EXACT_LIMIT: f64 = 1e11;

/// `v` rounded to [`DECIMALS`] decimals, half away from zero (see the module documentation).
pub fn round_published(v: f64) -> f64 {
    if !v.is_finite() || v.fract() == 0.0 || v.abs() >= EXACT_LIMIT {
        // Integers (and -0) exactly; NaN and infinities unchanged.
        return if v == 0.0 { 0.0 } else { v };
    }
    let scaled = (v * SCALE).abs();
    let frac = scaled.fract();
    let units = if (frac - 0.5).abs() < 1e-6 {
        // Close to a tie: the multiplication may have moved it across. Decide on the decimal
        // digits the value is written with (Rust prints the shortest round-trip form).
        let text = format!("{}", v.abs());
        let fifth = text
            .split_once('.')
            .and_then(|(_, d)| d.as_bytes().get(DECIMALS as usize).copied())
            .unwrap_or(b'0');
        // Near a tie the floor is the number of whole units below the value.
        let down = scaled.floor();
        if fifth >= b'5' { down + 1.0 } else { down }
    } else {
        scaled.round()
    };
    let r = (units / SCALE).copysign(v);
    if r == 0.0 { 0.0 } else { r }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn documented_cases() {
        assert_eq!(round_published(0.00005), 0.0001);
        assert_eq!(round_published(-0.00005), -0.0001);
        assert_eq!(round_published(1.00005), 1.0001);
        assert_eq!(round_published(2.34565), 2.3457);
        assert_eq!(round_published(-2.34565), -2.3457);
        assert_eq!(round_published(1.000049999), 1.0);
        assert_eq!(round_published(12.345678), 12.3457);
        assert_eq!(round_published(1.0 / 3.0), 0.3333);
        assert_eq!(round_published(2.0 / 3.0), 0.6667);
        assert_eq!(round_published(123_456_789.0), 123_456_789.0);
        assert_eq!(
            round_published(9_007_199_254_740_993.0),
            9_007_199_254_740_993.0
        );
        // Never -0.
        let z = round_published(-0.00001);
        assert_eq!(z, 0.0);
        assert!(z.is_sign_positive());
        assert!(round_published(-0.0).is_sign_positive());
        assert!(round_published(f64::NAN).is_nan());
        assert_eq!(round_published(f64::INFINITY), f64::INFINITY);
    }

    proptest! {
        #[test]
        fn idempotent_and_within_half_a_unit(v in -1e9f64..1e9f64) {
            let r = round_published(v);
            prop_assert_eq!(round_published(r).to_bits(), r.to_bits());
            prop_assert!((r - v).abs() <= 5e-5 + v.abs() * 1e-15, "{} -> {}", v, r);
            prop_assert!(r != 0.0 || r.is_sign_positive());
        }

        #[test]
        fn at_most_four_decimals_written(v in -1e6f64..1e6f64) {
            let text = format!("{}", round_published(v));
            let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
            prop_assert!(decimals <= 4, "{} -> {}", v, text);
        }

        #[test]
        fn integers_kept_exactly(n in -1_000_000_000_000i64..1_000_000_000_000i64) {
            let v = n as f64;
            prop_assert_eq!(round_published(v), v);
        }
    }
}
