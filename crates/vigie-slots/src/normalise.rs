//! Recognition of vaccines and doses in free-text motive names, and phone numbers.
//!
//! The keyword lists follow the reference (ViteMaDose `get_vaccine_name`, Keldoc dose filters,
//! Maiia and AvecMonDoc dose parsers); the expected tables in
//! `../shared/data/slots/expected/normalisation_vaccines_doses.json` pin them. Vigie additions
//! (Novavax) are listed in `DEVIATIONS.md`.

use crate::model::{Dose, Vaccine};

const PFIZER: &[&str] = &["pfizer", "biontech", "pfizer-biontech", "comirnaty"];
const MODERNA: &[&str] = &["moderna", "spikevax"];
const MRNA: &[&str] = &["arn", "arnm", "arn-m", "arn m"];
const ASTRAZENECA: &[&str] = &[
    "astrazeneca",
    "astra-zeneca",
    "astra zeneca",
    "az",
    "astra",
    "vaxzevria",
];
const JANSSEN: &[&str] = &["janssen", "jansen", "jansenn", "janssenn", "johnson", "j&j"];
const NOVAVAX: &[&str] = &["novavax", "nuvaxovid"];

fn has_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

/// The vaccine named in a motive/reason/campaign/label, if any.
///
/// Lower-cases; "contre indications" → none; first hit in the order Pfizer-BioNTech, Moderna,
/// mRNA, AstraZeneca, Janssen, Novavax. An AstraZeneca hit becomes mRNA when the text speaks
/// of "moins de 55 ans" (a minus sign or "moins", "55" and "suite": second dose with mRNA
/// after a first AstraZeneca dose).
pub fn vaccine_from_name(name: &str) -> Option<Vaccine> {
    let text = name.to_lowercase();
    if text.contains("contre indications") {
        return None;
    }
    if has_any(&text, PFIZER) {
        return Some(Vaccine::PfizerBioNTech);
    }
    if has_any(&text, MODERNA) {
        return Some(Vaccine::Moderna);
    }
    if has_any(&text, MRNA) {
        return Some(Vaccine::Mrna);
    }
    if has_any(&text, ASTRAZENECA) {
        let minus = text.contains('-') || text.contains("moins");
        if minus && text.contains("55") && text.contains("suite") {
            return Some(Vaccine::Mrna);
        }
        return Some(Vaccine::AstraZeneca);
    }
    if has_any(&text, JANSSEN) {
        return Some(Vaccine::Janssen);
    }
    if has_any(&text, NOVAVAX) {
        return Some(Vaccine::Novavax);
    }
    None
}

/// The vaccine of a motive, falling back on its category name (Keldoc).
pub fn vaccine_from_names(name: &str, fallback: &str) -> Option<Vaccine> {
    vaccine_from_name(name).or_else(|| vaccine_from_name(fallback))
}

/// Possible ranks of a slot whose only known fact is its vaccine: boosters only with mRNA
/// vaccines (reference `vaccines_allowed_for_booster`).
pub fn possible_doses(vaccine: Option<Vaccine>) -> Vec<Dose> {
    match vaccine {
        Some(v) if v.allows_booster() => vec![Dose::First, Dose::Second, Dose::Booster],
        _ => vec![Dose::First, Dose::Second],
    }
}

/// Possible ranks of a slot offering several vaccines given by raw labels (mesoigner):
/// bivalent boosters (`BA.1`, `BA.5`) are booster-only; an empty list gives no rank.
pub fn possible_doses_for_labels<S: AsRef<str>>(labels: &[S]) -> Vec<Dose> {
    let mut out: Vec<Dose> = Vec::new();
    for label in labels {
        let l = label.as_ref().to_lowercase();
        let doses = if l.contains("ba.1") || l.contains("ba.5") {
            vec![Dose::Booster]
        } else {
            possible_doses(vaccine_from_name(&l))
        };
        for d in doses {
            if !out.contains(&d) {
                out.push(d);
            }
        }
    }
    out.sort();
    out
}

const KELDOC_KIDS: &[&str] = &[
    "11 ans",
    "5-11",
    "5 à 11",
    "enfant",
    "pédiatrique",
    "pediatrique",
];
const KELDOC_BOOSTER: &[&str] = &[
    "rappel",
    "3ème",
    "3eme",
    "3ème",
    "3e dose",
    "3e injection",
    "troisième",
    "troisieme",
    "booster",
    "dose 3",
    "injection 3",
];
const KELDOC_IMMUNO: &[&str] = &["immunod", "immuno-d", "greff", "immunosupp"];
const KELDOC_SECOND: &[&str] = &[
    "2ème",
    "2eme",
    "2nde",
    "2nd ",
    "deuxième",
    "deuxieme",
    "seconde",
    "second ",
    "injection 2",
    "dose 2",
    "inj2",
    "2e inj",
    "2e dose",
];
const KELDOC_FIRST: &[&str] = &[
    "1ère",
    "1ere",
    "1re",
    "première",
    "premiere",
    "injection 1",
    "dose 1",
    "inj1",
    "1 inj",
    "unique",
    "monodose",
    "unidose",
];

/// Keldoc: the dose of a motive from its name, or `None` when the motive is not a
/// vaccination motive we scan (the reference drops it). Priority: children's first dose,
/// booster (except immunocompromised boosters, dropped like the reference), second, first.
pub fn keldoc_dose(name: &str) -> Option<Dose> {
    let text = name.to_lowercase();
    if has_any(&text, KELDOC_KIDS) {
        return Some(Dose::KidsFirst);
    }
    if has_any(&text, KELDOC_BOOSTER) {
        if has_any(&text, KELDOC_IMMUNO) {
            return None;
        }
        return Some(Dose::Booster);
    }
    if has_any(&text, KELDOC_SECOND) {
        return Some(Dose::Second);
    }
    if has_any(&text, KELDOC_FIRST) {
        return Some(Dose::First);
    }
    None
}

/// Maiia: the dose of a reason from its name (used when `injectionType` is `NONE`): first
/// (`première`, `premiere`, `1`), then second (`deuxième`, `deuxieme`, `seconde`, `2`), then
/// booster (`rappel`, `troisième`, `troisieme`, `3`); the last hit wins, as in the reference.
pub fn maiia_dose_from_name(name: &str) -> Option<Dose> {
    let text = name.to_lowercase();
    let mut dose = None;
    if has_any(&text, &["première", "premiere", "1"]) {
        dose = Some(Dose::First);
    }
    if has_any(&text, &["deuxième", "deuxieme", "seconde", "2"]) {
        dose = Some(Dose::Second);
    }
    if has_any(&text, &["rappel", "troisième", "troisieme", "3"]) {
        dose = Some(Dose::Booster);
    }
    dose
}

/// AvecMonDoc: the dose of a reason (booster, then second, then first); empty when unknown.
pub fn avecmondoc_doses(reason: &str) -> Vec<Dose> {
    let text = reason.to_lowercase();
    if has_any(&text, &["rappel", "troisième", "troisieme", "3ème", "3eme"]) {
        vec![Dose::Booster]
    } else if has_any(
        &text,
        &["seconde", "deuxième", "deuxieme", "2ème", "2eme", "2nde"],
    ) {
        vec![Dose::Second]
    } else if has_any(&text, &["première", "premiere", "1ère", "1ere"]) {
        vec![Dose::First]
    } else {
        Vec::new()
    }
}

/// AvecMonDoc: whether a consultation reason is a COVID vaccination.
pub fn avecmondoc_reason_is_valid(reason: &str) -> bool {
    let text = reason.to_lowercase();
    has_any(
        &text,
        &[
            "injection covid",
            "injection vaccinale covid",
            "vaccination covid",
            "1ere vaccination astra",
            "injection monodose janssen",
            "injection vaccinale monodose janssen",
        ],
    )
}

/// Phone number in E.164 for French numbers: spaces, dots, dashes and parentheses removed;
/// `00…` → `+…`; a leading `0` → `+33…`; a 9-digit national number → `+33…`. Short numbers
/// (`3975`, `15`) and anything else are kept as written (the reference prefixed them with
/// `+33`, see `DEVIATIONS.md`). Empty → `None`.
pub fn phone_e164(raw: &str) -> Option<String> {
    let compact: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')' | '\u{a0}'))
        .collect();
    if compact.is_empty() {
        return None;
    }
    if let Some(rest) = compact.strip_prefix("00") {
        return Some(format!("+{rest}"));
    }
    if compact.starts_with('+') {
        return Some(compact);
    }
    let all_digits = compact.chars().all(|c| c.is_ascii_digit());
    if all_digits && compact.len() == 10 && compact.starts_with('0') {
        return Some(format!("+33{}", &compact[1..]));
    }
    if all_digits && compact.len() == 9 && !compact.starts_with('0') {
        return Some(format!("+33{compact}"));
    }
    Some(compact)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vaccines() {
        assert_eq!(
            vaccine_from_name("1ère injection Vaccin COVID +18 ANS  (Pfizer)"),
            Some(Vaccine::PfizerBioNTech)
        );
        assert_eq!(
            vaccine_from_name("Vaccination Covid +55ans AZ"),
            Some(Vaccine::AstraZeneca)
        );
        assert_eq!(
            vaccine_from_name(
                "2ème injection pour moins de 55 ans suite à première injection AstraAzeneca"
            ),
            Some(Vaccine::Mrna)
        );
        assert_eq!(vaccine_from_name("Contre indications Pfizer"), None);
        assert_eq!(vaccine_from_name("J&J unidose"), Some(Vaccine::Janssen));
        assert_eq!(vaccine_from_name("Vaccin Novavax"), Some(Vaccine::Novavax));
        assert_eq!(vaccine_from_name("Test Antigénique"), None);
    }

    #[test]
    fn doses() {
        assert_eq!(keldoc_dose("Injection 11 ans"), Some(Dose::KidsFirst));
        assert_eq!(keldoc_dose("Dose de rappel immunodéprimés"), None);
        assert_eq!(keldoc_dose("Rappel Pfizer"), Some(Dose::Booster));
        assert_eq!(keldoc_dose("Je suis une personne de + 70 ANS (PF)"), None);
        assert_eq!(
            maiia_dose_from_name("Vaccination 12-17 ans"),
            Some(Dose::Second)
        );
        assert_eq!(
            avecmondoc_doses("Rappel injection COVID"),
            vec![Dose::Booster]
        );
        assert_eq!(
            possible_doses_for_labels(&["Moderna BA.1"]),
            vec![Dose::Booster]
        );
    }

    #[test]
    fn phones() {
        assert_eq!(
            phone_e164("03 21 38 22 53").as_deref(),
            Some("+33321382253")
        );
        assert_eq!(phone_e164("0033321382253").as_deref(), Some("+33321382253"));
        assert_eq!(phone_e164("3975").as_deref(), Some("3975"));
        assert_eq!(phone_e164(" "), None);
    }
}
