"""`hinge today`: what to do today (level, exercise, sets x reps, the cue to focus on)."""

from __future__ import annotations

import argparse
from datetime import date

from hingecoach.program import timeline
from hingecoach.program.plan import TodayPlan, plan_today
from hingecoach.store import open_db


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("today", help="what to train today: level, sets x reps, the cue to focus on")
    p.add_argument("--person", default="me", help="whose plan (default: me)")
    p.add_argument("--date", type=date.fromisoformat, default=None, help="plan for this day (YYYY-MM-DD)")
    p.set_defaults(func=run)


def render(plan: TodayPlan) -> str:
    lv = plan.level
    lines = [f"Today ({plan.day}) for {plan.person}: level {lv.number}, {lv.name}."]
    if plan.rest_day:
        lines.append(plan.rest_reason or "Rest day.")
    else:
        done = f" ({plan.sets_done_today} done)" if plan.sets_done_today else ""
        lines.append(f"Do {plan.sets} sets x {plan.reps} reps{done}, "
                     f"{'daily' if lv.frequency_days == 1 else 'every other day'}; equipment: {lv.equipment}.")
    if plan.wall_distance_cm is not None:
        lines.append(f"Stand {plan.wall_distance_cm:.0f} cm from the wall.")
    lines.append("Set-up: " + " ".join(lv.setup))
    why = f" (seen in {100 * plan.fault_shares[plan.focus_fault]:.0f}% of reps this week)" \
        if plan.focus_fault in plan.fault_shares else ""
    lines.append(f"Focus{why}: {plan.focus_cue}")
    if plan.status.step_back:
        lines.append(f"Consider stepping back a level: {plan.status.step_back_reason}. `hinge level --step-back`.")
    elif plan.status.mastered:
        lines.append("You have mastered this level: `hinge level --advance` to move on.")
    else:
        left = "; ".join(f"{c.name} ({c.have}; need {c.need})" for c in plan.status.remaining)
        lines.append(f"To advance: {left}.")
    lines.extend(timeline.describe(plan.timeline))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    with open_db() as db:
        print(render(plan_today(db, args.person, args.date)))
    return 0
