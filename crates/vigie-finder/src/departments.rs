//! The 102 departments of ViteMaDose's `departements.json`: the 101 departments of the
//! territory reference of `vigie-core` (INSEE names and regions) in the reference order
//! (01…29, 2A, 2B, 30…95, 971–976), and `om`, "Collectivités d'Outremer", region −1.

use std::sync::OnceLock;

/// One department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub code: String,
    pub name: String,
    pub region_code: i32,
    pub region_name: String,
}

/// The 102 departments, in the reference order (01…95 with 2A/2B, 971–976, `om`).
pub fn departments() -> &'static [Department] {
    static DEPS: OnceLock<Vec<Department>> = OnceLock::new();
    DEPS.get_or_init(|| {
        let r = vigie_core::territory::reference();
        let mut deps: Vec<Department> = r
            .departments()
            .iter()
            .map(|&id| {
                let d = r.get(id);
                let region = d.region.map(|g| r.get(g));
                Department {
                    code: d.code.clone(),
                    name: d.name.clone(),
                    region_code: region.and_then(|g| g.code.parse().ok()).unwrap_or(-1),
                    region_name: region.map(|g| g.name.clone()).unwrap_or_default(),
                }
            })
            .collect();
        // Corsica between 29 and 30, as in the reference.
        deps.sort_by_key(|d| d.code.replace("2A", "29.A").replace("2B", "29.B"));
        deps.push(Department {
            code: "om".into(),
            name: "Collectivités d'Outremer".into(),
            region_code: -1,
            region_name: "Outremer".into(),
        });
        deps
    })
}

/// The department of a code (`"07"`, `"2A"`, `"om"`).
pub fn department(code: &str) -> Option<&'static Department> {
    departments().iter().find(|d| d.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_has_the_102_reference_rows() {
        let d = departments();
        assert_eq!(d.len(), 102);
        assert_eq!(d[0].code, "01");
        assert_eq!(
            department("2A").map(|d| d.name.as_str()),
            Some("Corse-du-Sud")
        );
        assert_eq!(department("om").map(|d| d.region_code), Some(-1));
        assert_eq!(department("976").map(|d| d.name.as_str()), Some("Mayotte"));
        let codes: Vec<&str> = d.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(&codes[27..32], ["29", "2A", "2B", "30", "31"]);
        assert_eq!(&codes[96..], ["971", "972", "973", "974", "976", "om"]);
        assert_eq!(
            department("07").map(|d| (d.region_code, d.region_name.as_str())),
            Some((84, "Auvergne-Rhône-Alpes"))
        );
    }

    /// Same rows as the scraper's `departements-france.csv`, read in place.
    #[test]
    fn same_rows_as_the_reference_table() {
        let Some(path) = vigie_testkit::shared("reference/departements-france.csv") else {
            return;
        };
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let reference: Vec<String> = text.lines().skip(1).map(str::to_string).collect();
        let ours: Vec<String> = departments()
            .iter()
            .map(|d| {
                format!(
                    "{},{},{:02},{}",
                    d.code, d.name, d.region_code, d.region_name
                )
            })
            .map(|l| l.replace(",-01,", ",-1,"))
            .collect();
        assert_eq!(ours, reference);
    }
}
