"""Benchmarks: plain scripts printing figures (`python -m bench.<module>`)."""

import os
from pathlib import Path

#: The repository, and the real clips beside it (../shared/clips, never copied in): the one
#: definition the benchmarks and the tests use.
REPO = Path(__file__).resolve().parents[1]
CLIPS = REPO.parent / "shared" / "clips"


def load_averages() -> str:
    """The machine's 1-, 5- and 15-minute load averages, e.g. "2.3 2.1 1.9": every benchmark
    that times prints them, so a figure taken on a busy machine can be told apart."""
    return " ".join(f"{v:.1f}" for v in os.getloadavg())
