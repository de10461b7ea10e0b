//! A deterministic demonstration dataset, written in the official Santé publique France
//! formats (so it goes through exactly the same ingestion, checks and computations as real
//! data): one epidemic wave over the 101 departments, with SI-DEP tests by age class and the
//! hospital files, and a vaccination campaign (VAC-SI by dose, age class and vaccine, weekly
//! deliveries; module `vaccination`). [`centres`] adds vaccination centres with slots: a centre
//! list in the data.gouv "lieux de vaccination" format and a recording of booking-platform
//! answers that the real connectors replay.
//!
//! **Invariant:** [`sources`] and [`centres::demo_centres`] are pure: same arguments, same
//! bytes; no clock, no randomness source other than a fixed-seed generator. Only
//! [`write_demo_centres`] touches the file system (the directory it is given).

use std::fmt::Write;

pub mod centres;
mod vaccination;
pub mod world;

pub use centres::{DemoCentres, DemoError, write_demo_centres};

use vigie_core::{Date, reference};

/// Marker file written beside demo sources; pages show « données de démonstration ». The build
/// copies it into the release (`open-data/DEMO-DATA.txt`) and marks every file as demo.
pub const MARKER: &str = "DEMO-DATA.txt";

/// Seed of the epidemic and vaccination generator.
pub const SEED: u64 = 0x5eed_1e55_0fc0_071d;

/// Domain of every demonstration booking link: `.invalid` is reserved (RFC 2606), so the links
/// lead nowhere real.
pub const DEMO_BOOKING_HOST: &str = "rendez-vous.demo.invalid";

/// The text of [`MARKER`]: what generated the data, with which seed and period.
pub fn marker_text(end: Date, days: u32) -> String {
    format!(
        "Donnees de demonstration generees par Vigie (vigie-demo). Ce ne sont pas des donnees reelles.\n\
generator: vigie-demo {}\nseed: {SEED:#018x}\nend: {end}\ndays: {days}\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// SI-DEP age classes (`cl_age90`) and the share of the population in each.
const AGE_CLASSES: [(&str, f64); 10] = [
    ("09", 0.115),
    ("19", 0.122),
    ("29", 0.113),
    ("39", 0.121),
    ("49", 0.128),
    ("59", 0.131),
    ("69", 0.118),
    ("79", 0.088),
    ("89", 0.047),
    ("90", 0.017),
];

/// xorshift64*: small, deterministic, good enough for plausible noise.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The demo files: `(file name, bytes)`, covering `days` days ending on `end`: the
/// [`MARKER`], the epidemic files (SI-DEP, hospital stocks and flows, ICU beds
/// `lits-rea.csv`), then the vaccination files (`vacsi-dep.csv`, `vacsi-reg.csv`,
/// `vacsi-fra.csv`, `vacsi-a-fra.csv`, `vacsi-tot-a-fra.csv`, `vacsi-v-fra.csv`,
/// `flux-tot-nat.csv`), the world's files (JHU CSSE confirmed and deaths, the WHO's weekly
/// file; module [`world`]).
pub fn sources(end: Date, days: u32) -> Vec<(String, Vec<u8>)> {
    let r = reference();
    let start = end.add_days(1 - days as i32);
    let mut rng = Rng(SEED);
    let mut sidep = String::from("dep;jour;P;T;cl_age90;pop\n");
    let mut stocks = String::from("\"dep\";\"sexe\";\"jour\";\"hosp\";\"rea\";\"rad\";\"dc\"\n");
    let mut flows =
        String::from("\"dep\";\"jour\";\"incid_hosp\";\"incid_rea\";\"incid_dc\";\"incid_rad\"\n");
    for (k, &dep) in r.departments().iter().enumerate() {
        let t = r.get(dep);
        let pop = t.population as f64;
        // Each department peaks at its own time and height.
        let peak = days as f64 * (0.45 + 0.2 * rng.next());
        let height = 250.0 + 450.0 * rng.next(); // weekly incidence at the peak, per 100k
        let width = days as f64 * (0.12 + 0.05 * rng.next());
        let mut daily_cases = Vec::with_capacity(days as usize);
        for i in 0..days {
            let day = start.add_days(i as i32);
            let x = (f64::from(i) - peak) / width;
            let weekly_incidence = 20.0 + height * (-x * x / 2.0).exp();
            let weekday = match day.weekday() {
                6 => 0.45,
                5 => 0.8,
                0 => 1.25,
                _ => 1.05,
            };
            let noise = 0.85 + 0.3 * rng.next();
            let cases = (weekly_incidence / 7.0 * pop / 1e5 * weekday * noise).round();
            daily_cases.push(cases);
            let positivity = 0.03 + 0.12 * (weekly_incidence / 700.0);
            let mut total_p = 0.0;
            let mut total_t = 0.0;
            for (cl, share) in AGE_CLASSES {
                let age_bias = match cl {
                    "19" | "29" => 1.4,
                    "79" | "89" | "90" => 0.7,
                    _ => 1.0,
                };
                let p = (cases * share * age_bias / 1.02).round();
                let tests = (p / positivity).round().max(p);
                total_p += p;
                total_t += tests;
                let _ = writeln!(
                    sidep,
                    "{};{};{};{};{};{:.0}",
                    t.code,
                    day,
                    p,
                    tests,
                    cl,
                    pop * share
                );
            }
            let _ = writeln!(
                sidep,
                "{};{};{};{};0;{:.0}",
                t.code, day, total_p, total_t, pop
            );
        }
        // Hospital: admissions follow cases a week later; stocks integrate them.
        let (mut hosp, mut rea, mut rad, mut dc) =
            (pop / 1e5 * 8.0, pop / 1e5 * 1.5, 0.0f64, 0.0f64);
        for i in 0..days as usize {
            let day = start.add_days(i as i32);
            let lagged = if i >= 7 {
                daily_cases[i - 7]
            } else {
                daily_cases[0]
            };
            let adm = (lagged * (0.035 + 0.01 * rng.next())).round();
            let adm_icu = (adm * 0.18).round();
            let deaths = (hosp * 0.012 * (0.8 + 0.4 * rng.next())).round();
            let home = (hosp * 0.09).round();
            hosp = (hosp + adm - deaths - home).max(0.0);
            rea = (rea + adm_icu - rea * 0.11).max(0.0).round();
            rad += home;
            dc += deaths;
            let _ = writeln!(
                flows,
                "\"{}\";\"{}\";{};{};{};{}",
                t.code, day, adm, adm_icu, deaths, home
            );
            let h = hosp.round();
            let men = (h * 0.53).round();
            let rea_men = (rea * 0.65).round();
            let _ = writeln!(
                stocks,
                "\"{}\";0;\"{}\";{};{};{};{}",
                t.code, day, h, rea, rad, dc
            );
            let _ = writeln!(
                stocks,
                "\"{}\";1;\"{}\";{};{};{};{}",
                t.code,
                day,
                men,
                rea_men,
                (rad * 0.5).round(),
                (dc * 0.58).round()
            );
            let _ = writeln!(
                stocks,
                "\"{}\";2;\"{}\";{};{};{};{}",
                t.code,
                day,
                h - men,
                rea - rea_men,
                rad - (rad * 0.5).round(),
                dc - (dc * 0.58).round()
            );
        }
        let _ = k;
    }
    // ICU bed capacity by department, in the `dep;lits_rea` layout of the catalogue's
    // `lits-rea-by-code` source: 6.5 to 9.5 beds per 100 000 inhabitants (DREES counted about
    // 8 nationally at the end of 2018), so that ICU saturation exists in the demo too. Its own
    // generator: the epidemic values above are unchanged.
    let mut beds_rng = Rng(0x1c0b_ed52_0180_0001);
    let mut beds = String::from("dep;lits_rea\n");
    for &dep in r.departments() {
        let t = r.get(dep);
        let n = (t.population as f64 / 1e5 * (6.5 + 3.0 * beds_rng.next()))
            .round()
            .max(4.0);
        let _ = writeln!(beds, "{};{}", t.code, n);
    }
    let mut files = vec![
        (MARKER.to_string(), marker_text(end, days).into_bytes()),
        ("sp-pos-quot-dep.csv".to_string(), sidep.into_bytes()),
        (
            "donnees-hospitalieres-covid19.csv".to_string(),
            stocks.into_bytes(),
        ),
        (
            "donnees-hospitalieres-nouveaux-covid19.csv".to_string(),
            flows.into_bytes(),
        ),
        ("lits-rea.csv".to_string(), beds.into_bytes()),
    ];
    files.extend(vaccination::files(end, days));
    files.extend(world::files(end, days));
    files.push((GEOMETRY.to_string(), geometry()));
    files
}

/// Name of the demo's department outlines among its sources.
pub const GEOMETRY: &str = "departements-avec-outre-mer.geojson";

/// The 101 departments, simplified to about 1 km (`data/departements.geojson.gz`, generated by
/// `tools/gen-demo-geo.py` from the IGN Admin Express / INSEE outlines of
/// gregoiredavid/france-geojson, Licence Ouverte), so that the offline demo has maps.
pub fn geometry() -> Vec<u8> {
    use std::io::Read;
    const GZ: &[u8] = include_bytes!("../data/departements.geojson.gz");
    let mut out = Vec::new();
    match flate2::read::GzDecoder::new(GZ).read_to_end(&mut out) {
        Ok(_) => out,
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_complete() {
        let end = Date::from_ymd(2022, 1, 31).unwrap();
        let a = sources(end, 30);
        let b = sources(end, 30);
        assert_eq!(a, b);
        let sidep = String::from_utf8(a[1].1.clone()).unwrap();
        // 101 departments × 30 days × 11 classes.
        assert_eq!(sidep.lines().count(), 1 + 101 * 30 * 11);
        assert!(sidep.contains("\n2A;2022-01-02;"));
        assert!(sidep.contains("\n976;2022-01-31;"));
        let marker = String::from_utf8(a[0].1.clone()).unwrap();
        assert_eq!(a[0].0, MARKER);
        assert!(marker.contains("generator: vigie-demo "), "{marker}");
        assert!(marker.contains("seed: 0x5eed1e550fc0071d"), "{marker}");
    }
}

#[cfg(test)]
mod geometry_tests {
    #[test]
    fn the_demo_has_the_outlines_of_the_101_departments() {
        let text = String::from_utf8(super::geometry()).unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let codes: Vec<&str> = v["features"]
            .as_array()
            .map(|f| {
                f.iter()
                    .filter_map(|f| f["properties"]["code"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(codes.len(), 101);
        for c in ["01", "2A", "2B", "75", "971", "976"] {
            assert!(codes.contains(&c), "{c}");
        }
    }
}
