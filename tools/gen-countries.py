#!/usr/bin/env python3
"""Regenerate crates/vigie-core/data/countries.csv, the embedded world territory reference.

One row per country or territory found in ANY of the three international sources, plus the
pseudo-countries (cruise ships, Olympic Games, WHO "international conveyance" rows) and the
aggregates (world, continents, WHO regions):
  - WHO `WHO-COVID-19-global-data.csv.gz`: every `Country_code` (and its `WHO_region`);
  - OWID `owid-covid-latest.csv`: every `iso_code` that is not `OWID_*`, plus `OWID_KOS` (Kosovo),
    with its `continent` and `population`;
  - JHU CSSE wide files (jhu_2020-10-31/ confirmed and deaths, confirmed 2022-03-31): every
    Country/Region or Province/State that is its own ISO 3166-1 territory (resolved by
    `resolve_jhu` below, which tools/gen-jhu-places.py reuses).
All read in place from ../shared/data/international/ (or $VIGIE_SHARED_DATA/international/).

ISO 3166-1 codes and names come from pycountry 26.2.16 (pip install --user pycountry==26.2.16),
French names through its gettext catalogue `iso3166-1` (locale fr, from iso-codes). pycountry's
names are then corrected by the NAME_FR / NAME_EN tables below: common names as a French
newspaper (or an English one) writes them, never the comma forms ("Corée, République de").
Kosovo (not in ISO 3166-1) is added by hand as XKX / XK, without a numeric code.

Population: OWID `population` (integer), empty where OWID lacks the territory.
population_year = 2022. Neither shared/reference/ nor shared/data/MANIFEST.md gives the year
(MANIFEST only says the column "serves as the country population table"). OWID's COVID dataset
took its populations from the UN World Population Prospects 2022 revision, medium variant, for
the year 2022 from November 2022 on (owid/covid-19-data commit 1939a7cd, cited by
CDCgov/SaviR#81), and the values here match WPP 2022 for 2022 up to float rounding in OWID's
file (United States 338289856, China 1425887360, India 1417173120). A few round figures are not
WPP values (France 67813000, Israel 9449000): presumably national estimates OWID substituted,
taken here as 2022 as well.

Usage: python3 tools/gen-countries.py [SHARED_DATA_DIR]
Writes the CSV (UTF-8, LF, RFC 4180 quoting only where needed) and prints a summary to stderr.
"""
import collections
import csv
import gettext
import gzip
import io
import os
import sys

import pycountry

PYCOUNTRY_VERSION = "26.2.16"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "crates", "vigie-core", "data", "countries.csv")
HEADER = ["key", "kind", "alpha3", "alpha2", "numeric", "who_code", "name_fr", "name_en",
          "continent", "who_region", "population", "population_year"]
POPULATION_YEAR = "2022"


def shared_root():
    if len(sys.argv) > 1:
        return sys.argv[1]
    return os.environ.get("VIGIE_SHARED_DATA") or os.path.join(HERE, "..", "..", "shared", "data")


def intl(name):
    return os.path.join(shared_root(), "international", name)


JHU_FILES = [
    "jhu_2020-10-31/time_series_covid19_confirmed_global.csv",
    "jhu_2020-10-31/time_series_covid19_deaths_global.csv",
    "time_series_covid19_confirmed_global_2022-03-31.csv.gz",
]


def open_text(path):
    if path.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def jhu_rows(rel):
    """Yields (country, province, row, header) of one JHU wide file."""
    with open_text(intl(rel)) as f:
        r = csv.reader(f)
        header = next(r)
        assert header[:2] == ["Province/State", "Country/Region"], header[:2]
        for row in r:
            yield row[1], row[0], row, header


# --- Kosovo: user-assigned code, not in ISO 3166-1 (WHO writes XK, OWID OWID_KOS) ------------
KOSOVO = {"alpha3": "XKX", "alpha2": "XK", "numeric": ""}

# --- pseudo-countries ------------------------------------------------------------------------
# key -> (name_fr, name_en). who_code / who_region come from the WHO file where it has the row.
PSEUDO = {
    "X-DIAMOND-PRINCESS": ("Diamond Princess", "Diamond Princess"),
    "X-GRAND-PRINCESS": ("Grand Princess", "Grand Princess"),
    "X-MS-ZAANDAM": ("MS Zaandam", "MS Zaandam"),
    "X-OLYMPICS-2020": ("Jeux olympiques d'été de 2020", "2020 Summer Olympics"),
    "X-OLYMPICS-2022": ("Jeux olympiques d'hiver de 2022", "2022 Winter Olympics"),
    # WHO "International conveyance (…)" (IHR term; French IHR text: « moyen de transport »)
    "X-INTERNATIONAL-CONVEYANCE-AMERICAN-SAMOA": ("Moyen de transport international (Samoa américaines)",
                                                  "International conveyance (American Samoa)"),
    "X-INTERNATIONAL-CONVEYANCE-SOLOMON-ISLANDS": ("Moyen de transport international (Îles Salomon)",
                                                   "International conveyance (Solomon Islands)"),
    "X-INTERNATIONAL-CONVEYANCE-VANUATU": ("Moyen de transport international (Vanuatu)",
                                           "International conveyance (Vanuatu)"),
    "X-INTERNATIONAL-CONVEYANCE-KIRIBATI": ("Moyen de transport international (Kiribati)",
                                            "International conveyance (Kiribati)"),
    "X-INTERNATIONAL-COMMERCIAL-VESSEL": ("Navire de commerce international", "International commercial vessel"),
}
# WHO Country_code of the rows that are not countries (WHO_region OTHER in the file).
WHO_PSEUDO = {
    "XXF": "X-INTERNATIONAL-CONVEYANCE-AMERICAN-SAMOA",
    "XXG": "X-INTERNATIONAL-CONVEYANCE-SOLOMON-ISLANDS",
    "XXH": "X-INTERNATIONAL-CONVEYANCE-VANUATU",
    "XXI": "X-INTERNATIONAL-CONVEYANCE-KIRIBATI",
    "XXJ": "X-DIAMOND-PRINCESS",  # "International conveyance (Diamond Princess)": same ship as JHU's
    "XXL": "X-INTERNATIONAL-COMMERCIAL-VESSEL",
}
# WHO codes that are not the ISO alpha-2 of their territory. This file has only XK (Kosovo) and
# uses BQ for Bonaire, Sint Eustatius and Saba; older WHO releases split it as XA (Bonaire),
# XB (Sint Eustatius), XC (Saba): all three are the one ISO territory BES (no ISO code each).
WHO_NON_ISO = {"XK": "XKX", "XA": "BES", "XB": "BES", "XC": "BES"}

# --- aggregates ------------------------------------------------------------------------------
AGGREGATES = [
    ("WORLD", "world", "Monde", "World"),
    ("CONT-AF", "continent", "Afrique", "Africa"),
    ("CONT-AS", "continent", "Asie", "Asia"),
    ("CONT-EU", "continent", "Europe", "Europe"),
    ("CONT-NA", "continent", "Amérique du Nord", "North America"),
    ("CONT-OC", "continent", "Océanie", "Oceania"),
    ("CONT-SA", "continent", "Amérique du Sud", "South America"),
    # WHO's official names of its six regions (French as in WHO's French-language documents)
    ("WHO-AFRO", "who_region", "Région africaine de l'OMS", "WHO African Region"),
    ("WHO-AMRO", "who_region", "Région des Amériques de l'OMS", "WHO Region of the Americas"),
    ("WHO-EMRO", "who_region", "Région de la Méditerranée orientale de l'OMS", "WHO Eastern Mediterranean Region"),
    ("WHO-EURO", "who_region", "Région européenne de l'OMS", "WHO European Region"),
    ("WHO-SEARO", "who_region", "Région de l'Asie du Sud-Est de l'OMS", "WHO South-East Asia Region"),
    ("WHO-WPRO", "who_region", "Région du Pacifique occidental de l'OMS", "WHO Western Pacific Region"),
]
WHO_REGIONS = {"AFRO", "AMRO", "EMRO", "EURO", "SEARO", "WPRO", "OTHER"}

OWID_CONTINENT = {"Africa": "AF", "Asia": "AS", "Europe": "EU", "North America": "NA",
                  "Oceania": "OC", "South America": "SA"}
# Territories that OWID lacks (or gives no continent): filled by hand.
CONTINENT_BY_HAND = {
    "ATA": "AN",  # Antarctica (JHU 2022 only)
    "ESH": "AF",  # Western Sahara (JHU 2020 only)
    "TWN": "AS",  # Taiwan (JHU only; neither WHO nor OWID list it)
    "MAC": "AS",  # Macao (JHU China|Macau; OWID has no row for it)
}

# --- names -----------------------------------------------------------------------------------
# French: pycountry's French translation of the ISO short name, corrected here. Reason in the
# comment when not obvious (long official form, comma form, older spelling, French press usage).
# The first block is pycountry's French `common_name` where it has one (but « Venezuela », as the
# French press writes it, not « Vénézuela »).
NAME_FR = {
    "BOL": "Bolivie",                     # « Bolivie, état plurinational de »
    "IRN": "Iran",                        # « Iran, République islamique d' »
    "KOR": "Corée du Sud",                # « Corée, République de »
    "LAO": "Laos",                        # « Lao, République démocratique populaire »
    "MDA": "Moldavie",                    # « Moldova, République de »
    "PRK": "Corée du Nord",               # « Corée, République populaire démocratique de »
    "SYR": "Syrie",                       # « Syrienne, République arabe »
    "TWN": "Taïwan",                      # « Taïwan, province de Chine »
    "TZA": "Tanzanie",                    # « Tanzanie, République unie de »
    "VEN": "Venezuela",                   # « Vénézuela, république bolivarienne du »
    "BES": "Pays-Bas caribéens",          # « Bonaire, Saint-Eustache et Saba »
    "BLR": "Biélorussie",                 # « Bélarus » (ISO/UN form)
    "BRN": "Brunei",                      # « Brunéi Darussalam »
    "FLK": "Îles Malouines",              # « Malouines, Îles (Falkland) »
    "FSM": "Micronésie",                  # « Micronésie, États fédérés de »
    "GNQ": "Guinée équatoriale",          # capital É in iso-codes
    "GRL": "Groenland",                   # « Groënland » (old spelling)
    "KNA": "Saint-Kitts-et-Nevis",        # « Saint-Christophe-et-Niévès » (official, rare in the press)
    "LBR": "Liberia",                     # « Libéria »
    "MAC": "Macao",                       # « Macau »
    "MAF": "Saint-Martin",                # « Saint-Martin (partie française) »
    "NIU": "Niue",                        # « Nioue »
    "PCN": "Îles Pitcairn",
    "PSE": "Palestine",                   # « Palestine, État de »
    "REU": "La Réunion",                  # « Réunion, Île de la »
    "RUS": "Russie",                      # « Russie, Fédération de »
    "SHN": "Sainte-Hélène",               # « Sainte-Hélène, Ascension et Tristan da Cunha »
    "SLB": "Îles Salomon",                # « Salomon, Îles »
    "SUR": "Suriname",                    # « Surinam »
    "VAT": "Vatican",                     # « Saint-Siège (état de la cité du Vatican) »
    "VIR": "Îles Vierges des États-Unis",  # « Îles Vierges, États-Unis »
    "WLF": "Wallis-et-Futuna",            # « Wallis et Futuna »
    "XKX": "Kosovo",
}
# English: the ISO short name, corrected here (first block: pycountry's `common_name`).
NAME_EN = {
    "BOL": "Bolivia",                     # "Bolivia, Plurinational State of"
    "IRN": "Iran",                        # "Iran, Islamic Republic of"
    "KOR": "South Korea",                 # "Korea, Republic of"
    "LAO": "Laos",                        # "Lao People's Democratic Republic"
    "MDA": "Moldova",                     # "Moldova, Republic of"
    "PRK": "North Korea",                 # "Korea, Democratic People's Republic of"
    "SYR": "Syria",                       # "Syrian Arab Republic"
    "TWN": "Taiwan",                      # "Taiwan, Province of China"
    "TZA": "Tanzania",                    # "Tanzania, United Republic of"
    "VEN": "Venezuela",                   # "Venezuela, Bolivarian Republic of"
    "VNM": "Vietnam",                     # "Viet Nam"
    "BES": "Caribbean Netherlands",       # "Bonaire, Sint Eustatius and Saba"
    "BRN": "Brunei",                      # "Brunei Darussalam"
    "COD": "Democratic Republic of the Congo",  # "Congo, The Democratic Republic of the"
    "COG": "Republic of the Congo",       # "Congo"
    "CPV": "Cape Verde",                  # "Cabo Verde"
    "FLK": "Falkland Islands",            # "Falkland Islands (Malvinas)"
    "FSM": "Micronesia",                  # "Micronesia, Federated States of"
    "MAF": "Saint Martin",                # "Saint Martin (French part)"
    "PCN": "Pitcairn Islands",            # "Pitcairn"
    "PSE": "Palestine",                   # "Palestine, State of"
    "RUS": "Russia",                      # "Russian Federation"
    "SHN": "Saint Helena",                # "Saint Helena, Ascension and Tristan da Cunha"
    "SXM": "Sint Maarten",                # "Sint Maarten (Dutch part)"
    "TUR": "Turkey",                      # "Türkiye"
    "VAT": "Vatican",                     # "Holy See (Vatican City State)"
    "VGB": "British Virgin Islands",      # "Virgin Islands, British"
    "VIR": "United States Virgin Islands",  # "Virgin Islands, U.S."
    "XKX": "Kosovo",
}

# --- JHU CSSE names --------------------------------------------------------------------------
# Country/Region (empty Province/State) -> alpha-3, where the name is not an ISO name.
JHU_COUNTRY = {
    "Bolivia": "BOL", "Brunei": "BRN", "Burma": "MMR", "Cabo Verde": "CPV",
    "Congo (Brazzaville)": "COG", "Congo (Kinshasa)": "COD", "Cote d'Ivoire": "CIV",
    "Holy See": "VAT", "Iran": "IRN", "Korea, North": "PRK", "Korea, South": "KOR",
    "Kosovo": "XKX", "Laos": "LAO", "Micronesia": "FSM", "Moldova": "MDA", "Russia": "RUS",
    "Syria": "SYR", "Taiwan*": "TWN", "Tanzania": "TZA", "Turkey": "TUR", "US": "USA",
    "Venezuela": "VEN", "Vietnam": "VNM", "West Bank and Gaza": "PSE",
}
# Province/State rows that are their own ISO territory -> alpha-3.
JHU_PROVINCE = {
    ("China", "Hong Kong"): "HKG", ("China", "Macau"): "MAC",
    ("Denmark", "Faroe Islands"): "FRO", ("Denmark", "Greenland"): "GRL",
    ("France", "French Guiana"): "GUF", ("France", "French Polynesia"): "PYF",
    ("France", "Guadeloupe"): "GLP", ("France", "Martinique"): "MTQ", ("France", "Mayotte"): "MYT",
    ("France", "New Caledonia"): "NCL", ("France", "Reunion"): "REU",
    ("France", "Saint Barthelemy"): "BLM", ("France", "Saint Pierre and Miquelon"): "SPM",
    ("France", "St Martin"): "MAF", ("France", "Wallis and Futuna"): "WLF",
    ("Netherlands", "Aruba"): "ABW", ("Netherlands", "Bonaire, Sint Eustatius and Saba"): "BES",
    ("Netherlands", "Curacao"): "CUW", ("Netherlands", "Sint Maarten"): "SXM",
    ("New Zealand", "Cook Islands"): "COK", ("New Zealand", "Niue"): "NIU",
    ("United Kingdom", "Anguilla"): "AIA", ("United Kingdom", "Bermuda"): "BMU",
    ("United Kingdom", "British Virgin Islands"): "VGB", ("United Kingdom", "Cayman Islands"): "CYM",
    ("United Kingdom", "Falkland Islands (Malvinas)"): "FLK", ("United Kingdom", "Gibraltar"): "GIB",
    ("United Kingdom", "Guernsey"): "GGY", ("United Kingdom", "Isle of Man"): "IMN",
    ("United Kingdom", "Jersey"): "JEY", ("United Kingdom", "Montserrat"): "MSR",
    ("United Kingdom", "Pitcairn Islands"): "PCN",
    ("United Kingdom", "Saint Helena, Ascension and Tristan da Cunha"): "SHN",
    ("United Kingdom", "Turks and Caicos Islands"): "TCA",
}
# JHU rows that are not territories of their own.
JHU_PSEUDO = {
    ("Diamond Princess", ""): "X-DIAMOND-PRINCESS",
    ("MS Zaandam", ""): "X-MS-ZAANDAM",
    ("Summer Olympics 2020", ""): "X-OLYMPICS-2020",
    ("Winter Olympics 2022", ""): "X-OLYMPICS-2022",
    ("Canada", "Diamond Princess"): "X-DIAMOND-PRINCESS",
    ("Canada", "Grand Princess"): "X-GRAND-PRINCESS",
}
# Countries whose Province/State rows are parts of the country (not ISO territories).
JHU_SUBDIVIDED = {"Australia": "AUS", "Canada": "CAN", "China": "CHN"}


def alpha3_of_name(name):
    """ISO alpha-3 of an exact ISO short, official or common English name (no fuzzy search)."""
    for c in pycountry.countries:
        if name in (c.name, getattr(c, "official_name", None), getattr(c, "common_name", None)):
            return c.alpha_3
    return None


def resolve_jhu(country, province):
    """Key of countries.csv for one JHU (Country/Region, Province/State) pair, or None.

    Returns (key, territory) where territory is True when the pair is an ISO territory of its
    own (so it belongs in countries.csv), False when it maps into a larger country or a
    pseudo-country."""
    if (country, province) in JHU_PSEUDO:
        return JHU_PSEUDO[(country, province)], False
    if province:
        if (country, province) in JHU_PROVINCE:
            return "ISO-" + JHU_PROVINCE[(country, province)], True
        if country in JHU_SUBDIVIDED:
            return "ISO-" + JHU_SUBDIVIDED[country], False
        if (country, province) == ("United Kingdom", "Channel Islands"):
            return "ISO-GBR", False  # Jersey + Guernsey together: no ISO code of its own
        return None, False
    a3 = JHU_COUNTRY.get(country) or alpha3_of_name(country)
    return ("ISO-" + a3, True) if a3 else (None, False)


def jhu_pairs():
    pairs = set()
    for rel in JHU_FILES:
        for country, province, _, _ in jhu_rows(rel):
            pairs.add((country, province))
    return pairs


def csv_field(s):
    s = str(s)
    if any(ch in s for ch in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def main():
    assert pycountry.__version__ == PYCOUNTRY_VERSION or os.environ.get("VIGIE_ANY_PYCOUNTRY"), (
        f"pycountry {pycountry.__version__}; this table was made with {PYCOUNTRY_VERSION} "
        "(set VIGIE_ANY_PYCOUNTRY=1 to run anyway and review the diff)")
    fr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])

    # WHO: code -> (name, region); region must be the same on every row of a code.
    who = {}
    with open_text(intl("WHO-COVID-19-global-data.csv.gz")) as f:
        for row in csv.DictReader(f):
            code, region = row["Country_code"], row["WHO_region"]
            assert code, row  # keep_default_na pitfalls: 'NA' is Namibia, read as text here
            assert region in WHO_REGIONS or region == "", region
            prev = who.setdefault(code, (row["Country"], region))
            assert prev[1] == region, (code, prev, region)
    # OWID: alpha3 -> (continent, population)
    owid = {}
    with open(intl("owid-covid-latest.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            iso = row["iso_code"]
            if iso == "OWID_KOS":
                iso = "XKX"
            elif iso.startswith("OWID_"):
                continue
            pop = row["population"]
            owid[iso] = (OWID_CONTINENT[row["continent"]] if row["continent"] else "",
                         str(int(float(pop))) if pop else "")

    sources = collections.defaultdict(set)  # alpha3 -> {"WHO", "OWID", "JHU"}
    who_code_of = {}
    pseudo_who = {}
    for code, (name, region) in who.items():
        if code in WHO_PSEUDO:
            assert region == "OTHER", (code, name, region)
            pseudo_who[WHO_PSEUDO[code]] = (code, region)
            continue
        a3 = WHO_NON_ISO.get(code)
        if a3 is None:
            c = pycountry.countries.get(alpha_2=code)
            assert c is not None, f"WHO code {code} ({name}) is neither ISO alpha-2 nor known"
            a3 = c.alpha_3
        assert a3 not in who_code_of, (code, a3)
        who_code_of[a3] = code
        sources[a3].add("WHO")
    for a3 in owid:
        assert a3 == "XKX" or pycountry.countries.get(alpha_3=a3), f"OWID iso_code {a3}"
        sources[a3].add("OWID")
    unresolved = []
    for country, province in sorted(jhu_pairs()):
        key, territory = resolve_jhu(country, province)
        if key is None:
            unresolved.append((country, province))
        elif territory:
            sources[key[4:]].add("JHU")
    if unresolved:
        sys.exit(f"JHU pairs without a mapping: {unresolved}")

    rows = []
    for key, kind, nfr, nen in AGGREGATES:
        rows.append({"key": key, "kind": kind, "name_fr": nfr, "name_en": nen})
    overridden = []
    common = []
    no_pop = []
    for a3 in sorted(sources):
        if a3 == "XKX":
            codes = KOSOVO
            auto_fr = auto_en = "Kosovo"
        else:
            c = pycountry.countries.get(alpha_3=a3)
            codes = {"alpha3": c.alpha_3, "alpha2": c.alpha_2, "numeric": c.numeric}
            auto_en = c.name
            auto_fr = fr.gettext(c.name)
        name_fr = NAME_FR.get(a3, auto_fr)
        name_en = NAME_EN.get(a3, auto_en)
        cn = getattr(pycountry.countries.get(alpha_3=a3), "common_name", None) if a3 != "XKX" else None
        if cn and (name_en, name_fr) != (cn, fr.gettext(cn)):
            common.append(f"{a3}: pycountry common name {cn} / {fr.gettext(cn)}, ours {name_en} / {name_fr}")
        if name_fr != auto_fr:
            overridden.append(f"fr {a3}: {auto_fr} -> {name_fr}")
        if name_en != auto_en:
            overridden.append(f"en {a3}: {auto_en} -> {name_en}")
        for n in (name_fr, name_en):
            assert "," not in n, f"comma in name of {a3}: {n!r}; add it to NAME_FR/NAME_EN"
        continent, pop = owid.get(a3, ("", ""))
        if not continent:
            continent = CONTINENT_BY_HAND.get(a3, "")
        assert continent, f"{a3}: no continent in OWID; add it to CONTINENT_BY_HAND"
        who_code = who_code_of.get(a3, "")
        region = who[who_code][1] if who_code else ""
        if not pop:
            no_pop.append(f"{a3} ({name_en}; in {'+'.join(sorted(sources[a3]))})")
        rows.append({"key": "ISO-" + a3, "kind": "country", **codes, "who_code": who_code,
                     "name_fr": name_fr, "name_en": name_en, "continent": continent,
                     "who_region": region, "population": pop,
                     "population_year": POPULATION_YEAR if pop else ""})
    for key in sorted(PSEUDO):
        nfr, nen = PSEUDO[key]
        code, region = pseudo_who.get(key, ("", ""))
        rows.append({"key": key, "kind": "non_country", "who_code": code, "name_fr": nfr,
                     "name_en": nen, "who_region": region})
    missing_pseudo = set(WHO_PSEUDO.values()) - set(pseudo_who)
    assert not missing_pseudo, f"pseudo rows absent from the WHO file: {missing_pseudo}"

    keys = [r["key"] for r in rows]
    assert len(keys) == len(set(keys)), "duplicate key"
    nums = [r["numeric"] for r in rows if r.get("numeric")]
    assert len(nums) == len(set(nums)), "duplicate numeric"

    buf = io.StringIO()
    buf.write(",".join(HEADER) + "\n")
    for r in rows:
        buf.write(",".join(csv_field(r.get(h, "")) for h in HEADER) + "\n")
    text = buf.getvalue()
    # round-trip through the csv module: same fields back
    back = list(csv.reader(io.StringIO(text)))
    assert back[0] == HEADER and len(back) == len(rows) + 1
    assert all(len(b) == len(HEADER) for b in back)
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        f.write(text)

    err = sys.stderr
    kinds = collections.Counter(r["kind"] for r in rows)
    print(f"wrote {os.path.relpath(OUT)}: {len(rows)} rows "
          + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())), file=err)
    by_src = collections.Counter("+".join(sorted(s)) for s in sources.values())
    print("countries by source: " + ", ".join(f"{k} {n}" for k, n in sorted(by_src.items())), file=err)
    print(f"territories without population ({len(no_pop)}): " + "; ".join(no_pop), file=err)
    no_region = [r["key"] for r in rows if r["kind"] == "country" and not r["who_region"]]
    print(f"countries without WHO region ({len(no_region)}): " + " ".join(no_region), file=err)
    print(f"pycountry common names that differ from ours ({len(common)}):", file=err)
    for o in common:
        print("  " + o, file=err)
    print(f"names overridden by NAME_FR / NAME_EN ({len(overridden)}):", file=err)
    for o in overridden:
        print("  " + o, file=err)


if __name__ == "__main__":
    main()
