"""A trained event model on disk: four linear classifiers (type, status, mode, role), the trigger nouns seen in
training, decision thresholds, ``meta.json`` with the version, the data and the figures, and optionally the
sentence type model (``sentence.json`` + ``sentence.npz``) with its gate/add/floor thresholds. The shipped model
lives in ``data/models/events``; ``newswatch train events -o DIR`` writes the same layout."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .linear import LinearModel
from .sentence import SentenceTypeModel

MODEL_FILES = ("type", "status", "mode", "role")
OPTIONAL_FILES = ("fill",)


@dataclass
class EventModel:
    type_model: LinearModel
    status_model: LinearModel
    mode_model: LinearModel
    role_model: LinearModel
    trigger_nouns: frozenset[str]
    thresholds: dict[str, float]
    meta: dict[str, Any] = field(default_factory=dict)
    fill_model: LinearModel | None = None
    sentence_model: SentenceTypeModel | None = None  # optional second opinion on a sentence's types

    @property
    def version(self) -> str:
        """What every event's ``coder_version`` says: the model's name and version."""
        return f"{self.meta.get('name', 'events')}-{self.meta.get('version', '0')}"

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for m in (self.type_model, self.status_model, self.mode_model, self.role_model, self.fill_model):
            if m is not None:
                m.save(folder)
        if self.sentence_model is not None:
            self.sentence_model.save(folder)
        meta = {
            "_meta": {
                "written_by": "the newswatch project",
                "source": "an event model trained by 'newswatch train events' from stand-off labels of annotated "
                "sentences (see MODEL_CARD.md); it holds weights and single words, never the text",
            },
            **{k: v for k, v in self.meta.items() if k != "_meta"},
        }
        meta["thresholds"] = self.thresholds
        meta["trigger_nouns"] = sorted(self.trigger_nouns)
        (folder / "meta.json").write_text(
            json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, folder: Path) -> EventModel:
        meta_path = folder / "meta.json"
        if not meta_path.is_file():
            raise ConfigError(
                f"{folder} holds no event model (no meta.json); train one with "
                "'newswatch train events --text PATH --labels FILE -o DIR' or leave out --event-model"
            )
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ConfigError(f"{meta_path} is not valid JSON ({exc}); retrain the model") from exc
        meta.pop("_meta", None)
        models = {name: LinearModel.load(folder, name) for name in MODEL_FILES}
        for name in OPTIONAL_FILES:
            if (folder / f"{name}.features.json").is_file():
                models[name] = LinearModel.load(folder, name)
        return cls(
            type_model=models["type"],
            status_model=models["status"],
            mode_model=models["mode"],
            role_model=models["role"],
            trigger_nouns=frozenset(meta.pop("trigger_nouns", [])),
            thresholds=dict(meta.pop("thresholds", {})),
            meta=meta,
            fill_model=models.get("fill"),
            sentence_model=SentenceTypeModel.load(folder) if SentenceTypeModel.present(folder) else None,
        )


def shipped_model_dir() -> Path:
    return Path(str(resources.files("newswatch") / "data" / "models" / "events"))


def load_model(folder: str | None = None) -> EventModel:
    """The model in ``folder``, else the one shipped in the package (``newswatch.registry`` loads it once per
    process, with the coder)."""
    return EventModel.load(Path(folder) if folder else shipped_model_dir())
