"""`hinge history`: progress by week as a table, a progress chart PNG, and fault trends."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path

from hingecoach.program.history import History, load_history
from hingecoach.store import fault_trends, open_db


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("history", help="progress by week: table, chart PNG, fault trends")
    p.add_argument("--person", default="me", help="whose history (default: me)")
    p.add_argument("--weeks", type=int, default=12, help="weeks shown in the table (default 12; chart: all)")
    p.add_argument("--chart", type=Path, default=Path("hinge-progress.png"),
                   help="where to write the chart (default hinge-progress.png)")
    p.add_argument("--no-chart", action="store_true", help="table only (fastest)")
    p.set_defaults(func=run)


def _fmt(value: float | None, spec: str, scale: float = 1.0) -> str:
    return "-" if value is None else format(value * scale, spec)


def table(history: History, weeks: int) -> str:
    rows = [f"{'week of':10s}  {'level':18s} {'days':>4s} {'sets':>4s} {'reps':>5s} {'score':>5s} "
            f"{'clean%':>6s} {'depth°':>6s} {'speed':>5s}"]
    for w in history.weeks[-weeks:]:
        rows.append(f"{w.start.isoformat():10s}  {'+'.join(w.levels)[:18]:18s} {w.sessions:4d} {w.sets:4d} "
                    f"{w.reps:5d} {_fmt(w.score, '5.0f')} {_fmt(w.clean_rep_rate, '6.0f', 100)} "
                    f"{_fmt(w.depth_hip_angle_deg, '6.0f')} {_fmt(w.ascent_speed_leg_per_s, '5.2f')}")
    rows.append("speed: the hips' mean rise in leg lengths per second (a steady number means steady strength)")
    return "\n".join(rows)


def trends_text(db, person: str) -> list[str]:
    lines = []
    for t in fault_trends(db, person, date.today())[:5]:
        name = t.code.replace("_", " ")
        then = "-" if t.then_frac is None else f"{100 * t.then_frac:.0f}%"
        now = "-" if t.now_frac is None else f"{100 * t.now_frac:.0f}%"
        lines.append(f"  {name}: {then} of reps two weeks ago, {now} now")
    return lines


def run(args: argparse.Namespace) -> int:
    since = None if not args.no_chart else date.today() - timedelta(weeks=args.weeks)
    with open_db() as db:
        history = load_history(db, args.person, since=since)  # the chart shows every week
        trends = trends_text(db, args.person)
    if not history.weeks:
        print(f"No sets logged for {args.person} yet: `hinge analyze VIDEO --log` or `hinge log --reps N`.")
        return 0
    print(table(history, args.weeks))
    changes = [c for c in history.level_changes
               if c.changed_at[:10] >= (date.today() - timedelta(weeks=args.weeks)).isoformat()]
    for c in changes:
        print(f"  {c.changed_at[:10]}: {c.kind.replace('_', ' ')} -> {c.level}" + (f" ({c.reason})" if c.reason else ""))
    if trends:
        print("Fault trends:")
        print("\n".join(trends))
    if not args.no_chart:
        from hingecoach.program.chart import save_progress_chart

        print(f"Chart: {save_progress_chart(history, args.chart)}")
    return 0
