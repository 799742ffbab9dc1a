"""What `hinge analyze` writes besides the terminal text: --video-out, --report, --log.

Each output imports its package only when asked for (OpenCV drawing, matplotlib and the
store are heavy imports a plain `hinge analyze` does not need). The store is used when it
offers ``log_set`` / ``usual_depth_hip_angle_deg``; without it --log says so instead of failing.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from hingecoach.analysis import Analysis
from hingecoach.errors import HingeInputError


def input_video(args: Any) -> Path | None:
    """The input when it is a video file or GIF (overlay on it), else None (draw on a blank canvas)."""
    from hingecoach.sources.suffixes import is_video

    path = Path(args.input)
    return path if is_video(path) else None


def _progress(args: Any) -> bool | None:
    return False if getattr(args, "no_progress", False) else None


def _store():
    """The store package when it offers what we need, else None."""
    try:
        store = importlib.import_module("hingecoach.store")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("hingecoach.store"):
            return None
        raise
    return store if hasattr(store, "log_set") and hasattr(store, "open_db") else None


def usual_depth(person: str | None) -> float | None:
    """The person's usual bottom hip angle from their log (None without history or store)."""
    store = _store()
    if store is None or not hasattr(store, "usual_depth_hip_angle_deg"):
        return None
    db = store.open_db()
    try:
        return store.usual_depth_hip_angle_deg(db, person or "me")
    finally:
        db.close()


def log_result(result: Analysis, args: Any) -> int | None:
    store = _store()
    if store is None:
        print("hinge analyze: --log: the training log is not available in this installation; "
              "nothing was stored.", file=sys.stderr)
        return None
    db = store.open_db()
    try:
        set_id = store.log_set(db, result.to_dict(), person=args.person or "me", level=args.level)
    finally:
        db.close()
    print(f"set logged (#{set_id}) for {args.person or 'me'}", file=sys.stderr)
    return set_id


def ghost_options(args: Any) -> dict[str, Any]:
    """The ghost's options from the command line (--ghost/--no-ghost, --height-cm, the log's depth)."""
    return {"ghost": getattr(args, "ghost", True), "height_cm": getattr(args, "height_cm", None),
            "usual_depth_hip_angle_deg": getattr(args, "usual_depth_hip_angle_deg", None)}


def write_outputs(result: Analysis, args: Any) -> None:
    """Write every output the options ask for; each says where it went on stderr."""
    if getattr(args, "video_out", None):
        check_not_input(args.video_out, args.input)
        from hingecoach.report import write_annotated_video

        video = input_video(args)
        write_annotated_video(result, video, args.video_out, progress=_progress(args), **ghost_options(args))
        note = "" if video else " (skeleton on a blank background: the input was not a video)"
        print(f"annotated video written to {args.video_out}{note}", file=sys.stderr)
    if getattr(args, "report", None):
        check_not_input(args.report, args.input)
        from hingecoach.report import write_report

        write_report(result, args.report, video_path=input_video(args), **ghost_options(args))
        print(f"report written to {args.report}", file=sys.stderr)
    if getattr(args, "log", False):
        log_result(result, args)


def check_not_input(out: Path, inp: Path) -> None:
    """Never overwrite the video being analysed."""
    try:
        same = Path(out).resolve() == Path(inp).resolve()
    except OSError:
        same = False
    if same:
        raise HingeInputError(f"The output {out} is the input file.", "Choose another output name.")
