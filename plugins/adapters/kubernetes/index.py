"""The run-wide index of Kubernetes objects, for links across documents and files.

Built once per run (`run.memo`) over every document of the run, context
files included, so an HPA in one file finds the Deployment in another
whichever is extracted first; dropped once every document is extracted
(`release`, from the adapter's `mldeploy_link`). Objects are keyed by (namespace, kind, name),
the way `scaleTargetRef` names them, and also kept in run order
(`manifests`) for the indexes readers build over them (`memo`: ACK
resources link by their AWS names, not by object names);
PodDisruptionBudgets are kept per namespace, to be matched against pod
labels; Namespace objects give their labels to the environment of what
lives in them; Karpenter NodePools and Provisioners are kept by kind and
name, for the pods pinned to them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from linter import Document, MappingNode, RunContext

from plugins import data
from plugins.adapters.kubernetes.autoscalers import AUTOSCALER_KINDS, Autoscaler, read_autoscaler
from plugins.adapters.kubernetes.disruption import Budget, NamespaceBudgets, read_budget
from plugins.adapters.kubernetes.objects import Manifest, manifests

MEMO_KEY = ("plugins.adapters.kubernetes", "run-index")


class _Unread:
    """The type of `UNREAD`."""

    def __repr__(self) -> str:
        return "UNREAD"


UNREAD = _Unread()  # `RunIndex.add`'s reading of an object not read beforehand: read there
NODE_POOL_KINDS = {("karpenter.sh", "NodePool"), ("karpenter.sh", "Provisioner")}


@dataclass
class RunIndex:
    """Every Kubernetes object of the run, and the autoscalers and budgets among them."""

    manifests: list[Manifest] = field(default_factory=list)
    # key -> its objects (`with_key`): a key's one object alone, not in a list of its own (nearly every key is held once).
    objects: dict[tuple[str, str, str], "Manifest | list[Manifest]"] = field(default_factory=dict)
    autoscalers: list[Autoscaler] = field(default_factory=list)
    by_target: dict[tuple[str, str, str], list[Autoscaler]] = field(default_factory=dict)
    budgets: dict[str, list[Budget]] = field(default_factory=dict)
    namespaces: dict[str, Manifest] = field(default_factory=dict)
    # Stage -> namespace patterns the run's configuration gives (`[environments] namespaces`).
    namespace_stages: dict[str, list[str]] = field(default_factory=dict)
    # The run's `[data]` section, for the facts the readers infer from images and instance types.
    extensions: data.Extensions = data.SHIPPED
    node_pools: dict[tuple[str, str], list[Manifest]] = field(default_factory=dict)
    # How many directories every file of the run shares: pools that share no more with a pod are of other projects.
    run_root_depth: int = 0
    per_file: Counter = field(default_factory=Counter)  # (path, key) -> its objects, for the keys the run holds more than once
    failures: dict[Document, Exception] = field(default_factory=dict)  # document -> why it could not be read
    # document -> its objects, as indexed (`objects_of`): a document's one object alone, not in a list of its own
    # (nearly every document holds one: 20,000 lists for a 20,000-document stream).
    # (Documents, and nodes below, hash by identity: keys without an id() int made for each.)
    of_document: dict[Document, "Manifest | list[Manifest]"] = field(default_factory=dict)
    _by_node: dict[MappingNode, Autoscaler] = field(default_factory=dict)  # by the object's node (hashed by identity)
    _budgets_by_label: dict[str, NamespaceBudgets] = field(default_factory=dict)
    _memo: dict[Any, Any] = field(default_factory=dict)

    def add(self, manifest: Manifest, reading: "Autoscaler | Budget | None | _Unread" = UNREAD) -> None:
        """Index one object; `reading` is what `read` gave for it when read beforehand (None too), else `UNREAD`."""
        if reading is UNREAD:
            reading = read(manifest)
        key = manifest.key
        self.manifests.append(manifest)
        same_key = self.objects.get(key)
        if same_key is None:
            self.objects[key] = manifest
        else:
            # Counted only once a key is held twice: nearly every key of a run is held once, and its
            # entry would cost a tuple and a slot per object (20,000 of each for a 20,000-document stream).
            per_file = self.per_file
            if same_key.__class__ is Manifest:
                first_key = (same_key.document.path, key)  # type: ignore[union-attr]
                per_file[first_key] = per_file.get(first_key, 0) + 1
                same_key = self.objects[key] = [same_key]  # type: ignore[list-item]
            same_key.append(manifest)  # type: ignore[union-attr]
            file_key = (manifest.document.path, key)
            per_file[file_key] = per_file.get(file_key, 0) + 1
        if isinstance(reading, Autoscaler):
            autoscaler = reading
            self.autoscalers.append(autoscaler)
            self._by_node[manifest.node] = autoscaler
            if autoscaler.target_key is not None:
                self.by_target.setdefault(autoscaler.target_key, []).append(autoscaler)
        elif isinstance(reading, Budget):
            self.budgets.setdefault(reading.namespace, []).append(reading)
            self._budgets_by_label.setdefault(reading.namespace, NamespaceBudgets()).add(reading)
        elif manifest.group == "" and manifest.kind == "Namespace" and manifest.name:
            self.namespaces.setdefault(manifest.name, manifest)
        elif (manifest.group, manifest.kind) in NODE_POOL_KINDS and manifest.name:
            self.node_pools.setdefault((manifest.kind, manifest.name), []).append(manifest)

    def objects_of(self, document: Document) -> "tuple[Manifest] | list[Manifest] | None":
        """The objects of a document of the run, as indexed (the same objects); None for a document the index did not read."""
        found = self.of_document.get(document)
        return (found,) if found.__class__ is Manifest else found  # type: ignore[return-value]

    def with_key(self, key: tuple[str, str, str]) -> "Sequence[Manifest]":
        """The objects of the run with `key` (namespace, kind, name), in run order."""
        found = self.objects.get(key, ())
        return (found,) if found.__class__ is Manifest else found  # type: ignore[return-value]

    def autoscalers_of(self, manifest: Manifest) -> list[Autoscaler]:
        """The autoscalers whose scaleTargetRef names this object."""
        return list(self.by_target.get(manifest.key, ()))

    def autoscaler(self, manifest: Manifest) -> Autoscaler | None:
        """The index's reading of an autoscaler manifest (the same object, not a second reading)."""
        return self._by_node.get(manifest.node)

    def budgets_selecting(self, namespace: str, labels: dict[str, str]) -> list[Budget]:
        """The PodDisruptionBudgets of `namespace` that select pods with `labels`."""
        found = self._budgets_by_label.get(namespace)
        return found.selecting(namespace, labels) if found is not None else []

    def node_pool(self, kind: str, name: str, near: str = "") -> Manifest | None:
        """The Karpenter NodePool or Provisioner named `name` that a pod in the file `near` means; None if it is not clear.

        The one in `near` itself, else the one whose file shares the longest
        directory with `near` (files of one repository are deployed
        together); None when several pools of the run are equally near
        (two examples of other projects may both name their pool `gpu`).
        """
        nearest = self.nearest_node_pools(kind, name, near)
        return nearest[0] if len(nearest) == 1 else None

    def nearest_node_pools(self, kind: str, name: str, near: str = "") -> list[Manifest]:
        """The pools named `name` nearest the file `near` (see `node_pool`): one when the link is clear, several when not, none in the run."""
        found = self.node_pools.get((kind, name), ())
        same_file = [manifest for manifest in found if manifest.path == near]
        if same_file or len(found) <= 1:
            return (same_file or list(found))[:1]
        depth = {id(manifest): _shared_directories(manifest.path, near) for manifest in found}
        nearest = max(depth.values())
        return [manifest for manifest in found if depth[id(manifest)] == nearest]

    def near_node_pools(self, near: str) -> list[Manifest]:
        """Every pool of the run near the file `near`, whatever its name: those of the file itself, else those of the nearest directory.

        The nearest directory is the one sharing the most directories with
        `near`, counting only pools in the directory of `near` or above it,
        or sharing more than the directory all files of the run share: a
        pool of an unrelated directory (another project of the run) is never
        near. So pools in `repo/karpenter/` are near a pod in `repo/jobs/`
        when the run holds more than `repo`, not when `repo` is the run's
        whole (its root is then `repo`).
        """
        if not self.node_pools:  # most runs hold no pool: nothing is near any pod
            return []
        # Worked out once per file: every pod of a stream asks (a file of thousands of pools and pods).
        return self.memo(("near node pools", near), lambda: self._near_node_pools(near))

    def _near_node_pools(self, near: str) -> list[Manifest]:
        found = [manifest for pools in self.node_pools.values() for manifest in pools]
        same_file = [manifest for manifest in found if manifest.path == near]
        if same_file:
            return same_file
        depth = {}
        for manifest in found:
            shared = _shared_directories(manifest.path, near)
            above = shared == manifest.path.count("/")  # the pool's directory is the pod's or one above it
            if above or shared > self.run_root_depth:
                depth[id(manifest)] = shared
        if not depth:
            return []
        nearest = max(depth.values())
        return [manifest for manifest in found if depth.get(id(manifest)) == nearest]

    def find(self, key: tuple[str, str, str], near: str = "") -> Manifest | None:
        """The object with `key`, preferring one in the file `near`."""
        found = self.with_key(key)
        return next((manifest for manifest in found if manifest.path == near), found[0] if found else None)

    def in_other_namespaces(self, key: tuple[str, str, str]) -> list[Manifest]:
        """Objects of the key's kind and name in namespaces other than the key's."""
        namespace, kind, name = key
        # The keys of each kind and name, in the index's order, filed once (every dangling autoscaler asks).
        by_name = self.memo(("keys by kind and name",), self._keys_by_kind_and_name)
        return [manifest for other_key in by_name.get((kind, name), ()) if other_key[0] != namespace for manifest in self.with_key(other_key)]

    def _keys_by_kind_and_name(self) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
        found: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        for key in self.objects:
            found.setdefault((key[1], key[2]), []).append(key)
        return found

    def names_by_length(self, namespace: str, kind: str, keep: Callable[[Manifest], bool]) -> dict[int, list[str]]:
        """The names of the objects of `kind` in `namespace` that `keep` accepts, sorted, by their length (for
        "did you mean"); worked out once per namespace, kind and `keep`."""

        def build() -> dict[int, list[str]]:
            names = {
                key[2] for key in self.objects if key[0] == namespace and key[1] == kind and key[2] and any(keep(item) for item in self.with_key(key))
            }
            found: dict[int, list[str]] = {}
            for name in sorted(names):
                found.setdefault(len(name), []).append(name)
            return found

        return self.memo(("names by length", namespace, kind, keep), build)

    def duplicated(self, manifest: Manifest) -> bool:
        """True when the object's file holds its key more than once (ids then name the document)."""
        return self.per_file.get((manifest.path, manifest.key), 0) > 1

    def deployment_id(self, manifest: Manifest) -> str:
        return manifest.deployment_id(self.duplicated(manifest))

    def memo(self, key: Any, factory: Callable[[], Any]) -> Any:
        """A further index over these objects (the ACK links), or an answer worked out once for alike askers
        (pods of the same labels), built by `factory` on first use; made every time for a `key` no dictionary
        can hold (a value read from a file that is not text)."""
        try:
            return self._memo[key]
        except KeyError:
            made = self._memo[key] = factory()
            return made
        except TypeError:
            return factory()


def _shared_directories(path: str, other: str) -> int:
    """How many leading directories two file paths share."""
    shared = 0
    for mine, theirs in zip(path.split("/")[:-1], other.split("/")[:-1]):
        if mine != theirs:
            break
        shared += 1
    return shared


def _common_depth(paths: list[str]) -> int:
    """How many leading directories all the paths share.

    Each path is compared once however often it is given: a run gives one
    path per document, and a stream of 20,000 documents is one file.
    """
    if not paths:
        return 0
    first, *others = dict.fromkeys(paths)
    return min((_shared_directories(first, path) for path in others), default=len(first.split("/")) - 1)


# (API group, kind) -> whether the index reads such an object as an autoscaler (True) or a budget (False)
# (`is_autoscaler`, `is_budget`): one look-up per object, most of which are neither.
_READ_AS_AUTOSCALER: dict[tuple[str, str], bool] = {**dict.fromkeys(AUTOSCALER_KINDS, True), ("policy", "PodDisruptionBudget"): False}


def read(manifest: Manifest) -> Autoscaler | Budget | None:
    """What the index reads of an object beyond its key: an autoscaler or a disruption budget."""
    as_autoscaler = _READ_AS_AUTOSCALER.get((manifest.group, manifest.kind))
    if as_autoscaler is None:
        return None
    return read_autoscaler(manifest) if as_autoscaler else read_budget(manifest)


def build(run: RunContext) -> RunIndex:
    """Index every document of the run; one that fails to read is left out and its failure kept.

    The failure then costs that document only: its own extraction re-raises
    it (an MD002 there, nothing for a context file), and every other
    document is linted with the rest of the index.
    """
    index = RunIndex(
        namespace_stages=dict((run.settings("environments") or {}).get("namespaces", {})),
        run_root_depth=_common_depth([document.path for document in run.documents]),
        extensions=data.extensions_of(run),
    )
    for document in run.documents:
        try:
            found = manifests(document)  # a new list: kept as it is
            readings = [read(manifest) for manifest in found]
        except Exception as error:
            index.failures[document] = error
            continue
        index.of_document[document] = found[0] if len(found) == 1 else found
        for manifest, reading in zip(found, readings):
            index.add(manifest, reading)
    return index


class _Kept:
    """Where a run keeps its index (`run.memo`): built on first use, dropped by `release`."""

    __slots__ = ("index",)

    def __init__(self) -> None:
        self.index: RunIndex | None = None


def run_index(run: RunContext) -> RunIndex:
    """The index of this run, built on first use (and again on a use after `release`)."""
    kept = run.memo(MEMO_KEY, _Kept)
    if kept.index is None:
        kept.index = build(run)
    return kept.index


def release(run: RunContext) -> None:
    """Drop the run's index, and the ACK index built over it, once every document of the run is extracted.

    What they link is then held by the deployments and scaling targets read;
    the indexes themselves (every object of the run, its autoscalers,
    budgets and ACK entries) are ~40 MB for a 20,000-document stream that
    the rest of the run (checks, output) can use instead.
    """
    run.memo(MEMO_KEY, _Kept).index = None
