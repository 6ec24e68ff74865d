"""The apps stand in layers (README 「Architecture in ten lines」): a lower app never reaches a
higher one, by import (deferred ones included), string model reference or dotted path."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
# Top to bottom; esign (the client) and esign_sandbox sit beside them (their own contracts).
LAYERS = ["portal", "contracts", "surety", "applications", "cases", "accounts", "core"]
APPS = [*LAYERS, "esign"]
RELATIONS = {"ForeignKey", "OneToOneField", "ManyToManyField"}
DOTTED = re.compile(rf"^({'|'.join(APPS)})\.[A-Za-z_][\w.]*$")


def run_lint(cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(  # noqa: S603 - our own venv's tool
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_layer_contracts_hold():
    result = run_lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_a_wrong_import_breaks_the_contract(tmp_path):
    """A copy of the code where the bottom of the domain (cases) imports the top (portal)."""
    for app in [*APPS, "ashikaga_portal", "esign_sandbox"]:
        shutil.copytree(
            ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("migrations", "*.pdf")
        )
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    models = tmp_path / "cases" / "selectors.py"
    models.write_text(models.read_text() + "\n\ndef _wrong():\n    from portal import views\n")
    result = run_lint(tmp_path)
    assert result.returncode != 0
    assert "cases is not allowed to import portal" in result.stdout
    assert "cases.selectors -> portal.views" in result.stdout


def _string_references() -> set[tuple[str, str, str]]:
    """(from app, to app, where) for every literal "app.Model" in a relation field and every
    literal dotted path naming one of the apps, outside migrations (which are history)."""
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
                    continue
                value = node.value
                target = None
                if re.fullmatch(r"[a-z_]+\.[A-Z]\w*", value) or DOTTED.match(value):
                    target = value.split(".")[0]
                if target in APPS and target != app:
                    found.add((app, target, f"{path.relative_to(ROOT)}: {value!r}"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "attr", getattr(node.func, "id", "")) in RELATIONS
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    target = str(node.args[0].value).split(".")[0]
                    if target in APPS and target != app:
                        found.add((app, target, f"{path.relative_to(ROOT)}: {node.args[0].value}"))
    return found


def _import_edges() -> set[tuple[str, str]]:
    grimp = pytest.importorskip("grimp")
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*APPS, cache_dir=None)
    edges = set()
    for app in APPS:
        for other in APPS:
            if app != other and graph.direct_import_exists(
                importer=app, imported=other, as_packages=True
            ):
                edges.add((app, other))
    return edges


def test_the_app_graph_points_down_only_and_has_no_cycle():
    strings = _string_references()
    edges = _import_edges() | {(a, b) for a, b, _ in strings}
    rank = {app: i for i, app in enumerate(LAYERS)}
    upward = sorted((a, b) for a, b in edges if a in rank and b in rank and rank[a] > rank[b])
    assert upward == [], (upward, sorted(s for s in strings if (s[0], s[1]) in upward))
    # esign is the CloudSign client: it may use core's building blocks, nothing of the domain.
    assert {b for a, b in edges if a == "esign"} <= {"core"}
    # And so no cycle: a topological order exists.
    graph = {app: {b for a, b in edges if a == app} for app in APPS}
    done: list[str] = []
    while graph:
        leaves = [a for a, deps in graph.items() if deps <= set(done)]
        assert leaves, f"cycle among {sorted(graph)}"
        done += leaves
        for a in leaves:
            graph.pop(a)
