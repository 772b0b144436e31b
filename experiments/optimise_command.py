"""`clusterlab optimise`: the command — search (experiments.optimise), then check the front on
fresh seeds and write OUT (experiments.pareto). Kept apart so that pareto can use the search's
helpers without an import cycle."""

from __future__ import annotations

import sys
from pathlib import Path

from experiments import pareto
from experiments.decision_file import OptimiseSpec, load_optimise
from experiments.optimise import Evaluator, arms, search, store_plan


# --- the command ------------------------------------------------------------------------------------
def optimise(path_or_spec, out=None, *, executor="local", workers=None, address=None, resume=False,
             progress=True, cache=True, on_generation=None):
    """Search, compare with the random search, check the front on fresh seeds, write OUT; return the
    `pareto.Outcome`. `on_generation(generation, points)` is called after each checkpoint."""
    from tqdm.auto import tqdm

    from experiments.executors import opened
    from experiments.store import Store

    spec = path_or_spec if isinstance(path_or_spec, OptimiseSpec) else load_optimise(path_or_spec)
    out = Path(out) if out else Path("runs") / spec.name
    with Store.open(out / "evals", store_plan(spec), resume=resume):   # refuses another search's folder
        pass
    total = spec.generations * spec.population * spec.replications * len(arms(spec))
    bar = tqdm(total=total, unit="run", desc=spec.name, disable=not progress, file=sys.stderr, dynamic_ncols=True)
    with opened(executor, workers=workers, address=address) as ex, bar:
        evaluate = Evaluator(spec, out, ex, cache, progress)
        points = search(spec, evaluate, bar, on_generation)
        bar.set_description(f"{spec.name}: checking the front on {spec.check_replications} fresh seeds")
        return pareto.write(spec, out, points, evaluate)


def add_arguments(parser) -> None:
    from experiments.cli import add_batch_options

    parser.add_argument("file", type=Path, metavar="FILE", help="an optimisation file (see experiments/examples/)")
    add_batch_options(parser)


def cli(args) -> int:
    from experiments.cli import batch, batch_options
    from experiments.inputs import check_writable

    def run(args) -> int:
        if args.out:
            check_writable(args.out, "--out")       # unwritable: named now, not as a bare Errno
        outcome = optimise(args.file, args.out, **batch_options(args))
        print(outcome.report())
        return 1 if outcome.failed_runs else 0

    return batch(run)(args)
