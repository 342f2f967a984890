"""Seldon Core: v1 SeldonDeployment, and Seldon Core 2 Model and Server.

A SeldonDeployment (`machinelearning.seldon.io/v1`, `v1alpha2`, `v1alpha3`)
is one serving deployment with a unit per entry of `spec.predictors`:
- the pod: the first `componentSpecs[].spec` (node selection, spread),
  with the containers of every componentSpec; pod labels are the
  componentSpecs' `metadata.labels` (Seldon adds its own, version-dependent
  ones, so an unmatched PodDisruptionBudget leaves the budget unknown);
- models: the containers, plus each `graph` node (children walked) whose
  `implementation` is a prepackaged server (`SKLEARN_SERVER`,
  `XGBOOST_SERVER`, `TRITON_SERVER`, ...) and has no container of its
  name: its image is Seldon's choice, and its framework comes from the data
  tables when they map Seldon implementations (else unknown, with the
  implementation named in the note);
- count: the componentSpec's `replicas`, else the predictor's, else
  `spec.replicas`, else 1; `traffic` is the unit's weight (percent);
- scaling: each componentSpec's `hpaSpec` (HPA-shaped, `metrics` in the
  v2beta1 form and `metricsv2` in the v2 form) and `kedaSpec` (KEDA-shaped);
- availability: the first `pdbSpec` (Seldon creates the budget), else a
  PodDisruptionBudget of the run that selects the componentSpec labels.

Seldon Core 2 (`mlops.seldon.io/v1alpha1`): a `Model` is a service unit of
`replicas` (default 1) whose framework is the first of `requirements` that
the frameworks table names, scaled between `minReplicas` and `maxReplicas`
by Seldon when either is written; it runs on a Server, so its zone spread
and disruption budget are the Server's (unknown on the Model), and its
compute is that of the Server it names when it is the only Model of the run
there (unknown otherwise). A Server's pods carry `seldon-server-name`. A
`Server` is a service unit of `replicas` running `serverConfig` (mlserver
or triton) with `podSpec` overrides, scaled between its own `minReplicas`
and `maxReplicas` by Seldon (server autoscaling) when either is written.
"""

from __future__ import annotations

from dataclasses import replace

from linter import (
    NOT_WRITTEN,
    UNKNOWN,
    Availability,
    DeploymentKind,
    MappingNode,
    ModelSpec,
    Provenance,
    ResourceRef,
    Scaling,
    SequenceNode,
    Sourced,
    child,
    mappings,
)

from plugins import data
from plugins.adapters.kubernetes.autoscalers import DIMENSION, hpa_scaling, keda_scaling
from plugins.adapters.kubernetes.index import RunIndex
from plugins.adapters.kubernetes.objects import (
    Manifest,
    key_span,
    label_text,
    mapping,
    read_int,
    read_int_or_percent,
    read_quantity,
    read_str,
    string_map,
    text,
)
from plugins.adapters.kubernetes.pod import Pod, read_spec
from plugins.adapters.kubernetes.workloads import (
    PodUnit,
    assemble,
    availability_of,
    replicas,
)

SELDON_GROUP = "machinelearning.seldon.io"
SELDON_2_GROUP = "mlops.seldon.io"
KINDS = {(SELDON_GROUP, "SeldonDeployment"), (SELDON_2_GROUP, "Model"), (SELDON_2_GROUP, "Server")}
MAX_GRAPH_DEPTH = 64


def read(manifest: Manifest, index: RunIndex) -> list:
    if manifest.group == SELDON_2_GROUP:
        return _core2_model(manifest, index) if manifest.kind == "Model" else _core2_server(manifest, index)
    return _seldon_deployment(manifest, index)


# --- v1 SeldonDeployment ---------------------------------------------------------------


def _seldon_deployment(manifest: Manifest, index: RunIndex) -> list:
    spec = manifest.spec
    anchor = spec.span if spec is not None else manifest.anchor
    default_replicas = child(spec, "replicas")
    units: list[PodUnit] = []
    own_availability: Availability | None = None
    links: list[ResourceRef] = []
    predictors = mappings(child(spec, "predictors"))
    for position, predictor in enumerate(predictors):
        unit, pdb = _predictor(manifest, predictor, position, default_replicas, index)
        units.append(unit)
        if pdb is not None and own_availability is None:
            own_availability = replace(pdb, zone_spread=unit.pod.zone_spread, span=unit.pod.span)
    if not units:
        pod = read_spec(None, anchor, missing="no predictors", extensions=index.extensions)
        units.append(PodUnit(Sourced(UNKNOWN, anchor, Provenance.DECLARED, "no predictors"), pod, Sourced(UNKNOWN, anchor, Provenance.DECLARED, "no predictors")))
    if own_availability is None:
        own_availability, links = availability_of(manifest, index, units[0].pod, labels_complete=False)
    return assemble(manifest, index, DeploymentKind.SERVICE, units, availability=own_availability, links=links)


def _predictor(
    manifest: Manifest, predictor: MappingNode, position: int, default_replicas, index: RunIndex
) -> tuple[PodUnit, Availability | None]:
    name = read_str(predictor.get("name"))
    if not name.known:
        name = Sourced(f"predictors[{position}]", predictor.span, Provenance.INFERRED, "unnamed predictor")
    component_specs = mappings(predictor.get("componentSpecs"))
    first = component_specs[0] if component_specs else None
    labels: dict[str, str] = {}
    for component in component_specs:
        labels.update(string_map(child(component, "metadata", "labels")))
    extra = [container for component in component_specs[1:] for container in mappings(child(component, "spec", "containers"))]
    first_spec = child(first, "spec")
    missing = "" if first_spec is not None else "no componentSpecs: Seldon builds the pods"
    pod = read_spec(first_spec, predictor.span, labels, extra_containers=extra, missing=missing, key=key_span(first, "spec"), extensions=index.extensions)
    implementations = _graph_implementations(predictor.get("graph"))
    overridden = set(pod.container_names)
    models = tuple(_with_implementation(model, implementations) for model in pod.models)  # a container overriding a node's pod
    served = tuple(_implementation_model(node, implementation) for node, implementation in implementations if str(node.value) not in overridden)
    pod = replace(pod, models=models + served)

    count_node = child(first, "replicas") or predictor.get("replicas") or default_replicas
    count = replicas(count_node, "replicas", predictor.span)
    weight = read_quantity(predictor.get("traffic"))
    if weight.known:
        weight = replace(weight, note="traffic, percent")
    scaling: list[Scaling] = []
    pdb: Availability | None = None
    for component in component_specs:
        hpa = mapping(component.get("hpaSpec"))
        if hpa is not None:
            scaling.append(hpa_scaling(hpa, hpa.span, f"Seldon hpaSpec of predictor {name.value}", hpa.span, ("metrics", "metricsv2")))
        keda = mapping(component.get("kedaSpec"))
        if keda is not None:
            scaling.append(keda_scaling(keda, keda.span, f"Seldon kedaSpec of predictor {name.value}", DIMENSION, keda.span))
        budget = mapping(component.get("pdbSpec"))
        if budget is not None and pdb is None:
            pdb = Availability(
                disruption_budget=Sourced(f"pdbSpec of predictor {name.value}", budget.span, Provenance.DECLARED, "Seldon creates a PodDisruptionBudget from pdbSpec"),
                min_available=read_int_or_percent(budget.get("minAvailable")),
                max_unavailable=read_int_or_percent(budget.get("maxUnavailable")),
            )
    return PodUnit(name, pod, count, tuple(scaling), weight), pdb


def _graph_implementations(graph) -> list[tuple[Sourced, Sourced]]:
    """(name, implementation) of each graph node served by a Seldon prepackaged server, in graph order."""
    found: list[tuple[Sourced, Sourced]] = []
    stack = [(graph, 0)]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, MappingNode) or id(node) in seen or depth > MAX_GRAPH_DEPTH:
            continue
        seen.add(id(node))
        implementation = read_str(node.get("implementation"))
        if implementation.known:
            found.append((read_str(node.get("name")), implementation))
        stack.extend((item, depth + 1) for item in reversed(mappings(node.get("children"))))
    return found


def _with_implementation(model: ModelSpec, implementations: list[tuple[Sourced, Sourced]]) -> ModelSpec:
    """A container named as a prepackaged-server node: it sets that server's resources (Seldon's documented way), and
    the server's framework is the model's where the container does not say another."""
    if model.framework.known or not model.name.known:
        return model
    for node, implementation in implementations:
        if node.known and node.value == model.name.value:
            framework = _implementation_model(node, implementation).framework
            return replace(model, framework=framework) if framework.known else model
    return model


def _implementation_model(name: Sourced, implementation: Sourced) -> ModelSpec:
    """A graph node served by a Seldon prepackaged server: the framework from the data tables, if they map it."""
    framework_name = implementation_framework(str(implementation.value))
    if framework_name is not None:
        framework = Sourced(framework_name, implementation.span, Provenance.INFERRED, f"implementation {implementation.value}")
    else:
        framework = Sourced(UNKNOWN, implementation.span, Provenance.INFERRED, f"implementation {implementation.value} is not in the data tables")
    return ModelSpec(
        name=name,
        image=Sourced(UNKNOWN, implementation.span, Provenance.INFERRED, f"Seldon chooses the image for {implementation.value}"),
        framework=framework,
    )


def implementation_framework(implementation: str) -> str | None:
    """The framework a Seldon prepackaged server runs, from the data tables."""
    return data.seldon_implementation_framework(implementation)


# --- Seldon Core 2 ---------------------------------------------------------------------


def _core2_model(manifest: Manifest, index: RunIndex) -> list:
    spec = manifest.spec
    anchor = spec.span if spec is not None else manifest.anchor
    requirements_node = child(spec, "requirements")
    framework: Sourced = NOT_WRITTEN
    for item in requirements_node.items if isinstance(requirements_node, SequenceNode) else ():
        value = label_text(item)
        if value is not None and data.framework_info(value) is not None:
            framework = Sourced(value, item.span, Provenance.DECLARED, f"requirements names {value}")
            break
    model = ModelSpec(
        name=manifest.name_sourced,
        image=Sourced(UNKNOWN, anchor, Provenance.INFERRED, "runs on a Seldon Server"),
        framework=framework,
    )
    server = read_str(child(spec, "server"))
    pod = read_spec(None, anchor, missing=f"runs on Seldon Server {server.value}" if server.known else "runs on a Seldon Server", extensions=index.extensions)
    pod = replace(pod, models=(model,), readable=False)
    server_pod = _server_pod(manifest, server, index)
    if server_pod is not None:  # its replicas run in the Server's pods, the only Model of the run there: on their accelerators
        pod = replace(pod, compute=server_pod.compute)
    count = replicas(child(spec, "replicas"), "replicas", manifest.anchor)
    scaling = _core2_scaling(spec, anchor, "Model", "Seldon scales the model's replicas")
    attributes = [(key, value) for key, value in (("storage_uri", read_str(child(spec, "storageUri"))), ("server", server)) if value.known]
    # The model's replicas are loaded into its Server's pods: their spread and disruption budget are the Server's to judge.
    on_server = f"runs on Seldon Server {server.value}" if server.known else "runs on a Seldon Server"
    availability = Availability(
        zone_spread=Sourced(UNKNOWN, anchor, Provenance.INFERRED, f"{on_server}, whose pods hold its replicas"),
        disruption_budget=Sourced(UNKNOWN, anchor, Provenance.INFERRED, f"{on_server}: a budget for the Server's pods protects it"),
        span=anchor,
    )
    return assemble(
        manifest, index, DeploymentKind.SERVICE, [PodUnit(manifest.name_sourced, pod, count, scaling)],
        attributes=attributes, availability=availability, labels_complete=False,
    )


def _server_pod(model: Manifest, server: Sourced, index: RunIndex) -> Pod | None:
    """The pods of the Server of the run a Model names (`spec.server`, in its namespace), when its podSpec is written
    and no other Model of the run names that Server: the accelerators of a Server several models share are sized for
    all of them (an LLM beside a tabular model), not one model's to judge."""
    if not server.known or _models_on_servers(index).get((model.namespace, str(server.value)), 0) != 1:
        return None
    found = index.find((model.namespace, "Server", str(server.value)), near=model.path)
    if found is None or found.group != model.group or mapping(child(found.spec, "podSpec")) is None:
        return None
    return _server_pods(found, index)


def _server_pods(server: Manifest, index: RunIndex) -> Pod:
    """A Server's pods as its podSpec overrides them, read once per run (for the Server and the Model on it)."""

    def read() -> Pod:
        spec = server.spec
        # The one label every Seldon Core 2 release puts on a Server's pods, as PodDisruptionBudgets select them;
        # the others (the ServerConfig's, the chart's) are not known here.
        labels = {SERVER_NAME_LABEL: server.name} if server.name else {}
        anchor = spec.span if spec is not None else server.anchor
        return read_spec(
            mapping(child(spec, "podSpec")), anchor, labels, missing="no podSpec: the ServerConfig decides the pods",
            key=key_span(spec, "podSpec"), extensions=index.extensions,
        )

    return index.memo(("seldon", "server pods", id(server.node)), read)


def _models_on_servers(index: RunIndex) -> dict[tuple[str, str], int]:
    """How many Seldon Core 2 Models of the run name each (namespace, Server), once per run."""

    def count() -> dict[tuple[str, str], int]:
        counted: dict[tuple[str, str], int] = {}
        for manifest in index.manifests:
            if manifest.kind == "Model" and manifest.group == SELDON_2_GROUP:
                name = text(child(manifest.spec, "server"))
                if name:
                    counted[(manifest.namespace, name)] = counted.get((manifest.namespace, name), 0) + 1
        return counted

    return index.memo(("seldon", "models on servers"), count)


def _core2_scaling(spec, anchor, kind: str, note: str) -> tuple[Scaling, ...]:
    """Seldon Core 2's own scaling of a Model or Server, on when `minReplicas` or `maxReplicas` is written."""
    if child(spec, "minReplicas") is None and child(spec, "maxReplicas") is None:
        return ()
    return (
        Scaling(
            min_capacity=read_int(child(spec, "minReplicas")),
            max_capacity=read_int(child(spec, "maxReplicas")),
            dimension=Sourced(DIMENSION, anchor, Provenance.INFERRED, note),
            linked_by=f"Seldon {kind} minReplicas/maxReplicas",
            span=anchor,
        ),
    )


# Seldon Core 2's operator labels a Server's pods with its name (`ServerLabelNameKey`).
SERVER_NAME_LABEL = "seldon-server-name"


def _core2_server(manifest: Manifest, index: RunIndex) -> list:
    spec = manifest.spec
    anchor = spec.span if spec is not None else manifest.anchor
    pod = _server_pods(manifest, index)
    config = read_str(child(spec, "serverConfig"))
    if config.known and data.framework_info(str(config.value)) is not None:
        framework = Sourced(str(config.value), config.span, Provenance.DECLARED, f"serverConfig {config.value}")
        named = [model for model in pod.models if model.name.value == config.value]
        if named:  # podSpec overrides the server container: keep its image, name its framework
            models = tuple(replace(model, framework=framework) if model in named and not model.framework.known else model for model in pod.models)
        else:
            server_model = ModelSpec(
                name=Sourced(str(config.value), config.span, Provenance.DECLARED),
                image=Sourced(UNKNOWN, config.span, Provenance.INFERRED, "the Seldon ServerConfig supplies the image"),
                framework=framework,
            )
            models = (server_model, *pod.models)
        pod = replace(pod, models=models)
    count = replicas(child(spec, "replicas"), "replicas", manifest.anchor)
    scaling = _core2_scaling(spec, anchor, "Server", "Seldon scales the server's replicas to host its models' replicas")
    return assemble(manifest, index, DeploymentKind.SERVICE, [PodUnit(manifest.name_sourced, pod, count, scaling)], labels_complete=False)
