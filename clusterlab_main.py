"""The `clusterlab` command's entry point: imports nothing heavy itself, so that a Ctrl-C while the
model's packages are still importing (a second or more: Mesa, pandas, SciPy; longer on a busy
machine) ends with "clusterlab: interrupted" and exit status 130 instead of a Python traceback.

The console script generated from pyproject.toml imports this module before anything else; the
command line itself is `experiments.cli.main`.
"""

import sys


def main() -> int:
    """Import the command line and run it; a Ctrl-C during the import exits 130, quietly."""
    try:
        from experiments.cli import main as cli_main
    except KeyboardInterrupt:
        print("clusterlab: interrupted", file=sys.stderr)
        return 130
    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
