"""Loading the files of one run in worker processes (`--jobs`), with the same output as one process.

Only loading (decoding and parsing, through the plugins' `mldeploy_load`
and the disk cache) runs in workers: what adapters read from a document
depends on every other document of the run (cross-file indexes), and
linking and rules judge the whole run, so they stay in this process.

This process loads one batch of files in `jobs` itself (it would
otherwise wait), and `jobs - 1` workers load the rest. Workers are forked
from this process, so they have its plugins (entry
points, `--plugin` modules, plugin objects given to the host) and its
options as they are, with nothing to import again or to pickle. Each
returns a file's parse result as plain data (`linter.source_codec`) with
the findings its loading raised; this process rebuilds the file and
replays the findings in input order, so the run's output is byte for byte
that of `--jobs 1`. A file whose parse result plain data cannot carry (a
plugin's own document type, or node type no plugin's codec writes), and any batch a worker failed on (it
died, or its result could not be pickled), is loaded here instead, silently:
same result, less parallel. The per-file time limit holds in workers too
(each runs its tasks in its main thread, where `linter.deadline` works).

Forking needs POSIX `fork` and a process with no other thread (forking a
threaded process can deadlock the child); elsewhere (Windows, macOS, where
forking is unsafe, a language server's threads) files are loaded in this
process, silently.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING, Any, Iterator, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from linter.engine import InputFile, LintOptions, _Emitter
    from linter.plugin_manager import PluginHost
    from linter.source import SourceFile

__all__ = ["AUTO_MIN_CPUS", "AUTO_MIN_FILES", "available_cpus", "jobs_for", "load_in_processes"]

# With `jobs` unset, the run loads in one process below these. Starting
# workers costs little (they are forked), but this process still rebuilds
# every file a worker parsed (about a third of parsing it), and reading
# deployments, linking and rules stay here: on 2 CPUs the gain measured was
# nil or negative (bench/README.md, "Jobs and disk cache"), so it takes 3.
AUTO_MIN_FILES = 50
AUTO_MIN_CPUS = 3
# Files per task: small enough to spread the work and stream results back in
# order, large enough that sending tasks costs little.
_BATCH_FILES = 16
_BATCH_BYTES = 256 * 1024


def available_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """Whether worker processes can be forked safely here."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


def jobs_for(requested: int | None, inputs: Sequence["InputFile"]) -> int:
    """The number of processes that load `inputs` (this one included): `requested`, or by the run's size when None.

    1 where forking is unsafe.
    """
    if not can_fork():
        return 1
    if requested is None:
        requested = available_cpus()
        if len(inputs) < AUTO_MIN_FILES or requested < AUTO_MIN_CPUS:
            return 1
    return max(1, min(requested, len(inputs)))


def load_in_processes(
    wanted: Sequence["InputFile"], host: "PluginHost", options: "LintOptions", emit: "_Emitter", jobs: int
) -> Iterator[tuple["InputFile", "SourceFile"]]:
    """What `engine._loaded` yields, each file loaded here or by one of `jobs - 1` forked workers; see the module docstring."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from linter import source_codec
    from linter.engine import _cached_load

    batches = _batches(wanted)
    # This process loads one batch in `jobs` itself, between taking the workers' results in order:
    # it would otherwise sit waiting, and a batch it loads needs no carrying back.
    here = {number for number in range(len(batches)) if number % jobs == jobs - 1}
    executor = ProcessPoolExecutor(
        max_workers=jobs - 1,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(wanted, host, options, emit.rules_by_id),
    )
    try:
        futures = {number: executor.submit(_load_batch, batch) for number, batch in enumerate(batches) if number not in here}
        for number, batch in enumerate(batches):
            if number in here:
                results = [(position, False, None, ()) for position in batch]
            else:
                try:
                    results = futures.pop(number).result()
                except Exception:  # noqa: BLE001 - a worker died or its result did not pickle: load the batch here
                    results = [(position, False, None, ()) for position in batch]
            for position, encoded, data, findings in results:
                item = wanted[position]
                source = None
                if encoded:
                    try:
                        source = source_codec.decode(data, item.decoded(options.limits)[0], host.node_codecs())
                    except ValueError:
                        encoded = False
                    if source is not None and source.path != item.path:  # not this file's entry
                        encoded = False
                if not encoded:
                    source = _cached_load(item, host, options, emit)
                else:
                    emit.findings.extend(findings)
                yield item, source
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _batches(wanted: Sequence["InputFile"]) -> list[list[int]]:
    batches: list[list[int]] = [[]]
    size = 0
    for position, item in enumerate(wanted):
        if batches[-1] and (len(batches[-1]) >= _BATCH_FILES or size + len(item.data) > _BATCH_BYTES):
            batches.append([])
            size = 0
        batches[-1].append(position)
        size += len(item.data)
    return batches


# The worker's share of the run, set once when it starts (it is a forked copy of the parent).
_WORKER: dict[str, Any] = {}


def _start_worker(wanted, host, options, rules_by_id) -> None:
    _WORKER.update(wanted=wanted, host=host, options=options, rules_by_id=rules_by_id)


def _load_batch(positions: list[int]) -> list[tuple[int, bool, Any, tuple]]:
    """(position, encoded, plain data, findings) per file; encoded False asks the parent to load the file itself."""
    from linter.source import _gc_paused

    # The batch's results are many small containers kept until it ends: full collections over them,
    # again and again, would double the batch's cost. Its garbage is freed when the batch ends.
    with _gc_paused():
        return _load_files(positions)


def _load_files(positions: list[int]) -> list[tuple[int, bool, Any, tuple]]:
    from linter import disk_cache, source_codec
    from linter.engine import _Emitter, _timed_load

    wanted, host, options = _WORKER["wanted"], _WORKER["host"], _WORKER["options"]
    disk = options.disk_cache
    results = []
    for position in positions:
        item = wanted[position]
        key = ""
        if disk is not None:
            key = disk.key(item, options.limits)
            stored = disk.get(key, options.limits)
            if stored is not disk_cache.MISSING:
                results.append((position, True, stored, ()))  # decoded (and checked) by the parent
                continue
        emit = _Emitter(_WORKER["rules_by_id"], [])
        source, cacheable = _timed_load(item, host, options, emit)
        try:
            data = source_codec.encode(source, item.decoded(options.limits)[0], host.node_codecs())
        except source_codec.Unencodable:
            results.append((position, False, None, ()))
            continue
        if cacheable and disk is not None:
            disk.put(key, data)
        results.append((position, True, data, tuple(emit.findings)))
    return results
