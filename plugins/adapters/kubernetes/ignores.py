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

from linter import Ignore, InputProblem, MappingNode, ScalarNode, Span, iter_nodes

from plugins.adapters.ignores import extent, invalid_suppression, shape
from plugins.adapters.kubernetes.objects import Manifest

ANNOTATION_PREFIX = "ignore.mldeploy-lint.io/"
# What the text must hold for any suppression to be there (JSON may escape the slash).
_MARKER = ANNOTATION_PREFIX.rstrip("/")


def object_ignores(manifest: Manifest) -> list[Ignore | InputProblem]:
    """The `Ignore`s of the object's annotations and its pod templates' (none when it declares none)."""
    if _MARKER not in manifest.document.source.text:  # most runs: no walk at all
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
