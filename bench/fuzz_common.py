"""What the fuzz benchmarks share: the closing report and the command line."""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable


def report(header: str, counts: Counter, keys: tuple[str, ...], failures: list[str]) -> int:
    """Print the counts and the first failures; exit code 1 when anything failed."""
    print(header)
    for key in keys:
        print(f"  {key}: {counts[key]}")
    for f in failures:
        print("---\n" + f)
    return 1 if counts["FAILED"] else 0


def main(run: Callable[[float, int], int], description: str) -> None:
    """`--seconds` budget and `--seed`, then ``run(seconds, seed)`` as the exit code."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    raise SystemExit(run(args.seconds, args.seed))
