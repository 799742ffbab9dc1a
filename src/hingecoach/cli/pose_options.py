"""The options of `hinge analyze` and `hinge batch` that choose how the pose model runs (kept
apart so `hinge batch` does not import the analysis to build its parser)."""

from __future__ import annotations

import argparse


def analysis_rate(text: str) -> float | str:
    """argparse type of --fps: a rate in frames/s, or 'native'."""
    from hingecoach.sources.frames import parse_fps

    try:
        rate = parse_fps(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected frames per second (1-1000) or 'native', got {text!r}") from None
    return "native" if rate is None else rate


def add_model_option(p) -> None:
    """--model, shared with `hinge batch`."""
    p.add_argument("--model", choices=("lite", "full", "heavy"), default=None,
                   help="videos and photos: the pose landmark model; full (default, the most accurate on our "
                        "rendered suite) for everyday use; heavy (2.4x the CPU, a tenth of a degree better in the side "
                        "view) for reports where time matters less; lite (0.8x the CPU, less accurate) where speed is all; see the README. "
                        "lite and heavy are installed by `make models`")
