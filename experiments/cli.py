"""The `clusterlab` command line.

    clusterlab scenarios                          list the scenarios and the question each asks
    clusterlab validate [FILE ...]                check scenario files (default: all in scenarios/)
    clusterlab run [SCENARIO] [--steps N] [--seed S] [--out DIR] [--set KEY=VALUE ...]

Every subcommand is one entry of `COMMANDS`: a one-line help, a function adding its arguments
to its parser, and a handler taking the parsed arguments and returning the exit code. Bad input
(a scenario or parameter error: any `ValueError`, or an `OSError` on the output folder) prints
its message on stderr and exits with 2, without a traceback (`clusterlab --debug ...` shows it).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import os
import sys
from pathlib import Path

from experiments.conventions import DEFAULT_SEED, beyond_tested
from experiments.formatting import NA, count, fmt_float
from experiments.inputs import (
    argparse_type,
    check_executor,
    check_port,
    error_lines,
    is_loopback,
    nonempty_path,
    parse_overrides,
    parse_seed,
    positive_int,
    probe_output_dir,
)
from experiments.interrupts import Terminated, batch, on_sigterm
from scenarios import ScenarioError, check_steps, list_scenarios, load_scenario
from scenarios.loader import OVERRIDES, scenario_names


def lazy(module: str, name: str):
    """A function that imports `module` only when called: keeps `clusterlab --help` fast."""

    def call(*args, **kwargs):
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    return call


# --- scenarios ------------------------------------------------------------------------------
def add_scenarios(parser: argparse.ArgumentParser) -> None:
    pass


def cmd_scenarios(args) -> int:
    infos = list_scenarios()
    width = max((len(i.name) for i in infos), default=0)
    for info in infos:
        print(f"{info.name:<{width}}  {info.question}")
    return 0


# --- validate -------------------------------------------------------------------------------
def add_validate(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="scenario files or names (default: every scenario in scenarios/)")


def cmd_validate(args) -> int:
    from experiments.case_targets import check_target_columns  # target columns need the indicators

    invalid = 0
    for item in args.files or scenario_names():
        try:
            scenario = load_scenario(item)
            check_target_columns(scenario)
        except (ScenarioError, ValueError) as exc:
            invalid += 1
            problems = getattr(exc, "problems", [exc])
            print(f"INVALID {item}: {len(problems)} problem(s)\n" + "\n".join(f"  {p}" for p in problems))
        else:
            print(f"OK      {item}: {scenario.title}")
    return 1 if invalid else 0



# --- run ------------------------------------------------------------------------------------
def add_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", nargs="?", default="baseline", metavar="SCENARIO",
                        help="a scenario name or a .toml file (default: baseline)")
    parser.add_argument("--steps", type=positive_int, metavar="N", help="quarters to run (default: the scenario's)")
    parser.add_argument("--seed", type=seed_type, default=DEFAULT_SEED, metavar="S",
                        help=f"random seed (default: {DEFAULT_SEED})")
    parser.add_argument("--out", type=nonempty_path, metavar="DIR", help="output folder (default: output/<scenario>-seed<S>)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                        help="override a parameter, e.g. --set width=50 --set location_choice=random "
                             "(repeatable, or comma-separated; values are TOML: 0.5, true, [[10, 10, 3]])")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--animate", action="store_true",
                        help="also write map.gif, an animation of the map over the run (same seed: same run)")
    parser.add_argument("--fps", type=positive_int, help="frames per second of the animation (default 6; with --animate)")


def cmd_run(args) -> int:
    from experiments.runner import FIGURES, OutputError, check_output_folder, events, run_scenario, summary_table

    if args.fps is not None and not args.animate:     # no option silently ignored
        raise ValueError(f"--fps {args.fps}: only with --animate (the animation's frames per second)")
    overrides = parse_overrides(args.overrides)
    try:
        scenario = load_scenario(args.scenario).with_overrides(**overrides)
    except ScenarioError as exc:  # name the command-line option, not "overrides"
        raise ScenarioError([dataclasses.replace(p, file="--set") if p.file == OVERRIDES else p
                             for p in exc.problems]) from None
    steps = check_steps(scenario, args.steps, "--steps")
    late = [f"{what} at quarter {q}" for q, what in events(scenario) if q > steps]   # the scenario's story, cut
    for warning in [*scenario.warnings, *beyond_tested(steps), *([f"--steps {steps} ends before the scenario's scheduled changes "
                                           f"({'; '.join(late)}): they are not in this run"] if late else [])]:
        print(f"clusterlab run: warning: {warning}", file=sys.stderr)
    out = args.out or Path("output") / f"{scenario.name}-seed{args.seed}"
    check_output_folder(out, scenario, args.seed, "--out" if args.out else "output folder")
    probe_output_dir(out, "--out" if args.out else "output folder")  # before the run, not after it
    print(f"{scenario.name} (seed {args.seed}, {count(steps, "quarter")}){': ' * bool(scenario.question)}{scenario.question}")
    try:
        result = run_scenario(scenario, seed=args.seed, steps=steps, out=out, progress=not args.quiet)
    except OutputError as exc:
        print(f"clusterlab run: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as stop:     # the quarters already run are kept (experiments.runner)
        why = "terminated (SIGTERM)" if isinstance(stop, Terminated) else "interrupted"
        print(f"clusterlab run: {why}{getattr(stop, 'kept', '')}", file=sys.stderr)
        return 143 if isinstance(stop, Terminated) else 130
    print(f"wrote {out}/: indicators.csv, summary.json, {', '.join(FIGURES)}")
    print(summary_table(result.results).to_string())
    if args.animate:
        from experiments.animate import animate

        gif = animate(scenario.build(seed=args.seed), steps, out / "map.gif", fps=args.fps or 6)
        print(f"wrote {gif}")
    return 0


# --- viz ------------------------------------------------------------------------------------
def add_viz(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", nargs="?", default="baseline", metavar="SCENARIO",
                        help="scenario shown first (default: baseline); others can be picked on the page")
    parser.add_argument("--port", type=port_type, default=8765, help="port (default: 8765)")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1, this "
                        "machine only; any other address needs --allow-remote)")
    parser.add_argument("--allow-remote", action="store_true", help="allow a --host other than loopback: the "
                        "page has no login, so anyone reaching that address can run models on this machine")
    parser.add_argument("--seed", type=seed_type, default=DEFAULT_SEED, help=f"initial seed (default: {DEFAULT_SEED})")


def cmd_viz(args) -> int:
    from experiments.inputs import check_host, check_port_free
    from experiments.viz import serve

    check_host(args.host, args.allow_remote)
    load_scenario(args.scenario)  # a clear error before the server starts
    check_port_free(args.host, args.port)
    if args.allow_remote and not is_loopback(args.host):
        print(f"clusterlab viz: warning: serving on {args.host} without a login: anyone who can reach it "
              "can open the page and run models on this machine", file=sys.stderr)
    return serve(args.scenario, port=args.port, host=args.host, seed=args.seed, allow_remote=args.allow_remote)


seed_type = argparse_type(parse_seed, "--seed")
port_type = argparse_type(check_port, "--port")


# --- sweep, compare, sensitivity, cost-effectiveness (many runs into a results folder) -------
# Exit codes: 0 every run succeeded, 1 some runs failed (recorded in DIR/manifest.jsonl),
# 2 bad input, 3 a worker process died, 130 Ctrl-C, 143 SIGTERM (finished runs are kept: use --resume; experiments.interrupts).
def add_batch_options(parser: argparse.ArgumentParser, resume: bool = True) -> None:
    parser.add_argument("--out", type=nonempty_path, metavar="DIR", help="results folder (default: runs/<name>)")
    parser.add_argument("--workers", type=positive_int, metavar="N", help="worker processes (default: all cores)")
    parser.add_argument("--executor", choices=("local", "serial", "dask"), default="local",
                        help="local process pool (default), this process, or a Dask cluster")
    parser.add_argument("--address", metavar="ADDR", help="Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                        "(with --executor dask; default: a LocalCluster of --workers processes)")
    if resume:
        parser.add_argument("--resume", action="store_true", help="run only the runs DIR does not hold yet")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--no-cache", action="store_true",
                        help="run everything (default: reuse identical runs from the run cache, $CLUSTERLAB_CACHE)")


def batch_options(args) -> dict:
    check_executor(args.executor, args.workers, args.address)    # no option silently ignored
    return dict(workers=args.workers, executor=args.executor, address=args.address,
                resume=getattr(args, "resume", True), progress=not args.quiet, cache=not args.no_cache)


def add_sweep(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="a sweep file (see experiments/examples/)")
    add_batch_options(parser)


@batch
def cmd_sweep(args) -> int:
    from experiments.sweep import sweep

    report = sweep(args.file, args.out, **batch_options(args))
    print(f"{report}\nread them in Python: from experiments import load_results; load_results({str(report.out)!r})")
    return 1 if report.failed else 0


def add_arm_options(parser: argparse.ArgumentParser, default_steps: str) -> None:
    """--reps, --steps, --seed, --set and the batch options of the commands that compare arms."""
    parser.add_argument("--reps", type=positive_int, default=10, metavar="R", help="replications per arm (default 10)")
    parser.add_argument("--steps", type=positive_int, metavar="N", help=f"quarters (default: {default_steps})")
    parser.add_argument("--seed", type=seed_type, default=DEFAULT_SEED, metavar="S",
                        help=f"replication k uses seed S + k in every arm (default: {DEFAULT_SEED})")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                        help="override a parameter in every arm (repeatable, or comma-separated)")
    add_batch_options(parser)


def add_compare(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("arms", nargs="+", metavar="ARM", help="SCENARIO or SCENARIO:KEY=VALUE,KEY=VALUE "
                        "(e.g. baseline:tech_centre=20,rd_subsidy=0.3); the first arm is the reference")
    add_arm_options(parser, "the first scenario's")


@batch
def cmd_compare(args) -> int:
    from experiments.compare import PLOTTED, compare, labelled, parse_arm, parse_assignments

    common = parse_assignments(",".join(args.overrides), "--set")
    arms = [parse_arm(text, common) for text in args.arms]
    result = compare(arms, args.reps, args.steps, args.seed, args.out, **batch_options(args))
    print(result.report)
    if len(arms) == 1:    # no reference to pair with: the bands over the replications only
        band = result.bands[result.bands["step"] == result.bands["step"].max()]
        print(f"one arm, so no paired differences (give a second ARM for them); final values of {arms[0].label!r}, "
              "mean and 95% interval over the replications:")
        print(labelled(band[["indicator", "mean", "low", "high", "n"]]).to_string(index=False, float_format=fmt_float,
                                                                                  na_rep=NA))
        print(f"wrote {result.out}/: compare.png, bands.csv")
        return 1 if result.report.failed else 0
    shown = result.differences[result.differences["indicator"].isin([*PLOTTED, "gov_spending"])]
    print(f"final values vs {arms[0].label!r} (paired by seed; 95% interval of the difference):")
    print(labelled(shown).to_string(index=False, float_format=fmt_float, na_rep=NA))
    print(f"wrote {result.out}/: compare.png, differences.png (paired), bands.csv, paired_bands.csv, differences.csv")
    return 1 if result.report.failed else 0


def add_sensitivity(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="a sweep file with design.method sobol or morris")
    parser.add_argument("--indicators", metavar="A,B", help="indicators to analyse (default: the file's keep.final)")
    add_batch_options(parser, resume=False)


@batch
def cmd_sensitivity(args) -> int:
    from experiments.sensitivity import analyse, check_indicators
    from experiments.sweep import load_sweep, sweep

    sw = load_sweep(args.file)
    if sw.method not in ("sobol", "morris"):
        raise ValueError(f"{args.file}: design.method is {sw.method!r}; sensitivity needs \"sobol\" or \"morris\"")
    indicators = check_indicators(sw, None if args.indicators is None else args.indicators.split(","))
    report = sweep(sw, args.out, **batch_options(args))        # runs only what is missing
    print(report)
    if report.failed:
        return 1
    result = analyse(report.out, indicators)
    shown = result.table.assign(above_noise=result.table["above_noise"].map({True: "yes", False: "no"}).fillna(""))
    print(shown.to_string(index=False, float_format=lambda v: fmt_float(v, 3), na_rep=NA))
    print(f"wrote {result.out}/: sensitivity.csv, sensitivity.png")
    return 0


def add_cost_effectiveness(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", metavar="SCENARIO", help="the reference arm")
    parser.add_argument("levers", nargs="+", metavar="LEVER=VALUE", help="one arm each (a lever once)")
    parser.add_argument("--cost", choices=("lever", "net"), default="lever",
                        help="the levers' funded spending (default) or net fiscal cost (spending - revenue); "
                             "written to cost_effectiveness.csv / cost_effectiveness_net.csv")
    parser.add_argument("--discount", type=float, default=0.0, metavar="R",
                        help="annual discount rate of benefits and spending (default 0)")
    add_arm_options(parser, "the scenario's")


@batch
def cmd_cost_effectiveness(args) -> int:
    from experiments.compare import parse_assignments
    from experiments.cost_effectiveness import cost_effectiveness, csv_name, print_table

    common = parse_assignments(",".join(args.overrides), "--set")
    levers = parse_assignments(",".join(args.levers), "LEVER=VALUE")
    table = cost_effectiveness(args.scenario, levers, args.reps, args.steps, args.seed, args.out, common=common,
                               cost=args.cost, discount=args.discount, **batch_options(args))
    report = table.attrs["report"]
    print(report)
    print_table(table)
    print(f"wrote {report.out / csv_name(args.cost)}")
    return 1 if report.failed else 0


# --- the registry ---------------------------------------------------------------------------
# name -> (one-line help, add_arguments(parser), handler(args) -> exit code).
# Add a subcommand with one line here, e.g.
#   "sweep": ("run a sweep file", lazy("experiments.sweep", "add_arguments"), lazy("experiments.sweep", "cli")),
COMMANDS = {
    "scenarios": ("list the scenarios and the question each asks", add_scenarios, cmd_scenarios),
    "validate": ("check scenario files: print OK or every problem (exit 1 if any is invalid)",
                 add_validate, cmd_validate),
    "run": ("run a scenario; write indicators.csv, summary.json and figures", add_run, cmd_run),
    "viz": ("serve the live page (SolaraViz) on 127.0.0.1 and print its address", add_viz, cmd_viz),
    "sweep": ("run a sweep file (designs, replications) into a resumable results folder", add_sweep, cmd_sweep),
    "compare": ("compare scenarios or policy variants with replications: bands and paired differences",
                add_compare, cmd_compare),
    "sensitivity": ("run a Sobol'/Morris sweep and compute sensitivity indices", add_sensitivity, cmd_sensitivity),
    "cost-effectiveness": ("change in indicators per unit of government spending, lever by lever",
                           add_cost_effectiveness, cmd_cost_effectiveness),
    "calibrate": ("ABC-SMC calibration of a case scenario's free parameters to its target figures (resumable)",
                  lazy("experiments.calibrate", "add_arguments"), lazy("experiments.calibrate", "cli")),
    "validation": ("write docs/validation.md: every case figure vs the calibrated model, and the stylised facts",
                   lazy("experiments.validation", "add_arguments"), lazy("experiments.validation", "cli")),
    "report": ("a policy brief (HTML + Markdown) from results folders: question, design, effects with "
               "intervals, dose-response, Pareto, budget use, sensitivity, caveats",
               lazy("experiments.report", "add_arguments"), lazy("experiments.report", "cli")),
    "optimise": ("multi-objective search over lever levels and timing (NSGA-II/III) vs random search; "
                 "Pareto front checked on fresh seeds", lazy("experiments.optimise_command", "add_arguments"),
                 lazy("experiments.optimise_command", "cli")),
    "discover": ("scenario discovery over a sweep: PRIM boxes where success concentrates, feature scores",
                 lazy("experiments.discover", "add_arguments"), lazy("experiments.discover", "cli")),
    "params": ("write the parameter table of docs/ODD.md from model/params.py (--check: only check it)",
               lazy("experiments.params_command", "add_arguments"), lazy("experiments.params_command", "cli")),
    "bench": ("scaling benchmark: s/step, memory, construction at 1,000-100,000 agents, vs a naive Mesa loop",
              lazy("experiments.bench", "add_arguments"), lazy("experiments.bench", "cli")),
}


def portable_on() -> bool:
    """`--portable` given to `main(argv)` from Python (the console script turned it on before numpy
    was imported): on if numpy still runs its baseline kernels, else False with the error printed."""
    import clusterlab_portable

    os.environ[clusterlab_portable.ENV] = "1"
    try:
        return clusterlab_portable.apply()
    except clusterlab_portable.PortableError as exc:
        print(f"clusterlab: {exc}", file=sys.stderr)
        return False


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clusterlab", description="ClusterLab: agent-based simulation of "
                                     "industrial clusters (firms, suppliers and a government).")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    parser.add_argument("--portable", action="store_true", help="numpy's x86-64 baseline kernels only "
                        "(also CLUSTERLAB_PORTABLE=1): the same output on every machine, a little slower")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, add_arguments, handler) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_arguments(p)
        p.set_defaults(handler=handler)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:                            # its imports take seconds on a busy machine: a Ctrl-C then is quiet too
        parser = build_parser()
        args = parser.parse_args(argv)
    except KeyboardInterrupt:
        print("clusterlab: interrupted", file=sys.stderr)
        return 130
    if args.command is None:
        parser.print_help()
        return 2
    if args.portable and not portable_on():
        return 2
    import signal
    import threading

    args.own_process = argv is None          # the `clusterlab` command itself (not a call from Python)
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, on_sigterm) if main_thread else None  # SIGTERM stops like Ctrl-C
    try:
        return int(args.handler(args) or 0)
    except (ValueError, OSError) as exc:  # ScenarioError, parameter errors, an unwritable --out
        if args.debug:
            raise
        print(error_lines(args.command, exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, Terminated)
        print(f"clusterlab {args.command}: {'terminated (SIGTERM)' if terminated else 'interrupted'}", file=sys.stderr)
        return 143 if terminated else 130
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
