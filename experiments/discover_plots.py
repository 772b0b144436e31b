"""Figures of `clusterlab discover`: the peeling trajectory, the boxes, the feature scores."""

from __future__ import annotations

import numpy as np


def save(result) -> list[str]:
    """trajectory.png, boxes.png, feature_scores.png in `result.out`; returns the file names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = []
    for name, draw in (("trajectory.png", trajectory), ("boxes.png", boxes), ("feature_scores.png", scores)):
        fig = draw(result, plt)
        if fig is not None:
            fig.tight_layout()
            fig.savefig(result.out / name, dpi=110)
            plt.close(fig)
            files.append(name)
    return files


def trajectory(result, plt):
    """Coverage against density along each box's peeling trajectory, coloured by restricted inputs."""
    if not result.boxes:
        return None
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(6, 4.5))
    # one colour scale for every box, from 0 restricted inputs (a count: whole ticks, never below 0)
    most = max(1, *(int(max(box["trajectory"]["res_dim"], default=0)) for box in result.boxes))
    for i, box in enumerate(result.boxes, 1):
        t = box["trajectory"]
        points = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18, vmin=0, vmax=most,
                            marker="os^v"[(i - 1) % 4], label=f"box {i}")
        ax.scatter([box["coverage"]], [box["density"]], s=160, facecolors="none", edgecolors="C3", lw=2)
    fig.colorbar(points, ax=ax, label="restricted inputs", ticks=MaxNLocator(integer=True))
    ax.axhline(result.spec.threshold, color="0.6", ls="--", lw=1, label=f"density threshold {result.spec.threshold:g}")
    ax.set_xlabel("coverage (share of successes inside)")
    ax.set_ylabel("density (share of runs inside that succeed)")
    ax.set_title(f"{result.spec.name}: PRIM peeling trajectory (circled: reported box)")
    ax.legend(fontsize=8)
    return fig


def boxes(result, plt):
    """Each box's restricted inputs as bars within the inputs' full range (0 = low end, 1 = high end)."""
    rows = [(i, name, lim, box["initial"][name]) for i, box in enumerate(result.boxes, 1)
            for name, lim in box["limits"].items()]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(rows) + 1.5))
    for y, (i, _name, (low, high), (lo0, hi0)) in enumerate(rows):
        span = hi0 - lo0 if hi0 > lo0 else 1.0
        a, b = (low - lo0) / span, (high - lo0) / span
        ax.plot([0, 1], [y, y], color="0.85", lw=6, solid_capstyle="butt")
        ax.plot([a, b], [y, y], color=f"C{i - 1}", lw=6, solid_capstyle="butt")
        ax.text(1.02, y, f"{low:.3g} – {high:.3g}  (of {lo0:.3g} – {hi0:.3g})", va="center", fontsize=8)
    ax.set_yticks(np.arange(len(rows)), [f"box {i}: {name}" for i, name, _, _ in rows])
    ax.set_xlim(0, 2.0)
    ax.set_xticks([0, 0.5, 1], ["low end", "", "high end"])
    ax.invert_yaxis()
    stats = "; ".join(f"box {i}: coverage {b['coverage']:.2f}, density {b['density']:.2f}"
                      for i, b in enumerate(result.boxes, 1))
    ax.set_title(f"{result.spec.name}: PRIM boxes\n{stats}", fontsize=9)
    return fig


def scores(result, plt):
    """Heat map of the extra-trees feature scores: inputs × outcomes."""
    s = result.scores
    if s is None or s.empty:
        return None
    fig, ax = plt.subplots(figsize=(1.3 * s.shape[1] + 3, 0.4 * s.shape[0] + 1.5))
    image = ax.imshow(s.to_numpy(float), cmap="Blues", vmin=0, aspect="auto")
    ax.set_xticks(np.arange(s.shape[1]), s.columns, rotation=30, ha="right")
    ax.set_yticks(np.arange(s.shape[0]), s.index)
    for (r, c), v in np.ndenumerate(s.to_numpy(float)):
        ax.text(c, r, "n/a" if np.isnan(v) else f"{v:.2f}", ha="center", va="center", fontsize=8)
    fig.colorbar(image, ax=ax, label="feature score")
    ax.set_title(f"{result.spec.name}: extra-trees feature scores")
    return fig
