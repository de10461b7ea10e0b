//! French (and English) formatting of numbers, dates, months, times and ages, in one place for
//! every page. French first: thousands separated by a narrow no-break space (U+202F), decimal
//! comma, `19/05/2020`, « il y a 12 min », times shown in Europe/Paris.
//!
//! Slot times are the exception: a slot is shown at the wall clock of its centre (the offset
//! of its RFC 3339 string), since an overseas centre books in its own time.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::i18n::Lang;

/// Narrow no-break space, the French thousands separator.
pub const NNBSP: char = '\u{202f}';

/// A number in French: `1 234 567,9`; `—` when not finite.
pub fn fr_number(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(NNBSP);
        }
        grouped.push(c);
    }
    let sign = if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

/// A number in English: `1,234,567.9`.
pub fn en_number(v: f64, decimals: usize) -> String {
    fr_number(v, decimals).replace(',', ".").replace(NNBSP, ",")
}

/// A number in the language's convention.
pub fn number(lang: Lang, v: f64, decimals: usize) -> String {
    match lang {
        Lang::Fr => fr_number(v, decimals),
        Lang::En => en_number(v, decimals),
    }
}

/// A whole count (`12 500`).
pub fn count(lang: Lang, n: u64) -> String {
    // Counts are far below 2^53: exact as f64.
    number(lang, n as f64, 0)
}

/// A signed change in percent: `+12,5 %`, `-3,0 %` (French), `+12.5%` (English).
pub fn percent_change(lang: Lang, v: f64) -> String {
    let sign = if v > 0.0 { "+" } else { "" };
    match lang {
        Lang::Fr => format!("{sign}{}\u{a0}%", fr_number(v, 1)),
        Lang::En => format!("{sign}{}%", en_number(v, 1)),
    }
}

/// A signed change in percentage points: `+0,5 point`, `-2,3 points` (French: « point » below
/// 2 in absolute value), `+0.5 point`, `-2.3 points` (English: singular only for exactly 1).
pub fn points_change(lang: Lang, v: f64) -> String {
    let shown = (v * 10.0).round() / 10.0;
    let sign = if shown > 0.0 { "+" } else { "" };
    let plural = match lang {
        Lang::Fr => shown.abs() >= 2.0,
        Lang::En => shown.abs() != 1.0,
    };
    let word = if plural { "points" } else { "point" };
    format!("{sign}{}\u{a0}{word}", number(lang, shown, 1))
}

/// A file size: `812 octets`, `45,3 ko`, `167,2 Mo`, `1,2 Go` (French, powers of 1 000);
/// `812 bytes`, `45.3 kB`, `167.2 MB` (English).
pub fn file_size(lang: Lang, bytes: u64) -> String {
    let b = bytes as f64;
    let (v, fr, en) = if b < 1e3 {
        return match lang {
            Lang::Fr => plural(lang, bytes, "octet", "octets"),
            Lang::En => plural(lang, bytes, "byte", "bytes"),
        };
    } else if b < 1e6 {
        (b / 1e3, "ko", "kB")
    } else if b < 1e9 {
        (b / 1e6, "Mo", "MB")
    } else {
        (b / 1e9, "Go", "GB")
    };
    match lang {
        Lang::Fr => format!("{}\u{a0}{fr}", number(lang, v, 1)),
        Lang::En => format!("{} {en}", number(lang, v, 1)),
    }
}

/// `n` followed by the singular or plural noun. French: 0 and 1 take the singular
/// (« 0 créneau », « 1 créneau », « 2 créneaux »); English: only 1 does.
pub fn plural(lang: Lang, n: u64, one: &str, many: &str) -> String {
    format!("{} {}", count(lang, n), plural_word(lang, n, one, many))
}

/// The singular or plural form for `n` (see [`plural`]).
pub fn plural_word<'a>(lang: Lang, n: u64, one: &'a str, many: &'a str) -> &'a str {
    let singular = match lang {
        Lang::Fr => n < 2,
        Lang::En => n == 1,
    };
    if singular { one } else { many }
}

fn civil(iso: &str) -> Option<(i16, i8, i8)> {
    let y: i16 = iso.get(0..4)?.parse().ok()?;
    let m: i8 = iso.get(5..7)?.parse().ok()?;
    let d: i8 = iso.get(8..10)?.parse().ok()?;
    jiff::civil::Date::new(y, m, d).ok()?;
    Some((y, m, d))
}

/// `2020-05-19` → `19/05/2020` (French) or `2020-05-19` (English); other text unchanged.
pub fn date(lang: Lang, iso: &str) -> String {
    match (lang, civil(iso)) {
        (Lang::Fr, Some((y, m, d))) => format!("{d:02}/{m:02}/{y:04}"),
        _ => iso.to_string(),
    }
}

const FR_DAYS: [&str; 7] = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];
const EN_DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const FR_MONTHS: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];
const FR_MONTHS_LONG: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const EN_MONTHS_LONG: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Name of month `m` (1–12), abbreviated or not; `""` out of range.
pub fn month(lang: Lang, m: i8, long: bool) -> &'static str {
    let Some(i) = usize::try_from(m).ok().and_then(|m| m.checked_sub(1)) else {
        return "";
    };
    let table = match (lang, long) {
        (Lang::Fr, false) => &FR_MONTHS,
        (Lang::Fr, true) => &FR_MONTHS_LONG,
        (Lang::En, false) => &EN_MONTHS,
        (Lang::En, true) => &EN_MONTHS_LONG,
    };
    table.get(i).copied().unwrap_or("")
}

fn weekday_name(lang: Lang, d: jiff::civil::Date) -> &'static str {
    let i = usize::try_from(d.weekday().to_monday_zero_offset()).unwrap_or(0);
    match lang {
        Lang::Fr => FR_DAYS[i % 7],
        Lang::En => EN_DAYS[i % 7],
    }
}

/// `2026-11-30` → `lun. 30 nov.` (French) or `Mon 30 Nov`; other text unchanged.
pub fn short_day(lang: Lang, iso: &str) -> String {
    let Some((y, m, d)) = civil(iso) else {
        return iso.to_string();
    };
    let Ok(day) = jiff::civil::Date::new(y, m, d) else {
        return iso.to_string();
    };
    format!("{} {d} {}", weekday_name(lang, day), month(lang, m, false))
}

/// `2021-05-19` → `19 mai 2021` (French) or `19 May 2021`.
pub fn long_date(lang: Lang, iso: &str) -> String {
    match civil(iso) {
        Some((y, m, d)) => format!("{d} {} {y}", month(lang, m, true)),
        None => iso.to_string(),
    }
}

/// A slot time at its centre's own wall clock (the RFC 3339 string's local part):
/// `2026-11-30T09:15:00+01:00` → `lun. 30 nov. à 09:15` (French) or `Mon 30 Nov at 09:15`.
pub fn slot_time(lang: Lang, iso: &str) -> Option<String> {
    civil(iso)?;
    let hm = iso
        .get(11..16)
        .filter(|t| t.as_bytes().get(2) == Some(&b':'))?;
    Some(format!(
        "{} {} {hm}",
        short_day(lang, iso),
        lang.t("à", "at")
    ))
}

/// Seconds since the epoch of an RFC 3339 time (`Z` or `±hh:mm`).
pub fn unix_seconds(iso: &str) -> Option<i64> {
    iso.trim().parse::<Timestamp>().ok().map(|t| t.as_second())
}

fn paris() -> TimeZone {
    TimeZone::get("Europe/Paris").unwrap_or(TimeZone::UTC)
}

/// An instant (RFC 3339, any offset) in Europe/Paris: `dim. 29 nov. à 10:30` (French) or
/// `Sun 29 Nov at 10:30`; with the year when `year`: `dim. 29 nov. 2026 à 10:30`.
pub fn paris_time(lang: Lang, iso: &str, year: bool) -> Option<String> {
    let z = iso.trim().parse::<Timestamp>().ok()?.to_zoned(paris());
    let d = z.date();
    let y = if year {
        format!(" {}", d.year())
    } else {
        String::new()
    };
    Some(format!(
        "{} {} {}{y} {} {:02}:{:02}",
        weekday_name(lang, d),
        d.day(),
        month(lang, d.month(), false),
        lang.t("à", "at"),
        z.hour(),
        z.minute()
    ))
}

/// The Paris wall clock of an instant as `YYYY-MM-DDTHH:MM:SS±hh:mm` (for `<time datetime>`).
pub fn paris_rfc3339(iso: &str) -> Option<String> {
    let z = iso.trim().parse::<Timestamp>().ok()?.to_zoned(paris());
    Some(z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
}

/// A duration in minutes as « 12 min », « 1 h 05 min », « 3 j » (French) / « 3 d ».
pub fn duration_minutes(lang: Lang, min: i64) -> String {
    let min = min.max(0);
    if min < 60 {
        format!("{min} min")
    } else if min < 48 * 60 {
        format!("{} h {:02} min", min / 60, min % 60)
    } else {
        format!("{} {}", min / (24 * 60), lang.t("j", "d"))
    }
}

/// « il y a 12 min » / « 12 min ago » from an instant and now (seconds since the epoch).
pub fn ago(lang: Lang, iso: &str, now: i64) -> Option<String> {
    let min = (now - unix_seconds(iso)?) / 60;
    let d = duration_minutes(lang, min);
    Some(match lang {
        Lang::Fr => format!("il y a {d}"),
        Lang::En => format!("{d} ago"),
    })
}

/// « mis à jour il y a 12 min » from the scan time and now (seconds since the epoch).
pub fn data_age(lang: Lang, generated_at: &str, now: i64) -> Option<String> {
    let a = ago(lang, generated_at, now)?;
    Some(match lang {
        Lang::Fr => format!("mis à jour {a}"),
        Lang::En => format!("updated {a}"),
    })
}

/// Distance with one decimal under 10 km, whole kilometres beyond.
pub fn distance(lang: Lang, km: f64) -> String {
    let d = if km < 10.0 { 1 } else { 0 };
    format!("{}\u{a0}km", number(lang, km, d))
}

/// `+33475000000` → `04 75 00 00 00`; other numbers as given.
pub fn phone_display(p: &str) -> String {
    let digits: String = p.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.strip_prefix("33") {
        Some(rest) if p.starts_with('+') && rest.len() == 9 => format!("0{rest}"),
        _ if digits.len() == 10 && digits.starts_with('0') => digits,
        _ => return p.to_string(),
    };
    national
        .as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(fr_number(1234567.891, 1), "1\u{202f}234\u{202f}567,9");
        assert_eq!(fr_number(-12.5, 1), "-12,5");
        assert_eq!(fr_number(-0.01, 1), "0,0");
        assert_eq!(fr_number(999.0, 0), "999");
        assert_eq!(fr_number(1000.0, 0), "1\u{202f}000");
        assert_eq!(fr_number(f64::NAN, 0), "—");
        assert_eq!(en_number(1234567.891, 1), "1,234,567.9");
        assert_eq!(count(Lang::Fr, 12_500), "12\u{202f}500");
        assert_eq!(count(Lang::En, 12_500), "12,500");
        assert_eq!(percent_change(Lang::Fr, 12.54), "+12,5\u{a0}%");
        assert_eq!(percent_change(Lang::Fr, -33.3), "-33,3\u{a0}%");
        assert_eq!(percent_change(Lang::En, -33.3), "-33.3%");
        assert_eq!(file_size(Lang::Fr, 812), "812 octets");
        assert_eq!(file_size(Lang::Fr, 167_234_567), "167,2\u{a0}Mo");
        assert_eq!(file_size(Lang::En, 45_300), "45.3 kB");
        assert_eq!(points_change(Lang::Fr, 0.54), "+0,5\u{a0}point");
        assert_eq!(points_change(Lang::Fr, -2.34), "-2,3\u{a0}points");
        assert_eq!(points_change(Lang::Fr, 0.01), "0,0\u{a0}point");
        assert_eq!(points_change(Lang::En, 1.0), "+1.0\u{a0}point");
        assert_eq!(points_change(Lang::En, 0.5), "+0.5\u{a0}points");
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(Lang::Fr, 0, "créneau", "créneaux"), "0 créneau");
        assert_eq!(plural(Lang::Fr, 1, "créneau", "créneaux"), "1 créneau");
        assert_eq!(plural(Lang::Fr, 2, "créneau", "créneaux"), "2 créneaux");
        assert_eq!(
            plural(Lang::Fr, 8319, "créneau", "créneaux"),
            "8\u{202f}319 créneaux"
        );
        assert_eq!(plural(Lang::En, 0, "slot", "slots"), "0 slots");
        assert_eq!(plural(Lang::En, 1, "slot", "slots"), "1 slot");
    }

    #[test]
    fn dates_and_months() {
        assert_eq!(date(Lang::Fr, "2020-05-19"), "19/05/2020");
        assert_eq!(date(Lang::En, "2020-05-19"), "2020-05-19");
        assert_eq!(date(Lang::Fr, "—"), "—");
        assert_eq!(date(Lang::Fr, "2020-13-01"), "2020-13-01");
        assert_eq!(month(Lang::Fr, 2, false), "févr.");
        assert_eq!(month(Lang::Fr, 8, true), "août");
        assert_eq!(month(Lang::En, 12, true), "December");
        assert_eq!(month(Lang::Fr, 13, true), "");
        assert_eq!(long_date(Lang::Fr, "2021-05-19"), "19 mai 2021");
        assert_eq!(short_day(Lang::Fr, "2024-02-29"), "jeu. 29 févr.");
        assert_eq!(short_day(Lang::En, "2026-11-30"), "Mon 30 Nov");
        assert_eq!(short_day(Lang::Fr, "garbage"), "garbage");
    }

    #[test]
    fn slot_times_at_the_centre_clock() {
        assert_eq!(
            slot_time(Lang::Fr, "2026-11-30T09:15:00+01:00").as_deref(),
            Some("lun. 30 nov. à 09:15")
        );
        assert_eq!(
            slot_time(Lang::En, "2026-11-30T09:15:00+01:00").as_deref(),
            Some("Mon 30 Nov at 09:15")
        );
        // Overseas: the centre's own wall clock, not Paris time.
        assert_eq!(
            slot_time(Lang::Fr, "2027-02-28T23:50:00-04:00").as_deref(),
            Some("dim. 28 févr. à 23:50")
        );
        assert_eq!(slot_time(Lang::Fr, "garbage"), None);
    }

    #[test]
    fn paris_times_with_dst() {
        // Winter: UTC+1.
        assert_eq!(
            paris_time(Lang::Fr, "2026-11-29T09:30:00Z", false).as_deref(),
            Some("dim. 29 nov. à 10:30")
        );
        // Summer: UTC+2.
        assert_eq!(
            paris_time(Lang::Fr, "2026-07-14T08:00:00Z", true).as_deref(),
            Some("mar. 14 juil. 2026 à 10:00")
        );
        // The same instant written with another offset.
        assert_eq!(
            paris_time(Lang::En, "2026-11-29T10:30:00+01:00", false).as_deref(),
            Some("Sun 29 Nov at 10:30")
        );
        // Across the October change (2026-10-25 03:00 CEST → 02:00 CET).
        assert_eq!(
            paris_time(Lang::Fr, "2026-10-25T00:30:00Z", false).as_deref(),
            Some("dim. 25 oct. à 02:30")
        );
        assert_eq!(
            paris_time(Lang::Fr, "2026-10-25T01:30:00Z", false).as_deref(),
            Some("dim. 25 oct. à 02:30")
        );
        assert_eq!(
            paris_time(Lang::Fr, "2026-03-29T01:30:00Z", false).as_deref(),
            Some("dim. 29 mars à 03:30")
        );
        assert_eq!(
            paris_rfc3339("2026-07-14T08:00:00Z").as_deref(),
            Some("2026-07-14T10:00:00+02:00")
        );
        assert_eq!(paris_time(Lang::Fr, "2026-11-29", false), None);
    }

    #[test]
    fn ages() {
        assert_eq!(unix_seconds("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(unix_seconds("2026-11-29T09:30:00Z"), Some(1_795_944_600));
        let now = 1_795_944_600 + 12 * 60 + 59;
        assert_eq!(
            data_age(Lang::Fr, "2026-11-29T10:30:00+01:00", now).as_deref(),
            Some("mis à jour il y a 12 min")
        );
        assert_eq!(
            data_age(Lang::En, "2026-11-29T10:30:00+01:00", now + 3600).as_deref(),
            Some("updated 1 h 12 min ago")
        );
        assert_eq!(
            ago(Lang::Fr, "2026-11-29T09:30:00Z", now + 3 * 86_400).as_deref(),
            Some("il y a 3 j")
        );
        assert_eq!(
            ago(Lang::Fr, "2026-11-29T09:30:00Z", 0).as_deref(),
            Some("il y a 0 min")
        );
        assert_eq!(ago(Lang::Fr, "hier", now), None);
    }

    #[test]
    fn distances_and_phones() {
        assert_eq!(distance(Lang::Fr, 3.25), "3,2\u{a0}km");
        assert_eq!(distance(Lang::En, 9.96), "10.0\u{a0}km");
        assert_eq!(distance(Lang::Fr, 33.6), "34\u{a0}km");
        assert_eq!(phone_display("+33475000000"), "04 75 00 00 00");
        assert_eq!(phone_display("0475000000"), "04 75 00 00 00");
        assert_eq!(phone_display("+4122000000"), "+4122000000");
    }
}
