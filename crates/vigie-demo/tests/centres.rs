//! The demo centres replay through the real `vigie_slots` connectors: the centre list gives
//! the targets, the recording answers exactly the requests the connectors make, and the slots
//! come out at the right instants in the right zones.

use std::collections::{BTreeMap, HashSet};
use std::fs;

use jiff::civil::date;
use serde_json::Value;
use vigie_slots::canned::{Canned, CannedError, url_key};
use vigie_slots::platforms::bimedoc::Bimedoc;
use vigie_slots::platforms::mesoigner::Mesoigner;
use vigie_slots::platforms::valwin::Valwin;
use vigie_slots::{Connector, DEFAULT_DAYS, Method, ScanOutcome, ScanTarget, Step};

type Error = Box<dyn std::error::Error>;

/// Canned answers from the lines of `exchanges.jsonl` (each request recorded once).
fn load(text: &str) -> Result<Canned, Error> {
    let mut canned = Canned::default();
    let mut seen = HashSet::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line)?;
        let method = match v["method"].as_str().ok_or("method")? {
            "GET" => Method::Get,
            "POST" => Method::Post,
            other => return Err(format!("method {other}").into()),
        };
        let url = v["url"].as_str().ok_or("url")?;
        let status = u16::try_from(v["status"].as_u64().ok_or("status")?)?;
        let body = serde_json::to_vec(&v["response"])?;
        assert!(v.get("response_file").is_none());
        assert!(
            seen.insert((method.name(), url_key(url))),
            "duplicate exchange {url}"
        );
        canned = canned.exact(method, url, None, status, body);
    }
    Ok(canned)
}

/// Runs a connector to completion over the recording: the connector's own error, or a
/// failure when a request is not recorded or the flow does not end.
fn scan(
    connector: &dyn Connector,
    target: &ScanTarget,
    responder: &mut Canned,
) -> Result<Result<ScanOutcome, vigie_slots::SlotError>, Error> {
    match responder.drive(connector, target) {
        Ok(outcome) => Ok(Ok(outcome)),
        Err(CannedError::Flow(e)) => Ok(Err(e)),
        Err(e) => Err(e.into()),
    }
}

#[test]
fn demo_centres_replay_through_the_connectors() -> Result<(), Error> {
    let today = date(2026, 3, 27); // the Paris DST change (29 March) falls in the window
    let tmp = tempfile::tempdir()?;
    let written = vigie_demo::write_demo_centres(tmp.path(), today)?;
    assert_eq!(written.centres, 404);
    assert!(tmp.path().join(vigie_demo::MARKER).exists());

    // Deterministic for a date; another date gives other slots.
    let again = vigie_demo::centres::demo_centres(today)?;
    assert_eq!(fs::read_to_string(&written.centres_csv)?, again.csv);
    let other = vigie_demo::centres::demo_centres(date(2026, 3, 28))?;
    assert_eq!(other.csv.lines().count(), again.csv.lines().count());
    assert_ne!(other.exchanges, again.exchanges);

    let mut responder = load(&fs::read_to_string(
        written.recording_dir.join("exchanges.jsonl"),
    )?)?;

    // The centre list, read by its header.
    let csv = fs::read_to_string(&written.centres_csv)?;
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().ok_or("empty list")?.split(';').collect();
    for c in [
        "gid",
        "nom",
        "rdv_site_web",
        "com_insee",
        "com_cp",
        "com_nom",
        "adr_num",
        "adr_voie",
        "lat_coor1",
        "long_coor1",
        "rdv_tel",
        "rdv_lundi",
        "rdv_dimanche",
        "type",
        "platform_is",
    ] {
        assert!(header.contains(&c), "column {c}");
    }
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap_or(usize::MAX);
    let mut departments = BTreeMap::new();
    let mut platforms: BTreeMap<String, usize> = BTreeMap::new();
    let (mut with_slots, mut errors, mut checked_zones) = (0, 0, 0);
    let mut total = 0;
    for line in lines {
        let f: Vec<&str> = line.split(';').collect();
        assert_eq!(f.len(), header.len(), "{line}");
        total += 1;
        let field = |name: &str| f.get(col(name)).copied().unwrap_or_default();
        let insee = field("com_insee");
        let dep = if insee.starts_with("97") {
            &insee[..3]
        } else {
            &insee[..2]
        };
        *departments.entry(dep.to_string()).or_insert(0) += 1;
        let lat: f64 = field("lat_coor1").parse()?;
        let lon: f64 = field("long_coor1").parse()?;
        assert!((-25.0..52.0).contains(&lat) && (-62.0..56.0).contains(&lon));
        let platform = field("platform_is");
        *platforms.entry(platform.to_string()).or_default() += 1;
        let gid = field("gid");
        let (connector, platform_id): (&dyn Connector, &str) = match platform {
            "bimedoc" => (&Bimedoc, gid.strip_prefix("bimedoc").ok_or("bimedoc gid")?),
            "Valwin" => (&Valwin, gid),
            "mesoigner" => (&Mesoigner, gid),
            other => return Err(format!("platform {other}").into()),
        };
        let target = ScanTarget {
            booking_url: field("rdv_site_web").to_string(),
            platform_id: platform_id.to_string(),
            department: Some(dep.to_string()),
            address: None,
            start: today,
            days: DEFAULT_DAYS,
            platform_data: None,
        };
        let outcome = match scan(connector, &target, &mut responder)? {
            Ok(o) => o,
            Err(_) => {
                errors += 1;
                continue;
            }
        };
        if outcome.slots.is_empty() {
            continue;
        }
        with_slots += 1;
        let zone = match dep {
            "971" => "America/Guadeloupe",
            "972" => "America/Martinique",
            "973" => "America/Cayenne",
            "974" => "Indian/Reunion",
            "976" => "Indian/Mayotte",
            _ => "Europe/Paris",
        };
        for s in &outcome.slots {
            // Local opening hours, in the centre's zone, within the window.
            assert_eq!(s.start.time_zone().iana_name(), Some(zone));
            let local = s.start.datetime();
            assert!((9..18).contains(&local.hour()), "{}", s.start);
            assert!(!(12..14).contains(&local.hour()), "{}", s.start);
            assert_eq!(local.minute() % 15, 0);
            let day = local.date();
            assert!(day >= today && day < today.checked_add(jiff::Span::new().days(11))?);
            assert!(s.vaccine.is_some());
            assert!(s.places >= 1);
            // The offset is the zone's real one (Paris: +01:00 before 29 March, +02:00 after).
            let offset = s.start.offset().seconds();
            let expected = match zone {
                "Europe/Paris" if day < date(2026, 3, 29) => 3600,
                "Europe/Paris" => 7200,
                "America/Cayenne" => -3 * 3600,
                "Indian/Reunion" => 4 * 3600,
                "Indian/Mayotte" => 3 * 3600,
                _ => -4 * 3600,
            };
            assert_eq!(offset, expected, "{} in {zone}", s.start);
            checked_zones += 1;
        }
    }
    assert_eq!(total, 404);
    assert_eq!(departments.len(), 101);
    assert!(departments.values().all(|&n| n == 4));
    assert!(platforms.values().all(|&n| n > 120), "{platforms:?}");
    assert!(
        with_slots * 10 >= total * 7,
        "{with_slots} of {total} with slots"
    );
    assert!(with_slots < total, "some centres have no slot");
    assert!((1..=15).contains(&errors), "{errors} errors");
    assert!(checked_zones > 5_000, "{checked_zones} slots");

    // What the crate says it wrote agrees with what the connectors found.
    let data = vigie_demo::centres::demo_centres(today)?;
    assert_eq!(data.centres.iter().filter(|c| c.error).count(), errors);
    assert_eq!(
        data.centres.iter().filter(|c| c.places > 0).count(),
        with_slots
    );
    Ok(())
}

#[test]
fn a_mesoigner_centre_in_reunion_has_reunion_instants() -> Result<(), Error> {
    let today = date(2026, 7, 6);
    let data = vigie_demo::centres::demo_centres(today)?;
    let mut responder = load(
        &data
            .exchanges
            .iter()
            .map(|e| {
                serde_json::json!({"method": e.method, "url": e.url, "status": e.status, "response": e.response})
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n"),
    )?;
    let mut seen = 0;
    for c in data
        .centres
        .iter()
        .filter(|c| c.department == "974" && c.places > 0)
    {
        let connector: &dyn Connector = match c.platform {
            vigie_slots::Platform::Bimedoc => &Bimedoc,
            vigie_slots::Platform::Valwin => &Valwin,
            _ => &Mesoigner,
        };
        let target = ScanTarget {
            booking_url: c.booking_url.clone(),
            platform_id: c.platform_id.clone(),
            department: Some("974".into()),
            address: None,
            start: today,
            days: DEFAULT_DAYS,
            platform_data: None,
        };
        let out = scan(connector, &target, &mut responder)??;
        let places: u32 = out.slots.iter().map(|s| s.places).sum();
        assert_eq!(places, c.places, "{}", c.name);
        for s in &out.slots {
            assert_eq!(s.start.offset().seconds(), 4 * 3600);
            assert!((9..18).contains(&s.start.hour()));
        }
        seen += 1;
    }
    assert!(seen >= 2, "{seen}");
    Ok(())
}

/// The centre list is read by `vigie_slots::centres::parse_list` (the scanner's reader) into
/// targets whose requests are all in the recording.
#[test]
fn the_scanner_s_list_reader_routes_every_demo_centre() -> Result<(), Error> {
    let today = date(2026, 11, 30);
    let data = vigie_demo::centres::demo_centres(today)?;
    let report = vigie_slots::centres::parse_list(data.csv.as_bytes(), "demo")?;
    assert!(report.issues.is_empty(), "{:?}", report.issues.first());
    assert_eq!(report.records.len(), data.centres.len());
    let recorded: Vec<(String, Vec<String>)> =
        data.exchanges.iter().map(|e| url_key(&e.url)).collect();
    for (record, centre) in report.records.iter().zip(&data.centres) {
        assert_eq!(record.platform, Some(centre.platform), "{}", centre.name);
        assert_eq!(
            record.department.as_deref(),
            Some(centre.department.as_str())
        );
        let target = record
            .scan_target(today, DEFAULT_DAYS)
            .ok_or(format!("no target for {}", centre.name))?;
        assert_eq!(target.platform_id, centre.platform_id);
        let connector: &dyn Connector = match centre.platform {
            vigie_slots::Platform::Bimedoc => &Bimedoc,
            vigie_slots::Platform::Valwin => &Valwin,
            _ => &Mesoigner,
        };
        let Ok(Step::Send(requests)) = connector.start(&target)?.step(vec![]) else {
            return Err(format!("no request for {}", centre.name).into());
        };
        for r in requests {
            assert!(recorded.contains(&url_key(&r.url)), "{}", r.url);
        }
    }
    Ok(())
}

/// Whatever the day, every department has a centre with slots (a search near any prefecture
/// finds one; on 2026-12-03 the four centres of Privas had none).
#[test]
fn every_department_has_a_centre_with_slots_every_day() -> Result<(), Error> {
    let start = date(2026, 11, 1);
    for d in 0..120 {
        let today = start.checked_add(jiff::Span::new().days(d))?;
        let data = vigie_demo::centres::demo_centres(today)?;
        let mut with_slots: BTreeMap<&str, u32> = BTreeMap::new();
        for c in &data.centres {
            *with_slots.entry(c.department.as_str()).or_default() += u32::from(c.places > 0);
        }
        assert_eq!(with_slots.len(), 101, "{today}");
        let none: Vec<_> = with_slots.iter().filter(|(_, n)| **n == 0).collect();
        assert!(
            none.is_empty(),
            "{today}: departments without slots {none:?}"
        );
    }
    Ok(())
}
