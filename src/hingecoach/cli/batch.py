"""`hinge batch INPUT_DIR_OR_LIST --out OUT_DIR`: analyse many videos and keypoint files."""

from __future__ import annotations

import sys
from pathlib import Path

from hingecoach.cli.pose_options import add_model_option, analysis_rate


def register(sub) -> None:
    p = sub.add_parser(
        "batch", help="analyse every video and keypoint file in a folder or list",
        description="Analyse every video and keypoint file under a folder (recursive) or named in a "
                    "list file (one path per line, optional tab and person), exactly as `hinge analyze` "
                    "does. Results are keyed by file content: re-running resumes and skips what is done.")
    p.add_argument("input", type=Path, metavar="INPUT_DIR_OR_LIST", help="a folder, or a .txt list of paths")
    p.add_argument("--out", type=Path, required=True, metavar="OUT_DIR",
                   help="output folder: per-input JSON, keypoints, manifest, reps.parquet/.csv")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="parallel workers (default: all cores; with Ray, the local instance's CPUs)")
    p.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="local process pool (default) or Ray (pip install 'hingecoach[ray]')")
    p.add_argument("--ray-address", default=None, metavar="ADDR",
                   help="Ray cluster to use (default: $RAY_ADDRESS, else a local instance)")
    p.add_argument("--level", help="grade with the thresholds of a program level (e.g. wall_tap)")
    p.add_argument("--no-pose-cache", action="store_true",
                   help="re-run pose estimation even when keypoints of the same video are cached")
    p.add_argument("--no-keypoints", action="store_true", help="do not save the keypoints of videos")
    p.add_argument("--retry-failed", action="store_true",
                   help="analyse again inputs that failed before (by default they are skipped)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--fps", type=analysis_rate, default=None, metavar="N|native",
                   help="videos: frames per second the pose model sees, as in `hinge analyze` (default: 30)")
    add_model_option(p)
    p.set_defaults(func=run)


def print_report(report) -> None:
    c = report.counts
    print(f"{report.total} inputs: {c.get('done', 0)} analysed, {c.get('skipped', 0)} already done, "
          f"{c.get('failed', 0)} failed ({report.seconds:.1f} s)")
    for outcome in report.failures:
        tag = "failed before" if outcome["status"] == "skipped" else "failed"
        print(f"  {tag}: {outcome['path']}: {outcome.get('reason')}")
    t = report.tables
    if t:
        print(f"{t['rep_rows']} reps -> {t['reps_parquet']} and {t['reps_csv']}; per input: {t['videos_csv']}")


def run(args) -> int:
    from hingecoach.batch.runner import run_batch
    from hingecoach.errors import HingeInputError

    if args.workers is not None and args.workers < 1:
        raise HingeInputError(f"--workers {args.workers}: needs at least 1.", "Give --workers 1 or more.")
    report = run_batch(args.input, args.out, workers=args.workers, engine=args.engine, level=args.level,
                       pose_cache=not args.no_pose_cache, save_keypoints=not args.no_keypoints,
                       retry_failed=args.retry_failed, ray_address=args.ray_address,
                       progress=False if args.no_progress else None, fps=args.fps, model=args.model)
    print_report(report)
    failed = report.counts.get("failed", 0)
    if failed:
        print(f"{failed} inputs failed: reasons in {args.out / 'videos.csv'}", file=sys.stderr)
    return 0
