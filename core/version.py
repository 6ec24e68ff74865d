"""The portal's release, read from pyproject.toml (the one place it is written)."""

import tomllib
from functools import cache
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


@cache
def portal_version() -> str:
    """The release in `pyproject.toml` ("0.3.0"); tags are `v` + this."""
    with PYPROJECT.open("rb") as f:
        return tomllib.load(f)["project"]["version"]
