"""The actions sit below the builder and the pages: forms and views import actions, never the
other way, not even inside a function."""

import ast
from pathlib import Path

import pytest

import automations

APP = Path(automations.__file__).parent
ABOVE_THE_ACTIONS = {"automations.forms", "automations.views", "automations.api"}


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


@pytest.mark.parametrize(
    "path",
    [*sorted((APP / "actions").glob("*.py")), APP / "options.py"],
    ids=lambda path: path.relative_to(APP).as_posix(),
)
def test_it_imports_neither_forms_nor_views(path):
    assert not imported_modules(path) & ABOVE_THE_ACTIONS
