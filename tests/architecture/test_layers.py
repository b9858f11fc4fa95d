"""The layer order, enforced: sources -> warehouse -> analyses -> report/CLI, no import climbs back.

Each top-level module or package of ``modelrace`` has a layer; a module may import only from lower layers or
from its own package. A new package must be given its layer here (the test fails until it is), and its
``__init__`` docstring must say what it owns and what it must not import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "modelrace"

LAYERS: dict[str, int] = {
    # shared plumbing and curated knowledge: import nothing above them
    "__init__": 0,
    "__main__": 11,
    "errors": 0,
    "config": 1,
    "_yaml": 1,
    "_serialise": 0,
    "_progress": 0,
    "_files": 0,  # a file's content hash and an atomic write (imports, exports, reports)
    "_urls": 0,  # credentials in URLs: used for the request, never stored or printed (issue #29)
    "_safe_read": 1,  # bounded reading of outside files: regular only, size caps, JSON depth, BOMs (issue #29)
    "_dates": 0,  # when data may be dated (the future tolerance of Hub records and battles)
    "_gguf": 1,  # reading GGUF headers (errors only)
    "_terminal": 0,  # terminal tables that never cut ids (readability, issue #16)
    "knowledge": 2,
    "local": 2,  # model files and caches on this machine: the cache folder, index fetching, headers, packaged models
    # the warehouse and curated registries
    "store": 3,
    "registry": 3,
    "tree": 4,
    "replay": 4,  # a loopback Hub for demos and tests (reads the organisation registry to infer re-uploads)
    # sources: what flows into the warehouse
    "hub": 5,
    "sources": 5,
    # analyses over the warehouse
    "adoption": 6,
    "ranking": 6,
    "evals": 6,
    "licensing": 7,
    "timeline": 7,  # the time axis: trends, series and passes across snapshots and boards (reads adoption, ranking)
    "serving": 7,
    "ratings": 7,
    "usage": 7,  # router usage (OpenRouter): resolves its slugs through ranking, read by answers and report
    "answers": 8,
    # presentation
    "report": 9,
    "cli": 10,
}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _top(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if name == "modelrace":
                found.append((node.lineno, "__init__"))
            elif name.startswith("modelrace."):
                found.append((node.lineno, name.split(".")[1]))
    return found


def test_every_package_has_a_layer() -> None:
    missing = sorted({_top(p) for p in _modules()} - set(LAYERS))
    assert not missing, f"give these a layer in tests/architecture/test_layers.py: {missing}"


def test_no_import_climbs_back() -> None:
    violations = []
    for path in _modules():
        own = _top(path)
        if own not in LAYERS:
            continue
        for line, target in _imports(path):
            if target == own or target not in LAYERS:
                continue
            if LAYERS[target] >= LAYERS[own]:
                where = f"{path.relative_to(PACKAGE)}:{line}"
                violations.append(f"{where} imports {target} (layer {LAYERS[target]} >= {LAYERS[own]})")
    assert not violations, "\n".join(violations)


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")


def _module_graph() -> dict[str, set[str]]:
    """Module -> the modules of the package it imports (at the top or inside a function); a package's face
    (its ``__init__``) is left out: importing it from inside the package is what re-exports do."""
    paths = {_module_name(p): p for p in _modules()}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            targets |= {n for n in names if n in paths and n != name and paths[n].name != "__init__.py"}
        graph[name] = targets
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, round a circle (strongly connected, more than one)."""
    reach = {name: set(targets) for name, targets in graph.items()}
    changed = True
    while changed:
        changed = False
        for targets in reach.values():
            more = set().union(*(reach[t] for t in targets)) - targets
            if more:
                targets |= more
                changed = True
    groups = {tuple(sorted({n} | {m for m in reach[n] if n in reach[m]})) for n in graph if n in reach[n]}
    return sorted(list(g) for g in groups)


def test_no_modules_import_each_other_round_a_circle() -> None:
    circles = _circles(_module_graph())
    assert not circles, "move what both need into a third module: " + "; ".join(" <-> ".join(c) for c in circles)


def test_the_circle_rule_finds_a_circle_through_three_modules() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [["a", "b", "c"]]


# Packages that run beside the evaluation engine: they may use its public face (``modelrace.evals``), never its
# private modules; what they share with it (cache, model files, headers) lives on the low floor (``local``).
EVALS_PRIVATE_FORBIDDEN = ("serving", "report", "cli")


def _private_evals_imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [(node.lineno, name) for name in names if name.startswith("modelrace.evals._")]
    return found


def test_serving_report_and_cli_never_import_evals_private_modules() -> None:
    violations = [
        f"{path.relative_to(PACKAGE)}:{line} imports {name}"
        for path in _modules()
        if _top(path) in EVALS_PRIVATE_FORBIDDEN
        for line, name in _private_evals_imports(path)
    ]
    assert not violations, "use modelrace.evals (its public face) or modelrace.local:\n" + "\n".join(violations)


def test_the_private_import_rule_sees_both_spellings(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from modelrace.evals._fetch import cache_dir\nfrom modelrace.evals import _inspect, Task\n"
        "import modelrace.evals._local\nfrom modelrace.evals import Backend\n",
        encoding="utf-8",
    )
    assert sorted({line for line, _ in _private_evals_imports(module)}) == [1, 2, 3]


@pytest.mark.parametrize("package", sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py")))
def test_each_package_says_what_it_owns_and_must_not_import(package: str) -> None:
    docstring = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8")))
    assert docstring, f"{package}/__init__.py has no docstring"
    assert "owns" in docstring.lower(), f"{package}: say what the package owns"
    assert "import" in docstring.lower(), f"{package}: say what it must not import"
