"""`hinge export OUT`: everything in the store as JSON (OUT.json) or CSV (OUT.zip or a directory)."""

from __future__ import annotations

import argparse
from pathlib import Path

from hingecoach.store import open_db
from hingecoach.store.exchange import export


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("export", help="export the whole store: OUT.json, OUT.zip (CSV) or a CSV directory")
    p.add_argument("out", type=Path, help="file or directory to write")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with open_db() as db:
        out = export(db, args.out)
    print(f"Exported to {out}.")
    return 0
