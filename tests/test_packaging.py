"""The wheel installs one name, `mediawatch`, with the rooms as its sub-packages and their data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def _build_wheel(out: Path) -> tuple[Path, str]:
    # No build isolation: the test run must not reach an index; the venv's setuptools builds it.
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "--no-build-isolation"]
        + ["--wheel-dir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = out.glob("mediawatch-*.whl")
    return wheel, result.stdout + result.stderr


def test_wheel_installs_only_mediawatch_with_rooms_and_data(tmp_path):
    wheel, log = _build_wheel(tmp_path / "dist")
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"mediawatch"}
    for room in (
        "scrapers",
        "scrapers/spiders",
        "scrapers/cluster",
        "alerts",
        "db",
        "matcher",
        "times",
    ):
        assert f"mediawatch/{room}/__init__.py" in names
    for data in (
        "mediawatch/alerts/templates/digest.html",
        "mediawatch/db/datasette.yaml",
        "mediawatch/demo_config/sources.yaml",
        "mediawatch/demo_site/index.html",
    ):
        assert data in names
    assert not [n for n in names if n.endswith(".db")], "a local archive must never ship"
    for complaint in ("SetuptoolsDeprecationWarning", "is absent from the `packages`", "License"):
        assert complaint not in log

    # Installed on its own (no checkout on the path), the rooms import under the one name.
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    probe = (
        "import sys; sys.path[:0] = [sys.argv[1]];"
        "import mediawatch.scrapers.settings, mediawatch.alerts.render, mediawatch.db.queries;"
        "print(mediawatch.scrapers.settings.__file__);"
        "print(mediawatch.alerts.render.BUILTIN.joinpath('digest.html').is_file());"
        "import importlib.util; print(importlib.util.find_spec('scrapers'))"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", probe, str(target)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout.splitlines()
    assert out[0].startswith(str(target))
    assert out[1:] == ["True", "None"]
