//! Official data sources described as data.
//!
//! The [`catalog`] declares measures, code tables, source file types (recognised by their
//! header) and indicator formulas in TOML. [`ingest`] decodes a file (gzip, BOM, CP1252,
//! `;` or `,`, quoted or not), recognises it and reads its rows into daily series keyed by
//! measure, territory and breakdown; [`store`] merges several files by priority.
//!
//! **Invariant:** this crate reads bytes handed to it; it never touches the file system or
//! the network, and never reads the clock.

pub mod breakdown;
pub mod catalog;
pub mod decode;
pub mod ingest;
pub mod store;

pub use breakdown::{BreakdownId, Breakdowns};
pub use catalog::Catalog;
pub use ingest::{FileData, IngestError, Ingested, MeasureId, SeriesKey, ingest};
pub use store::Store;
