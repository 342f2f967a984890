"""CP007 accelerator-memory-vs-model-size."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Iterator

from linter import AcceleratorKind, Deployment, ModelSpec, NotJudged, RunContext, Severity, Sourced, Unit, Violation, rule

from plugins.data import extensions_of, instance_info, kubernetes_label, limit
from plugins.data.accelerators import (
    AcceleratorDevice,
    gpu_label_device,
    gpu_label_keys,
    instance_accelerator_memory,
    unknown_accelerator_memory,
)
from plugins.rules.common import SERVING_KINDS, unit_name, violation
from plugins.rules.compute import served_models

_GIB = 2**30 / 10**9  # GB in one GiB


@dataclass(frozen=True)
class _Memory:
    """The accelerator memory a unit's model is given."""

    per_device_gb: float
    devices: int
    device: AcceleratorDevice
    where: str  # `8 x NVIDIA H100 (80 GB each) on ml.p5.48xlarge`
    fact: Sourced


def _gb(value: float, unit: str) -> float:
    return value * _GIB if unit == "GiB" else value


def _label(device: AcceleratorDevice) -> str:
    return f"{device.name} ({device.memory:g} {device.unit} each)"


def _variant_of(deployment: Deployment, component: Unit) -> Unit | None:
    where = component.compute.instance_type.span
    return next((unit for unit in deployment.units if unit.requirements is None and where is not None
                 and unit.compute.instance_type.span == where), None)


def _memory(deployment: Deployment, unit: Unit, run: RunContext, say_why: bool = True) -> _Memory | NotJudged | None:
    """The accelerator memory a unit's model may use; NotJudged naming the missing fact; None when it has no accelerator to judge.

    With `say_why` False the missing fact is not worded (None instead of
    NotJudged): where only memory that is known would be used.
    """
    compute = unit.compute
    if compute.instance_type.known:
        instance_type = str(compute.instance_type.value)
        table = instance_accelerator_memory(instance_type)
        if table is None:
            info = instance_info(instance_type, extensions_of(run))
            if info is not None and info.accelerator == "none":
                return None
            if not say_why:
                return None
            family = instance_type.lower().removeprefix("ml.").rpartition(".")[0]
            why = unknown_accelerator_memory(family) or "it is not in the data tables"
            return NotJudged(f"the accelerator memory of {instance_type} is not known: {why}", compute.instance_type.span)
        if table.devices < 1:
            return None
        devices = int(table.devices)
        if unit.requirements is not None:  # an inference component: the devices each copy is given
            asked = unit.requirements.accelerator_devices
            if not asked.known:
                if not say_why:
                    return None
                return NotJudged(
                    f"the accelerators a copy of inference component {unit_name(unit)} is given are not known "
                    f"(NumberOfAcceleratorDevicesRequired {_unknown_how(asked)})",
                    asked.span or unit.span,
                )
            devices = int(asked.value)  # type: ignore[arg-type]
        elif deployment.platform != "sagemaker":  # a pod gets the GPUs it requests, not the node's
            if compute.accelerator_count.not_written():
                return None  # it requests none: no accelerator memory to fill
            if not compute.accelerator_count.known:
                if not say_why:
                    return None
                return NotJudged(
                    f"the number of accelerators {unit_name(unit)} requests is not known ({_unknown_how(compute.accelerator_count)})",
                    compute.accelerator_count.span or unit.span,
                )
            devices = int(compute.accelerator_count.value)  # type: ignore[arg-type]
        if devices < 1:
            return None
        where = f"{devices} x {_label(table.device)} on {instance_type}"
        return _Memory(_gb(table.device.memory, table.device.unit), devices, table.device, where, compute.instance_type)
    if deployment.platform == "sagemaker":
        if compute.instance_type.not_written():
            return None
        if not say_why:
            return None
        return NotJudged(
            f"the instance type of {unit_name(unit)} is not known ({_unknown_how(compute.instance_type)})", compute.instance_type.span
        )
    if not compute.accelerator_count.known:
        return None  # no accelerator requested that the model reads: nothing to judge
    devices = int(compute.accelerator_count.value)  # type: ignore[arg-type]
    if devices < 1:
        return None
    selector = deployment.attribute("node_selector")
    labels = [(str(key), value) for key, value in selector.value] if selector.known else []  # type: ignore[union-attr]
    named = [(key, value) for key, value in labels if key in gpu_label_keys()]
    for key, value in named:
        device = gpu_label_device(key, value)
        if device is not None:
            where = f"{devices} x {_label(device)} ({key}: {value})"
            return _Memory(_gb(device.memory, device.unit), devices, device, where, compute.accelerator_count)
    if named:
        key, value = named[0]
        if not say_why:
            return None
        return NotJudged(
            f"the accelerator memory of the GPU {unit_name(unit)} is scheduled onto ({key}: {value}) is not known to the data tables",
            selector.span or unit.span,
        )
    accelerator = compute.accelerator
    if accelerator.known and accelerator.value not in (AcceleratorKind.GPU, AcceleratorKind.NONE):
        if not say_why:
            return None
        return NotJudged(
            f"the memory of the {accelerator.value} devices {unit_name(unit)} requests is not in the data tables",
            compute.accelerator_count.span or unit.span,
        )
    if not say_why:
        return None
    return NotJudged(
        f"which GPU {unit_name(unit)} gets is not known: no node selector names an instance type "
        f"({kubernetes_label('instance_type')}) or a GPU product ({', '.join(sorted(gpu_label_keys()))})",
        compute.accelerator_count.span or unit.span,
    )


def _unknown_how(fact: Sourced) -> str:
    """Why a fact is unknown, for a NotJudged message: its note, or whether it is written at all."""
    if fact.note:
        return fact.note
    if fact.not_written():
        return "not set"
    return f"written as {fact.raw!r}, which cannot be read" if fact.raw is not None else "written, but not resolved"


def _spread_over_pods(deployment: Deployment) -> bool:
    """True when a model may be split over several pods: several units of one workload (a Ray cluster, leader and workers)."""
    return deployment.platform != "sagemaker" and len(deployment.units) > 1


def _weights(deployment: Deployment, unit: Unit) -> tuple[Sourced, str] | ModelSpec | None:
    """The weights a unit loads (GB) and what they are, from a declared model-size-gb or the model ID.

    The one model when its size is not known (`_size_not_known` says why,
    once there is accelerator memory it would be judged against); None when
    the unit serves no single model of its own, or the model may be split
    over several pods.
    """
    models = served_models(deployment, unit)
    declared = deployment.profile.model_size_gb
    if declared.known and len(deployment.units) == 1:
        return declared, f"the {float(declared.value):g} GB model (model-size-gb)"  # type: ignore[arg-type]
    if len(models) != 1 or _spread_over_pods(deployment):
        return None
    model = models[0]
    if not model.weights_gb.known:
        return model
    return model.weights_gb, f"{model.model_id.value} (about {float(model.weights_gb.value):g} GB of weights, inferred)"  # type: ignore[arg-type]


@functools.lru_cache(maxsize=None)
def _thresholds() -> tuple[int, float]:
    """(how many accelerators are many, the share of one a small model's weights fill), read once."""
    many = int(limit("model_weights", "many_accelerators").value)  # type: ignore[arg-type]
    share = float(limit("model_weights", "small_model_device_share").value)  # type: ignore[arg-type]
    return many, share


def _size_not_known(deployment: Deployment, unit: Unit, model: ModelSpec) -> NotJudged:
    """Why the size of the one model a unit serves is not known, and where its ID is."""
    # The adapter's reason (an unread dtype, weights split over pods, no parameter count in the ID) says
    # what to change; without one, a declared size is the way, read for a deployment of one unit only.
    if model.weights_gb.note:
        why = model.weights_gb.note
    else:
        why = f"no size is read for {model.model_id.value}" if model.model_id.known else "no model ID with a parameter count is read"
        if len(deployment.units) == 1:
            why += "; declare it as model-size-gb"
    return NotJudged(f"the size of the model {unit_name(unit)} serves is not known: {why}", model.model_id.span)


@rule(
    "CP007",
    "accelerator-memory-vs-model-size",
    Severity.ERROR,
    "The model's weights do not fit the accelerator memory it is given, or a small model takes many accelerators.",
    tags=("sagemaker", "kubernetes", "llm"),
    kinds=SERVING_KINDS,
)
def accelerator_memory_vs_model_size(deployment: Deployment, run: RunContext) -> Iterator[Violation | NotJudged]:
    """
    ## What it does
    Compares the size of a served model's weights with the accelerator
    memory it is given. The size is the declared `model-size-gb`, or is
    inferred from a parameter count in the model ID (`HF_MODEL_ID`,
    `MODEL_ID`, `--model`, `vllm serve ID`: `Llama-3.1-70B` is 70 x 10^9
    parameters) times the bytes per parameter of the dtype or quantisation
    the server is told (16-bit when none is), for vLLM and TGI; `explain
    --deployments` shows the estimate and what it rests on. The memory is
    that of the instance type's accelerators (a SageMaker variant), of the
    accelerators an inference component asks for, or of the GPUs a pod
    requests — by its instance type where the node selector names one,
    else by its GPU product label (`nvidia.com/gpu.product`,
    `cloud.google.com/gke-accelerator`).

    It reports an error when the weights alone exceed that memory, and
    information when a model whose weights fit in half of one accelerator
    takes four or more. It is silent when the size or the memory is not
    known (`explain --deployments` says which), when the server is told a
    dtype or quantisation the tables do not read, and when the model may be
    split over several pods or nodes.

    ## Why it matters
    The weights must be loaded into accelerator memory before the server
    answers anything, with room left for the KV cache: a model that does
    not fit fails at start-up with an out-of-memory error, after a long
    download, and the endpoint or pod never turns healthy. The other way
    round, a 7B model spread over eight GPUs pays for eight accelerators to
    do the work of one or two, and tensor parallelism over many devices
    adds latency of its own.

    ## Example
    ```yaml
    ChatModel:
      Type: AWS::SageMaker::Model
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
        PrimaryContainer:
          Image: 763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.1.1-tgi1.4.0-gpu-py310-cu121-ubuntu22.04
          Environment:
            HF_MODEL_ID: meta-llama/Meta-Llama-3-70B-Instruct
    ChatConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt ChatModel.ModelName
            InstanceType: ml.g5.12xlarge
            InitialInstanceCount: 1
            ContainerStartupHealthCheckTimeoutInSeconds: 1800
            ModelDataDownloadTimeoutInSeconds: 1800
    ```

    ## Fix
    Give the model an instance whose accelerators hold its weights with
    room to spare — or serve a quantised checkpoint:
    ```yaml
    ChatModel:
      Type: AWS::SageMaker::Model
      Properties:
        ExecutionRoleArn: arn:aws:iam::123456789012:role/sagemaker-execution
        PrimaryContainer:
          Image: 763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.1.1-tgi1.4.0-gpu-py310-cu121-ubuntu22.04
          Environment:
            HF_MODEL_ID: meta-llama/Meta-Llama-3-70B-Instruct
    ChatConfig:
      Type: AWS::SageMaker::EndpointConfig
      Properties:
        ProductionVariants:
          - VariantName: AllTraffic
            ModelName: !GetAtt ChatModel.ModelName
            InstanceType: ml.p4de.24xlarge
            InitialInstanceCount: 1
            ContainerStartupHealthCheckTimeoutInSeconds: 1800
            ModelDataDownloadTimeoutInSeconds: 1800
    ```

    ## Sources
    - Amazon EC2 accelerated computing instance specifications (accelerators and accelerator memory per
      instance type); NVIDIA and Google Cloud GPU documentation (memory per GPU product label)
    - vLLM docs, engine arguments (`--dtype auto` serves 16-bit weights), TGI docs, text-generation-launcher
      (`--dtype`, `--quantize`)
    - https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/ (a container gets the GPUs it requests)
    """
    many, share = _thresholds()
    for unit in deployment.units:
        if unit.serverless is not None:
            continue
        weights = _weights(deployment, unit)
        if weights is None:
            continue
        # Where the model's size is missing, only known memory matters: why memory is unknown is not worded.
        memory = _memory(deployment, unit, run, say_why=isinstance(weights, tuple))
        if not isinstance(weights, tuple):  # the one model's size is not known
            if isinstance(memory, _Memory):  # only where there is accelerator memory to fill is the size missed
                yield _size_not_known(deployment, unit, weights)
            continue
        if not isinstance(memory, _Memory):
            if memory is not None:
                yield memory
            continue
        size, what = float(weights[0].value), weights[1]  # type: ignore[arg-type]
        total = memory.per_device_gb * memory.devices
        if size > total:
            yield violation(
                f"{what} does not fit the accelerator memory of {unit_name(unit)}: {memory.where}, "
                f"{total:.0f} GB in all — the server fails to load it: use accelerators with more memory than the "
                "weights (and room for the KV cache), or a quantised model",
                weights[0], memory.fact, unit.span, default=deployment.span,
            )
        elif memory.devices >= many and size <= memory.per_device_gb * share:
            yield violation(
                f"{what} takes {memory.where} for {unit_name(unit)}, though its weights fit one of them with room "
                "for the KV cache — fewer, or smaller, accelerators serve it at a fraction of the cost",
                memory.fact, weights[0], unit.span, default=deployment.span, severity=Severity.INFO,
            )
