"""The `clusterlab` command's entry point: imports nothing heavy itself, so that a Ctrl-C while the
model's packages are still importing (a second or more: Mesa, pandas, SciPy; longer on a busy
machine) ends with "clusterlab: interrupted" and exit status 130 instead of a Python traceback.

It also turns portable mode on (`clusterlab --portable ...` or CLUSTERLAB_PORTABLE=1; see
clusterlab_portable) before numpy is imported, which is the only time numpy reads it.

The console script generated from pyproject.toml imports this module before anything else; the
command line itself is `experiments.cli.main`.
"""

import os
import sys

import clusterlab_portable


def global_options(argv: list[str]) -> list[str]:
    """The options before the subcommand (`clusterlab --portable run ...` -> ["--portable"])."""
    out = []
    for arg in argv:
        if not arg.startswith("-"):
            break
        out.append(arg)
    return out


def main() -> int:
    """Turn portable mode on if asked, import the command line and run it; a Ctrl-C during the
    import exits 130, quietly; a bad CLUSTERLAB_PORTABLE value exits 2 with its message."""
    if "--portable" in global_options(sys.argv[1:]):
        os.environ[clusterlab_portable.ENV] = "1"
    try:
        clusterlab_portable.apply()
    except clusterlab_portable.PortableError as exc:
        print(f"clusterlab: {exc}", file=sys.stderr)
        return 2
    try:
        from experiments.cli import main as cli_main
    except KeyboardInterrupt:
        print("clusterlab: interrupted", file=sys.stderr)
        return 130
    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
