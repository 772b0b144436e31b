"""Figures and headline tables of the case scenarios (docs/scenarios.md).

    python -m experiments.scenario_figures                 # every case, seeds 0 1 2
    python -m experiments.scenario_figures datang_socks    # one case
    python -m experiments.scenario_figures --seeds 0 1 2 3 4

For each case it runs the scenario and its comparison (`experiments.scenario_outcomes`) over the
seeds, writes `docs/figures/scenario_<name>.png` — the case's key series, mean over seeds (thin
lines: each seed), the comparison dashed, and the map of the cluster at the end of seed 0 — and
prints the headline figures (mean over seeds and per seed) as Markdown for docs/scenarios.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from experiments.plots import EVENT, plot_map
from experiments.runner import events
from experiments.scenario_outcomes import CASES, per_seed, run_case
from scenarios import load_scenario

FIGURES = Path(__file__).resolve().parents[1] / "docs" / "figures"

# per case: panels of (title, y label, [(column, label)]); the comparison is drawn dashed
PANELS = {
    "zhejiang_block_economy": [
        ("Spatial concentration", "Ellison–Glaeser γ", [("ellison_glaeser", "Ellison–Glaeser γ")]),
        ("Spatial autocorrelation", "Moran's I", [("morans_i", "Moran's I")]),
        ("Enterprises", "enterprises", [("firms", "final firms"), ("suppliers", "suppliers")]),
        ("Local sourcing", "share of inputs bought in the cluster", [("local_sourcing_share", "local sourcing share")]),
    ],
    "datang_socks": [
        ("Enterprises by stage", "enterprises (log scale)",
         [("stage_0", "raw material"), ("stage_1", "knitting"), ("stage_2", "seaming"), ("stage_3", "dyeing"),
          ("stage_4", "shaping"), ("stage_5", "packaging"), ("stage_6", "sales agents (final)")]),
        ("Local sourcing", "share of inputs bought in the cluster", [("local_sourcing_share", "local sourcing share")]),
        ("Output", "units / quarter", [("output", "value added"), ("final_sales", "final sales")]),
        ("Employment", "workers", [("employment", "employment")]),
    ],
    "jiangxi_auto_hub": [
        ("Suppliers gather around the lead firms", "mean distance to the nearest lead firm (cells)",
         [("lead_distance", "suppliers → nearest lead firm")]),
        ("Lead firms' local sourcing", "share of inputs bought in the cluster",
         [("lead_local_sourcing_share", "lead firms"), ("local_sourcing_share", "all buyers")]),
        ("Enterprises", "enterprises", [("suppliers", "suppliers"), ("firms", "final firms (incl. lead)")]),
        ("Output", "value added (units / quarter)", [("output", "value added")]),
    ],
    "jilin_policy_push": [
        ("Final firms", "final firms", [("firms", "final firms")]),
        ("Enterprises", "firms + suppliers", [("enterprises", "enterprises")]),
        ("Output", "value added (units / quarter)", [("output", "value added")]),
        ("Government", "units", [("gov_budget", "budget"), ("gov_spending", "spending / quarter")]),
    ],
    "hunan_linkage_policy": [
        ("Network density", "ties / (n (n − 1))", [("network_density", "network density")]),
        ("Local sourcing", "share of inputs bought in the cluster", [("local_sourcing_share", "local sourcing share")]),
        ("Output", "value added (units / quarter)", [("output", "value added")]),
        ("Supply ties per enterprise", "ties / enterprise", [("ties_per_enterprise", "ties per enterprise")]),
    ],
    "xiqiao_decline_revival": [
        ("Textile mills (final firms)", "final firms", [("firms", "final firms")]),
        ("Textile sales", "final firms' sales (units / quarter)", [("final_sales", "final sales")]),
        ("Knowledge", "knowledge (frontier at step 0 = 1)", [("mean_knowledge", "mean knowledge"), ("frontier", "frontier")]),
        ("Government", "units", [("gov_budget", "budget"), ("spend_tech_centre", "centre spending / quarter")]),
    ],
    "dyeing_regulation": [
        ("Emissions", "emissions / quarter", [("pollution", "emissions")]),
        ("Output", "value added (units / quarter)", [("output", "value added")]),
        ("Dyeing works", "enterprises", [("dirty_enterprises", "dyeing works")]),
        ("Dyeing's shares", "share", [("dirty_share_firms", "of enterprises"), ("dirty_share_emissions", "of emissions")]),
    ],
}
LOG_PANELS = {("datang_socks", "Enterprises by stage")}


def _with_derived(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["enterprises"] = df["firms"] + df["suppliers"]
    df["ties_per_enterprise"] = df["network_density"] * (df["enterprises"] - 1)  # density = ties / (n (n − 1))
    return df


def _mean(dfs):
    return sum(dfs) / len(dfs)


def case_figure(name: str, runs: dict) -> Figure:
    case = CASES[name]
    main = [_with_derived(d) for d in runs["main"]]
    other = [_with_derived(d) for d in runs["variant"]] if runs["variant"] else None
    panels = PANELS[name]
    fig = Figure(figsize=(15, 8.6), layout="constrained")
    grid = fig.add_gridspec(2, 3, width_ratios=[1, 1, 1.15])
    axes = [fig.add_subplot(grid[i, j]) for i in range(2) for j in range(2)]
    scenario = load_scenario(name)
    marks = events(scenario)
    for ax, (title, ylabel, cols) in zip(axes, panels):
        for i, (col, label) in enumerate(cols):
            colour = f"C{i}"
            if col not in main[0]:
                continue
            # from quarter 1: at step 0 nothing has been produced or traded yet
            for df in main:
                ax.plot(df.index[1:], df[col].iloc[1:], color=colour, lw=0.5, alpha=0.35)
            mean = _mean(main)[col].iloc[1:]
            ax.plot(mean.index, mean, color=colour, lw=1.8, label=label)
            if other is not None and col in other[0]:
                mean = _mean(other)[col].iloc[1:]
                ax.plot(mean.index, mean, color=colour, lw=1.5, ls="--",
                        label=f"{label} — {case.variant_label}" if len(cols) == 1 or i == 0 else None)
        for step, _ in marks:
            ax.axvline(step, **EVENT)
        if (name, title) in LOG_PANELS:
            ax.set_yscale("log")
        ax.set_title(title, loc="left", fontsize=11)
        ax.set_ylabel(ylabel)
        ax.set_xlabel("quarter (step)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7.5, framealpha=0.85, loc="best")
    plot_map(fig.add_subplot(grid[:, 2]), runs["models"]["main"][0], colorbar=False)
    seeds = ", ".join(map(str, runs["seeds"]))
    note = f"thick: mean over seeds {seeds}; thin: each seed; map: seed {runs['seeds'][0]} at the end"
    if other is not None:
        note += f"; dashed: {case.variant_label}"
    if marks:
        note += "\ngrey dashed lines: " + "; ".join(f"step {s}: {t}" for s, t in marks)
    fig.suptitle(f"{scenario.title}\n{note}", fontsize=11.5)
    return fig


def markdown(name: str, runs: dict) -> str:
    """The case's measures as a Markdown table: mean over seeds, then each seed."""
    table = per_seed(name, runs)
    head = ["measure", "mean", *(f"seed {s}" for s in table.index)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for col in table.columns:
        values = [table[col].mean(), *table[col]]
        lines.append(f"| {col} | " + " | ".join(_fmt(v) for v in values) + " |")
    return "\n".join(lines)


def _fmt(v) -> str:
    if v != v:
        return "–"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", default=list(CASES))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--out", default=str(FIGURES))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in args.names:
        runs = run_case(name, tuple(args.seeds))
        fig = case_figure(name, runs)
        path = out / f"scenario_{name}.png"
        fig.savefig(path, dpi=100)
        print(f"\n### {name}  ({path})\n")
        print(markdown(name, runs))


if __name__ == "__main__":
    main()
