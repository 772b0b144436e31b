"""The wall-clock budget and the progress of a calibration (experiments/calibrate.py runs the ABC).

`run_generations` samples one pyabc run generation by generation, printing each finished generation
(epsilon, simulations, seconds, ETA) and stopping before a generation that would overrun the
wall-clock budget (`next_generation_fits`) or once epsilon reaches its minimum; `record_session`
keeps each session's sampling next to the run's database (a resumed run adds sessions); and
`round_shares` splits a round's pooled budget over its cases (`clusterlab calibrate --all`).
Times are wall-clock seconds of the `clock` given (time.monotonic by default).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np


def print_flushed(text: str) -> None:
    """The default progress output: one line on stdout, flushed (seen at once under a pipe or nohup)."""
    print(text, flush=True)


def record_session(db: Path, session: dict, generations: int) -> list[dict]:
    """Append this session's sampling (seconds, generations stored after it, why it stopped) to the
    run's metadata next to its database; returns every session's record."""
    meta = Path(db).with_suffix(".json")
    stored = json.loads(meta.read_text())
    stored.setdefault("sessions", []).append(dict(session, generations=generations))
    meta.write_text(json.dumps(stored, indent=1))
    return stored["sessions"]


def evaluation_cap(left: float, last_seconds: float, last_samples: int, population: int) -> float:
    """pyabc's `min_acceptance_rate` that caps the next generation at the evaluations its time left
    can pay for: at most `left` / (`last_seconds` / `last_samples`) evaluations (the last
    generation's seconds per evaluation), so the cap is population / that number, in (0, 1].
    A generation that would need more is abandoned (pyabc: "sample not ok"), not stored, and the
    run stops: the budget then bounds a generation's own cost, which grows as epsilon shrinks
    (the round of 1 Dec 2026: Jiangxi's 8th generation ran > 10 min after 7 in ≈ 12).
    0.0 (no cap) when nothing is known yet or without a budget (`left` = inf)."""
    if not np.isfinite(left) or last_samples <= 0 or last_seconds <= 0:
        return 0.0
    affordable = max(left, 0.0) * last_samples / last_seconds
    return min(1.0, population / max(affordable, population))


def next_generation_fits(elapsed: float, times, max_minutes: float | None) -> bool:
    """Whether another generation, expected to take as long as the last of `times` (seconds; later
    generations accept less, so the last is the better guess), ends within the wall-clock budget
    `max_minutes` after `elapsed` seconds (always, without a budget)."""
    if max_minutes is None:
        return True
    return elapsed + (float(times[-1]) if len(times) else 0.0) <= 60.0 * max_minutes


def run_generations(abc, done: int, settings, say=print_flushed, clock=time.monotonic) -> list[dict]:
    """Sample generations done+1 .. settings.generations in one pyabc run (its adaptive epsilon
    intact), reporting each finished generation with the time it took and an ETA, and stopping
    before a generation that would overrun `settings.max_minutes` (measured by `clock`, seconds)
    or once epsilon ≤ `settings.min_epsilon`. Returns the stored generations' records; the reason
    the sampling stopped and this session's times go in `abc.clusterlab_session`. `settings`: an
    experiments.calibrate.Settings (its generations, max_minutes and min_epsilon are read)."""
    from datetime import timedelta

    times, original, start = [], abc.run_generation, clock()
    session = abc.clusterlab_session = dict(stopped="generations", generation_seconds=times, seconds=0.0)

    def generation(t: int):
        begin = clock()
        if times and settings.max_minutes is not None:
            prev = abc.history.get_all_populations().iloc[-1]
            abc.min_acceptance_rate = evaluation_cap(60.0 * settings.max_minutes - (begin - start), times[-1],
                                                     int(prev["samples"]), settings.population)
        result = original(t=t)
        times.append(round(clock() - begin, 1))
        if isinstance(result, dict) and result.get("successful") is False:
            session["stopped"] = "wall-clock budget"
            say(f"generation {t + 1} abandoned: it needed more simulations than the {settings.max_minutes:g} min "
                "wall-clock budget pays for; the same command resumes from the last stored generation")
            return result
        last = abc.history.get_all_populations().iloc[-1]
        eta = np.mean(times) * (settings.generations - t - 1)
        say(f"generation {t + 1}/{settings.generations}: epsilon {last['epsilon']:.3g}, "
            f"{int(last['samples'])} simulations, {times[-1]:.0f} s; ETA {eta:.0f} s")
        if t + 1 < settings.generations and not next_generation_fits(clock() - start, times, settings.max_minutes):
            session["stopped"] = "wall-clock budget"
            abc.max_walltime = timedelta(0)      # pyabc's check_terminate: stop after this generation
            say(f"stopping: another generation would overrun the {settings.max_minutes:g} min wall-clock budget; "
                "the same command resumes")
        elif t + 1 < settings.generations and last["epsilon"] <= settings.min_epsilon:
            session["stopped"] = "minimum epsilon"
        return result

    if settings.generations > done:
        abc.run_generation = generation      # pyabc's run() calls self.run_generation(t=t) per generation
        abc.run(max_nr_populations=settings.generations - done, minimum_epsilon=settings.min_epsilon)
    session["seconds"] = round(clock() - start, 1)
    pops = abc.history.get_all_populations()
    return pops[pops["t"] >= 0].to_dict("records")


def round_shares(n: int, max_minutes: float | None):
    """Generator of the wall-clock budgets of a round of `n` cases pooling n × `max_minutes`: send
    the minutes the previous case took, receive the next case's budget: the pool left over the
    cases left, and never less than `max_minutes` — time a cheap case leaves unused goes to the
    dearer ones after it, but a case whose last generation overran its budget takes nothing from
    the cases after it (a round once left its last case 0.15 min after one overran by 8 min)."""
    pool, spent = None if max_minutes is None else n * max_minutes, 0.0
    for i in range(n):
        used = yield None if pool is None else max(max(pool - spent, 0.0) / (n - i), max_minutes)
        spent += used or 0.0
