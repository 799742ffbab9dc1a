"""The `hinge` command line. Each subcommand lives in its own module of this package and
exposes ``register(subparsers)``, which adds its parser and sets ``func`` to a function
``run(args) -> int``. Errors a person can act on print one line and exit with code 2."""

from __future__ import annotations

import argparse
import importlib
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hinge",
        description="HingeCoach: film your hip hinge from the side; get reps, faults and the fix.",
    )
    parser.add_argument("--version", action="version", version=f"hingecoach {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"hingecoach.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"hingecoach.cli.{name}":
                continue  # a command still being built
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except HingeInputError as exc:
        print(f"hinge {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"hinge {args.command}: interrupted; everything already saved is kept.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
