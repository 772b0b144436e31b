"""How a local pool worker starts (experiments.executors.LocalExecutor; the workers of a Dask
LocalCluster start the same way): Ctrl-C is left to the parent, and the worker exits when the parent dies.

The terminal sends Ctrl-C to the whole process group. A worker is spawned with SIGINT blocked
(`sigint_blocked` around the submit that spawns it; the mask passes through fork and exec), so a
Ctrl-C during its imports, which take seconds on a busy machine, cannot end it with a
KeyboardInterrupt traceback; `worker_init` then ignores SIGINT (dropping one that came meanwhile)
and unblocks it. The parent stops the batch and keeps every finished run (experiments.interrupts).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import contextmanager
from multiprocessing import resource_tracker

#: Whether this worker process started with SIGINT blocked (read by a test).
STARTED_BLOCKED: bool | None = None


@contextmanager
def sigint_blocked():
    """SIGINT blocked in this thread while inside: a Ctrl-C waits for the end of the block, it is
    not lost; a process spawned inside starts with SIGINT blocked. Multiprocessing's resource tracker
    unblocks SIGINT in the thread that starts it, so it is started first."""
    resource_tracker.ensure_running()
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def worker_init(parent_pid: int) -> None:
    """A worker's start: ignore SIGINT (which drops one that came during the imports), unblock it,
    and exit if the parent dies (e.g. kill -9)."""
    global STARTED_BLOCKED
    STARTED_BLOCKED = signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, ())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()
