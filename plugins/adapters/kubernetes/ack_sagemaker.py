"""ACK SageMaker resources (`sagemaker.services.k8s.aws`), read as the SageMaker requests they are.

Each kind's `spec` is the request of the API operation it calls, read by
the same code as a CloudFormation resource's `Properties` or an API
request document (`sagemaker_requests`), so every SageMaker fact means the
same whatever the file:

| kind | request | becomes |
|---|---|---|
| `Model` | CreateModel | the containers a variant, a transform job or an inference component names |
| `EndpointConfig` | CreateEndpointConfig | the variants, serverless / async settings, data capture of a deployment |
| `Endpoint` | CreateEndpoint | a real-time / serverless / async deployment, with the configuration it names |
| `InferenceComponent` | CreateInferenceComponent | one more unit of the endpoint it names, on its variant's instances |
| `TransformJob` | CreateTransformJob | a batch-transform deployment, with the model it names |
| `TrainingJob`, `HyperParameterTuningJob` | CreateTrainingJob, CreateHyperParameterTuningJob | training deployments (one per training definition) |
| `ProcessingJob` | CreateProcessingJob | a processing deployment |

This module reads single objects; `ack_links.py` links them by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from linter import (
    Deployment,
    Environment,
    InputProblem,
    Provenance,
    ResourceRef,
    Sourced,
    WorkloadProfile,
)

from plugins import data
from plugins.adapters.kubernetes.ack import READER, SAGEMAKER_GROUP, Scope, declared
from plugins.adapters.kubernetes.objects import Manifest
from plugins.adapters.aws.sagemaker_requests import (
    PROCESSING_JOB,
    TRAINING_JOB,
    TRANSFORM_JOB,
    TUNING_JOB,
    ConfigRequest,
    EndpointRequest,
    HostedModel,
    JobContext,
    ModelRequest,
    RequestReader,
    job_deployments,
    model_containers,
    production_variants,
    read_endpoint,
    ComponentRequest,
    read_component,
    read_endpoint_config,
    read_model,
)

__all__ = [
    "KINDS",
    "JOB_KINDS",
    "AckResource",
    "ModelEntry",
    "ConfigEntry",
    "EndpointEntry",
    "ComponentEntry",
    "read_resource",
    "read_model_entry",
    "read_config_entry",
    "read_endpoint_entry",
    "read_component_entry",
    "job_deployments_of",
]

# Job kinds and the API operation whose request their spec is.
JOB_KINDS = {
    "TrainingJob": TRAINING_JOB,
    "HyperParameterTuningJob": TUNING_JOB,
    "TransformJob": TRANSFORM_JOB,
    "ProcessingJob": PROCESSING_JOB,
}
HOSTING_KINDS = ("Model", "EndpointConfig", "Endpoint", "InferenceComponent")
KINDS = {(SAGEMAKER_GROUP, kind) for kind in (*HOSTING_KINDS, *JOB_KINDS)}
# Kinds whose stage no deployment takes: a Model's and an InferenceComponent's deployment is the endpoint's (or
# the transform job's), staged by that object. Their `AckResource.environment` is what their own profile and tags
# say, and their labels and namespace are not searched for a stage word.
UNSTAGED_KINDS = ("Model", "InferenceComponent")


@dataclass(frozen=True)
class AckResource:
    """One ACK SageMaker object: where it lives in AWS and what it declares about the workload."""

    manifest: Manifest
    scope: Scope
    link: ResourceRef
    profile: WorkloadProfile
    environment: Sourced[Environment]  # for an UNSTAGED_KINDS object, only what its profile and tags say
    problems: tuple[InputProblem, ...]
    reader: RequestReader = READER  # with the run's `[data]` section, for the facts inferred from its requests
    # Each entry reader and deployment asks for these: made with the resource (by `read_resource`, which has them), not on each use.
    origin: str = ""  # "ACK <kind> <name>" when not given
    fallback_name: Sourced[str] | None = None  # the object's name, for a spec that names no AWS resource; made when not given

    def __post_init__(self) -> None:
        if not self.origin:
            object.__setattr__(self, "origin", f"ACK {self.manifest.describe()}")
        if self.fallback_name is None:
            object.__setattr__(self, "fallback_name", _fallback_name(self.manifest))


def _fallback_name(manifest: Manifest) -> Sourced[str]:
    """The object's `metadata.name`, inferred as the AWS name of a spec that names none."""
    name = manifest.name_sourced
    if not name.known:
        return name
    return Sourced(name.value, name.span, Provenance.INFERRED, "metadata.name", name.raw, name.options, name.related)


@dataclass(frozen=True)
class ModelEntry:
    resource: AckResource
    request: ModelRequest


@dataclass(frozen=True)
class ConfigEntry:
    """An EndpointConfig; `variant_keys` are its variants' names as match keys, in order."""

    resource: AckResource
    request: ConfigRequest
    variant_keys: tuple[str | None, ...]


@dataclass(frozen=True)
class EndpointEntry:
    resource: AckResource
    request: EndpointRequest


@dataclass(frozen=True)
class ComponentEntry:
    """An InferenceComponent: its CreateInferenceComponent request (the endpoint and variant it is placed on, what it
    serves, how many copies)."""

    resource: AckResource
    request: ComponentRequest


def read_resource(
    manifest: Manifest,
    scope: Scope,
    namespace: Manifest | None,
    namespace_stages: Mapping[str, Sequence[str]] = {},
    extensions: data.Extensions = data.SHIPPED,
    reader: RequestReader = READER,
) -> AckResource:
    """The object's place and declared profile (annotations, then its spec's tags); `namespace_stages` as `environment_of` takes them.

    `extensions` is the run's `[data]` section, which the object's requests are read with (`AckResource.reader`,
    `reader` with them: `READER` or a copy of it).
    """
    origin = f"ACK {manifest.describe()}"
    staged = manifest.kind not in UNSTAGED_KINDS
    profile, environment, problems = declared(manifest, manifest.spec, origin, namespace, namespace_stages, reader, staged)
    # Reported with the object: its variants, or its containers, beyond what SageMaker accepts.
    if manifest.kind == "EndpointConfig":
        problems = [*problems, *production_variants(manifest.spec, reader)[1]]
    elif manifest.kind == "Model":
        problems = [*problems, *model_containers(reader.mappings(manifest.spec, "Containers"), reader.span_of)[1]]
    link = ResourceRef(manifest.kind, manifest.name or "(unnamed)", manifest.anchor)
    return AckResource(
        manifest, scope, link, profile, environment, tuple(problems), reader.with_extensions(extensions), origin, _fallback_name(manifest)
    )


def read_model_entry(resource: AckResource) -> ModelEntry | None:
    spec = resource.manifest.spec
    if spec is None:
        return None
    return ModelEntry(resource, read_model(spec, resource.reader, resource.link, resource.fallback_name))


def read_config_entry(resource: AckResource) -> ConfigEntry | None:
    spec = resource.manifest.spec
    if spec is None:
        return None
    declared = (resource.profile, resource.environment, resource.problems)
    request = read_endpoint_config(spec, resource.reader, resource.link, resource.origin, resource.fallback_name, declared)
    reader = resource.reader
    keys = tuple(reader.name_key(variant, "VariantName") for variant in reader.mappings(spec, "ProductionVariants"))
    return ConfigEntry(resource, request, keys)


def read_endpoint_entry(resource: AckResource) -> EndpointEntry | None:
    spec = resource.manifest.spec
    if spec is None:
        return None
    declared = (resource.profile, resource.environment, resource.problems)
    request = read_endpoint(spec, resource.reader, resource.link, resource.origin, resource.fallback_name, declared)
    return EndpointEntry(resource, request)


def read_component_entry(resource: AckResource) -> ComponentEntry | None:
    spec = resource.manifest.spec
    if spec is None:
        return None
    return ComponentEntry(resource, read_component(spec, resource.reader, resource.fallback_name))


def job_deployments_of(
    resource: AckResource, deployment_id: str, find_model: Callable[[str], HostedModel | None] = lambda key: None
) -> list[Deployment]:
    """The deployments of a job object (one per training definition of a tuning job); [] without a spec.

    The object's declared profile is already read (`read_resource`), so
    its problems are reported with the object, not here.
    """
    spec = resource.manifest.spec
    operation = JOB_KINDS.get(resource.manifest.kind)
    if spec is None or operation is None:
        return []
    context = JobContext(
        id=deployment_id,
        span=resource.manifest.anchor,
        origin=resource.origin,
        name=resource.fallback_name,
        profile=resource.profile,
        environment=resource.environment,
        find_model=find_model,
        read_tags=False,
        resource=resource.link,
    )
    return [item for item in job_deployments(operation, spec, resource.reader, context) if isinstance(item, Deployment)]
