"""`hinge analyze INPUT`: a video, image or keypoint file -> rep-by-rep analysis."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hingecoach import atomic
from hingecoach.cli.pose_options import add_model_option, analysis_rate
from hingecoach.exercise_names import EXERCISES
from hingecoach.sources import load, save_keypoints

if TYPE_CHECKING:
    from hingecoach.analysis import Analysis


def register(sub) -> None:
    p = sub.add_parser("analyze", help="analyse a video, image or keypoint file",
                       description="Find the body, count reps, grade each against the guide.")
    p.add_argument("input", type=Path, help="video (.mp4 .mov ...), image, or keypoint file")
    p.add_argument("--json", type=Path, metavar="OUT", help="write the result as JSON")
    p.add_argument("--keypoints", type=Path, metavar="OUT",
                   help="save the pose keypoints (.json or .csv) so the video need be processed once")
    p.add_argument("--explain", action="store_true", help="print the evidence for every rep")
    p.add_argument("--level", help="grade with the thresholds of a program level (e.g. wall_tap); "
                   "implies its exercise")
    p.add_argument("--exercise", choices=EXERCISES,
                   help="the exercise filmed (default: recognised from the video); sets the standard "
                        "it is graded by unless --level is given")
    p.add_argument("--height-cm", type=height_cm, default=None, metavar="CM",
                   help="your height: speeds in m/s beside leg lengths per second, and the ghost's "
                        "differences in centimetres, not in shares of your leg length")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--fps", type=analysis_rate, default=None, metavar="N|native",
                   help="videos: frames per second the pose model sees (default: 30, every frame of a "
                        "video filmed at 30 or less); 'native' for every frame")
    add_model_option(p)
    add_output_options(p)
    p.set_defaults(func=run)


def add_output_options(p) -> None:
    """Outputs beyond the table and JSON, written by hingecoach.cli.outputs (reports, store)."""
    p.add_argument("--trc", type=Path, metavar="OUT.trc",
                   help="write the 3D landmarks as OpenSim markers (metres, Y up), as Sports2D/Pose2Sim do")
    p.add_argument("--mot", type=Path, metavar="OUT.mot", help="write the joint angles (degrees) as an OpenSim .mot")
    p.add_argument("--video-out", type=Path, metavar="OUT.mp4", help="write an annotated video")
    p.add_argument("--report", type=Path, metavar="OUT.html", help="write an HTML report")
    p.add_argument("--ghost", action=argparse.BooleanOptionalAction, default=True,
                   help="draw the ghost (your proportions doing the exercise's clean hinge, timed to each rep) "
                        "over the annotated video and beside every rep's bottom in the report (default: on)")
    p.add_argument("--log", action="store_true", help="store the set in your training log")
    p.add_argument("--person", default=None, help="whose log (default: you)")


def height_cm(text: str) -> float:
    """argparse type of --height-cm: the analysis's own check (a usage error, not a traceback)."""
    from hingecoach.analysis import checked_height_cm

    try:
        value = checked_height_cm(float(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    assert value is not None
    return value


def analyze_path(path: Path, *, level: str | None = None, progress: bool = True,
                 usual_depth_hip_angle_deg: float | None = None, fps: float | str | None = None,
                 exercise: str | None = None, height_cm: float | None = None, model: str | None = None) -> Analysis:
    """Analyse one input; ``fps`` the analysis rate of a video (None: the loader's default);
    ``model`` the pose model of a video or photo (None: full); ``exercise`` the exercise
    filmed (None: recognised from the video)."""
    from hingecoach.sources.suffixes import is_video, runs_pose

    options: dict[str, Any] = {} if progress else {"progress": False}
    if fps is not None and is_video(path):  # a keypoint file's fps= is its own rate
        options["fps"] = fps
    if runs_pose(path):
        if model is not None:  # a keypoint file's pose is already estimated
            options["model"] = model
        threading.Thread(target=_import_analysis_beside_pose, daemon=True).start()
    pose = load(path, **options)
    from hingecoach.analysis import analyze  # waits for the import above if it is still running

    return analyze(pose, level=level, exercise=exercise, usual_depth_hip_angle_deg=usual_depth_hip_angle_deg,
                   height_cm=height_cm)


def _import_analysis_beside_pose() -> None:
    """Import the analysis (SciPy's signal module: ~0.5 s of the GIL) while the pose runs:
    once MediaPipe is imported, so the two imports do not share the GIL (together they put the
    first posed frame ~0.8 s later). A pose read from the keypoint cache never imports MediaPipe,
    and the analysis is imported after the load then; this thread waits on, a daemon."""
    from hingecoach.sources import blazepose

    blazepose.mediapipe_imported.wait()
    importlib.import_module("hingecoach.analysis")


def _write_opensim(result: Analysis, args) -> None:
    """--trc and --mot: the markers and the angles for OpenSim (and Sports2D's users)."""
    from hingecoach.cli.outputs import check_not_input
    from hingecoach.config import section
    from hingecoach.sources.formats.mot import write_mot
    from hingecoach.sources.formats.trc import write_trc

    for out in (args.trc, args.mot):
        if out:
            check_not_input(out, args.input)
    if args.trc:
        write_trc(result.pose, args.trc, section("kinematics")["min_visibility"])
        print(f"markers written to {args.trc}", file=sys.stderr)
    if args.mot:
        write_mot(result.kinematics, args.mot)
        print(f"angles written to {args.mot}", file=sys.stderr)


def _write_json(result: dict, out: Path) -> None:
    atomic.write_text(out, json.dumps(result, indent=2))


def run(args) -> int:
    usual = None
    if args.log:
        from hingecoach.cli import outputs

        usual = outputs.usual_depth(args.person)
    result = analyze_path(args.input, level=args.level, progress=not args.no_progress,
                          usual_depth_hip_angle_deg=usual, fps=args.fps, exercise=args.exercise,
                          height_cm=args.height_cm, model=args.model)
    if args.keypoints:
        save_keypoints(result.pose, args.keypoints)
        print(f"keypoints saved to {args.keypoints}", file=sys.stderr)
    if args.trc or args.mot:
        _write_opensim(result, args)
    from hingecoach.cli.render_text import print_analysis

    print_analysis(result, explain=args.explain)
    data = result.to_dict()
    if args.json:
        _write_json(data, args.json)
        print(f"result written to {args.json}", file=sys.stderr)
    if args.video_out or args.report or args.log:
        from hingecoach.cli import outputs

        args.usual_depth_hip_angle_deg = usual
        outputs.write_outputs(result, args)
    return 0
