//! Snapshot, stale carry-over, CSV writers and the v2 export on hand-made centres
//! (no shared data needed).

mod common;

use common::*;
use vigie_finder::snapshot::{
    CentreScan, CentreStatus, PlatformScan, PlatformState, ScanResult, Visibility, build_snapshot,
    centres_csv, data_dictionary, merge_stale, slots_csv,
};
use vigie_finder::v2::export_v2;
use vigie_slots::{Dose, Platform, Vaccine};

const NOW: &str = "2026-11-29T10:30:00+01:00";

fn scans() -> R<Vec<CentreScan>> {
    let now = zoned(NOW)?;
    let mut privas = centre(
        "doctolib:1pid2",
        "Centre de Privas",
        Platform::Doctolib,
        "07",
        44.7225,
        4.5945,
    );
    privas.insee = Some("07186".into());
    privas.postcode = Some("07000".into());
    let a = scanned(
        privas,
        vec![
            // past (09:00 today): not counted
            slot(
                "2026-11-29T08:00:00Z",
                vec![Dose::First],
                Some(Vaccine::PfizerBioNTech),
                1,
            )?,
            // 23:30Z on the 29th is 00:30 on the 30th in Paris
            slot(
                "2026-11-29T23:30:00Z",
                vec![Dose::First, Dose::Second, Dose::Booster],
                Some(Vaccine::PfizerBioNTech),
                1,
            )?,
            // 3 places at once (Mapharma-like), unknown dose and vaccine
            slot("2026-11-30T09:00:00Z", vec![], None, 3)?,
            slot(
                "2026-12-01T09:00:00Z",
                vec![Dose::KidsFirst],
                Some(Vaccine::PfizerBioNTech),
                1,
            )?,
            // beyond the 12 dates (last date is 2026-12-10)
            slot(
                "2026-12-11T09:00:00Z",
                vec![Dose::First],
                Some(Vaccine::Moderna),
                1,
            )?,
        ],
        &now,
    );
    let b = scanned(
        centre(
            "keldoc:9",
            "Pharmacie de Lamastre",
            Platform::Keldoc,
            "07",
            44.987,
            4.579,
        ),
        vec![slot(
            "2026-12-02T09:00:00Z",
            vec![Dose::Booster],
            Some(Vaccine::Moderna),
            2,
        )?],
        &now,
    );
    let c = scanned(
        centre(
            "maiia:3",
            "Centre sans créneau",
            Platform::Maiia,
            "26",
            44.93,
            4.89,
        ),
        vec![],
        &now,
    );
    let d = CentreScan {
        result: ScanResult::Failed {
            class: "timeout".into(),
            message: "no answer in 10 s".into(),
        },
        ..scanned(
            centre(
                "maiia:4",
                "Centre en erreur",
                Platform::Maiia,
                "26",
                44.9,
                4.9,
            ),
            vec![],
            &now,
        )
    };
    let hidden = scanned(
        centre(
            "doctolib:5",
            "Centre réservé aux Professionnels de santé",
            Platform::Doctolib,
            "07",
            44.7,
            4.6,
        ),
        vec![slot("2026-11-30T09:00:00Z", vec![Dose::First], None, 1)?],
        &now,
    );
    Ok(vec![a, b, c, d, hidden])
}

#[test]
fn snapshot_counts_places_per_tag_on_local_dates() -> R {
    let now = zoned(NOW)?;
    let s = build_snapshot(&scans()?, &[], &Visibility::default(), &now, 11);
    assert_eq!(s.schema, "vigie.slots.v1");
    assert_eq!(s.generated_at, "2026-11-29T10:30:00+01:00");
    assert_eq!(s.days.len(), 12);
    assert_eq!(s.days[0], "2026-11-29");
    assert_eq!(s.days[11], "2026-12-10");
    assert_eq!(s.centres.len(), 4);
    assert_eq!(s.exclusions.len(), 1);
    assert_eq!(s.exclusions[0].reason, "reserved_name");
    let a = s
        .centres
        .iter()
        .find(|c| c.id == "doctolib:1pid2")
        .ok_or("a")?;
    assert_eq!(a.status, CentreStatus::Ok);
    assert_eq!(a.slot_count, 5);
    assert_eq!(a.next_slot.as_deref(), Some("2026-11-30T00:30:00+01:00"));
    assert_eq!(a.city.as_deref(), Some("Privas"));
    assert_eq!(a.vaccines, ["pfizer-biontech"]);
    assert_eq!(a.daily[0].all, 0);
    let d1 = &a.daily[1];
    assert_eq!(
        (
            d1.all,
            d1.first_or_second_dose,
            d1.third_dose,
            d1.unknown_dose
        ),
        (4, 1, 1, 3)
    );
    assert_eq!(d1.by_vaccine.get("unknown"), Some(&3));
    assert_eq!(d1.by_vaccine.get("pfizer-biontech"), Some(&1));
    assert_eq!(a.daily[2].kids_first_dose, 1);
    let e = s.centres.iter().find(|c| c.id == "maiia:4").ok_or("e")?;
    assert_eq!(e.status, CentreStatus::Error);
    assert_eq!(e.error.as_ref().map(|e| e.class.as_str()), Some("timeout"));
    let c = s.centres.iter().find(|c| c.id == "maiia:3").ok_or("c")?;
    assert_eq!(c.status, CentreStatus::NoSlots);
    let keldoc = s
        .platforms
        .iter()
        .find(|p| p.platform == "keldoc")
        .ok_or("keldoc")?;
    assert_eq!(
        (keldoc.centres, keldoc.centres_with_slots, keldoc.slots),
        (1, 1, 2)
    );
    assert_eq!(keldoc.status, PlatformState::Ok);
    let bimedoc = s
        .platforms
        .iter()
        .find(|p| p.platform == "bimedoc")
        .ok_or("bimedoc")?;
    assert_eq!(bimedoc.status, PlatformState::NotScanned);
    // JSON shape of docs/slots-api.md
    let v = serde_json::to_value(&s)?;
    let c0 = &v["centres"][0];
    for k in [
        "id",
        "name",
        "platform",
        "booking_url",
        "address",
        "postcode",
        "insee",
        "department",
        "latitude",
        "longitude",
        "type",
        "phone",
        "opening_hours",
        "vaccines",
        "next_slot",
        "slot_count",
        "phone_only",
        "next_hint",
        "daily",
        "scanned_at",
        "status",
        "stale_since",
        "error",
        "sources",
    ] {
        assert!(c0.get(k).is_some(), "missing {k}");
    }
    assert_eq!(v["centres"][0]["status"], "ok");
    assert_eq!(v["centres"][0]["type"], "vaccination-center");
    // round trip
    let back: vigie_finder::Snapshot = serde_json::from_value(v)?;
    assert_eq!(back, s);
    Ok(())
}

#[test]
fn blocked_platform_keeps_its_last_good_centres_as_stale() -> R {
    let prev_now = zoned("2026-11-28T10:30:00+01:00")?;
    let now = zoned(NOW)?;
    let mut previous_scans = scans()?;
    for s in &mut previous_scans {
        s.scanned_at = prev_now.clone();
    }
    let previous = build_snapshot(&previous_scans, &[], &Visibility::default(), &prev_now, 11);
    let prev_keldoc = previous
        .centres
        .iter()
        .find(|c| c.id == "keldoc:9")
        .ok_or("k")?;
    assert_eq!(prev_keldoc.slot_count, 2);
    // Today Keldoc is blocked: its centre fails, nothing else changes.
    let mut today = scans()?;
    for s in &mut today {
        if s.centre.platform == Platform::Keldoc {
            s.result = ScanResult::Failed {
                class: "blocked".into(),
                message: "403".into(),
            };
        }
    }
    let status = [PlatformScan {
        platform: Platform::Keldoc,
        state: PlatformState::Failed,
        last_success: None,
        error: Some("blocked (403), breaker open".into()),
    }];
    let new = build_snapshot(&today, &status, &Visibility::default(), &now, 11);
    assert_eq!(
        new.platforms
            .iter()
            .find(|p| p.platform == "keldoc")
            .map(|p| p.slots),
        Some(0)
    );
    let merged = merge_stale(&previous, &new, &[Platform::Keldoc], &now);
    let k = merged
        .centres
        .iter()
        .find(|c| c.id == "keldoc:9")
        .ok_or("k")?;
    assert_eq!(k.status, CentreStatus::Stale);
    assert_eq!(k.stale_since.as_deref(), Some("2026-11-28T10:30:00+01:00"));
    assert_eq!(k.slot_count, 2);
    assert_eq!(k.daily.len(), 12);
    assert_eq!(k.daily[0].date, "2026-11-29");
    let p = merged
        .platforms
        .iter()
        .find(|p| p.platform == "keldoc")
        .ok_or("p")?;
    assert!(p.stale);
    assert_eq!(p.status, PlatformState::Failed);
    assert_eq!(p.stale_since.as_deref(), Some("2026-11-28T10:30:00+01:00"));
    assert_eq!((p.centres, p.centres_with_slots, p.slots), (1, 1, 2));
    // other platforms untouched
    let d = merged
        .centres
        .iter()
        .find(|c| c.id == "doctolib:1pid2")
        .ok_or("d")?;
    assert_eq!(d.status, CentreStatus::Ok);
    // A second failed scan keeps the first stale_since.
    let again = merge_stale(
        &merged,
        &new,
        &[Platform::Keldoc],
        &zoned("2026-11-29T11:30:00+01:00")?,
    );
    let k2 = again
        .centres
        .iter()
        .find(|c| c.id == "keldoc:9")
        .ok_or("k2")?;
    assert_eq!(k2.stale_since.as_deref(), Some("2026-11-28T10:30:00+01:00"));
    // Dates roll: yesterday's counts are dropped, not shifted.
    let later = zoned("2026-12-02T12:00:00+01:00")?;
    let new_later = build_snapshot(&today, &status, &Visibility::default(), &later, 11);
    let rolled = merge_stale(&previous, &new_later, &[Platform::Keldoc], &later);
    let k3 = rolled
        .centres
        .iter()
        .find(|c| c.id == "keldoc:9")
        .ok_or("k3")?;
    assert_eq!(k3.daily[0].date, "2026-12-02");
    assert_eq!(k3.slot_count, 2);
    Ok(())
}

#[test]
fn csv_writers_and_dictionary() -> R {
    let now = zoned(NOW)?;
    let sc = scans()?;
    let s = build_snapshot(&sc, &[], &Visibility::default(), &now, 11);
    let csv = centres_csv(&s)?;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5);
    assert!(lines[0].starts_with("id,name,platform,type,booking_url"));
    assert!(lines[1].starts_with("doctolib:1pid2,Centre de Privas,doctolib,vaccination-center,"));
    assert!(lines[1].contains(",2026-11-30T00:30:00+01:00,5,false,,ok,"));
    let slots = slots_csv(&sc, &Visibility::default(), &now, 11)?;
    let rows: Vec<&str> = slots.lines().collect();
    assert_eq!(
        rows[0],
        "centre_id,platform,department,start,local_date,doses,vaccine,places,booking_url"
    );
    assert_eq!(rows.len(), 1 + 3 + 1); // Privas: 3 counted slots; Lamastre: 1; hidden centre left out
    assert_eq!(
        rows[1],
        "doctolib:1pid2,doctolib,07,2026-11-30T00:30:00+01:00,2026-11-30,1;2;3,pfizer-biontech,1,https://example.org/book"
    );
    let dict = data_dictionary();
    for col in lines[0].split(',').chain(rows[0].split(',')) {
        assert!(
            dict.contains(&format!("`{col}`")),
            "column {col} not documented"
        );
    }
    Ok(())
}

#[test]
fn v2_export_on_fixture() -> R {
    let now = zoned(NOW)?;
    let s = build_snapshot(&scans()?, &[], &Visibility::default(), &now, 11);
    let e = export_v2(&s, &now);
    assert_eq!(e.par_departement.len(), 102);
    assert_eq!(e.creneaux_quotidiens.len(), 102);
    assert_eq!(e.departements.len(), 102);
    assert!(
        e.creneaux_quotidiens
            .values()
            .all(|c| c.creneaux_quotidiens.len() == 12)
    );
    assert!(e.par_departement["om"].centres_disponibles.is_empty());
    let i = &e.info_centres;
    assert_eq!(i.version, 1);
    assert_eq!(i.last_updated, "2026-11-29T10:30:00+01:00");
    let ids: Vec<_> = i
        .centres_disponibles
        .iter()
        .filter_map(|c| c.internal_id.as_deref())
        .collect();
    assert_eq!(ids, ["doctolib1pid2", "keldoc9"]);
    assert_eq!(i.centres_indisponibles.len(), 2);
    assert_eq!(i.centres_disponibles[0].appointment_count, 5);
    assert_eq!(i.centres_disponibles[0].vaccine_type, ["Pfizer-BioNTech"]);
    let err = i
        .centres_indisponibles
        .iter()
        .find(|c| c.nom == "Centre en erreur")
        .ok_or("err")?;
    assert_eq!(err.erreur.as_deref(), Some("timeout: no answer in 10 s"));
    let cq = &e.creneaux_quotidiens["07"].creneaux_quotidiens;
    assert_eq!(cq[1].total, 4);
    let tags: Vec<(String, u32)> = cq[1].creneaux_par_lieu[0]
        .creneaux_par_tag
        .iter()
        .map(|t| (t.tag.clone(), t.creneaux))
        .collect();
    assert_eq!(
        tags,
        [
            ("all".into(), 4),
            ("first_or_second_dose".into(), 1),
            ("kids_first_dose".into(), 0),
            ("third_dose".into(), 1),
            ("unknown_dose".into(), 3)
        ]
    );
    assert_eq!(e.stats.tout_departement.disponibles, 2);
    assert_eq!(e.stats.tout_departement.total, 4);
    assert_eq!(e.stats.tout_departement.creneaux, 7);
    assert_eq!(e.stats.departements["26"].indisponibles, 2);
    assert_eq!(e.centres_open_data.len(), 4);
    let deps = serde_json::to_value(&e.departements)?;
    assert_eq!(
        deps[0],
        serde_json::json!({"code_departement": "01", "nom_departement": "Ain", "code_region": 84, "nom_region": "Auvergne-Rhône-Alpes"})
    );
    let stats = serde_json::to_value(&e.stats)?;
    assert_eq!(
        stats["07"],
        serde_json::json!({"disponibles": 2, "indisponibles": 0, "creneaux": 7, "total": 2})
    );
    Ok(())
}

/// One horizon rule (docs/slots-api.md): a pharmacy whose platform answered three weeks of
/// slots (mesoigner, Bimedoc) publishes the vaccines of the counted slots only, in the
/// platform's order, consistently with its count, next slot and daily counts, in the
/// snapshot and in the v2 export; a centre with no counted slot keeps its list's vaccines.
#[test]
fn vaccines_follow_the_horizon_of_the_counts() -> R {
    let now = zoned(NOW)?;
    let mut within = scanned(
        centre(
            "mesoigner:1722",
            "Pharmacie des Pyrénées",
            Platform::Mesoigner,
            "07",
            44.73,
            4.6,
        ),
        vec![
            slot(
                "2026-12-01T09:00:00Z",
                vec![Dose::Booster],
                Some(Vaccine::PfizerBioNTech),
                2,
            )?,
            // the 13th date and later: beyond the horizon
            slot(
                "2026-12-11T09:00:00Z",
                vec![Dose::First],
                Some(Vaccine::Moderna),
                1,
            )?,
            slot(
                "2026-12-15T09:00:00Z",
                vec![Dose::First],
                Some(Vaccine::Janssen),
                1,
            )?,
        ],
        &now,
    );
    // The platform-level list names every vaccine it saw, in its order.
    if let ScanResult::Scanned(o) = &mut within.result {
        o.vaccines = vec![Vaccine::Moderna, Vaccine::Janssen, Vaccine::PfizerBioNTech];
    }
    let mut listed = centre(
        "mesoigner:99",
        "Pharmacie sans créneau proche",
        Platform::Mesoigner,
        "07",
        44.7,
        4.6,
    );
    listed.vaccines = vec![Vaccine::Moderna];
    let mut beyond = scanned(
        listed,
        vec![slot(
            "2026-12-20T09:00:00Z",
            vec![Dose::First],
            Some(Vaccine::Janssen),
            1,
        )?],
        &now,
    );
    if let ScanResult::Scanned(o) = &mut beyond.result {
        o.vaccines = vec![Vaccine::Janssen];
    }
    let scans = [within, beyond];
    let s = build_snapshot(&scans, &[], &Visibility::default(), &now, 11);
    let a = s
        .centres
        .iter()
        .find(|c| c.id == "mesoigner:1722")
        .ok_or("a")?;
    assert_eq!(a.slot_count, 2);
    assert_eq!(a.vaccines, ["pfizer-biontech"]);
    assert_eq!(a.next_slot.as_deref(), Some("2026-12-01T10:00:00+01:00"));
    let b = s
        .centres
        .iter()
        .find(|c| c.id == "mesoigner:99")
        .ok_or("b")?;
    assert_eq!((b.slot_count, b.status), (0, CentreStatus::NoSlots));
    assert_eq!(b.vaccines, ["moderna"]);
    assert_eq!(b.next_slot, None);
    let e = export_v2(&s, &now);
    let dispo = &e.info_centres.centres_disponibles;
    assert_eq!(dispo.len(), 1);
    assert_eq!(dispo[0].appointment_count, 2);
    assert_eq!(dispo[0].vaccine_type, ["Pfizer-BioNTech"]);
    // slots.csv: the header and the one counted slot.
    let csv = slots_csv(&scans, &Visibility::default(), &now, 11)?;
    assert_eq!(csv.lines().count(), 2, "{csv}");
    Ok(())
}
