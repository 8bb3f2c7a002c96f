"""DedupIndex: exact, near, contained and syndicated copies, hard negatives, persistence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash
from sqlalchemy import create_engine, insert, select

from newswatch.dedup import MINHASH_SEED, NUM_PERM, DedupIndex, _Hasher
from newswatch.grouping import StoredDedupIndex, assign_stories
from newswatch.models import Article
from newswatch.sites import normalise_site
from newswatch.store import schema

FIX = Path(__file__).parent / "fixtures" / "dedup"
T0 = datetime(2025, 5, 5, 8, 0, tzinfo=UTC)


def _text(name: str) -> str:
    return (FIX / name).read_text(encoding="utf-8")


def _art(aid: str, text: str, *, site: str = "harbourtimes.example", hours: int = 0, **kw: object) -> Article:
    return Article(id=aid, text=text, site=site, published_at=T0 + timedelta(hours=hours), **kw)  # type: ignore[arg-type]


def _chrome(body: str) -> str:
    return _text("chrome_header.txt") + "\n" + body + "\n" + _text("chrome_footer.txt")


def _index_with(*articles: Article) -> DedupIndex:
    index = DedupIndex()
    for a in articles:
        index.add(a, index.check(a))
    return index


@pytest.mark.parametrize("text", ["the port of Varna Bay closed", "one two three four five six seven\nx"])
def test_dedup_signature_equals_datasketch_minhash(text: str) -> None:
    hasher = _Hasher(num_perm=NUM_PERM, seed=MINHASH_SEED, shingle_words=5)
    shingles = hasher.shingles(text)
    reference = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme="affine32", hashfunc=lambda v: v)
    reference.update_batch([int(s) for s in shingles])
    assert np.array_equal(hasher.signature(shingles), reference.hashvalues)


def _trim_half(body: str) -> str:
    paras = body.split("\n\n")
    return "\n\n".join(paras[: len(paras) // 2])


def _reorder(body: str) -> str:
    paras = body.strip().split("\n\n")
    return "\n\n".join([paras[0], *reversed(paras[1:])])


@pytest.mark.parametrize(
    ("make", "relations"),
    [
        (lambda b: b, {"exact"}),
        (lambda b: "  " + b.upper() + "\n", {"exact"}),
        (_chrome, {"near", "contained"}),
        (_trim_half, {"contained"}),
        (_reorder, {"near"}),
        (lambda b: "Breaking: port strike strands ships\n\n" + b, {"near", "contained"}),
        (lambda b: _chrome(_trim_half(b)), {"contained"}),
        (lambda b: b + "\n\nThis story has been updated with a statement from the port authority.", {"near", "contained"}),
    ],
    ids=["same", "case-space", "chrome", "trim-half", "reorder", "retitled", "chrome+trim", "added-paragraph"],
)
def test_dedup_copy_linked_to_original(make: object, relations: set[str]) -> None:
    original = _art("orig", _text("port_strike_a.txt"))
    index = _index_with(original)
    copy = _art("copy", make(_text("port_strike_a.txt")), site="copysite.example", hours=3)  # type: ignore[operator]
    decision = index.check(copy)
    assert decision.duplicate_of == "orig"
    assert decision.relation in relations


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("port_strike_a.txt", "port_strike_other.txt"),  # same site, same topic, different event
        ("port_strike_a.txt", "port_strike_b.txt"),  # same event, different words: a story, not a copy
    ],
)
def test_dedup_hard_negatives_under_same_chrome_not_merged(first: str, second: str) -> None:
    index = _index_with(_art("a", _chrome(_text(first))))
    decision = index.check(_art("b", _chrome(_text(second)), hours=5))
    assert decision.duplicate_of is None
    assert decision.relation is None


def test_dedup_named_origin_unknown_is_recorded_as_claim() -> None:
    index = _index_with(_art("x", _text("port_strike_other.txt")))
    copy = _art("c", _text("port_strike_a.txt"), original_source="www.AlJazeera.com", site="mirror.example")
    decision = index.check(copy)
    assert (decision.duplicate_of, decision.relation, decision.claimed_origin) == (None, "syndicated", "aljazeera.com")


def test_dedup_named_origin_known_links_as_syndicated() -> None:
    index = _index_with(_art("orig", _text("port_strike_a.txt"), site="aljazeera.com"))
    copy = _art("c", _chrome(_text("port_strike_a.txt")), original_source="www.aljazeera.com", site="m.example", hours=2)
    decision = index.check(copy)
    assert (decision.duplicate_of, decision.relation) == ("orig", "syndicated")


def test_dedup_a_copy_that_names_its_origin_never_becomes_its_original() -> None:
    # the copy's page gives only a day (read as midnight), so it looks older than the original of that
    # afternoon; it names the original's site, so it is the copy all the same
    body = _text("port_strike_a.txt")
    index = _index_with(_art("orig", body, site="aljazeera.com", hours=15))
    copy = _art("c", _chrome(body), site="m.example", original_source="www.aljazeera.com", hours=0)
    decision = index.check(copy)
    assert (decision.duplicate_of, decision.relation, decision.supersedes) == ("orig", "syndicated", None)
    # an earlier text that names no origin is still taken for the original
    earlier = _art("e", _chrome(body), site="n.example", hours=0)
    assert index.check(earlier).supersedes == "orig"


def test_dedup_original_arriving_after_its_copies_becomes_root() -> None:
    body = _text("port_strike_a.txt")
    copy1 = _art("c1", _chrome(body), site="m1.example", original_source="aljazeera.com", hours=5)
    copy2 = _art("c2", body, site="m2.example", hours=6)
    index = _index_with(copy1, copy2)
    assert index.root_of("c2") == "c1"
    original = _art("orig", body + "\n\nMore to follow.", site="www.aljazeera.com", hours=7)
    decision = index.check(original)
    assert decision.supersedes == "c1" and decision.duplicate_of is None
    index.add(original, decision)
    assert [index.root_of(i) for i in ("c1", "c2", "orig")] == ["orig", "orig", "orig"]


@pytest.mark.parametrize(("raw", "expected"), [("https://www.aljazeera.com/news/x", "aljazeera.com"), ("M.BBC.co.uk", "bbc.co.uk"), ("", None)])
def test_dedup_normalise_site(raw: str, expected: str | None) -> None:
    assert normalise_site(raw) == expected


def _engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = create_engine("sqlite:///" + str(tmp_path / "t.db"))
    schema.metadata.create_all(engine)
    return engine


def _store_article(conn, a: Article) -> None:  # type: ignore[no-untyped-def]
    conn.execute(
        insert(schema.articles).values(
            id=a.id, text=a.text, text_hash=a.text_hash, site=a.site, published_at=a.published_at,
            original_source=a.original_source, title=a.title,
        )
    )


def test_dedup_persisted_index_reloads_without_texts_in_memory(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    index = StoredDedupIndex.load(engine)
    first = [_art("a", _text("port_strike_a.txt")), _art("o", _text("port_strike_other.txt"), hours=1)]
    with engine.begin() as conn:
        for a in first:
            _store_article(conn, a)
            index.add(a, index.check(a), conn=conn)
    # A new process: the index comes from the stored signatures; verification re-reads the text.
    reloaded = StoredDedupIndex.load(engine)
    assert len(reloaded) == 2
    copy = _art("c", _chrome(_trim_half(_text("port_strike_a.txt"))), site="copy.example", hours=4)
    decision = reloaded.check(copy)
    assert (decision.duplicate_of, decision.relation) == ("a", "contained")
    with engine.begin() as conn:
        _store_article(conn, copy)
        reloaded.add(copy, decision, conn=conn)
    with engine.connect() as conn:
        row = conn.execute(select(schema.articles).where(schema.articles.c.id == "c")).mappings().one()
        n_sigs = len(conn.execute(select(schema.signatures.c.article_id)).all())
    assert (row["duplicate_of"], row["dup_relation"]) == ("a", "contained")
    assert n_sigs == 3


def test_dedup_persisted_supersede_repoints_rows(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    index = StoredDedupIndex.load(engine)
    body = _text("port_strike_a.txt")
    arts = [
        _art("c1", _chrome(body), site="m1.example", original_source="aljazeera.com", hours=5),
        _art("c2", body, site="m2.example", hours=6),
        _art("orig", body + "\n\nMore to follow.", site="aljazeera.com", hours=7),
    ]
    with engine.begin() as conn:
        for a in arts:
            _store_article(conn, a)
            index.add(a, index.check(a), conn=conn)
    with engine.connect() as conn:
        rows = {
            r.id: (r.duplicate_of, r.dup_relation)
            for r in conn.execute(
                select(schema.articles.c.id, schema.articles.c.duplicate_of, schema.articles.c.dup_relation)
            )
        }
    assert rows == {"c1": ("orig", "syndicated"), "c2": ("orig", "near"), "orig": (None, None)}


SEED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seed_article.txt"


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed article is not on this machine")
def test_dedup_seed_article_copy_without_chrome_is_linked_one_source(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    paras = [p for p in text.split("\n\n") if p.strip()]
    # Without the chrome: drop the "Loading Now" line, the provenance line, the author bio and "Post Comment".
    body = [p for p in paras if p.strip() not in {"Loading Now", "Post Comment"} and not p.startswith("Original Source")]
    body = [p for p in body if "investigative reporter" not in p]
    engine = _engine(tmp_path)
    index = StoredDedupIndex.load(engine)
    seed = _art("seed", text, site="syndicator.example", original_source="www.aljazeera.com")
    plain = _art("plain", "\n\n".join(body), site="another.example", hours=2)
    decisions = {}
    with engine.begin() as conn:
        for art in (seed, plain):
            _store_article(conn, art)
            decisions[art.id] = index.check(art)
            index.add(art, decisions[art.id], conn=conn)
    assert decisions["seed"].claimed_origin == "aljazeera.com"
    assert decisions["plain"].duplicate_of == "seed"
    assert decisions["plain"].relation in {"near", "contained"}
    assign_stories(engine)
    with engine.connect() as conn:
        story = conn.execute(select(schema.stories)).mappings().one()
    assert (story["num_articles"], story["num_independent_sources"]) == (2, 1)


def test_dedup_refresh_reads_signatures_added_by_another_process(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    mine, theirs = StoredDedupIndex.load(engine), StoredDedupIndex.load(engine)
    with engine.begin() as conn:
        own = _art("o", _text("port_strike_other.txt"))
        _store_article(conn, own)
        mine.add(own, mine.check(own), conn=conn)
        art = _art("a", _text("port_strike_a.txt"), hours=1)
        _store_article(conn, art)
        theirs.add(art, theirs.check(art), conn=conn)
    assert mine.refresh() == 1
    assert mine.check(_art("c", _chrome(_text("port_strike_a.txt")), hours=2)).duplicate_of == "a"


@pytest.mark.parametrize("merge_every", [7, 50, 10_000])
def test_dedup_band_table_keeps_first_holder_across_merges(merge_every: int) -> None:
    from newswatch.dedup import _BandTable

    rng = np.random.default_rng(merge_every)
    table = _BandTable(bands=4, rows=1, merge_every=merge_every)
    first: dict[int, int] = {}
    for value in range(400):
        keys = rng.integers(0, 1500, 4).astype(np.uint64)
        table.insert(keys, value)
        for k in keys.tolist():
            first.setdefault(k, value)
    assert all(table.query(np.array([k], dtype=np.uint64)) == {v} for k, v in first.items())
    assert table.query(np.array([999_999], dtype=np.uint64)) == set()


@pytest.mark.parametrize(("bands", "rows"), [(40, 2), (0, 1), (64, 0)])
def test_dedup_bad_lsh_shape_is_a_config_error(bands: int, rows: int) -> None:
    from newswatch.errors import ConfigError

    with pytest.raises(ConfigError, match="bands x rows"):
        DedupIndex(bands=bands, rows=rows)


def test_dedup_deferred_writes_equal_immediate_ones(tmp_path: Path) -> None:
    body = _text("port_strike_a.txt")
    arts = [
        _art("a", body),
        _art("o", _text("port_strike_other.txt"), hours=1),
        _art("c", _chrome(body), site="m.example", hours=2, original_source="harbourtimes.example"),
        _art("t", _trim_half(body), site="n.example", hours=3),
    ]
    stored = {}
    for defer in (False, True):
        (tmp_path / str(defer)).mkdir()
        engine = _engine(tmp_path / str(defer))
        index = StoredDedupIndex.load(engine)
        with engine.begin() as conn:
            for a in arts:
                _store_article(conn, a)
                index.add(a, index.check(a), conn=conn, defer=defer)
            assert index.flush(conn) == (4 if defer else 0)
        with engine.connect() as conn:
            rows = conn.execute(
                select(schema.articles.c.id, schema.articles.c.duplicate_of, schema.articles.c.dup_relation)
            ).all()
            n_sigs = len(conn.execute(select(schema.signatures.c.article_id)).all())
        stored[defer] = (sorted(rows), n_sigs, [StoredDedupIndex.load(engine).root_of(a.id) for a in arts])
    assert stored[False] == stored[True]
    assert stored[True][0] == [("a", None, None), ("c", "a", "syndicated"), ("o", None, None), ("t", "a", "contained")]
    assert stored[True][2] == ["a", "o", "a", "a"]


@pytest.mark.parametrize(("days", "linked"), [(2, True), (13, True), (26, False), (365, False)])
def test_dedup_same_wording_months_apart_is_not_a_copy(days: int, linked: bool) -> None:
    body = _text("port_strike_a.txt")
    index = _index_with(_art("first", body))
    later = _art("later", body + "\n\nUpdated.", site="other.example", hours=24 * days)
    assert (index.check(later).duplicate_of == "first") is linked


def test_dedup_template_with_other_names_is_not_a_copy() -> None:
    body = _text("port_strike_a.txt")
    swaps = {"Varna Bay": "Orlen Harbour", "Kestrel Point": "Gull Rock", "Elena Marsh": "Piotr Lind",
             "Tomas Brandt": "Sara Quist", "4,000": "2,600", "fourteen": "nine", "Monday": "Friday"}
    other = body
    for old, new in swaps.items():
        other = other.replace(old, new)
    index = _index_with(_art("a", body))
    assert index.check(_art("b", other, hours=1)).duplicate_of is None
    # The same text with a dateline and a credit added is still a copy.
    copy = "VARNA BAY (Harbour Wire) -\n" + body + "\n\nReporting by Harbour Wire staff."
    assert index.check(_art("c", copy, hours=1)).duplicate_of == "a"


def test_dedup_chain_of_copies_spanning_more_than_the_gap_stays_linked() -> None:
    body = _text("port_strike_a.txt")
    index = _index_with(_art("a", body), _art("b", _chrome(body), site="m1.example", hours=24 * 10))
    assert index.root_of("b") == "a"
    late = index.check(_art("c", body + "\n\nShare this article", site="m2.example", hours=24 * 20))
    assert late.duplicate_of == "a"


def test_dedup_check_reads_candidates_through_the_callers_transaction(tmp_path: Path) -> None:
    """Plain SQLite (no WAL): a second connection cannot read while the batch's transaction writes."""
    engine = _engine(tmp_path)
    index = StoredDedupIndex.load(engine, cache_size=0)  # force reading candidate texts from the database
    body = _text("port_strike_a.txt")
    with engine.begin() as conn:
        first = _art("a", body)
        _store_article(conn, first)
        index.add(first, index.check(first, conn=conn), conn=conn, defer=True)
        copy = _art("c", _chrome(body), site="m.example", hours=1)
        _store_article(conn, copy)
        decision = index.check(copy, conn=conn)
        index.add(copy, decision, conn=conn, defer=True)
        index.flush(conn)
    assert (decision.duplicate_of, decision.relation) == ("a", "near")
