"""Entry, spin-offs and exit: how the population of enterprises renews itself.

Entry (snowball, Arthur 1990). Expected entrants per quarter
    E = e0 + e · N · clip(margin / 10%, 0, 3),
where margin is the cluster's profit/revenue last quarter: profitable clusters attract more.
An entrant picks the stage whose incumbents earn most, weighted up where local buyers still
import much of that stage's good (unfilled niches: the division of labour deepens). In a stage
nobody works in (yet, or any more) entrants expect the cluster's average margin, so a niche
left empty can be filled again; a stage of large plants (`stage_scale` > 1) draws
proportionally fewer entrants, each of them larger. Local
entrants know about as much as the cluster (0.9 × mean knowledge, lognormal spread).

Programmes add entrants: start-up grants (one per `startup_grant`), and recruited outside SMEs
and lead firms (investment attraction) who bring outside knowledge and settle in a park if
there is one.

Spin-offs (Klepper 2007). A profitable enterprise spawns one with probability
s · min(5, L/20); the founder takes a share of the parent's knowledge and some of its workers
and settles within `spinoff_radius` of the parent.

Exit. `exit_patience` consecutive loss quarters once the firm's savings are used up (cash < 0),
or debt beyond its credit limit (insolvency). A firm with savings rides out losses while its
excess capital depreciates.
"""

from __future__ import annotations

import numpy as np



def expected_entrants(n: int, margin: float, p: dict) -> float:
    return p["base_entry"] + p["entry_rate"] * n * float(np.clip(margin / 0.10, 0.0, 3.0))


def stage_weights(margin_by_stage: np.ndarray, import_share_by_stage: np.ndarray, count_by_stage) -> np.ndarray:
    """Probability that an entrant chooses each stage (0 … n_stages, the last = final firms)."""
    w = np.maximum(margin_by_stage, 0.0) * (1.0 + import_share_by_stage)
    if w.sum() <= 0:
        w = np.asarray(count_by_stage, float) + 1.0
    return w / w.sum()


def spinoff_parents(rng, profit, workers, rate) -> np.ndarray:
    """Boolean mask of enterprises that spawn a spin-off this quarter."""
    hazard = rate * np.minimum(5.0, workers / 20.0) * (profit > 0)
    return rng.random(len(profit)) < hazard


def exiting(loss_streak, cash, limit, patience) -> np.ndarray:
    """Sustained losses once savings are gone (in debt), or debt beyond the credit limit."""
    return ((loss_streak >= patience) & (cash < 0)) | (cash < -limit)
