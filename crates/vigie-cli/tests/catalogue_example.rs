//! The dataset example of `docs/catalogue.md`, added by configuration only: the build computes
//! its indicator and draws its chart and map layer, and the published site shows its KPI card,
//! chart and map layer — with no Rust.

use std::fs;
use std::path::Path;
use std::process::Command;

fn vigie() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vigie"))
}

#[test]
fn a_dataset_added_by_configuration_gets_its_card_chart_and_map_layer() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    fs::create_dir_all(&src).unwrap();
    fs::write(
        src.join("mpox.csv"),
        "departement,semaine_fin,cas\n01,2024-06-02,3\n01,2024-06-09,5\n07,2024-06-09,2\n2A,2024-06-09,1\n",
    )
    .unwrap();
    let doc =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/catalogue.md"))
            .unwrap();
    let toml = doc
        .split("```toml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the first TOML block of docs/catalogue.md");
    assert!(
        toml.contains("[[kpi]]") && toml.contains("[[chart]]") && toml.contains("[[map_layer]]")
    );
    let catalog = tmp.path().join("mpox.toml");
    fs::write(&catalog, toml).unwrap();
    let rel = tmp.path().join("rel");
    let run = vigie()
        .args(["build", "--sources"])
        .arg(&src)
        .arg("--out")
        .arg(&rel)
        .arg("--catalog")
        .arg(&catalog)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    // The chart spec and its SVG, from the catalogue entry.
    let spec: serde_json::Value =
        serde_json::from_slice(&fs::read(rel.join("charts/DEP-01/mpox.json")).unwrap()).unwrap();
    assert_eq!(spec["schema"], "vigie.chart.v1");
    assert_eq!(spec["series"][0]["indicator"], "mpox_rate");
    assert_eq!(spec["series"][0]["label"]["fr"], "Cas pour 100 000 hab.");
    assert_eq!(spec["series"][0]["color"], "#CC79A7");
    let last = spec["series"][0]["values"]
        .as_array()
        .and_then(|v| v.iter().rev().find_map(|x| x.as_f64()))
        .unwrap();
    assert!((last - 5.0 / 679_344.0 * 1e5).abs() < 1e-3, "{last}");
    let svg = fs::read_to_string(rel.join("charts/DEP-01/mpox.svg")).unwrap();
    assert!(
        svg.contains("Cas pour 100 000 hab."),
        "the SVG legend names the series"
    );
    // The map layer, with its classes.
    let map: serde_json::Value =
        serde_json::from_slice(&fs::read(rel.join("charts/maps/mpox_rate.json")).unwrap()).unwrap();
    assert_eq!(map["classes"].as_array().map(Vec::len), Some(6));
    assert!(map["values"]["07"].as_f64().is_some(), "{}", map["values"]);
    // The presentation published with the release carries the card.
    let pres = fs::read_to_string(rel.join("charts/presentation.json")).unwrap();
    assert!(pres.contains("\"Cas de mpox (semaine)\""));

    // The site shows the card, the chart and the layer.
    let site = tmp.path().join("site");
    let run = vigie()
        .args(["publish", "--release"])
        .arg(&rel)
        .arg("--to")
        .arg(&site)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let page = find_page(&site, "DEP-01").expect("the department page of Ain");
    let html = fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("data-indicator=\"mpox_rate\""),
        "KPI card in {}",
        page.display()
    );
    assert!(html.contains("Cas de mpox (semaine)"));
    assert!(html.contains("mpox.json"), "chart figure");
    assert!(html.contains("Mpox"), "map layer switch");
}

/// The HTML page of territory `key` in a static export (`…/departement/01/index.html` or the
/// like: found by the canonical link rather than guessed).
fn find_page(dir: &Path, key: &str) -> Option<std::path::PathBuf> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).ok()?.flatten() {
            let p = e.path();
            if p.is_dir() {
                if !p.ends_with("en") {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "html")
                && fs::read_to_string(&p)
                    .is_ok_and(|h| h.contains(&format!("charts/{key}/")) && h.contains("<h1"))
            {
                return Some(p);
            }
        }
    }
    None
}
