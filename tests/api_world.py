"""How each app puts its objects into the API-wide tests (tenancy walk, query counts).

An app whose API has routes adds `tests/<app>/api_world.py` with three functions:

    def build(workspace, owner, mark, world) -> dict[str, int]:
        # one object of each kind the app's routes take ids of, with `mark` in a text field;
        # return {"<path or body id name>": id, ...}
    def rows(workspace) -> list[QuerySet]:
        # every row of the workspace the app's routes could write
    def populate(workspace, owner, n, ids) -> dict[str, int]:
        # n rows for each list the app's API shows; return ids that list paths need
"""

import importlib
from pathlib import Path
from types import ModuleType

TESTS_DIR = Path(__file__).parent


def extensions() -> list[ModuleType]:
    modules = []
    for package in sorted(p for p in TESTS_DIR.iterdir() if (p / "api_world.py").exists()):
        modules.append(importlib.import_module(f"tests.{package.name}.api_world"))
    return modules
