//! Front-end files embedded in the binary: Vigie's stylesheet and script (served under a path
//! carrying a hash of their content) and the vendored libraries (under their version), all
//! cacheable forever. Vendored files are refreshed by `assets/vendor/vendor-assets.sh`, which
//! also writes `assets/vendor/SHA256SUMS`.

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// Path below `/assets/`.
    pub path: &'static str,
    /// Content type.
    pub content_type: &'static str,
    /// Bytes.
    pub bytes: &'static [u8],
}

/// Leaflet version vendored.
pub const LEAFLET: &str = "1.9.4";
/// uPlot version vendored.
pub const UPLOT: &str = "1.6.32";
/// world-atlas version of the vendored world map (Natural Earth countries as GeoJSON).
pub const WORLD_ATLAS: &str = "2.0.2";

const CSS_BYTES: &[u8] = include_bytes!("../assets/vigie.css");
const JS_BYTES: &[u8] = include_bytes!("../assets/vigie.js");
const ICON_BYTES: &[u8] = include_bytes!("../assets/favicon.svg");

/// The vendored libraries.
pub const VENDORED: &[Asset] = &[
    Asset {
        path: "vendor/leaflet-1.9.4/leaflet.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/vendor/leaflet-1.9.4/leaflet.js"),
    },
    Asset {
        path: "vendor/leaflet-1.9.4/leaflet.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/vendor/leaflet-1.9.4/leaflet.css"),
    },
    Asset {
        path: "vendor/leaflet-1.9.4/LICENSE",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../assets/vendor/leaflet-1.9.4/LICENSE"),
    },
    Asset {
        path: "vendor/leaflet-1.9.4/images/layers.png",
        content_type: "image/png",
        bytes: include_bytes!("../assets/vendor/leaflet-1.9.4/images/layers.png"),
    },
    Asset {
        path: "vendor/leaflet-1.9.4/images/layers-2x.png",
        content_type: "image/png",
        bytes: include_bytes!("../assets/vendor/leaflet-1.9.4/images/layers-2x.png"),
    },
    Asset {
        path: "vendor/leaflet-1.9.4/images/marker-icon.png",
        content_type: "image/png",
        bytes: include_bytes!("../assets/vendor/leaflet-1.9.4/images/marker-icon.png"),
    },
    Asset {
        path: "vendor/leaflet-1.9.4/images/marker-icon-2x.png",
        content_type: "image/png",
        bytes: include_bytes!("../assets/vendor/leaflet-1.9.4/images/marker-icon-2x.png"),
    },
    Asset {
        path: "vendor/leaflet-1.9.4/images/marker-shadow.png",
        content_type: "image/png",
        bytes: include_bytes!("../assets/vendor/leaflet-1.9.4/images/marker-shadow.png"),
    },
    Asset {
        path: "vendor/uplot-1.6.32/uPlot.iife.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/vendor/uplot-1.6.32/uPlot.iife.min.js"),
    },
    Asset {
        path: "vendor/uplot-1.6.32/uPlot.min.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/vendor/uplot-1.6.32/uPlot.min.css"),
    },
    Asset {
        path: "vendor/uplot-1.6.32/LICENSE",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../assets/vendor/uplot-1.6.32/LICENSE"),
    },
    Asset {
        path: "vendor/world-atlas-2.0.2/countries.geo.json",
        content_type: "application/geo+json",
        bytes: include_bytes!("../assets/vendor/world-atlas-2.0.2/countries.geo.json"),
    },
    Asset {
        path: "vendor/world-atlas-2.0.2/LICENSE",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../assets/vendor/world-atlas-2.0.2/LICENSE"),
    },
    Asset {
        path: "vendor/world-atlas-2.0.2/README.md",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../assets/vendor/world-atlas-2.0.2/README.md"),
    },
];

/// FNV-1a 64-bit: a stable, dependency-free content hash for cache-busting paths and ETags.
pub fn fnv64(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in *p {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn short_hash(bytes: &[u8]) -> String {
    format!("{:016x}", fnv64(&[bytes]))[..10].to_string()
}

/// `vigie-<hash>/vigie.css`, the path of the stylesheet below `/assets/`.
pub fn css_path() -> String {
    format!("vigie-{}/vigie.css", short_hash(CSS_BYTES))
}

/// `vigie-<hash>/vigie.js`, the path of the script below `/assets/`.
pub fn js_path() -> String {
    format!("vigie-{}/vigie.js", short_hash(JS_BYTES))
}

/// `vigie-<hash>/favicon.svg`, the path of the icon below `/assets/`.
pub fn icon_path() -> String {
    format!("vigie-{}/favicon.svg", short_hash(ICON_BYTES))
}

/// Every embedded file, Vigie's own first.
pub fn all() -> Vec<(String, &'static str, &'static [u8])> {
    let mut v = vec![
        (css_path(), "text/css; charset=utf-8", CSS_BYTES),
        (js_path(), "text/javascript; charset=utf-8", JS_BYTES),
        (icon_path(), "image/svg+xml", ICON_BYTES),
    ];
    v.extend(
        VENDORED
            .iter()
            .map(|a| (a.path.to_string(), a.content_type, a.bytes)),
    );
    v
}

/// An embedded file by its path below `/assets/`.
pub fn find(path: &str) -> Option<(&'static str, &'static [u8])> {
    if path == "vigie.css" {
        return Some(("text/css; charset=utf-8", CSS_BYTES));
    }
    all()
        .into_iter()
        .find(|(p, _, _)| p == path)
        .map(|(_, ct, b)| (ct, b))
}

/// The stylesheet (also used by the static export).
pub fn css() -> &'static [u8] {
    CSS_BYTES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_are_found_by_versioned_path() {
        assert!(find(&css_path()).is_some());
        assert!(find(&js_path()).is_some());
        assert!(find("vendor/leaflet-1.9.4/leaflet.js").is_some_and(|(_, b)| b.len() > 100_000));
        assert!(find("vendor/uplot-1.6.32/uPlot.iife.min.js").is_some());
        assert!(find("vendor/world-atlas-2.0.2/countries.geo.json").is_some());
        assert!(find("../Cargo.toml").is_none());
        assert_ne!(fnv64(&[b"a", b"bc"]), fnv64(&[b"ab", b"c"]));
    }
}
