"""Step Functions state machines and SageMaker pipelines of one Terraform module, read by the shared workflow reader.

`aws_sfn_state_machine`'s `definition` and `aws_sagemaker_pipeline`'s
`pipeline_definition` are read by `plugins.adapters.aws.workflow_definitions`
as the CloudFormation adapter's are, written as:

- `jsonencode({...})` of an HCL object, or a JSON string (a heredoc): the
  definition's values point at the argument; parts the module does not
  decide are unknown with the reason;
- `file(path)` or `templatefile(path, vars)`: the file is read when the
  path is decided, resolves inside the module's directory (symbolic links
  followed) and holds at most `MAX_DEFINITION_BYTES`; its values point into
  it. `templatefile` variables are substituted as `${name}` (unknown ones
  stay unknown); a template with directives (`%{...}`) is not read. A file
  that is itself linked in the run is left to the workflows adapter, which
  reads every standalone definition.

A definition stored elsewhere (`pipeline_definition_s3_location`, a data
source) is unknown, and nothing is read from it.
"""

from __future__ import annotations

import os
from typing import Any

from linter import MappingNode, Node, ResourceRef, ScalarNode, SequenceNode, Span

from plugins.adapters.aws.sagemaker_requests import Hole, RequestReader, request_profile
from plugins.adapters.aws.workflow_definitions import (
    Surroundings,
    asl_resolver,
    is_pipeline_definition,
    is_state_machine,
    parse_definition,
    pipeline_deployments,
    pipeline_resolver,
    state_machine_deployments,
)
from plugins.adapters.terraform.hcl import Attribute, Call
from plugins.adapters.terraform.module import TerraformModule
from plugins import data
from plugins.adapters.terraform.requests import READER, TerraformRequestReader, json_document, located
from plugins.adapters.terraform.values import Scope, Unknown, instances

__all__ = ["WORKFLOW_TYPES", "MAX_DEFINITION_BYTES", "module_workflow_items"]

STATE_MACHINE = "aws_sfn_state_machine"
PIPELINE = "aws_sagemaker_pipeline"
WORKFLOW_TYPES = frozenset({STATE_MACHINE, PIPELINE})
MAX_DEFINITION_BYTES = 1_000_000

_ASL_READER = TerraformRequestReader(lambda expression: asl_resolver(expression=expression))


def module_workflow_items(terraform: TerraformModule, extensions: data.Extensions = data.SHIPPED) -> dict[str, list]:
    """The SageMaker jobs and endpoints the module's state machines and pipelines create, by anchor path.

    `extensions` is the run's `[data]` section, for the facts inferred from instance types and images.
    """
    module = terraform.module
    items: dict[str, list] = {}
    for resource in terraform.resources:
        if resource.type not in WORKFLOW_TYPES:
            continue
        key = "definition" if resource.type == STATE_MACHINE else "pipeline_definition"
        written = resource.body.get(key)
        if not isinstance(written, Attribute):
            continue
        for address, scope in instances(module, resource):
            read = _definition(terraform, written, scope, resource.type)
            if read is None:
                continue
            root, reader = read
            reader = reader.with_extensions(extensions)
            tags = {}
            tag_node = resource.body.get("tags")
            if tag_node is not None:
                tags_value = module.evaluate(tag_node, scope)
                node = located(tags_value.value, tag_node.span, tags_value.related)
                if node is not None:
                    tags = {"Tags": node}
            profile, environment, problems = request_profile(MappingNode(tuple((ScalarNode(k, v.span, "str"), v) for k, v in tags.items()), resource.body.span), READER, f"Terraform resource {address}")
            surroundings = Surroundings(
                id_prefix=f"{resource.path}#{address}/",
                where=f"{'state machine' if resource.type == STATE_MACHINE else 'pipeline'} {address}",
                profile=profile,
                environment=environment,
                links=(ResourceRef(resource.type, address, resource.body.span),),
            )
            if resource.type == STATE_MACHINE and is_state_machine(root):
                found = state_machine_deployments(root, reader, surroundings)
            elif resource.type == PIPELINE and is_pipeline_definition(root):
                found = pipeline_deployments(root, _pipeline_reader(root, reader), surroundings)
            else:
                continue
            items.setdefault(resource.path, []).extend([*found, *problems])
    return items


def _pipeline_reader(root: MappingNode, reader: RequestReader) -> RequestReader:
    inner = reader.resolve.expression
    resolver = pipeline_resolver(root, reader.resolve.holes, inner)
    return RequestReader(span_of=reader.span_of, resolve=resolver)


def _definition(terraform: TerraformModule, written: Attribute, scope: Scope, kind: str) -> tuple[MappingNode, RequestReader] | None:
    """The definition's root and the reader of its values, or None when it is not known."""
    expression = written.expression
    if isinstance(expression, Call) and expression.name in ("file", "templatefile") and expression.args:
        return _from_file(terraform, expression, scope)
    evaluation = terraform.module.evaluate(written, scope)
    value = evaluation.value
    if isinstance(value, Unknown) and value.encoded is None and value.parts:
        parts = [part if isinstance(part, str) else Hole(part.text or "${...}", part.note, part.ref) for part in value.parts]
        parsed = parse_definition(parts, written.span.path)
        if parsed is None:
            return None
        root, holes = parsed
        return _respan(root, written.span), RequestReader(resolve=asl_resolver(holes))
    content = json_document(value)
    node = located(content, written.span, evaluation.related)
    if not isinstance(node, MappingNode):
        return None
    return node, _ASL_READER


def _from_file(terraform: TerraformModule, expression: Call, scope: Scope) -> tuple[MappingNode, RequestReader] | None:
    module = terraform.module
    directory = terraform.directory
    bound = scope.bind(path={"module": directory})
    path = module.evaluate(expression.args[0], bound).value
    if not isinstance(path, str):
        return None
    full = os.path.realpath(os.path.join(directory, path))
    root = os.path.realpath(directory)
    if os.path.commonpath([full, root]) != root or full in terraform.run_paths:
        return None
    try:
        if not os.path.isfile(full) or os.path.getsize(full) > MAX_DEFINITION_BYTES:
            return None
        with open(full, encoding="utf-8") as handle:
            text = handle.read(MAX_DEFINITION_BYTES + 1)
    except (OSError, UnicodeDecodeError):
        return None
    shown = os.path.join(directory, os.path.relpath(full, root))
    substitutions: dict[str, Any] | None = None
    if expression.name == "templatefile":
        if "%{" in text:
            return None
        variables = module.evaluate(expression.args[1], scope).value if len(expression.args) > 1 else {}
        if not isinstance(variables, dict):
            return None
        substitutions = {
            name: value if isinstance(value, (str, int, float, bool)) else Hole("${" + name + "}", f"${{{name}}} is a templatefile() variable whose value is not known")
            for name, value in variables.items()
        }
    parsed = parse_definition([text], shown, substitutions)
    if parsed is None:
        return None
    definition, holes = parsed
    return definition, RequestReader(resolve=asl_resolver(holes, substitutions, placeholder_note="is a templatefile() variable whose value is not known") if substitutions is not None else asl_resolver(holes))


def _respan(node: Node, span: Span) -> Node:
    """A parsed node tree placed at `span` (a definition parsed from a string whose own positions are not the file's)."""
    if isinstance(node, MappingNode):
        return MappingNode(tuple((ScalarNode(key.value, span, key.tag), _respan(value, span)) for key, value in node.pairs), span)
    if isinstance(node, SequenceNode):
        return SequenceNode(tuple(_respan(item, span) for item in node.items), span)
    if isinstance(node, ScalarNode):
        return ScalarNode(node.value, span, node.tag)
    return node
