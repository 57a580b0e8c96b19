"""The browser code shows its layout: one entry module per screen in static/js/screens/, the shared
modules in static/js/lib/, explicit imports between them, no page globals and no page code run at import."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JS = ROOT / "static" / "js"
DISPLAYS = ROOT / "displays"
SCREENS = {"console", "speaker", "room", "watch", "phone", "cards", "workspace", "workspace_new", "report"}

IMPORT = re.compile(r"""\bimport\s*(?:\{([^}]*)\}\s*from\s*)?["']([^"']+)["']""")
EXPORT = re.compile(r"\bexport\s+(?:async\s+)?(?:function\*?|class|const|let|var)\s+([A-Za-z_$][\w$]*)")
SCRIPT = re.compile(
    r"""<script type="module" src="\{\{ static_url\('js/([^']*)'( ~ variant ~ '\.js')?\) \}\}">"""
)


def modules() -> list[Path]:
    return sorted(JS.rglob("*.js"))


def imports(path: Path) -> list[tuple[Path, list[str]]]:
    """The modules `path` imports, resolved, with the names it takes from each."""
    found = []
    for names, spec in IMPORT.findall(path.read_text(encoding="utf-8")):
        taken = [n.split(" as ")[0].strip() for n in names.split(",") if n.strip()]
        found.append(((path.parent / spec).resolve(), taken))
    return found


def test_static_js_is_lib_and_screens() -> None:
    """Every module is a shared one in lib/ or the entry module of a screen in screens/."""
    assert {p.parent.name for p in modules()} == {"lib", "screens"}
    assert {p.stem for p in (JS / "screens").glob("*.js")} == SCREENS


def test_every_import_names_an_existing_module_and_its_exports() -> None:
    """Relative imports only, each to a module that exists and exports every name taken from it."""
    broken = []
    for path in modules():
        for target, names in imports(path):
            if not target.is_file():
                broken.append(f"{path.relative_to(ROOT)} imports missing {target.relative_to(ROOT)}")
                continue
            exported = set(EXPORT.findall(target.read_text(encoding="utf-8")))
            where = path.relative_to(ROOT)
            broken += [f"{where}: {target.name} exports no {n}" for n in names if n not in exported]
    assert broken == []


def test_shared_modules_import_no_screen() -> None:
    lib = JS / "lib"
    assert [
        f"{p.name} imports {t.name}" for p in lib.glob("*.js") for t, _ in imports(p) if t.parent != lib
    ] == []


def test_each_page_loads_one_screen_module() -> None:
    """A page's template loads its one entry module from screens/, which imports the rest."""
    loaded = {}
    for template in sorted(DISPLAYS.glob("*.html")):
        scripts = SCRIPT.findall(template.read_text(encoding="utf-8"))
        if scripts:
            loaded[template.name] = scripts
    assert loaded == {
        "_board.html": [("screens/", " ~ variant ~ '.js'")],
        "cards.html": [("screens/cards.js", "")],
        "workspace.html": [("screens/workspace.js", "")],
        "workspace_new.html": [("screens/workspace_new.js", "")],
        "console.html": [("screens/console.js", "")],
        "phone.html": [("screens/phone.js", "")],
        "report.html": [("screens/report.js", "")],
        "speaker.html": [("screens/speaker.js", "")],
    }


def test_no_page_globals_and_one_event_channel() -> None:
    """Modules share the connection by passing it, not through window globals or document events."""
    found = []
    for path in modules():
        text = path.read_text(encoding="utf-8")
        for pattern in (r"window\.upr\w*", r"document\.dispatchEvent", r"addEventListener\(\"live:"):
            found += [f"{path.relative_to(ROOT)}: {m}" for m in re.findall(pattern, text)]
    assert found == []


NODE = shutil.which("node")
IMPORT_ALL = """
const files = process.argv.slice(2);
for (const f of files) await import(f);
console.log(files.length);
"""


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_shared_modules_run_no_page_code_at_import(tmp_path: Path) -> None:
    """Every lib/ module imports in Node, which has no DOM: importing one touches no page."""
    assert NODE is not None
    lib = sorted((JS / "lib").glob("*.js"))
    # The modules as ES modules in a folder of their own (static/ has no package.json to say so).
    copy = tmp_path / "lib"
    shutil.copytree(JS / "lib", copy)
    (tmp_path / "package.json").write_text('{"type": "module"}', encoding="utf-8")
    runner = tmp_path / "import_all.mjs"
    runner.write_text(IMPORT_ALL, encoding="utf-8")
    done = subprocess.run(
        [NODE, str(runner), *(str(copy / p.name) for p in lib)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(len(lib))
