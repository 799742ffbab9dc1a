"""bench.long_video's helpers on the keypoint cache: fill a long video's cache entry from the
frames of a short video of the same clip (so a 2-hour run poses only its last part), and analyse
a long video's keypoints whole and in parts."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from hingecoach.analysis import analyze
from hingecoach.config import section
from hingecoach.sources import cache as kp_cache
from hingecoach.sources import pose_parts
from hingecoach.sources.frames import DEFAULT_ANALYSIS_FPS
from hingecoach.sources.video import cache_settings

PER_FRAME = ("xyz", "visibility", "world_xyz", "t_ms", "index", "luma", "spine")


def entry(video: Path) -> Path:
    """The cache folder `hinge analyze video` uses (default analysis rate)."""
    return kp_cache.entry_path(kp_cache.cache_key(video, cache_settings(video, DEFAULT_ANALYSIS_FPS)))


def frame_count(video: Path) -> tuple[int, float]:
    import cv2

    cap = cv2.VideoCapture(str(video))
    try:
        return int(cap.get(cv2.CAP_PROP_FRAME_COUNT)), cap.get(cv2.CAP_PROP_FPS)
    finally:
        cap.release()


def fill_from(short: Path, long: Path) -> int:
    """Write the long video's cache parts, all but the last, from the short video's complete
    entry, its frames repeated (the long video repeats the same clip, so frame i of it shows
    what frame i mod n of the short one shows). Returns the parts written."""
    source = entry(short)
    have = kp_cache.gather(source, PER_FRAME)
    with np.load(kp_cache.parts(source)[0][2]) as first:
        fixed = {"spine_keys": first["spine_keys"], "size": first["size"]}
    samples = pose_parts.people_samples(source)
    n_short = len(have["xyz"])
    total, fps = frame_count(long)
    cfg = section("video")
    part = pose_parts.part_frames_for(total, fps, cfg["cache_part_s"], cfg["pose_part_min_s"])
    folder = entry(long)
    wanted = max(0, math.ceil(total / part) - 1)
    for k in range(wanted):
        i = np.arange(k * part, (k + 1) * part)
        arrays = {name: have[name][i % n_short] for name in PER_FRAME if name not in ("t_ms", "index")}
        arrays |= fixed | {"t_ms": i * 1000.0 / fps, "index": i}
        picks = [pos for pos in sorted(_sampled(total)) if k * part <= pos < (k + 1) * part]
        arrays["sample_pos"] = np.array(picks, dtype=np.int64)
        for j, _ in enumerate(picks):
            rgb, xyz = samples[j % len(samples)]
            arrays |= {f"sample_rgb_{j}": rgb, f"sample_xyz_{j}": xyz}
        kp_cache.write_part(folder, k * part, arrays)
    return wanted


def _sampled(total: int) -> set[int]:
    from hingecoach.sources.people import sample_indices

    return sample_indices(total)


def _reps(result, shift: int = 0) -> list[tuple]:
    """(start, bottom, end frame, pattern, fault codes) of each rep, frames shifted by ``shift``."""
    return [(r["start_frame"] + shift, r["bottom_frame"] + shift, r["end_frame"] + shift, r["pattern"],
             tuple(sorted(f["code"] for f in r["faults"]))) for r in result.to_dict()["reps"]]


def analyse_in_parts(long: Path, part_minutes: float) -> tuple[int, int, str]:
    """(reps of the whole, reps of the parts, whether they are the same): the long video's cached
    keypoints analysed whole, then cut into parts of about ``part_minutes``, each analysed on its
    own. A person splitting a video cuts where they stand between reps, so each cut is put
    mid-way between the two reps (of the whole's) nearest the part's end."""
    seq = kp_cache.get(entry(long).name, str(long))
    if seq is None:
        raise SystemExit(f"no complete cache entry for {long}")
    return same_in_parts(seq, part_minutes)


def same_in_parts(seq, part_minutes: float) -> tuple[int, int, str]:
    """:func:`analyse_in_parts` on a PoseSequence."""
    whole = _reps(analyze(seq))
    between = np.array([(a[2] + b[0]) // 2 for a, b in zip(whole, whole[1:], strict=False)])
    step = round(part_minutes * 60 * seq.fps)
    cuts = sorted({int(between[np.argmin(np.abs(between - b))]) for b in range(step, seq.n_frames, step)}
                  if len(between) else set())
    parts: list[tuple] = []
    for a, b in zip([0, *cuts], [*cuts, seq.n_frames], strict=True):
        parts += _reps(analyze(seq.slice(a, b)), a)
    differ = len(set(whole) ^ set(parts))
    return len(whole), len(parts), "yes" if differ == 0 else f"no ({differ} reps in one and not the other)"
