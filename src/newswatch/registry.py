"""The stages' configured parts by name: one table of factories, and ``Stages``, which builds a run's parts from
validated ``Settings``.

A factory is registered under a kind (what it builds: "nlp", "actors", "gazetteer", "acled", "coder",
"exporter") and a name, the way spaCy registers its components; it takes its configuration as keyword-only
arguments, and ``parts`` (the ``Stages`` being assembled) for the parts it works with. The built-ins are listed
in ``BUILTINS``, as datasette lists its DEFAULT_PLUGINS, and another coder or exporter is added the same way::

    from newswatch.registry import register

    @register("coder", "mine")
    def my_coder(*, parts, event_model=None):
        return MyCoder(resolver=parts.actors)

and chosen by name, ``Settings(coder={"kind": "mine"})``, by a program that uses newswatch as a library (the
command line and its ``--coder``/``--format`` choices see what is registered in its process; it loads no
third-party module of its own accord). Register before the first run: a part already built keeps the parts it was built with. A factory registered at run time reaches
``--workers`` processes (they are forked from this one); a Dask worker knows what its own process imported, so
a coder for a cluster is registered in a module the workers import.

Parts are built on first use and kept for the life of the process, one for each configuration (a spaCy pipeline
and the actor tables take seconds to load; the per-user cache in ``newswatch.cache`` makes the tables quick, this
makes them once). A worker process or a Dask worker handed the same Settings builds its own parts once and
reuses them for every chunk. The stages never fetch a part themselves: the pipeline hands them what they need.

``python -m newswatch.registry`` builds the parts whose indexes are cached, which fills the per-user cache
(``make install`` runs it).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .config import Settings
from .errors import ConfigError, QueryError

if TYPE_CHECKING:
    from .acled import AcledClassifier
    from .actors import ActorResolver
    from .events import EventCoder
    from .export import Exporter
    from .places import Gazetteer

log = logging.getLogger(__name__)

KINDS = {
    "nlp": "the spaCy pipeline that parses articles (config: model)",
    "actors": "the actor dictionary that codes mentions and phrases as countries and sectors",
    "gazetteer": "the offline place index that geocodes events and gives their time zones",
    "acled": "the ACLED-style cue classifier of whole records",
    "coder": "an event coder: code_doc(doc, article_id=, context=) -> events, acled_label, version "
    "(config: event_model)",
    "exporter": "a format stored events are exported in",
}


@dataclass(frozen=True)
class Factory:
    """One registered way to build a part: ``make(*, parts, **config)``."""

    kind: str
    name: str
    make: Callable[..., Any]


# ---------------------------------------------------------------------------- the built-in factories
# Each imports its stage when it runs, so that importing the registry stays cheap (the CLI and the API import it).


def _spacy(*, parts: Stages, model: str | None = None) -> Any:
    from .nlp import load_pipeline

    return load_pipeline(model)


def _actors(*, parts: Stages) -> ActorResolver:
    from .actors import load_resolver

    return load_resolver()


def _gazetteer(*, parts: Stages) -> Gazetteer:
    from .places import load_gazetteer

    return load_gazetteer()


def _acled(*, parts: Stages) -> AcledClassifier:
    from .acled import AcledClassifier

    return AcledClassifier()


def _rules_coder(*, parts: Stages, event_model: str | None = None) -> EventCoder:
    """rules-0.2.0 (``event_model`` is not used: the rules are a lexicon, not a model)."""
    from .events import EventCoder

    return EventCoder(resolver=parts.actors, gazetteer=parts.gazetteer, acled=parts.acled)


def _learned_coder(*, parts: Stages, event_model: str | None = None) -> Any:
    """The learned coder with the model in ``event_model`` (default: the one shipped in the package)."""
    from .coder import LearnedCoder, load_model

    return LearnedCoder(
        model=load_model(event_model), resolver=parts.actors, rules=parts.rules_coder, acled=parts.acled
    )


def _exporter(attribute: str) -> Callable[..., Exporter]:
    def make(*, parts: Stages) -> Exporter:
        from . import export

        spec: Exporter = getattr(export, attribute)
        return spec

    return make


BUILTINS: tuple[Factory, ...] = (
    Factory("nlp", "spacy", _spacy),
    Factory("actors", "dictionary", _actors),
    Factory("gazetteer", "geonames", _gazetteer),
    Factory("acled", "cues", _acled),
    Factory("coder", "learned", _learned_coder),
    Factory("coder", "rules", _rules_coder),
    Factory("exporter", "csv", _exporter("CSV")),
    Factory("exporter", "jsonl", _exporter("JSONL")),
    Factory("exporter", "parquet", _exporter("PARQUET")),
    Factory("exporter", "geojson", _exporter("GEOJSON")),
    Factory("exporter", "plover-json", _exporter("PLOVER_JSON")),
    Factory("exporter", "acled-csv", _exporter("ACLED_CSV")),
    Factory("exporter", "gdelt-tsv", _exporter("GDELT_TSV")),
    Factory("exporter", "cameo-tsv", _exporter("CAMEO_TSV")),
)

# ---------------------------------------------------------------------------- the table

_FACTORIES: dict[str, dict[str, Factory]] = {kind: {} for kind in KINDS}
_BUILT: dict[tuple[str, str, str], Any] = {}
_LOCK = threading.RLock()  # a factory builds the parts it needs through ``parts``: the lock is re-entered


def register(kind: str, name: str, make: Callable[..., Any] | None = None) -> Any:
    """Register ``make`` as the factory of ``kind`` called ``name``; without ``make``, a decorator. A name
    registered again replaces the earlier factory, and what it built is built again on next use."""
    if kind not in KINDS:
        raise ConfigError(f"no kind of part called {kind!r}; the kinds are: {', '.join(KINDS)}")

    def add(func: Callable[..., Any]) -> Callable[..., Any]:
        with _LOCK:
            _FACTORIES[kind][name] = Factory(kind, name, func)
            for key in [k for k in _BUILT if k[:2] == (kind, name)]:
                del _BUILT[key]
        return func

    return add if make is None else add(make)


for _factory in BUILTINS:
    register(_factory.kind, _factory.name, _factory.make)


def unregister(kind: str, name: str) -> None:
    """Remove the factory of ``kind`` called ``name`` and the parts it built (a built-in comes back only by
    registering it again)."""
    with _LOCK:
        _FACTORIES.get(kind, {}).pop(name, None)
        for key in [k for k in _BUILT if k[:2] == (kind, name)]:
            del _BUILT[key]


def names(kind: str) -> list[str]:
    """The names registered for ``kind``, built-ins first, in the order they were registered."""
    return list(_FACTORIES[kind])


def factory(kind: str, name: str) -> Factory:
    """The factory of ``kind`` called ``name``; a ConfigError names the registered ones."""
    found = _FACTORIES.get(kind, {}).get(name)
    if found is None:
        choices = " or ".join(repr(n) for n in names(kind)) if kind in KINDS else "(no such kind)"
        raise ConfigError(f"no {kind} called {name!r} is registered; choose {choices}")
    return found


def build(kind: str, name: str, *, parts: Stages, **config: Any) -> Any:
    """The ``kind`` called ``name`` built with ``config``: once per process for each configuration."""
    key = (kind, name, json.dumps(config, sort_keys=True, default=str))
    with _LOCK:
        if key not in _BUILT:
            log.debug("building %s %s %s", kind, name, key[2])
            _BUILT[key] = factory(kind, name).make(parts=parts, **config)
        return _BUILT[key]


# ---------------------------------------------------------------------------- a run's parts


class Stages:
    """The parts of a run, each built from ``settings`` on first use (once per process for each configuration).

    Cheap to make: parts live in the registry, so a ``Stages`` made again from equal settings (in a worker, for
    every chunk) hands out the same parts.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()

    @cached_property
    def nlp(self) -> Any:
        """The spaCy pipeline (``settings.nlp.model``)."""
        return build("nlp", "spacy", parts=self, model=self.settings.nlp.model)

    @cached_property
    def actors(self) -> ActorResolver:
        """The actor resolver over the shipped actor data."""
        resolver: ActorResolver = build("actors", "dictionary", parts=self)
        return resolver

    @cached_property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer over the shipped place list."""
        gazetteer: Gazetteer = build("gazetteer", "geonames", parts=self)
        return gazetteer

    @cached_property
    def acled(self) -> AcledClassifier:
        """The ACLED-style classifier over the shipped cue file."""
        classifier: AcledClassifier = build("acled", "cues", parts=self)
        return classifier

    @cached_property
    def rules_coder(self) -> Any:
        """The rule coder rules-0.2.0: the learned coder's fallback and the baseline of evaluations (the same one
        ``coder`` gives when the settings choose the rules)."""
        return build("coder", "rules", parts=self, event_model=None)

    @cached_property
    def coder(self) -> Any:
        """The event coder the settings choose (``settings.coder.kind`` and ``event_model``)."""
        chosen = self.settings.coder
        return build("coder", chosen.kind, parts=self, event_model=chosen.event_model)

    def warm(self) -> None:
        """Build what analysis needs now (start-up then stays out of the timing of what follows)."""
        _ = self.nlp, self.actors, self.gazetteer, self.coder


def exporter(fmt: str) -> Exporter:
    """The exporter registered for format ``fmt``; an unknown format is a QueryError listing the formats."""
    formats = names("exporter")
    if fmt not in formats:
        raise QueryError(
            f"unknown export format {fmt!r}; choose one of: {', '.join(formats)}", param="format", allowed=formats
        )
    spec: Exporter = build("exporter", fmt, parts=Stages())
    return spec


def warm() -> None:
    """Build every part whose index is cached per user (after an install or a data change)."""
    from .dedup import DedupIndex

    parts = Stages()
    _ = parts.actors, parts.gazetteer
    DedupIndex()  # the MinHash permutations


if __name__ == "__main__":
    from .cache import cache_dir

    warm()
    print(f"newswatch cache ready in {cache_dir() or '(no writable cache folder; indexes stay in memory)'}")
