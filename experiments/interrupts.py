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
