//! Dense daily series: one slot per calendar day, `NaN` for a missing day.
//!
//! Indexing by calendar day (not by row) is what keeps windows honest: a 7-day window at day
//! `t` always covers `t-6 ..= t`, and a missing day inside it makes the window undefined instead
//! of silently reaching further back.

use crate::date::Date;

/// A daily series starting at `start`; `values[i]` is the value of `start + i` days,
/// `NaN` when missing.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Day of `values[0]`.
    pub start: Date,
    /// One value per day; `NaN` = missing.
    pub values: Vec<f64>,
}

impl Series {
    /// An empty series starting at `start`.
    pub fn new(start: Date) -> Series {
        Series {
            start,
            values: Vec::new(),
        }
    }

    /// A series from a start date and values.
    pub fn from_values(start: Date, values: Vec<f64>) -> Series {
        Series { start, values }
    }

    /// Builds a series from `(date, value)` pairs in any order; later pairs overwrite earlier ones.
    pub fn from_points(points: impl IntoIterator<Item = (Date, f64)>) -> Series {
        let mut s = Series::new(Date::from_days(0));
        let mut first = true;
        for (d, v) in points {
            if first {
                s.start = d;
                first = false;
            }
            s.set(d, v);
        }
        s
    }

    /// Number of days covered (including missing ones).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when the series covers no day.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Last day covered.
    pub fn end(&self) -> Option<Date> {
        (!self.values.is_empty()).then(|| self.start.add_days(self.values.len() as i32 - 1))
    }

    /// Value at `date`, `None` when missing or out of range.
    pub fn get(&self, date: Date) -> Option<f64> {
        let i = date.days_since(self.start);
        if i < 0 {
            return None;
        }
        self.values.get(i as usize).copied().filter(|v| !v.is_nan())
    }

    /// Whether `date` already holds a value.
    pub fn has(&self, date: Date) -> bool {
        self.get(date).is_some()
    }

    /// Sets the value at `date`, growing the series (with missing days) as needed.
    pub fn set(&mut self, date: Date, value: f64) {
        if self.values.is_empty() {
            self.start = date;
        }
        let mut i = date.days_since(self.start);
        if i < 0 {
            let shift = (-i) as usize;
            let mut v = vec![f64::NAN; shift];
            v.extend_from_slice(&self.values);
            self.values = v;
            self.start = date;
            i = 0;
        }
        let i = i as usize;
        if i >= self.values.len() {
            self.values.resize(i + 1, f64::NAN);
        }
        self.values[i] = value;
    }

    /// Adds `value` at `date` (missing counts as 0 only when adding to it).
    pub fn add(&mut self, date: Date, value: f64) {
        let cur = self.get(date).unwrap_or(0.0);
        self.set(date, cur + value);
    }

    /// Defined `(date, value)` pairs in date order.
    pub fn points(&self) -> impl Iterator<Item = (Date, f64)> + '_ {
        self.values
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_nan())
            .map(move |(i, v)| (self.start.add_days(i as i32), *v))
    }

    /// The last defined value and its date.
    pub fn last(&self) -> Option<(Date, f64)> {
        self.values
            .iter()
            .rposition(|v| !v.is_nan())
            .map(|i| (self.start.add_days(i as i32), self.values[i]))
    }

    /// First and last defined dates.
    pub fn defined_range(&self) -> Option<(Date, Date)> {
        let first = self.values.iter().position(|v| !v.is_nan())?;
        let last = self.values.iter().rposition(|v| !v.is_nan())?;
        Some((
            self.start.add_days(first as i32),
            self.start.add_days(last as i32),
        ))
    }

    /// Number of defined values.
    pub fn count_defined(&self) -> usize {
        self.values.iter().filter(|v| !v.is_nan()).count()
    }

    /// The values re-based on `start` for `len` days (missing outside the series).
    pub fn aligned(&self, start: Date, len: usize) -> Vec<f64> {
        let mut out = vec![f64::NAN; len];
        let offset = self.start.days_since(start);
        for (i, v) in self.values.iter().enumerate() {
            let j = i as i64 + offset as i64;
            if j >= 0 && (j as usize) < len {
                out[j as usize] = *v;
            }
        }
        out
    }

    /// Drops leading and trailing missing days.
    pub fn trimmed(mut self) -> Series {
        match self.defined_range() {
            None => Series::new(self.start),
            Some((a, b)) => {
                let i = a.days_since(self.start) as usize;
                let j = b.days_since(self.start) as usize;
                self.values.truncate(j + 1);
                self.values.drain(..i);
                self.start = a;
                self
            }
        }
    }
}

/// Union of the day ranges of several series: `(start, len)`.
pub fn span<'a>(series: impl IntoIterator<Item = &'a Series>) -> Option<(Date, usize)> {
    let mut lo: Option<Date> = None;
    let mut hi: Option<Date> = None;
    for s in series {
        if let Some(end) = s.end() {
            lo = Some(lo.map_or(s.start, |l| l.min(s.start)));
            hi = Some(hi.map_or(end, |h| h.max(end)));
        }
    }
    let (lo, hi) = (lo?, hi?);
    Some((lo, hi.days_since(lo) as usize + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_str(s).unwrap()
    }

    #[test]
    fn set_grows_both_ways() {
        let mut s = Series::new(d("2020-01-05"));
        s.set(d("2020-01-05"), 1.0);
        s.set(d("2020-01-08"), 4.0);
        s.set(d("2020-01-03"), 2.0);
        assert_eq!(s.start, d("2020-01-03"));
        assert_eq!(s.len(), 6);
        assert_eq!(s.get(d("2020-01-04")), None);
        assert_eq!(s.get(d("2020-01-08")), Some(4.0));
        assert_eq!(s.last(), Some((d("2020-01-08"), 4.0)));
        assert_eq!(s.count_defined(), 3);
        assert_eq!(s.aligned(d("2020-01-07"), 3)[1], 4.0);
    }
}
