#!/usr/bin/env python3
"""`python build.py build|serve|check|schema` is the same as `tiangong-site ...`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from tiangong_site.cli import run  # noqa: E402

if __name__ == "__main__":
    run()
