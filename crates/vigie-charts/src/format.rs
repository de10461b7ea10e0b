//! French number and date formatting, XML escaping, fixed-precision coordinates, text metrics.

use std::fmt::{self, Write as _};

/// Thousands separator used by [`format_number_fr`]: U+202F NARROW NO-BREAK SPACE, as in the
/// CLDR French locale and French typographic rules (it never breaks across lines).
pub const THOUSANDS_SEPARATOR: char = '\u{202F}';

/// Text used for a missing / non-finite value ("non disponible").
pub(crate) const NOT_AVAILABLE: &str = "n.d.";

const MONTHS: [&str; 12] = [
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

/// Abbreviations of the Imprimerie nationale / CLDR (`mai`, `juin`, `août` are not abbreviated).
const MONTHS_SHORT: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];

/// Formats `value` the French way with exactly `decimals` decimals (at most 15): decimal comma,
/// [`THOUSANDS_SEPARATOR`] between groups of three digits, `-` for negative numbers (never
/// `-0`). Non-finite values give `"n.d."`.
///
/// ```
/// assert_eq!(vigie_charts::format_number_fr(1234567.891, 1), "1\u{202F}234\u{202F}567,9");
/// assert_eq!(vigie_charts::format_number_fr(-0.04, 1), "0,0");
/// ```
pub fn format_number_fr(value: f64, decimals: usize) -> String {
    let mut out = String::new();
    push_number_fr(&mut out, value, decimals);
    out
}

/// [`format_number_fr`] appending to `out`.
pub(crate) fn push_number_fr(out: &mut String, value: f64, decimals: usize) {
    if !value.is_finite() {
        out.push_str(NOT_AVAILABLE);
        return;
    }
    let decimals = decimals.min(15);
    let mut digits = String::with_capacity(24);
    let _ = write!(digits, "{:.*}", decimals, value.abs());
    let (int_part, frac_part) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits.as_str(), None),
    };
    let is_zero = digits.bytes().all(|b| b == b'0' || b == b'.');
    if value < 0.0 && !is_zero {
        out.push('-');
    }
    let n = int_part.len();
    for (i, ch) in int_part.char_indices() {
        if i > 0 && (n - i) % 3 == 0 {
            out.push(THOUSANDS_SEPARATOR);
        }
        out.push(ch);
    }
    if let Some(frac) = frac_part {
        out.push(',');
        out.push_str(frac);
    }
}

/// Number of decimals giving about three significant digits for a displayed value
/// (`1234` → 0, `12,3` → 1, `1,23` / `0,87` → 2).
pub(crate) fn auto_decimals(value: f64) -> usize {
    let a = value.abs();
    if a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else {
        2
    }
}

/// Formats a value for humans with [`auto_decimals`] and trailing zeros removed (`5,00` → `5`).
pub(crate) fn push_value_auto(out: &mut String, value: f64) {
    let start = out.len();
    push_number_fr(out, value, auto_decimals(value));
    if out[start..].contains(',') {
        while out.ends_with('0') {
            out.pop();
        }
        if out.ends_with(',') {
            out.pop();
        }
    }
    if &out[start..] == "-0" {
        out.truncate(start);
        out.push('0');
    }
}

/// Appends a value followed by its unit (`12,3 %`, `45 pour 100 000 hab.`), separated by a
/// no-break space.
pub(crate) fn push_value_with_unit(
    out: &mut String,
    value: f64,
    decimals: Option<usize>,
    unit: Option<&str>,
) {
    match decimals {
        Some(d) => push_number_fr(out, value, d),
        None => push_value_auto(out, value),
    }
    if let Some(unit) = unit.filter(|u| !u.trim().is_empty())
        && value.is_finite()
    {
        out.push('\u{A0}');
        out.push_str(unit.trim());
    }
}

/// Converts a day number (days since 1970-01-01) to a proleptic Gregorian `(year, month 1–12,
/// day 1–31)`. Works for the whole `i64` range used internally (Howard Hinnant's algorithm).
pub fn civil_from_days(day: i64) -> (i64, u32, u32) {
    let z = day.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m as u32, d as u32)
}

/// Inverse of [`civil_from_days`]: the day number of `year-month-day` (month 1–12, day 1–31;
/// out-of-range months are clamped).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let m = i64::from(month.clamp(1, 12));
    let y = if m <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `"12 mars 2021"`; the first day of a month is written `"1er mars 2021"`.
pub fn format_date_fr(day: i32) -> String {
    let mut out = String::with_capacity(20);
    push_date_fr(&mut out, day);
    out
}

pub(crate) fn push_date_fr(out: &mut String, day: i32) {
    let (y, m, d) = civil_from_days(i64::from(day));
    let month = MONTHS[(m as usize - 1) % 12];
    if d == 1 {
        let _ = write!(out, "1er {month} {y}");
    } else {
        let _ = write!(out, "{d} {month} {y}");
    }
}

/// `"12/03/2021"`.
pub fn format_date_numeric_fr(day: i32) -> String {
    let (y, m, d) = civil_from_days(i64::from(day));
    format!("{d:02}/{m:02}/{y}")
}

/// Short day label for time ticks: `"12/03"`.
pub(crate) fn push_day_month(out: &mut String, day: i64) {
    let (_, m, d) = civil_from_days(day);
    let _ = write!(out, "{d:02}/{m:02}");
}

/// Month label for time ticks: `"mars 2021"`, `"janv. 2021"`.
pub(crate) fn push_month_year(out: &mut String, day: i64) {
    let (y, m, _) = civil_from_days(day);
    let _ = write!(out, "{} {y}", MONTHS_SHORT[(m as usize - 1) % 12]);
}

/// Appends `s` escaped for XML text and attribute values; drops characters that XML 1.0
/// forbids (control characters other than tab / newline / carriage return, U+FFFE, U+FFFF).
pub(crate) fn push_escaped(out: &mut String, s: &str) {
    if !s
        .bytes()
        .any(|b| matches!(b, b'<' | b'>' | b'&' | b'"' | b'\'') || b < 0x20 || b == 0xEF)
    {
        out.push_str(s);
        return;
    }
    for ch in s.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

/// Display adapter writing a pixel quantity rounded to 0.1 with no trailing `.0`
/// (`12`, `12.5`, `-0.3`). NaN prints as `0`, infinities saturate.
#[derive(Clone, Copy)]
pub(crate) struct Px(pub f64);

impl fmt::Display for Px {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_tenths(f, tenths(self.0))
    }
}

/// `v` in tenths, rounded (NaN → 0; saturating).
pub(crate) fn tenths(v: f64) -> i64 {
    (v * 10.0).round() as i64
}

/// Writes an integer number of tenths as a decimal (`123` → `12.3`, `-5` → `-0.5`, `40` → `4`).
pub(crate) fn write_tenths<W: fmt::Write>(w: &mut W, t: i64) -> fmt::Result {
    let neg = t < 0;
    let a = t.unsigned_abs();
    if neg {
        w.write_char('-')?;
    }
    let int = a / 10;
    let frac = a % 10;
    write!(w, "{int}")?;
    if frac != 0 {
        w.write_char('.')?;
        w.write_char(char::from(b'0' + frac as u8))?;
    }
    Ok(())
}

/// Appends an integer number of tenths as a decimal, like [`write_tenths`] but without the
/// formatting machinery (hot path of path data).
pub(crate) fn push_tenths(out: &mut String, t: i64) {
    let mut buf = [0u8; 24];
    let mut i = buf.len();
    let a = t.unsigned_abs();
    let frac = (a % 10) as u8;
    if frac != 0 {
        i -= 1;
        buf[i] = b'0' + frac;
        i -= 1;
        buf[i] = b'.';
    }
    let mut int = a / 10;
    loop {
        i -= 1;
        buf[i] = b'0' + (int % 10) as u8;
        int /= 10;
        if int == 0 {
            break;
        }
    }
    if t < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    // Only ASCII digits, '.' and '-' were written.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or("0"));
}

/// 64-bit FNV-1a, used to derive deterministic element ids.
pub(crate) fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// Rough advance width of `c` in em for DejaVu Sans / Verdana (both wide sans fonts), used to
/// lay out text without a font engine. Slightly generous on purpose.
fn char_em(c: char) -> f64 {
    match c {
        'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' | 'I' => 0.3,
        ' ' | '\u{A0}' | '\u{202F}' => 0.32,
        'f' | 't' | 'r' | '(' | ')' | '-' | '/' | '[' | ']' => 0.42,
        'm' | 'w' | 'M' | 'W' | '%' | '—' => 0.95,
        'A'..='Z' => 0.72,
        '0'..='9' => 0.64,
        _ => 0.62,
    }
}

/// Estimated width in px of `s` at font size `size` px.
pub(crate) fn text_width(s: &str, size: f64) -> f64 {
    s.chars().map(char_em).sum::<f64>() * size
}

/// `s` on one line of at most `max_width` px at font size `size`, cut with `…` if needed.
pub(crate) fn truncate_line(s: &str, size: f64, max_width: f64) -> String {
    let s = s.trim();
    if text_width(s, size) <= max_width {
        return s.to_owned();
    }
    let budget = max_width - char_em('…') * size;
    let mut out = String::with_capacity(s.len());
    let mut width = 0.0;
    for ch in s.chars() {
        let w = char_em(ch) * size;
        if width + w > budget {
            break;
        }
        out.push(ch);
        width += w;
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('…');
    out
}

/// Greedy word wrap of `s` into at most `max_lines` lines of at most `max_width` px at font size
/// `size`; the last line ends with `…` when text had to be dropped. Words longer than a line are
/// cut.
pub(crate) fn wrap_text(s: &str, size: f64, max_width: f64, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let max_lines = max_lines.max(1);
    let max_width = max_width.max(size * 2.0);
    let mut current = String::new();
    let mut current_w = 0.0;
    let space_w = char_em(' ') * size;
    let mut truncated = false;
    'words: for word in s.split_whitespace() {
        let word_w = text_width(word, size);
        let needed = if current.is_empty() {
            word_w
        } else {
            current_w + space_w + word_w
        };
        if needed <= max_width {
            if !current.is_empty() {
                current.push(' ');
                current_w += space_w;
            }
            current.push_str(word);
            current_w += word_w;
            continue;
        }
        if !current.is_empty() {
            if lines.len() + 1 >= max_lines {
                truncated = true;
                break 'words;
            }
            lines.push(std::mem::take(&mut current));
            current_w = 0.0;
        }
        // The word alone on a line: cut it if it is still too long.
        for ch in word.chars() {
            let w = char_em(ch) * size;
            if current_w + w > max_width && !current.is_empty() {
                if lines.len() + 1 >= max_lines {
                    truncated = true;
                    break 'words;
                }
                lines.push(std::mem::take(&mut current));
                current_w = 0.0;
            }
            current.push(ch);
            current_w += w;
        }
    }
    if truncated {
        // Make room for the ellipsis.
        let ell_w = char_em('…') * size;
        while !current.is_empty() && current_w + ell_w > max_width {
            if let Some(c) = current.pop() {
                current_w -= char_em(c) * size;
            }
        }
        let trimmed_len = current.trim_end().len();
        current.truncate(trimmed_len);
        current.push('…');
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: char = THOUSANDS_SEPARATOR;

    #[test]
    fn numbers_are_french() {
        assert_eq!(
            format_number_fr(1234567.891, 1),
            format!("1{NS}234{NS}567,9")
        );
        assert_eq!(format_number_fr(1234.5, 1), format!("1{NS}234,5"));
        assert_eq!(format_number_fr(999.0, 0), "999");
        assert_eq!(format_number_fr(1000.0, 0), format!("1{NS}000"));
        assert_eq!(format_number_fr(-1234.0, 2), format!("-1{NS}234,00"));
        assert_eq!(format_number_fr(0.5, 0), "0");
        assert_eq!(format_number_fr(-0.0001, 2), "0,00");
        assert_eq!(format_number_fr(f64::NAN, 1), "n.d.");
        assert_eq!(format_number_fr(f64::INFINITY, 1), "n.d.");
        assert_eq!(format_number_fr(12.0, 40), "12,000000000000000");
        assert!(format_number_fr(1e300, 0).starts_with("1"));
    }

    #[test]
    fn auto_values_trim_zeros() {
        let f = |v| {
            let mut s = String::new();
            push_value_auto(&mut s, v);
            s
        };
        assert_eq!(f(5.0), "5");
        assert_eq!(f(0.87), "0,87");
        assert_eq!(f(12.34), "12,3");
        assert_eq!(f(1234.4), format!("1{NS}234"));
        assert_eq!(f(-0.001), "0");
        assert_eq!(f(0.1), "0,1");
        let mut s = String::new();
        push_value_with_unit(&mut s, 12.5, Some(1), Some("%"));
        assert_eq!(s, "12,5\u{A0}%");
    }

    #[test]
    fn dates_are_french() {
        // 2021-03-12
        let d = days_from_civil(2021, 3, 12);
        assert_eq!(d, 18_698);
        assert_eq!(format_date_fr(d as i32), "12 mars 2021");
        assert_eq!(
            format_date_fr(days_from_civil(2020, 10, 1) as i32),
            "1er octobre 2020"
        );
        assert_eq!(format_date_fr(0), "1er janvier 1970");
        assert_eq!(format_date_fr(-1), "31 décembre 1969");
        assert_eq!(
            format_date_numeric_fr(days_from_civil(2020, 10, 22) as i32),
            "22/10/2020"
        );
        let mut s = String::new();
        push_month_year(&mut s, d);
        assert_eq!(s, "mars 2021");
        s.clear();
        push_day_month(&mut s, d);
        assert_eq!(s, "12/03");
        // Extremes do not panic.
        let _ = format_date_fr(i32::MIN);
        let _ = format_date_fr(i32::MAX);
    }

    #[test]
    fn civil_round_trip() {
        for day in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
    }

    #[test]
    fn escaping() {
        let mut s = String::new();
        push_escaped(&mut s, "a<b & \"c\" 'd'>\u{1}\n");
        assert_eq!(s, "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt; ");
        s.clear();
        push_escaped(&mut s, "Santé publique France — données");
        assert_eq!(s, "Santé publique France — données");
    }

    #[test]
    fn tenths_formatting() {
        for t in [
            0,
            1,
            -1,
            9,
            10,
            -10,
            123,
            -123,
            1_000_000_007,
            i64::MAX,
            i64::MIN,
        ] {
            let mut a = String::new();
            let mut b = String::new();
            push_tenths(&mut a, t);
            write_tenths(&mut b, t).expect("write to String");
            assert_eq!(a, b, "{t}");
        }
        assert_eq!(Px(12.0).to_string(), "12");
        assert_eq!(Px(12.34).to_string(), "12.3");
        assert_eq!(Px(-0.04).to_string(), "0");
        assert_eq!(Px(-0.06).to_string(), "-0.1");
        assert_eq!(Px(f64::NAN).to_string(), "0");
        assert!(!Px(f64::INFINITY).to_string().is_empty());
    }

    #[test]
    fn truncating() {
        assert_eq!(truncate_line("  Guyane ", 10.0, 100.0), "Guyane");
        let cut = truncate_line("La Réunion et ses îles", 10.0, 60.0);
        assert!(cut.ends_with('…') && cut.starts_with("La R"), "{cut}");
        assert!(text_width(&cut, 10.0) <= 60.0);
        assert_eq!(truncate_line("abc", 10.0, 0.0), "…");
    }

    #[test]
    fn wrapping() {
        let lines = wrap_text(
            "Source : Santé publique France, SI-DEP — données du 22/10/2020",
            10.0,
            200.0,
            3,
        );
        assert!(lines.len() >= 2, "{lines:?}");
        for l in &lines {
            assert!(text_width(l, 10.0) <= 200.0 + 1e-9, "{l}");
        }
        let lines = wrap_text(
            "un deux trois quatre cinq six sept huit neuf dix",
            12.0,
            60.0,
            2,
        );
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'), "{lines:?}");
        assert!(wrap_text("", 12.0, 100.0, 2).is_empty());
        let long = wrap_text("Anticonstitutionnellementissimement", 12.0, 50.0, 5);
        assert!(
            lines.len() > 1 && long.iter().all(|l| text_width(l, 12.0) <= 50.0 + 1e-9),
            "{long:?}"
        );
    }
}
