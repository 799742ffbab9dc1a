"""Speed of the pose extraction alone: MediaPipe BlazePose (full, with segmentation, the
video loader's settings) on already decoded frames, per shared clip.

Decoding, colour conversion and the back-bend measurement are outside the timed part, so
this is the model's own cost; compare it with the end-to-end benchmark to see the rest.

    .venv/bin/python -m bench.pose_speed [--max-frames N] [clip ...]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2

from bench import CLIPS
from hingecoach.sources.video import make_pose


def pose_only_fps(path: str | Path, max_frames: int | None = None) -> tuple[int, float]:
    """(frames, seconds spent inside MediaPipe) for one video; frames/s = frames / seconds."""
    cap = cv2.VideoCapture(str(path))
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    frames, seconds = 0, 0.0
    try:
        with make_pose(static_image_mode=False) as pose:
            while max_frames is None or frames < max_frames:
                ok, bgr = cap.read()
                if not ok:
                    break
                rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                start = time.perf_counter()
                pose.process(rgb)
                seconds += time.perf_counter() - start
                frames += 1
    finally:
        cap.release()
    return frames, seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs="*", type=Path, help="videos (default: all shared clips)")
    parser.add_argument("--max-frames", type=int, default=300, help="frames per clip (0 = all)")
    args = parser.parse_args(argv)
    clips = args.clips or sorted(CLIPS.glob("*/*.mp4"))
    if not clips:
        print(f"no clips given and none found in {CLIPS}")
        return
    print(f"{'clip':34} {'size':>10} {'frames':>7} {'pose s':>8} {'pose fps':>9}")
    total_frames, total_s = 0, 0.0
    for clip in clips:
        cap = cv2.VideoCapture(str(clip))
        size = f"{int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))}x{int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))}"
        cap.release()
        frames, seconds = pose_only_fps(clip, args.max_frames or None)
        total_frames += frames
        total_s += seconds
        name = str(clip.relative_to(CLIPS)) if clip.is_relative_to(CLIPS) else clip.name
        print(f"{name:34} {size:>10} {frames:7d} {seconds:8.2f} {frames / max(seconds, 1e-9):9.1f}")
    print(f"{'all':34} {'':>10} {total_frames:7d} {total_s:8.2f} {total_frames / max(total_s, 1e-9):9.1f}")


if __name__ == "__main__":
    main()
