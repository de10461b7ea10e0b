//! Centre lists: the official data.gouv list of vaccination places (CSV with `;` or `,`, or
//! JSON "center dicts"), booking-URL clean-up and routing to a platform, and the merge of
//! several lists into one record per centre with the provenance of every source.
//!
//! **Bad rows** are reported and skipped ([`ListReport::issues`], each naming the line, the
//! field and the value); a row with unusable coordinates is kept without them (and
//! reported). Only a document that cannot be read at all (no header, no `nom` column, not
//! JSON) is an error ([`ListError`]).
//!
//! **De-duplication** ([`merge`]): two records are the same centre when their normalised
//! booking URLs are equal ([`url_key`]: scheme, `www.`, case of the host, trailing `/` and
//! the order of query parameters ignored) or when they have the same platform and platform
//! id. The first record keeps its values; later ones only fill missing fields; every source
//! is kept in [`MergedCentre::sources`].

use std::collections::BTreeMap;

use jiff::civil::{Date, Weekday};
use serde_json::Value;

use crate::connector::ScanTarget;
use crate::model::{Centre, CentreType, Coordinates, OpeningHours, Platform, Provenance};
use crate::normalise::phone_e164;
use crate::platforms::{keldoc, maiia};

/// A centre list that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("{document}: line {line}: {reason}")]
    Csv {
        document: String,
        line: u64,
        reason: String,
    },
    #[error("{document}: missing column {column:?}")]
    MissingColumn {
        document: String,
        column: &'static str,
    },
    #[error("{document}: not a JSON centre list: {source}")]
    Json {
        document: String,
        #[source]
        source: serde_json::Error,
    },
}

/// A problem with one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowIssue {
    /// 1-based line of the CSV (header = 1), or 1-based index of the JSON entry.
    pub line: u64,
    pub field: &'static str,
    pub value: String,
    pub reason: &'static str,
    /// Whether the row was dropped (else it was kept without that field).
    pub skipped: bool,
}

/// Where a record comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentreSource {
    /// The document (`"data.gouv centres-vaccination"`, `"ordoclic search"`, …).
    pub document: String,
    /// Line or entry number in the document, when it has one.
    pub line: Option<u64>,
    /// The id the document gives the place (`gid`, platform id).
    pub id: Option<String>,
}

/// One centre as a list describes it, normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct CentreRecord {
    /// The list's id (`gid`).
    pub gid: Option<String>,
    pub name: String,
    /// Cleaned booking URL ([`clean_url`]).
    pub booking_url: Option<String>,
    /// `None` = not a supported platform (the reference's "Autre").
    pub platform: Option<Platform>,
    /// The platform's id of the centre, when the platform needs one ([`platform_id`]).
    pub platform_id: Option<String>,
    pub address: Option<String>,
    pub insee: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub department: Option<String>,
    pub coordinates: Option<Coordinates>,
    pub kind: CentreType,
    pub phone: Option<String>,
    pub opening_hours: Vec<OpeningHours>,
    pub atlas_gid: Option<i64>,
    /// Platform data collected by a builder (Doctolib booking, Keldoc motive categories,
    /// Mapharma campaign), handed to the connector as [`ScanTarget::platform_data`].
    pub platform_data: Option<Value>,
    pub source: CentreSource,
}

impl CentreRecord {
    /// What a connector needs to scan this centre from `start` over `days`; `None` when the
    /// centre is not on a supported platform or has no booking URL.
    pub fn scan_target(&self, start: Date, days: u16) -> Option<ScanTarget> {
        let platform = self.platform?;
        let url = self.booking_url.clone()?;
        Some(ScanTarget {
            platform_id: self
                .platform_id
                .clone()
                .or_else(|| platform_id(platform, &url, self.gid.as_deref()))
                .unwrap_or_default(),
            booking_url: url,
            department: self.department.clone(),
            address: self.address.clone(),
            start,
            days,
            platform_data: self.platform_data.clone(),
        })
    }

    /// The record as a [`Centre`] (when routed to a platform and bookable online).
    pub fn to_centre(&self) -> Option<Centre> {
        let platform = self.platform?;
        let url = self.booking_url.clone()?;
        let pid = self
            .platform_id
            .clone()
            .or_else(|| platform_id(platform, &url, self.gid.as_deref()))
            .or_else(|| self.gid.clone())
            .unwrap_or_else(|| url.clone());
        Some(Centre {
            id: format!("{}:{pid}", platform.slug()),
            name: self.name.clone(),
            platform,
            booking_url: url,
            address: self.address.clone(),
            insee: self.insee.clone(),
            postcode: self.postcode.clone(),
            department: self.department.clone(),
            coordinates: self.coordinates,
            kind: self.kind,
            phone: self.phone.clone(),
            opening_hours: self.opening_hours.clone(),
            vaccines: Vec::new(),
            provenance: Provenance {
                platform,
                document: "centre list",
                platform_id: pid,
            },
        })
    }
}

/// A centre after [`merge`], with every source that described it.
#[derive(Debug, Clone, PartialEq)]
pub struct MergedCentre {
    pub record: CentreRecord,
    pub sources: Vec<CentreSource>,
}

/// The records of a list and the problems met.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListReport {
    pub records: Vec<CentreRecord>,
    pub issues: Vec<RowIssue>,
}

/// Percent-decoding (invalid escapes kept as written; bytes decoded as UTF-8, lossy).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(h, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The reference's `fix_scrap_urls`, idempotent: trim and percent-decode; Keldoc hosts →
/// `vaccination-covid.keldoc.com` (never doubled); on Doctolib hosts, `?…?` repaired to
/// `?…&` and `speciality_id`, `enable_cookies_consent`, `highlight*` dropped.
pub fn clean_url(raw: &str) -> String {
    let url = keldoc::normalise_url(&percent_decode(raw.trim()));
    if !url.contains("doctolib.fr") {
        return url;
    }
    let Some((base, query)) = url.split_once('?') else {
        return url;
    };
    let kept: Vec<&str> = query
        .split(['?', '&'])
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let key = p.split('=').next().unwrap_or("");
            !(key == "speciality_id"
                || key == "enable_cookies_consent"
                || key.starts_with("highlight"))
        })
        .collect();
    if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

/// The reference's routing: the last platform whose known URL prefix is a substring of the
/// URL, or whose name equals `platform_is` (case-insensitive; mesoigner and Valwin are routed
/// only this way). `None` = "Autre".
pub fn route(url: &str, platform_is: Option<&str>) -> Option<Platform> {
    const URLS: &[(Platform, &[&str])] = &[
        (
            Platform::Doctolib,
            &["https://partners.doctolib.fr", "https://www.doctolib.fr"],
        ),
        (
            Platform::Keldoc,
            &["https://vaccination-covid.keldoc.com", "https://keldoc.com"],
        ),
        (Platform::Maiia, &["https://www.maiia.com"]),
        (Platform::Mapharma, &["https://mapharma.net"]),
        (Platform::Ordoclic, &["https://app.ordoclic.fr/"]),
        (Platform::AvecMonDoc, &["https://patient.avecmondoc.com"]),
        (Platform::Mesoigner, &[]),
        (Platform::Bimedoc, &["https://app.bimedoc.com"]),
        (Platform::Valwin, &[]),
    ];
    let named = platform_is.map(str::trim).filter(|s| !s.is_empty());
    URLS.iter()
        .filter(|(p, prefixes)| {
            prefixes.iter().any(|u| url.contains(u))
                || named.is_some_and(|n| n.eq_ignore_ascii_case(p.reference_name()))
        })
        .map(|(p, _)| *p)
        .next_back()
}

/// The platform id a connector needs, from the booking URL (Maiia `centerid`, Bimedoc
/// scheduler id, Doctolib slug) or the list's `gid` (mesoigner, Valwin).
pub fn platform_id(platform: Platform, url: &str, gid: Option<&str>) -> Option<String> {
    let path_last = || {
        url.split(['?', '#'])
            .next()
            .map(|p| p.trim_end_matches('/'))
            .and_then(|p| p.rsplit('/').next())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    match platform {
        Platform::Maiia => maiia::center_id(url),
        Platform::Bimedoc => path_last(),
        Platform::Doctolib | Platform::AvecMonDoc | Platform::Ordoclic => path_last(),
        Platform::Mesoigner | Platform::Valwin => gid
            .map(|g| {
                g.strip_prefix("mesoigner")
                    .or_else(|| g.strip_prefix("Valwin"))
                    .unwrap_or(g)
                    .to_string()
            })
            .filter(|g| !g.is_empty()),
        Platform::Keldoc | Platform::Mapharma => None,
    }
}

/// The key under which two booking URLs are the same centre.
pub fn url_key(url: &str) -> String {
    let u = clean_url(url);
    let lower = u.trim().to_string();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let (host_path, query) = match rest.split_once('?') {
        Some((a, b)) => (a, Some(b)),
        None => (rest, None),
    };
    let (host, path) = host_path.split_once('/').unwrap_or((host_path, ""));
    let host = host.to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let path = path.trim_end_matches('/');
    let mut params: Vec<&str> = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|p| !p.is_empty())
        .collect();
    params.sort_unstable();
    if params.is_empty() {
        format!("{host}/{path}")
    } else {
        format!("{host}/{path}?{}", params.join("&"))
    }
}

/// Department of an INSEE commune code (`01001` → `01`, `2A004` → `2A`, `97411` → `974`).
pub fn department_of_insee(insee: &str) -> Option<String> {
    let c = insee.trim();
    if c.len() != 5 {
        return None;
    }
    let d = if c.starts_with("97") || c.starts_with("98") {
        c.get(..3)?
    } else {
        c.get(..2)?
    };
    Some(d.to_string())
}

/// Department of a postcode (first two digits, three overseas; Corsica `200xx`–`201xx` → 2A,
/// else 2B). An approximation used only when no INSEE code is known.
pub fn department_of_postcode(postcode: &str) -> Option<String> {
    let digits: String = postcode.chars().filter(char::is_ascii_digit).collect();
    let cp = match digits.len() {
        5 => digits,
        4 => format!("0{digits}"),
        _ => return None,
    };
    Some(if cp.starts_with("97") || cp.starts_with("98") {
        cp.get(..3)?.to_string()
    } else if cp.starts_with("20") {
        if cp.as_str() < "20200" { "2A" } else { "2B" }.to_string()
    } else {
        cp.get(..2)?.to_string()
    })
}

/// The first 5-digit postcode of an address and the text after it (the city).
pub fn postcode_and_city(address: &str) -> Option<(String, Option<String>)> {
    let chars: Vec<(usize, char)> = address.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].1.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].1.is_ascii_digit() {
                i += 1;
            }
            if i - start == 5 {
                let begin = chars[start].0;
                let end = chars.get(i).map_or(address.len(), |c| c.0);
                let city = address[end..]
                    .trim_matches(|c: char| c == ',' || c.is_whitespace())
                    .to_string();
                return Some((
                    address[begin..end].to_string(),
                    Some(city).filter(|c| !c.is_empty()),
                ));
            }
        } else {
            i += 1;
        }
    }
    None
}

fn centre_type(raw: Option<&str>) -> CentreType {
    match raw.map(|s| s.trim().to_lowercase()).as_deref() {
        Some("drugstore") | Some("pharmacie") => CentreType::Pharmacy,
        Some("general-practitioner") | Some("médecin") | Some("medecin") => {
            CentreType::GeneralPractitioner
        }
        _ => CentreType::VaccinationCentre,
    }
}

/// French day names, Monday first.
pub(crate) const FRENCH_DAYS: [(&str, Weekday); 7] = [
    ("lundi", Weekday::Monday),
    ("mardi", Weekday::Tuesday),
    ("mercredi", Weekday::Wednesday),
    ("jeudi", Weekday::Thursday),
    ("vendredi", Weekday::Friday),
    ("samedi", Weekday::Saturday),
    ("dimanche", Weekday::Sunday),
];

/// One row, as `column → value` (JSON values for JSON lists; strings for CSV).
type Row = BTreeMap<String, Value>;

fn text(row: &Row, key: &str) -> Option<String> {
    match row.get(key)? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn number(row: &Row, key: &str) -> Result<Option<f64>, String> {
    match row.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .replace(',', ".")
            .parse()
            .map(Some)
            .map_err(|_| s.clone()),
        Some(v) => Err(v.to_string()),
    }
}

fn record_from_row(
    row: &Row,
    line: u64,
    document: &str,
    issues: &mut Vec<RowIssue>,
) -> Option<CentreRecord> {
    let Some(name) = text(row, "nom") else {
        issues.push(RowIssue {
            line,
            field: "nom",
            value: String::new(),
            reason: "empty name",
            skipped: true,
        });
        return None;
    };
    let gid = text(row, "gid");
    let platform_is = text(row, "platform_is");
    let booking_url = text(row, "rdv_site_web").map(|u| clean_url(&u));
    let platform = booking_url
        .as_deref()
        .and_then(|u| route(u, platform_is.as_deref()))
        .or_else(|| {
            platform_is
                .as_deref()
                .and_then(|p| route("", Some(p)))
                .filter(|_| booking_url.is_some())
        });
    let mut coord = |key: &'static str| match number(row, key) {
        Ok(v) => v,
        Err(value) => {
            issues.push(RowIssue {
                line,
                field: key,
                value,
                reason: "not a number",
                skipped: false,
            });
            None
        }
    };
    let longitude = coord("long_coor1");
    let latitude = coord("lat_coor1");
    // Presence, not truthiness: 0 is a valid coordinate (deviation #16).
    let coordinates = match (longitude, latitude) {
        (Some(longitude), Some(latitude))
            if (-180.0..=180.0).contains(&longitude) && (-90.0..=90.0).contains(&latitude) =>
        {
            Some(Coordinates {
                longitude,
                latitude,
            })
        }
        _ => None,
    };
    // Ordoclic search entries carry a `location` object instead of the columns.
    let location = row.get("location").filter(|v| v.is_object());
    let loc = |k: &str| {
        location
            .and_then(|l| l.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let loc_coord = |k: &str| {
        location
            .and_then(|l| l.pointer(&format!("/coordinates/{k}")))?
            .as_f64()
    };
    let longitude = longitude.or_else(|| loc_coord("lon"));
    let latitude = latitude.or_else(|| loc_coord("lat"));
    let coordinates = coordinates.or(match (longitude, latitude) {
        (Some(longitude), Some(latitude)) => Some(Coordinates {
            longitude,
            latitude,
        }),
        _ => None,
    });
    let raw_address = text(row, "address");
    let from_address = raw_address.as_deref().and_then(postcode_and_city);
    let postcode = text(row, "com_cp")
        .or_else(|| loc("zip"))
        .or_else(|| from_address.as_ref().map(|(cp, _)| cp.clone()));
    let city = text(row, "com_nom")
        .or_else(|| loc("city"))
        .or_else(|| from_address.and_then(|(_, c)| c));
    let address = raw_address.or_else(|| {
        let street = [text(row, "adr_num"), text(row, "adr_voie")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let town = [postcode.clone(), city.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        match (street.is_empty(), town.is_empty()) {
            (true, true) => None,
            (false, true) => Some(street),
            (true, false) => Some(town),
            (false, false) => Some(format!("{street}, {town}")),
        }
    });
    let insee = text(row, "com_insee").map(|c| {
        if c.len() == 4 && c.chars().all(|ch| ch.is_ascii_digit()) {
            format!("0{c}")
        } else {
            c
        }
    });
    let department = insee
        .as_deref()
        .and_then(department_of_insee)
        .or_else(|| postcode.as_deref().and_then(department_of_postcode));
    let phone = text(row, "rdv_tel")
        .or_else(|| text(row, "phone_number"))
        .and_then(|p| phone_e164(&p));
    let mut opening_hours = Vec::new();
    let hours = row.get("business_hours").and_then(Value::as_object);
    for (key, day) in FRENCH_DAYS {
        let value = match hours {
            Some(h) => h
                .iter()
                .find(|(k, _)| k.to_lowercase() == key)
                .and_then(|(_, v)| v.as_str())
                .map(str::to_string),
            None => text(row, &format!("rdv_{key}")),
        };
        if let Some(v) = value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
        {
            opening_hours.push(OpeningHours {
                day,
                ranges: vec![v],
            });
        }
    }
    let atlas_gid = match row.get("atlas_gid") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let platform_data = row.get("booking").filter(|v| !v.is_null()).cloned();
    let platform_id = match (platform, booking_url.as_deref()) {
        (Some(p), Some(u)) => platform_id(p, u, gid.as_deref()),
        _ => None,
    };
    Some(CentreRecord {
        source: CentreSource {
            document: document.to_string(),
            line: Some(line),
            id: gid.clone(),
        },
        gid,
        name,
        booking_url,
        platform,
        platform_id,
        address,
        insee,
        postcode,
        city,
        department,
        coordinates,
        kind: centre_type(text(row, "type").as_deref()),
        phone,
        opening_hours,
        atlas_gid,
        platform_data,
    })
}

/// Bytes as text: UTF-8 (BOM removed), else Windows-1252/Latin-1 read byte by byte.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|b| char::from(*b)).collect(),
    }
}

/// Parses a centre list: CSV (`;` or `,`, detected from the header) or JSON (an array of
/// centre dicts, `{"data"|"centres": [...]}`, or a GeoJSON `FeatureCollection` whose
/// features carry the columns as properties). `document` names it in provenance and errors.
pub fn parse_list(bytes: &[u8], document: &str) -> Result<ListReport, ListError> {
    let text = decode(bytes);
    let first = text.trim_start();
    if first.starts_with('[') || first.starts_with('{') {
        return parse_json_list(first, document);
    }
    let header = text.lines().next().unwrap_or("");
    let sep = if header.matches(';').count() >= header.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sep)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| ListError::Csv {
            document: document.to_string(),
            line: 1,
            reason: e.to_string(),
        })?
        .clone();
    if !headers.iter().any(|h| h.trim() == "nom") {
        return Err(ListError::MissingColumn {
            document: document.to_string(),
            column: "nom",
        });
    }
    let mut report = ListReport::default();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| ListError::Csv {
            document: document.to_string(),
            line: e.position().map_or(i as u64 + 2, |p| p.line()),
            reason: e.to_string(),
        })?;
        let line = rec.position().map_or(i as u64 + 2, |p| p.line());
        let row: Row = headers
            .iter()
            .zip(rec.iter())
            .map(|(h, v)| (h.trim().to_string(), Value::String(v.to_string())))
            .collect();
        if let Some(r) = record_from_row(&row, line, document, &mut report.issues) {
            report.records.push(r);
        }
    }
    Ok(report)
}

fn parse_json_list(text: &str, document: &str) -> Result<ListReport, ListError> {
    let v: Value = serde_json::from_str(text).map_err(|source| ListError::Json {
        document: document.to_string(),
        source,
    })?;
    let entries: Vec<Value> = match v {
        Value::Array(a) => a,
        Value::Object(mut o) => {
            if let Some(Value::Array(features)) = o.remove("features") {
                features
                    .into_iter()
                    .map(|mut f| {
                        let mut props = f
                            .get_mut("properties")
                            .map(Value::take)
                            .unwrap_or(Value::Null);
                        if let (Some(obj), Some(coords)) = (
                            props.as_object_mut(),
                            f.pointer("/geometry/coordinates").and_then(Value::as_array),
                        ) && coords.len() == 2
                        {
                            obj.entry("long_coor1").or_insert(coords[0].clone());
                            obj.entry("lat_coor1").or_insert(coords[1].clone());
                        }
                        props
                    })
                    .collect()
            } else if let Some(Value::Array(a)) = o.remove("data").or_else(|| o.remove("centres")) {
                a
            } else {
                Vec::new()
            }
        }
        _ => Vec::new(),
    };
    let mut report = ListReport::default();
    for (i, e) in entries.into_iter().enumerate() {
        let line = i as u64 + 1;
        let Value::Object(map) = e else {
            report.issues.push(RowIssue {
                line,
                field: "(entry)",
                value: String::new(),
                reason: "not an object",
                skipped: true,
            });
            continue;
        };
        let row: Row = map.into_iter().collect();
        if let Some(r) = record_from_row(&row, line, document, &mut report.issues) {
            report.records.push(r);
        }
    }
    Ok(report)
}

fn fill<T: Clone>(into: &mut Option<T>, from: &Option<T>) {
    if into.is_none() {
        into.clone_from(from);
    }
}

/// Merges records from one or several lists into one entry per centre (rule in the module
/// documentation). Order: first appearance.
pub fn merge(records: impl IntoIterator<Item = CentreRecord>) -> Vec<MergedCentre> {
    let mut out: Vec<MergedCentre> = Vec::new();
    let mut by_url: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_id: BTreeMap<(Platform, String), usize> = BTreeMap::new();
    for r in records {
        let url = r.booking_url.as_deref().map(url_key);
        let id = match (r.platform, &r.platform_id) {
            (Some(p), Some(id)) => Some((p, id.clone())),
            _ => None,
        };
        let found = url
            .as_ref()
            .and_then(|u| by_url.get(u))
            .or_else(|| id.as_ref().and_then(|k| by_id.get(k)))
            .copied();
        let index = match found {
            Some(i) => {
                let m = &mut out[i];
                let t = &mut m.record;
                fill(&mut t.gid, &r.gid);
                fill(&mut t.booking_url, &r.booking_url);
                fill(&mut t.platform, &r.platform);
                fill(&mut t.platform_id, &r.platform_id);
                fill(&mut t.address, &r.address);
                fill(&mut t.insee, &r.insee);
                fill(&mut t.postcode, &r.postcode);
                fill(&mut t.city, &r.city);
                fill(&mut t.department, &r.department);
                fill(&mut t.coordinates, &r.coordinates);
                fill(&mut t.phone, &r.phone);
                fill(&mut t.atlas_gid, &r.atlas_gid);
                fill(&mut t.platform_data, &r.platform_data);
                if t.opening_hours.is_empty() {
                    t.opening_hours.clone_from(&r.opening_hours);
                }
                m.sources.push(r.source.clone());
                i
            }
            None => {
                out.push(MergedCentre {
                    sources: vec![r.source.clone()],
                    record: r,
                });
                out.len() - 1
            }
        };
        if let Some(u) = url {
            by_url.entry(u).or_insert(index);
        }
        if let Some(k) = id {
            by_id.entry(k).or_insert(index);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            clean_url(
                "https://www.doctolib.fr/centre/x/y?pid=practice-1?speciality_id=5494&highlight%5Bspeciality_ids%5D%5B%5D=5494"
            ),
            "https://www.doctolib.fr/centre/x/y?pid=practice-1"
        );
        let k = clean_url("https://www.keldoc.com/a?cabinet=1");
        assert_eq!(k, "https://vaccination-covid.keldoc.com/a?cabinet=1");
        assert_eq!(clean_url(&k), k);
        assert_eq!(route("https://doctolib.fr/x", None), None);
        assert_eq!(
            route("https://x.fr", Some("Valwin")),
            Some(Platform::Valwin)
        );
        assert_eq!(
            url_key("https://www.maiia.com/a/?b=2&centerid=1"),
            url_key("http://maiia.com/a?centerid=1&b=2")
        );
        assert_eq!(department_of_postcode("20167").as_deref(), Some("2A"));
        assert_eq!(department_of_postcode("97200").as_deref(), Some("972"));
        assert_eq!(department_of_insee("2B033").as_deref(), Some("2B"));
    }

    #[test]
    fn csv_rows_issues_and_merge() {
        let csv = "gid;nom;rdv_site_web;com_insee;com_cp;com_nom;adr_num;adr_voie;lat_coor1;long_coor1;rdv_tel;rdv_lundi\n\
            1;Centre A;https://partners.doctolib.fr/c/v/a?pid=practice-1&enable_cookies_consent=1;7186;07000;Privas;1;Place;44.7;0;04 75 00 00 00;9h-12h\n\
            2;;https://x;;;;;;;;;\n\
            3;Centre B;https://example.org;07186;07000;Privas;;;abc;4.6;;\n";
        let r = parse_list(csv.as_bytes(), "t").unwrap();
        assert_eq!(r.records.len(), 2);
        let a = &r.records[0];
        assert_eq!(a.platform, Some(Platform::Doctolib));
        assert_eq!(
            a.booking_url.as_deref(),
            Some("https://partners.doctolib.fr/c/v/a?pid=practice-1")
        );
        assert_eq!(a.insee.as_deref(), Some("07186"));
        assert_eq!(a.department.as_deref(), Some("07"));
        assert_eq!(a.coordinates.unwrap().longitude, 0.0);
        assert_eq!(a.phone.as_deref(), Some("+33475000000"));
        assert_eq!(a.address.as_deref(), Some("1 Place, 07000 Privas"));
        assert_eq!(r.records[1].platform, None);
        assert!(r.records[1].coordinates.is_none());
        assert_eq!(r.issues.len(), 2);
        assert_eq!((r.issues[0].line, r.issues[0].field), (3, "nom"));
        assert!(r.issues[0].skipped);
        assert_eq!((r.issues[1].line, r.issues[1].field), (4, "lat_coor1"));
        let t = a.scan_target(jiff::civil::date(2021, 4, 3), 11).unwrap();
        assert_eq!(t.platform_id, "a");

        let mut dup = a.clone();
        dup.source.document = "other".into();
        dup.booking_url = Some("https://partners.doctolib.fr/c/v/a/?pid=practice-1".into());
        dup.atlas_gid = Some(5);
        let merged = merge(vec![a.clone(), r.records[1].clone(), dup]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].sources.len(), 2);
        assert_eq!(merged[0].record.atlas_gid, Some(5));
    }
}
