"""Build src/pointplan/data/fonts/PointplanSans.ttf, the one font of pointplan's documents.

It joins the Latin, punctuation and symbol glyphs of DejaVu Sans (shipped with matplotlib) with
the Chinese glyphs of Droid Sans Fallback (Debian's fonts-droid-fallback, Apache-2.0), both
scaled to 1,000 units per em, and renames the result "Pointplan Sans" as the DejaVu / Bitstream
Vera licence asks of changed fonts. One font with both scripts means PDF and plot writers need
no per-character fallback (fpdf2's fallback fonts drop the font after a wrapped Chinese line,
fpdf2 issue #1772).

    apt-get download fonts-droid-fallback && dpkg-deb -x fonts-droid-fallback_*.deb droid
    python tools/make_font.py droid/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import matplotlib
from fontTools import subset
from fontTools.merge import Merger
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem

TARGET = Path(__file__).parent.parent / "src/pointplan/data/fonts/PointplanSans.ttf"
LATIN_RANGES = ((0x20, 0x250), (0x2000, 0x2070), (0x2190, 0x2300), (0x25A0, 0x2600))
FAMILY = "Pointplan Sans"


def _options() -> subset.Options:
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.drop_tables += ["GDEF", "GPOS", "GSUB", "vhea", "vmtx", "FFTM", "kern", "gasp"]
    return options


def _cut(path: Path, unicodes: list[int], target: Path) -> Path:
    options = _options()
    font = subset.load_font(str(path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    scale_upem(font, 1000)
    font.save(str(target))
    return target


def build(droid: Path, target: Path = TARGET) -> Path:
    """Merge DejaVu Sans's Latin with Droid Sans Fallback's Chinese into `target`."""
    dejavu = Path(matplotlib.get_data_path()) / "fonts/ttf/DejaVuSans.ttf"
    latin = [code for start, end in LATIN_RANGES for code in range(start, end)]
    with tempfile.TemporaryDirectory() as folder:
        parts = [
            _cut(dejavu, latin, Path(folder) / "latin.ttf"),
            _cut(droid, sorted(TTFont(str(droid)).getBestCmap()), Path(folder) / "cjk.ttf"),
        ]
        merged = Merger(options=_options()).merge([str(part) for part in parts])
    for record in merged["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = FAMILY
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "")
    target.parent.mkdir(parents=True, exist_ok=True)
    merged.save(str(target))
    return target


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("droid", type=Path, help="DroidSansFallbackFull.ttf")
    print(build(parser.parse_args().droid))
