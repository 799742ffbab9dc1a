"""Benchmarks: plain scripts printing figures (`python -m bench.<module>`)."""

from pathlib import Path

#: The repository, and the real clips beside it (../shared/clips, never copied in): the one
#: definition the benchmarks and the tests use.
REPO = Path(__file__).resolve().parents[1]
CLIPS = REPO.parent / "shared" / "clips"
