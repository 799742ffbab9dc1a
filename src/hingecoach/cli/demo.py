"""`hinge demo`: the main job on the embedded default, with nothing but the repo.

It analyses a real clip from ../shared/clips when one is at hand; otherwise it renders a set
the project generates itself (a simulated person hinging) and analyses that video, and says
which. Either way it writes the HTML report."""

from __future__ import annotations

import sys
from pathlib import Path

from hingecoach.analysis import analyze
from hingecoach.cli.render_text import print_analysis
from hingecoach.sources import load

CLIP = Path("clips") / "tby66" / "0016c_1.mp4"


def shared_dir() -> Path | None:
    """../shared beside the repo (or beside the working directory), if present."""
    for root in (Path(__file__).resolve().parents[3], Path.cwd()):
        shared = root.parent / "shared"
        if shared.is_dir():
            return shared
    return None


def register(sub) -> None:
    p = sub.add_parser("demo", help="run the analysis on a built-in example")
    p.add_argument("--out", type=Path, default=Path("out/demo"), help="folder for outputs")
    p.add_argument("--generated", action="store_true", help="use generated input even if a real clip exists")
    p.set_defaults(func=run)


def _generated_input(out: Path) -> Path:
    """A set the project makes itself: a simulated person hinging, rendered as a video that
    goes through the same BlazePose path as a real clip."""
    from hingecoach.sim import simulate
    from hingecoach.sim.render import render_video

    out.mkdir(parents=True, exist_ok=True)
    result = simulate(movement="hinge", reps=6, view="side", seed=7)
    path = out / "simulated_hinge.mp4"
    print(f"No real clip at hand (../shared/clips): rendering a simulated person hinging ({path}).")
    render_video(result, path)
    return path


def run(args) -> int:
    from hingecoach.report import write_report

    shared = shared_dir()
    clip = shared / CLIP if shared else None
    if clip is not None and clip.exists() and not args.generated:
        print(f"Analysing a real clip: {clip} (a kettlebell deadlift, side view).")
        path = clip
    else:
        path = _generated_input(args.out)
    result = analyze(load(path))
    print_analysis(result, explain=False)
    args.out.mkdir(parents=True, exist_ok=True)
    report = args.out / "report.html"
    write_report(result, report)
    print(f"\nreport: {report}")
    sys.stdout.flush()
    return 0
