"""Where the screens' templates and static files are: in the package once installed, else beside it."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent.parent  # the moderator package


def asset_dir(name: str) -> Path:
    """The `displays` or `static` folder.

    `pip install .` puts them at moderator/displays and moderator/static (pyproject's
    package-dir mapping); in a source checkout they sit next to the package.
    """
    for candidate in (_HERE / name, _HERE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the {name}/ folder is neither in {_HERE} nor beside it")


def displays_dir() -> Path:
    """The Jinja2 templates of the screens."""
    return asset_dir("displays")


def static_dir() -> Path:
    """The screens' JS, CSS and icons."""
    return asset_dir("static")
