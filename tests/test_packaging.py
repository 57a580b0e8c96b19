"""What the tests and benchmarks import is what pyproject.toml installs: a fresh clone needs nothing else."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OURS = {"moderator", "tests", "benchmarks"}


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string ("uvicorn[standard]>=0.35" -> uvicorn)."""
    match = re.match(r"[A-Za-z0-9._-]+", requirement.strip())
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def _imported(folder: Path) -> dict[str, str]:
    """Top-level modules imported by the files under `folder`, outside the standard library and
    this project, each with one file that imports it."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                sibling = (path.parent / f"{top}.py").exists()  # a script's import of its neighbour
                if top not in sys.stdlib_module_names and top not in OURS and not sibling:
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def test_every_module_the_tests_and_benchmarks_import_is_declared() -> None:
    """Each third-party import of tests/ and benchmarks/ comes from a distribution named in the
    project's dependencies or its `test` extra (installed by `pip install -e '.[test]'`)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    owners = packages_distributions()
    missing = []
    for folder in ("tests", "benchmarks"):
        for module, where in _imported(ROOT / folder).items():
            dists = {_name(d) for d in owners.get(module, [])}
            if not dists & declared:
                missing.append(f"{module} (imported by {where}; from {sorted(dists) or 'nothing installed'})")
    assert not missing, "not in pyproject.toml's dependencies or test extra: " + ", ".join(missing)
