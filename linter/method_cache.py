"""Dataclass methods compiled once per installation, not at every start-up.

CPython's `dataclasses` writes each class's methods (`__init__`, `__eq__`,
`__repr__`, `__hash__`, a frozen class's `__setattr__`, ...) as source text
and compiles it when the class is made: for the ~120 classes one small
file's run imports, that is a third of the process's CPU time
(bench/README.md). `install()` gives the `dataclasses` module an `exec` that
looks each text up before compiling it, in a table of code objects read from
a file beside the package's bytecode; `save()` (at exit) writes the table
back when this process compiled a text it did not hold.

The file lives where Python keeps the `linter` package's own `.pyc` files
(its `__pycache__`, or the tree under PYTHONPYCACHEPREFIX), and is written
only when Python would write those (not under PYTHONDONTWRITEBYTECODE): it
holds code exactly as they do, with the same trust, and nothing a linted
repository or a configuration file chooses. What runs is what the text
compiles to, as before. A file that is not exactly what `save` writes for
this interpreter (another Python's, damaged, foreign) is ignored, and the
texts are compiled as `dataclasses` would.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import marshal
import os
import sys
from types import CodeType
from typing import Any

__all__ = ["MAX_ENTRIES", "cache_path", "install", "save"]

MAX_ENTRIES = 4096  # texts kept: this project's classes need ~700; the rest is room for plugins' and older versions'
_HEADER = importlib.util.MAGIC_NUMBER + b" mldeploy-lint dataclass methods 1\n"
_builtin_exec = exec


class _Table:
    """The code of each method text (by the text's digest): read from the file, and what this process compiled."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        # Each text's code as marshal wrote it, read back when the text is met: a run makes a
        # fraction of the classes the table knows (a CloudFormation run none of Kubernetes').
        self.code: dict[bytes, bytes] = _read(path) if path else {}
        self.used: dict[bytes, bytes] = {}
        self.compiled = 0  # texts compiled here: the file is written back only when there were some

    def exec(self, source: Any, globals: Any = None, locals: Any = None) -> None:
        if type(source) is not str:
            return _builtin_exec(source, globals, locals)
        key = hashlib.blake2b(source.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        written = self.code.get(key)
        code = _code(written) if written is not None else None
        if code is None:
            code = compile(source, "<string>", "exec")  # what exec() of the text compiles
            written = self.code[key] = marshal.dumps(code)
            self.compiled += 1
        self.used[key] = written
        return _builtin_exec(code, globals, locals)


def _code(written: bytes) -> CodeType | None:
    try:
        code = marshal.loads(written)
    except (ValueError, EOFError, TypeError):
        return None
    return code if type(code) is CodeType else None


_TABLE: list[_Table] = []


def cache_path() -> str | None:
    """Where the table is kept for this interpreter: the `linter` package's bytecode directory; None where there is none."""
    if sys.implementation.cache_tag is None:
        return None
    beside = importlib.util.cache_from_source(os.path.join(os.path.dirname(os.path.abspath(__file__)), "dataclass_methods.py"))
    return os.path.join(os.path.dirname(beside), f"dataclass-methods.{sys.implementation.cache_tag}.bin")


def install(path: str | None = None) -> None:
    """Compile dataclass methods through the table at `path` (default: `cache_path()`) from now on; saved at exit.

    Idempotent: the first call's table stays.
    """
    import dataclasses

    if _TABLE:
        return
    table = _Table(path if path is not None else cache_path())
    _TABLE.append(table)
    dataclasses.exec = table.exec  # type: ignore[attr-defined]  # looked up in the module before the builtins
    atexit.register(save)


def save() -> bool:
    """Write the table back if this process compiled texts it did not hold and Python may write bytecode; True when written."""
    if not _TABLE or sys.dont_write_bytecode:
        return False
    table = _TABLE[0]
    if not table.compiled or not table.path:
        return False
    kept = dict(table.used)
    for key, code in table.code.items():
        if len(kept) >= MAX_ENTRIES:
            break
        kept.setdefault(key, code)
    directory = os.path.dirname(table.path)
    temporary = f"{table.path}.{os.getpid()}.tmp"
    try:
        os.makedirs(directory, exist_ok=True)
        with open(temporary, "xb") as stream:
            stream.write(_HEADER + marshal.dumps(kept))
        os.replace(temporary, table.path)
    except OSError:  # a read-only installation: compiled each time, as without the table
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return False
    table.compiled = 0
    return True


def _read(path: str) -> dict[bytes, bytes]:
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError:
        return {}
    if not data.startswith(_HEADER):
        return {}
    try:
        table = marshal.loads(data[len(_HEADER):])
    except (ValueError, EOFError, TypeError):
        return {}
    if type(table) is not dict or not all(type(key) is bytes and type(code) is bytes for key, code in table.items()):
        return {}
    return table
