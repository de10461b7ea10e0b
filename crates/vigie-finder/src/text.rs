//! Text folding for search: accents, case, hyphens, apostrophes and "saint"/"st".

/// Appends one character folded to lower-case ASCII (accents removed); separators become one
/// space.
fn fold_char(c: char, out: &mut String) {
    let s = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => "o",
        'œ' | 'Œ' => "oe",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => "y",
        _ => {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with(' ') && !out.is_empty() {
                // hyphens, apostrophes, spaces, dots and other signs separate words
                out.push(' ');
            }
            return;
        }
    };
    out.push_str(s);
}

/// Folds a name for matching: lower-case ASCII words separated by one space, accents
/// removed, `st`/`ste` expanded to `saint`/`sainte` ("St-Étienne" → "saint etienne").
pub fn fold(s: &str) -> String {
    let mut raw = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut raw);
    }
    let mut out = String::with_capacity(raw.len() + 8);
    for w in raw.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(match w {
            "st" => "saint",
            "ste" => "sainte",
            _ => w,
        });
    }
    out
}

/// The first `n` ASCII characters of a folded string, spaces removed (static prefix files).
pub fn prefix_key(folded: &str, n: usize) -> String {
    folded.chars().filter(|c| *c != ' ').take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_hyphens_and_saint() {
        assert_eq!(fold("Saint-Étienne"), "saint etienne");
        assert_eq!(fold("st étienne"), "saint etienne");
        assert_eq!(fold("L'Haÿ-les-Roses"), "l hay les roses");
        assert_eq!(fold("  Œuilly  "), "oeuilly");
        assert_eq!(fold("Ste-Foy"), "sainte foy");
        assert_eq!(prefix_key("l hay", 2), "lh");
    }
}
