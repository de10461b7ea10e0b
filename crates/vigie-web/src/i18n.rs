//! French (default) and English. English pages live under `/en/…` with the same slugs as the
//! French ones (`/en/territoire/DEP-07`), so every URL names one language and caches well.

/// Language of a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// French, served at the site root.
    Fr,
    /// English, served under `/en`.
    En,
}

impl Lang {
    /// Both languages, French first.
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// BCP 47 code for the `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// URL prefix of the pages in this language (`""` or `"/en"`).
    pub fn prefix(self) -> &'static str {
        match self {
            Lang::Fr => "",
            Lang::En => "/en",
        }
    }

    /// The other language (for the language switch).
    pub fn other(self) -> Lang {
        match self {
            Lang::Fr => Lang::En,
            Lang::En => Lang::Fr,
        }
    }

    /// Picks the string of this language.
    pub fn t<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// Splits a request path into its language and the path without the prefix.
    pub fn from_path(path: &str) -> (Lang, &str) {
        if path == "/en" {
            return (Lang::En, "/");
        }
        match path.strip_prefix("/en/") {
            Some(rest) => (Lang::En, &path[path.len() - rest.len() - 1..]),
            None => (Lang::Fr, path),
        }
    }

    /// A number in this language's convention (`1 234,5` or `1,234.5`).
    pub fn number(self, v: f64, decimals: usize) -> String {
        match self {
            Lang::Fr => crate::pages::fr_number(v, decimals),
            Lang::En => en_number(v, decimals),
        }
    }

    /// A date (`19/05/2020` or `2020-05-19`).
    pub fn date(self, iso: &str) -> String {
        match self {
            Lang::Fr => crate::pages::fr_date(iso),
            Lang::En => iso.to_string(),
        }
    }
}

/// English number: thousands separated by commas, decimal point.
pub fn en_number(v: f64, decimals: usize) -> String {
    crate::pages::fr_number(v, decimals)
        .replace(',', ".")
        .replace('\u{202f}', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_numbers() {
        assert_eq!(
            Lang::from_path("/en/territoire/FR"),
            (Lang::En, "/territoire/FR")
        );
        assert_eq!(Lang::from_path("/en"), (Lang::En, "/"));
        assert_eq!(Lang::from_path("/en/"), (Lang::En, "/"));
        assert_eq!(Lang::from_path("/entree"), (Lang::Fr, "/entree"));
        assert_eq!(Lang::from_path("/sources"), (Lang::Fr, "/sources"));
        assert_eq!(Lang::En.number(1234567.891, 1), "1,234,567.9");
        assert_eq!(Lang::Fr.number(1234.5, 1), "1\u{202f}234,5");
        assert_eq!(Lang::En.date("2020-05-19"), "2020-05-19");
    }
}
