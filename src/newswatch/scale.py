"""Run the pipeline's unit of work over chunks on a Dask cluster (a LocalCluster on one box, or a scheduler).

The function mapped is the same one the single-process and multi-process paths call, so results do not
depend on the scale. Dask is optional: ``pip install 'newswatch[cluster]'``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from .errors import ConfigError
from .workers import die_with_parent

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
        client = Client(cluster)
        # The worker processes are this process's children: they must not outlive it when it is killed. A
        # plugin, not a one-off call, so that a worker the nanny restarts is bound too.
        client.register_plugin(_DieWithParent(os.getpid()), name="newswatch-die-with-parent")
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


try:
    from distributed.diagnostics.plugin import WorkerPlugin as _PluginBase
except ImportError:  # Dask is optional; map_on_cluster says how to install it
    _PluginBase = object  # type: ignore[assignment,misc]


class _DieWithParent(_PluginBase):  # type: ignore[misc,valid-type]
    """A Dask worker plugin: the worker process ends when the process that started the LocalCluster ends."""

    name = "newswatch-die-with-parent"

    def __init__(self, parent: int) -> None:
        self.parent = parent

    def setup(self, worker: Any) -> None:
        die_with_parent(self.parent)
