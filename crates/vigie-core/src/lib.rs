//! Vigie's pure core: calendar dates, the territory reference, dense daily series and the
//! indicator maths.
//!
//! **Invariant:** no I/O, no async, no clock. Time ("now", "as of") is always a parameter;
//! the only data this crate holds is the embedded territory reference.

pub mod date;
pub mod indicator;
pub mod publish;
pub mod series;
pub mod territory;
pub mod wording;

pub use date::Date;
pub use indicator::{Align, Formula};
pub use publish::round_published;
pub use series::Series;
pub use territory::{CodeMapping, Level, Reference, Territory, TerritoryId, reference};
