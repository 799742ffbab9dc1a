"""The `hinge` command line. Each subcommand lives in its own module of this package and
exposes ``register(subparsers)``, which adds its parser and sets ``func`` to a function
``run(args) -> int``. Errors a person can act on print one line and exit with code 2."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from hingecoach import __version__
from hingecoach.errors import HingeInputError

#: Subcommand modules, in the order `hinge --help` lists them.
COMMANDS = (
    "analyze",
    "batch",
    "demo",
    "simulate",
    "today",
    "log",
    "history",
    "level",
    "export",
    "import_",
    "backup",
    "serve",
    "live",
)


#: Commands that end with nothing left to tear down (no child process, server or open file:
#: what they write is written and closed before they return): the console script leaves them
#: with os._exit, skipping the interpreter's teardown of MediaPipe, SciPy and OpenCV (~0.2 s
#: of a 7-s `hinge analyze`).
QUICK_EXIT = ("analyze",)


def _module_name(command: str) -> str:
    return "import_" if command == "import" else command


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every subcommand, or only ``only`` (a command's module pulls in its
    own dependencies, so `hinge today` does not pay for importing the video stack)."""
    parser = argparse.ArgumentParser(
        prog="hinge",
        description="HingeCoach: film your hip hinge from the side; get reps, faults and the fix.",
    )
    parser.add_argument("--version", action="version", version=f"hingecoach {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if only is None else (only,):
        importlib.import_module(f"hingecoach.cli.{name}").register(sub)
    return parser


def _requested(argv: list[str]) -> str | None:
    """The module of the subcommand named in ``argv``, if it is a known one."""
    for token in argv:
        if token.startswith("-"):
            return None  # global options first: build the full parser
        name = _module_name(token)
        return name if name in COMMANDS else None
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(_requested(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except HingeInputError as exc:
        print(f"hinge {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(f"hinge {args.command}: interrupted; everything already saved is kept.", file=sys.stderr)
        return 130


def entry() -> None:
    """The ``hinge`` console script: :func:`main`, then the exit (see QUICK_EXIT)."""
    argv = sys.argv[1:]
    code = main(argv)
    if _requested(argv) in QUICK_EXIT:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # closed or gone (a pipe into `head`): nothing to keep
                pass
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    sys.exit(main())
