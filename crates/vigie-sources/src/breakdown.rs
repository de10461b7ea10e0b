//! Breakdown keys (`all`, `age:0-9`, `age:90+`, `sex:female`, `vaccine:pfizer-biontech`…)
//! interned as small integers.

use std::collections::HashMap;

/// Index of an interned breakdown key.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct BreakdownId(pub u16);

/// An invalid breakdown key.
#[derive(Debug, thiserror::Error)]
#[error(
    "invalid breakdown key {0:?} (expected all, age:<lo>-<hi>, age:<lo>+, sex:female|male, or <dimension>:<value>)"
)]
pub struct BadBreakdown(pub String);

/// Checks the syntax of a breakdown key.
pub fn validate_key(key: &str) -> Result<(), BadBreakdown> {
    if key == "all" {
        return Ok(());
    }
    let Some((dim, value)) = key.split_once(':') else {
        return Err(BadBreakdown(key.to_string()));
    };
    let ok = match dim {
        "age" => parse_age(value).is_some(),
        "sex" => matches!(value, "female" | "male"),
        _ => {
            !dim.is_empty()
                && !value.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-:_+.".contains(&b))
        }
    };
    if ok {
        Ok(())
    } else {
        Err(BadBreakdown(key.to_string()))
    }
}

/// A breakdown that counts a territory's whole population: `all`, or `source:<publisher>` (the
/// same territory as counted by another publisher, e.g. `source:who`).
pub fn is_whole_population(key: &str) -> bool {
    key == "all" || key.starts_with("source:")
}

/// `0-9` → (0, Some(9)); `90+` → (90, None).
pub fn parse_age(value: &str) -> Option<(u32, Option<u32>)> {
    if let Some(lo) = value.strip_suffix('+') {
        return Some((lo.parse().ok()?, None));
    }
    let (lo, hi) = value.split_once('-')?;
    let (lo, hi): (u32, u32) = (lo.parse().ok()?, hi.parse().ok()?);
    (lo <= hi).then_some((lo, Some(hi)))
}

/// Sort key: `all` first, then ages ascending, then sexes, then the rest alphabetically.
pub fn sort_key(key: &str) -> (u8, u32, String) {
    if key == "all" {
        return (0, 0, String::new());
    }
    match key.split_once(':') {
        Some(("age", v)) => (1, parse_age(v).map_or(u32::MAX, |a| a.0), key.to_string()),
        Some(("sex", _)) => (2, 0, key.to_string()),
        _ => (3, 0, key.to_string()),
    }
}

/// Interner of breakdown keys; `all` is always id 0.
#[derive(Clone, Debug)]
pub struct Breakdowns {
    keys: Vec<String>,
    ids: HashMap<String, BreakdownId>,
}

impl Default for Breakdowns {
    fn default() -> Self {
        let mut b = Breakdowns {
            keys: Vec::new(),
            ids: HashMap::new(),
        };
        b.intern("all");
        b
    }
}

impl Breakdowns {
    /// The `all` breakdown.
    pub const ALL: BreakdownId = BreakdownId(0);

    /// Id of a key, adding it when new.
    pub fn intern(&mut self, key: &str) -> BreakdownId {
        if let Some(id) = self.ids.get(key) {
            return *id;
        }
        let id = BreakdownId(self.keys.len() as u16);
        self.keys.push(key.to_string());
        self.ids.insert(key.to_string(), id);
        id
    }

    /// Key of an id.
    pub fn key(&self, id: BreakdownId) -> &str {
        self.keys.get(id.0 as usize).map_or("all", String::as_str)
    }

    /// Id of a known key.
    pub fn get(&self, key: &str) -> Option<BreakdownId> {
        self.ids.get(key).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        for ok in [
            "all",
            "age:0-9",
            "age:90+",
            "sex:female",
            "vaccine:pfizer-biontech",
        ] {
            validate_key(ok).unwrap();
        }
        for bad in ["", "age:9-0", "sex:x", "Age:0-9", "nope"] {
            assert!(validate_key(bad).is_err(), "{bad}");
        }
        let mut v = vec!["sex:male", "age:10-19", "all", "age:0-9", "age:90+"];
        v.sort_by_key(|k| sort_key(k));
        assert_eq!(v, ["all", "age:0-9", "age:10-19", "age:90+", "sex:male"]);
    }
}
