//! Distances and the planar projection used by the spatial index.

/// Mean Earth radius (km), as the ViteMaDose front used.
pub const EARTH_RADIUS_KM: f64 = 6371.0;

/// Great-circle distance in kilometres between two WGS 84 points (haversine).
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

/// Unit-sphere 3-D point of a coordinate (chord distance is monotonic in great-circle
/// distance, so the index can prune exactly with it everywhere, overseas included).
pub fn to_xyz(lat: f64, lon: f64) -> [f64; 3] {
    let (p, l) = (lat.to_radians(), lon.to_radians());
    [p.cos() * l.cos(), p.cos() * l.sin(), p.sin()]
}

/// Squared chord length (unit sphere) of a great-circle distance in km.
pub fn chord2_of_km(km: f64) -> f64 {
    let c = 2.0
        * (km / (2.0 * EARTH_RADIUS_KM))
            .min(std::f64::consts::FRAC_PI_2)
            .sin();
    c * c
}

/// Whether a coordinate is a usable WGS 84 position (finite, in range).
pub fn valid(lat: f64, lon: f64) -> bool {
    lat.is_finite()
        && lon.is_finite()
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon)
}
