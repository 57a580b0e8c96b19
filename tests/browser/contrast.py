"""WCAG contrast of what a person sees: an element's text colour against its effective background.

The colours come from Chromium's computed styles (opacity of the element and its ancestors
blended in, transparent backgrounds resolved to the first painted ancestor), so a blink that
fades the digits, or a colour pair that is too weak, shows in the ratio.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import Locator

# Returns [fg, bg] as [r, g, b] (0..255) of the element as painted, opacity blended.
_PAINTED = """
(el) => {
  const parse = (s) => {
    const m = s.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3]));
  // The background behind el: its own, else its ancestors' (composited from the root down).
  const chain = [];
  for (let n = el; n; n = n.parentElement) chain.push(n);
  let bg = [255, 255, 255];
  for (const n of chain.reverse()) {
    const c = parse(getComputedStyle(n).backgroundColor);
    if (c[3] > 0) bg = over(c, bg);
  }
  let opacity = 1;
  for (let n = el; n; n = n.parentElement) opacity *= Number(getComputedStyle(n).opacity);
  const fg = parse(getComputedStyle(el).color);
  const seen = over([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
  return [seen, bg];
}
"""


def _channel(value: float) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb: list[float]) -> float:
    r, g, b = (_channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(fg: list[float], bg: list[float]) -> float:
    """The WCAG 2 contrast ratio of two sRGB colours (1..21)."""
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def hex_rgb(value: str) -> list[float]:
    m = re.fullmatch(r"#([0-9a-fA-F]{2})([0-9a-fA-F]{2})([0-9a-fA-F]{2})", value)
    assert m, value
    return [int(x, 16) for x in m.groups()]


async def painted_ratio(locator: Locator) -> tuple[float, Any]:
    """The contrast of the element's text as painted now, and the [fg, bg] it was computed from."""
    fg, bg = await locator.evaluate(_PAINTED)
    return ratio(fg, bg), (fg, bg)


async def ratios_through_animation(locator: Locator, samples: int = 8) -> list[tuple[int, float, Any]]:
    """The painted contrast at `samples` moments of one cycle of each of the element's animations.

    Each animation is paused and moved to the moment (currentTime), then the computed styles
    are read; afterwards they play on.
    """
    moments = await locator.evaluate(
        """(el) => el.getAnimations().map((a) => Number(a.effect.getComputedTiming().duration))"""
    )
    assert moments, "the element has no running animation"
    duration = int(max(moments))
    out = []
    for i in range(samples):
        t = duration * i // samples
        await locator.evaluate(
            "(el, t) => el.getAnimations().forEach((a) => { a.pause(); a.currentTime = t; })", t
        )
        value, colours = await painted_ratio(locator)
        out.append((t, value, colours))
    await locator.evaluate("(el) => el.getAnimations().forEach((a) => a.play())")
    return out
