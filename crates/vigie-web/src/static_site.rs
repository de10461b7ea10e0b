//! The whole site as static files (`vigie publish`): every page, the JSON API as files, the
//! open data and the charts, so that any static host or CDN can serve it with no server.
//!
//! Links are rewritten to relative ones (`../../territoire/DEP-01/index.html`), so the export
//! also works opened straight from the file system. Dynamic parts of the live server that have
//! no static equivalent: on-demand PNG (the build's PNGs are copied) and "as of" queries.

use std::fs;
use std::io;
use std::path::Path;

use crate::pages;
use crate::release::Release;

/// Rewrites root-relative links of a page `depth` folders below the site root.
pub fn relativise(html: &str, depth: usize) -> String {
    let prefix = if depth == 0 {
        "./".to_string()
    } else {
        "../".repeat(depth)
    };
    let mut out = String::with_capacity(html.len() + 1024);
    let mut rest = html;
    while let Some(i) = rest.find("=\"/") {
        let (before, after) = rest.split_at(i + 2); // keep `="`
        out.push_str(before);
        let after = &after[1..]; // drop the leading `/`
        let end = after.find('"').unwrap_or(after.len());
        let target = &after[..end];
        let last = target.rsplit('/').next().unwrap_or("");
        out.push_str(&prefix);
        if target.is_empty() {
            out.push_str("index.html");
        } else if last.contains('.') {
            out.push_str(target);
        } else if target.starts_with("api/") {
            // The JSON API is published as files.
            out.push_str(target);
            out.push_str(".json");
        } else {
            out.push_str(target.trim_end_matches('/'));
            out.push_str("/index.html");
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

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

/// Writes the site into `out` (an empty directory); returns the number of files.
pub fn export(release: &Release, demo: bool, out: &Path) -> io::Result<usize> {
    let mut n = 0;
    let mut page = |rel: &str, depth: usize, html: String| -> io::Result<()> {
        n += 1;
        write(out, rel, relativise(&html, depth).as_bytes())
    };
    page("index.html", 0, pages::home(release, demo))?;
    page(
        "territoires/index.html",
        1,
        pages::territories(release, demo),
    )?;
    page("sources/index.html", 1, pages::sources(release, demo))?;
    page("donnees/index.html", 1, pages::open_data(release, demo))?;
    page("404.html", 0, pages::not_found(release, demo))?;
    for t in &release.territories {
        page(
            &format!("territoire/{}/index.html", t.key),
            2,
            pages::dashboard(release, demo, t),
        )?;
    }
    write(out, "assets/vigie.css", crate::CSS.as_bytes())?;
    n += 1;
    // The JSON API as files.
    let mut manifest = release.manifest.clone();
    manifest["demo"] = serde_json::json!(demo);
    write(
        out,
        "api/v1/release.json",
        serde_json::to_string_pretty(&manifest)
            .unwrap_or_default()
            .as_bytes(),
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
    n += 5;
    n += copy_tree(
        &release.dir.join("open-data/territories"),
        &out.join("api/v1/territories"),
    )?;
    n += copy_tree(&release.dir.join("open-data"), &out.join("open-data"))?;
    n += copy_tree(&release.dir.join("charts"), &out.join("charts"))?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_become_relative() {
        let html = r#"<a href="/">x</a><a href="/territoire/DEP-01">y</a><link href="/assets/vigie.css"><img src="/charts/FR/cases.svg"><a href="https://example.org/">e</a><a href="/api/v1/territories/FR">j</a>"#;
        assert_eq!(
            relativise(html, 2),
            r#"<a href="../../index.html">x</a><a href="../../territoire/DEP-01/index.html">y</a><link href="../../assets/vigie.css"><img src="../../charts/FR/cases.svg"><a href="https://example.org/">e</a><a href="../../api/v1/territories/FR.json">j</a>"#
        );
        assert!(relativise(html, 0).contains(r#"href="./territoire/DEP-01/index.html""#));
    }
}
