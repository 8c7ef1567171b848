"""The font of pointplan's documents: Pointplan Sans, shipped in data/fonts.

It holds Latin letters, digits, punctuation and Chinese in one file (tools/make_font.py builds
it from DejaVu Sans and Droid Sans Fallback; licences beside it), so PDFs, plots and HTML pages
render Chinese on machines that have no Chinese font.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONT_FAMILY = "Pointplan Sans"


def font_path() -> Path:
    """The shipped font file."""
    return Path(str(resources.files("pointplan") / "data/fonts/PointplanSans.ttf"))


@cache
def font_characters() -> frozenset[int]:
    """The code points the shipped font has a glyph for."""
    with TTFont(str(font_path()), lazy=True) as font:
        return frozenset(font.getBestCmap())


def write_font_subset(texts: Iterable[str], target: Path) -> Path:
    """Write the shipped font cut down to the characters of `texts` (tens of kilobytes
    instead of four megabytes) to `target`."""
    characters = {ord(char) for char in set().union(*map(set, texts))}
    options = subset.Options()
    options.name_IDs = ["*"]
    with subset.load_font(str(font_path()), options) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(characters))
        subsetter.subset(font)
        subset.save_font(font, str(target), options)
    return target
