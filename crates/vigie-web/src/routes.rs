//! The one route table of the site: it drives the router (which page a path is), the
//! navigation, the static export's file list, and every link through [`Urls`], which builds
//! root-relative URLs for the server and relative file URLs for the static export (so no
//! finished HTML is ever rewritten).

use crate::i18n::{Lang, Texts};
use crate::release::Release;

/// A page of the site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route<'a> {
    /// `/`.
    Home,
    /// `/territoires`.
    Territories,
    /// `/vaccination`.
    Vaccination,
    /// `/rendez-vous`.
    Slots,
    /// `/sources`.
    Sources,
    /// `/donnees`.
    OpenData,
    /// `/statistiques`.
    Statistics,
    /// `/a-propos`.
    About,
    /// `/licences`.
    Licences,
    /// `/territoire/{key}`.
    Territory(&'a str),
    /// `/monde` (`/en/world`).
    World,
    /// `/monde/{alpha3}` (`/en/world/{alpha3}`), as written in the path.
    WorldCountry(&'a str),
    /// `/contribuer`: the contribution forms (served by [`crate::contrib`]).
    Contribute,
    /// `/contributions`: the public register of decisions.
    Contributions,
    /// `/confidentialite`: what is kept and for how long.
    Privacy,
    /// `/moderation`: the moderators' pages.
    Moderation,
}

/// One row of the route table.
pub struct Entry {
    /// The page.
    pub route: Route<'static>,
    /// Its path without the language prefix.
    pub path: &'static str,
    /// Listed in the main navigation.
    pub in_nav: bool,
    /// Shows the live slot scan (rendered on each request, no release ETag).
    pub live_scan: bool,
    /// Its navigation label / title.
    pub label: fn(&Texts) -> &'static str,
    /// Written by the static export (the contribution pages need the server).
    pub exported: bool,
}

/// The fixed pages, in navigation order; `/territoire/{key}` and `/monde/{alpha3}` are the
/// parameterised routes. The world pages are the only ones whose English path differs
/// (`/en/world`, [`Route::path_in`]).
pub const TABLE: [Entry; 14] = [
    Entry {
        route: Route::Home,
        path: "/",
        in_nav: true,
        live_scan: false,
        label: |t| t.nav_home,
        exported: true,
    },
    Entry {
        route: Route::Territories,
        path: "/territoires",
        in_nav: true,
        live_scan: false,
        label: |t| t.nav_territories,
        exported: true,
    },
    Entry {
        route: Route::World,
        path: WORLD_FR,
        in_nav: true,
        live_scan: false,
        label: |t| t.nav_world,
        exported: true,
    },
    Entry {
        route: Route::Vaccination,
        path: "/vaccination",
        in_nav: true,
        live_scan: false,
        label: |t| t.nav_vaccination,
        exported: true,
    },
    Entry {
        route: Route::Slots,
        path: "/rendez-vous",
        in_nav: true,
        live_scan: true,
        label: |t| t.nav_slots,
        exported: true,
    },
    Entry {
        route: Route::Sources,
        path: "/sources",
        in_nav: true,
        live_scan: true,
        label: |t| t.nav_sources,
        exported: true,
    },
    Entry {
        route: Route::OpenData,
        path: "/donnees",
        in_nav: true,
        live_scan: false,
        label: |t| t.nav_open_data,
        exported: true,
    },
    Entry {
        route: Route::About,
        path: "/a-propos",
        in_nav: true,
        live_scan: false,
        label: |t| t.nav_about,
        exported: true,
    },
    Entry {
        route: Route::Statistics,
        path: "/statistiques",
        in_nav: false,
        live_scan: true,
        label: |t| t.nav_statistics,
        exported: true,
    },
    Entry {
        route: Route::Licences,
        path: "/licences",
        in_nav: false,
        live_scan: false,
        label: |t| t.nav_licences,
        exported: true,
    },
    Entry {
        route: Route::Contribute,
        path: "/contribuer",
        in_nav: false,
        live_scan: false,
        label: |t| t.nav_contribute,
        exported: false,
    },
    Entry {
        route: Route::Contributions,
        path: "/contributions",
        in_nav: false,
        live_scan: false,
        label: |t| t.nav_contributions,
        exported: false,
    },
    Entry {
        route: Route::Privacy,
        path: "/confidentialite",
        in_nav: false,
        live_scan: false,
        label: |t| t.nav_privacy,
        exported: false,
    },
    Entry {
        route: Route::Moderation,
        path: "/moderation",
        in_nav: false,
        live_scan: false,
        label: |t| t.nav_moderation,
        exported: false,
    },
];

/// Path prefix of the territory dashboards.
const TERRITORY: &str = "/territoire/";
/// The world page in French.
const WORLD_FR: &str = "/monde";
/// The world page in English.
const WORLD_EN: &str = "/world";

impl<'a> Route<'a> {
    /// The route of a path without the language prefix (trailing slash ignored); None for an
    /// unknown path. A territory key is not checked against the release here.
    pub fn parse(path: &'a str) -> Option<Route<'a>> {
        let p = if path.len() > 1 {
            path.trim_end_matches('/')
        } else {
            path
        };
        let p = if p.is_empty() { "/" } else { p };
        if let Some(key) = p.strip_prefix(TERRITORY) {
            return (!key.is_empty() && !key.contains('/')).then_some(Route::Territory(key));
        }
        if p == WORLD_EN {
            return Some(Route::World);
        }
        for world in [WORLD_FR, WORLD_EN] {
            if let Some(code) = p.strip_prefix(world).and_then(|r| r.strip_prefix('/')) {
                return (!code.is_empty() && !code.contains('/'))
                    .then_some(Route::WorldCountry(code));
            }
        }
        TABLE.iter().find(|e| e.path == p).map(|e| e.route)
    }

    /// The path in `lang` without the language prefix (`/monde/FRA`, `/world/FRA`).
    pub fn path_in(&self, lang: Lang) -> String {
        let world = match lang {
            Lang::Fr => WORLD_FR,
            Lang::En => WORLD_EN,
        };
        match self {
            Route::World => world.to_string(),
            Route::WorldCountry(code) => format!("{world}/{code}"),
            r => r.path(),
        }
    }

    /// The French path without the language prefix (`/territoire/DEP-07`, `/monde/FRA`).
    pub fn path(&self) -> String {
        match self {
            Route::Territory(key) => format!("{TERRITORY}{key}"),
            Route::WorldCountry(code) => format!("{WORLD_FR}/{code}"),
            r => TABLE
                .iter()
                .find(|e| e.route == *r)
                .map_or("/", |e| e.path)
                .to_string(),
        }
    }

    /// Whether the page shows the live slot scan.
    pub fn live_scan(&self) -> bool {
        TABLE.iter().any(|e| e.route == *self && e.live_scan)
    }
}

/// Every page path of a release in French (without the language prefix).
pub fn all_paths(release: &Release) -> Vec<String> {
    all_paths_in(release, Lang::Fr)
}

/// Every page path of a release in `lang` (without the language prefix), for the static
/// export: the fixed pages, the French territories' dashboards and the countries' pages.
pub fn all_paths_in(release: &Release, lang: Lang) -> Vec<String> {
    let mut v: Vec<String> = TABLE
        .iter()
        .filter(|e| e.exported)
        .map(|e| e.route.path_in(lang))
        .collect();
    for t in &release.territories {
        if !crate::release::is_world_level(&t.level) {
            v.push(Route::Territory(&t.key).path());
        } else if let Some(code) = country_code(t) {
            v.push(Route::WorldCountry(code).path_in(lang));
        }
    }
    v
}

/// The alpha-3 code of a country of the world (`FRA`), None for other territories.
pub fn country_code(t: &crate::release::TerritorySummary) -> Option<&str> {
    (t.level == "world_country")
        .then(|| t.key.strip_prefix("ISO-"))
        .flatten()
}

/// The territory of a country page's code (`fra`, `FRA`), when the release has that country.
pub fn world_country<'r>(
    release: &'r Release,
    code: &str,
) -> Option<&'r crate::release::TerritorySummary> {
    let key = format!("ISO-{}", code.trim().to_ascii_uppercase());
    release
        .territory(&key)
        .filter(|t| t.level == "world_country")
}

/// The canonical spelling of a territory key (`dep-7` → `DEP-07`, `fr` → `FR`), if the
/// release has that territory.
pub fn canonical_territory(release: &Release, key: &str) -> Option<String> {
    if release.territory(key).is_some() {
        return Some(key.to_string());
    }
    let up = key.trim().to_ascii_uppercase();
    let fixed = match up.split_once('-') {
        Some((kind, code)) if code.len() == 1 && code.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{kind}-0{code}")
        }
        _ => up,
    };
    release.territory(&fixed).map(|t| t.key.clone())
}

/// Builds every URL of a page: root-relative on the server, relative to the page's file in
/// the static export (`../../territoire/DEP-01/index.html`, `../api/v1/map.json`).
#[derive(Clone, Copy, Debug)]
pub struct Urls {
    /// Language of the page.
    pub lang: Lang,
    /// Folders between the exported page and the site root; None on the live server.
    pub depth: Option<usize>,
}

impl Urls {
    /// URLs of a page served live.
    pub fn live(lang: Lang) -> Urls {
        Urls { lang, depth: None }
    }

    /// URLs of a page of the static export written at `rel_file` (`en/territoire/FR/index.html`).
    pub fn export(lang: Lang, rel_file: &str) -> Urls {
        Urls {
            lang,
            depth: Some(rel_file.matches('/').count()),
        }
    }

    fn root(&self) -> String {
        match self.depth {
            None => "/".into(),
            Some(0) => "./".into(),
            Some(d) => "../".repeat(d),
        }
    }

    /// A page in this page's language.
    pub fn page(&self, r: Route<'_>) -> String {
        self.page_in(self.lang, r)
    }

    /// A page in `lang`.
    pub fn page_in(&self, lang: Lang, r: Route<'_>) -> String {
        let path = format!("{}{}", lang.prefix(), r.path_in(lang));
        self.page_path(&path)
    }

    /// A page-like path (`/territoire` for the selector's form), as a URL.
    pub fn page_path(&self, path: &str) -> String {
        let p = path.trim_matches('/');
        match (self.depth, p.is_empty()) {
            (None, true) => "/".into(),
            (None, false) if path.ends_with('/') => format!("/{p}/"),
            (None, false) => format!("/{p}"),
            (Some(_), true) => format!("{}index.html", self.root()),
            (Some(_), false) => format!("{}{p}/index.html", self.root()),
        }
    }

    /// A static file of the site (`assets/vigie.css`, `charts/FR/cases.svg`, `open-data/…`).
    pub fn file(&self, rel: &str) -> String {
        format!("{}{}", self.root(), rel.trim_start_matches('/'))
    }

    /// A JSON API document (`api/v1/charts/FR`), published as `….json` in the export.
    pub fn api(&self, rel: &str) -> String {
        let rel = rel.trim_start_matches('/');
        match self.depth {
            None => format!("/{rel}"),
            Some(_) if rel.ends_with(".json") => self.file(rel),
            Some(_) => format!("{}{rel}.json", self.root()),
        }
    }

    /// Whether this is the static export.
    pub fn is_export(&self) -> bool {
        self.depth.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_paths() {
        assert_eq!(Route::parse("/"), Some(Route::Home));
        assert_eq!(Route::parse(""), Some(Route::Home));
        assert_eq!(Route::parse("/sources/"), Some(Route::Sources));
        assert_eq!(
            Route::parse("/territoire/DEP-07"),
            Some(Route::Territory("DEP-07"))
        );
        assert_eq!(Route::parse("/territoire/"), None);
        assert_eq!(Route::parse("/nope"), None);
        assert_eq!(Route::Territory("FR").path(), "/territoire/FR");
        assert_eq!(Route::Statistics.path(), "/statistiques");
        assert_eq!(Route::parse("/monde"), Some(Route::World));
        assert_eq!(Route::parse("/world/"), Some(Route::World));
        assert_eq!(Route::parse("/monde/fra"), Some(Route::WorldCountry("fra")));
        assert_eq!(Route::parse("/world/FRA"), Some(Route::WorldCountry("FRA")));
        assert_eq!(Route::parse("/monde/"), Some(Route::World));
        assert_eq!(Route::WorldCountry("FRA").path_in(Lang::En), "/world/FRA");
        assert_eq!(Urls::live(Lang::En).page(Route::World), "/en/world");
        assert_eq!(
            Urls::live(Lang::Fr).page(Route::WorldCountry("DEU")),
            "/monde/DEU"
        );
        assert!(Route::Slots.live_scan() && !Route::Home.live_scan());
        for e in &TABLE {
            assert_eq!(Route::parse(e.path), Some(e.route), "{}", e.path);
        }
    }

    #[test]
    fn urls_live_and_exported() {
        let live = Urls::live(Lang::En);
        assert_eq!(live.page(Route::Home), "/en/");
        assert_eq!(live.page_in(Lang::Fr, Route::Home), "/");
        assert_eq!(
            live.page(Route::Territory("DEP-01")),
            "/en/territoire/DEP-01"
        );
        assert_eq!(live.api("api/v1/charts/FR"), "/api/v1/charts/FR");
        assert_eq!(live.file("assets/vigie.css"), "/assets/vigie.css");
        let ex = Urls::export(Lang::En, "en/territoire/DEP-01/index.html");
        assert_eq!(
            ex.page(Route::Territory("DEP-01")),
            "../../../en/territoire/DEP-01/index.html"
        );
        assert_eq!(ex.page_in(Lang::Fr, Route::Home), "../../../index.html");
        assert_eq!(ex.api("api/v1/charts/FR"), "../../../api/v1/charts/FR.json");
        assert_eq!(
            ex.api("data/slots/status.json"),
            "../../../data/slots/status.json"
        );
        let home = Urls::export(Lang::Fr, "index.html");
        assert_eq!(home.file("charts/FR/cases.svg"), "./charts/FR/cases.svg");
        assert_eq!(home.page(Route::Sources), "./sources/index.html");
    }
}
