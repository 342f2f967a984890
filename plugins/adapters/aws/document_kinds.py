"""Which documents are SageMaker API requests, Step Functions state machines or SageMaker pipeline definitions.

The checks the AWS-shaped adapters make on every document of a run, kept
apart from the readers (`api_documents`, `workflow_definitions`): a run
imports a reader only when one of its documents is of that kind, so a
pre-commit hook linting one CloudFormation template pays for neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linter import MappingNode, Node, ScalarNode, SequenceNode

if TYPE_CHECKING:
    from linter import ContextRequest

__all__ = [
    "ENDPOINT",
    "ENDPOINT_CONFIG",
    "INFERENCE_COMPONENT",
    "MODEL",
    "PROCESSING_JOB",
    "PUT_POLICY",
    "PUT_SCHEDULED_ACTION",
    "REGISTER_TARGET",
    "SCALING_OPERATIONS",
    "TRAINING_JOB",
    "TRANSFORM_JOB",
    "TUNING_JOB",
    "classify",
    "is_pipeline_definition",
    "is_state_machine",
    "may_hold_request",
    "may_read_requests",
    "request_words",
    "wanted_as_request",
]

# The SageMaker API operations a request document is, by their API names (`sagemaker_requests` reads them).
TRAINING_JOB = "CreateTrainingJob"
TRANSFORM_JOB = "CreateTransformJob"
PROCESSING_JOB = "CreateProcessingJob"
TUNING_JOB = "CreateHyperParameterTuningJob"
MODEL = "CreateModel"
ENDPOINT_CONFIG = "CreateEndpointConfig"
ENDPOINT = "CreateEndpoint"
INFERENCE_COMPONENT = "CreateInferenceComponent"
# The Application Auto Scaling API operations of a target and what drives it (`api_scaling` reads them).
REGISTER_TARGET = "RegisterScalableTarget"
PUT_POLICY = "PutScalingPolicy"
PUT_SCHEDULED_ACTION = "PutScheduledAction"
SCALING_OPERATIONS = (REGISTER_TARGET, PUT_POLICY, PUT_SCHEDULED_ACTION)

# (operation, key naming it, keys of which one must be present), first match wins:
# a configuration names itself and has variants; an endpoint names a configuration.
_SIGNATURES = (
    (ENDPOINT_CONFIG, "EndpointConfigName", ("ProductionVariants",)),
    (ENDPOINT, "EndpointName", ("EndpointConfigName",)),
    (MODEL, "ModelName", ("PrimaryContainer", "Containers")),
    (INFERENCE_COMPONENT, "InferenceComponentName", ("Specification",)),
    (TRANSFORM_JOB, "TransformJobName", ("TransformResources",)),
    (TRAINING_JOB, "TrainingJobName", ("ResourceConfig", "AlgorithmSpecification")),
    (PROCESSING_JOB, "ProcessingJobName", ("ProcessingResources",)),
    (TUNING_JOB, "HyperParameterTuningJobName", ("HyperParameterTuningJobConfig",)),
    # A policy and a scheduled action name their target by the triple, as a target names itself.
    (PUT_POLICY, "PolicyName", ("ScalableDimension",)),
    (PUT_SCHEDULED_ACTION, "ScheduledActionName", ("ScalableDimension",)),
    (REGISTER_TARGET, "ResourceId", ("ScalableDimension",)),
)
# The same, lower-cased once (`classify` matches keys in any case, for every document of a run).
_LOWERED_SIGNATURES = tuple((operation, name_key.lower(), tuple(key.lower() for key in any_of)) for operation, name_key, any_of in _SIGNATURES)


def may_hold_request(text: str) -> bool:
    """False only when `text` cannot hold an API request document (`classify` needs both keys of a signature)."""
    lowered = text.lower()
    return any(name_key.lower() in lowered and any(key.lower() in lowered for key in any_of) for _, name_key, any_of in _SIGNATURES)


# What a file that reads the run's API request documents mentions: a request itself (linked to the
# others), a state machine or a pipeline (their models, `run_models`), a SAM or CloudFormation state machine.
_REQUEST_READERS = ("states", "steps", "statemachine")


def may_read_requests(text: str) -> bool:
    """False only when nothing read from `text` looks at the run's API request documents."""
    lowered = text.lower()
    return any(word in lowered for word in _REQUEST_READERS) or may_hold_request(text)


# Written in every CloudFormation template (its resource types) and in no API request.
_TEMPLATE_WORD = "AWS::"


def wanted_as_request(text: str, request: ContextRequest) -> bool:
    """A context file that may be an API request document, when a linted file may read those (`mldeploy_context_wanted`).

    A template holds the same keys (its endpoint configurations, its
    scaling targets): it is wanted only when a linted file may itself be a
    request document, whose links (an endpoint a template makes or scales)
    read it; a linted template reads request documents, not the run's other
    templates (a repository of SageMaker stacks parsed them all for one).
    """
    read = request.memo(("api-documents", "requests read"), lambda: any(map(may_read_requests, request.linted.values())))
    if not read or not may_hold_request(text):
        return False
    if _TEMPLATE_WORD not in text:
        return True
    return request.memo(
        ("api-documents", "request linted"),
        lambda: any(may_hold_request(linted) and _TEMPLATE_WORD not in linted for linted in request.linted.values()),
    )


def request_words(request: ContextRequest) -> tuple[str, ...]:
    """Lower-cased words one of which a context file `wanted_as_request` holds; none when no linted file reads requests."""
    read = request.memo(("api-documents", "requests read"), lambda: any(map(may_read_requests, request.linted.values())))
    return tuple(dict.fromkeys(name_key for _, name_key, _ in _LOWERED_SIGNATURES)) if read else ()


def classify(root: object) -> tuple[str, str] | None:
    """(operation, the key that names the request) of an API request document, or None."""
    if not isinstance(root, MappingNode):
        return None
    keys = {key.lower(): key for key in root.keys() if isinstance(key, str)}
    for operation, name_key, any_of in _LOWERED_SIGNATURES:
        if name_key in keys and any(key in keys for key in any_of):
            return operation, keys[name_key]
    return None


def is_state_machine(node: Node | None) -> bool:
    """True for an Amazon States Language definition: `StartAt` and a `States` mapping."""
    return (
        isinstance(node, MappingNode)
        and isinstance(node.get("States"), MappingNode)
        and isinstance(node.get("StartAt"), ScalarNode)
    )


def is_pipeline_definition(node: Node | None) -> bool:
    """True for a SageMaker pipeline definition: `Version` and `Steps` of named, typed steps."""
    if not isinstance(node, MappingNode) or not isinstance(node.get("Version"), ScalarNode):
        return False
    steps = node.get("Steps")
    return isinstance(steps, SequenceNode) and any(
        isinstance(step, MappingNode) and isinstance(step.get("Name"), ScalarNode) and isinstance(step.get("Type"), ScalarNode)
        for step in steps
    )
