//! Merging the series of several files into one store.
//!
//! Files are taken by priority (higher first), then by most recent data, then by name. A series
//! (measure × territory × breakdown) comes whole from the first file that has it: a newer file
//! of the same dataset replaces an older one, and a revised past value is never mixed with the
//! old vintage. What a file lost to another is counted in its summary.

use std::collections::{BTreeMap, HashMap};

use vigie_core::{Date, Series};

use crate::ingest::{FileData, SeriesKey};

/// What is kept of a file once its series are in the store.
#[derive(Clone, Debug)]
pub struct FileSummary {
    /// File name.
    pub file: String,
    /// Source type.
    pub source: String,
    /// Schema vintage.
    pub vintage: Option<String>,
    /// Header.
    pub header: Vec<String>,
    /// Separator.
    pub separator: char,
    /// Encoding name.
    pub encoding: &'static str,
    /// Gzip.
    pub gzip: bool,
    /// Data rows.
    pub rows: u64,
    /// Date span.
    pub dates: Option<(Date, Date)>,
    /// Series contributed.
    pub series_used: usize,
    /// Series skipped because a higher-priority or newer file had them.
    pub series_superseded: usize,
    /// Excluded rows by reason.
    pub excluded: BTreeMap<String, u64>,
    /// Duplicate rows ignored.
    pub duplicates_ignored: u64,
}

/// All series of a build.
#[derive(Debug, Default)]
pub struct Store {
    /// Daily series.
    pub series: HashMap<SeriesKey, Series>,
    /// Which file (index into `files`) each series came from.
    pub origin: HashMap<SeriesKey, usize>,
    /// Constant values (capacities).
    pub constants: HashMap<SeriesKey, f64>,
    /// Series reported every n > 1 days (weekly files), by key; absent means daily.
    pub steps: HashMap<SeriesKey, u16>,
    /// File summaries in merge order.
    pub files: Vec<FileSummary>,
}

impl Store {
    /// Merges files; see the module documentation for the rule.
    pub fn from_files(mut files: Vec<FileData>) -> Store {
        files.sort_by(|a, b| {
            b.priority
                .cmp(&a.priority)
                .then_with(|| b.dates.map(|d| d.1).cmp(&a.dates.map(|d| d.1)))
                .then_with(|| b.rows.cmp(&a.rows))
                .then_with(|| a.file.cmp(&b.file))
        });
        let mut store = Store::default();
        for (i, f) in files.into_iter().enumerate() {
            let (mut used, mut superseded) = (0, 0);
            for (key, series) in f.series {
                if let std::collections::hash_map::Entry::Vacant(e) = store.series.entry(key) {
                    e.insert(series);
                    store.origin.insert(key, i);
                    if f.step_days > 1 {
                        store.steps.insert(key, f.step_days);
                    }
                    used += 1;
                } else {
                    superseded += 1;
                }
            }
            for (key, value) in f.constants {
                if let std::collections::hash_map::Entry::Vacant(e) = store.constants.entry(key) {
                    e.insert(value);
                    store.origin.insert(key, i);
                    used += 1;
                } else {
                    superseded += 1;
                }
            }
            store.files.push(FileSummary {
                file: f.file,
                source: f.source,
                vintage: f.vintage,
                header: f.header,
                separator: f.separator,
                encoding: f.encoding.as_str(),
                gzip: f.gzip,
                rows: f.rows,
                dates: f.dates,
                series_used: used,
                series_superseded: superseded,
                excluded: f.excluded,
                duplicates_ignored: f.duplicates_ignored,
            });
        }
        store
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Breakdowns, Catalog, Ingested, ingest};

    fn file(name: &str, text: &str, b: &mut Breakdowns) -> FileData {
        match ingest(
            name,
            text.as_bytes().to_vec(),
            &Catalog::builtin().unwrap(),
            b,
        )
        .unwrap()
        {
            Ingested::Data(d) => *d,
            Ingested::Unrecognised { .. } => panic!(),
        }
    }

    #[test]
    fn newest_file_of_a_dataset_wins_whole_series() {
        let mut b = Breakdowns::default();
        let old = file(
            "old.csv",
            "dep;jour;incid_hosp;incid_rea;incid_dc;incid_rad\n01;2020-03-19;1;0;0;0\n01;2020-03-20;2;0;0;0\n",
            &mut b,
        );
        let new = file(
            "new.csv",
            "dep;jour;incid_hosp;incid_rea;incid_dc;incid_rad\n01;2020-03-19;5;0;0;0\n01;2020-03-20;6;0;0;0\n01;2020-03-21;7;0;0;0\n",
            &mut b,
        );
        let store = Store::from_files(vec![old, new]);
        assert_eq!(store.files[0].file, "new.csv");
        assert_eq!(store.files[1].series_superseded, 4);
        let c = Catalog::builtin().unwrap();
        let m = crate::MeasureId(
            c.measures
                .iter()
                .position(|m| m.id == "hosp_admissions")
                .unwrap() as u16,
        );
        let s = store.series.iter().find(|(k, _)| k.measure == m).unwrap().1;
        assert_eq!(s.points().map(|p| p.1).collect::<Vec<_>>(), [5.0, 6.0, 7.0]);
    }
}
