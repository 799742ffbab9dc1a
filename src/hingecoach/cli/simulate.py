"""`hinge simulate`: a simulated set with known answers -> keypoint file + labels file.

The keypoints (our format, .json or .csv) read back like any input (`hinge analyze FILE`);
the labels go beside them as ``<stem>.labels.json`` (true reps, pattern, faults per rep with
severity and class, true angles per frame).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

from hingecoach import atomic
from hingecoach.errors import HingeInputError
from hingecoach.sim.faults import FAULT_CODES
from hingecoach.sim.movements import MOVEMENTS
from hingecoach.sim.noise import LEVELS


def register(sub) -> None:
    p = sub.add_parser("simulate", help="simulate a set with known reps, angles and faults",
                       description="Simulate hinges, squats, stoops or kneeling hinges with chosen "
                                   "faults, seen by a camera through a BlazePose-like detector.")
    p.add_argument("--movement", choices=MOVEMENTS, default="hinge")
    p.add_argument("--reps", type=int, default=None, help="number of reps (default: random 5-12)")
    p.add_argument("--fault", action="append", default=[], metavar="CODE[:SEVERITY]",
                   help=f"add a fault (severity 0-1, default 0.7); codes: {', '.join(FAULT_CODES)}")
    p.add_argument("--view", choices=("side", "oblique", "front"), default="side")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--noise", choices=tuple(LEVELS), default="typical")
    p.add_argument("--fps", type=float, default=30.0)
    p.add_argument("--no-setup", action="store_true", help="no walk-in, stretch or walk-out")
    p.add_argument("--out", type=Path, required=True, metavar="FILE",
                   help="keypoint file to write (.json or .csv)")
    p.add_argument("--video", type=Path, metavar="OUT.mp4",
                   help="also render the movement as a video (needs hingecoach.sim.render)")
    p.set_defaults(func=run)


def parse_fault(text: str) -> tuple[str, float]:
    """'torso_leads' -> ('torso_leads', 0.7); 'torso_leads:0.3' -> ('torso_leads', 0.3)."""
    code, _, sev = text.partition(":")
    if code not in FAULT_CODES:
        raise HingeInputError(f"Unknown fault {code!r}.", f"Use one of: {', '.join(FAULT_CODES)}.")
    try:
        value = float(sev) if sev else 0.7
    except ValueError:
        raise HingeInputError(f"Fault severity {sev!r} is not a number.",
                              "Write it as CODE:0.6 (a number from 0 to 1).") from None
    if not 0.0 <= value <= 1.0:
        raise HingeInputError(f"Fault severity {value} is outside 0-1.", "Write it as CODE:0.6.")
    return code, value


def labels_path(out: Path) -> Path:
    return out.with_name(out.stem + ".labels.json")


def _renderer():
    try:
        return importlib.import_module("hingecoach.sim.render")
    except ModuleNotFoundError as exc:
        if exc.name == "hingecoach.sim.render":
            raise HingeInputError("Video rendering is not available in this installation.",
                                  "Leave out --video; the keypoints and labels are written anyway.") from None
        raise


def run(args: argparse.Namespace) -> int:
    from hingecoach.sim import simulate
    from hingecoach.sources import save_keypoints

    if args.out.suffix.lower() not in (".json", ".csv"):
        raise HingeInputError(f"Cannot write keypoints to {args.out.name}.", "Use a .json or .csv name.")
    if args.reps is not None and args.reps < 0:
        raise HingeInputError(f"--reps {args.reps} is negative.", "Give 0 or more reps.")
    faults = dict(parse_fault(f) for f in args.fault)
    render = _renderer() if args.video else None
    try:
        result = simulate(args.movement, reps=args.reps, faults=faults, view=args.view,
                          seed=args.seed, noise=args.noise, fps=args.fps, setup=not args.no_setup)
    except ValueError as exc:
        raise HingeInputError(str(exc), "Check the options against `hinge simulate --help`.") from None
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_keypoints(result.pose, args.out)
    labels = labels_path(args.out)
    atomic.write_text(labels, json.dumps(result.truth.to_dict(), indent=1))
    print(f"{args.movement}: {result.truth.n_reps} reps, {result.pose.n_frames} frames, "
          f"view {result.pose.view}; keypoints -> {args.out}, labels -> {labels}", file=sys.stderr)
    if render is not None:
        render.render_video(result, args.video)
        print(f"video -> {args.video}", file=sys.stderr)
    return 0
