//! Vigie's slot-finder core: parses and normalises the nine booking platforms' responses
//! (Doctolib, Keldoc, Maiia, Ordoclic, Mapharma, AvecMonDoc, mesoigner, Bimedoc, Valwin)
//! into Vigie's model of [`Centre`]s and [`Slot`]s, and aggregates a centre's slots
//! ([`aggregate`]: next slot, count, daily counts per tag and vaccine).
//!
//! **Invariants:** no I/O, no network, no clock (the time is an argument), no panics on
//! input: every parser returns a typed [`SlotError`]. Every slot instant is a
//! [`jiff::Zoned`] in the centre's zone with its real UTC offset; each platform module
//! documents how that platform writes times. The HTTP layer plugs in through
//! [`connector::Connector`].

pub mod canned;
pub mod centres;
pub mod connector;
pub mod discovery;
pub mod error;
pub mod model;
pub mod normalise;
pub mod platforms;
pub mod time;

pub use centres::{CentreRecord, CentreSource, ListError, MergedCentre};
pub use connector::{
    Connector, ConnectorConfig, Exchange, Flow, Method, Request, ScanTarget, Step,
};
pub use discovery::{Discovered, Discovery, DiscoveryFlow, DiscoveryStep};
pub use error::SlotError;
pub use model::{
    Aggregate, Centre, CentreType, Coordinates, DEFAULT_DAYS, DailyCount, Dose, OpeningHours,
    Platform, Provenance, ScanOutcome, Slot, Tag, Vaccine, aggregate,
};
pub use platforms::connector;
