//! Vigie's slot-finder core: from scan results to the published files and the search.
//!
//! * [`snapshot`]: the `centres.json` snapshot (schema `vigie.slots.v1`, see
//!   `docs/slots-api.md`), stale carry-over of blocked platforms ([`snapshot::merge_stale`]),
//!   `centres.csv` / `slots.csv` writers and their data dictionary;
//! * [`v2`]: the ViteMaDose v2 export (`info_centres.json`, `<dep>.json`,
//!   `<dep>/creneaux-quotidiens.json`, `centres_open_data.json`, `departements.json`,
//!   `stats.json`) with the reference's bugs fixed (`DEVIATIONS.md`);
//! * [`places`]: the embedded commune / postcode / department table and autocomplete;
//! * [`search`]: the spatial index (rstar) and the search API answer;
//! * [`static_site`]: per-department files and `data/places/<prefix>.json` for the static site.
//!
//! **Invariants:** no I/O, no clock (`now` is an argument), no async; inputs from outside
//! never panic (typed [`FinderError`]).

pub mod departments;
pub mod error;
pub mod geo;
pub mod places;
pub mod search;
pub mod snapshot;
pub mod static_site;
pub mod text;
pub mod v2;

pub use departments::{Department, departments};
pub use error::FinderError;
pub use geo::haversine_km;
pub use places::{Place, PlaceHit, PlaceKind, Places};
pub use search::{SearchAnswer, SearchIndex, SearchOrigin, SearchParams};
pub use snapshot::{
    CentreScan, CentreStatus, ContributionMark, DailyEntry, PlatformEntry, PlatformScan,
    PlatformState, ScanResult, Snapshot, SnapshotCentre, Visibility, build_snapshot, centres_csv,
    data_dictionary, merge_stale, push_rfc3339, slots_csv, write_slots_csv,
};
