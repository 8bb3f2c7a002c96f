"""Find which articles are copies of which: exact duplicates, near-duplicates, contained (trimmed or padded)
copies and syndicated copies that name their original, each linked to the earliest known version.

Candidates come from MinHash signatures (datasketch's ``affine32`` permutation scheme, computed for a whole
shingle set at once with numpy) banded into an LSH table; every candidate is then verified on the exact
shingle sets (Jaccard and containment of the smaller set in the larger), so an LSH collision alone never
merges two articles. The band table is a compact sorted-array + dict structure rather than datasketch's
``MinHashLSH`` dict-of-sets storage, which costs about 1.1 GB and 16 s for 100,000 articles on this machine
(see docs/dedup-eval.md). The index takes and gives plain data: ``extend`` loads persisted signatures
(``models.StoredSignature``) without touching article texts, ``add`` returns the fingerprint to persist, and the
few candidates whose shingles are not cached are verified on texts read through the ``texts`` function it is
given. Keeping all of this in the database is the pipeline's part (``newswatch.grouping``).
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from .errors import ConfigError
from .models import Article, StoredSignature
from .sites import normalise_site

log = logging.getLogger(__name__)

NUM_PERM = 64
# 64 bands of 1 row: any shared minimum hash makes a candidate, so a copy trimmed to a fifth of the original
# (Jaccard 0.2) is still found with p > 0.999; 32 bands of 2 rows would find it with p = 0.73. The extra
# candidates cost little: they are ranked by estimated containment and at most 8 are verified.
BANDS = 64
ROWS = 1
SHINGLE_WORDS = 5
MINHASH_SEED = 20261124

# Verification thresholds, chosen on the generated evaluation set (seed 13) and checked on two more seeds
# (docs/dedup-eval.md): containment 0.55-0.7 gives zero false merges and recall >= 0.999 on all three;
# 0.5 lets one hard negative merge, 0.8 loses 8-13 % of the combined-transformation copies.
NEAR_JACCARD = 0.7
CONTAINMENT = 0.6
MIN_SHARED_SHINGLES = 12
# Copies appear within days of their original; two texts with the same wording published further apart
# than this are formulaic statements (a yearly notice, a condemnation of each missile launch). Found on the
# White House statements (../shared/corpus, the former demo corpus): notices on Ukraine a year apart share 86 %,
# two DPRK launch statements three months apart 94 %, two sanctions letters 26 days apart 83 %.
MAX_GAP_DAYS = 14.0
# Candidates whose signature-estimated containment is below this are not verified at all.
_ESTIMATE_FLOOR = 0.25
_MAX_VERIFY = 8
# A verified pair is rejected when each text has at least this many names or figures of its own in the
# lines the two share (a line is shared when 30 % of its shingles are in the other text).
_MIN_SUBSTITUTED = 3
_SHARED_LINE = 0.3

# Common punctuation is blanked before tokens are cut (non-ASCII letters stay part of words). Bytes are
# translated, not str: str.translate with a mapping costs ~240 us on a 5 kB text with curly quotes,
# replace + bytes.translate ~20 us.
_UNICODE_PUNCT = ("\u201c", "\u201d", "\u2018", "\u2019", "\u2014", "\u2013", "\u2026", "\u00ab", "\u00bb", "\u00b7", "\u2022")
_ASCII_SEPARATORS = bytes(32 if chr(i) in "!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~\r\t" else i for i in range(256))
_WORD_BYTE = np.array([c >= 0x80 or chr(c).isalnum() or chr(c) == "_" for c in range(256)], dtype=bool)
_POLY = 0x100000001B3  # odd, hence invertible modulo 2^64
_POLY_INV = pow(_POLY, -1, 1 << 64)
_U32 = np.uint32
_U64 = np.uint64
# Odd 64-bit constants that mix a token's position in the shingle into the shingle hash.
_SHINGLE_MULT = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD,
     0xC4CEB9FE1A85EC53, 0x94D049BB133111EB, 0xBF58476D1CE4E5B9],
    dtype=_U64,
)


@dataclass
class DedupDecision:
    """What ``DedupIndex.check`` found for one article.

    ``duplicate_of`` is the earliest known version's id; ``relation`` says how it is a copy. When the article
    names an original that is not known, ``relation`` is "syndicated", ``duplicate_of`` is None and
    ``claimed_origin`` holds the named site. ``supersedes`` is set when this article turns out to be the
    original of an already indexed group (it is earlier, or it is the site the group names as its origin).
    """

    duplicate_of: str | None = None
    relation: str | None = None  # exact | near | contained | syndicated | None
    score: float = 0.0
    claimed_origin: str | None = None
    supersedes: str | None = None
    superseded_relation: str | None = None  # how the superseded group is a copy of this article
    jaccard: float = 0.0
    containment: float = 0.0


@dataclass
class Fingerprint:
    """An article's shingle set (sorted unique uint32) and MinHash signature."""

    shingles: np.ndarray
    signature: np.ndarray
    band_keys: np.ndarray | None = None  # filled by the index on first use


def _permutations(num_perm: int, seed: int) -> np.ndarray:
    """datasketch's affine32 permutations for (num_perm, seed), from the per-user cache: importing datasketch
    costs half a second (it pulls in scipy) and these few numbers are all we take from it."""
    from .cache import cached, fingerprint

    def build() -> np.ndarray:
        from datasketch import MinHash

        return np.asarray(MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations)

    key = fingerprint(packages=["datasketch", "numpy"], extra=[f"affine32 {num_perm} {seed}"])
    return cached("minhash", key, build)


class _Hasher:
    """Text -> shingle set -> MinHash signature, identical to datasketch's affine32 MinHash of the set."""

    def __init__(self, *, num_perm: int, seed: int, shingle_words: int) -> None:
        self.permutations = _permutations(num_perm, seed)
        self._a = self.permutations[0].astype(_U32).reshape(-1, 1)
        self._b = self.permutations[1].astype(_U32).reshape(-1, 1)
        self.num_perm = num_perm
        self.seed = seed
        self.k = shingle_words
        self._mult = _SHINGLE_MULT[:shingle_words]
        self._powers = np.ones(1, dtype=_U64)
        self._inverse_powers = np.ones(1, dtype=_U64)

    def _ensure_powers(self, n: int) -> None:
        """P^i and P^-i mod 2^64 for i < n, grown by doubling (texts are hashed without Python loops)."""
        have = len(self._powers)
        if have >= n:
            return
        size = max(n, 2 * have, 1 << 16)
        pw = np.empty(size, dtype=_U64)
        inv = np.empty(size, dtype=_U64)
        pw[:have], inv[:have] = self._powers, self._inverse_powers
        m = have
        while m < size:
            step = min(m, size - m)
            pw[m : m + step] = pw[:step] * _U64(pow(_POLY, m, 1 << 64))
            inv[m : m + step] = inv[:step] * _U64(pow(_POLY_INV, m, 1 << 64))
            m += step
        self._powers, self._inverse_powers = pw, inv

    def _tokens(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(64-bit hash, line number) of every token, computed on the UTF-8 bytes with numpy.

        A token is a maximal run of letters, digits, "_" or non-ASCII bytes after common punctuation is
        blanked; its hash is the polynomial sum of its bytes, read off prefix sums so that no Python code
        runs per token.
        """
        low = text.lower()
        if not low.isascii():
            for mark in _UNICODE_PUNCT:
                if mark in low:
                    low = low.replace(mark, " ")
        raw = np.frombuffer(low.encode("utf-8").translate(_ASCII_SEPARATORS), dtype=np.uint8)
        n = len(raw)
        self._ensure_powers(n + 1)
        edges = np.diff(np.concatenate(([0], _WORD_BYTE[raw].view(np.int8), [0])))
        starts = np.flatnonzero(edges == 1)
        ends = np.flatnonzero(edges == -1)
        prefix = np.concatenate(([_U64(0)], np.cumsum(raw.astype(_U64) * self._powers[:n])))
        hashes = (prefix[ends] - prefix[starts]) * self._inverse_powers[starts]
        hashes ^= hashes >> _U64(29)
        hashes *= _U64(0xBF58476D1CE4E5B9)
        hashes ^= hashes >> _U64(32)
        lines = np.cumsum(raw == 10)[starts]
        return hashes, lines

    def shingles(self, text: str) -> np.ndarray:
        """Hashes of the word k-grams inside each line; a line shorter than k words is one shingle.

        Shingles never span a line break, so reordered paragraphs and chrome lines added around a text
        leave the text's own shingles unchanged.
        """
        folded = np.sort(self.shingles_by_line(text)[0])
        if len(folded) < 2:
            return folded
        return folded[np.concatenate(([True], folded[1:] != folded[:-1]))]

    def shingles_by_line(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Every shingle hash (with repeats) and the number of the line (``text.split("\\n")``) it is in."""
        ids, line = self._tokens(text)
        if len(ids) == 0:
            return np.empty(0, dtype=_U32), np.empty(0, dtype=np.int64)
        k = self.k
        parts: list[np.ndarray] = []
        part_lines: list[np.ndarray] = []
        n = len(ids) - k + 1
        if n > 0:
            acc = ids[:n] * self._mult[0]
            for j in range(1, k):
                acc += ids[j : j + n] * self._mult[j]
            inside = line[:n] == line[k - 1 :]
            parts.append(acc[inside])
            part_lines.append(line[:n][inside])
        # Lines shorter than k words ("Post Comment", a one-line heading) are shingles of their own.
        starts = np.concatenate(([0], np.flatnonzero(line[1:] != line[:-1]) + 1))
        lengths = np.diff(np.append(starts, len(line)))
        short = np.flatnonzero(lengths < k)
        if len(short):
            extra = np.zeros(len(short), dtype=_U64)
            for m, idx in enumerate(short.tolist()):
                st, ln = int(starts[idx]), int(lengths[idx])
                extra[m] = (ids[st : st + ln] * self._mult[:ln]).sum() + _U64(ln)
            parts.append(extra)
            part_lines.append(line[starts[short]])
        acc = np.concatenate(parts) if len(parts) > 1 else parts[0]
        lines = np.concatenate(part_lines) if len(part_lines) > 1 else part_lines[0]
        acc ^= acc >> _U64(31)
        return (acc ^ (acc >> _U64(32))).astype(_U32), lines

    def signature(self, shingles: np.ndarray) -> np.ndarray:
        if len(shingles) == 0:
            return np.full(self.num_perm, 0xFFFFFFFF, dtype=_U32)
        hv = _fmix32(shingles)
        # (num_perm, n) products wrap mod 2^32 like datasketch's affine32 scheme.
        return (self._a * hv.reshape(1, -1) + self._b).min(axis=1).astype(_U32)

    def fingerprint(self, text: str) -> Fingerprint:
        sh = self.shingles(text)
        return Fingerprint(sh, self.signature(sh))


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_NAME_TOKEN = re.compile(r"[A-Z][\w'\u2019-]*|\d[\d,.:/-]*")


def _names(lines: Iterable[str]) -> set[str]:
    """Capitalised words and numbers, except the first word of a sentence: the names and figures."""
    out: set[str] = set()
    for line in lines:
        words = line.split()
        if len(words) <= 20 and sum(w[:1].isupper() for w in words) * 2 >= len(words):
            continue  # a title-case heading or menu line: its capitals are style, not names
        for sentence in _SENTENCE_END.split(line):
            found = _NAME_TOKEN.findall(sentence)
            first = sentence.lstrip()[:1]
            if found and first and sentence.lstrip().startswith(found[0]):
                found = found[1:]
            out.update(t.rstrip(".,:-") for t in found)
    return out


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, which datasketch applies before its affine permutation."""
    h = values.astype(_U32, copy=True)
    h ^= h >> _U32(16)
    h *= _U32(0x85EBCA6B)
    h ^= h >> _U32(13)
    h *= _U32(0xC2B2AE35)
    h ^= h >> _U32(16)
    return h


class _BandTable:
    """Band key -> first article that had it: a sorted numpy base plus a dict of recent inserts.

    Keeping only the first article per band key bounds memory and candidates; copies point at their root
    anyway, so the earliest holder of a band is the one worth finding.
    """

    def __init__(self, *, bands: int, rows: int, merge_every: int = 200_000) -> None:
        self.bands = bands
        self.rows = rows
        self._salt = (np.arange(bands, dtype=_U64) * _U64(0x9E3779B97F4A7C15)) | _U64(1)
        self._base_keys = np.empty(0, dtype=_U64)
        self._base_vals = np.empty(0, dtype=np.int32)
        self._recent: dict[int, int] = {}
        self._merge_every = merge_every

    def keys_for(self, signature: np.ndarray) -> np.ndarray:
        return self.keys_for_many(signature.reshape(1, -1))[0]

    def keys_for_many(self, signatures: np.ndarray) -> np.ndarray:
        """(n, bands) keys of n signatures: each band's row values combined, salted by the band number."""
        n = signatures.shape[0]
        sig = signatures[:, : self.bands * self.rows].astype(_U64).reshape(n, self.bands, self.rows)
        key = np.zeros((n, self.bands), dtype=_U64)
        for r in range(self.rows):
            key = (key << _U64(32)) ^ sig[:, :, r] ^ (key >> _U64(32))
        return key * self._salt + self._salt

    def query(self, keys: np.ndarray) -> set[int]:
        found: set[int] = set()
        if len(self._base_keys):
            pos = np.searchsorted(self._base_keys, keys)
            pos[pos >= len(self._base_keys)] = 0
            hit = self._base_keys[pos] == keys
            found.update(int(v) for v in self._base_vals[pos[hit]])
        recent = self._recent
        if recent:
            for k in keys.tolist():
                v = recent.get(k)
                if v is not None:
                    found.add(v)
        return found

    def insert(self, keys: np.ndarray, value: int) -> None:
        new = keys
        if len(self._base_keys):
            pos = np.searchsorted(self._base_keys, keys)
            pos[pos >= len(self._base_keys)] = 0
            new = keys[self._base_keys[pos] != keys]
        recent = self._recent
        for k in new.tolist():
            recent.setdefault(k, value)
        # A bounded dict: 200,000 int keys cost about 20 MB; a merge is one linear copy of the base.
        if len(recent) >= self._merge_every:
            self._merge()

    def bulk_insert(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Insert rows of keys (n, bands) for values (n,) in order; fast when the table is empty (loading)."""
        if len(self._base_keys) or self._recent:
            for row, value in zip(keys, values.tolist(), strict=True):
                self.insert(row, value)
            return
        flat = keys.reshape(-1)
        # np.unique's return_index gives each key's first occurrence: the earliest article keeps it.
        uniq, first = np.unique(flat, return_index=True)
        self._base_keys = uniq
        self._base_vals = np.repeat(values.astype(np.int32), keys.shape[1])[first]

    def _merge(self) -> None:
        if not self._recent:
            return
        keys = np.fromiter(self._recent.keys(), dtype=_U64, count=len(self._recent))
        vals = np.fromiter(self._recent.values(), dtype=np.int32, count=len(self._recent))
        order = np.argsort(keys)
        keys, vals = keys[order], vals[order]
        # Recent keys are never in the base (insert checks), so a sorted insertion keeps the base sorted
        # with one linear copy instead of re-sorting everything.
        at = np.searchsorted(self._base_keys, keys)
        self._base_keys = np.insert(self._base_keys, at, keys)
        self._base_vals = np.insert(self._base_vals, at, vals)
        self._recent = {}


# reads an indexed article's text by id; None when it cannot be read
TextReader = Callable[[str], str | None]


class DedupIndex:
    """An incremental index of article fingerprints; ``check`` an article, then ``add`` it.

    ``texts`` reads the text of an indexed article by id, to verify a candidate whose shingles are no longer
    cached; without it the index keeps the text of every article it adds in memory (evaluation, tests).
    """

    def __init__(
        self,
        *,
        texts: TextReader | None = None,
        near_jaccard: float = NEAR_JACCARD,
        containment: float = CONTAINMENT,
        min_shared: int = MIN_SHARED_SHINGLES,
        cache_size: int = 50_000,
        max_gap_days: float = MAX_GAP_DAYS,
        num_perm: int = NUM_PERM,
        bands: int = BANDS,
        rows: int = ROWS,
        shingle_words: int = SHINGLE_WORDS,
    ) -> None:
        if bands * rows > num_perm or bands < 1 or rows < 1:
            raise ConfigError(
                f"LSH bands x rows ({bands} x {rows}) must be positive and use at most the {num_perm} MinHash "
                "values; lower --bands or --rows"
            )
        self._reader = texts
        self.near_jaccard = near_jaccard
        self.containment = containment
        self.min_shared = min_shared
        self.max_gap = max_gap_days * 86400.0
        self._hasher = _Hasher(num_perm=num_perm, seed=MINHASH_SEED, shingle_words=shingle_words)
        self._bands = _BandTable(bands=bands, rows=rows)
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._key_of: dict[str, int] = {}
        self._ids: list[str] = []
        self._root: list[int] = []
        self._site: list[str | None] = []
        self._claimed: list[str | None] = []
        self._published: list[float] = []
        self._sizes = np.zeros(1024, dtype=np.int32)
        self._sigs = np.zeros((1024, num_perm), dtype=_U32)
        self._by_hash: dict[str, int] = {}
        self._pending: dict[str, Fingerprint] = {}
        self._pending_root: dict[int, str] = {}
        self._texts: dict[int, str] = {}
        self._latest: dict[int, float] = {}  # root -> publication time of its latest copy
        self._call_reader: TextReader | None = None

    @property
    def num_perm(self) -> int:
        """MinHash values per signature (stored signatures must have as many)."""
        return self._hasher.num_perm

    # ------------------------------------------------------------------ loading

    def extend(self, rows: Iterable[StoredSignature]) -> int:
        """Index persisted signatures (in the order they were added) without their texts; rows already indexed
        are skipped, so loading again reads what other processes added. Returns how many were new."""
        added = 0
        first_key = len(self._ids)
        for row in rows:
            if row.article_id in self._key_of:
                continue
            self._remember(
                row.article_id,
                index_bands=False,
                signature=row.signature,
                size=row.num_shingles,
                text_hash=row.text_hash,
                site=row.site,
                claimed=row.original_source,
                published=row.published_at,
                root_id=row.duplicate_of,
            )
            added += 1
        if added:
            sigs = self._sigs[first_key : first_key + added]
            self._bands.bulk_insert(
                self._bands.keys_for_many(sigs), np.arange(first_key, first_key + added, dtype=np.int64)
            )
        # Roots that point at ids loaded later in the stream are resolved now.
        for key, root in enumerate(self._root):
            if root < 0:
                self._root[key] = self._key_of.get(self._pending_root.get(key, ""), key)
        self._pending_root.clear()
        for key, root in enumerate(self._root):
            when = self._published[key]
            if root != key and when != _NO_DATE and when > self._latest.get(root, -_NO_DATE):
                self._latest[root] = when
        log.info("dedup index: %d signatures loaded, %d in total", added, len(self._ids))
        return added

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._key_of

    # ------------------------------------------------------------------ checking

    def fingerprint(self, article: Article) -> Fingerprint:
        fp = self._pending.get(article.id)
        if fp is None:
            fp = self._hasher.fingerprint(article.text)
            if len(self._pending) > 64:
                self._pending.clear()
            self._pending[article.id] = fp
        return fp

    def check(self, article: Article, *, texts: TextReader | None = None) -> DedupDecision:
        """Is ``article`` a copy of an indexed one? Does not change the index.

        Texts of candidates that are not cached are read with ``texts`` when given (the caller's reader inside
        the transaction the article is written in), else with the index's own reader.
        """
        self._call_reader = texts
        try:
            return self._check(article)
        finally:
            self._call_reader = None

    def _check(self, article: Article) -> DedupDecision:
        claimed = normalise_site(article.original_source)
        own_site = normalise_site(article.site)
        if claimed == own_site:
            claimed = None
        key = self._key_of.get(article.id)
        if key is not None:
            root = self._root[key]
            if root != key:
                return DedupDecision(self._ids[root], "near", 1.0, claimed_origin=claimed)
            return DedupDecision(claimed_origin=claimed, relation="syndicated" if claimed else None)
        exact = self._by_hash.get(article.text_hash)
        if exact is not None:
            return self._link(article, exact, relation="exact", score=1.0, jac=1.0, cont=1.0, claimed=claimed)
        fp = self.fingerprint(article)
        best: tuple[float, int, str, float, float] | None = None
        for cand, jac, cont in self._verified(fp, article.text, _epoch(article.published_at)):
            relation = "near" if jac >= self.near_jaccard else "contained"
            score = max(jac, cont)
            if best is None or score > best[0]:
                best = (score, cand, relation, jac, cont)
        if best is None:
            if claimed:
                return DedupDecision(relation="syndicated", claimed_origin=claimed)
            return DedupDecision()
        score, cand, relation, jac, cont = best
        return self._link(article, cand, relation=relation, score=score, jac=jac, cont=cont, claimed=claimed)

    def _link(
        self, article: Article, cand: int, *, relation: str, score: float, jac: float, cont: float,
        claimed: str | None,
    ) -> DedupDecision:
        root = self._root[cand]
        root_site = self._site[root]
        own_site = normalise_site(article.site)
        if claimed and root_site == claimed:
            relation = "syndicated"
        published = _epoch(article.published_at)
        # This article is the group's original when the group names its site as origin, or it is earlier; never
        # when it names the group's site as its own origin (a copy whose page gives only a day looks older than
        # the original of that afternoon).
        names_us = own_site is not None and self._claimed[root] == own_site and root_site != own_site
        names_them = claimed is not None and claimed == root_site and own_site != root_site
        earlier = published < self._published[root] and published != float("inf") and not names_them
        if names_us or earlier:
            return DedupDecision(
                None,
                None,
                score,
                claimed_origin=claimed,
                supersedes=self._ids[root],
                superseded_relation="syndicated" if names_us else relation,
                jaccard=jac,
                containment=cont,
            )
        return DedupDecision(
            self._ids[root], relation, round(score, 4), claimed_origin=claimed, jaccard=jac, containment=cont
        )

    def _verified(self, fp: Fingerprint, text: str, published: float) -> Iterable[tuple[int, float, float]]:
        if len(self._ids) == 0 or len(fp.shingles) == 0:
            return []
        if fp.band_keys is None:
            fp.band_keys = self._bands.keys_for(fp.signature)
        cands = self._bands.query(fp.band_keys)
        if not cands:
            return []
        keys = np.fromiter(cands, dtype=np.int64, count=len(cands))
        est_j = (self._sigs[keys] == fp.signature).mean(axis=1)
        sizes = self._sizes[keys].astype(np.float64)
        n = float(len(fp.shingles))
        inter = est_j * (sizes + n) / (1.0 + est_j)
        est_c = inter / np.maximum(np.minimum(sizes, n), 1.0)
        order = np.argsort(-est_c)
        out: list[tuple[int, float, float]] = []
        for i in order[:_MAX_VERIFY]:
            if est_c[i] < _ESTIMATE_FLOOR:
                break
            cand = int(keys[i])
            if not self._within_gap(published, self._root[cand]):
                continue  # the same wording months apart is a formula (a yearly notice), not a copy
            other = self._shingles_of(cand)
            if other is None:
                continue
            shared = len(np.intersect1d(fp.shingles, other, assume_unique=True))
            if shared < self.min_shared:
                continue
            jac = shared / (len(fp.shingles) + len(other) - shared)
            cont = shared / min(len(fp.shingles), len(other))
            if jac < self.near_jaccard and cont < self.containment:
                continue
            # The name check is a second guard; when the candidate's text cannot be read (a row of the
            # caller's open transaction read through another connection) the shingle verification stands.
            other_text = self._text_of(cand)
            if other_text is not None and self._names_substituted(text, fp.shingles, other_text, other):
                log.debug("not a copy of %s: same wording, different names", self._ids[cand])
                continue
            out.append((cand, jac, cont))
        return out

    def _within_gap(self, published: float, root: int) -> bool:
        """Is ``published`` within the gap of any member of the group of ``root`` (a chain of copies counts)?"""
        if published == _NO_DATE:
            return True
        first = self._published[root]
        last = self._latest.get(root, first)
        if first == _NO_DATE:
            return True
        return first - self.max_gap <= published <= last + self.max_gap

    def _names_substituted(self, text: str, shingles: np.ndarray, other_text: str, other: np.ndarray) -> bool:
        """Do both texts have names or figures of their own in the lines they share?

        A copy adds or drops whole lines and changes common words; two reports written from one template
        (two missile launches, two delegations' talks) share their wording but swap names, dates and
        figures inside the shared lines.
        """
        names = _names(text.split("\n"))
        other_names = _names(other_text.split("\n"))
        # Cheap exit first: a copy has names of its own on one side at most (chrome added, text trimmed).
        if len(names - other_names) < _MIN_SUBSTITUTED or len(other_names - names) < _MIN_SUBSTITUTED:
            return False
        own = self._shared_line_names(text, other) - other_names
        if len(own) < _MIN_SUBSTITUTED:
            return False
        theirs = self._shared_line_names(other_text, shingles) - names
        return len(theirs) >= _MIN_SUBSTITUTED

    def _shared_line_names(self, text: str, other: np.ndarray) -> set[str]:
        shingles, lines = self._hasher.shingles_by_line(text)
        if len(shingles) == 0 or len(other) == 0:
            return set()
        pos = np.searchsorted(other, shingles)
        pos[pos >= len(other)] = 0
        hit = (other[pos] == shingles).astype(np.float64)
        total = np.bincount(lines)
        found = np.bincount(lines, weights=hit, minlength=len(total))
        shared = np.flatnonzero((total > 0) & (found >= _SHARED_LINE * total))
        text_lines = text.split("\n")
        return _names(text_lines[i] for i in shared.tolist() if i < len(text_lines))

    def _text_of(self, key: int) -> str | None:
        if key in self._texts:
            return self._texts[key]
        return self._read_text(key)

    def _shingles_of(self, key: int) -> np.ndarray | None:
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        text = self._read_text(key)
        if text is None:
            return None
        shingles = self._hasher.shingles(text)
        self._cache_put(key, shingles)
        return shingles

    def _read_text(self, key: int) -> str | None:
        # Without the text a candidate that is not cached is not verified (a copy may be missed, nothing is
        # merged) and the name check is skipped.
        reader = self._call_reader if self._call_reader is not None else self._reader
        return reader(self._ids[key]) if reader is not None else None

    def _cache_put(self, key: int, shingles: np.ndarray) -> None:
        self._cache[key] = shingles
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    # ------------------------------------------------------------------ adding

    def add(self, article: Article, decision: DedupDecision) -> Fingerprint | None:
        """Index ``article`` with ``decision`` (what ``check`` said of it); returns its fingerprint, for the
        caller to persist, or None when the article was indexed already."""
        if article.id in self._key_of:
            return None
        fp = self._pending.pop(article.id, None) or self._hasher.fingerprint(article.text)
        claimed = decision.claimed_origin or normalise_site(article.original_source)
        root_id = decision.duplicate_of
        key = self._remember(
            article.id,
            signature=fp.signature,
            size=len(fp.shingles),
            text_hash=article.text_hash,
            site=normalise_site(article.site),
            claimed=claimed if claimed != normalise_site(article.site) else None,
            published=article.published_at,
            root_id=root_id,
            band_keys=fp.band_keys,
        )
        self._cache_put(key, fp.shingles)
        if self._reader is None:
            self._texts[key] = article.text  # nothing to re-read it from
        if decision.supersedes and decision.supersedes in self._key_of:
            old_root = self._key_of[decision.supersedes]
            for k, r in enumerate(self._root):
                if r == old_root:
                    self._root[k] = key
            latest = max(self._latest.pop(old_root, self._published[old_root]), self._published[old_root])
            if latest != _NO_DATE:
                self._latest[key] = max(latest, self._latest.get(key, -_NO_DATE))
        return fp

    def _remember(
        self,
        article_id: str,
        *,
        signature: np.ndarray,
        size: int,
        text_hash: str | None,
        site: str | None,
        claimed: str | None,
        published: datetime | None,
        root_id: str | None,
        band_keys: np.ndarray | None = None,
        index_bands: bool = True,
    ) -> int:
        key = len(self._ids)
        if key >= len(self._sizes):
            self._sizes = np.resize(self._sizes, 2 * len(self._sizes))
            grown = np.zeros((2 * len(self._sigs), self._sigs.shape[1]), dtype=_U32)
            grown[: len(self._sigs)] = self._sigs
            self._sigs = grown
        self._ids.append(article_id)
        self._key_of[article_id] = key
        self._sizes[key] = size
        self._sigs[key] = signature
        self._site.append(normalise_site(site))
        self._claimed.append(normalise_site(claimed))
        self._published.append(_epoch(published))
        if root_id is None:
            self._root.append(key)
        elif root_id in self._key_of:
            self._root.append(self._root[self._key_of[root_id]])
        else:
            self._root.append(-1)
            self._pending_root[key] = root_id
        root = self._root[key]
        when = self._published[key]
        if root >= 0 and root != key and when != _NO_DATE and when > self._latest.get(root, -_NO_DATE):
            self._latest[root] = when
        if text_hash and text_hash not in self._by_hash:
            self._by_hash[text_hash] = key
        if index_bands:
            self._bands.insert(self._bands.keys_for(signature) if band_keys is None else band_keys, key)
        return key

    def root_of(self, article_id: str) -> str | None:
        """The earliest known version of ``article_id`` (itself when it is an original), None if unknown."""
        key = self._key_of.get(article_id)
        if key is None:
            return None
        return self._ids[self._root[key]]


_NO_DATE = float("inf")


def _epoch(value: datetime | None) -> float:
    if value is None:
        return _NO_DATE
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()
