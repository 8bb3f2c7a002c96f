"""Worker processes that die with the process that started them.

A ``newswatch run --workers N`` killed with SIGKILL gets no chance to stop its workers, and a worker blocked on its task queue never notices: each held about 365 MB for as long as the
machine ran. ``die_with_parent`` is run first thing in every worker: on Linux the kernel sends the worker
SIGKILL when its parent goes (``PR_SET_PDEATHSIG``); everywhere a daemon thread also checks once a second
that the parent is still the one that started it, so the worker exits within a second or two either way.
(Dask's LocalCluster workers need none of this: Dask ends them itself when their parent dies.)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import threading
import time

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
_CHECK_EVERY = 1.0
_watching = False


def die_with_parent(parent: int | None = None) -> None:
    """Make this (worker) process end when ``parent`` (default: its current parent) ends."""
    global _watching
    parent = os.getppid() if parent is None else parent
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watch thread below still ends the worker
            log.debug("prctl(PR_SET_PDEATHSIG) is not available")
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    if _watching:
        return
    _watching = True
    threading.Thread(target=_watch, args=(parent,), name="newswatch-parent-watch", daemon=True).start()


def _watch(parent: int) -> None:
    while True:
        time.sleep(_CHECK_EVERY)
        if os.getppid() != parent:
            os._exit(1)  # no clean-up: the parent that would collect our results is gone
