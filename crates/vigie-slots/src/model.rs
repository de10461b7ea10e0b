//! Vigie's slot model: centres, slots, doses, vaccines, tags, and the per-centre aggregation.

use std::collections::BTreeMap;
use std::fmt;

use jiff::Zoned;
use jiff::civil::{Date, Weekday};

/// The nine booking platforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Platform {
    Doctolib,
    Keldoc,
    Maiia,
    Ordoclic,
    Mapharma,
    AvecMonDoc,
    Mesoigner,
    Bimedoc,
    Valwin,
}

impl Platform {
    /// Every platform, in the reference's interleaving order.
    pub const ALL: [Platform; 9] = [
        Platform::Ordoclic,
        Platform::Mapharma,
        Platform::Maiia,
        Platform::AvecMonDoc,
        Platform::Mesoigner,
        Platform::Doctolib,
        Platform::Keldoc,
        Platform::Bimedoc,
        Platform::Valwin,
    ];

    /// Stable lower-case identifier (`doctolib`, `avecmondoc`, …).
    pub fn slug(self) -> &'static str {
        match self {
            Platform::Doctolib => "doctolib",
            Platform::Keldoc => "keldoc",
            Platform::Maiia => "maiia",
            Platform::Ordoclic => "ordoclic",
            Platform::Mapharma => "mapharma",
            Platform::AvecMonDoc => "avecmondoc",
            Platform::Mesoigner => "mesoigner",
            Platform::Bimedoc => "bimedoc",
            Platform::Valwin => "valwin",
        }
    }

    /// The name ViteMaDose published (`plateforme`, exact casing).
    pub fn reference_name(self) -> &'static str {
        match self {
            Platform::Doctolib => "Doctolib",
            Platform::Keldoc => "Keldoc",
            Platform::Maiia => "Maiia",
            Platform::Ordoclic => "Ordoclic",
            Platform::Mapharma => "Mapharma",
            Platform::AvecMonDoc => "AvecMonDoc",
            Platform::Mesoigner => "mesoigner",
            Platform::Bimedoc => "Bimedoc",
            Platform::Valwin => "Valwin",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// What kind of place a centre is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CentreType {
    VaccinationCentre,
    Pharmacy,
    GeneralPractitioner,
    Hospital,
    Other,
}

impl CentreType {
    /// The reference's `type` value (`vaccination-center`, `drugstore`, `general-practitioner`);
    /// hospitals were published as vaccination centres; `Other` had no value.
    pub fn reference_name(self) -> Option<&'static str> {
        match self {
            CentreType::VaccinationCentre | CentreType::Hospital => Some("vaccination-center"),
            CentreType::Pharmacy => Some("drugstore"),
            CentreType::GeneralPractitioner => Some("general-practitioner"),
            CentreType::Other => None,
        }
    }
}

/// A vaccine, as recognised from motive/reason/campaign names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Vaccine {
    PfizerBioNTech,
    Moderna,
    /// An mRNA vaccine whose brand the platform does not say (Pfizer or Moderna).
    Mrna,
    AstraZeneca,
    Janssen,
    Novavax,
}

impl Vaccine {
    /// Stable identifier: `pfizer-biontech`, `moderna`, `mrna`, `astrazeneca`, `janssen`, `novavax`.
    pub fn slug(self) -> &'static str {
        match self {
            Vaccine::PfizerBioNTech => "pfizer-biontech",
            Vaccine::Moderna => "moderna",
            Vaccine::Mrna => "mrna",
            Vaccine::AstraZeneca => "astrazeneca",
            Vaccine::Janssen => "janssen",
            Vaccine::Novavax => "novavax",
        }
    }

    /// The name ViteMaDose published (`Pfizer-BioNTech`, `ARNm`, …).
    pub fn reference_name(self) -> &'static str {
        match self {
            Vaccine::PfizerBioNTech => "Pfizer-BioNTech",
            Vaccine::Moderna => "Moderna",
            Vaccine::Mrna => "ARNm",
            Vaccine::AstraZeneca => "AstraZeneca",
            Vaccine::Janssen => "Janssen",
            Vaccine::Novavax => "Novavax",
        }
    }

    /// Booster doses were offered with mRNA vaccines only (reference
    /// `vaccines_allowed_for_booster`).
    pub fn allows_booster(self) -> bool {
        matches!(
            self,
            Vaccine::PfizerBioNTech | Vaccine::Moderna | Vaccine::Mrna
        )
    }
}

/// One possible dose rank of a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dose {
    First,
    Second,
    /// Third dose or later ("rappel").
    Booster,
    /// First dose for children (5–11 years).
    KidsFirst,
}

impl Dose {
    /// The reference's dose name (`"1"`, `"2"`, `"3"`, `"1_kid"`).
    pub fn reference_name(self) -> &'static str {
        match self {
            Dose::First => "1",
            Dose::Second => "2",
            Dose::Booster => "3",
            Dose::KidsFirst => "1_kid",
        }
    }

    /// The dose of a reference name ([`Dose::reference_name`]).
    pub fn from_reference_name(name: &str) -> Option<Dose> {
        [Dose::First, Dose::Second, Dose::Booster, Dose::KidsFirst]
            .into_iter()
            .find(|d| d.reference_name() == name)
    }
}

/// Daily-count tags: a slot counts **at most once** per tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tag {
    /// Every slot.
    All,
    /// Slots that can be booked as a first dose.
    First,
    /// Slots that can be booked as a second dose.
    Second,
    /// Slots that can be booked as a first or second dose (the reference's
    /// `first_or_second_dose`, counted once per slot).
    FirstOrSecond,
    /// Children's first dose (`kids_first_dose`).
    KidsFirst,
    /// Booster (`third_dose`).
    Booster,
    /// Slots whose dose is not known (`unknown_dose`).
    Unknown,
}

impl Tag {
    pub const ALL_TAGS: [Tag; 7] = [
        Tag::All,
        Tag::First,
        Tag::Second,
        Tag::FirstOrSecond,
        Tag::KidsFirst,
        Tag::Booster,
        Tag::Unknown,
    ];

    /// `all`, `first_dose`, `second_dose`, `first_or_second_dose`, `kids_first_dose`,
    /// `third_dose`, `unknown_dose` (the reference's names where it had the tag).
    pub fn slug(self) -> &'static str {
        match self {
            Tag::All => "all",
            Tag::First => "first_dose",
            Tag::Second => "second_dose",
            Tag::FirstOrSecond => "first_or_second_dose",
            Tag::KidsFirst => "kids_first_dose",
            Tag::Booster => "third_dose",
            Tag::Unknown => "unknown_dose",
        }
    }

    /// Whether a slot offering `doses` carries this tag.
    pub fn matches(self, doses: &[Dose]) -> bool {
        match self {
            Tag::All => true,
            Tag::First => doses.contains(&Dose::First),
            Tag::Second => doses.contains(&Dose::Second),
            Tag::FirstOrSecond => doses.contains(&Dose::First) || doses.contains(&Dose::Second),
            Tag::KidsFirst => doses.contains(&Dose::KidsFirst),
            Tag::Booster => doses.contains(&Dose::Booster),
            Tag::Unknown => doses.is_empty(),
        }
    }
}

/// A bookable slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// Start instant, in the centre's zone (its real UTC offset).
    pub start: Zoned,
    /// Possible dose ranks; empty = unknown.
    pub doses: Vec<Dose>,
    /// The vaccine, when the platform says it.
    pub vaccine: Option<Vaccine>,
    /// Where to book this slot.
    pub booking_url: std::sync::Arc<str>,
    /// Number of bookable places at this time (Mapharma `places_dispo`, mesoigner
    /// `number_of_slots`; 1 elsewhere). Counts are sums of places.
    pub places: u32,
}

/// Longitude and latitude (WGS 84). Zero is a valid coordinate (Greenwich crosses France).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    pub longitude: f64,
    pub latitude: f64,
}

/// Opening hours of one weekday: ranges as the platform wrote them (`"08:00-12:00"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHours {
    pub day: Weekday,
    pub ranges: Vec<String>,
}

/// Where a centre record comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub platform: Platform,
    /// The kind of document it was read from (e.g. `"ordoclic search"`).
    pub document: &'static str,
    /// The platform's own id of the place.
    pub platform_id: String,
}

/// A vaccination place.
#[derive(Debug, Clone, PartialEq)]
pub struct Centre {
    /// Stable id, `<platform slug>:<platform id>` (e.g. `bimedoc:9cf46288-…`).
    pub id: String,
    pub name: String,
    pub platform: Platform,
    pub booking_url: String,
    pub address: Option<String>,
    pub insee: Option<String>,
    pub postcode: Option<String>,
    pub department: Option<String>,
    pub coordinates: Option<Coordinates>,
    pub kind: CentreType,
    /// E.164 (`+33…`); short numbers (`3975`) kept as they are.
    pub phone: Option<String>,
    pub opening_hours: Vec<OpeningHours>,
    pub vaccines: Vec<Vaccine>,
    pub provenance: Provenance,
}

/// What one scan of one centre found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanOutcome {
    /// Bookable slots (de-duplicated by start, dose and vaccine).
    pub slots: Vec<Slot>,
    /// A "next availability" the platform announced without bookable slots in the window
    /// (Keldoc `date`, Ordoclic `nextAvailableSlotDate`, Maiia closest availability,
    /// Doctolib `next_slot`).
    pub next_hint: Option<Zoned>,
    /// Bookable by phone only.
    pub phone_only: bool,
    /// The platform's own total, when it sends one (informative; counts use the slots).
    pub platform_count: Option<u64>,
    /// Vaccines offered by the scanned motives (even without slots).
    pub vaccines: Vec<Vaccine>,
}

impl ScanOutcome {
    /// Adds slots, skipping exact duplicates (same start, doses, vaccine and URL).
    ///
    /// Linear in the slots held and added: candidates are the slots starting in the same
    /// second (an integer key, not hashed again), then compared whole (a scan of the list
    /// per slot was quadratic: 6.5 % of a Maiia scan of 7,182 slots per centre, issue 15).
    pub fn push_slots(&mut self, slots: impl IntoIterator<Item = Slot>) {
        use std::collections::HashMap;
        use std::hash::BuildHasherDefault;
        let key = |s: &Slot| s.start.timestamp().as_second();
        let mut seen: HashMap<i64, Vec<usize>, BuildHasherDefault<SecondHasher>> =
            HashMap::with_capacity_and_hasher(self.slots.len(), BuildHasherDefault::default());
        for (i, s) in self.slots.iter().enumerate() {
            seen.entry(key(s)).or_default().push(i);
        }
        for s in slots {
            let at = seen.entry(key(&s)).or_default();
            if at.iter().any(|&i| self.slots[i] == s) {
                continue;
            }
            at.push(self.slots.len());
            self.slots.push(s);
        }
    }

    pub(crate) fn add_vaccine(&mut self, v: Option<Vaccine>) {
        if let Some(v) = v
            && !self.vaccines.contains(&v)
        {
            self.vaccines.push(v);
        }
    }

    /// Adds what `other` found after what this outcome holds, as if its vaccines, slots and
    /// hint had been added here (a flow's branches are merged in their order).
    pub(crate) fn absorb(&mut self, other: ScanOutcome) {
        for v in other.vaccines {
            self.add_vaccine(Some(v));
        }
        if !other.slots.is_empty() {
            self.push_slots(other.slots);
        }
        if let Some(h) = other.next_hint {
            self.hint(h);
        }
        if let Some(c) = other.platform_count {
            self.platform_count = Some(self.platform_count.unwrap_or(0).saturating_add(c));
        }
        self.phone_only |= other.phone_only;
    }

    /// The earliest hint, keeping the earlier of the current and `hint`.
    pub(crate) fn hint(&mut self, hint: Zoned) {
        match &self.next_hint {
            Some(h) if *h <= hint => {}
            _ => self.next_hint = Some(hint),
        }
    }
}

/// The hasher of [`ScanOutcome::push_slots`]'s keys, seconds since the epoch: they are
/// already well spread, so the key is mixed by one multiplication instead of SipHash.
#[derive(Default)]
struct SecondHasher(u64);

impl std::hash::Hasher for SecondHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_i64(&mut self, n: i64) {
        self.0 = n.cast_unsigned().wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Slots of one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyCount {
    pub date: Date,
    /// Places on this day (= `by_tag[All]`).
    pub total: u32,
    /// Places per tag; every tag is present (0 when none).
    pub by_tag: BTreeMap<Tag, u32>,
    /// Places per vaccine (`None` = unknown vaccine); only vaccines seen.
    pub by_vaccine: BTreeMap<Option<Vaccine>, u32>,
}

/// Per-centre figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregate {
    /// Earliest slot at or after `now`.
    pub next: Option<Zoned>,
    /// Places at or after `now` (whatever the horizon).
    pub count: u32,
    /// One entry per date from `now`'s date to `now + days` (days + 1 entries), each slot
    /// on its own local date (the centre's zone).
    pub daily: Vec<DailyCount>,
    /// Vaccines of the counted slots, in order of first appearance.
    pub vaccines: Vec<Vaccine>,
}

/// The reference horizon: 11 days after today (12 daily entries).
pub const DEFAULT_DAYS: u16 = 11;

/// Aggregates one centre's slots relative to `now`: next slot, count and daily counts.
/// Slots starting before `now` are ignored. Pure: the clock is the `now` argument.
pub fn aggregate(slots: &[Slot], now: &Zoned, days: u16) -> Aggregate {
    let first = now.date();
    let mut daily: Vec<DailyCount> = (0..=i64::from(days))
        .map(|i| DailyCount {
            date: crate::time::add_days(first, i),
            total: 0,
            by_tag: Tag::ALL_TAGS.iter().map(|t| (*t, 0)).collect(),
            by_vaccine: BTreeMap::new(),
        })
        .collect();
    let mut next: Option<&Zoned> = None;
    let mut count = 0u32;
    let mut vaccines = Vec::new();
    for slot in slots.iter().filter(|s| s.start >= *now) {
        count = count.saturating_add(slot.places);
        if next.is_none_or(|n| slot.start < *n) {
            next = Some(&slot.start);
        }
        if let Some(v) = slot.vaccine
            && !vaccines.contains(&v)
        {
            vaccines.push(v);
        }
        let date = slot.start.date();
        if let Some(day) = daily.iter_mut().find(|d| d.date == date) {
            day.total = day.total.saturating_add(slot.places);
            for tag in Tag::ALL_TAGS {
                if tag.matches(&slot.doses)
                    && let Some(n) = day.by_tag.get_mut(&tag)
                {
                    *n = n.saturating_add(slot.places);
                }
            }
            let n = day.by_vaccine.entry(slot.vaccine).or_insert(0);
            *n = n.saturating_add(slot.places);
        }
    }
    Aggregate {
        next: next.cloned(),
        count,
        daily,
        vaccines,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn push_slots_skips_exact_duplicates_only() {
        let tz = crate::time::paris().unwrap();
        let at = |h: i8| {
            jiff::civil::date(2026, 12, 3)
                .at(h, 0, 0, 0)
                .to_zoned(tz.clone())
                .unwrap()
        };
        let slot = |h: i8, places: u32, url: &str| Slot {
            start: at(h),
            doses: vec![Dose::First],
            vaccine: Some(Vaccine::PfizerBioNTech),
            booking_url: url.into(),
            places,
        };
        let mut o = ScanOutcome::default();
        o.push_slots([slot(9, 1, "u"), slot(9, 1, "u"), slot(10, 1, "u")]);
        assert_eq!(o.slots.len(), 2);
        // Same instant, other places or URL: different slots; a repeat in a later call: skipped.
        o.push_slots([slot(9, 2, "u"), slot(9, 1, "v"), slot(10, 1, "u")]);
        assert_eq!(o.slots.len(), 4);
        // Order kept: first seen first.
        assert_eq!(o.slots[1].start, at(10));
        assert_eq!(&*o.slots[3].booking_url, "v");
    }

    #[test]
    fn dose_reference_names_round_trip() {
        let names: Vec<&str> = [Dose::First, Dose::Second, Dose::Booster, Dose::KidsFirst]
            .map(Dose::reference_name)
            .to_vec();
        assert_eq!(names, ["1", "2", "3", "1_kid"]);
        for n in names {
            assert_eq!(
                Dose::from_reference_name(n).map(Dose::reference_name),
                Some(n)
            );
        }
        assert_eq!(Dose::from_reference_name("4"), None);
    }

    fn slot(s: &str, zone: &str, doses: Vec<Dose>, places: u32) -> Slot {
        let tz = jiff::tz::TimeZone::get(zone).unwrap();
        Slot {
            start: s.parse::<jiff::Timestamp>().unwrap().to_zoned(tz),
            doses,
            vaccine: Some(Vaccine::Moderna),
            booking_url: "u".into(),
            places,
        }
    }

    #[test]
    fn aggregate_counts_once_per_tag_and_buckets_by_local_date() {
        let now: Zoned = "2021-05-26T00:00:00+02:00[Europe/Paris]".parse().unwrap();
        let slots = vec![
            // 23:30Z is 01:30 on the 27th in Paris (the reference put it on the 26th).
            slot(
                "2021-05-26T23:30:00Z",
                "Europe/Paris",
                vec![Dose::First, Dose::Second, Dose::Booster],
                1,
            ),
            slot("2021-05-27T08:00:00Z", "Europe/Paris", vec![], 3),
            slot("2021-05-25T08:00:00Z", "Europe/Paris", vec![Dose::First], 1), // past
            slot("2021-06-10T08:00:00Z", "Europe/Paris", vec![Dose::First], 1), // beyond 11 days
        ];
        let agg = aggregate(&slots, &now, DEFAULT_DAYS);
        assert_eq!(agg.daily.len(), 12);
        assert_eq!(agg.count, 5);
        assert_eq!(
            agg.next.unwrap().to_string(),
            "2021-05-27T01:30:00+02:00[Europe/Paris]"
        );
        assert_eq!(agg.daily[0].total, 0);
        let d = &agg.daily[1];
        assert_eq!(d.total, 4);
        assert_eq!(d.by_tag[&Tag::FirstOrSecond], 1);
        assert_eq!(d.by_tag[&Tag::Booster], 1);
        assert_eq!(d.by_tag[&Tag::Unknown], 3);
        assert_eq!(d.by_vaccine[&Some(Vaccine::Moderna)], 4);
    }

    #[test]
    fn overseas_zones() {
        use crate::time::{naive, zone_for_department};
        let tz = zone_for_department(Some("974")).unwrap();
        let z = naive(Platform::Valwin, "t", "2021-09-17T10:00:00", &tz).unwrap();
        assert_eq!(z.offset().seconds(), 4 * 3600);
        let tz = zone_for_department(Some("971")).unwrap();
        let z = naive(Platform::Valwin, "t", "2021-09-17T10:00:00", &tz).unwrap();
        assert_eq!(z.offset().seconds(), -4 * 3600);
        assert_eq!(
            crate::time::zone_name_for_department(Some("2A")),
            "Europe/Paris"
        );
    }
}
