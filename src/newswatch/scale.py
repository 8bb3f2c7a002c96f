"""Run the pipeline's unit of work over chunks on a Dask cluster (a LocalCluster on one box, or a scheduler).

The function mapped is the same one the single-process and multi-process paths call, so results do not
depend on the scale. Dask is optional: ``pip install 'newswatch[cluster]'``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from .errors import ConfigError

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


def map_on_cluster(
    func: Callable[[T], R], chunks: Iterable[T], *, address: str, n_workers: int = 2, max_pending: int = 8
) -> Iterator[R]:
    """``func(chunk)`` for every chunk, in order, on the cluster at ``address`` ("local" starts a LocalCluster
    on 127.0.0.1 with ``n_workers`` single-threaded worker processes)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise ConfigError(
            "running on a cluster needs Dask distributed; install it with: pip install 'newswatch[cluster]'"
        ) from exc
    cluster: Any = None
    if address == "local":
        cluster = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        # The worker processes are this process's children; Dask ends them when this process dies (each
        # holds a pipe to it and exits when the pipe closes: distributed.process.AsyncProcess), which
        # tests/test_crash_safety.py checks after a SIGKILL. They are not bound with PR_SET_PDEATHSIG like
        # the --workers processes: Dask starts them from a helper thread, and that signal follows the thread.
        client = Client(cluster)
    else:
        if not address.startswith(("tcp://", "tls://")):
            raise ConfigError(
                f"--cluster {address!r}: give 'local' or a scheduler address such as tcp://host:8786"
            )
        try:
            client = Client(address, timeout=30)
        except OSError as exc:
            raise ConfigError(f"cannot reach the Dask scheduler at {address}: {exc}; is it running?") from exc
    try:
        pending: list[Any] = []
        for chunk in chunks:
            pending.append(client.submit(func, chunk, pure=False))
            if len(pending) >= max_pending:  # bounded memory: stream results in submission order
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
