//! CovidTracker's level-and-trend wording ("ÉLEVÉ ET EN HAUSSE").

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

/// `caracterisation_valeur(v, v_prev, seuils, step)` of CovidTracker.
pub fn characterise(value: f64, previous: f64, t: &Thresholds) -> (Level, Trend) {
    let [s0, s1, s2] = t.levels;
    let level = if value > s2 {
        Level::VeryHigh
    } else if value > s1 {
        Level::High
    } else if value > s0 {
        Level::Moderate
    } else {
        Level::Low
    };
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
}
