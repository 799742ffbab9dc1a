"""`hinge log`: record a set by hand when there is no video."""

from __future__ import annotations

import argparse
from datetime import datetime

from hingecoach.program.levels import get_level
from hingecoach.store import current_level, log_manual_set, open_db


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("log", help="record a set done without a camera")
    p.add_argument("--reps", type=int, required=True, help="reps done in the set")
    p.add_argument("--level", default=None, help="level id or number (default: your current level)")
    p.add_argument("--clean-reps", type=int, default=None,
                   help="reps with no major fault, by your own count (counts towards mastery)")
    p.add_argument("--quality", type=int, default=None, choices=range(1, 6), metavar="1-5",
                   help="how it felt, 1 = poor, 5 = perfect")
    p.add_argument("--wall-cm", type=float, default=None, help="wall-tap distance from the wall (cm)")
    p.add_argument("--notes", default=None, help="free text")
    p.add_argument("--when", type=datetime.fromisoformat, default=None,
                   help="when it was done (YYYY-MM-DD[ HH:MM], local time; default now)")
    p.add_argument("--person", default="me", help="whose set (default: me)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.level is not None:
        get_level(args.level)  # reject a bad level before opening the store
    with open_db() as db:
        set_id = log_manual_set(db, args.level, args.reps, person=args.person, clean_reps=args.clean_reps,
                                quality=args.quality, notes=args.notes, wall_distance_cm=args.wall_cm,
                                when=args.when)
        level = args.level or current_level(db, args.person)
    assert level is not None, "a logged set records the person's level"
    print(f"Logged set {set_id}: {args.reps} reps at {get_level(level).name} for {args.person}.")
    return 0
