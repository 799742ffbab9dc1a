"""`hinge live`: coach from a webcam, or from a video played as if it were live."""

from __future__ import annotations

import time
from pathlib import Path

from hingecoach.errors import HingeInputError, NotAVideoError


def register(sub) -> None:
    p = sub.add_parser("live", help="live rep counting and cues from a webcam or a video",
                       description="Run the pose model on each camera frame and print reps and cues as they happen.")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--camera", type=int, default=None, metavar="N", help="webcam number (default 0)")
    src.add_argument("--video", type=Path, metavar="FILE", help="play a video file as if live")
    p.add_argument("--realtime", action="store_true", help="with --video: wait between frames like a camera")
    p.add_argument("--level", help="grade with the thresholds of a program level")
    p.set_defaults(func=run)


def open_capture(args):
    import cv2

    if args.video is not None:
        if not args.video.is_file():
            raise HingeInputError(f"{args.video} does not exist.", "Give the path of a video file.")
        cap = cv2.VideoCapture(str(args.video))
        if not cap.isOpened():
            raise NotAVideoError(f"{args.video.name} cannot be read as a video.", "Give an .mp4, .mov, .avi or .mkv.")
        cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        return cap, True
    index = args.camera or 0
    cap = cv2.VideoCapture(index)
    if not cap.isOpened():
        raise HingeInputError(f"Camera {index} cannot be opened.", "Check it is connected and not used by another program, or use --video FILE.")
    return cap, False


def frames(cap, from_file: bool, realtime: bool):
    """(rgb frame, t_s) pairs; file time from the container, camera time from the clock."""
    import cv2

    t0 = time.monotonic()
    last_t = -1.0
    while True:
        ok, bgr = cap.read()
        if not ok or bgr is None:
            return
        t_s = cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0 if from_file else time.monotonic() - t0
        if t_s <= last_t:
            t_s = last_t + 1e-3
        if from_file and realtime:
            time.sleep(max(0.0, t_s - (time.monotonic() - t0)))
        last_t = t_s
        yield cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), t_s


def run(args) -> int:
    from hingecoach.live import LiveSession
    from hingecoach.sources.video import make_pose

    cap, from_file = open_capture(args)
    session = LiveSession(level=args.level)
    shown = ("setup", 0)
    try:
        with make_pose(static_image_mode=False) as pose:
            for rgb, t_s in frames(cap, from_file, args.realtime):
                h, w = rgb.shape[:2]
                result = pose.process(rgb)
                lm = world = None
                if result.pose_landmarks is not None:
                    lm = [[p.x, p.y, p.z, p.visibility] for p in result.pose_landmarks.landmark]
                if result.pose_world_landmarks is not None:  # the plane of oblique and front views
                    world = [[p.x, p.y, p.z] for p in result.pose_world_landmarks.landmark]
                u = session.push(lm, (w, h), t_s, world)
                shown = report(u, shown)
    finally:
        cap.release()
    summary = session.summary()
    print(f"set: {session.rep_count} reps, score {summary.score if summary.score is not None else '-'}")
    if summary.fix_first:
        print(f"fix first: {summary.to_dict()['fix_first']['title']}")
    for warning in session.set_result()["warnings"]:
        print(f"note: {warning}")
    return 0


def report(u, shown: tuple[str, int]) -> tuple[str, int]:
    """Print what changed since ``shown`` (phase, count): ready, the count, each rep's score, cues."""
    phase, count = shown
    if u.ready and phase == "setup":
        print(f"{u.t_s:7.2f}s  view {u.view}: counting starts", flush=True)
    if u.rep_count != count:
        print(f"{u.t_s:7.2f}s  reps: {u.rep_count}", flush=True)
    for rep in u.new_reps:
        faults = ", ".join(f["code"] for f in rep["faults"]) or "clean"
        print(f"{u.t_s:7.2f}s  rep {rep['index']} scored {rep['score']:.0f} ({rep['pattern']}; {faults})", flush=True)
    if u.cue:
        print(f"{u.t_s:7.2f}s  cue: {u.cue}", flush=True)
    return ("setup" if not u.ready else u.phase), u.rep_count

