"""One module per CloudFormation resource kind.

Each module declares `RESOURCE_TYPES` and `read(resource, template)`, which
returns records (see `records.py`) for linking, or finished deployments and
problems. Modules here are found automatically: adding a resource kind is
adding a module (plus its data), nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from typing import Callable


@lru_cache(maxsize=None)
def readers() -> dict[str, Callable]:
    """Resource type -> reader function, from every module of this package."""
    table: dict[str, Callable] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda item: item.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for resource_type in getattr(module, "RESOURCE_TYPES", ()):
            if resource_type in table:
                raise RuntimeError(f"{resource_type} is read by two modules")
            table[resource_type] = module.read
    return table
