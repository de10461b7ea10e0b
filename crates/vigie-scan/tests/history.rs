//! The availability history store.

use vigie_scan::{HistoryPoint, HistoryRow, HistoryStore, SeriesFilter};
use vigie_slots::Platform;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn row(id: &str, dep: &str, platform: Platform, slots: u32) -> HistoryRow {
    HistoryRow {
        centre_id: id.to_string(),
        department: Some(dep.to_string()),
        platform,
        slots,
        available: slots > 0,
    }
}

fn t(s: i64) -> Result<jiff::Timestamp, jiff::Error> {
    jiff::Timestamp::from_second(1_622_534_400 + s)
}

fn point(time: &str, centres: u64, with: u64, slots: u64) -> HistoryPoint {
    HistoryPoint {
        time: time.to_string(),
        centres,
        centres_with_slots: with,
        slots,
    }
}

#[test]
fn series_per_scope_one_point_per_run_idempotent() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("history.sqlite");
    {
        let mut db = HistoryStore::open(&path)?;
        assert_eq!(db.journal_mode()?, "wal");
        db.record(
            t(0)?,
            &[
                row("bimedoc:a", "75", Platform::Bimedoc, 3),
                row("doctolib:b", "75", Platform::Doctolib, 0),
                row("doctolib:c", "2A", Platform::Doctolib, 10),
            ],
        )?;
        // A first attempt at the second run, then its final version: the last one wins.
        db.record(t(3600)?, &[row("bimedoc:a", "75", Platform::Bimedoc, 99)])?;
        db.record(
            t(3600)?,
            &[
                row("bimedoc:a", "75", Platform::Bimedoc, 1),
                row("doctolib:c", "2A", Platform::Doctolib, 0),
            ],
        )?;
        // An empty run still yields a point.
        db.record(t(7200)?, &[])?;
    }
    // Reopen: data persisted.
    let db = HistoryStore::open(&path)?;
    assert_eq!(
        db.series(&SeriesFilter::National)?,
        vec![
            point("2021-06-01T08:00:00Z", 3, 2, 13),
            point("2021-06-01T09:00:00Z", 2, 1, 1),
            point("2021-06-01T10:00:00Z", 0, 0, 0),
        ]
    );
    assert_eq!(
        db.series(&SeriesFilter::Department("2A".to_string()))?,
        vec![
            point("2021-06-01T08:00:00Z", 1, 1, 10),
            point("2021-06-01T09:00:00Z", 1, 0, 0),
            point("2021-06-01T10:00:00Z", 0, 0, 0),
        ]
    );
    let doctolib = db.series(&SeriesFilter::Platform(Platform::Doctolib))?;
    assert_eq!(doctolib[0], point("2021-06-01T08:00:00Z", 2, 1, 10));
    assert_eq!(doctolib.len(), 3);
    assert!(
        db.series(&SeriesFilter::Department("99".to_string()))?
            .iter()
            .all(|p| p.centres == 0)
    );
    Ok(())
}

#[test]
fn retention_deletes_the_runs_before_the_cutoff() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut db = HistoryStore::open(&dir.path().join("history.sqlite"))?;
    for k in 0..5 {
        db.record(
            t(k * 3600)?,
            &[row("bimedoc:a", "07", Platform::Bimedoc, 3)],
        )?;
    }
    assert_eq!(db.prune_before(t(2 * 3600)?)?, 2);
    let series = db.series(&SeriesFilter::National)?;
    assert_eq!(series.len(), 3);
    assert_eq!(series[0].time, t(2 * 3600)?.to_string());
    assert_eq!(db.prune_before(t(0)?)?, 0);
    Ok(())
}
