"""The Engine stays a thin facade: each public method delegates in a few lines to
``jointinspect.operations``, engine.py stays short, every operations module stays under
the house size limit, and no operations module imports the Engine back."""

from __future__ import annotations

import ast
import inspect
import pkgutil
from pathlib import Path

import jointinspect.engine
import jointinspect.facade
import jointinspect.operations
from jointinspect.auth import Principal
from jointinspect.engine import Engine
from jointinspect.memory import MemoryStore
from jointinspect.model.reference import Department

METHOD_BODY_LIMIT = 8
ENGINE_LINE_LIMIT = 400
MODULE_LINE_LIMIT = 600


def long_methods(source: str, class_name: str, limit: int) -> dict[str, int]:
    """Public methods of ``class_name`` whose body, docstring excluded, spans over ``limit`` lines."""
    tree = ast.parse(source)
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ClassDef) and node.name == class_name):
            continue
        for method in node.body:
            if not isinstance(method, ast.FunctionDef) or method.name.startswith("_"):
                continue
            body = method.body
            if ast.get_docstring(method) is not None:
                body = body[1:]
            length = (body[-1].end_lineno or body[-1].lineno) - body[0].lineno + 1 if body else 0
            if length > limit:
                found[method.name] = length
    return found


def line_count(path: str | Path) -> int:
    return len(Path(path).read_text(encoding="utf-8").splitlines())


def operations_modules() -> list[str]:
    return [info.name for info in pkgutil.iter_modules(jointinspect.operations.__path__, "jointinspect.operations.")]


def facets() -> dict[str, type]:
    """The Engine's capability facets (its bases from `jointinspect.facade`)."""
    return {base.__name__: base for base in Engine.__mro__ if base.__module__.startswith("jointinspect.facade.")}


def test_every_public_engine_method_delegates_in_a_few_lines() -> None:
    assert long_methods(inspect.getsource(jointinspect.engine), "Engine", METHOD_BODY_LIMIT) == {}
    assert {"QueryFacet", "MaintenanceFacet"} <= set(facets())
    for name, facet in facets().items():
        assert long_methods(inspect.getsource(facet), name, METHOD_BODY_LIMIT) == {}, name


def test_every_facet_module_stays_short() -> None:
    # A facet is a screenful of delegations; a long one holds two capabilities.
    sizes = {path.name: line_count(path) for path in Path(jointinspect.facade.__path__[0]).glob("*.py")}
    assert {name: size for name, size in sizes.items() if size > ENGINE_LINE_LIMIT} == {}


def test_the_check_sees_a_long_method_and_skips_docstrings() -> None:
    # The check can fail: nine statements are too many; private methods and docstrings do not count.
    nine = "".join(f"        x{i} = {i}\n" for i in range(9))
    docstring = '        """One.\n' + "".join(f"        Line {i}.\n" for i in range(9)) + '        """\n'
    source = (
        "class Engine:\n"
        "    def long(self) -> None:\n"
        + docstring
        + nine
        + "    def _private(self) -> None:\n"
        + nine
        + "    def documented(self) -> int:\n"
        + docstring
        + "        return 1\n"
    )
    assert long_methods(source, "Engine", METHOD_BODY_LIMIT) == {"long": 9}


def test_engine_module_stays_short() -> None:
    assert line_count(inspect.getfile(jointinspect.engine)) <= ENGINE_LINE_LIMIT


def test_operations_modules_stay_under_the_size_limit() -> None:
    modules = operations_modules()
    assert {"jointinspect.operations._unit", "jointinspect.operations.filing"} <= set(modules)
    sizes = {
        name: line_count(Path(jointinspect.operations.__path__[0]) / f"{name.rsplit('.', 1)[1]}.py") for name in modules
    }
    assert {name: size for name, size in sizes.items() if size > MODULE_LINE_LIMIT} == {}


def engine_imports(source: str) -> set[str]:
    """What in ``source`` imports the Engine (its module, its shim, or the name itself)."""
    modules = {"jointinspect.engine", "jointinspect.service"}
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in modules}
        elif isinstance(node, ast.ImportFrom) and node.module in modules:
            found.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.module == "jointinspect":
            found |= {
                f"jointinspect.{alias.name}" for alias in node.names if alias.name in ("Engine", "engine", "service")
            }
    return found


def test_no_operations_module_imports_the_engine() -> None:
    # Imports point one way: engine -> operations -> rules/ports, never back.
    assert engine_imports("from jointinspect import Engine\nimport jointinspect.service\n") == {
        "jointinspect.Engine",
        "jointinspect.service",
    }
    offenders = {
        path.name: found
        for package in (jointinspect.operations, jointinspect.facade)
        for path in Path(package.__path__[0]).glob("*.py")
        if (found := engine_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_reassigning_an_engine_attribute_reaches_the_operations() -> None:
    other = MemoryStore()
    system = Principal.system()
    Engine(store=other).add_department(Department("d1", "Department one"), by=system)
    engine = Engine()
    assert engine.verify_audit(by=system) == 0
    engine.store = other
    assert engine.verify_audit(by=system) == 1
