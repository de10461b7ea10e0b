//! The availability history: one point per scan run, in SQLite (WAL).
//!
//! Schema: `runs(run_time PRIMARY KEY)` and `availability(run_time, centre_id, department,
//! platform, slots, available)` with `PRIMARY KEY (run_time, centre_id)`. Recording a run
//! time again replaces that run's rows (idempotent). A series has one point per run, even
//! when the filter matches no centre in that run (zeros).

use std::path::Path;

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use vigie_slots::Platform;

/// One centre in one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    pub centre_id: String,
    /// Department code (`"01"`, `"2A"`, `"971"`), if known.
    pub department: Option<String>,
    pub platform: Platform,
    /// Slots (places) found.
    pub slots: u32,
    /// The centre had at least one bookable slot.
    pub available: bool,
}

impl HistoryRow {
    /// The rows of a run: one per successfully scanned centre (a failed scan says nothing
    /// about availability), `slots` = places found. `targets` are the run's targets, in the
    /// same order as `run.centres`.
    pub fn from_run(run: &crate::ScanRun, targets: &[crate::CentreTarget]) -> Vec<HistoryRow> {
        run.centres
            .iter()
            .zip(targets)
            .filter_map(|(c, t)| {
                let s = c.summary.as_ref()?;
                Some(HistoryRow {
                    centre_id: c.centre_id.clone(),
                    department: t.target.department.clone(),
                    platform: t.platform,
                    slots: u32::try_from(s.places).unwrap_or(u32::MAX),
                    available: s.slots > 0,
                })
            })
            .collect()
    }
}

/// Which centres a series covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeriesFilter {
    National,
    Department(String),
    Platform(Platform),
}

/// One point of a series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPoint {
    /// The run time (RFC 3339, UTC).
    pub time: String,
    /// Centres scanned.
    pub centres: u64,
    pub centres_with_slots: u64,
    pub slots: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("history database: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// The store.
#[derive(Debug)]
pub struct HistoryStore {
    conn: Connection,
}

impl HistoryStore {
    /// Opens (creating if needed) the database at `path`, in WAL mode.
    pub fn open(path: &Path) -> Result<Self, HistoryError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS runs (
                 run_time INTEGER PRIMARY KEY
             );
             CREATE TABLE IF NOT EXISTS availability (
                 run_time   INTEGER NOT NULL REFERENCES runs(run_time),
                 centre_id  TEXT NOT NULL,
                 department TEXT,
                 platform   TEXT NOT NULL,
                 slots      INTEGER NOT NULL,
                 available  INTEGER NOT NULL,
                 PRIMARY KEY (run_time, centre_id)
             ) WITHOUT ROWID;
             CREATE INDEX IF NOT EXISTS availability_department
                 ON availability(department, run_time);
             CREATE INDEX IF NOT EXISTS availability_platform
                 ON availability(platform, run_time);",
        )?;
        Ok(HistoryStore { conn })
    }

    /// The journal mode in use (`"wal"`).
    pub fn journal_mode(&self) -> Result<String, HistoryError> {
        Ok(self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?)
    }

    /// Records a run (replacing an earlier record of the same `run_time`). A centre listed
    /// twice keeps its last row.
    pub fn record(
        &mut self,
        run_time: jiff::Timestamp,
        rows: &[HistoryRow],
    ) -> Result<(), HistoryError> {
        let t = run_time.as_second();
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM availability WHERE run_time = ?1", params![t])?;
        tx.execute(
            "INSERT OR IGNORE INTO runs(run_time) VALUES (?1)",
            params![t],
        )?;
        {
            let mut st = tx.prepare(
                "INSERT OR REPLACE INTO availability
                 (run_time, centre_id, department, platform, slots, available)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for r in rows {
                st.execute(params![
                    t,
                    r.centre_id,
                    r.department,
                    r.platform.slug(),
                    r.slots,
                    r.available
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Deletes the runs recorded before `cutoff` (retention); returns how many runs went.
    pub fn prune_before(&mut self, cutoff: jiff::Timestamp) -> Result<usize, HistoryError> {
        let t = cutoff.as_second();
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM availability WHERE run_time < ?1", params![t])?;
        let runs = tx.execute("DELETE FROM runs WHERE run_time < ?1", params![t])?;
        tx.commit()?;
        Ok(runs)
    }

    /// The series of `filter`, one point per recorded run, oldest first.
    pub fn series(&self, filter: &SeriesFilter) -> Result<Vec<HistoryPoint>, HistoryError> {
        let (cond, arg): (&str, Option<String>) = match filter {
            SeriesFilter::National => ("1", None),
            SeriesFilter::Department(d) => ("a.department = ?1", Some(d.clone())),
            SeriesFilter::Platform(p) => ("a.platform = ?1", Some(p.slug().to_string())),
        };
        let sql = format!(
            "SELECT r.run_time,
                    COUNT(a.centre_id),
                    COALESCE(SUM(a.available), 0),
                    COALESCE(SUM(a.slots), 0)
             FROM runs r
             LEFT JOIN availability a ON a.run_time = r.run_time AND {cond}
             GROUP BY r.run_time
             ORDER BY r.run_time"
        );
        let mut st = self.conn.prepare(&sql)?;
        let map = |r: &rusqlite::Row<'_>| -> rusqlite::Result<(i64, i64, i64, i64)> {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        };
        let raw: Vec<(i64, i64, i64, i64)> = match arg {
            Some(a) => st.query_map(params![a], map)?.collect::<Result<_, _>>()?,
            None => st.query_map([], map)?.collect::<Result<_, _>>()?,
        };
        Ok(raw
            .into_iter()
            .map(|(t, c, w, s)| HistoryPoint {
                time: jiff::Timestamp::from_second(t)
                    .map(|ts| ts.to_string())
                    .unwrap_or_else(|_| t.to_string()),
                centres: u64::try_from(c).unwrap_or(0),
                centres_with_slots: u64::try_from(w).unwrap_or(0),
                slots: u64::try_from(s).unwrap_or(0),
            })
            .collect())
    }
}
