"""Which context files another stack's links may need: a scaling target in one stack, its endpoint in another.

A pre-commit run lints the changed file, and each adapter's context choice
wants what the changed file's own stack (template directory, Terraform
module) may read. A stack kept elsewhere (`scaling/` beside `endpoints/`,
another Terraform root) that scales one of its endpoints, or makes the
endpoint a changed scaling stack names, is wanted too: by a literal name,
the way the run's link across stacks matches them
(`application_autoscaling.link_across_run`). Read from the linted texts
with patterns, before anything is parsed, in the words of each language
(`Language`):

- a linted file that makes SageMaker endpoints gives their literal names;
  a context file holding a scalable target and one of them as a whole name
  is wanted;
- a linted file holding a scalable target gives the endpoints its literal
  ResourceIds name (`endpoint/<name>/variant/...`); a context file that
  makes endpoints and holds one of them is wanted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from linter import ContextRequest, WholeNames

__all__ = ["CLOUDFORMATION", "Language", "StackNames", "TERRAFORM", "linted_stack_names", "wanted_across_stacks"]

# SageMaker endpoint names: letters, digits and hyphens, starting with a letter or digit (CreateEndpoint).
_ENDPOINT_NAME_TEXT = r"([A-Za-z0-9][A-Za-z0-9-]*)"
_TARGET_ENDPOINT = re.compile(r"endpoint/" + _ENDPOINT_NAME_TEXT + r"/variant/")


@dataclass(frozen=True)
class Language:
    """How one input language writes an endpoint, its name and a scalable target."""

    name: str
    endpoint_word: str  # written where an endpoint is made
    target_word: str  # written where a scalable target is
    endpoint_name: "re.Pattern[str]"  # group 1: a literal name given to what a file makes

    @property
    def naming_words(self) -> tuple[str, ...]:
        """The words a context file must hold beside a name, for a prefilter."""
        return (self.endpoint_word, self.target_word)


CLOUDFORMATION = Language(
    "cloudformation",
    "AWS::SageMaker::Endpoint",
    "ScalableTarget",
    re.compile(r"""["']?\bEndpointName["']?\s*:\s*["']?""" + _ENDPOINT_NAME_TEXT),
)
# Any literal `name` of a file that makes an endpoint (its model's and configuration's too: a superset).
TERRAFORM = Language("terraform", "aws_sagemaker_endpoint", "aws_appautoscaling_target", re.compile(r'\bname\s*=\s*"' + _ENDPOINT_NAME_TEXT + '"'))


@dataclass(frozen=True)
class StackNames:
    """The endpoint names the linted files make, and those their scalable targets name."""

    endpoints: frozenset[str]
    targets: frozenset[str]

    @property
    def all(self) -> tuple[str, ...]:
        return tuple(sorted(self.endpoints | self.targets))


def linted_stack_names(request: ContextRequest, language: Language) -> StackNames:
    """The linted files' literal endpoint names and target endpoint names in `language`, read once per run."""

    def read() -> StackNames:
        endpoints: set[str] = set()
        targets: set[str] = set()
        for text in request.linted.values():
            if language.endpoint_word in text:
                endpoints.update(language.endpoint_name.findall(text))
            if language.target_word in text:
                targets.update(_TARGET_ENDPOINT.findall(text))
        return StackNames(frozenset(endpoints), frozenset(targets))

    return request.memo((language.name, "stack names"), read)


def wanted_across_stacks(text: str, request: ContextRequest, language: Language) -> bool:
    """A context file holding a scalable target that may name a linted endpoint, or an endpoint a linted target names."""
    names = linted_stack_names(request, language)
    if names.endpoints and language.target_word in text:
        if request.memo((language.name, "endpoint names"), lambda: WholeNames(names.endpoints)).search(text) is not None:
            return True
    if names.targets and language.endpoint_word in text:
        return request.memo((language.name, "target names"), lambda: WholeNames(names.targets)).search(text) is not None
    return False
