"""The warning and overtime cues for colour-blind people: on every theme, the page, the warning
band and the overtime band stay apart (CIEDE2000 >= 20) as people with protanopia, deuteranopia
and tritanopia see them (Machado 2009), and the digits on each band keep their contrast.
The colours are read from the stylesheets the screens load, not re-typed here."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from tests.browser.contrast import ratio
from tests.support.colour import delta_e2000, hex_rgb, lab, seen_apart, simulate

CSS = Path(__file__).resolve().parents[1] / "static" / "css"
VISIONS = ("normal", "protanopia", "deuteranopia", "tritanopia")
MIN_DELTA_E = 20


def variables(sheet: str, selector: str) -> dict[str, str]:
    text = (CSS / sheet).read_text()
    m = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", text)
    assert m, f"{selector} not in {sheet}"
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", m.group(1)))


def palettes() -> dict[str, tuple[str, str, str]]:
    """normal, warning, overtime as each theme paints them behind the digits."""
    out = {}
    for theme in ("light", "dark"):
        v = variables("base.css", f"body.{theme}")
        out[theme] = (v["bg"], v["warn-bg"], v["over-bg"])
    dark = variables("base.css", "body.dark")
    warning = variables("speaker.css", 'body.speaker[data-level="warning"]')
    over = variables("speaker.css", 'body.speaker[data-level="over"]')
    out["speaker"] = (dark["bg"], warning["bg"], over["bg"])
    return out


@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("theme", ["light", "dark", "speaker"])
def test_normal_warning_and_overtime_stay_apart(theme: str, vision: str) -> None:
    normal, warning, over = palettes()[theme]
    for (a, name_a), (b, name_b) in itertools.combinations(
        [(normal, "normal"), (warning, "warning"), (over, "overtime")], 2
    ):
        apart = seen_apart(a, b, vision)
        assert apart >= MIN_DELTA_E, (
            f"{theme}, {vision}: {name_a} {a} and {name_b} {b} only {apart:.1f} apart"
        )


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_digits_on_each_band_keep_their_contrast(theme: str) -> None:
    v = variables("base.css", f"body.{theme}")
    for fg, bg in [
        (v["fg"], v["bg"]),
        (v["warn-fg"], v["warn-bg"]),
        (v["over-fg"], v["over-bg"]),
        (v["blink-fg"], v["blink-bg"]),
    ]:
        assert ratio(list(hex_rgb(fg)), list(hex_rgb(bg))) >= 7, (theme, fg, bg)


def test_the_simulation_and_the_difference_are_the_published_ones() -> None:
    """CIEDE2000 on Sharma's test pairs; Machado's protanopia makes red and green look alike."""
    assert delta_e2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, abs=1e-4)
    assert delta_e2000((50, 2.5, 0), (73, 25, -18)) == pytest.approx(27.1492, abs=1e-4)
    red, green = hex_rgb("#d62728"), hex_rgb("#2ca02c")
    assert delta_e2000(lab(red), lab(green)) > 60
    assert seen_apart("#c00000", "#707000", "protanopia") < seen_apart("#c00000", "#707000", "normal") / 3
    assert simulate((255, 255, 255), "deuteranopia") == pytest.approx((255, 255, 255), abs=1)
