"""KServe InferenceService and LLMInferenceService (`serving.kserve.io`).

An InferenceService is one serving deployment with a unit per component
(`predictor`, then `transformer`, `explainer`). Each component is a pod
spec (containers, nodeSelector, affinity, tolerations, spread constraints
written inline) plus the model container KServe adds:
- the predictor's `model` (`modelFormat.name` -> framework through the data
  tables' KServe formats, `runtime`, `storageUri`, container fields), or a
  legacy `predictor.<format>` (`sklearn`, `xgboost`, ... — any key the
  formats table knows), or custom `containers` (a `model` and a container
  named `kserve-container` are one container, as KServe merges them); a transformer's legacy
  `custom.container`; an explainer's `alibi`/`art`;
- count: `minReplicas` (default 1 from the data tables; 0 is scale to
  zero, but 1 under the HPA of a Standard deployment); KServe writes the Knative
  `autoscaling.knative.dev/min-scale` annotation from it, over any written;
- scaling: KServe autoscales every component itself (Knative KPA or an
  HPA it creates), so each unit gets a `Scaling` linked by "KServe
  minReplicas/maxReplicas": the minimum as above, `maxReplicas` (or, in
  Knative mode, `max-scale`; in a Standard deployment at least the
  minimum, and the minimum when unset), and a policy from `scaleMetric`/`scaleTarget`,
  `autoScaling.metrics`, or the `autoscaling.knative.dev/target` and
  `serving.kserve.io/targetUtilizationPercentage` annotations — or, when
  none is written, one whose metric is the autoscaler's default (unknown
  here). `serving.kserve.io/autoscalerClass: none` means KServe does not
  scale it: no Scaling; `external` means an autoscaler KServe does not
  create does: the user's HPA or KEDA object on the Deployment KServe makes
  (`<name>-<component>`, or `<name>-<component>-default` before KServe
  0.9, in its namespace: `generated_workload`), whose Scaling the component
  takes when the run holds it, else a Scaling whose bounds and metric are
  not known, so that no rule says nothing scales it.
- pods carry the labels `serving.kserve.io/inferenceservice: <name>` and
  `component: <component>` besides the InferenceService's and the
  component's own, which is what PodDisruptionBudgets are matched against.
- runtime: a predictor `model` is served by a ServingRuntime (in its
  namespace) or ClusterServingRuntime of the run, named by `runtime`, or
  else chosen as KServe chooses: the runtimes whose `supportedModelFormats`
  list the model format with `autoSelect: true` (not `disabled`, not
  `multiModel` outside ModelMesh), namespace runtimes before cluster
  runtimes, the highest `priority` (a tie links none). The runtime's
  `kserve-container` (or first container) gives the model what the
  InferenceService leaves out: its image (and the image's build), its
  framework when no known model format says it, and the accelerator its
  resources request when the InferenceService requests none (KServe
  merges the two containers). The link is a `predictor.serving_runtime` fact
  (inferred) and a link for `explain`.
`serving.kserve.io/deploymentMode` (current name, via the data tables) and
the autoscaler class are attributes. ServingRuntimes, InferenceGraphs and
TrainedModels describe no deployment of their own and are not read.

An LLMInferenceService has a `main` unit from `spec.template` with
`spec.replicas` (default 1), a `prefill` unit when `spec.prefill` is
written, and a `worker` unit for multi-node `spec.worker`; it serves with
vLLM (llm-d) unless its containers name another image.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from linter import (
    NOT_WRITTEN,
    UNKNOWN,
    DeploymentKind,
    MappingNode,
    ModelSpec,
    SequenceNode,
    Provenance,
    ResourceRef,
    Scaling,
    ScalingPolicy,
    Sourced,
    Span,
    child,
    mappings,
)

from plugins import data
from plugins.adapters.aws.inferred_facts import weights_of
from plugins.adapters.kubernetes.autoscalers import DIMENSION
from plugins.adapters.kubernetes.index import RunIndex
from plugins.adapters.kubernetes.objects import (
    KSERVE_COMPONENTS,
    Manifest,
    iter_strings,
    key_span as key_of,
    kserve_owners,
    kserve_workloads,
    mapping,
    read_bool,
    read_int,
    read_quantity,
    read_str,
    string_map,
    text,
)
from plugins.adapters.kubernetes.pod import Pod, command_of, read_spec
from plugins.adapters.kubernetes.workloads import PodUnit, assemble, availability_of, replicas

KINDS = {("serving.kserve.io", "InferenceService"), ("serving.kserve.io", "LLMInferenceService")}
RUNTIME_KINDS = {("serving.kserve.io", "ServingRuntime"), ("serving.kserve.io", "ClusterServingRuntime")}
COMPONENTS = KSERVE_COMPONENTS
POD_LABEL = "serving.kserve.io/inferenceservice"
COMPONENT_LABEL = "component"
AUTOSCALER_CLASS = "serving.kserve.io/autoscalerClass"
NOT_SCALED_BY_KSERVE = ("none", "external")
SCALED_EXTERNALLY = "external"
KNATIVE_MIN, KNATIVE_MAX = "autoscaling.knative.dev/min-scale", "autoscaling.knative.dev/max-scale"
KNATIVE_LEGACY_MIN, KNATIVE_LEGACY_MAX = "autoscaling.knative.dev/minScale", "autoscaling.knative.dev/maxScale"
KNATIVE_TARGET, KNATIVE_METRIC = "autoscaling.knative.dev/target", "autoscaling.knative.dev/metric"
KSERVE_TARGET, KSERVE_METRIC = "serving.kserve.io/targetUtilizationPercentage", "serving.kserve.io/metrics"
LINKED_BY = "KServe minReplicas/maxReplicas"
CONTAINER_NAME = "kserve-container"  # the container KServe merges a component's model spec into
LLM_SERVER_FORMAT = "vllm"  # LLMInferenceService runs vLLM (llm-d) unless its template names another image


def read(manifest: Manifest, index: RunIndex) -> list:
    if manifest.kind == "LLMInferenceService":
        return _llm_inference_service(manifest, index)
    return _inference_service(manifest, index)


# --- InferenceService ------------------------------------------------------------------


def _inference_service(manifest: Manifest, index: RunIndex) -> list:
    spec = manifest.spec
    annotations = manifest.annotations
    attributes: list[tuple[str, Sourced]] = []
    mode = _annotation(annotations, data.raw_tables()["kubernetes"]["kserve_deployment_modes"]["annotation"])
    if mode is not None:
        current = data.kserve_deployment_mode(str(mode.value)) if mode.known else None
        attributes.append(
            ("deployment_mode", Sourced(current, mode.span, Provenance.DECLARED, f"annotation {mode.value}") if current else replace(mode, value=UNKNOWN, raw=mode.value, note="not a KServe deployment mode"))
        )
    autoscaler_class = _annotation(annotations, AUTOSCALER_CLASS)
    if autoscaler_class is not None:
        attributes.append(("autoscaler_class", autoscaler_class))
    mode_name = data.kserve_deployment_mode(str(mode.value)) if mode is not None and mode.known else None

    units: list[PodUnit] = []
    links: list[ResourceRef] = []
    predictor_pod = None
    for component in COMPONENTS:
        node = mapping(child(spec, component))
        if node is None:
            continue
        key = spec.key_node(component) if spec is not None else None
        unit, component_attributes, runtime_links = _component(manifest, component, node, annotations, autoscaler_class, mode_name, key.span if key else node.span, index)
        units.append(unit)
        attributes += component_attributes
        links += runtime_links
        if component == "predictor":
            predictor_pod = unit.pod
    if not units:  # no predictor: nothing KServe would deploy
        anchor = spec.span if spec is not None else manifest.anchor
        pod = read_spec(None, anchor, missing="no predictor", extensions=index.extensions)
        units.append(PodUnit(Sourced("predictor", anchor, Provenance.INFERRED, "no predictor"), pod, Sourced(UNKNOWN, anchor, Provenance.DECLARED, "no predictor")))
        predictor_pod = pod
    availability, budget_links = availability_of(manifest, index, predictor_pod or units[0].pod, labels_complete=False)
    return assemble(
        manifest,
        index,
        DeploymentKind.SERVICE,
        units,
        attributes=attributes,
        availability=availability,
        links=[*links, *budget_links],
    )


def _component(manifest: Manifest, component: str, node: MappingNode, annotations, autoscaler_class, mode: str | None, key_span: Span, index: RunIndex):
    """One component's unit (pod, count, KServe's own scaling), its attributes and the runtime it links to.

    `mode` is the deployment mode the InferenceService declares (its current
    name: `Knative`, `Standard`, `ModelMesh`), None when it declares none
    (the cluster's default, not known here).
    """
    model_mesh = mode == "ModelMesh"
    labels = {
        **manifest.labels,
        **string_map(node.get("labels")),
        POD_LABEL: manifest.name or "",
        COMPONENT_LABEL: component,
    }
    extra, declared_framework, attributes = _model_container(component, node)
    named = [container for container in mappings(node.get("containers")) if text(container.get("name")) == CONTAINER_NAME]
    if extra and named:
        extra = []  # KServe merges the model spec into the container named kserve-container
    pod = read_spec(node, node.span, labels, extra_containers=[container for container, _ in extra], extra_name=extra[0][1] if extra else "model", key=key_span, extensions=index.extensions)
    if pod.models:
        position = next((index for index, model in enumerate(pod.models) if model.name.value == CONTAINER_NAME), 0) if named else 0
        model = pod.models[position]
        if declared_framework is not None:
            model = _with_framework(model, declared_framework, extra)
        elif extra and not model.name.known:
            model = replace(model, name=Sourced(extra[0][1], extra[0][0].span, Provenance.INFERRED, f"the {component}'s container"))
        model = _with_storage_model_id(model, attributes, extra[0][0] if extra else None)
        pod = replace(pod, models=(*pod.models[:position], model, *pod.models[position + 1:]))
    runtime_links: list[ResourceRef] = []
    model_spec, format_name = _served_spec(node)
    if component == "predictor" and model_spec is not None and pod.models:
        runtime = _runtime_for(manifest, model_spec, format_name, "workerSpec" in node, model_mesh, index)
        if isinstance(runtime, _Runtime):
            pod = _with_runtime(pod, position, runtime, declared_framework)
            attributes.append((f"{component}.serving_runtime", Sourced(f"{runtime.manifest.kind} {runtime.manifest.name}", runtime.manifest.anchor, Provenance.INFERRED, runtime.how)))
            runtime_links.append(ResourceRef(runtime.manifest.kind, runtime.manifest.name or "(unnamed)", runtime.manifest.anchor))
        elif runtime is not None:
            attributes.append((f"{component}.serving_runtime", runtime))
    component_annotations = mapping(node.get("annotations"))
    declared_class = str(autoscaler_class.value).lower() if autoscaler_class is not None and autoscaler_class.known else None
    # A Standard deployment's replicas follow the HPA KServe makes unless another autoscaler class is declared.
    by_hpa = mode == "Standard" and (autoscaler_class is None or declared_class == "hpa")
    count = _minimum(node, by_hpa, annotations, component_annotations, key_span)
    scaling: tuple[Scaling, ...] = ()
    if not model_mesh and declared_class not in NOT_SCALED_BY_KSERVE:
        scaling = (_scaling(node, count, mode, annotations, component_annotations, key_span),)
    elif not model_mesh and declared_class == SCALED_EXTERNALLY and autoscaler_class is not None:
        external = [
            autoscaler
            for workload in kserve_workloads(str(manifest.name), component)
            for autoscaler in index.by_target.get((manifest.namespace, "Deployment", workload), ())
        ]
        scaling = tuple(autoscaler.scaling for autoscaler in external) or (_external_scaling(autoscaler_class, key_span),)
    name = Sourced(component, key_span, Provenance.DECLARED, f"spec.{component}")
    return PodUnit(name, pod, count, scaling), attributes, runtime_links


# --- ServingRuntimes ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Runtime:
    """The runtime that serves a predictor, its pod as the model sees it, and how it was chosen."""

    manifest: Manifest
    pod: Pod
    how: str


@dataclass(frozen=True)
class _Eligibility:
    """What KServe's selection reads of one runtime, read once per run."""

    manifest: Manifest
    disabled: bool
    multi_model: bool
    multi_node: bool  # it has a workerSpec
    protocols: tuple[str | None, ...]  # its protocolVersions; () when not written (any protocol)


@dataclass
class _RuntimeTable:
    """The run's serving runtimes, filed for KServe's selection (built once per run).

    A namespace may hold thousands of runtimes and of InferenceServices: each
    service looks its named runtime up by name, and its format's eligible
    runtimes up by kind, namespace and format, and the choice for one
    (kind, namespace, format, protocol, ModelMesh, multi-node) is made once.
    """

    # (kind, name, namespace; None for a cluster runtime) -> the first such runtime of the run
    by_name: dict[tuple[str, str | None, str | None], Manifest]
    # (kind, namespace; None for a cluster runtime, format lower-cased) -> (priority, runtime) in run order,
    # for each runtime whose first supported entry of that name selects itself automatically
    by_format: dict[tuple[str, str | None, str], list[tuple[int, _Eligibility]]]
    chosen: dict[tuple, tuple[int, list[Manifest]]]


def _runtimes(index: RunIndex) -> _RuntimeTable:
    return index.memo(("plugins.adapters.kubernetes.kserve", "runtimes"), lambda: _runtime_table(index))


def _runtime_table(index: RunIndex) -> _RuntimeTable:
    table = _RuntimeTable({}, {}, {})
    for manifest in index.manifests:
        if (manifest.group, manifest.kind) not in RUNTIME_KINDS:
            continue
        namespace = manifest.namespace if manifest.kind == "ServingRuntime" else None
        table.by_name.setdefault((manifest.kind, manifest.name, namespace), manifest)
        spec = manifest.spec
        written = child(spec, "protocolVersions")
        eligibility = _Eligibility(
            manifest,
            _true(child(spec, "disabled")),
            _true(child(spec, "multiModel")),
            child(spec, "workerSpec") is not None,
            tuple(text(item) for item in written.items) if isinstance(written, SequenceNode) else (),
        )
        formats: set[str] = set()
        for supported in mappings(child(spec, "supportedModelFormats")):
            name = str(text(supported.get("name"))).lower()
            if name in formats or not _true(supported.get("autoSelect")):
                continue
            formats.add(name)  # the first entry of a name that selects itself is the one read
            priority = read_int(supported.get("priority"))
            table.by_format.setdefault((manifest.kind, namespace, name), []).append((priority.value if priority.known else 0, eligibility))
    return table


def _served_spec(node: MappingNode) -> tuple[MappingNode | None, str]:
    """The predictor's model spec and its model format: `model` and `modelFormat.name`, or a legacy `predictor.<format>`."""
    model = mapping(node.get("model"))
    if model is not None:
        return model, text(child(model, "modelFormat", "name")) or ""
    for key, value in iter_strings(node):
        if isinstance(value, MappingNode) and data.kserve_model_format(key) is not None:
            return value, key
    return None, ""


def _runtime_for(manifest: Manifest, model: MappingNode, format_name: str, multi_node: bool, model_mesh: bool, index: RunIndex) -> "_Runtime | Sourced | None":
    """The runtime of the run that serves the predictor's model spec; an unknown fact saying why none is linked; None when nothing says.

    As KServe selects: a runtime `runtime` names, else the eligible ones
    for the format (autoSelect, not disabled, multi-model only under
    ModelMesh, a `workerSpec` exactly when the predictor has one, the
    predictor's `protocolVersion` — v1 when not written — among the
    runtime's `protocolVersions`), namespace before cluster, highest priority.
    """
    table = _runtimes(index)
    named = read_str(model.get("runtime"))
    if named.known:
        for kind, namespace in (("ServingRuntime", manifest.namespace), ("ClusterServingRuntime", None)):
            runtime = table.by_name.get((kind, named.value, namespace))
            if runtime is not None:
                return _read_runtime(runtime, f"named by runtime: {named.value}", index)
        return Sourced(UNKNOWN, named.span, Provenance.DECLARED, f"runtime {named.value}: no ServingRuntime or ClusterServingRuntime of that name in this run")
    if not format_name:
        return None
    protocol = text(model.get("protocolVersion")) or "v1"
    for kind, namespace in (("ServingRuntime", manifest.namespace), ("ClusterServingRuntime", None)):
        key = (kind, namespace, format_name.lower(), protocol, model_mesh, multi_node)
        choice = table.chosen.get(key)
        if choice is None:
            choice = table.chosen[key] = _eligible(table.by_format.get(key[:3], ()), protocol, model_mesh, multi_node)
        best, chosen = choice
        if not chosen:
            continue
        if len(chosen) > 1:
            names = ", ".join(str(candidate.name) for candidate in chosen[:_NAMED_RUNTIMES])
            if len(chosen) > _NAMED_RUNTIMES:
                names += f" and {len(chosen) - _NAMED_RUNTIMES:,} more"
            format_node = child(model, "modelFormat", "name")
            return Sourced(UNKNOWN, format_node.span if format_node is not None else model.span, Provenance.INFERRED, f"modelFormat {format_name}: {kind}s {names} are equally eligible")
        return _read_runtime(chosen[0], f"chosen for modelFormat {format_name} (autoSelect, priority {best})", index)
    return None


# How many of several equally eligible runtimes a note names (a hostile namespace holds thousands).
_NAMED_RUNTIMES = 10


def _eligible(candidates: Sequence[tuple[int, _Eligibility]], protocol: str, model_mesh: bool, multi_node: bool) -> tuple[int, list[Manifest]]:
    """The highest priority among `candidates` that serve a predictor of `protocol` (`model_mesh`, `multi_node`), and
    the runtimes of that priority, in run order."""
    eligible = [
        (priority, runtime.manifest)
        for priority, runtime in candidates
        if not runtime.disabled
        and (model_mesh or not runtime.multi_model)
        and runtime.multi_node == multi_node
        and (not runtime.protocols or protocol in runtime.protocols)
    ]
    if not eligible:
        return 0, []
    best = max(priority for priority, _ in eligible)
    return best, [runtime for priority, runtime in eligible if priority == best]


def _true(node) -> bool:
    value = read_bool(node) if node is not None else NOT_WRITTEN
    return bool(value.known and value.value)


def _read_runtime(runtime: Manifest, how: str, index: RunIndex) -> _Runtime:
    spec = runtime.spec
    pod = read_spec(spec, spec.span if spec is not None else runtime.anchor, extensions=index.extensions)
    # The model server's container alone: the runtime's sidecars serve nothing.
    served = [model for model in pod.models if model.name.value == CONTAINER_NAME] or list(pod.models[:1])
    return _Runtime(runtime, replace(pod, models=tuple(served)), f"{runtime.kind} {runtime.name} ({how})")


def _with_runtime(pod: Pod, position: int, runtime: _Runtime, declared_framework: Sourced | None) -> Pod:
    """The predictor's pod with what the runtime supplies and the InferenceService leaves out."""
    served = runtime.pod.models[0] if runtime.pod.models else None
    model = pod.models[position]
    changes: dict = {}
    if served is not None:
        if not model.image.known and served.image.known:
            changes["image"] = replace(served.image, provenance=Provenance.INFERRED, note=f"the image of {runtime.how}")
            if served.image_accelerator.known:
                changes["image_accelerator"] = replace(served.image_accelerator, note=f"{served.image_accelerator.note} ({runtime.manifest.kind} {runtime.manifest.name})")
        known_format = declared_framework is not None and declared_framework.known
        if not known_format and not model.framework.known and served.framework.known:
            changes["framework"] = replace(served.framework, note=f"{served.framework.note}, in {runtime.how}")
    if changes:
        pod = replace(pod, models=(*pod.models[:position], replace(model, **changes), *pod.models[position + 1:]))
    requested, supplied = pod.compute.accelerator, runtime.pod.compute.accelerator
    if requested.known and requested.value == "none" and requested.provenance is Provenance.INFERRED and (supplied.known or supplied.options or supplied.note) and not (supplied.known and supplied.value == "none"):
        note = f"{runtime.manifest.kind} {runtime.manifest.name}: {supplied.note}" if supplied.note else f"{runtime.manifest.kind} {runtime.manifest.name}"
        count = runtime.pod.compute.accelerator_count
        pod = replace(
            pod,
            compute=replace(
                pod.compute,
                accelerator=replace(supplied, note=note),
                accelerator_count=replace(count, note=f"{runtime.manifest.kind} {runtime.manifest.name}: {count.note}" if count.note else note),
            ),
        )
    return pod


def _model_container(component: str, node: MappingNode):
    """([(container mapping, what it is)], declared framework, attributes) of a component's model container."""
    attributes: list[tuple[str, Sourced]] = []
    model = mapping(node.get("model"))
    if model is not None:
        format_node = child(model, "modelFormat", "name")
        declared = _format_framework(format_node, "modelFormat.name")
        for key in ("runtime", "storageUri"):
            value = read_str(model.get(key))
            if value.known or value.raw is not None:
                attributes.append((f"{component}.{'storage_uri' if key == 'storageUri' else key}", value))
        return [(model, "model")], declared, attributes
    for key, value in iter_strings(node):
        if isinstance(value, MappingNode) and data.kserve_model_format(key) is not None:
            key_node = node.key_node(key)
            declared = Sourced(data.kserve_model_format(key), key_node.span if key_node else value.span, Provenance.DECLARED, f"{component}.{key}")
            storage = read_str(value.get("storageUri"))
            if storage.known:
                attributes.append((f"{component}.storage_uri", storage))
            return [(value, key)], declared, attributes
    custom = mapping(child(node, "custom", "container"))
    if custom is not None:
        return [(custom, "custom.container")], None, attributes
    for key in ("alibi", "art"):
        explainer = mapping(node.get(key))
        if explainer is not None:
            return [(explainer, key)], None, attributes
    return [], None, attributes


def _with_storage_model_id(model: ModelSpec, attributes, container: MappingNode | None) -> ModelSpec:
    """The model with the Hugging Face model ID its `storageUri` names (`hf://org/name`), and the weights inferred from it."""
    if model.model_id.known:
        return model
    for key, value in attributes:
        if key.endswith(".storage_uri") and value.known and str(value.value).strip().lower().startswith("hf://"):
            from plugins.data.model_weights import model_id_from_uri  # the model-weights tables wait for a model ID

            model_id = model_id_from_uri(value.value)
            if model_id:
                found = Sourced(model_id, value.span, Provenance.DECLARED, "storageUri")
                command = command_of(container) if container is not None else NOT_WRITTEN
                return replace(model, model_id=found, weights_gb=weights_of(found, model.framework, model.environment, command))
    return model


def _format_framework(node, what: str) -> Sourced | None:
    if node is None:
        return None
    name = read_str(node)
    if not name.known:
        return name
    framework = data.kserve_model_format(str(name.value))
    if framework is None:
        return Sourced(UNKNOWN, name.span, Provenance.DECLARED, f"{what} {name.value!r} is not in the KServe model-format table", raw=name.value)
    return Sourced(framework, name.span, Provenance.DECLARED, f"{what} {name.value}")


def _with_framework(model: ModelSpec, framework: Sourced, extra) -> ModelSpec:
    """The model container with the declared format as its framework (the image, if any, stays)."""
    changes: dict = {"framework": framework}
    if not model.name.known and extra:
        changes["name"] = Sourced(extra[0][1], framework.span, Provenance.INFERRED, "the model KServe serves")
    if not model.image.known and not model.image.note:
        changes["image"] = Sourced(UNKNOWN, framework.span, Provenance.INFERRED, "the ServingRuntime for the model format supplies the image")
    return replace(model, **changes)


def _annotation(annotations: MappingNode | None, key: str) -> Sourced | None:
    if annotations is None or key not in annotations:
        return None
    return read_str(annotations.get(key))


def _annotation_int(annotations, key: str) -> Sourced | None:
    value = _annotation(annotations, key)
    if value is None:
        return None
    if value.known and str(value.value).strip().isdigit():
        return Sourced(int(str(value.value).strip()), value.span, Provenance.DECLARED, f"annotation {key}")
    node = annotations.get(key)
    return read_int(node) if node is not None else None


def _minimum(node: MappingNode, by_hpa: bool, annotations, component_annotations, key_span: Span) -> Sourced:
    """The component's fewest replicas, as KServe sets them: `minReplicas`, else its default.

    KServe writes the Knative `autoscaling.knative.dev/min-scale` annotation
    from `minReplicas` (its default when unset) over any the user wrote, and
    the HPA it makes for a Standard deployment (`by_hpa`) keeps at least the
    default (a `minReplicas: 0` there is 1; KEDA's ScaledObject takes 0).
    """
    default = data.limit("kubernetes", "kserve_min_replicas").default
    if node.get("minReplicas") is not None:
        written = read_int(node.get("minReplicas"))
        if by_hpa and written.known and written.value < default:
            # DEFAULT, not INFERRED: an inferred count is one the workload's shape fixes (`count_is_structural`).
            return Sourced(default, written.span, Provenance.DEFAULT, f"minReplicas {written.value}: the HPA of a Standard deployment keeps at least {default}")
        return written
    overwritten = next(
        (key for source in (component_annotations, annotations) for key in (KNATIVE_MIN, KNATIVE_LEGACY_MIN) if _annotation(source, key) is not None),
        None,
    )
    note = f"no minReplicas: KServe defaults to {default}"
    if overwritten is not None:
        note += f", whatever the {overwritten} annotation says"
    return Sourced(default, key_span, Provenance.DEFAULT, note)


def _maximum(node: MappingNode, minimum: Sourced, mode: str | None, annotations, component_annotations, key_span: Span) -> Sourced:
    """The component's most replicas, as KServe sets them.

    `maxReplicas` (0 is unset); in a Standard deployment the HPA (or KEDA
    ScaledObject) takes at least the minimum. Unset: a Standard deployment's
    autoscaler uses the minimum (no headroom); Knative keeps a `max-scale` annotation the user wrote,
    else sets no upper bound (unknown here). Where the mode is not declared,
    the annotation is taken as Knative takes it.
    """
    written = read_int(node.get("maxReplicas")) if node.get("maxReplicas") is not None else None
    if written is not None and not (written.known and written.value == 0):
        if mode == "Standard" and written.known and minimum.known and written.value < minimum.value:
            return Sourced(minimum.value, written.span, Provenance.DEFAULT, f"maxReplicas {written.value} is below the minimum: the autoscaler of a Standard deployment uses the minimum")
        return written
    if mode == "Standard":
        if minimum.known:
            return Sourced(minimum.value, written.span if written is not None else key_span, Provenance.DEFAULT, "no maxReplicas: the autoscaler of a Standard deployment uses the minimum")
        return Sourced(UNKNOWN, key_span, Provenance.DEFAULT, "no maxReplicas: the autoscaler of a Standard deployment uses the minimum, which is not known")
    for source in (component_annotations, annotations):
        for key in (KNATIVE_MAX, KNATIVE_LEGACY_MAX):
            found = _annotation_int(source, key)
            if found is not None:
                return found
    return Sourced(
        UNKNOWN, key_span, Provenance.DEFAULT, "no maxReplicas: Knative sets no upper bound; the HPA of a Standard deployment uses minReplicas"
    )


def generated_workload(key: tuple[str, str, str], index: RunIndex) -> tuple[Manifest, str] | None:
    """(the InferenceService, its component) whose Deployment KServe makes under `key` (namespace, kind, name), when
    the run holds it and declares `autoscalerClass: external`, which leaves that Deployment to the user's autoscaler."""
    namespace, kind, name = key
    if kind != "Deployment":
        return None
    for service, component in kserve_owners(name):
        found = index.find((namespace, "InferenceService", service))
        if found is None or found.group != "serving.kserve.io" or mapping(child(found.spec, component)) is None:
            continue
        declared = _annotation(found.annotations, AUTOSCALER_CLASS)
        if declared is not None and declared.known and str(declared.value).lower() == SCALED_EXTERNALLY:
            return found, component
    return None


def _external_scaling(declared: Sourced, key_span: Span) -> Scaling:
    """`autoscalerClass: external`: an autoscaler KServe does not create scales the component; its bounds and metric are not known here."""
    note = f"{AUTOSCALER_CLASS}: external: an autoscaler KServe does not create scales the component (not read here)"
    where = declared.span or key_span
    return Scaling(
        min_capacity=Sourced(UNKNOWN, where, Provenance.DECLARED, note),
        max_capacity=Sourced(UNKNOWN, where, Provenance.DECLARED, note),
        dimension=Sourced(DIMENSION, key_span, Provenance.INFERRED, "the external autoscaler scales the component's replicas"),
        policies=(ScalingPolicy(policy_type=Sourced(UNKNOWN, where, Provenance.DECLARED, note), metric=Sourced(UNKNOWN, where, Provenance.DECLARED, note), span=where),),
        linked_by=f"{AUTOSCALER_CLASS}: external",
        span=where,
    )


def _scaling(node: MappingNode, minimum: Sourced, mode: str | None, annotations, component_annotations, key_span: Span) -> Scaling:
    policies: list[ScalingPolicy] = []
    metric_node = node.get("scaleMetric")
    target_node = node.get("scaleTarget")
    if metric_node is not None or target_node is not None:
        metric_type = read_str(node.get("scaleMetricType"))
        policies.append(
            ScalingPolicy(
                policy_type=metric_type if metric_type.known else Sourced("scaleMetric", (metric_node or target_node).span, Provenance.INFERRED, "KServe scaleMetric"),
                metric=read_str(metric_node) if metric_node is not None else Sourced(UNKNOWN, target_node.span, Provenance.DEFAULT, "no scaleMetric: the autoscaler's default metric"),  # type: ignore[union-attr]
                target_value=_as_float(read_quantity(target_node), "scaleTarget"),
                span=(metric_node or target_node).span,
            )
        )
    for metric in mappings(child(node, "autoScaling", "metrics")):
        policies.append(_autoscaling_metric(metric))
    for source in (component_annotations, annotations):
        for target_key, metric_key, default_metric in ((KNATIVE_TARGET, KNATIVE_METRIC, "concurrency"), (KSERVE_TARGET, KSERVE_METRIC, "cpu")):
            target = _annotation(source, target_key)
            if target is None:
                continue
            metric = _annotation(source, metric_key)
            policies.append(
                ScalingPolicy(
                    policy_type=Sourced("annotation", target.span, Provenance.INFERRED, f"annotation {target_key}"),
                    metric=metric if metric is not None else Sourced(default_metric, target.span, Provenance.DEFAULT, f"no {metric_key} annotation: {default_metric}"),
                    target_value=_as_float(read_quantity(source.get(target_key)), f"annotation {target_key}"),
                    span=target.span,
                )
            )
    if not policies:
        policies.append(
            ScalingPolicy(
                policy_type=Sourced("default", key_span, Provenance.DEFAULT, "no scaleMetric or autoscaling annotation: the autoscaler's default policy"),
                metric=Sourced(UNKNOWN, key_span, Provenance.DEFAULT, "the default metric depends on the deployment mode (Knative: concurrency; Standard: cpu)"),
                span=key_span,
            )
        )
    return Scaling(
        min_capacity=minimum,
        max_capacity=_maximum(node, minimum, mode, annotations, component_annotations, key_span),
        dimension=Sourced(DIMENSION, key_span, Provenance.INFERRED, "KServe scales the component's replicas"),
        policies=tuple(policies),
        linked_by=LINKED_BY,
        span=key_span,
    )


def _autoscaling_metric(metric: MappingNode) -> ScalingPolicy:
    """One of `autoScaling.metrics` (type Resource | External | PodMetric)."""
    metric_type = read_str(metric.get("type"))
    source = mapping(metric.get("resource")) or mapping(metric.get("external")) or mapping(metric.get("podmetric"))
    name = child(source, "name") or child(source, "metric", "query") or child(source, "metric", "metricName")
    target = mapping(child(source, "target"))
    value: Sourced = NOT_WRITTEN
    for key in ("averageUtilization", "averageValue", "value"):
        if target is not None and key in target:
            value = _as_float(read_quantity(target.get(key)), key)
            break
    return ScalingPolicy(policy_type=metric_type, metric=read_str(name), target_value=value, span=metric.span)


def _as_float(value: Sourced, note: str) -> Sourced:
    if value.known:
        return Sourced(float(value.value), value.span, value.provenance, note)
    return value


# --- LLMInferenceService -------------------------------------------------------------------


def _llm_inference_service(manifest: Manifest, index: RunIndex) -> list:
    spec = manifest.spec
    anchor = spec.span if spec is not None else manifest.anchor
    labels = {**manifest.labels, POD_LABEL: manifest.name or ""}
    units: list[PodUnit] = []
    count = replicas(child(spec, "replicas"), "replicas", manifest.anchor)
    template = mapping(child(spec, "template"))
    claimed = _dra_device_class(manifest)
    main = read_spec(template, anchor, labels, missing="no template", devices_claimed=claimed, key=key_of(spec, "template"), extensions=index.extensions)
    units.append(PodUnit(Sourced("main", template.span if template is not None else anchor, Provenance.INFERRED, "spec.template"), _llm_models(main, spec), count))
    worker = mapping(child(spec, "worker"))
    if worker is not None:
        units.append(PodUnit(Sourced("worker", worker.span, Provenance.INFERRED, "spec.worker"), _llm_models(read_spec(worker, worker.span, labels, devices_claimed=claimed, key=key_of(spec, "worker"), extensions=index.extensions), spec), Sourced(UNKNOWN, worker.span, Provenance.INFERRED, "workers per replica follow from the parallelism settings")))
    prefill = mapping(child(spec, "prefill"))
    if prefill is not None:
        prefill_replicas = child(prefill, "replicas")
        prefill_count = read_int(prefill_replicas) if prefill_replicas is not None else Sourced(1, prefill.span, Provenance.DEFAULT, "no replicas: defaults to 1")
        prefill_pod = read_spec(mapping(prefill.get("template")), prefill.span, labels, missing="no template", devices_claimed=claimed, key=key_of(prefill, "template"), extensions=index.extensions)
        units.append(PodUnit(Sourced("prefill", prefill.span, Provenance.INFERRED, "spec.prefill"), _llm_models(prefill_pod, spec), prefill_count))
    attributes = []
    uri = read_str(child(spec, "model", "uri"))
    if uri.known:
        attributes.append(("model_uri", uri))
    return assemble(manifest, index, DeploymentKind.SERVICE, units, attributes=attributes, labels_complete=False)


def _dra_device_class(manifest: Manifest) -> str:
    """A note when KServe's managed DRA annotation gives the pods a device, else ""."""
    device_class = _annotation(manifest.annotations, data.raw_tables()["kubernetes"]["kserve_dra_device_class"]["annotation"])
    if device_class is None:
        return ""
    shown = device_class.value if device_class.known else "(unreadable)"
    return f"KServe claims a device of DeviceClass {shown} for the pods (Dynamic Resource Allocation)"


def _llm_models(pod, spec):
    """Containers without a recognised image serve with vLLM, LLMInferenceService's server."""
    framework_name = data.kserve_model_format(LLM_SERVER_FORMAT)
    model_name = read_str(child(spec, "model", "name"))
    models = []
    for model in pod.models:
        if not model.framework.known and not model.image.known and framework_name:
            anchor: Span | None = model.name.span or pod.span
            model = replace(
                model,
                framework=Sourced(framework_name, anchor, Provenance.INFERRED, "LLMInferenceService serves with vLLM (llm-d) unless its template names another image"),
                image=Sourced(UNKNOWN, anchor, Provenance.INFERRED, "the LLMInferenceService configuration supplies the image"),
            )
        models.append(model)
    if not models and model_name.known and framework_name:
        models.append(ModelSpec(name=model_name, framework=Sourced(framework_name, model_name.span, Provenance.INFERRED, "LLMInferenceService serves with vLLM (llm-d)")))
    return replace(pod, models=tuple(models))

