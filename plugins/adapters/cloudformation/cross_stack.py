"""Which context templates another stack's links may need: a scaling target in one stack, its endpoint in another.

A pre-commit run lints the changed template; its directory's files are
context already. A stack kept elsewhere (`scaling/` beside `endpoints/`)
that scales one of its endpoints, or makes the endpoint a changed scaling
stack names, is wanted too: by a literal name, the way the run's link across
stacks matches them (`application_autoscaling.link_across_run`).

Read from the linted texts with patterns, before anything is parsed:

- a template that makes SageMaker endpoints (`AWS::SageMaker::Endpoint`)
  gives its literal `EndpointName`s; a context file holding
  `ScalableTarget` and one of them as a whole name is wanted;
- a template holding a scalable target gives the endpoints its literal
  ResourceIds name (`endpoint/<name>/variant/...`); a context file holding
  `AWS::SageMaker::Endpoint` and one of them is wanted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linter import ContextRequest, WholeNames

__all__ = ["NAMING_WORDS", "StackNames", "linted_stack_names", "wanted_across_stacks"]

ENDPOINT_WORD = "AWS::SageMaker::Endpoint"
TARGET_WORD = "ScalableTarget"
NAMING_WORDS = (ENDPOINT_WORD, TARGET_WORD)

# SageMaker endpoint names: letters, digits and hyphens, starting with a letter or digit (CreateEndpoint).
_ENDPOINT_NAME = re.compile(r"""["']?\bEndpointName["']?\s*:\s*["']?([A-Za-z0-9][A-Za-z0-9-]*)""")
_TARGET_ENDPOINT = re.compile(r"endpoint/([A-Za-z0-9][A-Za-z0-9-]*)/variant/")


@dataclass(frozen=True)
class StackNames:
    """The endpoint names the linted templates make, and those their scalable targets name."""

    endpoints: frozenset[str]
    targets: frozenset[str]


def linted_stack_names(request: ContextRequest) -> StackNames:
    """The linted templates' literal endpoint names and target endpoint names, read once per run."""

    def read() -> StackNames:
        endpoints: set[str] = set()
        targets: set[str] = set()
        for text in request.linted.values():
            if ENDPOINT_WORD in text:
                endpoints.update(_ENDPOINT_NAME.findall(text))
            if TARGET_WORD in text:
                targets.update(_TARGET_ENDPOINT.findall(text))
        return StackNames(frozenset(endpoints), frozenset(targets))

    return request.memo(("cloudformation", "stack names"), read)


def wanted_across_stacks(text: str, request: ContextRequest) -> bool:
    """A context file holding a scalable target that may name a linted endpoint, or an endpoint a linted target names."""
    names = linted_stack_names(request)
    if names.endpoints and TARGET_WORD in text:
        if request.memo(("cloudformation", "endpoint names"), lambda: WholeNames(names.endpoints)).search(text) is not None:
            return True
    if names.targets and ENDPOINT_WORD in text:
        return request.memo(("cloudformation", "target names"), lambda: WholeNames(names.targets)).search(text) is not None
    return False
