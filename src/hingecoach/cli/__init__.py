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


if __name__ == "__main__":
    sys.exit(main())
