"""Batch analysis at scale: worker scaling, Ray's overhead, memory over a 10,000-file batch.

1. scaling: the shared clips analysed with real pose work (the video loader's keypoint cache
   off) by the local engine with 1 worker, then 2 workers; rate in frames/s, and the 2-worker
   throughput against the machine's ceiling, cores / (CPU-seconds per frame of one worker):
   the most frames a second the cores could give if every CPU-second went to that work
   (target >= 95%). Frames are the analysed frames (at the analysis rate, default 30/s).
2. ray: the same work on a local Ray instance with the same number of CPUs; the overhead over
   the local engine (target <= 15%), with Ray's start-up timed apart.
3. memory: a batch of N distinct keypoint files (default 10,000) through ``run_batch``,
   sampling the resident memory of this process and of all its worker processes; constant
   memory means the late samples are no higher than the early ones.

    .venv/bin/python -m bench.batch_scale [--part scaling|ray|clips|memory|all] [--clips short|all]
                                          [--files 10000] [--workers 2] [--model lite|full|heavy]

Other jobs on the machine slow the parallel runs more than the serial one; the load average
is printed before and after each part so figures can be judged.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

from bench import CLIPS, load_averages
from hingecoach.batch.discover import InputFile
from hingecoach.batch.jobs import JobSettings
from hingecoach.batch.runner import engine_outcomes, largest_first, run_batch

#: Clips of a few hundred frames or less: the scaling part runs in minutes, not tens of minutes.
SHORT_CLIPS = ("bichraix/bad007.mp4", "bichraix/bad010.mp4", "bichraix/bad011.mp4", "bichraix/good014.mp4",
               "jeffchen/bad.mp4", "jeffchen/good.mp4", "jeffchen/heellift.mp4", "jeffchen/rdl.mp4",
               "mattiolato/good_000003.mp4", "formfit/deadlift.mp4", "formfit/squat.mp4")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def load_avg() -> str:
    return "load average " + load_averages()


def clip_inputs(which: str) -> list[InputFile]:
    paths = sorted(CLIPS.glob("*/*.mp4")) if which == "all" else [CLIPS / c for c in SHORT_CLIPS]
    return largest_first([InputFile(str(p)) for p in paths if p.is_file()])


def timed_run(items: list[InputFile], engine: str, workers: int,
              model: str | None = None) -> tuple[float, int, int, float]:
    """(seconds, frames analysed, failures, worker CPU-seconds) of one batch into a fresh
    folder, cache off; prints the worker processes' CPU seconds per frame (local engine), a
    figure other jobs on the machine change little: equal CPU per frame at 1 and N workers
    means N workers reach N times the rate once they have N idle cores."""
    import resource

    from hingecoach.batch import layout

    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)

    with tempfile.TemporaryDirectory(prefix="hinge-bench-") as out:
        settings = JobSettings(out_dir=out, pose_cache=False, model=model)
        start = time.perf_counter()
        outcomes = list(engine_outcomes(engine, items, settings, workers, None))
        seconds = time.perf_counter() - start
        frames = 0
        for o in outcomes:
            stored = layout.read_result(Path(out), o["content_hash"]) if o["content_hash"] else None
            frames += int((stored or {}).get("frames") or 0)
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    if engine == "local" and frames:
        print(f"  ({engine}, {workers} workers: {1000 * cpu_s / frames:.0f} worker CPU-ms per frame, "
              f"{cpu_s / seconds:.2f} cores busy on average)")
    return seconds, frames, sum(o["status"] == "failed" for o in outcomes), cpu_s


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def part_scaling(items: list[InputFile], workers: int, model: str | None = None) -> float:
    print(f"\n== scaling: {len(items)} clips, pose cache off, model {model or 'full'} ({load_avg()})")
    base_s, frames, failed, base_cpu = timed_run(items, "local", 1, model)
    print(f"local 1 worker : {base_s:7.1f} s  {frames / base_s:6.1f} frames/s  ({frames} frames, {failed} failed)")
    many_s, frames, failed, many_cpu = timed_run(items, "local", workers, model)
    print(f"local {workers} workers: {many_s:7.1f} s  {frames / many_s:6.1f} frames/s  ({failed} failed)")
    print(f"speed-up {workers} vs 1 worker: {base_s / many_s:.2f}x  ({load_avg()})")
    if frames:
        n = cores()
        ceiling = n / (base_cpu / frames)
        print(f"throughput {frames / many_s:.1f} frames/s against the machine's ceiling {ceiling:.1f} frames/s "
              f"({n} cores / {1000 * base_cpu / frames:.0f} CPU-ms per frame of one worker): "
              f"{100 * frames / many_s / ceiling:.0f}% (target >= 95%; other jobs on the machine lower it)")
        print(f"CPU per frame with {workers} workers / with 1: {many_cpu / base_cpu:.2f} (1.00: no work added by "
              "running them side by side; what other jobs on the machine change least)")
    return many_s


def part_ray(items: list[InputFile], workers: int, local_s: float | None) -> None:
    import ray

    print(f"\n== ray vs local: {len(items)} clips, {workers} CPUs, pose cache off ({load_avg()})")
    if local_s is None:
        local_s, _, _, _ = timed_run(items, "local", workers)
        print(f"local {workers} workers: {local_s:7.1f} s")
    start = time.perf_counter()
    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    init_s = time.perf_counter() - start
    try:
        ray_s, frames, failed, _ = timed_run(items, "ray", workers)
    finally:
        ray.shutdown()
    print(f"ray {workers} CPUs   : {ray_s:7.1f} s  {frames / ray_s:6.1f} frames/s  ({failed} failed); "
          f"ray.init {init_s:.1f} s")
    print(f"ray overhead over local: {100 * (ray_s / local_s - 1):+.1f}% without start-up, "
          f"{100 * ((ray_s + init_s) / local_s - 1):+.1f}% with it (target <= 15%)  ({load_avg()})")


def make_keypoint_files(folder: Path, n: int) -> list[Path]:
    """``n`` distinct one-rep keypoint files (the figure shifted by a fraction of a pixel each,
    so every file has its own content hash); kept between runs of the benchmark."""
    from tests.fixtures.figures import hinge_reps

    from hingecoach.sources import save_keypoints

    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{i // 1000:02d}" / f"set{i:05d}.csv" for i in range(n)]
    for i, path in enumerate(paths):
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            seq = hinge_reps(1, fps=15.0, rep_s=2.0, stand_s=0.7, ankle_x=400.0 + i * 1e-3)
            save_keypoints(seq, path)
    return paths


def tree_rss_mb(root_pid: int) -> tuple[float, float, int]:
    """(this process MB, all its descendants MB, number of descendants) from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        rss[pid] = int(fields[21]) * PAGE_BYTES
    family, frontier = set(), {root_pid}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier} - family
        family |= frontier
    return rss.get(root_pid, 0) / 2**20, sum(rss.get(p, 0) for p in family) / 2**20, len(family)


def count_lines(path: Path) -> int:
    try:
        with path.open("rb") as fh:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    except OSError:
        return 0


def sample_memory(out: Path, stop: threading.Event, samples: list, every_s: float) -> None:
    start = time.perf_counter()
    while not stop.wait(every_s):
        me, workers, n = tree_rss_mb(os.getpid())
        samples.append((time.perf_counter() - start, count_lines(out / "manifest.jsonl"), me, workers, n))


def part_memory(n_files: int, workers: int) -> None:
    folder = Path(tempfile.gettempdir()) / f"hinge-bench-keypoints-{n_files}"
    start = time.perf_counter()
    make_keypoint_files(folder, n_files)
    print(f"\n== memory: {n_files} keypoint files in {folder} (made or checked in "
          f"{time.perf_counter() - start:.0f} s; {load_avg()})")
    samples: list = []
    with tempfile.TemporaryDirectory(prefix="hinge-bench-out-") as out_name:
        out = Path(out_name)
        stop = threading.Event()
        sampler = threading.Thread(target=sample_memory, args=(out, stop, samples, 5.0), daemon=True)
        sampler.start()
        try:
            report = run_batch(folder, out, workers=workers, progress=False)
        finally:
            stop.set()
            sampler.join()
    print(f"{report.total} files: {report.counts} in {report.seconds:.0f} s "
          f"({report.total / report.seconds:.1f} files/s), {report.tables['rep_rows']} rep rows")
    print(f"{'time s':>7} {'files done':>10} {'driver MB':>10} {'workers MB':>11} {'procs':>6}")
    step = max(1, len(samples) // 15)
    for t, done, me, kids, n in samples[::step] + samples[-1:]:
        print(f"{t:7.0f} {done:10d} {me:10.0f} {kids:11.0f} {n:6d}")
    if len(samples) >= 4:
        half = len(samples) // 2
        early = max(s[2] + s[3] for s in samples[1:half])
        late = max(s[2] + s[3] for s in samples[half:])
        print(f"peak total RSS, first half {early:.0f} MB, second half {late:.0f} MB "
              f"({100 * (late / early - 1):+.0f}%; constant memory: late <= early + 10%)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("scaling", "ray", "clips", "memory", "all"), default="all",
                        help="clips = scaling and ray")
    parser.add_argument("--clips", choices=("short", "all"), default="short",
                        help="the 11 short shared clips (default) or all 19")
    parser.add_argument("--files", type=int, default=10_000, help="keypoint files in the memory part")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--model", choices=("lite", "full", "heavy"), default=None,
                        help="the pose model of the scaling part (default: full)")
    args = parser.parse_args(argv)
    items = clip_inputs(args.clips)
    local_s = None
    if args.part in ("scaling", "clips", "all"):
        if not items:
            print(f"scaling: no clips in {CLIPS}")
        else:
            local_s = part_scaling(items, args.workers, args.model)
    if args.part in ("ray", "clips", "all"):
        try:
            import ray  # noqa: F401
        except ImportError:
            print("ray: not installed (pip install 'hingecoach[ray]'); skipped")
        else:
            if items:
                part_ray(items, args.workers, local_s)
    if args.part in ("memory", "all"):
        part_memory(args.files, args.workers)


if __name__ == "__main__":
    main()
