//! No HTML is assembled in Rust: every page is an askama template. This scan fails when a
//! string literal given to `format!`, `write!`, `writeln!` or `push_str` in a source file of
//! the crate contains an HTML tag (`<p`, `</li>`, `<br>`…).

use std::path::Path;

/// The string literals following each `format!(` / `write!(` / `writeln!(` / `push_str(` of
/// `src` (ordinary and raw literals, up to the closing parenthesis of the call).
fn builder_literals(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    for pat in [
        "format!(",
        "write!(",
        "writeln!(",
        "push_str(",
        "format_args!(",
    ] {
        let mut rest = src;
        while let Some(i) = rest.find(pat) {
            rest = &rest[i + pat.len()..];
            // The call's text up to its closing parenthesis (string contents skipped).
            let mut depth = 1usize;
            let mut in_str = false;
            let mut esc = false;
            let mut lit = String::new();
            for c in rest.chars() {
                if in_str {
                    if esc {
                        esc = false;
                        lit.push(c);
                    } else if c == '\\' {
                        esc = true;
                    } else if c == '"' {
                        in_str = false;
                        out.push(std::mem::take(&mut lit));
                    } else {
                        lit.push(c);
                    }
                    continue;
                }
                match c {
                    '"' => in_str = true,
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// Whether a literal contains an HTML tag: `<` (or `</`) followed by a letter, then a
/// tag-name character run ending in `>`, space or `/`.
fn has_tag(s: &str) -> bool {
    let b = s.as_bytes();
    (0..b.len()).any(|i| {
        if b[i] != b'<' {
            return false;
        }
        let mut j = i + 1;
        if b.get(j) == Some(&b'/') {
            j += 1;
        }
        let start = j;
        while b.get(j).is_some_and(u8::is_ascii_alphanumeric) {
            j += 1;
        }
        j > start
            && b[start].is_ascii_alphabetic()
            && matches!(b.get(j), Some(b'>' | b' ' | b'/') | None)
    })
}

fn rs_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn the_scanner_finds_tags() {
    let src = r#"let a = format!("<li class=\"x\">{}</li>", y); s.push_str("</ul>"); write!(s, "a < b and {x}")"#;
    let lits = builder_literals(src);
    assert_eq!(lits.len(), 3, "{lits:?}");
    let tagged: Vec<&String> = lits.iter().filter(|l| has_tag(l)).collect();
    assert_eq!(tagged.len(), 2, "{lits:?}");
    assert!(
        lits.iter().any(|l| l == "a < b and {x}" && !has_tag(l)),
        "a comparison is not a tag"
    );
    assert!(!has_tag("1 < 2"));
    assert!(has_tag("<br>"));
}

#[test]
fn no_html_tag_in_rust_string_builders() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rs_files(&src, &mut files);
    assert!(files.len() > 5, "{} source files", files.len());
    let mut offenders = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for lit in builder_literals(&text) {
            if has_tag(&lit) {
                offenders.push(format!("{}: {lit}", f.display()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "HTML built in Rust:\n{}",
        offenders.join("\n")
    );
}
