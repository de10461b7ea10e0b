//! The whole site as static files (`vigie publish`): every page, the JSON API as files, the
//! open data and the charts, so that any static host or CDN can serve it with no server.
//!
//! Pages are rendered with relative links (`../../territoire/DEP-01/index.html`, built by
//! [`crate::routes::Urls`] for the file each page is written to), so the export also works
//! opened straight from the file system. Dynamic parts of the live server that have
//! no static equivalent: on-demand PNG (the build's PNGs are copied), "as of" queries and the
//! slot search, which runs in the browser over per-department files ([`export_with_slots`],
//! docs/slots-api.md). The data the scripts read are also written as `.json.js` twins, so the
//! map, the charts and the slot search work over `file://`.

use std::fs;
use std::io;
use std::path::Path;

use vigie_finder::static_site as static_slots;
use vigie_finder::{PlaceKind, Places, Snapshot};

use crate::i18n::Lang;
use crate::release::Release;
use crate::routes::Urls;
use crate::slots::SearchParams;
use crate::{assets, data, pages};

fn write(root: &Path, rel: &str, bytes: &[u8]) -> io::Result<()> {
    let p = root.join(rel);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(p, bytes)
}

fn copy_tree(from: &Path, to: &Path) -> io::Result<usize> {
    let mut n = 0;
    if !from.is_dir() {
        return Ok(0);
    }
    fs::create_dir_all(to)?;
    for e in fs::read_dir(from)? {
        let e = e?;
        let dest = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            n += copy_tree(&e.path(), &dest)?;
        } else {
            fs::copy(e.path(), dest)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Writes `rel` and, for the pages' scripts opened over `file://` (where `fetch` is refused), a
/// `rel.js` twin that registers the same JSON under its own URL.
fn write_json(root: &Path, rel: &str, bytes: &[u8]) -> io::Result<usize> {
    write(root, rel, bytes)?;
    let mut js = Vec::with_capacity(bytes.len() + 120);
    js.extend_from_slice(
        b"(window.VIGIE_JSONP=window.VIGIE_JSONP||{})[document.currentScript.src.replace(/\\.js$/,'')]=",
    );
    js.extend_from_slice(bytes);
    js.extend_from_slice(b";\n");
    write(root, &format!("{rel}.js"), &js)?;
    Ok(2)
}

/// Writes the site into `out` (an empty directory); returns the number of files. The slot
/// finder page of this export has no data: see [`export_with_slots`].
pub fn export(release: &Release, demo: bool, out: &Path) -> io::Result<usize> {
    export_with_slots(release, demo, None, out)
}

/// Copies the live scan's ViteMaDose v2 files (`<scan>/vitemadose/` → `out/vitemadose/`) and
/// its slot open data (`<scan>/open-data/` → `out/slots/open-data/`): the paths `vigie serve`
/// answers, so a ViteMaDose front-end reads a static export as it reads a server. Returns the
/// number of files.
pub fn write_scan_files(scan_dir: &Path, out: &Path) -> io::Result<usize> {
    fn copy_tree(from: &Path, to: &Path) -> io::Result<usize> {
        let mut n = 0;
        fs::create_dir_all(to)?;
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry.file_type()?;
            if kind.is_dir() {
                n += copy_tree(&entry.path(), &to.join(&name))?;
            } else if kind.is_file() {
                fs::copy(entry.path(), to.join(&name))?;
                n += 1;
            }
        }
        Ok(n)
    }
    let mut n = 0;
    for (from, to) in [
        ("vitemadose", "vitemadose"),
        ("open-data", "slots/open-data"),
    ] {
        let src = scan_dir.join(from);
        if src.is_dir() {
            n += copy_tree(&src, &out.join(to))?;
        }
    }
    Ok(n)
}

/// The files of the in-browser slot search (docs/slots-api.md, "Static export"), each with
/// its `.js` twin: `data/slots/departments/<dep>.json`, `data/slots/status.json`,
/// `data/places/<prefix>.json`, and `data/slots/index.json` (per department: its number of
/// centres and the bounding box of their coordinates, so that a search beyond the 50 km of
/// `departments_near` knows which departments to load). Postcode entries of the prefix files
/// also carry `departments_near`.
pub fn write_slot_files(snapshot: &Snapshot, out: &Path) -> io::Result<usize> {
    let mut n = 0;
    let mut index = serde_json::Map::new();
    for (code, file) in static_slots::department_files(snapshot) {
        let mut bbox: Option<[f64; 4]> = None;
        for c in &file.centres {
            if let (Some(la), Some(lo)) = (c.latitude, c.longitude) {
                let b = bbox.get_or_insert([la, lo, la, lo]);
                b[0] = b[0].min(la);
                b[1] = b[1].min(lo);
                b[2] = b[2].max(la);
                b[3] = b[3].max(lo);
            }
        }
        index.insert(
            code.to_string(),
            serde_json::json!({"centres": file.centres.len(), "bbox": bbox}),
        );
        n += write_json(
            out,
            &format!("data/slots/departments/{code}.json"),
            to_json(&file).as_bytes(),
        )?;
    }
    n += write_json(
        out,
        "data/slots/status.json",
        to_json(&static_slots::status_file(snapshot)).as_bytes(),
    )?;
    let idx = serde_json::json!({
        "generated_at": snapshot.generated_at,
        "days": snapshot.days,
        "near_km": static_slots::NEAR_KM,
        "departments": index,
    });
    n += write_json(out, "data/slots/index.json", idx.to_string().as_bytes())?;
    let places = Places::embedded().map_err(io::Error::other)?;
    for (prefix, mut hits) in static_slots::places_prefix_files(places) {
        if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        for h in hits
            .iter_mut()
            .filter(|h| h.kind == PlaceKind::Postcode && h.departments_near.is_none())
        {
            let mut near = places.departments_near(h.latitude, h.longitude, static_slots::NEAR_KM);
            if let Some(d) = &h.department
                && !near.contains(d)
            {
                near.push(d.clone());
                near.sort();
            }
            h.departments_near = Some(near);
        }
        n += write_json(
            out,
            &format!("data/places/{prefix}.json"),
            to_json(&hits).as_bytes(),
        )?;
    }
    Ok(n)
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Writes the public register of citizen contributions into the export: `contributions.csv`
/// (also under `open-data/`), `contributions.atom` and `api/v1/contributions.json` (the
/// answer of `GET /api/v1/contributions`); returns the number of files.
pub fn write_register(
    entries: &[vigie_contributions::RegisterEntry],
    now_rfc3339: &str,
    out: &Path,
) -> io::Result<usize> {
    let other = |e: String| io::Error::other(e);
    let csv = vigie_contributions::register::csv(entries).map_err(|e| other(e.to_string()))?;
    let atom = crate::contrib::atom(entries, now_rfc3339).map_err(|e| other(e.to_string()))?;
    let json = serde_json::to_vec(&crate::contrib::RegisterAnswer {
        count: entries.len(),
        entries: entries.to_vec(),
    })
    .map_err(|e| other(e.to_string()))?;
    for (rel, bytes) in [
        ("contributions.csv", &csv),
        ("open-data/contributions.csv", &csv),
        ("contributions.atom", &atom.into_bytes()),
        ("api/v1/contributions.json", &json),
    ] {
        let path = out.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(path, bytes)?;
    }
    Ok(4)
}

/// Writes the site into `out` (an empty directory) with, when a slot snapshot is given, the
/// files of the in-browser slot search ([`write_slot_files`]); returns the number of files.
pub fn export_with_slots(
    release: &Release,
    demo: bool,
    snapshot: Option<&Snapshot>,
    out: &Path,
) -> io::Result<usize> {
    let mut n = 0;
    if let Some(snap) = snapshot {
        n += write_slot_files(snap, out)?;
    }
    let none = SearchParams::default();
    for lang in Lang::ALL {
        let ctx_for = |rel: &str| pages::Ctx {
            release,
            demo,
            lang,
            slots: None,
            now: None,
            export: true,
            urls: Urls::export(lang, rel),
            contrib: None,
        };
        for path in pages::all_paths_in(release, lang) {
            let full = format!("{}{}", lang.prefix(), path);
            let dir = full.trim_matches('/');
            let rel = if dir.is_empty() {
                "index.html".to_string()
            } else {
                format!("{dir}/index.html")
            };
            let Some(html) =
                pages::render(&ctx_for(&rel), &path, &none).map_err(io::Error::other)?
            else {
                continue;
            };
            write(out, &rel, html.as_bytes())?;
            n += 1;
        }
        let rel = format!("{}/404.html", lang.prefix().trim_start_matches('/'));
        let rel = rel.trim_start_matches('/');
        let html = pages::not_found(&ctx_for(rel)).map_err(io::Error::other)?;
        write(out, rel, html.as_bytes())?;
        n += 1;
    }
    for (path, _, bytes) in assets::all() {
        write(out, &format!("assets/{path}"), bytes)?;
        n += 1;
    }
    write(out, "assets/vigie.css", assets::css())?;
    n += 1;
    // The JSON API as files.
    let status = vigie_contracts::release::DataStatus::from_demo(demo || release.is_demo());
    let mut manifest = release.manifest.clone();
    manifest.demo = status.is_demo();
    manifest.data_status = status;
    write(
        out,
        "api/v1/release.json",
        serde_json::to_string_pretty(&manifest)
            .unwrap_or_default()
            .as_bytes(),
    )?;
    write(
        out,
        "api/openapi.json",
        crate::api::openapi_json().as_bytes(),
    )?;
    fs::create_dir_all(out.join("api/v1/territories"))?;
    fs::copy(
        release.dir.join("open-data/territories.json"),
        out.join("api/v1/territories.json"),
    )?;
    for (name, file) in [
        ("sources", "sources.json"),
        ("checks", "checks.json"),
        ("data-dictionary", "data-dictionary.json"),
    ] {
        fs::copy(
            release.dir.join("open-data").join(file),
            out.join(format!("api/v1/{name}.json")),
        )?;
    }
    n += 6;
    n += copy_tree(
        &release.dir.join("open-data/territories"),
        &out.join("api/v1/territories"),
    )?;
    n += write_json(
        out,
        "api/v1/map.json",
        serde_json::to_string(&data::map_json(release, status))
            .unwrap_or_default()
            .as_bytes(),
    )?;
    for t in &release.territories {
        if let Some(v) = data::charts_json(release, &t.key, status) {
            n += write_json(
                out,
                &format!("api/v1/charts/{}.json", t.key),
                serde_json::to_string(&v).unwrap_or_default().as_bytes(),
            )?;
        }
    }
    if let Some(geo) = data::geo_path(release)
        .and_then(|p| fs::read_to_string(p).ok())
        .and_then(|t| data::simplify_geojson(&t))
    {
        n += write_json(out, "api/v1/geo/departments.json", geo.as_bytes())?;
    }
    n += write_world(release, status, out)?;
    n += copy_tree(&release.dir.join("open-data"), &out.join("open-data"))?;
    n += copy_tree(&release.dir.join("charts"), &out.join("charts"))?;
    // The chart and map specs with their `.js` twins, for the interactive charts over file://.
    for (key, ids) in &release.chart_index.charts {
        for id in ids {
            let rel = format!("charts/{key}/{id}.json");
            if let Ok(bytes) = fs::read(release.dir.join(&rel)) {
                n += write_json(out, &rel, &bytes)? - 1;
            }
        }
    }
    for id in &release.chart_index.maps {
        let rel = format!("charts/maps/{id}.json");
        if let Ok(bytes) = fs::read(release.dir.join(&rel)) {
            n += write_json(out, &rel, &bytes)? - 1;
        }
    }
    Ok(n)
}

/// The world's documents the pages read, as files: the choropleth of every source and
/// indicator, the default comparison of each (JSON and SVG), and every country's charts.
fn write_world(
    release: &Release,
    status: vigie_contracts::release::DataStatus,
    out: &Path,
) -> io::Result<usize> {
    use crate::world;
    let mut n = 0;
    let demo = status.is_demo();
    let defaults = world::WorldQuery::defaults(release);
    // The outlines, with a `.js` twin for the map over `file://`.
    let geo = format!(
        "vendor/world-atlas-{}/countries.geo.json",
        crate::assets::WORLD_ATLAS
    );
    if let Some((_, bytes)) = crate::assets::find(&geo) {
        n += write_json(out, &format!("assets/{geo}"), bytes)? - 1;
    }
    for s in &world::SOURCES {
        for ind in world::INDICATORS {
            let doc = world::map_doc(release, ind, s, status);
            if doc.map.values.is_empty() {
                continue;
            }
            n += write_json(
                out,
                &format!("api/v1/world/map/{}/{ind}.json", s.slug),
                to_json(&doc).as_bytes(),
            )?;
            if let Some(spec) = world::compare_spec(release, &defaults.countries, ind, s, demo) {
                let rel = format!("api/v1/world/compare/{}/{ind}", s.slug);
                n += write_json(out, &format!("{rel}.json"), to_json(&spec).as_bytes())?;
                let svg = vigie_charts::render_spec(&spec, vigie_contracts::Lang::Fr, 800, 400);
                write(out, &format!("{rel}.svg"), svg.as_bytes())?;
                n += 1;
            }
        }
    }
    for t in release
        .territories
        .iter()
        .filter(|t| t.level == "world_country")
    {
        for spec in world::country_specs(release, &t.key, demo) {
            let rel = format!("api/v1/world/charts/{}/{}", t.key, spec.id);
            n += write_json(out, &format!("{rel}.json"), to_json(&spec).as_bytes())?;
            let svg = vigie_charts::render_spec(&spec, vigie_contracts::Lang::Fr, 800, 400);
            write(out, &format!("{rel}.svg"), svg.as_bytes())?;
            n += 1;
        }
    }
    Ok(n)
}
