"""The suppressions a Kubernetes or ACK object declares in its annotations.

```yaml
metadata:
  annotations:
    ignore.mldeploy-lint.io/CP001: "sized for the launch peak; revisit in Q3"
```

The key's name after `ignore.mldeploy-lint.io/` is the selector (rule ID,
prefix or slug, passed on as written: the engine reports an unknown one);
the value is the reason. Read from every `annotations` mapping of the
object: its own `metadata.annotations` and those of the pod templates it
holds (Deployments, Jobs, CronJobs' job templates, Ray groups, Seldon
component specs, KServe components' `annotations`), since teams annotate
either. Each becomes a `linter.Ignore` whose `span` is the annotation's
key and whose `scope` is the whole object, first key through its last
value (a `List` item is an object of its own; see
`plugins.adapters.ignores.extent`), whichever annotations held it.

Annotation values are strings for the API server: one that is not (a
number, a mapping) is an invalid suppression (`MD003`) and excuses
nothing. An empty value (`""`, or nothing, which the API server reads as
"") is a suppression without a reason.
"""

from __future__ import annotations

from linter import Document, Ignore, InputProblem, MappingNode, RunContext, ScalarNode, Span, SuppressionEdit, iter_nodes

from plugins.adapters.ignores import block_insertion, extent, invalid_suppression, quoted, shape
from plugins.adapters.kubernetes.objects import Manifest, manifests

ANNOTATION_PREFIX = "ignore.mldeploy-lint.io/"
# What the text must hold for any suppression to be there (JSON may escape the slash).
_MARKER = ANNOTATION_PREFIX.rstrip("/")


def object_ignores(manifest: Manifest, run: RunContext) -> list[Ignore | InputProblem]:
    """The `Ignore`s of the object's annotations and its pod templates' (none when it declares none)."""
    # Most files hold no suppression and need no walk at all; the text is
    # searched once per file, not once per object of a long stream.
    source = manifest.document.source
    if not run.memo((__name__, "declares suppressions", source), lambda: _MARKER in source.text):
        return []
    found: list[Ignore | InputProblem] = []
    node = manifest.node
    scope = extent(Span.point(node.span.path, node.span.line, node.span.column), node)
    seen: set[int] = set()
    for mapping in iter_nodes(node):
        if not isinstance(mapping, MappingNode):
            continue
        annotations = mapping.get("annotations")
        if not isinstance(annotations, MappingNode) or id(annotations) in seen:
            continue
        seen.add(id(annotations))
        for key, value in annotations.pairs:
            if isinstance(key.value, str) and key.value.startswith(ANNOTATION_PREFIX):
                found.append(_entry(manifest, key, value, scope))
    return found


def _entry(manifest: Manifest, key: ScalarNode, value, scope: Span) -> Ignore | InputProblem:
    where = f"annotation {key.value} of {manifest.describe()}"
    selector = str(key.value)[len(ANNOTATION_PREFIX):].strip()
    if not selector:
        return invalid_suppression(f"{where}: name a rule ID, prefix or slug after {ANNOTATION_PREFIX}", key.span)
    if isinstance(value, ScalarNode) and value.value is None:
        return Ignore(selector, "", key.span, scope)
    if isinstance(value, ScalarNode) and isinstance(value.value, str):
        return Ignore(selector, value.value.strip(), key.span, scope)
    return invalid_suppression(
        f"{where}: the reason must be a string (annotation values are strings), found {shape(value)}", value.span
    )


def suppression_edit(document: Document, span: Span, rule_id: str, reason: str) -> SuppressionEdit | None:
    """The insertion that adds the annotation `ignore.mldeploy-lint.io/<rule_id>: reason` to the object holding `span`.

    Written in the object's own `metadata.annotations` (created when
    missing), as their first entry at their indentation. None where the
    object is not found or the edit would touch a flow-style mapping
    (JSON manifests included).
    """
    for manifest in manifests(document):
        node = manifest.node
        scope = extent(Span.point(node.span.path, node.span.line, node.span.column), node)
        if not (scope.line, scope.column) <= (span.line, span.column) <= (scope.end_line, scope.end_column):
            continue
        metadata = node.get("metadata")
        if not isinstance(metadata, MappingNode):
            return None
        entry = f"{ANNOTATION_PREFIX}{rule_id}: {quoted(reason)}"
        annotations = metadata.get("annotations")
        if annotations is None:
            found = block_insertion(document.source.text, metadata, ["annotations:", f"  {entry}"])
        elif isinstance(annotations, MappingNode) and f"{ANNOTATION_PREFIX}{rule_id}" not in annotations.keys():
            found = block_insertion(document.source.text, annotations, [entry])
        else:
            found = None
        if found is None:
            return None
        name = metadata.get("name")
        label = f"{manifest.kind} {name.value}" if isinstance(name, ScalarNode) and isinstance(name.value, str) else manifest.kind
        line, column, text = found
        return SuppressionEdit(line, column, text, f"annotations of {label}")
    return None
