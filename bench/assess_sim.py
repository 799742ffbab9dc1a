"""Assessment accuracy on the simulator's seeded suite (seeds 100000+, never used by tests):
rep count, pattern accuracy, per-fault precision/recall/F1 at minor and major severity, and
how often each fault fires on clean reps.

    python -m bench.assess_sim [--n 1500] [--workers 2] [--per-set] [--seed-base 100000] [--history]

Calibration uses the tuning seeds (``--seed-base 300000``); the figures to quote are the
default seeds'.

The camera view and the facing are detected from the landmarks, as a video source leaves them
(the simulator knows them, but the product is never told). Grading level: kneeling sets use
the ``hero_squat`` level; standing sets use ``dowel`` (the
simulator's movements are bodyweight hinges, graded by the guide's own standard). Reps are
matched to the truth by their bottom time. A fault that cannot be seen from the detected view
(e.g. the spine from the front) is counted as not assessable, not as missed, and so is a
fault on a set the simulator never gives it (``sim.suite.applicable_faults``: the knee and
depth faults belong to hinge sets; squat and stoop sets are scored by their pattern). A fault whose
level names it by the rep's pattern (``named_by_pattern``: at the bodyweight levels a rep
called a squat is Mistake 2, "knees bent too much, turns into a squat", coached as such)
counts as called on such a rep, on clean reps too.

``--history`` gives every standing set the person's history first, as the training log would
hold it: the same body (hamstrings, proportions) films one clean hinge set on another day
(its own seed, so its own style and noise). That set is logged in a scratch store, and the
store's ``usual_depth_hip_angle_deg`` makes the ``too_deep`` check personal, as
``hinge analyze --person`` does.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Any

import numpy as np

from hingecoach.analysis import analyze
from hingecoach.assess.specs import fault_specs
from hingecoach.sim import simulate
from hingecoach.sim.faults import FAULT_CODES, MAJOR_CUT
from hingecoach.sim.suite import accuracy_suite, applicable_faults


def level_for(movement: str) -> str:
    return "hero_squat" if movement == "kneeling" else "dowel"


HISTORY_SEED_OFFSET = 50_000_000  # the history set's seed: far from every suite's


def usual_depth_from_history(sim, cfg: dict[str, Any], level: str) -> float | None:
    """The person's usual bottom hip angle after one clean hinge set of the same body on
    another day, logged in a scratch store and read back as the product reads it."""
    import tempfile

    from hingecoach.store import open_db, queries, records

    past = simulate("hinge", faults={}, view=cfg["view"], seed=cfg["seed"] + HISTORY_SEED_OFFSET,
                    noise=cfg["noise"], body=sim.body)
    result = analyze(past.pose.replace(view="unknown", facing="unknown"), level=level)
    with tempfile.TemporaryDirectory() as tmp, open_db(f"sqlite:///{tmp}/history.db") as db:
        records.log_set(db, result.to_dict(), person="sim", level=level)
        return queries.usual_depth_hip_angle_deg(db, "sim")


def evaluate_set(cfg: dict[str, Any], history: bool = False) -> dict[str, Any]:
    sim = simulate(**cfg)
    level = level_for(cfg["movement"])
    usual = usual_depth_from_history(sim, cfg, level) if history and cfg["movement"] != "kneeling" else None
    # the view and facing as a video gives them: detected from the landmarks, not told
    result = analyze(sim.pose.replace(view="unknown", facing="unknown"), level=level,
                     usual_depth_hip_angle_deg=usual)
    specs = fault_specs(level)
    truth_reps = sim.truth.reps
    applicable = set(applicable_faults(cfg["movement"]))
    out = {"cfg": cfg, "reps_true": len(truth_reps), "reps": result.rep_count, "view": result.pose.view,
           "usual_depth_hip_angle_deg": usual, "matched": []}
    for rep, a in result.completed:
        match = next((t for t in truth_reps if t.start_s - 0.3 <= rep.bottom_s <= t.end_s + 0.3), None)
        if match is None:
            continue
        assessable = {c for c, spec in specs.items() if spec.seen_from(result.pose.view)
                      and (c not in FAULT_CODES or c in applicable)}
        named = {c: "major" for c, spec in specs.items()
                 if a.pattern_seen and spec.named_by_pattern == a.pattern}
        out["matched"].append({
            "pattern_true": match.pattern, "pattern": a.pattern, "pattern_seen": a.pattern_seen,
            "faults_true": dict(match.faults), "faults": named | {f.code: f.severity for f in a.faults},
            "assessable": assessable,
        })
    return out


def summarise(rows: list[dict[str, Any]]) -> None:
    exact = sum(r["reps"] == r["reps_true"] for r in rows)
    mae = sum(abs(r["reps"] - r["reps_true"]) for r in rows) / len(rows)
    reps = [m for r in rows for m in r["matched"]]
    judged = [m for m in reps if m["pattern_seen"]]  # from the front, only a squat is seen
    pat_ok = sum(m["pattern"] == m["pattern_true"] for m in judged)
    print(f"sets: {len(rows)}   rep count exact: {100 * exact / len(rows):.1f}%   MAE {mae:.2f}")
    by_view = defaultdict(list)
    for r in rows:
        by_view[r["cfg"]["view"]].append(r)
    for view, rs in sorted(by_view.items()):
        ex = sum(r["reps"] == r["reps_true"] for r in rs)
        print(f"   {view:<8} sets {len(rs):>4}   rep count exact {100 * ex / len(rs):5.1f}%")
    print(f"pattern accuracy: {100 * pat_ok / max(len(judged), 1):.1f}% of {len(judged)} matched reps "
          f"({len(reps) - len(judged)} front-view reps not seen, not judged)")
    front = [m for r in rows if r["view"] == "front" for m in r["matched"]]
    if front:  # from the front only a squat is seen: how many of them, and how many others
        squats = [m for m in front if m["pattern_true"] == "squat"]
        named = sum(m["pattern_seen"] and m["pattern"] == "squat" for m in squats)
        wrong = sum(m["pattern_seen"] for m in front if m["pattern_true"] != "squat")
        print(f"   front view: squats named {named} of {len(squats)}; "
              f"other reps called squat {wrong} of {len(front) - len(squats)}")
    confusion = Counter((m["pattern_true"], m["pattern"]) for m in judged)
    print("   confusion (true -> called): " + ", ".join(f"{t}->{c}: {n}" for (t, c), n in sorted(confusion.items())))
    codes = sorted({c for m in reps for c in m["faults_true"]} | {c for m in reps for c in m["faults"]})
    clean = [m for m in reps if not m["faults_true"] and m["pattern_true"] == "hinge"]
    scored: dict[str, tuple[float, float, float]] = {}
    print(f"\n{'fault':<20} {'prec':>6} {'rec min':>8} {'rec maj':>8} {'F1 min':>7} {'F1 maj':>7} "
          f"{'n min':>6} {'n maj':>6} {'clean FP':>9} {'n/a':>5}")
    for code in codes:
        ok = [m for m in reps if code in m["assessable"]]
        called = [m for m in ok if code in m["faults"]]
        tp = [m for m in called if code in m["faults_true"]]
        prec = len(tp) / len(called) if called else float("nan")
        line = f"{code:<20} {prec:6.2f}"
        f1s, ns = [], []
        for lo, hi in ((0.0, MAJOR_CUT), (MAJOR_CUT, 9.0)):
            pos = [m for m in ok if lo <= m["faults_true"].get(code, -1) < hi]
            rec = sum(code in m["faults"] for m in pos) / len(pos) if pos else float("nan")
            f1 = 2 * prec * rec / (prec + rec) if pos and called and prec + rec > 0 else float("nan")
            line += f" {rec:8.2f}"
            f1s.append(f1)
            ns.append(len(pos))
        clean_ok = [m for m in clean if code in m["assessable"]]
        fp = sum(code in m["faults"] for m in clean_ok) / len(clean_ok) if clean_ok else float("nan")
        na = sum(code in m["faults_true"] and code not in m["assessable"] for m in reps)
        print(line + f" {f1s[0]:7.2f} {f1s[1]:7.2f} {ns[0]:6d} {ns[1]:6d} {100 * fp:8.1f}% {na:5d}")
        if ns[1]:  # a fault the simulator puts in (the set-up checks have no simulated fault)
            scored[code] = (f1s[1], f1s[0], fp)
    print_spread(rows, codes)
    print_targets(100 * pat_ok / max(len(judged), 1), scored)


def bootstrap_f1(rows: list[dict[str, Any]], code: str, draws: int = 200, seed: int = 0
                 ) -> tuple[np.ndarray, np.ndarray]:
    """F1 at minor and at major severity of ``code`` over ``draws`` resamplings of the sets
    (with replacement: the reps of one set share a person, a camera and a severity, so the set
    is the unit that varies). Returns two arrays of ``draws`` values (NaN where undefined)."""
    set_of, ok, called, sev = [], [], [], []
    for i, r in enumerate(rows):
        for m in r["matched"]:
            set_of.append(i)
            ok.append(code in m["assessable"])
            called.append(code in m["faults"])
            sev.append(m["faults_true"].get(code, -1.0))
    set_idx, ok_a, called_a, sev_a = (np.array(x) for x in (set_of, ok, called, sev))
    weights = np.random.default_rng(seed).multinomial(len(rows), np.full(len(rows), 1 / len(rows)),
                                                      size=draws)[:, set_idx]  # (draws, reps)
    w = weights * ok_a
    n_called = (w * called_a).sum(axis=1)
    prec = (w * (called_a & (sev_a > 0))).sum(axis=1) / np.where(n_called > 0, n_called, np.nan)
    out = []
    for lo, hi in ((0.0, MAJOR_CUT), (MAJOR_CUT, 9.0)):
        pos = (sev_a >= lo) & (sev_a < hi)
        n_pos = (w * pos).sum(axis=1)
        rec = (w * (pos & called_a)).sum(axis=1) / np.where(n_pos > 0, n_pos, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            out.append(2 * prec * rec / (prec + rec))
    return out[0], out[1]


def print_spread(rows: list[dict[str, Any]], codes: list[str]) -> None:
    """How much each F1 would move on another suite of the same size: the 5th-95th percentile
    over bootstrap resamplings of the sets."""
    print("\nF1 spread over resampled sets (5th-95th percentile, 200 draws):")
    for code in codes:
        f1_min, f1_maj = bootstrap_f1(rows, code)
        if np.isfinite(f1_maj).sum() < 10:
            continue
        lo_mi, hi_mi = np.nanpercentile(f1_min, [5, 95])
        lo_ma, hi_ma = np.nanpercentile(f1_maj, [5, 95])
        print(f"   {code:<20} major {lo_ma:.2f}-{hi_ma:.2f}   minor {lo_mi:.2f}-{hi_mi:.2f}")


def print_targets(pattern_pct: float, scored: dict[str, tuple[float, float, float]]) -> None:
    """The issue's targets, met or not: pattern >= 98 %, F1 >= 0.90 major and >= 0.75 minor,
    no fault on more than 3 % of clean reps."""
    def names(ok):
        return ", ".join(c for c, v in scored.items() if ok(*v)) or "none"
    print(f"\ntargets: pattern {pattern_pct:.1f}% (>= 98%: {'met' if pattern_pct >= 98 else 'NOT met'})")
    print(f"  F1 major >= 0.90 met by: {names(lambda ma, mi, fp: ma >= 0.90)}")
    print(f"  F1 minor >= 0.75 met by: {names(lambda ma, mi, fp: mi >= 0.75)}")
    print(f"  clean reps firing > 3%: {names(lambda ma, mi, fp: fp > 0.03)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1500,
                    help="sets (1500: about 1000 reps per fault; at 500 the F1 figures move by +-0.1)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed-base", type=int, default=100000,
                    help="first seed (100000: the benchmark; 300000: the tuning seeds thresholds are fitted on)")
    ap.add_argument("--per-set", action="store_true", help="print each set's rep count")
    ap.add_argument("--history", action="store_true",
                    help="give each standing set the person's usual depth from one earlier clean set")
    args = ap.parse_args(argv)
    configs = list(accuracy_suite(seed_base=args.seed_base, n=args.n))
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(partial(evaluate_set, history=args.history), configs, chunksize=8))
    if args.history:
        known = sum(r["usual_depth_hip_angle_deg"] is not None for r in rows)
        print(f"history: usual depth known for {known} of {len(rows)} sets")
    if args.per_set:
        for r in rows:
            flag = "" if r["reps"] == r["reps_true"] else "  <--"
            print(f"{r['cfg']}: {r['reps']}/{r['reps_true']}{flag}")
    summarise(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
