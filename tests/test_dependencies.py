"""Reproducible environments: requirements/lock.txt pins every Python package (with hashes)
within pyproject.toml's ranges, and `make deps` installs exactly it; requirements/build-lock.txt
is its subset without the test tools, which `make site` installs; requirements/minimums.txt
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
BUILD_LOCK = REPO / "requirements" / "build-lock.txt"
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
    return [
        Requirement(r)
        for r in PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"]["test"]
    ]


def test_lock_pins_every_declared_dependency_within_its_range() -> None:
    locked = pins(LOCK)
    for req in declared():
        name = canonicalize_name(req.name)
        assert name in locked, (
            f"{req.name} is in pyproject.toml but not in {LOCK.name}: run `make lock`"
        )
        assert req.specifier.contains(locked[name], prereleases=True), (
            f"{LOCK.name} pins {req.name}=={locked[name]}, outside pyproject.toml's {req}: "
            "run `make lock`"
        )


def pinned_blocks(path: Path) -> dict[str, str]:
    """name -> the lines of its pin (the `name==version` line, its hashes and comments)."""
    text = path.read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    return {canonicalize_name(PIN.match(b).group(1)): b for b in blocks if PIN.match(b)} | (
        {"": "unparsed"} if len(blocks) != len(pins(path)) else {}
    )


def hashes(block: str) -> set[str]:
    return set(re.findall(r"--hash=sha256:([0-9a-f]{64})", block))


def test_every_pin_in_the_lock_carries_hashes() -> None:
    for lock in (LOCK, BUILD_LOCK):
        blocks = pinned_blocks(lock)
        assert "" not in blocks and len(blocks) > 10, f"{lock.name}: a line is not a pin"
        for name, block in blocks.items():
            assert hashes(block), f"{lock.name}: {name} has no hash"


def runtime_names() -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in PYPROJECT["dependencies"]}


def test_build_lock_is_the_lock_without_the_test_tools() -> None:
    """`make site` installs the same versions and hashes the tests ran with, minus their tools."""
    full, build = pinned_blocks(LOCK), pinned_blocks(BUILD_LOCK)
    assert runtime_names() <= build.keys(), (
        f"run `make lock`: {BUILD_LOCK.name} misses a runtime dependency"
    )
    for name, block in build.items():
        assert name in full, (
            f"{BUILD_LOCK.name} pins {name}, which {LOCK.name} does not: run `make lock`"
        )
        assert pins(BUILD_LOCK)[name] == pins(LOCK)[name] and hashes(block) == hashes(full[name]), (
            f"{name} differs between {BUILD_LOCK.name} and {LOCK.name}: run `make lock`"
        )
    test_only = {
        canonicalize_name(Requirement(r).name) for r in PYPROJECT["optional-dependencies"]["test"]
    }
    assert not test_only & build.keys(), (
        f"{BUILD_LOCK.name} installs test tools: {sorted(test_only & build.keys())}"
    )


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
