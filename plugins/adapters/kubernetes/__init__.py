"""The Kubernetes adapter: manifests, serving CRDs and node pools into the deployment model.

Reads every Kubernetes object of a document (a `List`'s items one by one,
multi-document YAML one document at a time) with the reader its API group
and kind call for (`readers.py`): plain workloads (`workloads.py`, pod
specs in `pod.py`), KServe (`kserve.py`), Seldon (`seldon.py`), KubeRay
(`ray.py`), Kubeflow training jobs (`training.py`), vLLM production-stack,
NVIDIA NIM and SageMaker HyperPod serving CRDs (`serving_crds.py`),
Karpenter node pools (`karpenter.py`), eksctl node groups (`eksctl.py`),
and ACK resources: SageMaker (`ack_sagemaker.py`) and Application Auto
Scaling (`ack_autoscaling.py`) objects linked by their AWS names
(`ack_links.py`, shared reading in `ack.py`).
Autoscalers are read in `autoscalers.py`, PodDisruptionBudgets in
`disruption.py`. Links across documents and files — autoscalers and
PodDisruptionBudgets to the workloads they name or select, Namespaces to
what lives in them — go through one index of the whole run (`index.py`),
so the order in which documents are read does not matter. The workload
profile comes from `mldeploy-lint.io/<key>` annotations
(`workload_profile.py`), suppressions from `ignore.mldeploy-lint.io/<rule>`
annotations of the objects read (`ignores.py`).

The model's Kubernetes conventions: a workload is platform `kubernetes`,
kind `service` or `job`, one unit per pod template whose `count` is the
replica count; `Unit.scaling` holds every autoscaler that names the
workload (and the scaling a serving CRD does itself); `Availability.
disruption_budget` is the name of the PodDisruptionBudget that selects its
pods, or "" (known) when no budget of the run does, and unknown when the
pods' labels are not all known. Node pools are platform
`karpenter-nodepool` or `eks-nodegroup`, kind unknown. ACK resources are
platform `sagemaker`, shaped as the CloudFormation and SageMaker API
adapters shape the same requests.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from linter import ContextPrefilter, ContextRequest, Document, LoadLimits, OptionSection, RunContext, SourceFile, UnrenderedTemplate, WholeNames, child, hookimpl, load_text

from plugins.adapters.kubernetes.objects import DEFAULT_NAMESPACE, is_object, kserve_owners, kserve_workloads, manifests

_STAGE_PATTERNS = {"type": "array", "items": {"type": "string", "minLength": 1}}

# The key this adapter adds to the core's `[environments]` section (read in `workload_profile.py`).
NAMESPACE_STAGES = OptionSection(
    "environments",
    {
        "type": "object",
        "properties": {
            "namespaces": {
                "type": "object",
                "additionalProperties": False,
                "description": "Stage -> Kubernetes namespace name patterns (shell-style: `*`, `?`, `[...]`). "
                "A matching pattern wins over a stage word in the namespace name, prod first.",
                "properties": {"prod": _STAGE_PATTERNS, "staging": _STAGE_PATTERNS, "dev": _STAGE_PATTERNS},
            }
        },
    },
)


@hookimpl
def mldeploy_options() -> list[OptionSection]:
    return [NAMESPACE_STAGES]


# What in one file links to objects of another (through `index.py`): autoscalers and KEDA objects,
# PodDisruptionBudgets, Namespaces, Karpenter pools and node classes, KServe serving runtimes, and ACK
# resources (`*.services.k8s.aws`). A workload is only ever linked *to*; tests/adapters keep the list
# in step with the kinds the readers index.
AUTOSCALER_WORDS = ("HorizontalPodAutoscaler", "ScaledObject")
LINKING_WORDS = AUTOSCALER_WORDS + (
    "PodDisruptionBudget",
    "Namespace",
    "NodePool",
    "Provisioner",
    "NodeClass",
    "ServingRuntime",
    "services.k8s.aws",
)
# What makes a context file wanted whatever names it holds: what applies to any workload (disruption
# budgets, namespaces, Karpenter's pools, and the node classes a pool reads), KServe's serving runtimes when
# a linted file holds an InferenceService, and ACK resources (`services.k8s.aws`, which link only to each
# other) when a linted file holds one. An autoscaler is wanted only where it may name a linted object, and
# a linted autoscaler wants the files that may hold its target (`_LintedObjects`). A linted budget,
# Namespace, node class or serving runtime reaches the model only through the workloads it applies to, and
# the workloads of context files are not judged: it wants no more than a workload.
_FOR_ANY_WORKLOAD = ("PodDisruptionBudget", "Namespace", "NodePool", "Provisioner", "NodeClass")
_FOR_KSERVE = ("ServingRuntime",)
_FOR_ACK = ("services.k8s.aws",)
_FOR_SELDON_CORE_2 = ("mlops.seldon.io",)  # the Server a linted Model is loaded into (its accelerators)
# Every value written after a `name` key (YAML or JSON): a superset of the names an autoscaler may target.
# It starts with the literal `name` (a quote before the key need not be matched): the regular expression
# engine then finds each candidate by a fast search, five times faster over a repository's manifests.
_NAME = re.compile(r"""name["']?\s*:\s*["']?([^\s"',{}\[\]#]*)""")


def _unread_name(written: str) -> bool:
    """True for what `_NAME` found but cannot read as the name: nothing, an alias, a tag, a block scalar, a
    directive or a quoted name with escapes."""
    return not written or written[0] in "*&!|>%@`\\" or "\\" in written


@hookimpl
def mldeploy_context_wanted(path: str, text: str, request: ContextRequest) -> bool:
    """A context file that may hold what links to the linted objects (`_linking_words`), an autoscaler only
    when it may name one of them, and a linted autoscaler's target, or a workload its typo may mean; every
    file when the linted files cannot be read for that (`_LintedObjects`); none when no linted file is
    Kubernetes."""
    linted = _linted_objects(request)
    if linted is None or linted is True:
        return bool(linted)
    if _links_whatever_names(text, _linking_words(request)):
        return True
    if linted.names and any(word in text for word in AUTOSCALER_WORDS):
        if request.memo(("kubernetes", "names"), lambda: WholeNames(linted.names)).search(text) is not None:
            return True
    if any(_may_hold_target(text, target, request) for target in linted.targets):
        return True
    return any(_may_be_selected(text, selection, request) for selection in linted.selections)


def _may_be_selected(text: str, selection: "tuple[str, frozenset[str] | None]", request: ContextRequest) -> bool:
    """True when `text` may hold a workload a linted budget selects: its namespace (said, or the default one) and
    one of the values the budget requires of a label, each as a whole name."""
    namespace, values = selection
    if "kind" not in text:
        return False
    if namespace != DEFAULT_NAMESPACE:
        if request.memo(("kubernetes", "whole", namespace), lambda: WholeNames(frozenset((namespace,)))).search(text) is None:
            return False
    return values is None or request.memo(("kubernetes", "selected", values), lambda: WholeNames(values)).search(text) is not None


def _may_hold_target(text: str, target: tuple[str, str, str], request: ContextRequest) -> bool:
    """True when `text` may hold a linted autoscaler's target (namespace, kind, name), a namesake of it in
    another namespace, or an object of its kind and namespace whose name its name may be a typo of."""
    namespace, kind, name = target
    if kind not in text:
        return False
    if request.memo(("kubernetes", "whole", name), lambda: WholeNames(frozenset((name,)))).search(text) is not None:
        return True
    if namespace != DEFAULT_NAMESPACE:  # an object of the default namespace may not say so
        if request.memo(("kubernetes", "whole", namespace), lambda: WholeNames(frozenset((namespace,)))).search(text) is None:
            return False
    from plugins.adapters.kubernetes.readers import may_be_typo

    for match in _NAME.finditer(text):
        written = match.group(1)
        if _unread_name(written) or may_be_typo(name, written):
            return True
    return False


def _links_whatever_names(text: str, words: tuple[str, ...]) -> bool:
    """True when `text` may hold an object that links, whatever it names, to a linted one: one of `words`.

    `Namespace` counts only as a word of its own beside a `kind`: a
    CloudWatch alarm's `Namespace` in a CloudFormation template has no kind,
    and a scalable target's `serviceNamespace` is part of a longer word,
    while a Namespace object is written `kind: Namespace`.
    """
    for word in words:
        if word in text and (word != "Namespace" or ("kind" in text and _NAMESPACE_WORD.search(text) is not None)):
            return True
    return False


_NAMESPACE_WORD = re.compile(r"(?<![A-Za-z])Namespace")


@hookimpl
def mldeploy_context_prefilter(request: ContextRequest) -> ContextPrefilter | None:
    """What `mldeploy_context_wanted` looks for: the linking words, an autoscaler's only beside a linted
    object's name, and a linted autoscaler's target kind beside its namespace or name."""
    linted = _linted_objects(request)
    if linted is None:
        return ContextPrefilter()
    if linted is True:
        return None
    # A target kind pairs with the target's namespace and name (the pairing is any naming word with any
    # name: a superset); in the default namespace, whose objects may not say so, the kind is enough alone.
    anywhere = {kind for namespace, kind, _ in linted.targets if namespace == DEFAULT_NAMESPACE}
    paired = {kind for _, kind, _ in linted.targets} - anywhere
    names = set(linted.names)
    for namespace, _, name in linted.targets:
        names.add(name)
        if namespace != DEFAULT_NAMESPACE:
            names.add(namespace)
    # A workload a linted budget selects: `kind` beside a value it requires, or beside its namespace.
    selecting = ("kind",) if linted.selections else ()
    every_object = False
    for namespace, values in linted.selections:
        names.update(values or ())
        if namespace != DEFAULT_NAMESPACE:
            names.add(namespace)
        elif values is None:
            every_object = True  # any object of the default namespace may be selected
    return ContextPrefilter(
        words=_linking_words(request) + tuple(sorted(anywhere)) + (("kind",) if every_object else ()),
        naming_words=AUTOSCALER_WORDS + tuple(sorted(paired)) + selecting,
        names=tuple(sorted(names)),
    )


def _linking_words(request: ContextRequest) -> tuple[str, ...]:
    """The words of a context file that links to the linted objects whatever it names (once per run)."""

    def words() -> tuple[str, ...]:
        kserve = any("serving.kserve.io" in text for text in request.linted.values())
        ack = any(word in text for text in request.linted.values() for word in _FOR_ACK)
        seldon = any(_FOR_SELDON_CORE_2[0] in text for text in request.linted.values())
        return _FOR_ANY_WORKLOAD + (_FOR_KSERVE if kserve else ()) + (_FOR_ACK if ack else ()) + (_FOR_SELDON_CORE_2 if seldon else ())

    return request.memo(("kubernetes", "linking words"), words)


@dataclass(frozen=True)
class _LintedObjects:
    """What the linted objects may link to in other files, when that is not every file.

    `names`: the names of the linted objects (an autoscaler elsewhere that
    names one is wanted; past `_MAX_PARSED_BYTES`, every value written after
    a `name` key); `targets`: each linted autoscaler's (namespace, kind,
    name) target. Its link is made, or its typo shown, from the objects of
    that kind in that namespace and from its namesakes in other namespaces
    (`readers.scaling_target`); `selections`: what each linted budget's
    selected workloads must hold.
    """

    names: frozenset[str]
    targets: tuple[tuple[str, str, str], ...] = ()
    # Each linted PodDisruptionBudget's (namespace, the values one of which its selected pods carry under a label
    # it requires; None when it requires none): the workloads it selects are judged with it.
    selections: tuple[tuple[str, "frozenset[str] | None"], ...] = ()


def _linted_objects(request: ContextRequest) -> "_LintedObjects | bool | None":
    """What the linted files may read of the others: everything (True), what `_LintedObjects` says, or
    nothing (None: no linted file is Kubernetes). Once per run."""
    return request.memo(("kubernetes", "linted"), lambda: _read_linted_objects(request))


# Linted Kubernetes files of at most this many bytes in all are parsed to choose their context (and again
# when loaded): a pre-commit hook's few changed files, an editor's open document. Past it, every value
# written after a `name` key counts as a linted object's name, and a linted autoscaler makes every file wanted.
_MAX_PARSED_BYTES = 256 * 1024


def _read_linted_objects(request: ContextRequest) -> "_LintedObjects | bool | None":
    texts = {path: text for path, text in request.linted.items() if "apiVersion" in text}
    if not texts:
        return None
    if sum(map(len, texts.values())) <= _MAX_PARSED_BYTES:
        return _parsed_objects(texts, request.options.limits)
    if any(word in text for text in texts.values() for word in AUTOSCALER_WORDS):
        return True
    names = frozenset(match.group(1) for text in texts.values() for match in _NAME.finditer(text))
    if any(map(_unread_name, names)):
        return True
    return _LintedObjects(names)


def _parsed_objects(texts: dict[str, str], limits: LoadLimits) -> "_LintedObjects | bool":
    """The names of the objects of the linted files and their autoscalers' targets, as the readers read them;
    True (every file wanted) when a file does not load cleanly or an object's name is not text."""
    from plugins.adapters.kubernetes.autoscalers import is_autoscaler, read_autoscaler
    from plugins.adapters.kubernetes.disruption import is_budget, read_budget

    names: set[str] = set()
    targets: list[tuple[str, str, str]] = []
    selections: list[tuple[str, frozenset[str] | None]] = []
    for path, text in texts.items():
        source = load_text(path, text, limits)
        if source.problems:
            return True
        for document in source.documents:
            for manifest in manifests(document):
                if manifest.name is not None:
                    names.add(manifest.name)
                    if manifest.kind == "InferenceService":  # the Deployments KServe makes, which an external autoscaler names
                        names.update(kserve_workloads(manifest.name))
                elif child(manifest.metadata, "name") is not None:
                    return True
                if is_autoscaler(manifest):
                    target = read_autoscaler(manifest).target_key
                    if target is not None:  # else it links to nothing
                        targets.append(target)
                        if target[1] == "Deployment":  # or the InferenceService KServe made it for
                            targets += [(target[0], "InferenceService", service) for service, _ in kserve_owners(target[2])]
                if is_budget(manifest):
                    budget = read_budget(manifest)
                    if budget.selector.valid:  # an invalid selector selects nothing
                        required = budget.selector.required_label()
                        selections.append((budget.namespace, required[1] if required is not None else None))
    return _LintedObjects(frozenset(names), tuple(dict.fromkeys(targets)), tuple(dict.fromkeys(selections)))


@hookimpl
def mldeploy_non_stage_names() -> tuple[str, ...]:
    """vLLM's `production-stack` (its Helm charts, operator and examples) is a product, not a production stage."""
    return ("production-stack",)


@hookimpl
def mldeploy_unrendered_template(path: str, text: str | None) -> UnrenderedTemplate | None:
    """A Helm chart's templates and values, Go-template files (see `helm.py`) and kustomize patches (`kustomize.py`)
    are not parsed."""
    from plugins.adapters.kubernetes.helm import unrendered_template
    from plugins.adapters.kubernetes.kustomize import kustomize_patch

    return unrendered_template(path, text) or kustomize_patch(path, text)


@hookimpl
def mldeploy_document_origins(source: SourceFile) -> tuple[str, ...] | None:
    """The templates of a `helm template` stream's documents, from its `# Source:` comments (see `helm.py`)."""
    from plugins.adapters.kubernetes.helm import rendered_origins

    return rendered_origins(source)


@hookimpl
def mldeploy_extract(document: Document, run: RunContext) -> list | None:
    """The deployments and autoscaler reports of a Kubernetes document; None for anything else."""
    if not is_object(document.root):
        return None
    read, object_ignores, run_index = _extractors()
    index = run_index(run)
    failure = index.failures.get(document)
    if failure is not None:  # this document could not be read into the run's index
        raise failure
    found = index.objects_of(document)  # the objects the index holds: read once
    if found is None:  # a document outside the run's (not expected)
        found = manifests(document)
    if not found:
        return None
    results: list = []
    recognised = False
    for manifest in found:
        extracted = read(manifest, index)
        if extracted is None:
            continue
        recognised = True
        results.extend(extracted)
        # Only objects this adapter reads: their suppressions must not make a
        # file of Services and ConfigMaps count as recognised.
        results.extend(object_ignores(manifest, run))
        results.extend(_judged_with(manifest, index, run))
    return results if recognised else None


def _judged_with(manifest, index, run: RunContext) -> list:
    """The workloads a linted autoscaler scales or a linted budget selects, when only context files hold them: read
    here, so that they are judged with it (AS003 and AS004 are an autoscaler's, HA007 a budget's, each found on
    the workload), as a whole run judges them.

    Once per workload however many linted objects apply to it; its own
    suppressions come with it; its input problems stay its file's.
    """
    if not _context_workloads(index, run):  # a run without context files (a whole repository, a stream)
        return []
    from plugins.adapters.kubernetes.disruption import is_budget
    from plugins.adapters.kubernetes.readers import scaled_workload

    if is_budget(manifest):
        selected = _by_budget(index, run).get(manifest.anchor, [])
    else:
        workload = scaled_workload(manifest, index)
        selected = [workload] if workload is not None and not run.is_reported(workload.document) else []
    judged: set = index.memo(("workloads judged with a linted object",), set)
    found: list = []
    for workload in selected:
        if id(workload.node) in judged:
            continue
        judged.add(id(workload.node))
        from plugins.adapters.kubernetes.ignores import object_ignores

        found += _deployments_of(workload, index) + list(object_ignores(workload, run))
    return found


def _deployments_of(workload, index) -> list:
    """The deployments read from a context workload, read once per run."""
    from linter import Deployment
    from plugins.adapters.kubernetes.readers import read

    return index.memo(
        ("deployments of a context workload", id(workload.node)),
        lambda: [item for item in read(workload, index) or () if isinstance(item, Deployment)],
    )


def _by_budget(index, run: RunContext) -> dict:
    """The context workloads whose pods take each budget, by the budget's anchor (found once per run)."""

    def build() -> dict:
        found: dict = {}
        for workload in _context_workloads(index, run):
            anchors = {link.span for item in _deployments_of(workload, index) for link in item.links if link.kind == "PodDisruptionBudget"}
            for anchor in anchors:
                found.setdefault(anchor, []).append(workload)
        return found

    return index.memo(("context workloads by budget",), build)


def _context_workloads(index, run: RunContext) -> list:
    """The workloads the model reads that only context files hold (found once per run)."""

    def build() -> list:
        if not run.reported_paths:
            return []
        from plugins.adapters.kubernetes.readers import reads

        return [item for item in index.manifests if not run.is_reported(item.document) and reads(item)]

    return index.memo(("workloads of context files",), build)


@hookimpl
def mldeploy_link(run: RunContext) -> None:
    """Nothing to re-link: every link this adapter makes is made while extracting, through the run index.

    Called once every document is extracted, so the index is dropped here
    (`index.release`): its objects and links are done with.
    """
    if _extractors.cache_info().currsize:  # else no Kubernetes object was read: no index was built
        from plugins.adapters.kubernetes.index import release

        release(run)
    return None


@functools.cache
def _extractors():
    """`readers.read`, `ignores.object_ignores` and `index.run_index`, imported on first use.

    The readers' table is imported only once a run holds a Kubernetes
    object: start-up stays light for CloudFormation-only runs. The ACK,
    KServe, Seldon ... modules behind it wait for an object of their kind
    (`readers.MODULE_OF`). Imported once, not per document of a long stream.
    """
    from plugins.adapters.kubernetes.ignores import object_ignores
    from plugins.adapters.kubernetes.index import run_index
    from plugins.adapters.kubernetes.readers import read

    return read, object_ignores, run_index


@hookimpl
def mldeploy_suppression_edit(document: Document, span, rule_id: str, reason: str):
    """The annotation that excuses `rule_id` for the object holding `span` (see `ignores.suppression_edit`)."""
    if not manifests(document):
        return None
    from plugins.adapters.kubernetes.ignores import suppression_edit

    return suppression_edit(document, span, rule_id, reason)
