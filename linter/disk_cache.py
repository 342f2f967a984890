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

Besides parse results, an entry may hold a remembered fact (`remember`,
`remembers`): a verdict that is slow to reach and fixed by its inputs, such
as "this configuration is valid against this schema with this code", named
by the digest of the whole fact; or plain data kept under a name (`store`,
`load`), such as which words a repository's files hold
(`linter.word_index`), whose reader checks it against what it describes.

Files under `MIN_ENTRY_BYTES` are not cached: reading their entries
would be no faster than parsing them. What is cached is the parse result only: what adapters read from a file
depends on the other files of the run (cross-file indexes), so it is not a
function of the file's content.

The cache is bounded, as ruff bounds its own (entries not seen for 30 days
are dropped; `ruff clean` empties it), and not configurable either: an
entry read is marked used (its modification time, refreshed at most once a
day), and at most once a day (a stamp file records when) a run removes the
entries not used for `MAX_UNUSED_DAYS` days, then the least recently used
ones until the entries take at most `MAX_TOTAL_BYTES`. `clean` removes
them all. Both remove only what this module writes: entry files named by a
key in their key-prefix directory, temporary files of writes that died, the
stamp, and those directories once empty; anything else in the directory is
left as it is. Another process may read, write or prune at the same time: a
file that vanishes under one is a miss, or already removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
import time
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:  # pragma: no cover
    from linter.config import Config
    from linter.engine import InputFile
    from linter.plugin_manager import PluginHost
    from linter.source import LoadLimits

__all__ = [
    "CACHE_DIR_ENV",
    "DiskCache",
    "MAX_TOTAL_BYTES",
    "MAX_UNUSED_DAYS",
    "MIN_ENTRY_BYTES",
    "MISSING",
    "PRUNE_EVERY_SECONDS",
    "Removed",
    "clean_cache",
    "code_stamp",
    "default_cache_dir",
    "open_cache",
    "run_salt",
]

CACHE_DIR_ENV = "MLDEPLOY_LINT_CACHE_DIR"  # overrides the platform's location (tests point it at a scratch directory)
MISSING = object()
_LAYOUT = "v1"
# An entry is plain data of a file of at most LoadLimits.max_bytes: its text, and per node a few
# numbers. Far more than that is not an entry this tool wrote.
_ENTRY_FACTOR = 16

# Measured on the shared corpus (CPython 3.11, ext4): a file under 512 bytes parses in 0.19 ms and
# its entry reads back in 0.18 ms, but writing the entry takes 0.35 ms (creating and renaming a
# file); from 512 bytes on, reading saves more with the file's size (0.45 against 0.28 ms at 1 KB).
MIN_ENTRY_BYTES = 512
# The bound (see the module docstring). An entry is about the size of its file, so 512 MB holds
# the parse results of a few hundred repositories of the corpus's size.
MAX_UNUSED_DAYS = 30
MAX_TOTAL_BYTES = 512 * 1024 * 1024
PRUNE_EVERY_SECONDS = 24 * 3600  # also how stale an entry's "last used" time may be
_STAMP = "pruned"  # in the layout directory; its modification time is the last pruning's
_TEMPORARY_AGE = 3600  # a temporary file this old belongs to a write that died
_ENTRY_NAME = re.compile(r"[0-9a-f]{40}\.json")
_TEMPORARY_NAME = re.compile(r"\.[0-9a-f]{40}\.[0-9]+\.tmp")
_PREFIX_NAME = re.compile(r"[0-9a-f]{2}")


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
    # A plugin's node types are written and read by its codecs: the code they name is part of the key too.
    for codec in host.node_codecs():
        digest.update(f"\0codec {codec.name!r} {codec.node_type!r} {code_stamp(codec.depends_on)}".encode("utf-8", "surrogateescape"))
    settings = json.dumps(dict(config.settings), sort_keys=True, default=repr, ensure_ascii=True)
    digest.update(f"\0config {config.root} {settings}".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _module_stamp(module: Any) -> str:
    """A module's file, size and modification time: changes when the code does, cheaper than hashing it."""
    path = getattr(module, "__file__", None)
    if not isinstance(path, str):
        return f"{type(module).__module__}.{type(module).__qualname__}"
    return _file_stamp(path)


def _file_stamp(path: str) -> str:
    try:
        info = os.stat(path)
    except OSError:
        return path
    return f"{path}:{info.st_size}:{info.st_mtime_ns}"


def code_stamp(module_names: "Iterable[str]") -> str:
    """The stamps (file, size, modification time) of the named modules, without importing those not yet imported.

    For a fact remembered between runs (`DiskCache.remember`) that depends on
    code: upgrading or editing any of the modules changes the stamp. A module
    that cannot be found is stamped by its name alone.
    """
    import importlib.util

    stamps = []
    for name in module_names:
        module = sys.modules.get(name)
        if module is not None:
            stamps.append(_module_stamp(module))
            continue
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = getattr(spec, "origin", None)
        stamps.append(_file_stamp(origin) if isinstance(origin, str) else name)
    return "\0".join(stamps)


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
        """The entry's name for `item` ("" for a file left out: never found, never written).

        Files under `MIN_ENTRY_BYTES` are left out: parsing one is as fast
        as reading its entry, and writing the entry would only cost.
        """
        if len(item.data) < MIN_ENTRY_BYTES or (self._skipped and os.path.abspath(item.path) in self._skipped):
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
        entry = self._entry(key, limits.max_bytes * _ENTRY_FACTOR + 4096)
        if entry is not None and "source" in entry:
            self.hits += 1
            return entry["source"]
        self.misses += 1
        return MISSING

    def _entry(self, key: str, limit: int) -> dict | None:
        """The entry file named by `key`, decoded, when it is at most `limit` bytes of JSON holding that key; else None."""
        data = self._read(self._path(key), limit)
        if data is None:
            return None
        try:
            entry = json.loads(data)
        except (ValueError, RecursionError):
            return None
        return entry if type(entry) is dict and entry.get("key") == key else None

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
            if info.st_mtime < time.time() - PRUNE_EVERY_SECONDS:  # used: not to be pruned as unused
                try:
                    os.utime(descriptor if os.utime in os.supports_fd else path)
                except OSError:
                    pass
            with os.fdopen(descriptor, "rb") as stream:
                descriptor = -1
                # Sized by the file: read(limit + 1) would allocate the whole limit (tens of MB) for every entry.
                data = stream.read(info.st_size + 1)
            return data if len(data) <= min(limit, info.st_size) else None
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

    def remembers(self, fact: str) -> bool:
        """Whether a run wrote `fact` down here (`remember`); entries are found by the fact's digest.

        For verdicts that are slow to reach and never change for the same
        input, such as "this configuration is valid": `fact` must hold
        everything the verdict depends on (the code's `code_stamp` too).
        """
        entry = self._entry(self._fact_key(fact), 4096)
        return entry is not None and entry.get("source") is True

    def remember(self, fact: str) -> None:
        """Write `fact` down (see `remembers`); a failure to write is ignored."""
        self.put(self._fact_key(fact), True)

    def load(self, name: str, limit: int) -> Any:
        """The plain data `store` wrote under `name`, or MISSING (none, unreadable, over `limit` bytes, not ours)."""
        entry = self._entry(self._fact_key(name, b"named\0"), limit)
        return entry["source"] if entry is not None and "source" in entry else MISSING

    def store(self, name: str, data: Any) -> None:
        """Write plain data (JSON's) under `name`, atomically, replacing what was there; a failure is ignored."""
        self.put(self._fact_key(name, b"named\0"), data)

    @staticmethod
    def _fact_key(fact: str, kind: bytes = b"fact\0") -> str:
        digest = hashlib.blake2b(kind, digest_size=20)
        digest.update(fact.encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    def maybe_prune(self, now: float | None = None) -> "Removed | None":
        """Prune (see `prune`) when the last pruning is `PRUNE_EVERY_SECONDS` old or more; None when not due.

        Cheap when not due: one `stat` of the stamp. The stamp is renewed
        before pruning, so that runs starting meanwhile do not prune too
        (two that race both prune, which is harmless).
        """
        now = time.time() if now is None else now
        stamp = os.path.join(self.directory, _STAMP)
        try:
            if now - os.stat(stamp, follow_symlinks=False).st_mtime < PRUNE_EVERY_SECONDS:
                return None
        except OSError:
            pass  # never pruned (or the stamp is gone): due
        if not _renew_stamp(stamp, now):
            return None  # the directory cannot be written: nothing was written to it either
        return self.prune(now)

    def prune(self, now: float | None = None) -> "Removed":
        """Remove entries not used for `MAX_UNUSED_DAYS` days, then the least recently used above `MAX_TOTAL_BYTES`."""
        now = time.time() if now is None else now
        removed = Removed()
        kept: list[tuple[float, int, str]] = []  # (last used, size, path)
        total = 0
        for path, info, temporary in _own_files(self.directory):
            if temporary:
                if now - info.st_mtime >= _TEMPORARY_AGE:
                    removed.remove(path, info.st_size)
            elif now - info.st_mtime >= MAX_UNUSED_DAYS * 86400:
                removed.remove(path, info.st_size)
            else:
                kept.append((info.st_mtime, info.st_size, path))
                total += info.st_size
        if total > MAX_TOTAL_BYTES:
            kept.sort()
            for _, size, path in kept:
                if total <= MAX_TOTAL_BYTES:
                    break
                removed.remove(path, size)
                total -= size
        return removed


class Removed:
    """What a pruning or cleaning removed: a count of files and their bytes."""

    def __init__(self) -> None:
        self.files = 0
        self.bytes = 0

    def remove(self, path: str, size: int) -> None:
        try:
            os.unlink(path)
        except OSError:
            return  # gone already (another run pruned it), or not ours to remove
        self.files += 1
        self.bytes += size


def clean_cache(directory: str | None = None) -> tuple[str, "Removed"]:
    """Remove every entry of the cache in `directory` (the default's when None): (the directory, what was removed).

    Only this module's files go (see the module docstring), and the
    directories below `directory` they leave empty; a directory holding
    anything else stays, and so does `directory` itself.
    A missing directory is an empty cache.
    """
    directory = os.path.abspath(directory or default_cache_dir())
    entries = os.path.join(directory, _LAYOUT)
    removed = Removed()
    for path, info, _ in _own_files(entries):
        removed.remove(path, info.st_size)
    try:
        stamp = os.path.join(entries, _STAMP)
        if stat.S_ISREG(os.stat(stamp, follow_symlinks=False).st_mode):
            os.unlink(stamp)
    except OSError:
        pass
    try:
        prefixes = [entry.name for entry in os.scandir(entries) if _PREFIX_NAME.fullmatch(entry.name)]
    except OSError:
        prefixes = []
    for name in (*(os.path.join(entries, prefix) for prefix in prefixes), entries):
        try:
            os.rmdir(name)  # only when empty: what is not ours keeps its directory
        except OSError:
            pass
    return directory, removed


def _own_files(entries: str) -> "Iterable[tuple[str, os.stat_result, bool]]":
    """(path, status, is a temporary file) of each regular file this module wrote in `entries`; never follows a link."""
    try:
        prefixes = [entry for entry in os.scandir(entries) if _PREFIX_NAME.fullmatch(entry.name)]
    except OSError:
        return
    for prefix in prefixes:
        try:
            if not prefix.is_dir(follow_symlinks=False):
                continue
            names = list(os.scandir(prefix.path))
        except OSError:
            continue
        for entry in names:
            temporary = entry.name.startswith(".")
            pattern = _TEMPORARY_NAME if temporary else _ENTRY_NAME
            if not pattern.fullmatch(entry.name) or not entry.name[1 if temporary else 0 :].startswith(prefix.name):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # removed meanwhile
            if stat.S_ISREG(info.st_mode):
                yield entry.path, info, temporary


def _renew_stamp(stamp: str, now: float) -> bool:
    """Set the stamp's time to `now`, creating it if need be; False when that cannot be done."""
    try:
        descriptor = os.open(stamp, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError:
        return False
    try:
        os.utime(descriptor if os.utime in os.supports_fd else stamp, (now, now))
        return True
    except OSError:
        return False
    finally:
        os.close(descriptor)
