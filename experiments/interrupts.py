"""How a command stops: SIGTERM turned into an exception, the exit codes of a batch of runs, the
resume hint, and a watchdog so that a stopping `clusterlab` process always exits.

Exit codes of a batch: 0 every run succeeded, 1 some runs failed or the disk filled up, 2 bad
input, 3 a worker process died, 130 Ctrl-C, 143 SIGTERM; every finished run is kept, and the
message says to run the same command (with --resume where the command has it) to finish.
"""

from __future__ import annotations

import errno
import os
import sys
from contextlib import contextmanager


class Terminated(KeyboardInterrupt):
    """SIGTERM, turned into an exception so a batch stops like on Ctrl-C (finished runs kept)."""


def on_sigterm(signum, frame):
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one is enough: let the clean-up finish
    raise Terminated()


def stop(args, code: int, why: str) -> int:
    """Say how to resume; in a real `clusterlab` process, also make sure it exits (with `code`)
    within 20 s even if a worker pool's clean-up hangs."""
    import threading

    where = f" in {args.out}" if getattr(args, "out", None) else ""
    how = " with --resume" if hasattr(args, "resume") else ""     # sensitivity always resumes: it has no --resume
    print(f"clusterlab {args.command}: {why}; every finished run is stored{where}: run the same command{how} "
          "to finish", file=sys.stderr, flush=True)
    if getattr(args, "own_process", False):
        watchdog = threading.Timer(20.0, os._exit, (code,))
        watchdog.daemon = True
        watchdog.start()
    return code


def batch(run):
    """Run a batch handler: warnings as plain lines; Ctrl-C (130), SIGTERM (143), a dead worker (3)
    and a full or failing disk (1) as exit codes with the resume hint."""
    import warnings

    def handler(args) -> int:
        def show(message, *rest, **kw):
            print(f"clusterlab {args.command}: warning: {message}", file=sys.stderr)

        with warnings.catch_warnings():
            warnings.simplefilter("always", UserWarning)
            warnings.showwarning = show
            try:
                return run(args)
            except Terminated:
                return stop(args, 143, "terminated (SIGTERM)")
            except KeyboardInterrupt:
                return stop(args, 130, "interrupted")
            except OSError as exc:
                if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS):
                    raise
                return stop(args, 1, f"cannot write {exc.filename or 'the results'}: {exc.strerror}")
            except RuntimeError as exc:
                from experiments.executors import WorkerPoolError

                if not isinstance(exc, WorkerPoolError):
                    raise
                print(f"clusterlab {args.command}: {exc}", file=sys.stderr)
                return 3

    return handler


@contextmanager
def quiet_forked_workers():
    """While inside, Ctrl-C and SIGTERM stop this process alone, quietly for the worker processes it
    forks meanwhile (pyabc's MulticoreEvalParallelSampler forks its workers and takes no initializer).

    A forked worker inherits the handler installed here: it ignores SIGINT (the terminal sends Ctrl-C
    to the whole process group; the parent stops the sampling) and exits at once with 143 on SIGTERM,
    without a traceback. This process does on either signal what its previous handler did
    (KeyboardInterrupt, `Terminated`, ...); when that (or anything else) ends the block, the workers
    forked inside it and still running are terminated. Outside the main thread it changes nothing
    (signal handlers can only be set there)."""
    import multiprocessing
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    parent, before = os.getpid(), set(multiprocessing.active_children())
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.getsignal(s) for s in signals}

    def handler(signum, frame):
        if os.getpid() != parent:                # a worker forked inside the block
            if signum == signal.SIGTERM:
                os._exit(128 + signum)           # no clean-up: the parent is going, nothing waits on it
            return
        old = previous[signum]
        if callable(old):
            return old(signum, frame)
        if old == signal.SIG_DFL:                # as without this block: the default action
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)

    for s in signals:
        signal.signal(s, handler)
    try:
        yield
    except BaseException:                        # stopped (or failed): no worker outlives the block
        forked = set(multiprocessing.active_children()) - before
        for child in forked:
            child.terminate()
        for child in forked:
            child.join(5)
        raise
    finally:
        for s in signals:
            signal.signal(s, previous[s])
