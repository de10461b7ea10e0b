//! CovidTracker's level-and-trend wording ("ÉLEVÉ ET EN HAUSSE").
//!
//! CovidTracker compared a value with the previous day for the trend word while its cards
//! showed the change over 7 days; Vigie's KPIs use [`level`] and [`trend_against`] with the
//! value 7 days before, so that the word and the displayed change describe the same
//! comparison. [`characterise`] keeps CovidTracker's rule for conformance.

/// Level of a value against three ascending thresholds.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Level {
    /// `v ≤ s0`.
    Low,
    /// `s0 < v ≤ s1`.
    Moderate,
    /// `s1 < v ≤ s2`.
    High,
    /// `v > s2`.
    VeryHigh,
}

/// Direction of a value against its previous value.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Trend {
    /// `|v − prev| ≤ step·v`.
    Stable,
    /// Falling.
    Falling,
    /// Rising.
    Rising,
}

/// Thresholds and stability step of one indicator.
#[derive(Copy, Clone, PartialEq, Debug)]
pub struct Thresholds {
    /// Ascending thresholds `[s0, s1, s2]`.
    pub levels: [f64; 3],
    /// Relative step under which a change counts as stable.
    pub step: f64,
}

impl Level {
    /// French label, upper case as on CovidTracker.
    pub fn label_fr(self) -> &'static str {
        match self {
            Level::Low => "BAS",
            Level::Moderate => "MODÉRÉ",
            Level::High => "ÉLEVÉ",
            Level::VeryHigh => "TRÈS ÉLEVÉ",
        }
    }
    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Level::Low => "LOW",
            Level::Moderate => "MODERATE",
            Level::High => "HIGH",
            Level::VeryHigh => "VERY HIGH",
        }
    }
    /// Stable identifier.
    pub fn id(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Moderate => "moderate",
            Level::High => "high",
            Level::VeryHigh => "very_high",
        }
    }
}

impl Trend {
    /// French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            Trend::Stable => "ET STABLE",
            Trend::Falling => "ET EN BAISSE",
            Trend::Rising => "ET EN HAUSSE",
        }
    }
    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Trend::Stable => "AND STABLE",
            Trend::Falling => "AND FALLING",
            Trend::Rising => "AND RISING",
        }
    }
    /// Stable identifier.
    pub fn id(self) -> &'static str {
        match self {
            Trend::Stable => "stable",
            Trend::Falling => "falling",
            Trend::Rising => "rising",
        }
    }
}

/// Level of a value on a three-threshold scale: `v ≤ s0` low, `≤ s1` moderate, `≤ s2` high,
/// above very high.
pub fn level(value: f64, t: &Thresholds) -> Level {
    let [s0, s1, s2] = t.levels;
    if value > s2 {
        Level::VeryHigh
    } else if value > s1 {
        Level::High
    } else if value > s0 {
        Level::Moderate
    } else {
        Level::Low
    }
}

/// Trend of `value` against `reference` (Vigie: the value 7 days before): stable when
/// `|value − reference| ≤ step·|reference|`, i.e. when the displayed relative change
/// `(value − reference) / reference` is within `±step`; otherwise falling or rising.
pub fn trend_against(value: f64, reference: f64, step: f64) -> Trend {
    if (value - reference).abs() <= step * reference.abs() {
        Trend::Stable
    } else if value < reference {
        Trend::Falling
    } else {
        Trend::Rising
    }
}

/// `caracterisation_valeur(v, v_prev, seuils, step)` of CovidTracker (previous day, stability
/// band relative to the current value).
pub fn characterise(value: f64, previous: f64, t: &Thresholds) -> (Level, Trend) {
    let level = level(value, t);
    let trend = if (value - previous).abs() <= t.step * value {
        Trend::Stable
    } else if value < previous {
        Trend::Falling
    } else {
        Trend::Rising
    };
    (level, trend)
}

/// "ÉLEVÉ ET EN HAUSSE".
pub fn wording_fr(level: Level, trend: Trend) -> String {
    format!("{} {}", level.label_fr(), trend.label_fr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covidtracker_thresholds() {
        let incidence = Thresholds {
            levels: [50.0, 75.0, 200.0],
            step: 0.02,
        };
        assert_eq!(
            characterise(250.0, 200.0, &incidence),
            (Level::VeryHigh, Trend::Rising)
        );
        assert_eq!(
            characterise(100.0, 101.0, &incidence),
            (Level::High, Trend::Stable)
        );
        assert_eq!(
            characterise(60.0, 80.0, &incidence),
            (Level::Moderate, Trend::Falling)
        );
        assert_eq!(
            characterise(50.0, 10.0, &incidence),
            (Level::Low, Trend::Rising)
        );
        let r = Thresholds {
            levels: [0.85, 1.25, 1.5],
            step: 0.015,
        };
        assert_eq!(characterise(1.3, 1.29, &r), (Level::High, Trend::Stable));
        assert_eq!(wording_fr(Level::High, Trend::Rising), "ÉLEVÉ ET EN HAUSSE");
    }

    #[test]
    fn trend_against_the_value_a_week_before_matches_the_displayed_change() {
        let t = Thresholds {
            levels: [50.0, 75.0, 200.0],
            step: 0.02,
        };
        assert_eq!(level(50.0, &t), Level::Low);
        assert_eq!(level(50.01, &t), Level::Moderate);
        assert_eq!(level(200.0, &t), Level::High);
        assert_eq!(level(200.5, &t), Level::VeryHigh);
        // +5 % in 7 days is rising, whatever the day before said.
        assert_eq!(trend_against(105.0, 100.0, 0.02), Trend::Rising);
        assert_eq!(trend_against(102.0, 100.0, 0.02), Trend::Stable);
        assert_eq!(trend_against(98.0, 100.0, 0.02), Trend::Stable);
        assert_eq!(trend_against(97.9, 100.0, 0.02), Trend::Falling);
        // From zero, any case is a rise; zero to zero is stable.
        assert_eq!(trend_against(1.0, 0.0, 0.02), Trend::Rising);
        assert_eq!(trend_against(0.0, 0.0, 0.02), Trend::Stable);
        // CovidTracker's band is relative to the current value: 102 vs 100 is stable there
        // too, 98 vs 100 is not (2 > 0.02 × 98).
        assert_eq!(characterise(98.0, 100.0, &t).1, Trend::Falling);
    }
}
