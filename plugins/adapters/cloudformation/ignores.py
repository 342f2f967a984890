"""The suppressions a CloudFormation resource declares in its `Metadata`.

```yaml
ScoringConfig:
  Type: AWS::SageMaker::EndpointConfig
  Metadata:
    mldeploy-lint:
      ignore:
        CP001: "sized for the launch peak; revisit in Q3"   # selector: reason
        HA001: ""
      # or, without reasons: ignore: [CP001, HA001]
```

The only suppression form a JSON template can hold. Read on every resource,
whatever its type (an `AS002` on a ScalableTarget is excused on the
ScalableTarget). Each entry becomes a `linter.Ignore` whose `span` is the
entry's key (or list item) and whose `scope` is the whole resource, logical
ID through the end of its body (`plugins.adapters.ignores.extent`). A
selector is passed on as written (rule ID, prefix or slug): the engine
knows the rules and reports an unknown one. An entry that cannot be read —
`ignore` neither a mapping nor a list, a selector or reason that is not a
string, a computed value — is an invalid suppression (`MD003`), located,
and excuses nothing. Other keys than `workload` and `ignore` under
`mldeploy-lint` are reported as `MD004` (a misspelt `ignore` would
otherwise excuse nothing in silence).
"""

from __future__ import annotations

from linter import Document, Ignore, InputProblem, MappingNode, Node, ScalarNode, SequenceNode, Span, SuppressionEdit

from plugins.adapters.cloudformation.context import TemplateContext
from plugins.adapters.cloudformation.template import Resource, intrinsic, is_template
from plugins.adapters.cloudformation.workload import METADATA_KEY
from plugins.adapters.ignores import block_insertion, extent, invalid_suppression, opens_flow, quoted, shape

KNOWN_KEYS = ("workload", "ignore")


def resource_ignores(resource: Resource) -> list[Ignore | InputProblem]:
    """The `Ignore`s of the resource's `Metadata` (none when it declares none), and problems with them."""
    metadata = resource.node.get("Metadata")
    declared = metadata.get(METADATA_KEY) if isinstance(metadata, MappingNode) else None
    if not isinstance(declared, MappingNode) or intrinsic(declared) is not None:
        return []  # not a mapping: the workload profile reader reports it where it reads one
    found: list[Ignore | InputProblem] = [
        InputProblem(
            f"unknown key {key.value!r} under Metadata {METADATA_KEY} of {resource.logical_id}: "
            f"expected `workload` or `ignore`",
            key.span,
        )
        for key, _ in declared.pairs
        if key.value not in KNOWN_KEYS
    ]
    key = declared.key_node("ignore")
    if key is None:
        return found
    entries = declared.get("ignore")
    where = f"Metadata {METADATA_KEY}.ignore of {resource.logical_id}"
    scope = extent(resource.key_span, resource.node)
    if isinstance(entries, MappingNode) and intrinsic(entries) is None:
        for selector, reason in entries.pairs:
            found.append(_entry(selector, reason, where, scope))
    elif isinstance(entries, SequenceNode) and intrinsic(entries) is None:
        for item in entries.items:
            found.append(_entry(item, None, where, scope))
    else:
        found.append(
            invalid_suppression(
                f"{where}: expected a mapping of rule to reason (`ignore: {{CP001: reason}}`) "
                f"or a list of rules (`ignore: [CP001]`), found {_shape(entries)}",
                _written(entries, key.span),
            )
        )
    return found


def _entry(selector: Node, reason: Node | None, where: str, scope: Span) -> Ignore | InputProblem:
    if not (isinstance(selector, ScalarNode) and isinstance(selector.value, str) and selector.value.strip()):
        return invalid_suppression(
            f"{where}: expected a rule ID, prefix or slug, found {_shape(selector)}", selector.span
        )
    if reason is None or (isinstance(reason, ScalarNode) and reason.value is None):  # list form, or `CP001:`
        return Ignore(selector.value.strip(), "", selector.span, scope)
    if isinstance(reason, ScalarNode) and isinstance(reason.value, str) and intrinsic(reason) is None:
        return Ignore(selector.value.strip(), reason.value.strip(), selector.span, scope)
    return invalid_suppression(
        f"{where}: the reason for {selector.value.strip()} must be a string, found {_shape(reason)}",
        reason.span,
    )


def _written(node: Node | None, fallback: Span) -> Span:
    """Where a value is written; an empty one (`ignore:`) points at `fallback`."""
    if node is None or (isinstance(node, ScalarNode) and node.value is None):
        return fallback
    return node.span


def _shape(node: Node | None) -> str:
    function = intrinsic(node)
    return f"a computed value ({function})" if function is not None else shape(node)


def suppression_edit(document: Document, span: Span, rule_id: str, reason: str) -> SuppressionEdit | None:
    """The insertion that adds `rule_id: reason` to the Metadata ignores of the resource holding `span`.

    Writes only what is missing of `Metadata` / `mldeploy-lint` / `ignore`,
    as the first entries of the innermost mapping that exists, at its
    indentation. A JSON resource without `Metadata` gets one after its
    opening brace. None where the resource is not found, or the edit would
    touch a flow-style mapping, a list-form `ignore` or a computed value.
    """
    if not is_template(document):
        return None
    for resource in TemplateContext.of(document).resources.values():
        scope = extent(resource.key_span, resource.node)
        if (scope.line, scope.column) <= (span.line, span.column) <= (scope.end_line, scope.end_column):
            return _resource_edit(document.source.text, resource, rule_id, reason)
    return None


def _resource_edit(text: str, resource: Resource, rule_id: str, reason: str) -> SuppressionEdit | None:
    where = f"Metadata of {resource.logical_id}"
    entry = f"{rule_id}: {quoted(reason)}"
    lines = text.split("\n")
    metadata = resource.node.get("Metadata")
    if opens_flow(lines, resource.node.span):
        if metadata is not None:
            return None
        after_brace = resource.node.span
        insertion = f'"Metadata": {{"{METADATA_KEY}": {{"ignore": {{{quoted(rule_id)}: {quoted(reason)}}}}}}}, '
        return SuppressionEdit(after_brace.line, after_brace.column + 1, insertion, where)
    if metadata is None:
        wanted = ["Metadata:", f"  {METADATA_KEY}:", "    ignore:", f"      {entry}"]
        found = block_insertion(text, resource.node, wanted)
    elif (declared := metadata.get(METADATA_KEY) if isinstance(metadata, MappingNode) else None) is None:
        found = block_insertion(text, metadata, [f"{METADATA_KEY}:", "  ignore:", f"    {entry}"])
    elif (ignore := declared.get("ignore") if isinstance(declared, MappingNode) else None) is None:
        found = block_insertion(text, declared, ["ignore:", f"  {entry}"])
    elif intrinsic(ignore) is None and rule_id not in (ignore.keys() if isinstance(ignore, MappingNode) else ()):
        found = block_insertion(text, ignore, [entry])
    else:
        found = None
    if found is None:
        return None
    line, column, insertion = found
    return SuppressionEdit(line, column, insertion, where)
