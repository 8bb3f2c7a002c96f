"""Progress of ``newswatch run``: bars with totals and time left on a terminal, one line now and then elsewhere.

The pipeline reports through a ``(what, n)`` callback: ``read`` (one document read and stored), ``to_analyze``
(the number of articles the analysis will take, known once reading is done) and ``analyzed``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

ProgressFn = Callable[[str, int], None]


class LineProgress:
    """Without a terminal (a log file, a pipe, cron): one plain line every ``interval`` seconds."""

    def __init__(self, out: TextIO, *, interval: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.out = out
        self.interval = interval
        self.clock = clock
        self.started = clock()
        self.last = self.started
        self.read = 0
        self.analyzed = 0
        self.total: int | None = None
        self.analysis_started: float | None = None

    def __call__(self, what: str, n: int) -> None:
        if what == "read":
            self.read += n
        elif what == "to_analyze":
            self.total = n
            self.analysis_started = self.clock()
        elif what == "analyzed":
            self.analyzed += n
        now = self.clock()
        if now - self.last >= self.interval:
            self.last = now
            self.out.write(self.line(now) + "\n")
            self.out.flush()

    def line(self, now: float) -> str:
        """``progress: read 207 documents · analysed 40/148 articles (27 %) · 3.1 articles/s · about 35 s left``"""
        parts = [f"progress: read {self.read} documents"]
        if self.total is not None:
            share = f" ({100 * self.analyzed / self.total:.0f} %)" if self.total else ""
            parts.append(f"analysed {self.analyzed}/{self.total} articles{share}")
            spent = now - (self.analysis_started or self.started)
            if self.analyzed and spent > 0:
                rate = self.analyzed / spent
                parts.append(f"{rate:.1f} articles/s")
                parts.append(f"about {_duration((self.total - self.analyzed) / rate)} left")
        parts.append(f"{_duration(now - self.started)} so far")
        return " · ".join(parts)


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 90:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 90:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


@contextmanager
def run_progress(console: object, *, terminal: bool, quiet: bool, out: TextIO) -> Iterator[ProgressFn | None]:
    """The callback to hand to ``pipeline.run`` (None when quiet)."""
    if quiet:
        yield None
        return
    if not terminal:
        yield LineProgress(out)
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("elapsed"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=console,  # type: ignore[arg-type]
        transient=True,
    ) as bar:
        # the number of documents is known only once every source is read (feeds, URLs, directories)
        read = bar.add_task("reading documents", total=None)
        analyse = bar.add_task("analysing articles", total=None, start=False)

        def tick(what: str, n: int) -> None:
            if what == "read":
                bar.advance(read, n)
            elif what == "to_analyze":
                done = bar.tasks[read].completed
                bar.update(read, total=done, completed=done, description="read documents")
                bar.update(analyse, total=n)
                bar.start_task(analyse)
            elif what == "analyzed":
                bar.advance(analyse, n)

        yield tick
