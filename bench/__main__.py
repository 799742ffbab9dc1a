"""`make bench`: every benchmark, one after the other, each printing its own figures.

    python -m bench            # all
    python -m bench NAME ...   # some (names below)
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time

#: (module, arguments): the order reads like the issues: foundation, simulator, assessment,
#: reports, program, live/web, batch, reliability.
BENCHMARKS = (
    ("foundation_speed", ["--clips", "4"]),
    ("speed_vs_naive", []),
    ("clips_accuracy", []),
    ("sim_accuracy", []),
    ("assess_sim", ["--n", "1500"]),
    ("assess_sim", ["--n", "1500", "--history"]),  # too_deep against the usual depth
    ("exercise_sim", ["--n", "1400"]),  # every exercise by its own standard
    ("tempo_sim", []),
    ("landmark_jitter", []),  # the simulator's noise levels against the real clips' jitter
    ("tempo_sim", ["--rendered", "8"]),  # tempo and speed loss on BlazePose's own landmarks
    ("render_suite", []),
    ("model_choice", []),  # lite/full/heavy on render_suite's clips (its renders are cached)
    ("outline_check", []),
    ("report_speed", []),
    ("ghost_sim", []),
    ("program_speed", []),
    ("live_accuracy", []),
    ("live_latency", []),
    ("soak", []),
    ("batch_scale", []),
    ("fuzz_readers", ["--seconds", "30"]),
)


def main(argv: list[str]) -> int:
    wanted = set(argv) or {name for name, _ in BENCHMARKS}
    failed = []
    for name, args in BENCHMARKS:
        if name not in wanted:
            continue
        if importlib.util.find_spec(f"bench.{name}") is None:
            print(f"== bench.{name}: not present, skipped")
            continue
        print(f"\n== bench.{name} {' '.join(args)}", flush=True)
        start = time.perf_counter()
        rc = subprocess.call([sys.executable, "-m", f"bench.{name}", *args])
        print(f"== bench.{name}: {'ok' if rc == 0 else f'exit {rc}'} in {time.perf_counter() - start:.0f} s",
              flush=True)
        if rc:
            failed.append(name)
    if failed:
        print(f"\nbenchmarks that failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
