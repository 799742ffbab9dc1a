"""`hinge level`: the current level, what is left to advance; advance, step back or set it."""

from __future__ import annotations

import argparse

from hingecoach.errors import HingeInputError
from hingecoach.program.levels import Level, all_levels, get_level, next_level, previous_level
from hingecoach.program.plan import plan_today
from hingecoach.store import open_db, record_level_change


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("level", help="your level and what is left to advance; change it")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--advance", action="store_true", help="move to the next level (only when mastered)")
    g.add_argument("--step-back", action="store_true", help="go back one level")
    g.add_argument("--set", dest="set_level", default=None, help="set the level by id or number")
    g.add_argument("--list", action="store_true", help="list every level")
    p.add_argument("--force", action="store_true", help="with --advance: advance even if not mastered")
    p.add_argument("--person", default="me", help="whose level (default: me)")
    p.set_defaults(func=run)


def _list() -> str:
    return "\n".join(f"{lv.number}. {lv.id:18s} {lv.name} ({lv.kind}, "
                     f"{lv.sets[0]}-{lv.sets[1]} x {lv.reps[0]}-{lv.reps[1]}, "
                     f"{'daily' if lv.frequency_days == 1 else 'every other day'})" for lv in all_levels())


def _change(db, args: argparse.Namespace) -> str:
    plan = plan_today(db, args.person)
    target: Level | None
    if args.set_level:
        target, kind, reason = get_level(args.set_level), "set", "chosen by hand"
    elif args.step_back:
        target, kind = previous_level(plan.level), "step_back"
        reason = plan.status.step_back_reason or "chosen by hand"
        if target is None:
            raise HingeInputError("You are at the first level already.", "Keep practising level 1.")
    else:
        target, kind = next_level(plan.level), "advance"
        if target is None:
            raise HingeInputError("You are at the last level of the program.", "Keep training it.")
        if not plan.status.mastered and not args.force:
            left = "; ".join(f"{c.name}: {c.have}, need {c.need}" for c in plan.status.remaining)
            raise HingeInputError(f"Level {plan.level.number} is not mastered yet ({left}).",
                                  "Keep training it, or pass --force.")
        reason = "mastered" if plan.status.mastered else "forced by hand"
    record_level_change(db, args.person, target.id, kind, reason)
    return f"{args.person}: now level {target.number}, {target.name} ({kind.replace('_', ' ')})."


def run(args: argparse.Namespace) -> int:
    if args.list:
        print(_list())
        return 0
    with open_db() as db:
        if args.advance or args.step_back or args.set_level:
            print(_change(db, args))
            return 0
        plan = plan_today(db, args.person)
    lv = plan.level
    print(f"{args.person}: level {lv.number} of {len(all_levels())}, {lv.name}.")
    for check in plan.status.checks:
        print(f"  [{'x' if check.ok else ' '}] {check.name}: {check.have} (need {check.need})")
    if plan.status.step_back:
        print(f"Step back recommended: {plan.status.step_back_reason}.")
    elif plan.status.mastered:
        print("Mastered: `hinge level --advance`.")
    return 0
