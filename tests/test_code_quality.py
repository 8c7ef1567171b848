"""The package is formatted and linted with ruff and type-checked with mypy (strict)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_lint_and_format() -> None:
    """ruff finds no lint error and no file it would reformat."""
    lint = run("ruff", "check", "src", "tests", "benchmarks", "tools", "notebooks")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = run("ruff", "format", "--check", "src", "tests", "benchmarks", "tools", "notebooks")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy_strict() -> None:
    """mypy --strict (configured in pyproject.toml) passes on the package."""
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
