"""The tree shows the architecture: the core imports no adapter, the store no web code, and
nothing outside the store knows which database it runs on (only the Store protocol)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "moderator"

FORBIDDEN = {
    "core": (
        "moderator.store",
        "moderator.runtime",
        "moderator.web",
        "starlette",
        "uvicorn",
        "aiosqlite",
        "psycopg",
    ),
    "i18n": (
        "moderator.store",
        "moderator.runtime",
        "moderator.web",
        "starlette",
        "uvicorn",
        "aiosqlite",
        "psycopg",
    ),
    "store": ("moderator.runtime", "moderator.web", "starlette", "uvicorn"),
    "runtime": ("moderator.web", "starlette", "uvicorn"),
}


def imported(path: Path) -> set[str]:
    """Every module `path` imports, at any depth of the file (functions included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def offending(package: str) -> list[str]:
    found = []
    for path in sorted((PACKAGE / package).rglob("*.py")):
        for name in sorted(imported(path)):
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[package]):
                found.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_from_the_layers_above_it(package: str) -> None:
    """core and i18n stand alone; store knows no runtime or web; runtime knows no web."""
    assert (PACKAGE / package).is_dir()
    assert offending(package) == []


# The database's implementations and drivers: only moderator/store may name them (its
# __init__.open_store picks the implementation); everything else depends on store.protocol.
IMPLEMENTATIONS = (
    "moderator.store.sqlite",
    "sqlite3",
    "aiosqlite",
    "moderator.store.postgres",
    "psycopg",
    "psycopg_pool",
)


def test_only_the_store_knows_its_implementation_and_driver() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.is_relative_to(PACKAGE / "store"):
            continue
        for name in sorted(imported(path)):
            if any(name == f or name.startswith(f + ".") for f in IMPLEMENTATIONS):
                found.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    assert found == []


def test_the_check_sees_an_import_that_breaks_the_rule(tmp_path: Path) -> None:
    """The walker finds imports inside functions too, so a lazy import cannot hide."""
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    from moderator.web.app import create_app\n    import starlette.routing\n"
    )
    assert {"moderator.web.app", "moderator.web.app.create_app", "starlette.routing"} <= imported(module)
