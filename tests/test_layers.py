"""The import contracts (pyproject.toml [tool.importlinter], checked by `lint-imports` in `make
test`) name the spine's modules one by one: a new module of mediawatch/ must be placed there too,
or the one-way rule would not look at it."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROOMS = {"scrapers", "alerts", "db", "matcher"}


def _contracts() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def test_the_layers_contract_names_every_module_of_the_spine():
    spine, stages, bottom = _contracts()["layers"]["layers"]
    listed = {name.strip() for name in spine.split(":")}
    found = {
        p.stem if p.suffix == ".py" else p.name
        for p in (ROOT / "mediawatch").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    assert found - listed == set(), "add these spine modules to the layers contract"
    assert listed - found == set(), "the layers contract names modules that do not exist"
    assert {s.strip() for s in stages.split("|")} | {b.strip() for b in bottom.split("|")} == ROOMS


def test_every_room_is_checked_for_cycles():
    ancestors = set(_contracts()["acyclic"]["ancestors"])
    assert ancestors == {f"mediawatch.{room}" for room in ROOMS}
