"""The outputs of a calibration (experiments/calibrate.py): the posterior table (weighted median and
90% interval per free parameter), the pair plot, the posterior-predictive check of the held-out
figures, and posterior.md. Pure functions of the posterior particles and their weights.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.case_targets import CaseSpec, measure_runs


def weighted_quantile(values, weights, q) -> np.ndarray:
    """Quantiles `q` of `values` under normalised `weights` (midpoint interpolation of the weighted CDF)."""
    v, w = np.asarray(values, float), np.asarray(weights, float)
    v, w = v[w > 0], w[w > 0]
    order = np.argsort(v)
    v, w = v[order], w[order] / w.sum()
    cdf = np.cumsum(w) - 0.5 * w
    return np.interp(np.atleast_1d(q), cdf, v)


def posterior_table(post: pd.DataFrame, spec: CaseSpec) -> pd.DataFrame:
    """Per free parameter: weighted median and 90% interval, the prior range, the reason."""
    rows = []
    for f in spec.calibration.free:
        q05, med, q95 = weighted_quantile(post[f.param], post["weight"], [0.05, 0.5, 0.95])
        rows.append(dict(param=f.param, median=med, q05=q05, q95=q95, prior_low=f.low, prior_high=f.high,
                         reason=f.reason))
    return pd.DataFrame(rows)


def pair_plot(post: pd.DataFrame, spec: CaseSpec, path: Path) -> Path:
    """Weighted pair plot: histograms on the diagonal, particles (size ∝ weight) below it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [f.param for f in spec.calibration.free]
    n = len(names)
    fig, axes = plt.subplots(n, n, figsize=(2.2 * n + 1, 2.2 * n + 1), squeeze=False)
    w = post["weight"].to_numpy() / post["weight"].sum()
    for i, yi in enumerate(spec.calibration.free):
        for j, xj in enumerate(spec.calibration.free):
            ax = axes[i, j]
            if i == j:
                ax.hist(post[xj.param], bins=12, range=(xj.low, xj.high), weights=w, color="tab:blue")
            elif i > j:
                ax.scatter(post[xj.param], post[yi.param], s=200 * w + 4, alpha=0.6)
                ax.set_xlim(xj.low, xj.high)
                ax.set_ylim(yi.low, yi.high)
            else:
                ax.axis("off")
            if i == n - 1:
                ax.set_xlabel(xj.param, fontsize=8)
            if j == 0 and i > 0:
                ax.set_ylabel(yi.param, fontsize=8)
            ax.tick_params(labelsize=7)
    fig.suptitle(f"{spec.name}: ABC-SMC posterior (last generation)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def predictive_check(spec: CaseSpec, post: pd.DataFrame, seeds, draws: int, rng) -> pd.DataFrame:
    """Held-out figures at `draws` posterior particles (drawn by weight), each the mean over `seeds`:
    median, 90% interval over the draws, and the share of draws inside the tolerance."""
    held = spec.of_role("held_out")
    if not held or post.empty:
        return pd.DataFrame()
    names = [f.param for f in spec.calibration.free]
    picks = rng.choice(len(post), size=draws, p=(post["weight"] / post["weight"].sum()).to_numpy())
    means = pd.DataFrame([measure_runs(spec, post.iloc[i][names].to_dict(), seeds, held).mean() for i in picks])
    rows = []
    for t in held:
        q05, med, q95 = np.nanquantile(means[t.name], [0.05, 0.5, 0.95])
        rows.append(dict(target=t.name, value=t.value, bound=t.bound, tolerance=t.tolerance, median=med, q05=q05,
                         q95=q95, inside=float(np.mean([t.passes(v) for v in means[t.name]])), draws=draws))
    return pd.DataFrame(rows)


def budget_text(info: dict) -> str:
    """The budget of a calibration and what it used, from its run.json (older runs: what they hold)."""
    b = info.get("budget") or {}
    planned = b.get("generations")
    wall = b.get("max_minutes")
    text = (f"population {info.get('population')}, {info.get('generations')}"
            + (f" of at most {planned}" if planned else "") + " generations"
            + (f", wall-clock budget {wall:.3g} min" if wall else ""))
    if "sampling_seconds" in info:
        text += (f" (stopped by: {info.get('stopped', 'generations')}; sampling {info['sampling_seconds'] / 60:.1f} min"
                 f", engine {info.get('engine')}" + (f", {info['workers']} workers" if info.get("workers") else "") + ")")
    return text


def markdown(spec, info, table, fit, predictive) -> str:
    lines = [f"# Calibration of `{spec.name}`", "",
             f"ABC-SMC (pyabc): {budget_text(info)}; "
             f"{info['simulations']} simulations × {len(info['seeds'])} seeds {info['seeds']} (common random numbers), "
             f"epsilon by generation {', '.join(f'{e:.3g}' for e in info['epsilon'])} (RMS miss in tolerances "
             "over the calibration figures; held-out figures never enter it).", "",
             "| parameter | median | 90% interval | prior | reason |", "|---|---|---|---|---|"]
    lines += [f"| {r.param} | {r.median:.4g} | [{r.q05:.4g}, {r.q95:.4g}] | [{r.prior_low:g}, {r.prior_high:g}] | "
              f"{r.reason} |" for r in table.itertuples()]
    lines += ["", "At the posterior medians (same seeds):", "", "| target | role | figure | model | result |",
              "|---|---|---|---|---|"]
    lines += [f"| {r.target} | {r.role} | {r.value:g} | {r.model_mean:.4g} | {r.result} |" for r in fit.itertuples()]
    if not predictive.empty:
        lines += ["", f"Posterior-predictive check of the held-out figures ({int(predictive['draws'][0])} draws):", "",
                  "| target | figure | median | 90% interval | draws inside tolerance |", "|---|---|---|---|---|"]
        lines += [f"| {r.target} | {r.value:g} | {r.median:.4g} | [{r.q05:.4g}, {r.q95:.4g}] | {r.inside:.0%} |"
                  for r in predictive.itertuples()]
    return "\n".join(lines) + "\n"


