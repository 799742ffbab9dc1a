"""`hinge backup OUT`: a consistent copy of the store, safe while other processes write."""

from __future__ import annotations

import argparse
from pathlib import Path

from hingecoach.store import open_db
from hingecoach.store.backup import backup


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("backup", help="copy the store consistently to OUT (SQLite file)")
    p.add_argument("out", type=Path, help="file to write")
    p.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with open_db() as db:
        out = backup(db, args.out, overwrite=args.force)
    print(f"Backed up to {out} (integrity check passed).")
    return 0
