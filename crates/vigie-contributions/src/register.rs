//! The public register as open data: `contributions.csv` (columns in `docs/contributions.md`
//! and the data dictionary).

use crate::store::RegisterEntry;

/// The columns of `contributions.csv`, in order.
pub const CSV_COLUMNS: [&str; 10] = [
    "id",
    "kind",
    "object",
    "department",
    "status",
    "reason",
    "duplicate_of",
    "submitted_at",
    "decided_at",
    "moderator",
];

/// The register as CSV (comma-separated, UTF-8, RFC 4180 quoting), newest decision first.
pub fn csv(entries: &[RegisterEntry]) -> Result<Vec<u8>, crate::ContribError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| crate::ContribError::Export(e.to_string());
    w.write_record(CSV_COLUMNS).map_err(err)?;
    for e in entries {
        w.write_record([
            e.id.as_str(),
            e.kind.as_str(),
            &neutral(&e.object),
            e.department.as_deref().unwrap_or(""),
            e.status.as_str(),
            &neutral(e.reason.as_deref().unwrap_or("")),
            e.duplicate_of.as_deref().unwrap_or(""),
            &e.submitted_at,
            &e.decided_at,
            &e.moderator,
        ])
        .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| crate::ContribError::Export(e.to_string()))
}

/// A text cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@` first) gets a
/// leading apostrophe (OWASP's CSV injection advice): contributed text is data, never code.
fn neutral(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Status};

    #[test]
    fn formulas_are_neutralised_and_fields_quoted() {
        let e = RegisterEntry {
            id: "C-000001".into(),
            kind: Kind::MissingCentre,
            object: "=HYPERLINK(\"http://x\")".into(),
            department: Some("07".into()),
            status: Status::Rejected,
            reason: Some("pas un centre, \"faux\"".into()),
            duplicate_of: None,
            submitted_at: "2026-12-03T10:00:00Z".into(),
            decided_at: "2026-12-03T11:00:00Z".into(),
            moderator: "alice".into(),
        };
        let text = String::from_utf8(csv(&[e]).unwrap()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(CSV_COLUMNS.join(",").as_str()));
        let row = lines.next().unwrap();
        assert!(row.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{row}");
        assert!(row.contains("\"pas un centre, \"\"faux\"\"\""), "{row}");
    }
}
