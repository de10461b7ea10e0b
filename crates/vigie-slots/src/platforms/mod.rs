//! One module per booking platform: pure parsers of its responses, its request URLs and,
//! where the flow is implemented, a [`crate::Connector`] (Doctolib, mesoigner, Bimedoc,
//! Valwin).

pub mod avecmondoc;
pub mod bimedoc;
pub mod doctolib;
pub mod keldoc;
pub mod maiia;
pub mod mapharma;
pub mod mesoigner;
pub mod ordoclic;
pub mod valwin;
