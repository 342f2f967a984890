"""What rules ask of a unit: what it runs on, and what runs on it (shared by the compute-fit and endpoint-fit rules)."""

from __future__ import annotations

from linter import AcceleratorKind, Deployment, ModelSpec, Unit

from plugins.data import framework_info

# The model's instance accelerators (Compute.accelerator) whose devices only
# Neuron images can use; the model calls such an image build "neuron".
NEURON_ACCELERATORS = frozenset({AcceleratorKind.INFERENTIA, AcceleratorKind.TRAINIUM})


# What each accelerator's images must be built for, worded once (rules ask for every unit).
_CLASSES = {kind: "neuron" if kind in NEURON_ACCELERATORS else str(kind) for kind in AcceleratorKind}


def accelerator_class(unit: Unit) -> str | None:
    """What a unit's images must be built for: none | gpu | neuron | another accelerator; None if unknown.

    Inferentia and Trainium both take Neuron images, so an accelerator that
    is one of them but undecided (a Kubernetes `aws.amazon.com/neuron`
    request) still counts as `neuron`.
    """
    accelerator = unit.compute.accelerator
    if accelerator.known:
        value = accelerator.value
        if isinstance(value, AcceleratorKind):
            return _CLASSES[value]
        return "neuron" if value in NEURON_ACCELERATORS else str(value)
    if accelerator.options and all(option in NEURON_ACCELERATORS for option in accelerator.options):
        return "neuron"
    return None


def served_models(deployment: Deployment, unit: Unit) -> tuple[ModelSpec, ...]:
    """The models (containers) a unit runs.

    A unit names its models when the platform says which run where (a
    production variant's ModelName, a task's containers); otherwise every
    model of a one-unit deployment runs on it. Empty when that is unknown.
    """
    names = unit.model_names
    if names:
        return tuple([model for model in deployment.models if model.name.known and model.name.value in names])
    return deployment.models if len(deployment.units) == 1 else ()


def is_tabular(model: ModelSpec) -> bool:
    info = framework_info(str(model.framework.value)) if model.framework.known else None
    return bool(info and info.tabular)


def is_llm_server(model: ModelSpec) -> bool:
    info = framework_info(str(model.framework.value)) if model.framework.known else None
    return bool(info and info.llm_server)


def image_build(model: ModelSpec) -> str | None:
    """cpu | gpu | neuron: what the model's image is built for, or None if unknown."""
    return str(model.image_accelerator.value) if model.image_accelerator.known else None


def image_name(model: ModelSpec) -> str:
    """The image's last path component (`sagemaker-xgboost:1.7-1`) for messages."""
    if not model.image.known:
        return "(image unknown)"
    return str(model.image.value).rsplit("/", 1)[-1]


def describe_model(model: ModelSpec) -> str:
    """`xgboost (sagemaker-xgboost:1.7-1)`, or the framework alone when the platform picks the image."""
    framework = str(model.framework.value) if model.framework.known else "model"
    return f"{framework} ({image_name(model)})" if model.image.known else framework


def compute_label(unit: Unit) -> str:
    """What the unit runs on, for messages: `ml.g5.xlarge`, `2 GPUs requested`, `no GPU requested`."""
    compute = unit.compute
    if compute.instance_type.known:
        return str(compute.instance_type.value)
    accelerator = accelerator_class(unit)
    name = "GPU" if accelerator == "gpu" else "Neuron device" if accelerator == "neuron" else "accelerator"
    if accelerator == "none":
        return "no GPU requested"
    if compute.accelerator_count.known and compute.accelerator_count.value:
        count = compute.accelerator_count.value
        return f"{count} {name}{'s' if count != 1 else ''} requested"
    return f"{name}s requested"


def compute_facts(unit: Unit) -> tuple:
    """Where a finding about what a unit runs on points, first found first: its accelerator, instance type, or the unit."""
    return unit.compute.accelerator, unit.compute.instance_type, unit.span


def join_words(words: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
