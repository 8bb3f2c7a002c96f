"""Train the event coder on stand-off labels: the library side of ``newswatch train events``.

The labels are read (``coder.labels``), the texts parsed and the models fitted and scored (``coder.training``)
with the parts a run would use, built by the registry: the spaCy pipeline, the actor resolver and the rule
coder rules-0.2.0 (read as features, and scored beside the new model when ``baseline`` is set).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .config import Settings
from .errors import ConfigError
from .registry import Stages


def train_event_model(
    *,
    labels: Path,
    texts: Sequence[Path],
    out: Path,
    name: str = "events",
    version: str = "custom",
    seed: int = 13,
    baseline: bool = True,
    settings: Settings | None = None,
    problems: Callable[[list[str]], None] | None = None,
    progress: Callable[[str], None] | None = None,
    sentence_model: Path | None = None,
    use_sentence_model: bool = True,
) -> dict[str, Any]:
    """Train on the labels' training split, write the model and its card to ``out``; returns the report with the
    figures of the test split. ``problems`` receives the labels that could not be read. The sentence type model
    in ``sentence_model`` (default: the shipped model's, when it has one) is bundled as a second opinion unless
    ``use_sentence_model`` is false."""
    from .coder.labels import read_labels
    from .coder.model import shipped_model_dir
    from .coder.sentence import SentenceTypeModel
    from .coder.training import TrainConfig, model_card, train_events

    if len(f"{name}-{version}") > 32:
        raise ConfigError("--name and --version together must fit in 31 characters (they label every event)")
    second = None
    if use_sentence_model:
        folder = sentence_model or shipped_model_dir()
        if SentenceTypeModel.present(folder):
            second = SentenceTypeModel.load(folder)
        elif sentence_model is not None:
            raise ConfigError(
                f"--sentence-model {sentence_model} holds no sentence type model (sentence.json and sentence.npz); "
                "give a model folder that has one, or train without it (--no-sentence-model)"
            )
    sentences, skipped = read_labels(labels, texts)
    if problems is not None and skipped:
        problems(skipped)
    if not sentences:
        raise ConfigError(f"no labelled sentence could be read from {labels}; check --text and --labels")
    stages = Stages(settings)
    meta = {
        "name": name,
        "version": version,
        "labels": labels.name,
        "command": f"newswatch train events --labels {labels.name} --name {name} --version {version} --seed {seed}"
        + (
            " --no-sentence-model"
            if not use_sentence_model
            else f" --sentence-model {sentence_model}"
            if sentence_model
            else ""
        ),
    }
    model, report = train_events(
        sentences,
        nlp=stages.nlp,
        resolver=stages.actors,
        config=TrainConfig(seed=seed),
        meta=meta,
        rules=stages.rules_coder,
        baseline=stages.rules_coder if baseline else None,
        progress=progress,
        sentence_model=second,
    )
    report["labels_left_out"] = len(skipped)
    model.save(out)
    (out / "MODEL_CARD.md").write_text(model_card(model, report), encoding="utf-8")
    return report
