//! Demo vaccination centres with slots, in official formats, replayable through the real
//! scanner:
//!
//! * a centre list in the data.gouv "lieux de vaccination" CSV format (`;`-separated, the
//!   columns of the 2021 official file followed by ViteMaDose's `type` and `platform_is`):
//!   four centres per department (404 in all) around the prefecture, spread over the three
//!   platforms whose flow is one GET per centre (Bimedoc, Valwin, mesoigner);
//! * a recording for `--replay`: `exchanges.jsonl`, one JSON object per line with `method`,
//!   `url`, `status` and `response` (inline JSON), answering exactly the requests the
//!   `vigie_slots` connectors make for the given start date: plausible slots over the next
//!   [`DEFAULT_DAYS`] days, some centres without slots, a few platform errors.
//!
//! How the scanner finds a centre's platform id in the list: `platform_is` names the platform;
//! for Bimedoc the id is `gid` without its `bimedoc` prefix (as in ViteMaDose's centre lists),
//! for Valwin and mesoigner it is `gid` itself. `rdv_site_web` is the booking URL,
//! always under `https://rendez-vous.demo.invalid/<platform>/…` ([`crate::DEMO_BOOKING_HOST`]:
//! the `.invalid` domain is reserved, a demonstration link leads nowhere real); the Bimedoc
//! scheduler id is its last path segment, as in the real `app.bimedoc.com` links.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use serde_json::{Value, json};
use vigie_core::reference;
use vigie_slots::platforms::{bimedoc, mesoigner, valwin};
use vigie_slots::time::zone_for_department;
use vigie_slots::{DEFAULT_DAYS, Platform};

use crate::{DEMO_BOOKING_HOST, Rng};

/// File name of the centre list inside the directory given to [`write_demo_centres`].
pub const CENTRES_CSV: &str = "centres-vaccination-demo.csv";
/// Directory name of the recording inside that directory.
pub const RECORDING_DIR: &str = "recording";
/// File name of the exchanges inside the recording directory.
pub const EXCHANGES: &str = "exchanges.jsonl";

/// Centres per department.
const PER_DEPARTMENT: usize = 4;

/// Prefecture of each department: code, INSEE code, postcode, name, latitude, longitude.
/// Hand-typed public facts (coordinates of the town centre, about 100 m).
const PREFECTURES: [(&str, &str, &str, &str, f64, f64); 101] = [
    ("01", "01053", "01000", "Bourg-en-Bresse", 46.205, 5.226),
    ("02", "02408", "02000", "Laon", 49.564, 3.620),
    ("03", "03190", "03000", "Moulins", 46.566, 3.333),
    ("04", "04070", "04000", "Digne-les-Bains", 44.092, 6.236),
    ("05", "05061", "05000", "Gap", 44.559, 6.079),
    ("06", "06088", "06000", "Nice", 43.710, 7.262),
    ("07", "07186", "07000", "Privas", 44.735, 4.599),
    (
        "08",
        "08105",
        "08000",
        "Charleville-Mézières",
        49.773,
        4.720,
    ),
    ("09", "09122", "09000", "Foix", 42.965, 1.607),
    ("10", "10387", "10000", "Troyes", 48.297, 4.074),
    ("11", "11069", "11000", "Carcassonne", 43.213, 2.351),
    ("12", "12202", "12000", "Rodez", 44.350, 2.575),
    ("13", "13055", "13001", "Marseille", 43.296, 5.370),
    ("14", "14118", "14000", "Caen", 49.183, -0.371),
    ("15", "15014", "15000", "Aurillac", 44.926, 2.440),
    ("16", "16015", "16000", "Angoulême", 45.648, 0.156),
    ("17", "17300", "17000", "La Rochelle", 46.160, -1.151),
    ("18", "18033", "18000", "Bourges", 47.081, 2.399),
    ("19", "19272", "19000", "Tulle", 45.267, 1.771),
    ("2A", "2A004", "20000", "Ajaccio", 41.919, 8.739),
    ("2B", "2B033", "20200", "Bastia", 42.697, 9.451),
    ("21", "21231", "21000", "Dijon", 47.322, 5.041),
    ("22", "22278", "22000", "Saint-Brieuc", 48.514, -2.765),
    ("23", "23096", "23000", "Guéret", 46.171, 1.871),
    ("24", "24322", "24000", "Périgueux", 45.184, 0.721),
    ("25", "25056", "25000", "Besançon", 47.238, 6.024),
    ("26", "26362", "26000", "Valence", 44.933, 4.892),
    ("27", "27229", "27000", "Évreux", 49.024, 1.151),
    ("28", "28085", "28000", "Chartres", 48.446, 1.489),
    ("29", "29232", "29000", "Quimper", 47.996, -4.102),
    ("30", "30189", "30000", "Nîmes", 43.837, 4.360),
    ("31", "31555", "31000", "Toulouse", 43.605, 1.444),
    ("32", "32013", "32000", "Auch", 43.646, 0.586),
    ("33", "33063", "33000", "Bordeaux", 44.838, -0.579),
    ("34", "34172", "34000", "Montpellier", 43.611, 3.877),
    ("35", "35238", "35000", "Rennes", 48.117, -1.678),
    ("36", "36044", "36000", "Châteauroux", 46.811, 1.691),
    ("37", "37261", "37000", "Tours", 47.394, 0.685),
    ("38", "38185", "38000", "Grenoble", 45.188, 5.724),
    ("39", "39300", "39000", "Lons-le-Saunier", 46.675, 5.555),
    ("40", "40192", "40000", "Mont-de-Marsan", 43.890, -0.500),
    ("41", "41018", "41000", "Blois", 47.586, 1.336),
    ("42", "42218", "42000", "Saint-Étienne", 45.440, 4.387),
    ("43", "43157", "43000", "Le Puy-en-Velay", 45.043, 3.885),
    ("44", "44109", "44000", "Nantes", 47.218, -1.554),
    ("45", "45234", "45000", "Orléans", 47.903, 1.909),
    ("46", "46042", "46000", "Cahors", 44.448, 1.441),
    ("47", "47001", "47000", "Agen", 44.203, 0.616),
    ("48", "48095", "48000", "Mende", 44.518, 3.501),
    ("49", "49007", "49000", "Angers", 47.478, -0.563),
    ("50", "50502", "50000", "Saint-Lô", 49.116, -1.091),
    (
        "51",
        "51108",
        "51000",
        "Châlons-en-Champagne",
        48.957,
        4.363,
    ),
    ("52", "52121", "52000", "Chaumont", 48.111, 5.139),
    ("53", "53130", "53000", "Laval", 48.073, -0.770),
    ("54", "54395", "54000", "Nancy", 48.692, 6.184),
    ("55", "55029", "55000", "Bar-le-Duc", 48.773, 5.160),
    ("56", "56260", "56000", "Vannes", 47.658, -2.760),
    ("57", "57463", "57000", "Metz", 49.119, 6.176),
    ("58", "58194", "58000", "Nevers", 46.990, 3.159),
    ("59", "59350", "59000", "Lille", 50.629, 3.057),
    ("60", "60057", "60000", "Beauvais", 49.430, 2.081),
    ("61", "61001", "61000", "Alençon", 48.432, 0.091),
    ("62", "62041", "62000", "Arras", 50.291, 2.777),
    ("63", "63113", "63000", "Clermont-Ferrand", 45.778, 3.087),
    ("64", "64445", "64000", "Pau", 43.295, -0.371),
    ("65", "65440", "65000", "Tarbes", 43.233, 0.078),
    ("66", "66136", "66000", "Perpignan", 42.699, 2.895),
    ("67", "67482", "67000", "Strasbourg", 48.573, 7.752),
    ("68", "68066", "68000", "Colmar", 48.079, 7.358),
    ("69", "69123", "69001", "Lyon", 45.764, 4.836),
    ("70", "70550", "70000", "Vesoul", 47.622, 6.156),
    ("71", "71270", "71000", "Mâcon", 46.307, 4.828),
    ("72", "72181", "72000", "Le Mans", 48.006, 0.199),
    ("73", "73065", "73000", "Chambéry", 45.564, 5.918),
    ("74", "74010", "74000", "Annecy", 45.899, 6.129),
    ("75", "75056", "75001", "Paris", 48.857, 2.352),
    ("76", "76540", "76000", "Rouen", 49.443, 1.099),
    ("77", "77288", "77000", "Melun", 48.540, 2.660),
    ("78", "78646", "78000", "Versailles", 48.805, 2.130),
    ("79", "79191", "79000", "Niort", 46.324, -0.465),
    ("80", "80021", "80000", "Amiens", 49.894, 2.296),
    ("81", "81004", "81000", "Albi", 43.929, 2.148),
    ("82", "82121", "82000", "Montauban", 44.018, 1.355),
    ("83", "83137", "83000", "Toulon", 43.124, 5.928),
    ("84", "84007", "84000", "Avignon", 43.949, 4.806),
    ("85", "85191", "85000", "La Roche-sur-Yon", 46.670, -1.426),
    ("86", "86194", "86000", "Poitiers", 46.580, 0.340),
    ("87", "87085", "87000", "Limoges", 45.834, 1.262),
    ("88", "88160", "88000", "Épinal", 48.173, 6.451),
    ("89", "89024", "89000", "Auxerre", 47.798, 3.567),
    ("90", "90010", "90000", "Belfort", 47.640, 6.863),
    ("91", "91228", "91000", "Évry-Courcouronnes", 48.629, 2.441),
    ("92", "92050", "92000", "Nanterre", 48.892, 2.207),
    ("93", "93008", "93000", "Bobigny", 48.908, 2.439),
    ("94", "94028", "94000", "Créteil", 48.790, 2.455),
    ("95", "95127", "95000", "Cergy", 49.036, 2.076),
    ("971", "97105", "97100", "Basse-Terre", 15.998, -61.726),
    ("972", "97209", "97200", "Fort-de-France", 14.616, -61.059),
    ("973", "97302", "97300", "Cayenne", 4.922, -52.313),
    ("974", "97411", "97400", "Saint-Denis", -20.882, 55.450),
    ("976", "97611", "97600", "Mamoudzou", -12.781, 45.228),
];

const NAMES: [&str; 8] = [
    "Pharmacie du Centre",
    "Pharmacie de la Gare",
    "Pharmacie des Halles",
    "Pharmacie de la Mairie",
    "Grande Pharmacie",
    "Pharmacie du Marché",
    "Pharmacie de l'Hôtel de Ville",
    "Pharmacie des Remparts",
];

const STREETS: [&str; 8] = [
    "Rue de la République",
    "Avenue du Général de Gaulle",
    "Place de la Mairie",
    "Rue Victor Hugo",
    "Boulevard Jean Jaurès",
    "Rue Nationale",
    "Avenue de la Gare",
    "Rue Pasteur",
];

/// Official header of the data.gouv list (2021), then ViteMaDose's `type` and `platform_is`.
const HEADER: &str = "gid;nom;xy_precis;id_adr;adr_num;adr_voie;com_cp;com_insee;com_nom;\
lat_coor1;long_coor1;structure_siren;structure_type;structure_rais;structure_num;\
structure_voie;structure_cp;structure_insee;structure_com;_edit_datemaj;lieu_accessibilite;\
rdv_lundi;rdv_mardi;rdv_mercredi;rdv_jeudi;rdv_vendredi;rdv_samedi;rdv_dimanche;lieu_tel;rdv;\
date_fermeture;date_ouverture;rdv_site_web;rdv_tel;rdv_modalites;\
rdv_consultation_prevaccination;type;platform_is";

/// A demo failure.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("time zone of department {department}: {source}")]
    TimeZone {
        department: String,
        #[source]
        source: vigie_slots::SlotError,
    },
    #[error("local time {time} in department {department}: {reason}")]
    Time {
        department: String,
        time: String,
        reason: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("serialising an exchange: {0}")]
    Json(#[from] serde_json::Error),
}

/// One demo centre, as the list describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoCentre {
    /// `gid` column.
    pub gid: String,
    pub name: String,
    pub platform: Platform,
    /// The platform's id (see the module documentation for how it is derived from `gid`).
    pub platform_id: String,
    pub department: String,
    pub booking_url: String,
    /// Bookable places the recording offers in the window (0: none or a platform error).
    pub places: u32,
    /// The recording answers this centre with an HTTP error.
    pub error: bool,
}

/// One recorded request and its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedExchange {
    pub method: &'static str,
    pub url: String,
    pub status: u16,
    pub response: Value,
}

/// Everything [`write_demo_centres`] writes, in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct CentresData {
    pub centres: Vec<DemoCentre>,
    /// The centre list (UTF-8, `;`, `\n`).
    pub csv: String,
    pub exchanges: Vec<RecordedExchange>,
}

/// Paths written by [`write_demo_centres`].
#[derive(Debug, Clone, PartialEq)]
pub struct DemoCentres {
    /// The centre list (`<dir>/centres-vaccination-demo.csv`).
    pub centres_csv: PathBuf,
    /// The recording directory (`<dir>/recording`, holding `exchanges.jsonl`).
    pub recording_dir: PathBuf,
    /// Number of centres in the list.
    pub centres: usize,
}

/// Deterministic hexadecimal id in the UUID layout.
fn uuid(rng: &mut Rng) -> String {
    let mut h = |bits: u32| (rng.next() * f64::from(1u32 << bits.min(31))) as u64;
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:06x}{:06x}",
        h(31) & 0xffff_ffff,
        h(16),
        h(12),
        h(12),
        h(24),
        h(24)
    )
}

fn slug(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .map(vigie_core::territory::fold_name)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The demo centres and their recording for a scan starting on `today` (pure).
pub fn demo_centres(today: Date) -> Result<CentresData, DemoError> {
    let r = reference();
    // The date is mixed into the seed: another day gives other slots (still deterministic).
    let stamp =
        i64::from(today.year()) * 10_000 + i64::from(today.month()) * 100 + i64::from(today.day());
    let mut rng =
        Rng((0xce27_7e55_5107_5000 ^ (stamp as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1);
    rng.next();
    let mut centres = Vec::new();
    let mut csv = String::from(HEADER);
    csv.push('\n');
    let mut exchanges = Vec::new();
    let mut n = 0usize;
    for &(dep, insee, cp, commune, lat, lon) in &PREFECTURES {
        // Only departments the reference knows (all 101 are).
        if r.department(dep).is_err() {
            continue;
        }
        let tz = zone_for_department(Some(dep)).map_err(|source| DemoError::TimeZone {
            department: dep.to_string(),
            source,
        })?;
        for k in 0..PER_DEPARTMENT {
            n += 1;
            let platform = [Platform::Bimedoc, Platform::Valwin, Platform::Mesoigner][n % 3];
            // Four different names per department (n advances with k).
            let name = format!("{} ({commune})", NAMES[(n * 5) % NAMES.len()]);
            let street = STREETS[(n * 3) % STREETS.len()];
            let number = 1 + (rng.next() * 120.0) as u32;
            let clat = lat + (rng.next() - 0.5) * 0.03;
            let clon = lon + (rng.next() - 0.5) * 0.04;
            let phone = format!(
                "+33{}{:08}",
                match dep {
                    "971" | "972" | "973" => 5,
                    "974" | "976" => 2,
                    _ => 1 + (n % 5),
                },
                (rng.next() * 1e8) as u64
            );
            let (gid, platform_id, booking_url, platform_is) = match platform {
                Platform::Bimedoc => {
                    let id = uuid(&mut rng);
                    (
                        format!("bimedoc{id}"),
                        id.clone(),
                        format!("https://{DEMO_BOOKING_HOST}/bimedoc/{id}"),
                        "bimedoc",
                    )
                }
                Platform::Valwin => {
                    let id = uuid(&mut rng);
                    let site = format!("https://{DEMO_BOOKING_HOST}/valwin/{}-{}", slug(&name), n);
                    (id.clone(), id, site, "Valwin")
                }
                _ => {
                    let id = (1000 + n).to_string();
                    let site =
                        format!("https://{DEMO_BOOKING_HOST}/mesoigner/{}/{id}", slug(&name));
                    (id.clone(), id, site, "mesoigner")
                }
            };
            let _ = writeln!(
                csv,
                "{gid};{name};1;{insee}_demo_{n:05};{number};{street};{cp};{insee};{commune};\
{clat:.5};{clon:.5};;;;;;;;;;;09h-12h 14h-18h;09h-12h 14h-18h;09h-12h 14h-18h;\
09h-12h 14h-18h;09h-12h 14h-18h;09h-12h;fermé;{phone};t;;;{booking_url};{phone};\
Données de démonstration;;drugstore;{platform_is}"
            );
            // What the centre offers: 1 in 7 nothing, 1 in 45 a platform error; the first
            // centre of each department always has slots, whatever the day (a search near any
            // prefecture finds one).
            let roll = rng.next();
            let error = k > 0 && n % 45 == 17;
            let empty = !error && k > 0 && roll < 1.0 / 7.0;
            let (response, places) = if error || empty {
                (empty_response(platform), 0)
            } else {
                let slots = local_slots(today, &mut rng);
                let (mut doc, places) = response(platform, &slots, &tz, &booking_url, dep)?;
                if platform == Platform::Bimedoc
                    && let Value::Object(map) = &mut doc
                {
                    // The pharmacy part of Bimedoc's document.
                    map.insert("id".into(), json!(platform_id));
                    map.insert("name".into(), json!(name));
                    map.insert("coordinates".into(), json!([clon, clat]));
                    map.insert("street".into(), json!(format!("{number} {street}")));
                    map.insert("city".into(), json!(commune));
                    map.insert("postcode".into(), json!(cp));
                    map.insert("phone_number".into(), json!(phone));
                }
                (doc, places)
            };
            let url = match platform {
                Platform::Bimedoc => bimedoc::slots_url(&platform_id, today, DEFAULT_DAYS),
                Platform::Valwin => valwin::slots_url(&platform_id),
                _ => mesoigner::slots_url(&platform_id, today),
            };
            exchanges.push(RecordedExchange {
                method: "GET",
                url,
                status: if error { 503 } else { 200 },
                response: if error {
                    json!({"detail": "Service temporairement indisponible (démonstration)"})
                } else {
                    response
                },
            });
            centres.push(DemoCentre {
                gid,
                name,
                platform,
                platform_id,
                department: dep.to_string(),
                booking_url,
                places,
                error,
            });
        }
    }
    Ok(CentresData {
        centres,
        csv,
        exchanges,
    })
}

/// Local start times offered by a centre over the window: Monday–Saturday mornings, weekday
/// afternoons, every 15 minutes, sparser in the first days (the near slots are taken).
fn local_slots(today: Date, rng: &mut Rng) -> Vec<(DateTime, &'static str, u32)> {
    let density = 0.08 + 0.3 * rng.next();
    let vaccine = if rng.next() < 0.8 {
        "pfizer"
    } else {
        "moderna"
    };
    let mut out = Vec::new();
    for d in 0..DEFAULT_DAYS {
        let Ok(day) = today.checked_add(jiff::Span::new().days(i64::from(d))) else {
            continue;
        };
        let weekday = day.weekday().to_monday_one_offset();
        if weekday == 7 {
            continue;
        }
        let near = if d < 2 { 0.3 } else { 1.0 };
        for quarter in 0..(4 * 9) {
            let hour = 9 + quarter / 4;
            let afternoon = hour >= 14;
            if (12..14).contains(&hour) || hour >= 18 || (afternoon && weekday == 6) {
                continue;
            }
            if rng.next() < density * near {
                let minute = (quarter % 4) * 15;
                let Ok(time) = Time::new(hour as i8, minute as i8, 0, 0) else {
                    continue;
                };
                let kind = if rng.next() < 0.15 {
                    "booster"
                } else {
                    vaccine
                };
                let places = if rng.next() < 0.2 { 2 } else { 1 };
                out.push((day.to_datetime(time), kind, places));
            }
        }
    }
    out
}

fn empty_response(platform: Platform) -> Value {
    match platform {
        Platform::Bimedoc => json!({"slots": []}),
        Platform::Valwin => {
            json!({"links": {"next": null, "total": 0, "prev": null}, "result": []})
        }
        _ => json!({"total": 0, "slots": []}),
    }
}

/// The platform's document for these local slots, and the bookable places it offers.
fn response(
    platform: Platform,
    slots: &[(DateTime, &'static str, u32)],
    tz: &TimeZone,
    booking_url: &str,
    dep: &str,
) -> Result<(Value, u32), DemoError> {
    let zoned = |dt: &DateTime| {
        dt.to_zoned(tz.clone()).map_err(|e| DemoError::Time {
            department: dep.to_string(),
            time: dt.to_string(),
            reason: e.to_string(),
        })
    };
    match platform {
        Platform::Bimedoc => {
            let mut list = Vec::new();
            for (dt, kind, _) in slots {
                let name = match *kind {
                    "moderna" => "SPIKEVAX Moderna",
                    _ => "COMIRNATY Pfizer-BioNTech",
                };
                list.push(json!({
                    "vaccine_name": name,
                    "datetime": zoned(dt)?.timestamp().to_string(),
                }));
            }
            let count = list.len() as u32;
            Ok((
                json!({"vaccine_names": ["COMIRNATY Pfizer-BioNTech", "SPIKEVAX Moderna"], "slots": list}),
                count,
            ))
        }
        Platform::Valwin => {
            let mut list = Vec::new();
            for (dt, kind, _) in slots {
                let (id, label) = match *kind {
                    "moderna" => ("6f0c3f9e-5d3a-4c1e-9a57-2b8d1c0e4a11", "Moderna"),
                    _ => ("3c5a1d7e-8b2f-4e90-a6d4-7e1f2c9b0d22", "Pfizer"),
                };
                let end = dt.checked_add(jiff::Span::new().minutes(10)).unwrap_or(*dt);
                list.push(json!({
                    "start": dt.to_string(),
                    "end": end.to_string(),
                    "title": "Vaccination COVID-19",
                    "types": [{"id": id, "label": label}],
                    "websiteUrl": booking_url,
                }));
            }
            let count = list.len() as u32;
            Ok((
                json!({"links": {"next": null, "total": count, "prev": null, "pageSize": 999999999, "currentPage": 1, "nbPages": 1}, "result": list}),
                count,
            ))
        }
        _ => {
            let mut days: Vec<(String, Vec<Value>)> = Vec::new();
            let mut places = 0;
            for (dt, kind, n) in slots {
                let label = match *kind {
                    "moderna" => "Moderna",
                    "booster" => "Pfizer-BioNTech BA.5",
                    _ => "Pfizer-BioNTech",
                };
                let key = dt.date().to_string();
                let entry = json!({
                    "slot_beginning": zoned(dt)?.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
                    "available_vaccines": [label],
                    "number_of_slots": n,
                });
                places += n;
                match days.last_mut() {
                    Some((k, v)) if *k == key => v.push(entry),
                    _ => days.push((key, vec![entry])),
                }
            }
            let total = days.iter().map(|(_, v)| v.len()).sum::<usize>();
            let slots: Vec<Value> = days.into_iter().map(|(k, v)| json!({ k: v })).collect();
            Ok((json!({"total": total, "slots": slots}), places))
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DemoError + '_ {
    move |source| DemoError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes the centre list, the recording and the [`crate::MARKER`] file under `dir` (created
/// if needed) for a scan starting on `today`. Same date, same bytes.
pub fn write_demo_centres(dir: &Path, today: Date) -> Result<DemoCentres, DemoError> {
    let data = demo_centres(today)?;
    let recording_dir = dir.join(RECORDING_DIR);
    fs::create_dir_all(&recording_dir).map_err(io(&recording_dir))?;
    let centres_csv = dir.join(CENTRES_CSV);
    fs::write(&centres_csv, data.csv.as_bytes()).map_err(io(&centres_csv))?;
    let mut lines = String::new();
    for e in &data.exchanges {
        let line = json!({
            "method": e.method,
            "url": e.url,
            "status": e.status,
            "response": e.response,
        });
        lines.push_str(&serde_json::to_string(&line)?);
        lines.push('\n');
    }
    let path = recording_dir.join(EXCHANGES);
    fs::write(&path, lines.as_bytes()).map_err(io(&path))?;
    let marker = dir.join(crate::MARKER);
    fs::write(
        &marker,
        "Centres et creneaux de demonstration generes par Vigie (vigie-demo). Ce ne sont pas des donnees reelles.\n",
    )
    .map_err(io(&marker))?;
    Ok(DemoCentres {
        centres_csv,
        recording_dir,
        centres: data.centres.len(),
    })
}
