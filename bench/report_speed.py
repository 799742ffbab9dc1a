"""What the pictures cost: the annotated video against the analysis it annotates, and the
HTML report of a 10-rep set.

Targets (issue 5, then issue 18): writing the annotated video, with the ghost drawn over each
rep, adds at most 40% to `hinge analyze` on the shared clips (30% before the ghost); the report
of a 10-rep set, with the ghost and every rep's bottom in the gallery, is written in under 2 s.

* analyze (cold) = pose extraction from the video without the keypoint cache + analysis:
  what a first `hinge analyze VIDEO` costs. analyze (warm) = the same with cached keypoints.
* video = `write_annotated_video` (decode, draw, H.264 encode) with the ghost (its default);
  the overhead is video / cold. "no ghost" is the same video without it, for comparison.
* report = `write_report` of a 10-rep set (the real 10-rep clip tby66/0016c_1 with key frames
  from its video, and a synthetic 10-rep set drawn on a blank canvas), after one warm-up call
  so library import time is not counted (it is printed separately); the ghost is built afresh
  on every run (its per-analysis cache is emptied). CPU seconds are printed
  too: they move less than wall time when other jobs share the machine.

    .venv/bin/python -m bench.report_speed [--no-cold] [clip ...]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bench import CLIPS

TEN_REP_CLIP = "tby66/0016c_1.mp4"
VIDEO_TARGET_FRAC = 0.40
REPORT_TARGET_S = 2.0


def _timed(fn, *args, **kw) -> tuple[object, float, float]:
    """(result, wall seconds, CPU seconds of this process)."""
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args, **kw)
    return out, time.perf_counter() - w0, time.process_time() - c0


def video_overhead(clip: Path, cold: bool, out_dir: Path) -> dict[str, float]:
    from hingecoach.analysis import analyze
    from hingecoach.report import write_annotated_video
    from hingecoach.sources import load

    row: dict[str, float] = {}
    if cold:
        pose, row["cold_s"], _ = _timed(load, clip, cache=False, progress=False)
        _, t, _ = _timed(analyze, pose)
        row["cold_s"] += t
    pose, row["warm_s"], _ = _timed(load, clip, progress=False)
    analysis, t, _ = _timed(analyze, pose)
    row["warm_s"] += t
    _, row["plain_s"], _ = _timed(write_annotated_video, analysis, clip, out_dir / "annotated.mp4",
                                  progress=False, ghost=False)
    _, row["video_s"], _ = _timed(write_annotated_video, analysis, clip, out_dir / "annotated.mp4",
                                  progress=False)
    row["frames"] = pose.n_frames
    return row


def print_video_table(clips: list[Path], cold: bool) -> None:
    print("annotated video with the ghost vs hinge analyze (seconds; overhead = video / analyze cold)")
    print(f"{'clip':<28} {'frames':>6} {'analyze cold':>12} {'warm':>6} {'no ghost':>8} {'video':>6} {'frames/s':>8} "
          f"{'overhead':>8}")
    total = {"cold_s": 0.0, "video_s": 0.0, "plain_s": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        for clip in clips:
            r = video_overhead(clip, cold, Path(tmp))
            name = f"{clip.parent.name}/{clip.name}"
            over = f"{r['video_s'] / r['cold_s']:.0%}" if cold else "-"
            cold_txt = f"{r['cold_s']:.1f}" if cold else "-"
            print(f"{name:<28} {r['frames']:>6.0f} {cold_txt:>12} {r['warm_s']:>6.1f} {r['plain_s']:>8.1f} {r['video_s']:>6.1f} "
                  f"{r['frames'] / r['video_s']:>8.0f} {over:>8}", flush=True)
            total["video_s"] += r["video_s"]
            total["plain_s"] += r["plain_s"]
            total["cold_s"] += r.get("cold_s", 0.0)
    if cold and total["cold_s"]:
        frac = total["video_s"] / total["cold_s"]
        verdict = "meets" if frac <= VIDEO_TARGET_FRAC else "misses"
        print(f"all clips: the video with the ghost adds {frac:.0%} to hinge analyze (target <= "
              f"{VIDEO_TARGET_FRAC:.0%}: {verdict}); without the ghost {total['plain_s'] / total['cold_s']:.0%}")


def _synthetic_ten_reps():
    """A 10-rep stick-figure set (tests/fixtures/figures.py), or None when the tests are not here."""
    try:
        from tests.fixtures.figures import hinge_reps
    except ImportError:
        return None

    from hingecoach.analysis import analyze

    return analyze(hinge_reps(n_reps=10))


def print_report_times(repeats: int = 3) -> None:
    from hingecoach.analysis import analyze
    from hingecoach.sources import load

    cases = []
    if (CLIPS / TEN_REP_CLIP).exists():
        cases.append((f"{TEN_REP_CLIP} (key frames from the video)", analyze(load(CLIPS / TEN_REP_CLIP, progress=False)),
                      "auto"))
    synthetic = _synthetic_ten_reps()
    if synthetic is not None:
        cases.append(("synthetic 10-rep set (blank canvas)", synthetic, None))
    if not cases:
        print("report: no 10-rep set available (no clips, no tests/fixtures/figures.py)")
        return
    w0 = time.perf_counter()
    import hingecoach.report.html  # noqa: F401  (import cost, printed apart)

    print(f"\nreport writing (import of the report libraries: {time.perf_counter() - w0:.2f} s, once per process)")
    from hingecoach.report import write_report
    from hingecoach.report.ghost import _CACHE

    def fresh(analysis, out, video):
        _CACHE.clear()  # the ghost is built in every run, as a first report builds it
        return write_report(analysis, out, video_path=video)

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.html"
        for name, analysis, video in cases:
            fresh(analysis, out, video)  # warm-up: fonts, caches
            runs = [_timed(fresh, analysis, out, video)[1:] for _ in range(repeats)]
            wall = min(r[0] for r in runs)
            cpu = min(r[1] for r in runs)
            verdict = "meets" if wall < REPORT_TARGET_S else "misses"
            print(f"  {name} with the ghost and the gallery: {analysis.rep_count} reps, {wall:.2f} s wall (best of {repeats}), {cpu:.2f} s CPU, "
                  f"{out.stat().st_size / 1e3:.0f} kB (target < {REPORT_TARGET_S:g} s: {verdict} on wall time, "
                  f"{'meets' if cpu < REPORT_TARGET_S else 'misses'} on CPU time)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs="*", type=Path, help="videos (default: all shared clips)")
    parser.add_argument("--no-cold", action="store_true",
                        help="skip the uncached pose extraction (fast; no overhead figure)")
    args = parser.parse_args(argv)
    clips = args.clips or sorted(CLIPS.glob("*/*.mp4"))
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    if clips:
        print_video_table(clips, cold=not args.no_cold)
    else:
        print(f"no clips at {CLIPS}: video overhead not measured")
    print_report_times()


if __name__ == "__main__":
    main()
