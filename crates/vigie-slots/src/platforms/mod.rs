//! One module per booking platform: pure parsers of its responses, its request URLs and its
//! [`crate::Connector`] flow. [`connector`] gives the flow of a platform, pointed at the
//! configured API origins.

pub mod avecmondoc;
pub mod bimedoc;
pub mod doctolib;
pub mod keldoc;
pub mod maiia;
pub mod mapharma;
pub mod mesoigner;
pub mod ordoclic;
pub mod valwin;

use crate::connector::{Connector, ConnectorConfig, Rebased};
use crate::model::Platform;

/// The scan flow of `platform`, sending its requests to the origins of `config` (the real
/// hosts by default).
pub fn connector(platform: Platform, config: &ConnectorConfig) -> Box<dyn Connector + Send + Sync> {
    match platform {
        Platform::Doctolib => Box::new(Rebased::new(doctolib::Doctolib, config)),
        Platform::Keldoc => Box::new(Rebased::new(keldoc::Keldoc::default(), config)),
        Platform::Maiia => Box::new(Rebased::new(maiia::Maiia::default(), config)),
        Platform::Ordoclic => Box::new(Rebased::new(ordoclic::Ordoclic, config)),
        Platform::Mapharma => Box::new(Rebased::new(mapharma::Mapharma::default(), config)),
        Platform::AvecMonDoc => Box::new(Rebased::new(avecmondoc::AvecMonDoc, config)),
        Platform::Mesoigner => Box::new(Rebased::new(mesoigner::Mesoigner, config)),
        Platform::Bimedoc => Box::new(Rebased::new(bimedoc::Bimedoc, config)),
        Platform::Valwin => Box::new(Rebased::new(valwin::Valwin, config)),
    }
}
