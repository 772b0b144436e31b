"""Experiments on ClusterModel: single runs, sweeps, comparisons, sensitivity, the live page.

`import experiments` stays light: each name is imported on first use. Comparisons, sensitivity,
cost-effectiveness, dose-response and the policy brief live in `experiments.compare`,
`.sensitivity`, `.cost_effectiveness`, `.dose_response`, `.report`; designs in `.design`.

    run_scenario   one run with an output folder           (experiments.runner)
    sweep          run a sweep file into a results folder  (experiments.sweep)
    load_results   a results folder as one tidy DataFrame  (experiments.store)
"""

from importlib import import_module

import clusterlab_portable

# CLUSTERLAB_PORTABLE=1 in a script that imports ClusterLab before numpy: baseline kernels only.
clusterlab_portable.apply()

# Imported eagerly (it is light) so that `experiments.sweep` is always the function, never the
# submodule of the same name; `from experiments.sweep import ...` still reaches the module.
from experiments.sweep import load_sweep, sweep

_EXPORTS = {
    "run_scenario": "experiments.runner",
    "load_results": "experiments.store",
    "load_manifest": "experiments.store",
}

__all__ = ["sweep", "load_sweep", *_EXPORTS]


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'experiments' has no attribute {name!r}")
