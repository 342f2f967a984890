"""Kustomize patches: partial objects that only `kustomize build` completes.

A `kustomization.yaml` (or `.yml`, or `Kustomization`) names the files of
its directory it patches its resources with: `patches[].path`,
`patchesStrategicMerge[]` and `patchesJson6902[].path`. A strategic-merge
patch looks like a manifest but holds only the fields it changes (a
`replicas:`, an image), so judged alone it would be a Deployment with no
probes, no GPU request and no zone spread — none of which is true of the
object the overlay renders. Such files are not parsed: the run notes them
once per kustomization (`MD005 unrendered-template`), with the command that
renders the overlay for linting. The resources a kustomization lists are
whole manifests and are linted as usual.

The kustomization beside a file is read once per directory, from disk,
bounded in size; one that cannot be read or parsed names no patch.
"""

from __future__ import annotations

import functools
import os
import stat

from linter import MappingNode, ScalarNode, SequenceNode, UnrenderedTemplate, load_text

__all__ = ["KUSTOMIZATION_NAMES", "kustomize_patch"]

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# A kustomization is a few lines; one larger than this is not read (a pull request can hold anything).
_MAX_KUSTOMIZATION_BYTES = 256 * 1024
# The fields whose entries name patch files (as a path, or an entry's `path`).
_PATCH_FIELDS = ("patches", "patchesStrategicMerge", "patchesJson6902")


def kustomize_patch(path: str, text: str | None) -> UnrenderedTemplate | None:
    """The note for a file a kustomization names as a patch (one in its directory or up to `_LEVELS_UP` above it,
    as `patches/image.yaml` is named from the overlay); None for any other file.

    Only a file that may hold an object (`kind`) is looked up: a JSON 6902 patch (a list of operations) or any
    other file reads as no deployment anyway, and most files of a run pay no `stat`.
    """
    if path == "-" or text is None or "kind" not in text:
        return None
    directory, name = os.path.split(path)
    relative = name
    for _ in range(_LEVELS_UP + 1):
        kustomization = _kustomization_of(directory or ".")
        if kustomization is not None and os.path.normpath(relative) in kustomization[1]:
            return _note(kustomization[0], directory or ".")
        if not directory or os.path.basename(directory) in ("", ".", ".."):
            return None
        directory, parent = os.path.split(directory)
        relative = os.path.join(parent, relative)
    return None


# How many directories above a file its kustomization may stand (`patches/image.yaml`, `patches/prod/image.yaml`).
_LEVELS_UP = 2


def _note(kustomization: str, shown: str) -> UnrenderedTemplate:
    return UnrenderedTemplate(
        f"kustomization {kustomization} patches its resources with partial objects ({{files}}), which are not "
        f"linted alone — render the overlay and lint the output: kustomize build {shown} | mldeploy-lint -",
        group=kustomization,
    )


def _kustomization_of(directory: str) -> tuple[str, frozenset[str]] | None:
    """(the kustomization file of `directory`, the normalised paths of the patch files it names in that directory).

    Which file is the directory's kustomization is looked up once per version of the directory (its modification
    time changes when a file is added, removed or renamed), and the file is parsed once per version of it (path,
    size, modification time): one `stat` of the directory per call, so that a long-lived process (the language
    server) sees a kustomization created or edited.
    """
    try:
        version = os.stat(directory).st_mtime_ns
    except (OSError, ValueError):  # ValueError: a path no file system takes (a NUL in it)
        return None
    candidate = _kustomization_file(directory, version)
    if candidate is None:
        return None
    try:
        status = os.stat(candidate)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(status.st_mode) or status.st_size > _MAX_KUSTOMIZATION_BYTES:
        return None
    patches = _patches_of(candidate, status.st_size, status.st_mtime_ns)
    return (candidate, patches) if patches else None


@functools.lru_cache(maxsize=4096)
def _kustomization_file(directory: str, version: int) -> str | None:
    """The kustomization file of `directory` as it is at `version` (its modification time), or None."""
    for file_name in KUSTOMIZATION_NAMES:
        candidate = os.path.join(directory, file_name)
        try:
            if stat.S_ISREG(os.stat(candidate).st_mode):
                return candidate
        except (OSError, ValueError):
            continue
    return None


@functools.lru_cache(maxsize=256)
def _patches_of(path: str, size: int, modified: int) -> frozenset[str]:
    """The patch files the kustomization at `path` names (`size` and `modified` key its version)."""
    try:
        with open(path, "rb") as handle:
            text = handle.read(_MAX_KUSTOMIZATION_BYTES).decode("utf-8", errors="replace")
    except (OSError, ValueError):
        return frozenset()
    return _patch_paths(text, path)


def _patch_paths(text: str, path: str) -> frozenset[str]:
    """The relative paths of the patch files a kustomization's text names (those in its own directory tree)."""
    try:
        documents = load_text(path, text).documents
    except Exception:  # noqa: BLE001 - an unreadable kustomization names no patch; the run reports the file itself
        return frozenset()
    root = documents[0].root if documents else None
    if not isinstance(root, MappingNode):
        return frozenset()
    found: set[str] = set()
    for field in _PATCH_FIELDS:
        entries = root.get(field)
        for entry in entries.items if isinstance(entries, SequenceNode) else ():
            if isinstance(entry, MappingNode):
                entry = entry.get("path")
            if isinstance(entry, ScalarNode) and isinstance(entry.value, str) and "\n" not in entry.value:
                # An inline patch is text with newlines; a path stays within the kustomization's directory tree.
                relative = os.path.normpath(entry.value.strip())
                if relative and not os.path.isabs(relative) and not relative.startswith(".."):
                    found.add(relative)
    return frozenset(found)
