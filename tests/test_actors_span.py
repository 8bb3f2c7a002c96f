"""Coding parsed noun phrases with article context: spans, coordination, pronouns, mentions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from newswatch.actors import ActorResolver, ArticleContext
from newswatch.registry import Stages

STAGES = Stages()  # the parts a default run uses, built once per process

STORY = (Path(__file__).parent / "fixtures" / "actors" / "bilateral_story.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def resolver() -> ActorResolver:
    return STAGES.actors


@pytest.fixture(scope="module")
def nlp() -> Any:
    return STAGES.nlp


@pytest.fixture(scope="module")
def story(nlp: Any) -> Any:
    return nlp(STORY)


def _span(doc: Any, text: str, occurrence: int = 0) -> Any:
    start = -1
    for _ in range(occurrence + 1):
        start = doc.text.index(text, start + 1)
    span = doc.char_span(start, start + len(text), alignment_mode="expand")
    assert span is not None
    return span


@pytest.mark.parametrize(
    ("sentence", "phrase", "country", "sector"),
    [
        ("Moscow said the talks had failed.", "Moscow", "RUS", "GOV"),
        ("Turkish troops crossed the border on Sunday.", "Turkish troops", "TUR", "MIL"),
        (
            "Russia's security chief Sergei Shoigu arrived in Pyongyang.",
            "Russia's security chief Sergei Shoigu",
            "RUS",
            "GOV",
        ),
        ("Japan's envoy to the UN criticised the launch.", "Japan's envoy to the UN", "JPN", "GOV"),
        (
            "The South Korean military, which monitors the border, fired warning shots.",
            "The South Korean military, which monitors the border",
            "KOR",
            "MIL",
        ),
    ],
)
def test_actors_span_codes_country_and_sector(
    resolver: ActorResolver, nlp: Any, sentence: str, phrase: str, country: str, sector: str
) -> None:
    doc = nlp(sentence)
    span = _span(doc, phrase)
    actor = resolver.code_span(span)
    assert actor is not None
    assert (actor.country, actor.sector) == (country, sector)
    assert (actor.start, actor.end) == (span.start_char, span.end_char)


def test_actors_span_offsets_are_article_offsets(resolver: ActorResolver, story: Any) -> None:
    span = _span(story, "North Korean troops")
    actor = resolver.code_span(span)
    assert actor is not None
    assert story.text[actor.start : actor.end] == "North Korean troops"
    assert actor.start > 100


@pytest.mark.parametrize(
    ("sentence", "phrase", "countries"),
    [
        ("The United States and Jordan signed the accord.", "The United States and Jordan", ["USA", "JOR"]),
        ("Putin and Xi Jinping met in Beijing.", "Putin and Xi Jinping", ["RUS", "CHN"]),
        (
            "The Russian defence minister and his Chinese counterpart held talks.",
            "The Russian defence minister and his Chinese counterpart",
            ["RUS", "CHN"],
        ),
    ],
)
def test_actors_span_all_splits_coordination(
    resolver: ActorResolver, nlp: Any, sentence: str, phrase: str, countries: list[str]
) -> None:
    doc = nlp(sentence)
    actors = resolver.code_span_all(_span(doc, phrase))
    assert [a.country for a in actors] == countries


def test_actors_context_dateline_and_pair(resolver: ActorResolver, story: Any) -> None:
    context = resolver.new_context(story)
    assert context.dateline_country == "KOR"
    assert context.pair_before(story.text.index("the two countries")) == ("KOR", "JPN")


def test_actors_pronoun_resolves_to_last_person(resolver: ActorResolver, story: Any) -> None:
    context = resolver.new_context(story)
    actor = resolver.code_span(_span(story, "He"), context=context)
    assert actor is not None
    assert (actor.country, actor.sector, actor.kind) == ("JPN", "MIL", "person")
    assert actor.rule.startswith("pronoun:he->")


def test_actors_two_countries_resolve_to_the_pair(resolver: ActorResolver, story: Any) -> None:
    context = resolver.new_context(story)
    actors = resolver.code_span_all(_span(story, "the two countries"), context=context)
    assert sorted(a.country or "" for a in actors) == ["JPN", "KOR"]


@pytest.mark.parametrize(("with_context", "country"), [(True, "KOR"), (False, None)])
def test_actors_bare_role_takes_default_country_only_with_context(
    resolver: ActorResolver, story: Any, with_context: bool, country: str | None
) -> None:
    context = resolver.new_context(story) if with_context else None
    actor = resolver.code_span(_span(story, "The ministry"), context=context)
    assert actor is not None
    assert (actor.country, actor.sector) == (country, "GOV")


def test_actors_pronoun_without_context_is_none(resolver: ActorResolver, nlp: Any) -> None:
    doc = nlp("He said nothing.")
    assert resolver.code_span(doc[0:1]) is None


def test_actors_mentions_cover_entities_and_role_phrases(resolver: ActorResolver, story: Any) -> None:
    mentions = resolver.mentions(story, article_id="art-1")
    assert {m.article_id for m in mentions} == {"art-1"}
    by_text = {m.text: m for m in mentions}
    assert by_text["Gen Nakatani"].actor is not None
    assert by_text["Gen Nakatani"].actor.country == "JPN"
    assert by_text["Gen Nakatani"].sentence == 1
    troops = by_text["North Korean troops"]
    assert troops.label == "NP"
    assert troops.sentence == 3
    assert troops.actor is not None and (troops.actor.country, troops.actor.sector) == ("PRK", "MIL")
    for m in mentions:
        assert story.text[m.start : m.end] == m.text


def test_actors_observe_updates_context(resolver: ActorResolver) -> None:
    context = ArticleContext()
    actor = resolver.code_text("Vladimir Putin")
    assert actor is not None
    context.observe(actor)
    assert context.last_person() is actor
    assert context.default_country == "RUS"


VISIT = (Path(__file__).parent / "fixtures" / "actors" / "visit_story.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def visit(nlp: Any) -> Any:
    return nlp(VISIT)


def test_actors_short_name_refers_back_to_full_name(resolver: ActorResolver, visit: Any) -> None:
    context = resolver.new_context(visit)
    span = _span(visit, "Lam", occurrence=1)
    actor = resolver.code_span(span, context=context)
    assert actor is not None
    assert (actor.country, actor.sector) == ("VNM", "GOV")
    assert actor.rule.startswith("same-person:")
    assert (actor.start, actor.end) == (span.start_char, span.end_char)


def test_actors_short_name_without_earlier_mention_stays_unresolved(
    resolver: ActorResolver, nlp: Any
) -> None:
    doc = nlp("Lam told reporters the talks went well.")
    actor = resolver.code_span(doc[0:1], context=resolver.new_context(doc))
    assert actor is None or actor.country is None


def test_actors_mention_of_organisation_reads_its_possessor(resolver: ActorResolver, visit: Any) -> None:
    mentions = {m.text: m for m in resolver.mentions(visit, article_id="v")}
    council = mentions["Security Council"]
    assert council.actor is not None
    assert council.actor.country == "RUS"


def test_actors_two_sides_in_a_visit_story(resolver: ActorResolver, visit: Any) -> None:
    context = resolver.new_context(visit)
    actors = resolver.code_span_all(_span(visit, "the two sides"), context=context)
    assert sorted(a.country or "" for a in actors) == ["RUS", "VNM"]


@pytest.mark.parametrize(
    ("sentence", "phrase", "country", "sector"),
    [
        ("Syria says it is willing to withdraw its troops.", "it", "SYR", None),
        ("Syria says it is willing to withdraw its troops.", "its troops", "SYR", "MIL"),
        ("Putin met Kim Jong Un and said he was pleased.", "he", "PRK", "GOV"),
    ],
)
def test_actors_pronouns_refer_to_the_last_fitting_actor(
    resolver: ActorResolver, nlp: Any, sentence: str, phrase: str, country: str, sector: str | None
) -> None:
    doc = nlp(sentence)
    actor = resolver.code_span(_span(doc, phrase), context=resolver.new_context(doc))
    assert actor is not None
    assert (actor.country, actor.sector) == (country, sector)


def test_actors_ethnic_group_takes_the_story_country(resolver: ActorResolver, nlp: Any) -> None:
    doc = nlp("Serbian police said on Tuesday that ethnic Albanians had demonstrated in Belgrade.")
    actor = resolver.code_span(_span(doc, "ethnic Albanians"), context=resolver.new_context(doc))
    assert actor is not None
    assert actor.country == "SRB"
    assert actor.rule.startswith("ethnic:")


@pytest.mark.parametrize(
    ("text", "dateline"),
    [
        ("MOSCOW (Reuters) - The ministry said the talks went well.", "RUS"),
        ("NEW YORK, May 3 -- Officials said nothing.", "USA"),
        ("UNITED NATIONS (AP) -- Iran said it would respond.", None),
        ("Iran said on Monday that it would respond.", None),
        ("Seoul, Nov. 28 (Yonhap) -- The ministry said nothing.", "KOR"),
        ("Kyiv (Reuters) - Officials said nothing.", "UKR"),
        ("Moscow said on Monday (local time) - officials", None),
    ],
)
def test_actors_dateline_country(resolver: ActorResolver, nlp: Any, text: str, dateline: str | None) -> None:
    assert resolver.new_context(nlp(text)).dateline_country == dateline


KOREAS = (
    "North Korea fired a missile on Monday. South Korea said the North's military had fired it from near "
    "Pyongyang, and that the South would respond."
)


@pytest.mark.parametrize(("phrase", "country"), [("the North's military", "PRK"), ("the South", "KOR")])
def test_actors_north_and_south_in_a_korea_story(
    resolver: ActorResolver, nlp: Any, phrase: str, country: str
) -> None:
    doc = nlp(KOREAS)
    actor = resolver.code_span(_span(doc, phrase), context=resolver.new_context(doc))
    assert actor is not None
    assert actor.country == country


def test_actors_north_outside_a_korea_story_is_not_korean(resolver: ActorResolver, nlp: Any) -> None:
    doc = nlp("Sudan said the North had been quiet.")
    actor = resolver.code_span(_span(doc, "the North"), context=resolver.new_context(doc))
    assert actor is None or actor.country not in ("PRK", "KOR")


def test_actors_they_refers_to_a_group_not_a_place(resolver: ActorResolver, nlp: Any) -> None:
    doc = nlp("Kim Jong Un met Russian officials in Pyongyang on Monday. They discussed arms deliveries.")
    actor = resolver.code_span(_span(doc, "They"), context=resolver.new_context(doc))
    assert actor is not None
    assert (actor.country, actor.sector) == ("RUS", "GOV")


def test_actors_person_of_a_country(resolver: ActorResolver, nlp: Any) -> None:
    doc = nlp("King Hassan of Morocco said he would host the talks.")
    context = resolver.new_context(doc)
    person = next(m for m in context.mentions if m.label == "PERSON")
    assert person.actor is not None
    assert (person.actor.country, person.actor.sector, person.actor.kind) == ("MAR", "GOV", "person")
    he = resolver.code_span(_span(doc, "he"), context=context)
    assert he is not None and he.country == "MAR"


def test_actors_part_of_a_name_takes_the_overlapping_entity(resolver: ActorResolver, nlp: Any) -> None:
    doc = nlp("Sheikh Hamad bin Khalifa al-Thani arrived in Riyadh on Saturday.")
    context = resolver.new_context(doc)
    actor = resolver.code_span(doc[0:2], context=context)  # "Sheikh Hamad", as a parser may cut it
    assert actor is not None
    assert (actor.country, actor.actor_id) == ("QAT", "person:hamad-bin-khalifa")


@pytest.mark.parametrize(
    ("sentence", "phrase", "country"),
    [
        ("Michael Jordan said he would retire.", "Michael Jordan", None),
        ("Chad Smith, a US official, said nothing.", "Chad Smith", "USA"),
        ("Jordan said it would close the border.", "Jordan", "JOR"),
    ],
)
def test_actors_country_word_inside_a_person_name_is_the_name(
    resolver: ActorResolver, nlp: Any, sentence: str, phrase: str, country: str | None
) -> None:
    doc = nlp(sentence)
    actor = resolver.code_span(_span(doc, phrase), context=resolver.new_context(doc))
    assert (actor.country if actor else None) == country


def test_actors_mentions_without_a_parser(resolver: ActorResolver) -> None:
    import spacy
    from spacy.tokens import Span

    doc = spacy.blank("en")("Moscow said the talks failed. Kyiv disagreed.")
    doc.ents = [Span(doc, 0, 1, label="GPE"), Span(doc, 6, 7, label="GPE")]
    mentions = resolver.mentions(doc, article_id="b")
    assert [(m.text, m.sentence, m.actor.country if m.actor else None) for m in mentions] == [
        ("Moscow", 0, "RUS"),
        ("Kyiv", 0, "UKR"),
    ]


@pytest.mark.parametrize(
    ("text", "home", "country"),
    [
        ("Syria and Iran were discussed. The President said the Administration would act.", "USA", "USA"),
        ("Syria and Iran were discussed. The President said the Administration would act.", None, "SYR"),
        ("DAMASCUS (AP) -- The President said the Administration would act.", "USA", "SYR"),
    ],
)
def test_actors_home_country_is_the_default_after_the_dateline(
    resolver: ActorResolver, nlp: Any, text: str, home: str | None, country: str
) -> None:
    doc = nlp(text)
    context = resolver.new_context(doc, home_country=home)
    actor = resolver.code_span(_span(doc, "the Administration"), context=context)
    assert actor is not None
    assert (actor.country, actor.sector) == (country, "GOV")


@pytest.mark.parametrize(
    ("text", "phrase", "country"),
    [
        ("The leaders discussed trade and energy.", "The leaders", None),
        ("The Trade Ministers will consult at least yearly.", "The Trade Ministers", None),
        ("The ministry condemned the attack.", "The ministry", "USA"),
        ("Senior officials met on Tuesday.", "Senior officials", "USA"),
    ],
)
def test_actors_the_parties_of_a_meeting_do_not_take_the_publishers_country(
    resolver: ActorResolver, nlp: Any, text: str, phrase: str, country: str | None
) -> None:
    """"The leaders" of a joint statement are both sides: the publisher's country alone would name one of them."""
    doc = nlp(text)
    context = resolver.new_context(doc, home_country="USA")
    actor = resolver.code_span(_span(doc, phrase), context=context)
    assert actor is not None and actor.sector is not None
    assert actor.country == country


def test_actors_blind_span_table_accuracy(resolver: ActorResolver, nlp: Any) -> None:
    # phrases in their sentence, written before the resolver was run on them: a guard on overall accuracy
    import json

    path = Path(__file__).parent / "fixtures" / "actors" / "spans_blind.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    correct = 0
    for row in rows:
        doc = nlp(row["text"])
        got = resolver.code_span_all(_span(doc, row["phrase"]), context=resolver.new_context(doc))
        correct += sorted(a.country or "" for a in got) == sorted(row["country"].split("+"))
    assert len(rows) >= 25
    assert correct / len(rows) >= 0.9


def test_actors_organisation_name_inside_a_title_reads_the_possessor(
    resolver: ActorResolver, nlp: Any
) -> None:
    doc = nlp("Sergei Shoigu, Russia's Security Council Secretary, arrived in Pyongyang for talks.")
    council = next(m for m in resolver.mentions(doc, article_id="s") if m.text == "Security Council")
    assert council.actor is not None
    assert (council.actor.country, council.actor.sector) == ("RUS", "GOV")


def test_actors_title_before_a_named_person_and_no_borrowed_names(resolver: ActorResolver, nlp: Any) -> None:
    doc = nlp(
        "North Korea hosted the talks. Shoigu met Kim, other officials and Deputy Foreign Minister Andrey Rudenko."
    )
    by_text = {m.text: m for m in resolver.mentions(doc, article_id="t")}
    title = by_text["Deputy Foreign Minister"].actor
    assert title is not None and (title.country, title.rule) == ("RUS", "title-of:people:andrey-rudenko")
    kim = by_text["Kim"].actor  # no full name earlier: "Shoigu met" must not lend its person to "Kim"
    assert kim is None or kim.country is None
