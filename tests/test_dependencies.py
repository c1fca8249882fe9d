"""Reproducible environments: requirements/lock.txt pins every Python package (with hashes)
within pyproject.toml's ranges, and `make deps` installs exactly it; requirements/minimums.txt
pins each runtime dependency at pyproject.toml's floor, for the workflow's `minimums` job."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
LOCK = REPO / "requirements" / "lock.txt"
MINIMUMS = REPO / "requirements" / "minimums.txt"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pins(path: Path) -> dict[str, str]:
    """name -> version of every `name==version` line of a requirements file."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def declared() -> list[Requirement]:
    return [Requirement(r) for r in PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"]["test"]]


def test_lock_pins_every_declared_dependency_within_its_range() -> None:
    locked = pins(LOCK)
    for req in declared():
        name = canonicalize_name(req.name)
        assert name in locked, f"{req.name} is in pyproject.toml but not in {LOCK.name}: run `make lock`"
        assert req.specifier.contains(locked[name], prereleases=True), (
            f"{LOCK.name} pins {req.name}=={locked[name]}, outside pyproject.toml's {req}: run `make lock`"
        )


def test_every_pin_in_the_lock_carries_hashes() -> None:
    text = LOCK.read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert len(blocks) == len(pins(LOCK)) > 10
    for block in blocks:
        assert "--hash=sha256:" in block, block.splitlines()[0]


def test_installed_packages_are_the_locked_ones() -> None:
    """`make deps` installed this environment from the lock, not from pyproject's ranges."""
    wrong = {}
    for name, version in pins(LOCK).items():
        try:
            have = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            have = "missing"
        if have != version:
            wrong[name] = f"{have}, locked {version}"
    assert wrong == {}, "run `make deps` (it installs requirements/lock.txt)"


def test_minimums_pin_each_runtime_floor_of_pyproject() -> None:
    floors = {}
    for text in PYPROJECT["dependencies"]:
        req = Requirement(text)
        lower = [s.version for s in req.specifier if s.operator == ">="]
        assert len(lower) == 1, f"{text}: each runtime dependency declares one `>=` floor"
        floors[canonicalize_name(req.name)] = lower[0]
    assert pins(MINIMUMS) == floors, f"{MINIMUMS.name} must pin exactly pyproject.toml's floors"
