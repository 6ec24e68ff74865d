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


# --- inside each app: no import loop, no oversized module ---------------------------------------

MODULE_APPS = [*APPS, "esign_sandbox"]


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _intra_app_cycles(graph, apps: list[str]) -> dict[str, list[list[str]]]:
    """Per app, the import loops among its own modules (deferred imports included, as grimp
    sees every import statement; migrations left out)."""
    out = {}
    for app in apps:
        modules = {
            m
            for m in graph.find_descendants(app) | {app}
            if ".migrations" not in m and ".tests" not in m
        }
        edges = {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}
        cycles = _cycles(edges)
        if cycles:
            out[app] = cycles
    return out


def test_no_import_loop_between_the_modules_of_one_app():
    grimp = pytest.importorskip("grimp")
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*MODULE_APPS, cache_dir=None)
    assert _intra_app_cycles(graph, MODULE_APPS) == {}


def test_the_loop_check_finds_a_deferred_import_loop(tmp_path, monkeypatch):
    grimp = pytest.importorskip("grimp")
    package = tmp_path / "loopy"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text("from loopy import models\n")
    (package / "models.py").write_text("X = 1\n")
    (package / "tasks.py").write_text("from loopy import services\n")
    (package / "wake.py").write_text("def wake():\n    from loopy import tasks\n")
    (package / "sync.py").write_text("from loopy import wake\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _intra_app_cycles(grimp.build_graph("loopy", cache_dir=None), ["loopy"]) == {}
    # services -> wake -> (deferred) tasks -> services: the loop the wake-ups module removed
    (package / "services.py").write_text("from loopy import models, wake\n")
    found = _intra_app_cycles(grimp.build_graph("loopy", cache_dir=None), ["loopy"])
    assert found == {"loopy": [["loopy.services", "loopy.tasks", "loopy.wake"]]}


MAX_MODULE_LINES = 600
# path -> why it may be longer (none today; a new entry needs a reason a reviewer accepts).
LONG_MODULES: dict[str, str] = {}


def _long_modules(root: Path, apps: list[str], limit: int) -> dict[str, int]:
    """Every app module (not a migration, not a test) longer than ``limit`` lines."""
    out = {}
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root)
            if "migrations" in relative.parts or "tests" in relative.parts:
                continue
            if path.name.startswith("test_") or path.name == "conftest.py":
                continue
            lines = len(path.read_text().splitlines())
            if lines > limit:
                out[relative.as_posix()] = lines
    return out


def test_no_app_module_over_600_lines_without_a_stated_reason():
    long = _long_modules(ROOT, MODULE_APPS, MAX_MODULE_LINES)
    assert {p: n for p, n in long.items() if p not in LONG_MODULES} == {}
    # an exception whose module shrank is dropped from the list
    assert set(LONG_MODULES) <= set(long), sorted(set(LONG_MODULES) - set(long))
    assert all(reason.strip() for reason in LONG_MODULES.values())


def test_the_size_check_counts_lines(tmp_path):
    (tmp_path / "app" / "migrations").mkdir(parents=True)
    (tmp_path / "app" / "big.py").write_text("x = 1\n" * 601)
    (tmp_path / "app" / "small.py").write_text("x = 1\n" * 600)
    (tmp_path / "app" / "migrations" / "0001_initial.py").write_text("x = 1\n" * 900)
    assert _long_modules(tmp_path, ["app"], MAX_MODULE_LINES) == {"app/big.py": 601}


# --- URL names: a lower app never names a higher app's URL ---------------------------------

URL_CALLS = {"reverse", "reverse_lazy", "redirect", "resolve_url"}
TEMPLATE_URL = re.compile(r"""{%\s*url\s+['"]([^'"]+)['"]""")


def _url_owners() -> dict[str, str]:
    """URL name (with its namespaces) -> the app whose view serves it (admin pages of a model:
    the model's app)."""
    from django.urls import URLResolver, get_resolver

    owners: dict[str, str] = {}

    def walk(patterns, namespaces: list[str]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = [*namespaces, pattern.namespace] if pattern.namespace else namespaces
                walk(pattern.url_patterns, inner)
            elif pattern.name:
                name = ":".join([*namespaces, pattern.name])
                owner = pattern.callback.__module__.split(".")[0]
                if namespaces == ["admin"]:
                    # the admin site is everyone's; a model's pages are its app's
                    owner = next((a for a in APPS if pattern.name.startswith(f"{a}_")), "")
                owners.setdefault(name, owner)

    walk(get_resolver().url_patterns, [])
    return owners


def _url_names_used(root: Path) -> set[tuple[str, str, str]]:
    """(app, URL name, where) for each literal URL name in a reverse()/redirect() call of an
    app's module and each {% url %} of an app's templates (templates/<app>/…,
    templates/admin/<app>/…)."""
    used = set()
    for app in APPS:
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                first = node.args[0]
                if (
                    name in URL_CALLS
                    and isinstance(first, ast.Constant)
                    and isinstance(first.value, str)
                    and "/" not in first.value
                ):
                    used.add((app, first.value, f"{path.relative_to(root)}:{node.lineno}"))
        for folder in (root / "templates" / app, root / "templates" / "admin" / app):
            for path in folder.rglob("*.html") if folder.is_dir() else ():
                for match in TEMPLATE_URL.finditer(path.read_text()):
                    used.add((app, match.group(1), str(path.relative_to(root))))
    return used


def _upward_url_names(root: Path, owners: dict[str, str]) -> list[str]:
    upward = []
    for app, name, where in sorted(_url_names_used(root)):
        owner = owners.get(name)
        if app in LAYERS and owner in LAYERS and LAYERS.index(owner) < LAYERS.index(app):
            upward.append(f"{where}: {app} names {owner}'s URL {name!r}")
    return upward


def test_no_app_names_a_higher_apps_url():
    owners = _url_owners()
    assert owners["applications:detail"] == "applications"
    assert _upward_url_names(ROOT, owners) == []


def test_the_url_name_check_finds_an_upward_name(tmp_path):
    owners = _url_owners()
    (tmp_path / "cases").mkdir(parents=True)
    (tmp_path / "cases" / "views.py").write_text(
        "from django.shortcuts import redirect\n\ndef go(request):\n"
        "    return redirect('applications:detail', 1)\n"
    )
    (tmp_path / "templates" / "accounts").mkdir(parents=True)
    (tmp_path / "templates" / "accounts" / "x.html").write_text(
        "<a href=\"{% url 'admin:contracts_contract_changelist' %}\">x</a>"
    )
    found = _upward_url_names(tmp_path, owners)
    assert sorted(found) == [
        "cases/views.py:4: cases names applications's URL 'applications:detail'",
        "templates/accounts/x.html: accounts names contracts's URL "
        "'admin:contracts_contract_changelist'",
    ]
