"""The package list in pyproject.toml is written by hand (to ship schemas/ inside the wheel): it must name every package."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_of_annotator_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "annotator").rglob("__init__.py")}
    assert found <= listed, f"add {sorted(found - listed)} to [tool.setuptools] packages in pyproject.toml"
    assert listed - found == {"annotator.schemas"}


def test_the_schemas_folder_holds_what_the_wheel_ships():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert config["package-dir"]["annotator.schemas"] == "schemas"
    shipped = {path for pattern in config["package-data"]["annotator.schemas"] for path in (ROOT / "schemas").glob(pattern)}
    on_disk = {path for path in (ROOT / "schemas").rglob("*") if path.is_file()}
    assert shipped == on_disk, f"these schema files would be left out of a wheel: {sorted(map(str, on_disk - shipped))}"
