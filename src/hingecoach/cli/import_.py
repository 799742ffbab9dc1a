"""`hinge import FILE`: restore a `hinge export` exactly (into an empty store, or --replace)."""

from __future__ import annotations

import argparse
from pathlib import Path

from hingecoach.store import open_db
from hingecoach.store.exchange import load, restore


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("import", help="restore a `hinge export` (JSON, CSV zip or directory)")
    p.add_argument("file", type=Path, help="the export to restore")
    p.add_argument("--replace", action="store_true", help="overwrite a store that already holds data")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    data = load(args.file)  # read and parse before opening the store
    with open_db() as db:
        counts = restore(db, data, replace=args.replace)
    print("Imported " + ", ".join(f"{n} {t}" for t, n in counts.items()) + ".")
    return 0
