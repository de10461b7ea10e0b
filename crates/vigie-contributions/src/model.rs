//! What can be contributed and how a submission is checked (pure: no I/O, no clock — the
//! submission time is passed in).
//!
//! A submission arrives as a JSON object (`POST /api/v1/contributions`) or a form: `kind`
//! plus the kind's fields, every value a string. [`Submission::parse`] checks it field by field
//! and names the first field that is wrong, in French and in English ([`FieldError`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use vigie_slots::Platform;

/// Longest free text (evidence), in characters.
pub const MAX_TEXT: usize = 2000;
/// Longest short value (name, address, field value), in characters.
pub const MAX_SHORT: usize = 300;
/// Longest URL, in bytes.
pub const MAX_URL: usize = 500;

/// A closed set of values with one wire name each (`as_str`, `parse`, `ALL`, serde).
macro_rules! wire_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $variant:ident = $wire:literal,)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[derive(Serialize, Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $wire)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($wire),+].len()] = [$($name::$variant),+];

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }

            /// The value of a wire name.
            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.into_iter().find(|v| v.as_str() == s)
            }
        }
    };
}

wire_enum! {
    /// The kinds of contribution.
    pub enum Kind {
        /// A vaccination place Vigie does not show.
        MissingCentre = "missing_centre",
        /// A field of a centre is wrong (or the centre is closed, or not a vaccination place).
        CentreCorrection = "centre_correction",
        /// Slots shown but impossible to book, or a booking made.
        AvailabilityReport = "availability_report",
        /// A published figure is wrong.
        FigureError = "figure_error",
        /// A dataset Vigie should read.
        DatasetSuggestion = "dataset_suggestion",
    }
}

impl Kind {
    /// French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            Kind::MissingCentre => "Centre manquant",
            Kind::CentreCorrection => "Correction d’un centre",
            Kind::AvailabilityReport => "Signalement de disponibilité",
            Kind::FigureError => "Erreur dans un chiffre",
            Kind::DatasetSuggestion => "Suggestion de jeu de données",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Kind::MissingCentre => "Missing centre",
            Kind::CentreCorrection => "Centre correction",
            Kind::AvailabilityReport => "Availability report",
            Kind::FigureError => "Wrong figure",
            Kind::DatasetSuggestion => "Dataset suggestion",
        }
    }

    /// The fields of the kind (besides `kind`, `email` and the form's anti-abuse fields).
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Kind::MissingCentre => &[
                "name",
                "address",
                "commune",
                "booking_url",
                "phone",
                "platform",
                "evidence",
            ],
            Kind::CentreCorrection => &["centre_id", "field", "value", "evidence"],
            Kind::AvailabilityReport => &["centre_id", "outcome", "seen_at"],
            Kind::FigureError => &["territory", "indicator", "date", "evidence"],
            Kind::DatasetSuggestion => &["url", "evidence"],
        }
    }
}

wire_enum! {
    /// The field a centre correction is about.
    pub enum CentreField {
        Address = "address",
        Phone = "phone",
        Hours = "hours",
        BookingUrl = "booking_url",
        /// The centre is closed (no value).
        Closed = "closed",
        /// The place is not a vaccination place (no value): it goes to the public blocklist.
        NotVaccinationPlace = "not_vaccination_place",
    }
}

impl CentreField {
    /// French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            CentreField::Address => "Adresse",
            CentreField::Phone => "Téléphone",
            CentreField::Hours => "Horaires",
            CentreField::BookingUrl => "Lien de réservation",
            CentreField::Closed => "Le centre est fermé",
            CentreField::NotVaccinationPlace => "Ce n’est pas un lieu de vaccination",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            CentreField::Address => "Address",
            CentreField::Phone => "Phone",
            CentreField::Hours => "Opening hours",
            CentreField::BookingUrl => "Booking link",
            CentreField::Closed => "The centre is closed",
            CentreField::NotVaccinationPlace => "Not a vaccination place",
        }
    }

    /// Whether the correction carries a new value.
    pub fn needs_value(self) -> bool {
        !matches!(self, CentreField::Closed | CentreField::NotVaccinationPlace)
    }
}

wire_enum! {
    /// What an availability report says.
    pub enum Outcome {
        /// « Créneaux affichés mais impossibles à réserver ».
        NotBookable = "not_bookable",
        /// « J’ai pu réserver ».
        Booked = "booked",
    }
}

/// A checked submission: the kind and its fields, typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Submission {
    MissingCentre {
        name: String,
        address: Option<String>,
        /// INSEE code of the commune.
        commune: Option<String>,
        booking_url: Option<String>,
        phone: Option<String>,
        platform: Option<String>,
        evidence: String,
    },
    CentreCorrection {
        centre_id: String,
        field: CentreField,
        value: Option<String>,
        evidence: String,
    },
    AvailabilityReport {
        centre_id: String,
        outcome: Outcome,
        /// When it was seen (seconds since the epoch).
        seen_at: i64,
    },
    FigureError {
        territory: String,
        indicator: String,
        /// `YYYY-MM-DD`.
        date: Option<String>,
        evidence: String,
    },
    DatasetSuggestion {
        url: String,
        evidence: String,
    },
}

/// A submission and what travels beside it (never published).
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    pub submission: Submission,
    /// The contributor's address, to hear of the decision; stored apart, deleted after the
    /// retention.
    pub email: Option<String>,
    /// The name of the centre a centre kind is about, when the caller knows it (it goes into
    /// the public object: « Centre de Privas (doctolib:123) — Téléphone »).
    pub centre_name: Option<String>,
}

/// A field that is wrong, and why (French and English).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {en}")]
pub struct FieldError {
    /// The field (`kind`, `booking_url`, …).
    pub field: String,
    pub fr: String,
    pub en: String,
}

impl FieldError {
    fn new(field: &str, fr: impl Into<String>, en: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_string(),
            fr: fr.into(),
            en: en.into(),
        }
    }

    fn missing(field: &str) -> FieldError {
        FieldError::new(field, "champ obligatoire", "required field")
    }
}

/// What a submission is checked against (the live data), passed in by the caller.
pub trait Known {
    /// Whether a centre id is one of the live scan's (true when there is no scan to check).
    fn centre(&self, id: &str) -> bool;
    /// Whether a territory key is one of the release's.
    fn territory(&self, key: &str) -> bool;
    /// Whether an indicator id is one of the release's.
    fn indicator(&self, id: &str) -> bool;
}

/// Accepts everything (for tests and the command line).
pub struct AnyKnown;

impl Known for AnyKnown {
    fn centre(&self, _: &str) -> bool {
        true
    }
    fn territory(&self, _: &str) -> bool {
        true
    }
    fn indicator(&self, _: &str) -> bool {
        true
    }
}

/// The anti-abuse fields of the forms, accepted (and ignored) by [`Submission::parse`]:
/// the honeypot (`website`, must stay empty) and the form token (`form_token`).
pub const FORM_FIELDS: [&str; 2] = ["website", "form_token"];

/// The fields of a submission as they arrived (JSON strings, or form fields).
pub type RawFields = BTreeMap<String, String>;

/// Reads a JSON object into raw fields: every value must be a string (or null, read as absent).
pub fn raw_from_json(bytes: &[u8]) -> Result<RawFields, FieldError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        FieldError::new(
            "body",
            format!("JSON illisible : {e}"),
            format!("unreadable JSON: {e}"),
        )
    })?;
    let serde_json::Value::Object(map) = value else {
        return Err(FieldError::new(
            "body",
            "un objet JSON est attendu",
            "a JSON object is expected",
        ));
    };
    let mut out = RawFields::new();
    for (k, v) in map {
        match v {
            serde_json::Value::String(s) => {
                out.insert(k, s);
            }
            serde_json::Value::Null => {}
            _ => {
                return Err(FieldError::new(
                    &k,
                    "une chaîne de caractères est attendue",
                    "a string is expected",
                ));
            }
        }
    }
    Ok(out)
}

/// A value, trimmed; empty is absent.
fn get<'a>(raw: &'a RawFields, field: &str) -> Option<&'a str> {
    raw.get(field).map(|s| s.trim()).filter(|s| !s.is_empty())
}

/// A text of at most `max` characters, without control characters other than line breaks
/// and tabs.
fn text(raw: &RawFields, field: &str, max: usize) -> Result<Option<String>, FieldError> {
    let Some(v) = get(raw, field) else {
        return Ok(None);
    };
    if v.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("{max} caractères au plus"),
            format!("at most {max} characters"),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(FieldError::new(
            field,
            "caractères de contrôle refusés",
            "control characters are refused",
        ));
    }
    Ok(Some(v.replace("\r\n", "\n")))
}

fn required(raw: &RawFields, field: &str, max: usize) -> Result<String, FieldError> {
    text(raw, field, max)?.ok_or_else(|| FieldError::missing(field))
}

/// An `http(s)` URL with a host.
fn url(raw: &RawFields, field: &str) -> Result<Option<String>, FieldError> {
    let Some(v) = get(raw, field) else {
        return Ok(None);
    };
    let bad = || {
        FieldError::new(
            field,
            "adresse web attendue (https://…)",
            "a web address is expected (https://…)",
        )
    };
    if v.len() > MAX_URL {
        return Err(FieldError::new(
            field,
            format!("{MAX_URL} caractères au plus"),
            format!("at most {MAX_URL} characters"),
        ));
    }
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty()
        || !host.contains('.')
        || v.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(bad());
    }
    Ok(Some(v.to_string()))
}

/// A French phone number: digits, spaces, dots, dashes, a leading `+`; 4 to 15 digits.
fn phone(raw: &RawFields, field: &str) -> Result<Option<String>, FieldError> {
    let Some(v) = get(raw, field) else {
        return Ok(None);
    };
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let allowed = v
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || " .-()".contains(c) || (c == '+' && i == 0));
    if !allowed || !(4..=15).contains(&digits) {
        return Err(FieldError::new(
            field,
            "numéro de téléphone attendu (01 23 45 67 89)",
            "a phone number is expected",
        ));
    }
    Ok(Some(v.to_string()))
}

/// An INSEE commune code (`07186`, `2A004`, `97411`).
fn commune(raw: &RawFields, field: &str) -> Result<Option<String>, FieldError> {
    let Some(v) = get(raw, field) else {
        return Ok(None);
    };
    let v = v.to_ascii_uppercase();
    let ok = v.len() == 5
        && v.chars().enumerate().all(|(i, c)| {
            c.is_ascii_digit() || (i == 1 && (c == 'A' || c == 'B') && v.starts_with('2'))
        });
    if !ok {
        return Err(FieldError::new(
            field,
            "code INSEE de commune attendu (5 caractères, par exemple 07186)",
            "an INSEE commune code is expected (5 characters, e.g. 07186)",
        ));
    }
    if vigie_finder::Places::embedded()
        .ok()
        .is_some_and(|p| p.commune(&v).is_none())
    {
        return Err(FieldError::new(
            field,
            format!("commune inconnue : {v}"),
            format!("unknown commune: {v}"),
        ));
    }
    Ok(Some(v))
}

/// A short identifier (centre id, territory key, indicator id): printable ASCII without spaces.
fn ident(raw: &RawFields, field: &str) -> Result<String, FieldError> {
    let v = get(raw, field).ok_or_else(|| FieldError::missing(field))?;
    if v.len() > 200 || !v.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(FieldError::new(
            field,
            "identifiant invalide",
            "invalid identifier",
        ));
    }
    Ok(v.to_string())
}

/// A plausible e-mail address.
fn email(raw: &RawFields) -> Result<Option<String>, FieldError> {
    let Some(v) = get(raw, "email") else {
        return Ok(None);
    };
    let ok = v.len() <= 254
        && v.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
        })
        && !v.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        return Err(FieldError::new(
            "email",
            "adresse électronique invalide",
            "invalid e-mail address",
        ));
    }
    Ok(Some(v.to_string()))
}

/// Reads a date and time: RFC 3339 (`2026-12-03T10:30:00+01:00`) or the form's local
/// `YYYY-MM-DDTHH:MM` (Paris time).
fn instant(v: &str) -> Option<i64> {
    if let Ok(t) = v.parse::<jiff::Timestamp>() {
        return Some(t.as_second());
    }
    let dt = v.parse::<jiff::civil::DateTime>().ok()?;
    let zoned = dt.in_tz("Europe/Paris").ok()?;
    Some(zoned.timestamp().as_second())
}

impl Submission {
    /// Checks raw fields submitted at `now` (seconds): the first wrong field is named.
    /// Unknown fields are refused (a misspelt field would otherwise be lost silently).
    pub fn parse(raw: &RawFields, now: i64, known: &dyn Known) -> Result<Incoming, FieldError> {
        let kind_name = get(raw, "kind").ok_or_else(|| FieldError::missing("kind"))?;
        let kind = Kind::parse(kind_name).ok_or_else(|| {
            let all = Kind::ALL.map(Kind::as_str).join(", ");
            FieldError::new(
                "kind",
                format!("type inconnu « {kind_name} » (attendu : {all})"),
                format!("unknown kind \"{kind_name}\" (expected: {all})"),
            )
        })?;
        for key in raw.keys() {
            let known_field = key == "kind"
                || key == "email"
                || FORM_FIELDS.contains(&key.as_str())
                || kind.fields().contains(&key.as_str());
            if !known_field {
                return Err(FieldError::new(
                    key,
                    format!("champ inconnu pour {}", kind.as_str()),
                    format!("unknown field for {}", kind.as_str()),
                ));
            }
        }
        let submission = match kind {
            Kind::MissingCentre => {
                let name = required(raw, "name", MAX_SHORT)?;
                let address = text(raw, "address", MAX_SHORT)?;
                let commune = commune(raw, "commune")?;
                let booking_url = url(raw, "booking_url")?;
                let phone = phone(raw, "phone")?;
                let platform = match get(raw, "platform") {
                    None => None,
                    Some(p) => {
                        let p = p.to_ascii_lowercase();
                        if Platform::ALL.iter().any(|x| x.slug() == p) || p == "autre" {
                            Some(p)
                        } else {
                            let all = Platform::ALL.map(|x| x.slug()).join(", ");
                            return Err(FieldError::new(
                                "platform",
                                format!("plateforme inconnue (attendu : {all} ou autre)"),
                                format!("unknown platform (expected: {all} or autre)"),
                            ));
                        }
                    }
                };
                let evidence = required(raw, "evidence", MAX_TEXT)?;
                if address.is_none() && commune.is_none() {
                    return Err(FieldError::new(
                        "commune",
                        "indiquez la commune ou l’adresse",
                        "give the commune or the address",
                    ));
                }
                if booking_url.is_none() && phone.is_none() {
                    return Err(FieldError::new(
                        "booking_url",
                        "indiquez le lien de réservation ou le téléphone",
                        "give the booking link or the phone number",
                    ));
                }
                Submission::MissingCentre {
                    name,
                    address,
                    commune,
                    booking_url,
                    phone,
                    platform,
                    evidence,
                }
            }
            Kind::CentreCorrection => {
                let centre_id = ident(raw, "centre_id")?;
                if !known.centre(&centre_id) {
                    return Err(FieldError::new(
                        "centre_id",
                        "centre inconnu",
                        "unknown centre",
                    ));
                }
                let field_name = get(raw, "field").ok_or_else(|| FieldError::missing("field"))?;
                let field = CentreField::parse(field_name).ok_or_else(|| {
                    let all = CentreField::ALL.map(CentreField::as_str).join(", ");
                    FieldError::new(
                        "field",
                        format!("champ inconnu (attendu : {all})"),
                        format!("unknown field (expected: {all})"),
                    )
                })?;
                let value = if field.needs_value() {
                    let v = required(raw, "value", MAX_SHORT)?;
                    let mut one = RawFields::new();
                    one.insert("value".into(), v.clone());
                    match field {
                        CentreField::BookingUrl => url(&one, "value")?,
                        CentreField::Phone => phone(&one, "value")?,
                        _ => Some(v),
                    }
                } else {
                    text(raw, "value", MAX_SHORT)?
                };
                let evidence = required(raw, "evidence", MAX_TEXT)?;
                Submission::CentreCorrection {
                    centre_id,
                    field,
                    value,
                    evidence,
                }
            }
            Kind::AvailabilityReport => {
                let centre_id = ident(raw, "centre_id")?;
                if !known.centre(&centre_id) {
                    return Err(FieldError::new(
                        "centre_id",
                        "centre inconnu",
                        "unknown centre",
                    ));
                }
                let outcome = match get(raw, "outcome") {
                    Some("not_bookable") => Outcome::NotBookable,
                    Some("booked") => Outcome::Booked,
                    Some(_) => {
                        return Err(FieldError::new(
                            "outcome",
                            "attendu : not_bookable ou booked",
                            "expected: not_bookable or booked",
                        ));
                    }
                    None => return Err(FieldError::missing("outcome")),
                };
                let seen_at = match get(raw, "seen_at") {
                    None => now,
                    Some(v) => instant(v).ok_or_else(|| {
                        FieldError::new(
                            "seen_at",
                            "date et heure attendues (2026-12-03T10:30)",
                            "a date and time is expected (2026-12-03T10:30)",
                        )
                    })?,
                };
                if seen_at > now + 600 {
                    return Err(FieldError::new(
                        "seen_at",
                        "date dans le futur",
                        "date in the future",
                    ));
                }
                if seen_at < now - 7 * 86_400 {
                    return Err(FieldError::new(
                        "seen_at",
                        "plus de 7 jours : trop ancien pour dire la disponibilité",
                        "older than 7 days: too old to tell availability",
                    ));
                }
                Submission::AvailabilityReport {
                    centre_id,
                    outcome,
                    seen_at,
                }
            }
            Kind::FigureError => {
                let territory = ident(raw, "territory")?;
                if !known.territory(&territory) {
                    return Err(FieldError::new(
                        "territory",
                        "territoire inconnu",
                        "unknown territory",
                    ));
                }
                let indicator = ident(raw, "indicator")?;
                if !known.indicator(&indicator) {
                    return Err(FieldError::new(
                        "indicator",
                        "indicateur inconnu",
                        "unknown indicator",
                    ));
                }
                let date = match get(raw, "date") {
                    None => None,
                    Some(d) => Some(
                        d.parse::<jiff::civil::Date>()
                            .map_err(|_| {
                                FieldError::new(
                                    "date",
                                    "date attendue (AAAA-MM-JJ)",
                                    "a date is expected (YYYY-MM-DD)",
                                )
                            })?
                            .to_string(),
                    ),
                };
                let evidence = required(raw, "evidence", MAX_TEXT)?;
                Submission::FigureError {
                    territory,
                    indicator,
                    date,
                    evidence,
                }
            }
            Kind::DatasetSuggestion => {
                let url = url(raw, "url")?.ok_or_else(|| FieldError::missing("url"))?;
                let evidence = required(raw, "evidence", MAX_TEXT)?;
                Submission::DatasetSuggestion { url, evidence }
            }
        };
        Ok(Incoming {
            submission,
            email: email(raw)?,
            centre_name: None,
        })
    }

    /// The kind.
    pub fn kind(&self) -> Kind {
        match self {
            Submission::MissingCentre { .. } => Kind::MissingCentre,
            Submission::CentreCorrection { .. } => Kind::CentreCorrection,
            Submission::AvailabilityReport { .. } => Kind::AvailabilityReport,
            Submission::FigureError { .. } => Kind::FigureError,
            Submission::DatasetSuggestion { .. } => Kind::DatasetSuggestion,
        }
    }

    /// What the submission is about, as the public register shows it (in French, no personal
    /// data): the centre's name (when known) and id with the field or what was seen, the
    /// territory, indicator and date, the place's name and commune, the suggested site's host.
    pub fn object(&self, centre_name: Option<&str>) -> String {
        let centre = |id: &str| match centre_name {
            Some(n) => format!("{n} ({id})"),
            None => id.to_string(),
        };
        match self {
            Submission::MissingCentre { name, commune, .. } => {
                let place = commune
                    .as_deref()
                    .and_then(|c| vigie_finder::Places::embedded().ok()?.commune(c))
                    .map(|p| format!(" ({})", p.name));
                format!("{name}{}", place.unwrap_or_default())
            }
            Submission::CentreCorrection {
                centre_id, field, ..
            } => format!("{} — {}", centre(centre_id), field.label_fr()),
            Submission::AvailabilityReport {
                centre_id, outcome, ..
            } => format!(
                "{} — {}",
                centre(centre_id),
                match outcome {
                    Outcome::NotBookable => "créneaux affichés mais impossibles à réserver",
                    Outcome::Booked => "rendez-vous réservé",
                }
            ),
            Submission::FigureError {
                territory,
                indicator,
                date,
                ..
            } => match date {
                Some(d) => format!("{territory} · {indicator}, au {d}"),
                None => format!("{territory} · {indicator}"),
            },
            Submission::DatasetSuggestion { url, .. } => host(url).to_string(),
        }
    }

    /// The thread key: submissions about the same thing (same centre and field, same booking
    /// URL, same figure, same suggested URL) are grouped into one thread.
    pub fn thread(&self) -> String {
        match self {
            Submission::MissingCentre {
                name,
                commune,
                booking_url,
                ..
            } => match booking_url {
                Some(u) => format!("url:{}", vigie_slots::centres::url_key(u)),
                None => format!("place:{}:{}", commune.as_deref().unwrap_or(""), fold(name)),
            },
            Submission::CentreCorrection {
                centre_id, field, ..
            } => format!("centre:{centre_id}:{}", field.as_str()),
            Submission::AvailabilityReport { centre_id, .. } => {
                format!("centre:{centre_id}:availability")
            }
            Submission::FigureError {
                territory,
                indicator,
                date,
                ..
            } => format!(
                "figure:{territory}:{indicator}:{}",
                date.as_deref().unwrap_or("")
            ),
            Submission::DatasetSuggestion { url, .. } => {
                format!("url:{}", vigie_slots::centres::url_key(url))
            }
        }
    }

    /// The centre the submission is about, if any.
    pub fn centre_id(&self) -> Option<&str> {
        match self {
            Submission::CentreCorrection { centre_id, .. }
            | Submission::AvailabilityReport { centre_id, .. } => Some(centre_id),
            _ => None,
        }
    }

    /// The department the submission is about, when it says (`centre_department` gives a
    /// centre's).
    pub fn department(&self, centre_department: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        match self {
            Submission::MissingCentre {
                commune, address, ..
            } => commune
                .as_deref()
                .and_then(vigie_slots::centres::department_of_insee)
                .or_else(|| {
                    address
                        .as_deref()
                        .and_then(vigie_slots::centres::postcode_and_city)
                        .and_then(|(pc, _)| vigie_slots::centres::department_of_postcode(&pc))
                }),
            Submission::CentreCorrection { centre_id, .. }
            | Submission::AvailabilityReport { centre_id, .. } => centre_department(centre_id),
            Submission::FigureError { territory, .. } => {
                territory.strip_prefix("DEP-").map(str::to_string)
            }
            Submission::DatasetSuggestion { .. } => None,
        }
    }

    /// The contributor's evidence, if the kind has one.
    pub fn evidence(&self) -> Option<&str> {
        match self {
            Submission::MissingCentre { evidence, .. }
            | Submission::CentreCorrection { evidence, .. }
            | Submission::FigureError { evidence, .. }
            | Submission::DatasetSuggestion { evidence, .. } => Some(evidence),
            Submission::AvailabilityReport { .. } => None,
        }
    }

    /// Whether accepting it changes live data (centres, blocklist, errata): these may need a
    /// second approval.
    pub fn changes_live_data(&self) -> bool {
        matches!(
            self.kind(),
            Kind::MissingCentre | Kind::CentreCorrection | Kind::FigureError
        )
    }
}

/// The host of a URL (`https://www.data.gouv.fr/x` → `www.data.gouv.fr`).
pub fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

/// Lower case, letters and digits only (for grouping names).
fn fold(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

wire_enum! {
    /// A moderator's decision.
    pub enum Decision {
        Accept = "accept",
        Reject = "reject",
        /// The same thing was already reported: grouped with the thread's first contribution.
        Duplicate = "duplicate",
        /// The moderator needs more information (the contribution stays open).
        NeedInfo = "need_info",
    }
}

wire_enum! {
    /// Where a contribution stands.
    pub enum Status {
        /// Waiting for a moderator.
        Pending = "pending",
        /// Accepted once; waits for a second moderator (when second approvals are required).
        AwaitingSecondApproval = "awaiting_second_approval",
        Accepted = "accepted",
        Rejected = "rejected",
        Duplicate = "duplicate",
        NeedInfo = "need_info",
    }
}

impl Status {
    /// French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            Status::Pending => "en attente de modération",
            Status::AwaitingSecondApproval => "en attente d’une seconde validation",
            Status::Accepted => "acceptée",
            Status::Rejected => "refusée",
            Status::Duplicate => "doublon",
            Status::NeedInfo => "informations demandées",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Status::Pending => "awaiting moderation",
            Status::AwaitingSecondApproval => "awaiting a second approval",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
            Status::Duplicate => "duplicate",
            Status::NeedInfo => "more information requested",
        }
    }

    /// Whether a moderator has decided (the register shows it).
    pub fn is_decided(self) -> bool {
        matches!(
            self,
            Status::Accepted | Status::Rejected | Status::Duplicate | Status::NeedInfo
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> RawFields {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const NOW: i64 = 1_796_000_000;

    #[test]
    fn missing_centre_needs_a_place_and_a_way_to_book() {
        let base = [
            ("kind", "missing_centre"),
            ("name", "Pharmacie du Centre"),
            ("evidence", "J’y ai été vacciné hier"),
        ];
        let e = Submission::parse(&raw(&base), NOW, &AnyKnown).unwrap_err();
        assert_eq!(e.field, "commune");
        let mut with_place = base.to_vec();
        with_place.push(("commune", "07186"));
        let e = Submission::parse(&raw(&with_place), NOW, &AnyKnown).unwrap_err();
        assert_eq!(e.field, "booking_url");
        with_place.push((
            "booking_url",
            "https://www.doctolib.fr/centre-de-sante/privas/x",
        ));
        let ok = Submission::parse(&raw(&with_place), NOW, &AnyKnown).unwrap();
        assert_eq!(ok.submission.kind(), Kind::MissingCentre);
        assert_eq!(ok.submission.object(None), "Pharmacie du Centre (Privas)");
        assert_eq!(ok.submission.department(&|_| None).as_deref(), Some("07"));
    }

    #[test]
    fn wrong_fields_are_named() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("kind", "nope")], "kind"),
            (&[], "kind"),
            (
                &[
                    ("kind", "dataset_suggestion"),
                    ("url", "javascript:alert(1)"),
                    ("evidence", "x"),
                ],
                "url",
            ),
            (
                &[
                    ("kind", "dataset_suggestion"),
                    ("url", "https://data.gouv.fr/x"),
                    ("evidence", "x"),
                    ("colour", "x"),
                ],
                "colour",
            ),
            (
                &[
                    ("kind", "dataset_suggestion"),
                    ("url", "https://data.gouv.fr/x"),
                    ("evidence", "x"),
                    ("email", "not-an-email"),
                ],
                "email",
            ),
            (
                &[
                    ("kind", "missing_centre"),
                    ("name", "X"),
                    ("commune", "99999"),
                    ("phone", "0102030405"),
                    ("evidence", "x"),
                ],
                "commune",
            ),
            (
                &[
                    ("kind", "centre_correction"),
                    ("centre_id", "doctolib:1"),
                    ("field", "colour"),
                    ("evidence", "x"),
                ],
                "field",
            ),
            (
                &[
                    ("kind", "centre_correction"),
                    ("centre_id", "doctolib:1"),
                    ("field", "phone"),
                    ("value", "call me"),
                    ("evidence", "x"),
                ],
                "value",
            ),
            (
                &[
                    ("kind", "availability_report"),
                    ("centre_id", "doctolib:1"),
                    ("outcome", "maybe"),
                ],
                "outcome",
            ),
            (
                &[
                    ("kind", "availability_report"),
                    ("centre_id", "doctolib:1"),
                    ("outcome", "booked"),
                    ("seen_at", "2099-01-01T10:00:00Z"),
                ],
                "seen_at",
            ),
            (
                &[
                    ("kind", "figure_error"),
                    ("territory", "DEP-07"),
                    ("indicator", "cases"),
                    ("date", "2021-13-01"),
                    ("evidence", "x"),
                ],
                "date",
            ),
        ];
        for (pairs, field) in cases {
            let e = Submission::parse(&raw(pairs), NOW, &AnyKnown).unwrap_err();
            assert_eq!(&e.field, field, "{pairs:?}: {e}");
            assert!(!e.fr.is_empty());
        }
    }

    #[test]
    fn long_and_control_texts_are_refused() {
        let long = "x".repeat(MAX_TEXT + 1);
        let e = Submission::parse(
            &raw(&[
                ("kind", "dataset_suggestion"),
                ("url", "https://a.fr"),
                ("evidence", &long),
            ]),
            NOW,
            &AnyKnown,
        )
        .unwrap_err();
        assert_eq!(e.field, "evidence");
        let e = Submission::parse(
            &raw(&[
                ("kind", "dataset_suggestion"),
                ("url", "https://a.fr"),
                ("evidence", "a\u{0}b"),
            ]),
            NOW,
            &AnyKnown,
        )
        .unwrap_err();
        assert_eq!(e.field, "evidence");
    }

    #[test]
    fn threads_group_the_same_thing() {
        let a = Submission::parse(
            &raw(&[
                ("kind", "missing_centre"),
                ("name", "Centre A"),
                ("commune", "07186"),
                (
                    "booking_url",
                    "https://www.doctolib.fr/centre-de-sante/privas/centre-a?pid=1",
                ),
                ("evidence", "x"),
            ]),
            NOW,
            &AnyKnown,
        )
        .unwrap();
        let b = Submission::parse(
            &raw(&[
                ("kind", "missing_centre"),
                ("name", "centre a (Privas)"),
                ("commune", "07186"),
                (
                    "booking_url",
                    "https://www.doctolib.fr/centre-de-sante/privas/centre-a?pid=1",
                ),
                ("evidence", "y"),
            ]),
            NOW,
            &AnyKnown,
        )
        .unwrap();
        assert_eq!(a.submission.thread(), b.submission.thread());
    }

    #[test]
    fn json_values_must_be_strings() {
        assert_eq!(raw_from_json(b"{\"kind\": 3}").unwrap_err().field, "kind");
        assert_eq!(raw_from_json(b"[]").unwrap_err().field, "body");
        assert_eq!(raw_from_json(b"{").unwrap_err().field, "body");
        let r = raw_from_json(b"{\"kind\": \"figure_error\", \"email\": null}").unwrap();
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn seen_at_reads_local_form_times_in_paris() {
        // 2026-12-03T10:30 in Paris is 09:30 UTC.
        let t = instant("2026-12-03T10:30").unwrap();
        assert_eq!(t, instant("2026-12-03T09:30:00Z").unwrap());
    }
}
