"""The rule coder's lexicon read as features: what type a verb, an event noun, a light verb with its object or a
phrasal verb names, and what a governing verb does to its complement. The trained models weigh these opinions
beside everything else; they no longer decide alone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import ConfigError
from .codes import plover_of_cameo


def _type_of(spec: str) -> str | None:
    if not spec:
        return None
    parts = spec.split(":")
    if len(parts) > 1 and parts[1]:
        return parts[1]
    return plover_of_cameo(parts[0])


@dataclass(frozen=True)
class Lexicon:
    verbs: dict[str, str]
    phrasal: dict[str, str]
    nouns: dict[str, str]
    verb_objects: dict[str, dict[str, str | None]]
    classes: dict[str, frozenset[str]]
    governors: dict[str, str]
    light_verbs: frozenset[str]
    event_nouns: frozenset[str]
    # nouns naming the people who do the event they trigger ("protesters"): the trigger is its own actor
    participant_nouns: frozenset[str] = frozenset()

    def verb_type(self, lemma: str) -> str | None:
        return self.verbs.get(lemma)

    def noun_type(self, lemma: str) -> str | None:
        return self.nouns.get(lemma)

    def object_type(self, verb: str, obj: str) -> str | None:
        """What ``verb`` + object noun names; '' when the lexicon says it names no event."""
        table = self.verb_objects.get(verb)
        if not table:
            return None
        if obj in table:
            return table[obj] or ""
        for name, members in self.classes.items():
            if obj in members and f"@{name}" in table:
                return table[f"@{name}"] or ""
        return None


@lru_cache(maxsize=2)
def load_lexicon(path: str | None = None) -> Lexicon:
    """The lexicon shipped with the rule coder (``data/events/lexicon.json``) or the one at ``path``."""
    try:
        if path is None:
            raw = (resources.files("newswatch") / "data" / "events" / "lexicon.json").read_text(
                encoding="utf-8"
            )
        else:
            raw = Path(path).read_text(encoding="utf-8")
        lex = json.loads(raw)
        verbs = {k: t for k, v in lex["verbs"].items() if (t := _type_of(v))}
        phrasal = {k: t for k, v in lex["phrasal"].items() if (t := _type_of(v))}
        nouns = {k: t for k, v in lex["nouns"].items() if (t := _type_of(v))}
        verb_objects = {
            verb: {obj: _type_of(spec) if spec else None for obj, spec in objs.items()}
            for verb, objs in lex["verb_objects"].items()
        }
        classes = {k: frozenset(v) for k, v in lex["classes"].items()}
        overrides = {k.split()[-1] for k in lex["noun_overrides"]}
        objects = {o for objs in lex["verb_objects"].values() for o in objs if not o.startswith("@")}
        event_nouns = frozenset(nouns) | frozenset(lex["nominal_events"]) | overrides | objects
        return Lexicon(
            verbs=verbs,
            phrasal=phrasal,
            nouns=nouns,
            verb_objects=verb_objects,
            classes=classes,
            governors=dict(lex["governors"]),
            light_verbs=frozenset(lex["light_verbs"]),
            event_nouns=event_nouns,
            participant_nouns=frozenset(lex.get("participant_nouns", ())),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"cannot read the event lexicon ({exc}); reinstall newswatch") from exc
