"""Errors a person can act on. The CLI prints them on one line and exits with code 2."""

from __future__ import annotations


class HingeInputError(Exception):
    """Input that cannot be analysed: says what is wrong and what to do about it."""

    def __init__(self, problem: str, fix: str = "") -> None:
        self.problem = problem
        self.fix = fix
        super().__init__(f"{problem} {fix}".strip())


class NotAVideoError(HingeInputError):
    pass


class NoPersonError(HingeInputError):
    pass


class OutOfFrameError(HingeInputError):
    pass


class TooShortError(HingeInputError):
    pass
