"""Other serving CRDs whose shape is a container in all but name.

- vLLM production-stack `VLLMRuntime` (`production-stack.vllm.ai`): image
  `deploymentConfig.image.registry` + `name`, `deploymentConfig.replicas`
  (default 1), `deploymentConfig.resources.gpu` of `gpuType` (default
  `nvidia.com/gpu`); `autoscalingConfig` (when `enabled`) scales between
  `minReplicas` (default 1) and `maxReplicas` through a KEDA object the
  operator creates.
- NVIDIA NIM operator `NIMService` (`apps.nvidia.com`): image
  `image.repository:tag`, `replicas`, `resources`, and the pod-level
  `nodeSelector`/`tolerations`/`affinity`; `scale.hpa` (when
  `scale.enabled`) is an HPA spec.
- SageMaker HyperPod `InferenceEndpointConfig`
  (`inference.sagemaker.aws.amazon.com`): `instanceType` (an `ml.*` type)
  for the compute, `worker.image`, `worker.resources`,
  `worker.environmentVariables`, `replicas` when written.
All are services on platform `kubernetes`.
"""

from __future__ import annotations

from dataclasses import replace

from linter import UNKNOWN, DeploymentKind, MappingNode, Provenance, ScalarNode, Scaling, Sourced, child, mappings

from plugins import data
from plugins.adapters.aws.inferred_facts import compute_for, model_for
from plugins.adapters.kubernetes.autoscalers import DIMENSION, hpa_scaling
from plugins.adapters.kubernetes.index import RunIndex
from plugins.adapters.kubernetes.objects import (
    Manifest,
    key_span,
    mapping,
    read_bool,
    read_count_quantity,
    read_int,
    read_str,
    text,
)
from plugins.adapters.kubernetes.pod import environment_of, read_spec
from plugins.adapters.kubernetes.workloads import PodUnit, assemble, replicas
from plugins.adapters.aws.written_values import text_of

KINDS = {
    ("production-stack.vllm.ai", "VLLMRuntime"),
    ("apps.nvidia.com", "NIMService"),
    ("inference.sagemaker.aws.amazon.com", "InferenceEndpointConfig"),
}
VLLM_DEFAULT_GPU_RESOURCE = "nvidia.com/gpu"  # VLLMRuntime deploymentConfig.resources.gpuType default


def read(manifest: Manifest, index: RunIndex) -> list:
    if manifest.kind == "VLLMRuntime":
        return _vllm_runtime(manifest, index)
    if manifest.kind == "NIMService":
        return _nim_service(manifest, index)
    return _hyperpod_endpoint(manifest, index)


def _image(registry, name) -> Sourced:
    """`registry/name` (either part may be missing), pointing at the name."""
    name_value = read_str(name)
    registry_text = text(registry)
    if name_value.known and registry_text:
        return replace(name_value, value=f"{registry_text.rstrip('/')}/{name_value.value}")
    return name_value


def _vllm_runtime(manifest: Manifest, index: RunIndex) -> list:
    spec = manifest.spec
    anchor = spec.span if spec is not None else manifest.anchor
    deployment = mapping(child(spec, "deploymentConfig"))
    where = deployment.span if deployment is not None else anchor
    image = _image(child(deployment, "image", "registry"), child(deployment, "image", "name"))
    pod = read_spec(None, where, manifest.labels, missing="the operator builds the pods", extensions=index.extensions)
    resources = mapping(child(deployment, "resources"))
    gpu_node = child(resources, "gpu")
    compute = pod.compute
    if gpu_node is not None:
        resource = text(child(resources, "gpuType")) or VLLM_DEFAULT_GPU_RESOURCE
        count = read_count_quantity(gpu_node)
        accelerator = data.accelerator_resource(resource)
        compute = replace(
            compute,
            accelerator=Sourced(accelerator, gpu_node.span, Provenance.DECLARED, f"resources.gpu of {resource}") if accelerator == "gpu" else Sourced(UNKNOWN, gpu_node.span, Provenance.DECLARED, f"resources.gpu of {resource}"),
            accelerator_count=count,
        )
    elif resources is not None:
        note = "deploymentConfig.resources requests no gpu"
        compute = replace(compute, accelerator=Sourced("none", resources.span, Provenance.INFERRED, note), accelerator_count=Sourced(0, resources.span, Provenance.INFERRED, note))
    pod = replace(pod, compute=compute, models=(model_for(image, manifest.name_sourced, extensions=index.extensions),))
    count = replicas(child(deployment, "replicas"), "replicas", where)
    scaling: tuple[Scaling, ...] = ()
    autoscaling = mapping(child(spec, "autoscalingConfig"))
    enabled = read_bool(child(autoscaling, "enabled"))
    if autoscaling is not None and enabled.known and enabled.value:
        minimum = child(autoscaling, "minReplicas")
        scaling = (
            Scaling(
                min_capacity=read_int(minimum) if minimum is not None else Sourced(1, autoscaling.span, Provenance.DEFAULT, "no minReplicas: defaults to 1"),
                max_capacity=read_int(child(autoscaling, "maxReplicas")),
                dimension=Sourced(DIMENSION, autoscaling.span, Provenance.INFERRED, "VLLMRuntime autoscalingConfig (KEDA)"),
                linked_by="VLLMRuntime autoscalingConfig",
                span=autoscaling.span,
            ),
        )
    return assemble(manifest, index, DeploymentKind.SERVICE, [PodUnit(manifest.name_sourced, pod, count, scaling)], labels_complete=False)


def _nim_service(manifest: Manifest, index: RunIndex) -> list:
    spec = manifest.spec
    anchor = spec.span if spec is not None else manifest.anchor
    image_node = mapping(child(spec, "image"))
    repository, tag = read_str(child(image_node, "repository")), child(image_node, "tag")
    image = repository
    if repository.known and isinstance(tag, ScalarNode) and tag.value is not None:
        image = replace(repository, value=f"{repository.value}:{tag.value}")
    # The NIMService spec carries the container's resources and the pod's node selection side by side.
    pod = read_spec(spec, anchor, manifest.labels, extra_containers=[spec] if spec is not None else [], extra_name="spec", key=key_span(manifest.node, "spec"), extensions=index.extensions)
    env = environment_of(spec) if isinstance(spec, MappingNode) else ()
    pod = replace(pod, models=(model_for(image, manifest.name_sourced, environment=env, extensions=index.extensions),))
    count = replicas(child(spec, "replicas"), "replicas", anchor)
    scaling: tuple[Scaling, ...] = ()
    scale = mapping(child(spec, "scale"))
    enabled = read_bool(child(scale, "enabled"))
    hpa = mapping(child(scale, "hpa"))
    if hpa is not None and enabled.known and enabled.value:
        scaling = (hpa_scaling(hpa, hpa.span, "NIMService scale.hpa", hpa.span),)
    return assemble(manifest, index, DeploymentKind.SERVICE, [PodUnit(manifest.name_sourced, pod, count, scaling)], labels_complete=False)


def _hyperpod_endpoint(manifest: Manifest, index: RunIndex) -> list:
    spec = manifest.spec
    anchor = spec.span if spec is not None else manifest.anchor
    worker = mapping(child(spec, "worker"))
    pod = read_spec(spec, anchor, manifest.labels, extra_containers=[worker] if worker is not None else [], extra_name="worker", key=key_span(manifest.node, "spec"), extensions=index.extensions)
    requested = pod.compute  # what the worker container requests decides what the pod gets
    compute = replace(compute_for(read_str(child(spec, "instanceType")), index.extensions), accelerator=requested.accelerator, accelerator_count=requested.accelerator_count)
    env = []
    for entry in mappings(child(worker, "environmentVariables")):
        value = entry.get("value")
        if text(entry.get("name")) and isinstance(value, ScalarNode) and value.value is not None:
            env.append((text(entry.get("name")), Sourced(text_of(value.value), value.span, Provenance.DECLARED)))
    model = model_for(read_str(child(worker, "image")), read_str(child(spec, "modelName")), environment=tuple(env), extensions=index.extensions)
    pod = replace(pod, compute=compute, models=(model,))
    count_node = child(spec, "replicas")
    count = read_int(count_node) if count_node is not None else Sourced(UNKNOWN, anchor, Provenance.DECLARED, "no replicas written")
    return assemble(manifest, index, DeploymentKind.SERVICE, [PodUnit(manifest.name_sourced, pod, count)], labels_complete=False)
