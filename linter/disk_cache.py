"""Parsed files kept on disk between runs (command line, pre-commit hook, language server), keyed by content.

An entry is one JSON file (`linter.source_codec`'s plain data, never
anything executable) named by a digest of everything what a file parses to
depends on, and of more, to be safe: the file's display path and bytes,
whether it was cut at the size limit, the load limits, the tool (its version
and the digest of its loading code), the plugin set (each plugin's name,
version and module file) and the effective configuration. Change any of
them and the entry is another one: nothing stale is ever read. The entry
also holds its whole key, which is compared on reading.

Every entry file is treated as hostile: one that is too large, truncated,
not JSON, of another format or key, or that does not decode, is a miss (and
is overwritten by the next write). Entries are written atomically (a
temporary file in the cache directory, then `os.replace`). The directory
is used only when this user owns it and no one else may write to it
(POSIX); otherwise the run goes on without a cache.

What is cached is the parse result only: what adapters read from a file
depends on the other files of the run (cross-file indexes), so it is not a
function of the file's content.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:  # pragma: no cover
    from linter.config import Config
    from linter.engine import InputFile
    from linter.plugin_manager import PluginHost
    from linter.source import LoadLimits

__all__ = ["CACHE_DIR_ENV", "DiskCache", "MISSING", "default_cache_dir", "open_cache", "run_salt"]

CACHE_DIR_ENV = "MLDEPLOY_LINT_CACHE_DIR"  # overrides the platform's location (tests point it at a scratch directory)
MISSING = object()
_LAYOUT = "v1"
# An entry is plain data of a file of at most LoadLimits.max_bytes: its text, and per node a few
# numbers. Far more than that is not an entry this tool wrote.
_ENTRY_FACTOR = 16


def default_cache_dir() -> str:
    """Where the cache lives by the platform's convention (`MLDEPLOY_LINT_CACHE_DIR` wins)."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override:
        return override
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(os.path.expanduser("~"), "AppData", "Local")
    elif sys.platform == "darwin":
        base = os.path.join(os.path.expanduser("~"), "Library", "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or ""
        if not os.path.isabs(base):  # the XDG spec: a relative value is invalid and ignored
            base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "mldeploy-lint")


def run_salt(host: "PluginHost", config: "Config") -> str:
    """A digest of the tool, the plugin set and the effective configuration: the run's part of every key."""
    from linter import __version__

    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"mldeploy-lint {__version__}\0".encode())
    import importlib

    for name in ("linter.source", "linter.nodes", "linter.source_codec", "linter.engine"):
        digest.update(_module_stamp(importlib.import_module(name)).encode("utf-8", "surrogateescape"))
    for name, plugin in sorted(host.manager.list_name_plugin(), key=lambda pair: str(pair[0])):
        version = getattr(plugin, "__version__", "")
        digest.update(f"\0plugin {name} {version if isinstance(version, str) else ''} ".encode("utf-8", "surrogateescape"))
        digest.update(_module_stamp(sys.modules.get(getattr(plugin, "__module__", "") or "") or plugin).encode("utf-8", "surrogateescape"))
    settings = json.dumps(dict(config.settings), sort_keys=True, default=repr, ensure_ascii=True)
    digest.update(f"\0config {config.root} {settings}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _module_stamp(module: Any) -> str:
    """A module's file, size and modification time: changes when the code does, cheaper than hashing it."""
    path = getattr(module, "__file__", None)
    if not isinstance(path, str):
        return f"{type(module).__module__}.{type(module).__qualname__}"
    try:
        info = os.stat(path)
    except OSError:
        return path
    return f"{path}:{info.st_size}:{info.st_mtime_ns}"


def open_cache(directory: str | None, salt: str, notes: list[str] | None = None) -> "DiskCache | None":
    """The cache in `directory` (the platform's default when None), or None when it cannot be used safely.

    The directory is created (private to this user) when missing. One that
    another user owns, or that others may write to, is not used: entries
    planted there would be read as this run's parse results. A line saying
    why goes to `notes`.
    """
    directory = os.path.abspath(directory or default_cache_dir())
    entries = os.path.join(directory, _LAYOUT)
    try:
        os.makedirs(os.path.dirname(directory), exist_ok=True)
        for path in (directory, entries):  # private: entries hold the text of the files linted
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                pass
        for path in (directory, entries):
            info = os.stat(path, follow_symlinks=False)
            if not stat.S_ISDIR(info.st_mode):
                raise OSError(f"{path} is not a directory")
            if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)):
                raise OSError(f"{path} is not this user's own (owned by another user, or writable by others)")
    except OSError as error:
        if notes is not None:
            notes.append(f"the cache directory cannot be used, running without it: {error}")
        return None
    return DiskCache(entries, salt)


class DiskCache:
    """Entry files in one directory; `get` and `put` never raise for what is on disk."""

    def __init__(self, directory: str, salt: str) -> None:
        self.directory = directory
        self.salt = salt
        self.hits = 0
        self.misses = 0
        self._made: set[str] = set()  # entry subdirectories known to exist
        self._skipped: frozenset[str] = frozenset()

    def without(self, paths: "Iterable[str]") -> "DiskCache":
        """This cache, with the files at `paths` neither read from it nor written to it."""
        other = DiskCache(self.directory, self.salt)
        other._made = self._made
        other._skipped = self._skipped | frozenset(os.path.abspath(path) for path in paths)
        return other

    def key(self, item: "InputFile", limits: "LoadLimits") -> str:
        """The entry's name for `item` ("" for a file left out: never found, never written)."""
        if self._skipped and os.path.abspath(item.path) in self._skipped:
            return ""
        digest = hashlib.blake2b(digest_size=20)
        header = json.dumps([self.salt, item.path, item.truncated, limits.max_bytes, limits.max_depth, limits.max_expanded_nodes])
        digest.update(header.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        digest.update(item.data)
        return digest.hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], key + ".json")

    def get(self, key: str, limits: "LoadLimits") -> Any:
        """The plain data stored under `key` (see `linter.source_codec`), or MISSING."""
        if not key:
            return MISSING
        data = self._read(self._path(key), limits.max_bytes * _ENTRY_FACTOR + 4096)
        if data is not None:
            try:
                entry = json.loads(data)
            except (ValueError, RecursionError):
                entry = None
            if type(entry) is dict and entry.get("key") == key and "source" in entry:
                self.hits += 1
                return entry["source"]
        self.misses += 1
        return MISSING

    @staticmethod
    def _read(path: str, limit: int) -> bytes | None:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            descriptor = os.open(path, flags)
        except OSError:
            return None
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
                return None
            with os.fdopen(descriptor, "rb") as stream:
                descriptor = -1
                data = stream.read(limit + 1)
            return data if len(data) <= limit else None
        except OSError:
            return None
        finally:
            if descriptor >= 0:
                os.close(descriptor)

    def put(self, key: str, encoded: Any) -> None:
        """Store `encoded` under `key`, atomically; a failure to write (a full disk) is ignored."""
        if not key:
            return
        path = self._path(key)
        try:
            text = json.dumps({"key": key, "source": encoded}, ensure_ascii=True, separators=(",", ":"))
        except (ValueError, TypeError, RecursionError):
            return
        directory = os.path.dirname(path)
        # Unique to this process and entry, created exclusively: another process writing the same
        # entry uses another name, and a file planted under this name makes the write fail, not follow it.
        temporary = os.path.join(directory, f".{key}.{os.getpid()}.tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        try:
            if directory not in self._made:
                os.makedirs(directory, mode=0o700, exist_ok=True)
                self._made.add(directory)
            descriptor = os.open(temporary, flags, 0o600)
        except OSError:
            return
        try:
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(text.encode("ascii"))
            os.replace(temporary, path)
        except OSError:
            try:
                os.unlink(temporary)
            except OSError:
                pass
