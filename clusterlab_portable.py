"""Portable mode: numpy's x86-64 baseline kernels only, so that one numpy version gives the same
output on every x86-64 machine it runs on.

numpy picks SIMD kernels by CPU feature at run time (numpy 2.5: baseline X86_V2; dispatched
X86_V3 = AVX2/FMA3, X86_V4 and AVX-512). Some kernels round differently from the baseline ones:
on numpy 2.5.5 complex multiplication (the FFT convolution of the fields, model/fields.py) differs
by one ULP in ~40% of elements under X86_V3, as do float64 tanh, float32 exp/log, complex abs and
the tie order of non-stable argsort/partition. The model is chaotic, so a ULP at step 0 changes
discrete events later: the same seed gives other results on a machine with other CPU features.

    CLUSTERLAB_PORTABLE=1 clusterlab run ...        or        clusterlab --portable run ...

sets `NPY_DISABLE_CPU_FEATURES` to every dispatched target above the baseline (the user's own list
is kept), in `os.environ` before numpy is imported, so local pool workers and a Dask LocalCluster
inherit it. numpy reads the variable once, at import; it ignores targets this CPU lacks (no error on
a machine without X86_V4) and warns (ImportWarning, hidden by default) about names its build does
not know. Workers of a remote Dask scheduler import numpy before ClusterLab, so they are started
in portable mode by this module, `python -m clusterlab_portable dask worker ADDRESS` (it sets the
variables and runs the command); `clusterlab --portable ... --executor dask --address ADDRESS`
refuses workers that are not, and every run's manifest row records its worker's `numpy_dispatch`.

Importing this module never imports numpy (it runs before it); `state()` does. Each package's
`__init__` (model, agents, scenarios, experiments) calls `apply()` first: not one module imported
once, because `import model` does not import numpy, so a mode asked for after it must still reach
numpy through the next package's own call (tests/test_portable.py).
"""

from __future__ import annotations

import os
import sys

ENV = "CLUSTERLAB_PORTABLE"
NPY_DISABLE = "NPY_DISABLE_CPU_FEATURES"
NPY_ENABLE = "NPY_ENABLE_CPU_FEATURES"
#: numpy >= 2.4's x86-64 dispatch targets above its X86_V2 baseline (numpy/_core/meson.build).
DISPATCHED = ("X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


class PortableError(ValueError):
    """Portable mode was asked for but cannot hold (message says why and what to do)."""


def requested(environ=None) -> bool:
    """Whether `CLUSTERLAB_PORTABLE` asks for portable mode (1/true/yes/on; 0/false/no/off/unset:
    no). Raises PortableError naming the variable for any other value."""
    value = (os.environ if environ is None else environ).get(ENV, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise PortableError(f"{ENV}={value!r}: allowed values are 1, true, yes, on (portable) or 0, false, no, off")


def apply(environ=None) -> bool:
    """If portable mode is requested, add `DISPATCHED` to `NPY_DISABLE_CPU_FEATURES` in `environ`
    (default os.environ); returns whether it is on. Raises PortableError if the user set
    NPY_ENABLE_CPU_FEATURES (numpy refuses both), or if numpy was imported already with a
    dispatched kernel enabled (the variable would come too late)."""
    env = os.environ if environ is None else environ
    if not requested(env):
        return False
    if env.get(NPY_ENABLE):
        raise PortableError(f"{ENV} sets {NPY_DISABLE}, and numpy refuses it together with "
                            f"{NPY_ENABLE}={env[NPY_ENABLE]!r}: unset {NPY_ENABLE}")
    if "numpy" in sys.modules and environ is None and state()["dispatch"]:
        raise PortableError(f"{ENV} is set but numpy was imported before it took effect (kernels "
                            f"{'+'.join(state()['dispatch'])} enabled): set it before starting Python")
    names = env.get(NPY_DISABLE, "").replace(",", " ").split()
    env[NPY_DISABLE] = " ".join(dict.fromkeys([*names, *DISPATCHED]))
    return True


def child_environ(portable: bool, environ=None) -> dict:
    """A copy of `environ` (default os.environ) for a child process in portable mode or, if not
    `portable`, in numpy's default dispatch (every CPU-feature variable of numpy removed)."""
    env = {k: v for k, v in (os.environ if environ is None else environ).items() if k not in (ENV, NPY_DISABLE, NPY_ENABLE)}
    env[ENV] = "1" if portable else "0"
    apply(env)
    return env


def state() -> dict:
    """The numpy dispatch this process runs with (imports numpy): {"portable": bool, "numpy":
    version, "baseline": [features compiled in], "dispatch": [dispatched targets enabled, [] in
    portable mode], "disabled": NPY_DISABLE_CPU_FEATURES or None}."""
    import numpy as np
    from numpy._core._multiarray_umath import __cpu_baseline__, __cpu_dispatch__, __cpu_features__

    return {"portable": requested(), "numpy": np.__version__, "baseline": list(__cpu_baseline__),
            "dispatch": [f for f in __cpu_dispatch__ if __cpu_features__.get(f)],
            "disabled": os.environ.get(NPY_DISABLE)}


def label() -> str:
    """Short form of `state()` for a manifest row: "baseline" (portable) or "X86_V3" etc."""
    return "+".join(state()["dispatch"]) or "baseline"


def check_workers(states: dict) -> None:
    """PortableError naming the workers ({address: their `state()`}, e.g. Dask's `client.run(state)`)
    that run dispatched kernels or another numpy version than this process."""
    here = state()["numpy"]
    bad = {w: "+".join(s["dispatch"]) if s["dispatch"] else f"numpy {s['numpy']}" for w, s in states.items()
           if s["dispatch"] or s["numpy"] != here}
    if bad:
        raise PortableError(f"portable mode: worker(s) {', '.join(f'{w} ({why})' for w, why in sorted(bad.items()))} "
                            f"would give other numbers; allowed: workers started in portable mode (`python -m clusterlab_portable "
                            f"dask worker ADDRESS`) with numpy {here}")


def main(argv: list[str] | None = None) -> int:
    """`python -m clusterlab_portable COMMAND [ARG ...]`: run COMMAND (e.g. `dask worker ADDRESS`)
    in portable mode, replacing this process; 2 with a message if there is none or the mode cannot
    hold, 127 if COMMAND is not found."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print("usage: python -m clusterlab_portable COMMAND [ARG ...]  (e.g. dask worker tcp://HOST:8786)",
              file=sys.stderr)
        return 2
    os.environ[ENV] = "1"
    try:
        apply()
        os.execvp(argv[0], argv)
    except PortableError as exc:
        print(f"clusterlab_portable: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"clusterlab_portable: cannot run {argv[0]!r}: {exc.strerror}", file=sys.stderr)
        return 127
    return 0   # not reached: execvp does not return


if __name__ == "__main__":
    sys.exit(main())
