"""One worker thread per page owns the page's model: stepping, lever changes and resets are
commands it runs one at a time, and the page draws only the immutable snapshots it publishes.

Nothing else ever touches the model, so no interleaving of Play, a lever moved mid-step and a
redraw can leave the page half-updated or frozen (issue 14): a UI handler only puts a command on
the queue and returns. The worker

* steps while playing, at most `speed` steps a second (0 = as fast as it can), and stops at
  `until` (run to the end of the scenario);
* applies a lever change once the control has been still for `debounce` seconds (a drag or a
  run of key presses is one change), or at once before an explicit Step;
* records each change as a `LeverChange` (the first step that runs with it), so a run can be
  replayed: `reset(..., changes=..., to_step=...)` rebuilds scenario and seed, schedules the
  changes and steps to where the run was (a reload or a shared link resumes it);
* stops for good on `stop()` (the tab closed) and is a daemon, so it never keeps a server alive.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LeverChange:
    """A lever moved on the page: `value` acts from step `step` (the first step run with it)."""

    step: int
    name: str
    value: float


@dataclass(frozen=True, eq=False)
class Snapshot:
    """What the page shows, built by the worker from the model (the page never reads the model).

    `view` is whatever the `describe(model)` function given to the session returns (indicator
    history, map frame, funding ...); `pending` are lever values moved but not applied yet.
    """

    version: int = 0
    generation: int = 0          # counts resets
    scenario: str = ""
    seed: int = 0
    step: int = 0
    end: int = 0
    playing: bool = False
    until: int | None = None
    speed: float = 0.0
    levers: dict = field(default_factory=dict)
    pending: dict = field(default_factory=dict)
    changes: tuple[LeverChange, ...] = ()
    view: dict = field(default_factory=dict)
    error: str | None = None
    busy: str | None = None
    ghost: bool = False          # a comparison run is stepped beside the model

    def lever_value(self, name: str):
        """The value a lever's control shows: moved-but-pending first, else the model's."""
        return self.pending.get(name, self.levers.get(name))


class LiveSession:
    """The worker owning one page's model.

    build(scenario, seed, schedule) -> model; describe(model) -> dict (the snapshot's `view`);
    publish(snapshot) is called from the worker after every change (the page re-renders in it).
    """

    def __init__(self, build: Callable, describe: Callable, publish: Callable | None = None, *,
                 debounce: float = 0.4, speed: float = 0.0, describe_ghost: Callable | None = None):
        self._build, self._describe, self._publish = build, describe, publish
        self._describe_ghost = describe_ghost or describe
        self._ghost = None       # the comparison run: same scenario and seed, no page changes
        self._ghost_on = False
        self.debounce = float(debounce)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._cond = threading.Condition()
        self._snapshot = Snapshot(speed=speed)
        self._model = None
        self._pending: dict[str, tuple[float, float]] = {}  # name -> (value, time moved)
        self._changes: list[LeverChange] = []
        self._playing = False
        self._until: int | None = None
        self._speed = float(speed)
        self._last_step = 0.0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="clusterlab-live")
        self._thread.start()

    # --- commands (any thread; none waits for the worker) --------------------------------
    def reset(self, scenario: str, seed: int, changes=(), to_step: int = 0) -> None:
        self._queue.put(("reset", scenario, int(seed), tuple(changes), int(to_step)))

    def step(self, n: int = 1) -> None:
        self._queue.put(("step", int(n)))

    def play(self, until: int | None = None) -> None:
        self._queue.put(("play", until))

    def pause(self) -> None:
        self._queue.put(("pause",))

    def set_speed(self, steps_per_second: float) -> None:
        self._queue.put(("speed", float(steps_per_second)))

    def set_lever(self, name: str, value) -> None:
        self._queue.put(("lever", name, value, time.monotonic()))

    def set_ghost(self, on: bool) -> None:
        """Run a comparison beside the model: same scenario and seed without the page's lever
        changes, stepped with it (its description goes to `view["ghost"]`)."""
        self._queue.put(("ghost", bool(on)))

    def stop(self) -> None:
        """End the worker (the tab closed); the model is dropped. Safe to call twice."""
        self._stopped.set()
        self._queue.put(("stop",))

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def wait_for(self, predicate: Callable[[Snapshot], bool], timeout: float = 30.0) -> Snapshot:
        """Block until a published snapshot satisfies `predicate` (tests, benchmarks)."""
        with self._cond:
            if not self._cond.wait_for(lambda: predicate(self._snapshot), timeout):
                raise TimeoutError(f"no snapshot satisfied the condition in {timeout} s: {self._snapshot}")
            return self._snapshot

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    # --- the worker --------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                self._handle(self._queue.get(timeout=self._wait_time()))
                while True:  # everything already queued, before stepping again
                    self._handle(self._queue.get_nowait())
            except queue.Empty:
                pass
            if self._stopped.is_set():
                break
            try:
                self._apply_pending(force=False)
                if self._playing and self._model is not None and self._due():
                    self._advance(1)
            except Exception as e:  # a failing step pauses the run and says why on the page
                log.exception("live model step failed")
                self._playing = False
                self._emit(error=f"{type(e).__name__}: {e}")
        self._model = None
        self._emit_final()

    def _wait_time(self) -> float | None:
        waits = []
        if self._pending:
            oldest = min(t for _, t in self._pending.values())
            waits.append(oldest + self.debounce - time.monotonic())
        if self._playing:
            waits.append(self._last_step + self._interval() - time.monotonic())
        return max(0.0, min(waits)) if waits else None

    def _interval(self) -> float:
        return 1.0 / self._speed if self._speed > 0 else 0.0

    def _due(self) -> bool:
        return time.monotonic() >= self._last_step + self._interval()

    def _handle(self, cmd: tuple) -> None:
        kind = cmd[0]
        if kind == "stop":
            self._stopped.set()
        elif kind == "reset":
            self._reset(*cmd[1:])
        elif kind == "lever":
            _, name, value, moved = cmd
            self._pending[name] = (value, moved)
            self._emit()
        elif kind == "step" and self._model is not None:
            self._playing = False
            self._apply_pending(force=True, emit=False)
            self._advance(cmd[1])
        elif kind == "play" and self._model is not None:
            self._until = cmd[1]
            self._playing = self._until is None or self._model.steps < self._until
            self._emit()
        elif kind == "pause":
            self._playing = False
            self._emit()
        elif kind == "speed":
            self._speed = max(0.0, cmd[1])
            self._emit()
        elif kind == "ghost":
            self._ghost_on = cmd[1]
            self._ghost = None
            if self._ghost_on and self._model is not None:
                self._start_ghost()
            self._emit(full=True)

    def _reset(self, scenario: str, seed: int, changes: tuple, to_step: int) -> None:
        self._playing, self._pending, self._changes = False, {}, list(changes)
        self._emit(busy=f"building {scenario}, seed {seed} …")
        try:
            self._model = None
            self._model = self._build(scenario, seed, [(c.step, c.name, c.value) for c in changes])
        except Exception as e:
            log.exception("live model build failed")
            self._emit(error=f"{type(e).__name__}: {e}")
            return
        self._snapshot = dataclasses.replace(self._snapshot, scenario=scenario, seed=seed, error=None,
                                             generation=self._snapshot.generation + 1)
        if to_step > 0:
            self._emit(busy=f"replaying to quarter {to_step} …")
            for _ in range(to_step):
                self._model.step()
        self._ghost = None
        if self._ghost_on:
            self._start_ghost()
        self._emit(full=True)

    def _start_ghost(self) -> None:
        snap = self._snapshot
        self._ghost = self._build(snap.scenario, snap.seed, [])
        for _ in range(self._model.steps):
            self._ghost.step()

    def _advance(self, n: int) -> None:
        for _ in range(n):
            self._model.step()
            if self._ghost is not None:
                self._ghost.step()
            self._last_step = time.monotonic()
            if self._until is not None and self._model.steps >= self._until:
                self._playing, self._until = False, None
                break
        self._emit(full=True)

    def _apply_pending(self, force: bool, emit: bool = True) -> None:
        if self._model is None or not self._pending:
            return
        now, taken, applied = time.monotonic(), False, False
        for name, (value, moved) in list(self._pending.items()):
            if force or now - moved >= self.debounce:
                del self._pending[name]
                taken = True
                applied |= self._apply_lever(name, value)
        if taken and emit:
            self._emit(full=applied)

    def _apply_lever(self, name: str, value) -> bool:
        old = self._model.levers().get(name)
        if old == value or (isinstance(old, float) and abs(old - float(value)) <= 1e-12 * max(1.0, abs(old))):
            return False
        self._model.set_lever(name, value)
        change = LeverChange(self._model.steps + 1, name, self._model.levers()[name])
        self._changes = [c for c in self._changes if (c.step, c.name) != (change.step, name)] + [change]
        return True

    # --- snapshots ---------------------------------------------------------------------------
    def _emit(self, full: bool = False, error: str | None = None, busy: str | None = None) -> None:
        snap, m = self._snapshot, self._model
        changes = dict(
            version=snap.version + 1, playing=self._playing, until=self._until, speed=self._speed,
            pending={k: v for k, (v, _) in self._pending.items()}, changes=tuple(self._changes),
            error=error if error is not None else (snap.error if busy is None and not full else None),
            busy=busy)
        if m is not None and (full or not snap.view):
            view = self._describe(m)
            if self._ghost is not None:
                view = {**view, "ghost": self._describe_ghost(self._ghost)}
            changes.update(step=int(m.steps), end=int(m.default_steps), levers=dict(m.levers()), view=view,
                           ghost=self._ghost_on)
        self._set(dataclasses.replace(snap, **changes))

    def _emit_final(self) -> None:
        self._set(dataclasses.replace(self._snapshot, version=self._snapshot.version + 1, playing=False,
                                      busy="stopped"))

    def _set(self, snap: Snapshot) -> None:
        with self._cond:
            self._snapshot = snap
            self._cond.notify_all()
        if self._publish is not None:
            try:
                self._publish(snap)
            except Exception:  # the page is gone: nothing to show it on
                log.debug("publishing a snapshot failed", exc_info=True)
