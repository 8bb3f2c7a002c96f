"""Domestic politics and public life (people_politics.tsv and the 2026-12 organisations): names resolved in parsed
sentences, bare surnames and possessives, and no false actors from common surnames, first names or ordinary words."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from newswatch.actors import DATA_DIR, ActorResolver, _alias_key
from newswatch.registry import Stages

STAGES = Stages()  # the parts a default run uses, built once per process


@pytest.fixture(scope="module")
def resolver() -> ActorResolver:
    return STAGES.actors


@pytest.fixture(scope="module")
def nlp() -> Any:
    return STAGES.nlp


def _span(doc: Any, text: str) -> Any:
    start = doc.text.index(text)
    span = doc.char_span(start, start + len(text), alignment_mode="expand")
    assert span is not None
    return span


def _rows(name: str) -> list[dict[str, str]]:
    lines = [
        line for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines() if line and line[0] != "#"
    ]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:]]


@pytest.mark.parametrize(
    ("sentence", "phrase", "actor_id", "country", "sector"),
    [
        (
            "Cruz's campaign said it had raised $10 million.",
            "Cruz's campaign",
            "person:ted-cruz",
            "USA",
            "LEG",
        ),
        ("Sanders said the bill would not pass.", "Sanders", "person:bernie-sanders", "USA", "LEG"),
        ("Pelosi told reporters the House would vote.", "Pelosi", "person:nancy-pelosi", "USA", "LEG"),
        ("Clinton criticised Trump over his remarks.", "Clinton", "person:hillary-clinton", "USA", "GOV"),
        ("Romney voted to convict.", "Romney", "person:mitt-romney", "USA", "LEG"),
        ("The Pentagon said two soldiers were wounded.", "The Pentagon", "org:dod", "USA", "MIL"),
        ("Fox News reported that the meeting was cancelled.", "Fox News", "org:fox-news", "USA", "JRN"),
        ("Gov. Ron DeSantis signed the law.", "Gov. Ron DeSantis", "person:ron-desantis", "USA", "GOV"),
        ("DeSantis's office did not respond.", "DeSantis's office", "person:ron-desantis", "USA", "GOV"),
        (
            "Ocasio-Cortez voted against the package.",
            "Ocasio-Cortez",
            "person:alexandria-ocasio-cortez",
            "USA",
            "LEG",
        ),
        ("Justice Kavanaugh wrote the opinion.", "Justice Kavanaugh", "person:brett-kavanaugh", "USA", "JUD"),
        (
            "Tucker Carlson interviewed the president.",
            "Tucker Carlson",
            "person:tucker-carlson",
            "USA",
            "JRN",
        ),
        (
            "Merrick Garland appointed Jack Smith as special counsel.",
            "Jack Smith",
            "person:jack-smith",
            "USA",
            "JUD",
        ),
        ("The ACLU sued the administration.", "The ACLU", "org:american-civil-liberties-union", "USA", "SOC"),
        ("The Fed raised interest rates again.", "The Fed", "org:federal-reserve", "USA", "BUS"),
        ("Kejriwal was arrested on Thursday.", "Kejriwal", "person:arvind-kejriwal", "IND", "GOV"),
        ("Poilievre attacked the budget.", "Poilievre", "person:pierre-poilievre", "CAN", "OPP"),
        ("Dutton said the Coalition would oppose it.", "Dutton", "person:peter-dutton", "AUS", "OPP"),
        ("Jeremy Corbyn's Labour lost the election.", "Jeremy Corbyn", "person:jeremy-corbyn", "GBR", "OPP"),
        (
            "Braverman's speech angered police chiefs.",
            "Braverman's speech",
            "person:suella-braverman",
            "GBR",
            "COP",
        ),
        ("Alice Weidel addressed the Bundestag.", "Alice Weidel", "person:alice-weidel", "DEU", "PTY"),
        (
            "Darmanin ordered the police to clear the camp.",
            "Darmanin",
            "person:gerald-darmanin",
            "FRA",
            "COP",
        ),
        ("Lee Jun-seok quit the party.", "Lee Jun-seok", "person:lee-jun-seok", "KOR", "PTY"),
        ("Haaretz quoted Ben-Gvir as saying so.", "Haaretz", "org:haaretz", "ISR", "JRN"),
        ("Kilicdaroglu conceded defeat.", "Kilicdaroglu", "person:kemal-kilicdaroglu", "TUR", "OPP"),
        ("Bundestag lawmakers approved the budget.", "Bundestag lawmakers", "org:bundestag", "DEU", "LEG"),
        ("The Lok Sabha passed the bill.", "The Lok Sabha", "org:lok-sabha", "IND", "LEG"),
        (
            "Nikki Haley's campaign bus stopped in Iowa.",
            "Nikki Haley's campaign bus",
            "person:nikki-haley",
            "USA",
            "GOV",
        ),
    ],
)
def test_actors_politics_names_resolve_in_parsed_sentences(
    resolver: ActorResolver, nlp: Any, sentence: str, phrase: str, actor_id: str, country: str, sector: str
) -> None:
    doc = nlp(sentence)
    actor = resolver.code_span(_span(doc, phrase), context=resolver.new_context(doc))
    assert actor is not None, phrase
    assert (actor.actor_id, actor.country, actor.sector) == (actor_id, country, sector)


@pytest.mark.parametrize(
    ("sentence", "name", "actor_id"),
    [
        ("Sanders said the bill would not pass the Senate.", "Sanders", "person:bernie-sanders"),
        ("Cruz's campaign said on Tuesday that it had raised $10 million.", "Cruz", "person:ted-cruz"),
        ("Fox News reported that the meeting had been cancelled.", "Fox News", "org:fox-news"),
        ("Hillary R. Clinton said she would not run again.", "Hillary R. Clinton", "person:hillary-clinton"),
        ("Sen. Lindsey Graham said the strikes were justified.", "Lindsey Graham", "person:lindsey-graham"),
        ("Bernie Sanders and Elizabeth Warren endorsed her.", "Elizabeth Warren", "person:elizabeth-warren"),
        ("Warren Buffett's company bought shares.", "Warren Buffett's", "person:warren-buffett"),
    ],
)
def test_actors_politics_entity_mentions_carry_the_person(
    resolver: ActorResolver, nlp: Any, sentence: str, name: str, actor_id: str
) -> None:
    doc = nlp(sentence)
    found = {m.text: m.actor for m in resolver.new_context(doc).mentions}
    assert name in found, sorted(found)
    actor = found[name]
    assert actor is not None and actor.actor_id == actor_id


@pytest.mark.parametrize(
    ("sentence", "name", "not_id"),
    [
        # a one-word alias inside someone else's name is not that person or organisation
        ("Maria Cruz, a nurse, said she had waited for hours.", "Maria Cruz", "person:ted-cruz"),
        ("Haley Stevens voted against the bill.", "Haley Stevens", "person:nikki-haley"),
        ("Kate Forbes resigned on Monday.", "Kate Forbes", "org:forbes"),
        ("Carlos Sanders said he would appeal.", "Carlos Sanders", "person:bernie-sanders"),
        ("Jane Romney, a teacher, said she was worried.", "Jane Romney", "person:mitt-romney"),
    ],
)
def test_actors_politics_one_word_alias_inside_another_name_does_not_match(
    resolver: ActorResolver, nlp: Any, sentence: str, name: str, not_id: str
) -> None:
    doc = nlp(sentence)
    ents = [e for e in doc.ents if e.text == name and e.label_ == "PERSON"]
    assert ents, [(e.text, e.label_) for e in doc.ents]  # the parser reads it as one person's name
    mention = {m.text: m.actor for m in resolver.new_context(doc).mentions}.get(name)
    assert mention is None or mention.actor_id != not_id


def test_actors_politics_one_word_alias_still_matches_text_without_a_parse(resolver: ActorResolver) -> None:
    # code_text has no person names to respect: the bare surname is the entry
    actor = resolver.code_text("Cruz")
    assert actor is not None and actor.actor_id == "person:ted-cruz"


@pytest.mark.parametrize(
    "sentence",
    [
        "John Smith and Mary Johnson met Scott Lee and David Brown.",
        "Graham Norton hosted the show with Kelly Jones.",
        "Raj Singh and Min-ji Kim opened a shop.",
        "Tom Williams, a farmer, said the harvest was late.",
    ],
)
def test_actors_politics_common_names_give_no_known_person(
    resolver: ActorResolver, nlp: Any, sentence: str
) -> None:
    doc = nlp(sentence)
    for mention in resolver.new_context(doc).mentions:
        if mention.label == "PERSON" and mention.actor is not None:
            assert mention.actor.actor_id is None, (mention.text, mention.actor.rule)


@pytest.mark.parametrize(
    "text",
    [
        "Smith",
        "Johnson",
        "Lee",
        "Kim",
        "Singh",
        "Brown",
        "Jones",
        "Williams",
        "Scott",
        "Paul",
        "Warren",
        "Graham",
    ],
)
def test_actors_politics_common_surname_alone_names_no_one(resolver: ActorResolver, text: str) -> None:
    actor = resolver.code_text(text)
    assert actor is None or (actor.actor_id is None and actor.country is None)


@pytest.mark.parametrize(
    "sentence",
    [
        "Reliance on imports has grown since the war.",
        "Intel officials said the threat was rising.",
        "Vice Admiral Brad Cooper took command.",
        "Liberation of the city took weeks.",
        "Dawn broke over the valley as the convoy left.",
        "Labor Secretary nominees face hearings.",
    ],
)
def test_actors_politics_ordinary_capitalised_words_are_no_organisation(
    resolver: ActorResolver, nlp: Any, sentence: str
) -> None:
    doc = nlp(sentence)
    first = doc[0:2]
    for actor in resolver.code_span_all(first):
        assert not (actor.actor_id or "").startswith("org:"), (first.text, actor.rule)
        assert not (actor.actor_id or "").startswith("person:"), (first.text, actor.rule)


# surnames and first names too common to name one person by themselves
_COMMON = frozenset(
    """smith johnson williams brown jones miller davis garcia rodriguez wilson martinez anderson taylor thomas moore
    martin jackson thompson white lopez lee gonzalez harris clark lewis robinson walker perez hall young allen king
    wright scott green baker adams nelson hill campbell mitchell roberts carter phillips evans turner parker collins
    edwards stewart morris murphy cook rogers morgan cooper reed bell kelly howard ward cox gray james hughes price
    myers long foster ross powell sullivan russell perry butler barnes fisher henderson jordan hamilton graham kim
    wallace west cole hayes ford marshall kennedy warren ryan mills rice patel khan ali ahmed shah singh kumar
    sharma gupta yadav reddy paul may grant stone hunt wood mark tim mike john david""".split()
)


def test_actors_politics_no_bare_alias_is_a_common_name() -> None:
    offenders = []
    for row in _rows("people_politics.tsv"):
        for alias in [a for a in row["aliases"].split("|") if a]:
            key = _alias_key(alias)[0]
            if len(key) == 1 and key[0] in _COMMON:
                offenders.append((row["id"], alias))
    assert offenders == []


def test_actors_politics_no_alias_names_two_people() -> None:
    owners: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for name in ("people.tsv", "people_politics.tsv"):
        for row in _rows(name):
            for alias in [row["name"], *[a for a in row["aliases"].split("|") if a]]:
                owners[_alias_key(alias)[0]].add(row["id"])
    new_ids = {row["id"] for row in _rows("people_politics.tsv")}
    shared = {key: ids for key, ids in owners.items() if len(ids) > 1 and ids & new_ids}
    assert shared == {}


def test_actors_politics_file_scale_and_every_row_loads(resolver: ActorResolver) -> None:
    people = _rows("people_politics.tsv")
    actors = {a.id: a for a in resolver.all_actors()}
    assert len(people) >= 1500
    assert all(f"person:{row['id']}" in actors for row in people)
    by_country = defaultdict(int)
    for row in people:
        by_country[row["country"]] += 1
    assert by_country["USA"] >= 800
    for code in (
        "GBR",
        "CAN",
        "AUS",
        "IND",
        "ISR",
        "DEU",
        "FRA",
        "ITA",
        "JPN",
        "KOR",
        "BRA",
        "MEX",
        "ZAF",
        "NGA",
    ):
        assert by_country[code] >= 10, code


def _new_organisation_rows() -> list[dict[str, str]]:
    text = (DATA_DIR / "organisations.tsv").read_text(encoding="utf-8")
    block = text[text.index("# --- added 2026-12-03") :]
    header = _rows("organisations.tsv")[0].keys()
    lines = [line for line in block.splitlines() if line and line[0] != "#"]
    return [dict(zip(header, line.split("\t"), strict=False)) for line in lines]


def test_actors_politics_new_names_shadow_no_place_demonym_or_role_word(resolver: ActorResolver) -> None:
    # "The Australian" (a newspaper) must not take over "Australian"; "Ministry of Defence" is every country's
    rows = [*_rows("people_politics.tsv"), *_new_organisation_rows()]
    assert len(rows) > 2500
    shadowed = []
    for row in rows:
        for alias in [row["name"], *[a for a in row["aliases"].split("|") if a]]:
            kinds = {e.kind for e in resolver._index.get(_alias_key(alias)[0], [])}
            if kinds - {"person", "org"}:
                shadowed.append((row["id"], alias, sorted(kinds)))
    assert shadowed == []


@pytest.mark.parametrize(
    ("text", "country"),
    [
        # a generic institution name belongs to whoever the phrase names, not to a listed US or UK body
        ("Russia's Ministry of Foreign Affairs", "RUS"),
        ("South Korea's Defense Intelligence Agency", "KOR"),
        ("North Korea's Workers' Party", "PRK"),
        ("Australian troops", "AUS"),
        ("Sweden's Left Party", "SWE"),
    ],
)
def test_actors_politics_generic_institution_names_keep_their_country(
    resolver: ActorResolver, text: str, country: str
) -> None:
    actor = resolver.code_text(text)
    assert actor is not None and actor.country == country, (text, actor and actor.rule)


@pytest.mark.parametrize(
    ("name", "actor_id"),
    [
        ("Trump White House", "person:donald-trump"),  # the other words are an entry of their own
        ("Counter-ISIS", "org:isis"),  # an acronym is no one's surname
        ("Sen. Cruz", "person:ted-cruz"),  # a title
        ("Charles E. Schumer", "person:chuck-schumer"),  # own first name and an initial
        ("Kate Forbes", None),
        ("Maria Cruz", None),
    ],
)
def test_actors_politics_words_beside_a_one_word_name_inside_a_person_range(
    resolver: ActorResolver, name: str, actor_id: str | None
) -> None:
    # the parser's PERSON range covers the whole text, as when it tags "Trump White House" as a person
    from newswatch.actors import _tokens

    actors = resolver._resolve(
        _tokens(name), text=name, start=0, end=len(name), context=None, names=[(0, len(name))]
    )
    found = next(
        (a.actor_id for a in actors if a.actor_id and a.actor_id.split(":")[0] in ("person", "org")), None
    )
    assert found == actor_id


@pytest.mark.parametrize(
    ("name", "actor_id"),
    [
        ("Aleksey Navalny", "person:alexei-navalny"),  # another spelling of his first name
        ("Mitsotakis of Greece", "person:kyriakos-mitsotakis"),
        ("Sandra Sanders", None),  # sharing the surname's first letters is not enough
        ("Maria de la Cruz", None),
    ],
)
def test_actors_politics_spellings_and_particles_inside_a_person_range(
    resolver: ActorResolver, name: str, actor_id: str | None
) -> None:
    from newswatch.actors import _tokens

    actors = resolver._resolve(
        _tokens(name), text=name, start=0, end=len(name), context=None, names=[(0, len(name))]
    )
    found = next((a.actor_id for a in actors if a.actor_id and a.actor_id.split(":")[0] == "person"), None)
    assert found == actor_id
