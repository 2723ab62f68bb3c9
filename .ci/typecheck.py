"""Run mypy over the package as it installs: the room folders checked as `mediawatch.<room>`.

Plain `mypy -p mediawatch` cannot see the rooms: setup.py maps `scrapers/` to `mediawatch.scrapers`
(and so on), the editable install resolves that through an import hook, and mypy follows no import
hooks. Checking the folders as files would name them `scrapers.*`, so every `mediawatch.scrapers`
import would resolve to nothing. This script hands mypy each file under the module name it has when
installed; settings come from pyproject.toml [tool.mypy]. tests/ and bench/ are not checked.

Usage: python .ci/typecheck.py [mypy options]
"""

import ast
import os
import sys
from pathlib import Path

from mypy import build
from mypy.errors import CompileError
from mypy.main import process_options
from mypy.modulefinder import BuildSource

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "mediawatch"


def rooms() -> tuple[str, ...]:
    """The room folders, read from setup.py's ROOMS (the one place that names them)."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "ROOMS" for t in node.targets
        ):
            return tuple(ast.literal_eval(node.value))
    raise SystemExit("setup.py: no ROOMS assignment")


def installed_name(source: BuildSource, room_names: tuple[str, ...]) -> BuildSource:
    top = source.module.split(".", 1)[0]
    if top in room_names:
        return BuildSource(source.path, f"{PACKAGE}.{source.module}", None, source.base_dir)
    return source


def main(argv: list[str]) -> int:
    os.chdir(ROOT)  # pyproject.toml's settings, and paths in messages relative to the checkout
    room_names = rooms()
    folders = [PACKAGE, *room_names]
    sources, options = process_options([*argv, *folders])
    sources = [installed_name(s, room_names) for s in sources]
    try:
        result = build.build(sources, options)
        messages = result.errors
    except CompileError as exc:
        messages = exc.messages
    for line in messages:
        print(line)
    errors = sum(1 for line in messages if ": error:" in line)
    if errors:
        files = len({line.split(":", 1)[0] for line in messages if ": error:" in line})
        print(f"Found {errors} errors in {files} files (checked {len(sources)} source files)")
        return 1
    print(f"Success: no issues found in {len(sources)} source files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
