"""Facts every AWS-side adapter infers the same way, from the data tables.

What an image serves (framework, CPU/GPU/Neuron build) and what an instance
type offers (accelerator, count, burstable) come from `plugins.data`; this
module only turns those table answers into sourced model values, so the
CloudFormation, SageMaker API and ACK adapters agree.
"""

from __future__ import annotations

import re
import sys
from dataclasses import fields

from typing import Sequence

from linter import (
    NO_PROFILE,
    NOT_WRITTEN,
    UNKNOWN,
    AcceleratorKind,
    AsyncConfig,
    Compute,
    Deployment,
    DeploymentKind,
    ModelSpec,
    Network,
    Provenance,
    Sourced,
    Span,
    Unit,
    WorkloadProfile,
)

from plugins import data
from plugins.data import SHIPPED, Extensions


def compute_for(instance_type: Sourced[str], extensions: Extensions = SHIPPED) -> Compute:
    """A Compute with accelerator facts inferred from the instance type.

    `extensions` is the run's `[data]` section (`plugins.data.extensions_of(run)`):
    the instance families it classifies count as the tables' own.
    """
    if not instance_type.known:
        return Compute(instance_type=instance_type)
    info = data.instance_info(str(instance_type.value), extensions)  # the shipped tables read once per type (plugins/data)
    if info is None:
        return Compute(instance_type=instance_type)
    # One copy of the note for every unit of the run on the family (3 values of each say it), not one per template.
    note = sys.intern(f"instance family {info.family}")
    span, related = instance_type.span, instance_type.related  # decided where the instance type is
    return Compute(
        instance_type=instance_type,
        # The kind itself, not its name: `Compute` would otherwise make a copy of the value to turn the name into the kind.
        accelerator=Sourced(AcceleratorKind(info.accelerator), span, Provenance.INFERRED, note, related=related),
        accelerator_count=(
            Sourced(info.accelerator_count, span, Provenance.INFERRED, note, related=related)
            if info.accelerator_count is not None
            else Sourced(UNKNOWN, span, Provenance.INFERRED, f"accelerator count of {instance_type.value} not in the table", related=related)
        ),
        burstable=Sourced(info.burstable, span, Provenance.INFERRED, note, related=related),
    )


def model_for(
    image: Sourced[str],
    name: Sourced[str] = Sourced(),
    multi_model: Sourced[bool] = Sourced(),
    environment: tuple[tuple[str, Sourced[str]], ...] = (),
    command: Sourced[tuple] = Sourced(),
    extensions: Extensions = SHIPPED,
) -> ModelSpec:
    """A ModelSpec with framework and image accelerator inferred from what the container runs.

    The framework comes, first found first, from an image the data tables
    know, the model server its `command` starts (the container's command
    line as a tuple of words: `vllm serve`, `python -m
    vllm.entrypoints...`), an environment hint (`HF_TASK`), or a framework
    word in the image's repository name (`pricing-xgboost-server`, the
    weakest: said so in the note). All are inferred; the span is the image,
    or the command when the command decided. `extensions` is the run's
    `[data]` section (`plugins.data.extensions_of(run)`): its image rules
    come first.
    """
    framework: Sourced[str] = NOT_WRITTEN
    accelerator: Sourced[str] = NOT_WRITTEN
    hints = {key: value.value for key, value in environment if value.known}
    if image.known:
        info = data.classify_image(str(image.value), extensions=extensions)
        if info.framework:
            framework = Sourced(info.framework, image.span, Provenance.INFERRED, info.reason or "image name")
        if info.accelerator:
            accelerator = Sourced(info.accelerator, image.span, Provenance.INFERRED, info.accelerator_reason or "image tag")
    if not framework.known and command.known:
        server = data.server_command(tuple(command.value))
        if server is not None:
            framework = Sourced(server.framework, command.span, Provenance.INFERRED, f"the command runs {server.label} (a {server.framework} model server)")
    if not framework.known and image.known and hints:
        hinted = data.classify_image(str(image.value), hints, extensions)
        if hinted.framework:
            framework = Sourced(hinted.framework, image.span, Provenance.INFERRED, hinted.reason or "environment")
    if not framework.known and image.known:
        word = data.repository_word_framework(str(image.value))
        if word is not None:
            framework = Sourced(word[0], image.span, Provenance.INFERRED, word[1])
    # Without an environment or a command line there is no model ID, and so no size of its weights (most containers).
    model_id = model_id_of(environment, command) if environment or command.known else NOT_WRITTEN
    return ModelSpec(
        name=name,
        image=image,
        framework=framework,
        image_accelerator=accelerator,
        multi_model=multi_model,
        environment=environment,
        model_id=model_id,
        weights_gb=weights_of(model_id, framework, environment, command) if model_id.known else NOT_WRITTEN,
    )


# Where a model server is told which weights to load: environment variables, then command-line flags.
MODEL_ID_ENV = ("HF_MODEL_ID", "MODEL_ID", "SM_VLLM_MODEL", "OPTION_MODEL_ID")
MODEL_ID_FLAGS = ("--model", "--model-id", "--model_id")
# Flags that split one model over several pods or nodes: a pod then holds only a share of the weights.
MULTI_NODE_FLAGS = ("pipeline-parallel", "pipeline_parallel", "nnodes", "num-nodes", "distributed-executor-backend")
_SUBSTITUTION = re.compile(r"^\$\(([A-Za-z_][A-Za-z0-9_]*)\)$")  # Kubernetes $(VAR) in args


def _flag_values(words: Sequence[str], flags: Sequence[str]) -> list[str]:
    """The values given to any of `flags` (`--flag value` or `--flag=value`)."""
    values = []
    for index, word in enumerate(words):
        for flag in flags:
            if word == flag and index + 1 < len(words):
                values.append(words[index + 1])
            elif word.startswith(flag + "="):
                values.append(word[len(flag) + 1 :])
    return values


def _model_id_from_uri(value: object) -> str | None:
    from plugins.data.model_weights import model_id_from_uri  # the model-weights tables wait for a model ID

    return model_id_from_uri(value)


def model_id_of(environment: tuple[tuple[str, Sourced[str]], ...], command: Sourced[tuple] = Sourced()) -> Sourced[str]:
    """The model ID a container loads (`HF_MODEL_ID`, `--model`, `vllm serve ID`), as written; unknown when none is.

    An object-store location (`s3://`) is no model ID. A `$(VAR)` in the
    command line is read from the container's environment.
    """
    env = {key: value for key, value in environment}
    for key in MODEL_ID_ENV:
        value = env.get(key)
        if value is not None and value.known and _model_id_from_uri(value.value):
            return Sourced(_model_id_from_uri(value.value), value.span, Provenance.DECLARED, key)
    if not command.known:
        return Sourced()
    words = [str(word) for word in command.value]
    candidates = _flag_values(words, MODEL_ID_FLAGS)
    if "serve" in words[:-1] and not words[words.index("serve") + 1].startswith("-"):
        candidates.append(words[words.index("serve") + 1])
    for candidate in candidates:
        substituted = _SUBSTITUTION.match(candidate)
        if substituted:
            value = env.get(substituted.group(1))
            if value is not None and value.known and _model_id_from_uri(value.value):
                return Sourced(_model_id_from_uri(value.value), value.span, Provenance.DECLARED, f"{substituted.group(1)}, named by the command line")
            continue
        model_id = _model_id_from_uri(candidate)
        if model_id:
            return Sourced(model_id, command.span, Provenance.DECLARED, "the command line")
    return Sourced()


def weights_of(
    model_id: Sourced[str], framework: Sourced[str], environment: tuple[tuple[str, Sourced[str]], ...], command: Sourced[tuple]
) -> Sourced[float]:
    """The size of the weights a container loads (GB), inferred from its model ID and the server's dtype settings.

    Only for servers whose dtype and quantisation settings the tables know
    (vLLM, TGI): another server may quantise through a setting not read
    here. A dtype or quantisation setting the tables do not read (a
    SageMaker `SM_VLLM_QUANTIZATION`, `--kv-cache-dtype`) leaves the size
    unknown, with the reason.
    """
    if not model_id.known:
        return Sourced()
    from plugins.data import model_weights

    settings = [setting for setting in model_weights.server_settings() if setting.server == framework.value]
    if not settings:
        why = f"the dtype settings of {framework.value} are not in the tables" if framework.known else "the model server is not known"
        return Sourced(UNKNOWN, model_id.span, Provenance.INFERRED, f"weights of {model_id.value}: {why}")
    known_env = {env for setting in settings for env in setting.env}
    known_flags = {flag for setting in settings for flag in setting.flags}
    words = [str(word) for word in command.value] if command.known else []
    env = {key: value for key, value in environment}
    unread = [key for key in env if key not in known_env and ("QUANT" in key.upper() or "DTYPE" in key.upper())]
    unread += [word.split("=", 1)[0] for word in words if word.startswith("-") and word.split("=", 1)[0] not in known_flags
               and ("quant" in word.lower() or "dtype" in word.lower())]
    if unread:
        return Sourced(UNKNOWN, model_id.span, Provenance.INFERRED, f"weights of {model_id.value}: {unread[0]} sets a dtype or quantisation the tables do not read")
    spread = [word.split("=", 1)[0] for word in words if word.startswith("-") and any(part in word for part in MULTI_NODE_FLAGS)]
    if spread:
        return Sourced(UNKNOWN, model_id.span, Provenance.INFERRED, f"weights of {model_id.value}: {spread[0]} may split them over several pods")
    found: dict[str, object] = {}
    for setting in settings:
        for key in setting.env:
            value = env.get(key)
            if value is not None:
                if not value.known:
                    return Sourced(UNKNOWN, model_id.span, Provenance.INFERRED, f"weights of {model_id.value}: {key} is not known")
                found.setdefault(setting.kind, value.value)
        for value in _flag_values(words, setting.flags):
            found.setdefault(setting.kind, value)
    estimate = model_weights.weights_estimate(model_id.value, found.get("dtype"), found.get("quantization"))
    if estimate is None:
        return Sourced(UNKNOWN, model_id.span, Provenance.INFERRED, f"no parameter count or width can be read from {model_id.value}")
    return Sourced(round(estimate.size_gb, 2), model_id.span, Provenance.INFERRED, estimate.basis)


def command_line(words: Sequence[Sourced[str]], span: Span | None, note: str) -> Sourced[tuple]:
    """A container's command line (entry point and command) as one value for `model_for`.

    Words that cannot be read (an unresolved reference) are left out; the
    value is unknown when no word is left.
    """
    known = tuple(str(word.value) for word in words if word.known)
    if not known:
        return Sourced()
    return Sourced(known, span, Provenance.DECLARED, note)


# A workload profile's fields in order (`ml_evidence` names the first one declared), listed once.
_PROFILE_FIELDS = tuple(item.name for item in fields(WorkloadProfile))


def ml_evidence(models: Sequence[ModelSpec], units: Sequence[Unit], profile: WorkloadProfile, anchor: Span) -> Sourced[str]:
    """What shows that a general-purpose workload (a Kubernetes Deployment, an ECS service) runs ML.

    Evidence: a declared workload profile (any key), a framework the
    model's image, server command or image name shows (`model_for`), or an
    accelerator. (The Kubernetes adapter adds an ML namespace name.) UNKNOWN
    (noted, at `anchor`) when there is none: the workload may be a database
    or a web front end, and the rules that would judge any workload leave it
    alone. Adapters of ML services (SageMaker, KServe) do not set it.
    """
    if profile is not NO_PROFILE:  # declares nothing: most workloads
        names = _PROFILE_FIELDS if type(profile) is WorkloadProfile else tuple(item.name for item in fields(profile))
        for field_name in names:
            declared = getattr(profile, field_name)
            if declared.known:
                return Sourced(f"workload profile {field_name.replace('_', '-')}", declared.span, Provenance.DECLARED)
    for model in models:
        if model.framework.known:
            image = f" ({model.image.value})" if model.image.known else ""
            return Sourced(f"serves {model.framework.value}{image}", model.framework.span, Provenance.INFERRED, model.framework.note)
    for unit in units:
        accelerator = unit.compute.accelerator
        if accelerator.known and accelerator.value != "none":
            return Sourced(f"runs on a {accelerator.value} accelerator", accelerator.span, accelerator.provenance, accelerator.note)
    return Sourced(
        UNKNOWN,
        anchor,
        Provenance.INFERRED,
        "no known ML image, accelerator or workload profile: a general-purpose workload",
    )


def merged_network(networks: Sequence[Network]) -> Network:
    """One deployment's network from its models' and its endpoint configuration's settings.

    The first setting that writes a placement (the models' VPC
    configuration before the endpoint configuration's) gives it, even when
    its subnets are unresolved: the zones are then unknown rather than taken
    from another setting. Network isolation is on when any setting turns it
    on, else the first known value.
    """
    placed = next((network for network in networks if network.span is not None or network.subnets), networks[0])
    isolations = [network.network_isolation for network in networks if network.network_isolation.known]
    isolation = next((value for value in isolations if value.value is True), isolations[0] if isolations else placed.network_isolation)
    return placed.replaced(network_isolation=isolation)


def with_image_region(items: list) -> list:
    """`items` with each SageMaker deployment of unknown Region given the Region its ECR images name.

    SageMaker pulls an ECR image only from its own Region, so an image URI
    names the deployment's Region. Images from several Regions leave it
    unknown (SageMaker would reject the deployment in all but one of them).
    """
    return [_with_image_region(item) if isinstance(item, Deployment) else item for item in items]


def _with_image_region(deployment: Deployment) -> Deployment:
    if deployment.platform != "sagemaker" or deployment.region.known:
        return deployment
    region = image_region(deployment.models)
    return deployment.replaced(region=region) if region is not None else deployment


def image_region(models: Sequence[ModelSpec]) -> Sourced[str] | None:
    """The Region the ECR images of a SageMaker deployment's models name (`with_image_region`), inferred.

    None when no image names a Region, or images name several.
    """
    found = [
        (region, model.image)
        for model in models
        if model.image.known and (region := data.ecr_image_region(str(model.image.value))) is not None
    ]
    if not found or len({region for region, _ in found}) > 1:
        return None
    region, image = found[0]
    # Many deployments pull one image: one copy of the Region and of the note for all of them, not one each.
    note = sys.intern(f"SageMaker pulls the ECR image {image.value} from its own Region")
    return Sourced(sys.intern(region), image.span, Provenance.INFERRED, note)


def endpoint_kind(async_config: AsyncConfig | None, variants: list[Unit], anchor: Span | None) -> Sourced[DeploymentKind]:
    """The kind of a SageMaker endpoint configuration, however it was written.

    `AsyncInferenceConfig` makes it asynchronous; variants that all carry a
    ServerlessConfig make it serverless; anything else is real-time (the
    inference points at `anchor`, the configuration).
    """
    if async_config is not None:
        return Sourced(DeploymentKind.ASYNC, async_config.span, Provenance.DECLARED, "AsyncInferenceConfig")
    if variants and all(unit.serverless is not None for unit in variants):
        first = variants[0].serverless
        return Sourced(DeploymentKind.SERVERLESS, first.span if first else None, Provenance.DECLARED, "ServerlessConfig")
    if not variants:
        return Sourced(note="no ProductionVariants")
    return Sourced(DeploymentKind.REALTIME, anchor, Provenance.INFERRED, "instance-backed variants, no AsyncInferenceConfig")
