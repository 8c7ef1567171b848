"""What the sub-commands share: exit codes and argument types."""

from __future__ import annotations

import argparse

EXIT_OK, EXIT_FAULT, EXIT_BAD_INPUT = 0, 1, 2


def positive_float(text: str) -> float:
    """An argument that must be a number above 0."""
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def positive_int(text: str) -> int:
    """An argument that must be a whole number of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
