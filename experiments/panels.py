"""A figure of panels, one per indicator (or lever), as the batch analyses draw them (compare,
sensitivity, dose-response, budget use): the grid, and how it is finished (unused panels hidden, one
legend on the first panel, a title, saved at 110 dpi).

    fig, axes = panel_grid(5, 4.2, 3.0)          # 2 rows of at most 3 panels, 4.2 × 3.0 inches each
    ...draw on axes[:5]...
    save_panels(fig, axes, 5, "out.png", title="...")
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


def panel_grid(n: int, width: float, height: float, cols: int = 3):
    """(figure, axes): `n` panels in rows of at most `cols`, each `width` × `height` inches (a
    constrained layout); `axes` is flat, of length rows × cols ≥ n."""
    from matplotlib.figure import Figure

    cols = min(cols, n)
    rows = -(-n // cols)
    fig = Figure(figsize=(width * cols, height * rows), layout="constrained")
    return fig, np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()


def save_panels(fig, axes, n: int, path, title: str = "", legend: str | None = "small") -> Path:
    """Hide the panels after the first `n`, put a legend (font size `legend`; None: none) on the
    first panel and `title` over the figure, save it to `path` (110 dpi) and return the path."""
    for ax in axes[n:]:
        ax.set_visible(False)
    if legend:
        axes[0].legend(fontsize=legend)
    if title:
        fig.suptitle(title)
    fig.savefig(path, dpi=110)
    return Path(path)
