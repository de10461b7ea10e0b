//! Time rules: every slot instant is a [`jiff::Zoned`] in the centre's zone.
//!
//! The zone is chosen from the department: `971` America/Guadeloupe, `972`
//! America/Martinique, `973` America/Cayenne, `974` Indian/Reunion, `976` Indian/Mayotte,
//! anything else (metropolitan departments, `2A`/`2B`, unknown) Europe/Paris.
//!
//! Platforms send three kinds of strings (see each platform module for its rule):
//! * aware instants (`Z`, `+00:00`, `+02:00`, `+0200`, with or without fractions): the
//!   instant is kept and shown in the centre's zone ([`aware`]);
//! * naive local date-times (`2021-09-17T10:00:00`): localised in the centre's zone
//!   ([`naive`]); a non-existent or ambiguous local time (DST change) takes jiff's
//!   "compatible" disambiguation (the later offset for a gap, the earlier for a fold);
//! * bare dates (`2021-04-10`, Doctolib): local midnight ([`date_only`]).

use jiff::Zoned;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

use crate::error::SlotError;
use crate::model::Platform;

/// The IANA zone name of a department code (`"01"`…`"95"`, `"2A"`, `"971"`…`"976"`).
pub fn zone_name_for_department(department: Option<&str>) -> &'static str {
    match department.map(str::trim) {
        Some("971") => "America/Guadeloupe",
        Some("972") => "America/Martinique",
        Some("973") => "America/Cayenne",
        Some("974") => "Indian/Reunion",
        Some("976") => "Indian/Mayotte",
        _ => "Europe/Paris",
    }
}

/// The time zone of a department (from the system time zone database).
pub fn zone_for_department(department: Option<&str>) -> Result<TimeZone, SlotError> {
    let zone = zone_name_for_department(department);
    TimeZone::get(zone).map_err(|e| SlotError::TimeZone {
        zone,
        reason: e.to_string(),
    })
}

/// Europe/Paris.
pub fn paris() -> Result<TimeZone, SlotError> {
    zone_for_department(None)
}

/// An instant with an explicit offset or `Z`, shown in `tz`.
pub fn aware(
    platform: Platform,
    field: &'static str,
    s: &str,
    tz: &TimeZone,
) -> Result<Zoned, SlotError> {
    let ts: jiff::Timestamp = s
        .trim()
        .parse()
        .map_err(|e| SlotError::value(platform, field, s, e))?;
    Ok(ts.to_zoned(tz.clone()))
}

/// A naive local date-time, localised in `tz`.
pub fn naive(
    platform: Platform,
    field: &'static str,
    s: &str,
    tz: &TimeZone,
) -> Result<Zoned, SlotError> {
    let dt: DateTime = s
        .trim()
        .parse()
        .map_err(|e| SlotError::value(platform, field, s, e))?;
    dt.to_zoned(tz.clone())
        .map_err(|e| SlotError::value(platform, field, s, e))
}

/// A bare date, as local midnight in `tz`.
pub fn date_only(
    platform: Platform,
    field: &'static str,
    s: &str,
    tz: &TimeZone,
) -> Result<Zoned, SlotError> {
    let d: Date = s
        .trim()
        .parse()
        .map_err(|e| SlotError::value(platform, field, s, e))?;
    d.to_zoned(tz.clone())
        .map_err(|e| SlotError::value(platform, field, s, e))
}

/// Aware if the string carries an offset, else a bare date (10 characters), else naive.
pub fn flexible(
    platform: Platform,
    field: &'static str,
    s: &str,
    tz: &TimeZone,
) -> Result<Zoned, SlotError> {
    let t = s.trim();
    if t.len() == 10 {
        return date_only(platform, field, t, tz);
    }
    match aware(platform, field, t, tz) {
        Ok(z) => Ok(z),
        Err(_) => naive(platform, field, t, tz),
    }
}

/// `date + days` (saturating at the end of jiff's range, which no platform reaches).
pub fn add_days(date: Date, days: i64) -> Date {
    jiff::Span::new()
        .try_days(days)
        .ok()
        .and_then(|span| date.checked_add(span).ok())
        .unwrap_or(date)
}
