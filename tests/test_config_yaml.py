"""The three YAML files against hostile or careless input: alias bombs, recursive aliases, deep
nesting, lists as keys, huge files. Each is refused in one line naming file and line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import write_config

from mediawatch import yamlfile
from mediawatch.errors import ConfigError
from mediawatch.yamlfile import load_yaml, parse_yaml


def laughs(levels: int) -> str:
    """Each level a list of nine aliases of the level before: 9**levels values once copied out."""
    names = "abcdefghijklmnop"[:levels]
    lines = [f"{names[0]}: &{names[0]} [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for prev, name in zip(names, names[1:], strict=False):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def refusal(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_yaml(text, "w.yaml")
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_an_alias_bomb_is_refused_at_the_alias_that_goes_over_the_bound():
    # 531,441 values from 300 bytes: refused while the node graph is built, nothing expanded
    assert refusal(laughs(6)).startswith("w.yaml:5: alias *d: aliases expand to more than 10,000")


def test_aliases_within_the_bound_are_copied_out_as_before():
    doc = parse_yaml("base: &b {timeout: 60s, tags: [a, b]}\nx: *b\ny: *b\n", "w.yaml")
    assert doc.data["x"] == doc.data["y"] == {"timeout": "60s", "tags": ["a", "b"]}
    assert doc.data["x"] is not doc.data["y"]


def test_a_recursive_alias_is_one_line_not_a_recursion_error():
    assert refusal("x: &a [*a]\n") == "w.yaml:1: alias *a refers to itself"
    assert refusal("x: &a\n  k: [1, {j: *a}]\n") == "w.yaml:2: alias *a refers to itself"


def test_deep_nesting_and_lists_as_keys_are_refused():
    deep = "x: " + "[" * 100 + "]" * 100 + "\n"
    assert refusal(deep) == f"w.yaml:1: nested more than {yamlfile.MAX_DEPTH} levels deep"
    assert refusal("x: " + "[" * 50_000 + "]" * 50_000 + "\n").startswith("w.yaml:1: ")
    assert refusal("topics:\n  ? [a, b]\n  : 1\n") == (
        "w.yaml:2: topics: a key must be a plain value, not a list or mapping"
    )


def test_a_file_past_the_size_limit_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("# padding\n" * 200, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_yaml(path, max_bytes=1000)
    assert str(caught.value) == f"{path}: larger than 1,000 bytes; split or shorten it"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sources.yaml", "watchlist.yaml", "schedules.yaml"])
def test_each_of_the_three_files_is_protected(tmp_path, name):
    folder = write_config(tmp_path / "config", "http://127.0.0.1:9")
    path = folder / name
    path.write_text(path.read_text(encoding="utf-8") + "\n" + laughs(6), encoding="utf-8")
    env = {**os.environ, "MEDIAWATCH_CONFIG_DIR": str(folder)}
    env["MEDIAWATCH_DB"] = str(tmp_path / "a.db")
    result = subprocess.run(
        [sys.executable, "-m", "mediawatch.cli", "run", "--once"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {path}:") and "alias *d: aliases expand" in line, line
