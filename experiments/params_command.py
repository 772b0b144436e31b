"""`clusterlab params`: write (or with --check only check) the parameter table of docs/ODD.md."""

from __future__ import annotations

from pathlib import Path

from model.param_table import ODD, is_current, shown, write_docs
from model.params import PARAMS


def add_arguments(parser) -> None:
    parser.add_argument("--check", action="store_true", help="only check that the table is current (exit 1 if not)")
    parser.add_argument("--doc", type=Path, default=ODD, metavar="FILE", help="the document (default: docs/ODD.md)")


def cli(args) -> int:
    if not args.doc.is_file():      # before reading: one line naming the option, not an OSError's errno
        what = "a folder" if args.doc.is_dir() else "no such file"
        raise ValueError(f"--doc {shown(args.doc)}: {what}; allowed: a Markdown file holding the parameter "
                         "table's markers (default docs/ODD.md)")
    if args.check:
        current = is_current(PARAMS.values(), args.doc)
        print(f"{shown(args.doc)}: parameter table {'is current' if current else 'is NOT current: run clusterlab params'}")
        return 0 if current else 1
    print(write_docs(PARAMS.values(), args.doc))
    return 0
