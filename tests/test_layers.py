"""Imports flow one way: routes and sockets → services → journal and db → the pure core.

Read from the source (ast), so a new module that breaks the direction fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
PURE = (
    "app.kinds",
    "app.routing",
    "app.sim",
    "app.planning",
    "app.visits.lifecycle",
    "app.visits.compartments",
    "app.room.projection",
    "app.stats.compute",
    "app.stats.schemas",
    "app.stats.tables",
    "app.stats.turnout",
    "app.overview.compute",
    "app.overview.schemas",
)
# The simulator is out of the request path: the planner and the demo day use it (the
# demo through app.centers.spec, the bridge from a configured center to the simulator's;
# app.planner, the bridge from the database's center-day to the planner's).
SIM_USERS = ("app.sim", "app.planning", "app.planner", "app.demo", "app.centers.spec")
FRAMEWORKS = ("fastapi", "starlette", "sqlalchemy", "asyncpg", "aiosqlite", "uvicorn")


def modules() -> dict[str, set[str]]:
    """Every module of app/ with the modules it imports (absolute names)."""
    found: dict[str, set[str]] = {}
    for path in APP.rglob("*.py"):
        name = ".".join(path.relative_to(APP.parent).with_suffix("").parts)
        name = name.removesuffix(".__init__")
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module)
        found[name] = imported
    return found


def within(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_the_pure_core_imports_no_framework_and_no_service() -> None:
    for module, imports in modules().items():
        if not within(module, *PURE):
            continue
        for imported in imports:
            assert not within(imported, *FRAMEWORKS), f"{module} imports {imported}"
            if imported.startswith("app."):
                assert within(imported, *PURE), f"pure {module} imports {imported}"


def test_only_the_app_and_the_live_layer_import_the_live_layer() -> None:
    for module, imports in modules().items():
        if within(module, "app.live", "app.main", "app.cli"):
            continue
        live = [i for i in imports if within(i, "app.live")]
        assert not live, f"{module} imports the live layer: {live}"


def test_the_journal_imports_no_service_and_no_route() -> None:
    for module, imports in modules().items():
        if not within(module, "app.journal"):
            continue
        for imported in imports:
            if imported.startswith("app."):
                assert within(imported, "app.journal", "app.db", "app.kinds", "app.columns") or (
                    imported.endswith(".models")
                ), f"{module} imports {imported}"


def test_nothing_below_the_routes_imports_a_route_module() -> None:
    for module, imports in modules().items():
        if module.endswith(".routes") or within(module, "app.main", "app.live"):
            continue
        routes = [i for i in imports if i.endswith(".routes")]
        assert not routes, f"{module} imports route modules: {routes}"


def test_the_simulator_stays_out_of_the_request_path() -> None:
    for module, imports in modules().items():
        if within(module, *SIM_USERS):
            continue
        sim = [i for i in imports if within(i, "app.sim")]
        assert not sim, f"{module} imports the simulator: {sim}"


def test_the_routing_core_needs_neither_simulator_nor_planner() -> None:
    for module, imports in modules().items():
        if not within(module, "app.routing"):
            continue
        above = [i for i in imports if within(i, "app.sim", "app.planning")]
        assert not above, f"{module} imports {above}"
