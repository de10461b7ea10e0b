//! The vendored front-end files are exactly those listed in `assets/vendor/SHA256SUMS`
//! (written by `assets/vendor/vendor-assets.sh` from the pinned npm packages), each library
//! ships its licence, and the embedded copies are the same bytes.

use sha2::{Digest, Sha256};

#[test]
fn vendored_files_match_checksums() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/vendor");
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS"))?;
    let mut n = 0;
    for line in sums.lines().filter(|l| !l.trim().is_empty()) {
        let (hash, file) = line
            .split_once("  ")
            .ok_or_else(|| format!("bad line {line}"))?;
        let bytes = std::fs::read(dir.join(file))?;
        assert_eq!(format!("{:x}", Sha256::digest(&bytes)), hash, "{file}");
        n += 1;
    }
    assert_eq!(n, 14);
    for lib in ["leaflet-1.9.4", "uplot-1.6.32", "world-atlas-2.0.2"] {
        assert!(sums.contains(&format!("{lib}/LICENSE")), "{lib} licence");
    }
    for a in vigie_web::assets::VENDORED {
        let on_disk = std::fs::read(dir.join(a.path.trim_start_matches("vendor/")))?;
        assert_eq!(on_disk, a.bytes, "{}", a.path);
    }
    Ok(())
}
