"""JSON Schema files for editors' YAML plugins, generated from the content model."""

from __future__ import annotations

import json
from pathlib import Path

from .models import json_schemas


def schema_texts() -> dict[str, str]:
    return {f"{name}.schema.json": json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n" for name, schema in json_schemas().items()}


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, body in schema_texts().items():
        path = folder / name
        path.write_text(body, encoding="utf-8")
        written.append(path)
    return written
