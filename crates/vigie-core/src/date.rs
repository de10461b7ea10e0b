//! A calendar date as a day number, with the date formats found in official files.

use std::fmt;

/// A civil date (proleptic Gregorian), stored as days since 1970-01-01.
///
/// Cheap to copy, compare and subtract; daily series index by it directly.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Date(i32);

impl Date {
    /// The date `days` days after 1970-01-01 (negative before).
    pub const fn from_days(days: i32) -> Date {
        Date(days)
    }

    /// Days since 1970-01-01.
    pub const fn days(self) -> i32 {
        self.0
    }

    /// Builds a date from year, month (1–12) and day (1–31); `None` when it does not exist.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if month <= 2 { year - 1 } else { year };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = month as i32;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Date(era * 146_097 + doe - 719_468))
    }

    /// Year, month (1–12), day (1–31).
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        (if m <= 2 { y + 1 } else { y }, m, d)
    }

    /// The date `n` days later (earlier when negative).
    pub const fn add_days(self, n: i32) -> Date {
        Date(self.0 + n)
    }

    /// Number of days from `other` to `self`.
    pub const fn days_since(self, other: Date) -> i32 {
        self.0 - other.0
    }

    /// Day of the week, 0 = Monday … 6 = Sunday.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (3).
        (self.0 + 3).rem_euclid(7) as u32
    }

    /// Parses `YYYY-MM-DD` (ISO), `dd/mm/yyyy` (French) or `YYYY/MM/DD`.
    /// Surrounding spaces and quotes must already be removed.
    pub fn parse(s: &[u8]) -> Option<Date> {
        match s {
            [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1]
            | [y0, y1, y2, y3, b'/', m0, m1, b'/', d0, d1] => Date::from_ymd(
                num4(*y0, *y1, *y2, *y3)? as i32,
                num2(*m0, *m1)?,
                num2(*d0, *d1)?,
            ),
            [d0, d1, b'/', m0, m1, b'/', y0, y1, y2, y3] => Date::from_ymd(
                num4(*y0, *y1, *y2, *y3)? as i32,
                num2(*m0, *m1)?,
                num2(*d0, *d1)?,
            ),
            // Timestamps such as `2021-04-24 00:00:00` or `2021-04-24T19:00:00`: keep the date.
            _ if s.len() > 10 && (s[10] == b' ' || s[10] == b'T') => Date::parse(&s[..10]),
            _ => None,
        }
    }

    /// Parses a date given as text; see [`Date::parse`].
    pub fn parse_str(s: &str) -> Option<Date> {
        Date::parse(s.as_bytes())
    }

    /// Writes the ISO form `YYYY-MM-DD` into a 10-byte buffer (years 0–9999).
    pub fn iso_bytes(self) -> [u8; 10] {
        let (y, m, d) = self.ymd();
        let y = y.clamp(0, 9999) as u32;
        [
            b'0' + (y / 1000) as u8,
            b'0' + (y / 100 % 10) as u8,
            b'0' + (y / 10 % 10) as u8,
            b'0' + (y % 10) as u8,
            b'-',
            b'0' + (m / 10) as u8,
            b'0' + (m % 10) as u8,
            b'-',
            b'0' + (d / 10) as u8,
            b'0' + (d % 10) as u8,
        ]
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn digit(b: u8) -> Option<u32> {
    b.is_ascii_digit().then(|| u32::from(b - b'0'))
}

fn num2(a: u8, b: u8) -> Option<u32> {
    Some(digit(a)? * 10 + digit(b)?)
}

fn num4(a: u8, b: u8, c: u8, d: u8) -> Option<u32> {
    Some(num2(a, b)? * 100 + num2(c, d)?)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_dates() {
        assert_eq!(Date::from_ymd(1970, 1, 1), Some(Date(0)));
        assert_eq!(
            Date::from_ymd(2020, 3, 18).map(|d| d.to_string()),
            Some("2020-03-18".into())
        );
        assert_eq!(Date::parse(b"2020-02-29"), Date::from_ymd(2020, 2, 29));
        assert_eq!(Date::parse(b"29/02/2020"), Date::from_ymd(2020, 2, 29));
        assert_eq!(
            Date::parse(b"2021-04-24 19:00:00"),
            Date::from_ymd(2021, 4, 24)
        );
        assert_eq!(Date::parse(b"2021-02-29"), None);
        assert_eq!(Date::parse(b"2021-13-01"), None);
        assert_eq!(Date::parse(b"20210101"), None);
        assert_eq!(Date::parse(b"NA"), None);
        // 2020-03-16 was a Monday.
        assert_eq!(Date::from_ymd(2020, 3, 16).map(Date::weekday), Some(0));
    }

    proptest! {
        #[test]
        fn civil_round_trip(days in -200_000i32..200_000) {
            let d = Date::from_days(days);
            let (y, m, dd) = d.ymd();
            prop_assert_eq!(Date::from_ymd(y, m, dd), Some(d));
            if (0..=9999).contains(&y) {
                prop_assert_eq!(Date::parse(&d.iso_bytes()), Some(d));
                let bytes = d.iso_bytes();
                prop_assert_eq!(std::str::from_utf8(&bytes).unwrap(), d.to_string());
            }
        }
    }
}
