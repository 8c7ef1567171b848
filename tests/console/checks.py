"""What every console page must be, checked in the browser: each field labelled, text that
can be read against its background (WCAG AA contrast), and nothing wider than a small
laptop's screen (wide tables scroll inside their own box)."""

from __future__ import annotations

from typing import Any

_UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
    .filter(e => e.type !== 'hidden' && e.labels.length === 0 && !e.getAttribute('aria-label'))
    .map(e => e.name || e.id)"""

# WCAG 2.1 contrast: relative luminance of sRGB colours; 4.5:1 for text, 3:1 for large text
# (24px, or 18.66px bold). The background is the first ancestor's that is mostly opaque.
_LOW_CONTRAST = """() => {
  const rgba = c => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const channel = v => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const luminance = c => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
  const background = el => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0.5) return c;
    }
    return [255, 255, 255, 1];
  };
  const low = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg, option, iframe') || el.matches(':disabled')) continue;
    if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || el.getClientRects().length === 0) continue;
    const a = luminance(rgba(style.color)), b = luminance(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) {
      low.push(`${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 20)}"`
               + ` ${ratio.toFixed(2)} < ${needed}`);
    }
  }
  return low;
}"""

_TOO_WIDE = "() => document.documentElement.scrollWidth - window.innerWidth"


def page_problems(page: Any) -> list[str]:
    """What is wrong with the page open in `page` (a Playwright page): fields without a
    label, text of too little contrast, a page wider than the window. Empty when none."""
    problems = [f"no label: {name}" for name in page.evaluate(_UNLABELLED)]
    problems += [f"low contrast: {text}" for text in page.evaluate(_LOW_CONTRAST)]
    wider = page.evaluate(_TOO_WIDE)
    if wider > 0:
        problems.append(f"the page is {wider}px wider than the window")
    return problems
