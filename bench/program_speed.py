"""`hinge today` / `hinge history` speed with five years of daily sessions in the store.

Run: ``.venv/bin/python -m bench.program_speed [YEARS]`` (default 5). Generates one person's
daily training (2-3 sets x 10-15 reps, faults fading as they improve, level changes every few
weeks) into a temporary SQLite store, then prints:

- in-process time of the work each command does (plan / weekly history / chart), and
- wall time of the whole CLI process (`python -m hingecoach today` etc.), which adds
  interpreter start-up and the imports of every registered command, and of a process that
  imports only the command's own module; median of 5 runs each. Target: under 300 ms.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from hingecoach.program.levels import all_levels
from hingecoach.store import open_db
from hingecoach.store.records import check_result, ensure_person, insert_set

FAULTS = ("torso_leads", "knees_too_bent", "spine_rounded", "too_deep", "weight_on_toes", "incomplete_lockout")
TARGET_MS = 300.0


def fake_result(rng: random.Random, fault_p: float) -> dict:
    reps = []
    for i in range(rng.randint(10, 15)):
        faults = [{"code": c, "severity": "major" if rng.random() < 0.4 else "minor"}
                  for c in FAULTS if rng.random() < fault_p / len(FAULTS) * 2]
        reps.append({"index": i, "start_s": 3.0 * i, "bottom_s": 3.0 * i + 1.4, "end_s": 3.0 * i + 2.9,
                     "depth_hip_angle_deg": rng.gauss(95, 4), "pattern": "hinge" if rng.random() > 0.03 else "squat",
                     "score": rng.uniform(50, 100), "partial": False, "faults": faults})
    return {"rep_count": len(reps), "view": "side", "fps": 30.0, "duration_s": 3.0 * len(reps),
            "source": "gen.mp4", "score": rng.uniform(40, 100), "reps": reps}


def generate(url: str, years: int, seed: int = 7) -> tuple[int, int]:
    """Fill the store; return (sets, reps)."""
    rng = random.Random(seed)
    levels = [lv.id for lv in all_levels()]
    start = date.today() - timedelta(days=365 * years)
    n_sets = n_reps = 0
    with open_db(url) as db, db.write() as tx:
        pid = ensure_person(tx, "me", f"{start} 07:00:00.000000")
        for d in range(365 * years):
            day = start + timedelta(days=d)
            level = levels[min(len(levels) - 1, d // 45)]
            fault_p = max(0.05, 0.6 - 0.01 * (d % 45))  # each new level starts rough and improves
            for s in range(rng.randint(2, 3)):
                when = datetime.combine(day, datetime.min.time()).replace(hour=7, minute=5 * s)
                columns, reps = check_result(fake_result(rng, fault_p))
                columns.update(quality=None, notes=None, wall_distance_cm=None)
                if d % 45 == 0 and s == 0:  # a level change every 45 days
                    tx.insert("level_history", {"person_id": pid, "level": level, "kind": "advance" if d else "start",
                                                "changed_at": when.isoformat(sep=" "), "reason": "generated"})
                insert_set(tx, "me", columns, reps, level, when)
                n_sets, n_reps = n_sets + 1, n_reps + len(reps)
    return n_sets, n_reps


def _ms(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def in_process(url: str, out_dir: Path) -> dict[str, float]:
    from hingecoach.cli.history import table
    from hingecoach.program.chart import save_progress_chart
    from hingecoach.program.history import load_history
    from hingecoach.program.plan import plan_today
    from hingecoach.store import fault_trends

    with open_db(url) as db:
        hist = load_history(db)
        return {
            "today: plan_today": _ms(lambda: plan_today(db)),
            "history: weeks + table + trends": _ms(lambda: (table(load_history(db), 12), fault_trends(db))),
            "history: chart PNG (all weeks)": _ms(lambda: save_progress_chart(hist, out_dir / "p.png"), runs=3),
        }


_ONE_MODULE = ("import argparse, sys; from hingecoach.cli import {module} as m; p = argparse.ArgumentParser(); "
               "m.register(p.add_subparsers()); a = p.parse_args(sys.argv[1:]); sys.exit(a.func(a))")


def cli_wall(url: str, out_dir: Path) -> dict[str, float]:
    env = {**os.environ, "HINGECOACH_DB": url}
    cmds = {"hinge today": ["today"], "hinge history --no-chart": ["history", "--no-chart"],
            "hinge history (with chart)": ["history", "--chart", str(out_dir / "cli.png")],
            "hinge today (own module only)": ("today", ["today"]),
            "hinge history --no-chart (own module only)": ("history", ["history", "--no-chart"]),
            "python start-up only": None}
    out = {}
    for name, args in cmds.items():
        if args is None:
            argv = [sys.executable, "-c", "pass"]
        elif isinstance(args, tuple):  # what the command costs when the CLI imports only its module
            argv = [sys.executable, "-c", _ONE_MODULE.format(module=args[0]), *args[1]]
        else:
            argv = [sys.executable, "-m", "hingecoach", *args]
        out[name] = _ms(lambda argv=argv: subprocess.run(argv, env=env, cwd=out_dir, check=True,
                                                          capture_output=True))
    return out


def main(years: int = 5) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        url = f"sqlite:///{tmp_path / 'bench.db'}"
        t0 = time.perf_counter()
        n_sets, n_reps = generate(url, years)
        size_mb = (tmp_path / "bench.db").stat().st_size / 1e6
        print(f"program_speed: {years} years daily, {n_sets} sets, {n_reps} reps, {size_mb:.1f} MB "
              f"(generated in {time.perf_counter() - t0:.1f} s)")
        for label, figures in (("in-process", in_process(url, tmp_path)), ("whole CLI process", cli_wall(url, tmp_path))):
            for name, ms in figures.items():
                flag = "" if "chart" in name or "start-up" in name else ("  OK" if ms < TARGET_MS else "  OVER 300 ms")
                print(f"  {label:18s} {name:44s} {ms:8.1f} ms{flag}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
