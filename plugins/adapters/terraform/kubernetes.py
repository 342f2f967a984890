"""Kubernetes objects a Terraform module describes, handed to the Kubernetes adapter as embedded documents.

The Kubernetes provider's resources become the objects the API server
receives, as located node trees (`mldeploy_embedded_documents`), which the
Kubernetes adapter reads and links like any manifest:

- `kubernetes_deployment(_v1)`, `kubernetes_stateful_set(_v1)`,
  `kubernetes_horizontal_pod_autoscaler(_v1, _v2, _v2beta2)` and
  `kubernetes_pod_disruption_budget(_v1)`: the provider's snake_case blocks
  and arguments in the API's camelCase (`node_selector` -> `nodeSelector`),
  the blocks the API lists (`container`, `toleration`, `port` ...) as lists
  under their plural names (`containers`, `tolerations`, `ports`), map
  arguments (`labels`, `limits`, `match_labels`) with their keys as written,
  `dynamic` blocks expanded when their `for_each` is known;
- `kubernetes_manifest`: the `manifest` argument, an HCL object, or
  `yamldecode(file(path))` / `yamldecode(templatefile(path, vars))` of a
  file inside the module's directory (bounded as `workflows.py` reads
  definition files: at most `MAX_DEFINITION_BYTES`, no template directives,
  `templatefile` variables substituted where known).

Every node is located at the argument (or block) it was written in, so
findings land in the `.tf` file; a decoded file's nodes all point at the
`manifest` argument. A value the module does not decide is a template
placeholder (`"${var.namespace}"`), which the Kubernetes adapter reads as
unknown; a manifest that cannot be read (a missing, binary, oversized or
malformed file, an unknown path) describes no object.

A module is read as the run instantiates it (`module.instances_of`): a
module other modules call, once per call, and a root module with stage
files, once per stage file, each with that reading's values, as the
SageMaker resources are; but only when no two objects of those readings
share their identity (apiVersion, kind, namespace, name), since the
Kubernetes adapter links objects by name and would see two copies of one
object as two. Otherwise, and for a module with no such readings, the
module is read as `terraform plan` reads it by itself (variable defaults
and the automatically loaded tfvars). The objects carry no variant mark:
their names tell the readings apart.
"""

from __future__ import annotations

import os
import re
from typing import Any

from linter import Document, LoadLimits, MappingNode, Node, RunContext, ScalarNode, SequenceNode, Span, load_text

from plugins.adapters.terraform.bodies import MAX_BLOCK_DEPTH, body_node
from plugins.adapters.terraform.hcl import Attribute, Call, ObjectExpr, TupleExpr
from plugins.adapters.terraform.module import TerraformModule, instances_of, module_of
from plugins.adapters.terraform.requests import ValueNode
from plugins.adapters.terraform.requests import located as requests_located
from plugins.adapters.terraform.values import MAX_ITEMS, Module, Scope, Unknown, instances

__all__ = ["KUBERNETES_TYPES", "MAX_DEFINITION_BYTES", "embedded_objects", "writes_kubernetes"]

# resource type -> (apiVersion, kind); the HPA without a version suffix is decided by what it writes.
_OBJECTS = {
    "kubernetes_deployment": ("apps/v1", "Deployment"),
    "kubernetes_deployment_v1": ("apps/v1", "Deployment"),
    "kubernetes_stateful_set": ("apps/v1", "StatefulSet"),
    "kubernetes_stateful_set_v1": ("apps/v1", "StatefulSet"),
    "kubernetes_horizontal_pod_autoscaler": ("autoscaling/v1", "HorizontalPodAutoscaler"),
    "kubernetes_horizontal_pod_autoscaler_v1": ("autoscaling/v1", "HorizontalPodAutoscaler"),
    "kubernetes_horizontal_pod_autoscaler_v2": ("autoscaling/v2", "HorizontalPodAutoscaler"),
    "kubernetes_horizontal_pod_autoscaler_v2beta2": ("autoscaling/v2beta2", "HorizontalPodAutoscaler"),
    "kubernetes_pod_disruption_budget": ("policy/v1beta1", "PodDisruptionBudget"),
    "kubernetes_pod_disruption_budget_v1": ("policy/v1", "PodDisruptionBudget"),
}
MANIFEST = "kubernetes_manifest"
KUBERNETES_TYPES = frozenset(_OBJECTS) | {MANIFEST}

# Bounds on a decoded manifest file, as for workflow definition files.
MAX_DEFINITION_BYTES = 1_000_000
_MAX_INSTANCES = 64

# Arguments of a resource that are Terraform's or the provider's, not the object's.
_META_ARGUMENTS = frozenset(
    {"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection", "timeouts",
     "wait_for_rollout", "wait_for", "wait", "field_manager", "computed_fields", "object"}
)

# Blocks the API holds as lists, by the provider's block name -> the API's field.
_LIST_BLOCKS = {
    "container": "containers",
    "init_container": "initContainers",
    "ephemeral_container": "ephemeralContainers",
    "volume": "volumes",
    "toleration": "tolerations",
    "image_pull_secrets": "imagePullSecrets",
    "host_aliases": "hostAliases",
    "topology_spread_constraint": "topologySpreadConstraints",
    "readiness_gate": "readinessGates",
    "port": "ports",
    "env": "env",
    "env_from": "envFrom",
    "volume_mount": "volumeMounts",
    "volume_device": "volumeDevices",
    "match_expressions": "matchExpressions",
    "match_fields": "matchFields",
    "node_selector_term": "nodeSelectorTerms",
    "preferred_during_scheduling_ignored_during_execution": "preferredDuringSchedulingIgnoredDuringExecution",
    "metric": "metrics",
    "policy": "policies",
    "items": "items",
    "option": "options",
    "volume_claim_template": "volumeClaimTemplates",
}
# `required_during_scheduling_ignored_during_execution` is one node selector under node_affinity, a list of terms under pod (anti-)affinity.
_LISTED_UNDER = {"required_during_scheduling_ignored_during_execution": frozenset({"pod_affinity", "pod_anti_affinity"})}
# Names whose API spelling is not their camelCase.
_RENAMES = {
    "host_ipc": "hostIPC",
    "host_pid": "hostPID",
    "target_cpu_utilization_percentage": "targetCPUUtilizationPercentage",
    "cluster_ip": "clusterIP",
    "load_balancer_ip": "loadBalancerIP",
}
# IntOrString and integer fields the provider takes as strings (`replicas = "2"`, `min_available = "1"`): digits are integers.
_NUMBER_TEXTS = frozenset({"replicas", "min_available", "max_unavailable", "max_surge"})


def writes_kubernetes(document: Document) -> bool:
    """Whether a Terraform document declares a resource this module reads (a cheap test on its root)."""
    root = document.root
    section = root.get("resource") if isinstance(root, MappingNode) else None
    return isinstance(section, MappingNode) and any(kind in KUBERNETES_TYPES for kind in section.keys())


def embedded_objects(document: Document, run: RunContext) -> list[Node]:
    """The Kubernetes objects the resources of `document` describe, one root per created instance (module docstring)."""
    if not writes_kubernetes(document):
        return []
    terraform = module_of(document, run)
    if terraform is None:
        return []
    readings = [instance.module for instance in instances_of(terraform, run)] if terraform.calls or terraform.stage_files else []
    if readings:
        per_reading = [_objects_of(reading, document) for reading in readings]
        identities = [_identity(root) for roots in per_reading for root in roots]
        if len(set(identities)) == len(identities):  # no object of one reading is also another's: each is one object of the cluster
            return [root for roots in per_reading for root in roots]
    return _objects_of(terraform, document)


def _objects_of(terraform: TerraformModule, document: Document) -> list[Node]:
    """The objects of `document`'s resources in one reading of its module."""
    module = terraform.module
    roots: list[Node] = []
    for resource in terraform.resources:
        if resource.path != document.path or resource.type not in KUBERNETES_TYPES:
            continue
        seen: set = set()
        for _address, scope in instances(module, resource, _MAX_INSTANCES):
            if resource.type == MANIFEST:
                root = _manifest(terraform, resource.body, scope)
            else:
                root = _object(module, resource.type, resource.body, scope)
            # Instances that write the same object (`count = 2` and one name) are one object of the cluster.
            identity = _identity(root)
            if isinstance(root, MappingNode) and identity not in seen:
                seen.add(identity)
                roots.append(root)
    return roots


def _identity(root: Node | None) -> tuple:
    def text(*path: str) -> object:
        node: Node | None = root
        for key in path:
            node = node.get(key) if isinstance(node, MappingNode) else None
        return node.value if isinstance(node, ScalarNode) else None

    return text("apiVersion"), text("kind"), text("metadata", "namespace"), text("metadata", "name")


# --- provider resources -----------------------------------------------------------------


def _object(module: Module, resource_type: str, body: MappingNode, scope: Scope) -> MappingNode:
    api_version, kind = _OBJECTS[resource_type]
    converted = body_node(module, body, scope, _PROVIDER_OBJECT, [MAX_ITEMS])
    if resource_type == "kubernetes_horizontal_pod_autoscaler" and "metrics" in _keys(converted.get("spec")):
        api_version = "autoscaling/v2beta2"  # the provider sends metric blocks with the v2beta2 API
    start = Span.point(body.span.path, body.span.line, body.span.column)
    head = (
        (ScalarNode("apiVersion", start, "str"), ScalarNode(api_version, start, "str")),
        (ScalarNode("kind", start, "str"), ScalarNode(kind, start, "str")),
    )
    return MappingNode(head + converted.pairs, body.span)


def _keys(node: Node | None) -> list:
    return node.keys() if isinstance(node, MappingNode) else []


def _camel(name: str) -> str:
    if name in _RENAMES:
        return _RENAMES[name]
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


class _ProviderObjectShape:
    """How the Kubernetes provider's blocks and arguments map onto the object the API server receives (a `BodyShape`).

    A `dynamic` block whose `for_each` is not known stands for no block:
    the object's list (its containers, say) is then not read at all.
    """

    meta_arguments = _META_ARGUMENTS
    expands_unknown_dynamic = False

    def key(self, name: str) -> str:
        return _camel(name)

    def list_key(self, name: str, parent: str) -> str | None:
        listed = name in _LIST_BLOCKS or parent in _LISTED_UNDER.get(name, ())
        return _LIST_BLOCKS.get(name, _camel(name)) if listed else None

    def argument(self, module: Module, name: str, value: Node, scope: Scope, budget: list[int]) -> Node | None:
        if name not in _NUMBER_TEXTS:
            return value_node(module, value, scope, budget)
        evaluation = module.evaluate(value, scope)
        result = evaluation.value
        if isinstance(result, str) and result.strip().isdigit() and len(result.strip()) <= 18:
            result = int(result.strip())
        return located(result, value.span, evaluation.related, budget, _text_of(value))


_PROVIDER_OBJECT = _ProviderObjectShape()


def value_node(module: Module, value: Node, scope: Scope, budget: list[int], depth: int = 0) -> Node | None:
    """An argument's value as located nodes: an object or tuple written in HCL item by item (each at its own
    expression, keys at theirs), anything else evaluated whole at its span; None for null."""
    expression = value.expression if isinstance(value, Attribute) else value
    return _expression_node(module, expression, scope, budget, depth) if isinstance(expression, (ObjectExpr, TupleExpr)) else _evaluated(module, value, scope, budget)


def _expression_node(module: Module, expression: Any, scope: Scope, budget: list[int], depth: int) -> Node | None:
    if depth > MAX_BLOCK_DEPTH or not isinstance(expression, (ObjectExpr, TupleExpr)):
        return _evaluated(module, expression, scope, budget)
    budget[0] -= 1
    if isinstance(expression, TupleExpr):
        if len(expression.items) > budget[0]:
            return _evaluated(module, expression, scope, budget)
        items = [_expression_node(module, item, scope, budget, depth + 1) for item in expression.items]
        return SequenceNode(tuple(item if item is not None else ScalarNode(None, expression.span, "null") for item in items), expression.span)
    pairs = []
    for key_expression, value_expression in expression.items:
        key = module.evaluate(key_expression, scope).value
        if not isinstance(key, (str, int, float)) or isinstance(key, bool) or budget[0] <= 0:
            return _evaluated(module, expression, scope, budget)  # an object whose keys are not all known is not known item by item
        node = _expression_node(module, value_expression, scope, budget, depth + 1)
        if node is not None:
            pairs.append((ScalarNode(str(key), key_expression.span, "str"), node))
    return MappingNode(tuple(pairs), expression.span)


def _evaluated(module: Module, value: Any, scope: Scope, budget: list[int]) -> Node | None:
    evaluation = module.evaluate(value, scope)
    written = value.expression.text if isinstance(value, Attribute) else getattr(value, "text", "")
    return located(evaluation.value, value.span, evaluation.related, budget, written if isinstance(written, str) else "")


def _text_of(node: Node) -> str:
    return node.expression.text if isinstance(node, Attribute) else ""


def located(value: Any, span: Span, related: tuple = (), budget: list[int] | None = None, written: str = "") -> Node | None:
    """An evaluated value as located nodes at `span`, unknown parts as placeholders; None for null (an unset argument).

    `written` is the expression's text, named by the placeholder of a
    value that is unknown as a whole and has no text of its own.
    """

    def placeholder(unknown: Unknown, at: Span, why: tuple, whole: bool) -> ValueNode:
        return _placeholder(unknown, at, why, written if whole else "")

    return requests_located(value, span, related, budget, placeholder)


def _placeholder(value: Unknown, span: Span, related: tuple, written: str) -> ValueNode:
    """An unknown value as the placeholder text Kubernetes readers take for unknown (`${var.x}`), its reason kept."""
    text = value.text if isinstance(value.text, str) and "${" in value.text else "${" + (" ".join(written.split())[:200] or "unknown") + "}"
    return ValueNode(text, span, "str", related, value)




# --- kubernetes_manifest ----------------------------------------------------------------


def _manifest(terraform: TerraformModule, body: MappingNode, scope: Scope) -> Node | None:
    """The object of a `manifest` argument: an HCL object, or a YAML file decoded (see the module docstring)."""
    written = body.get("manifest")
    if written is None:
        return None
    expression = written.expression if isinstance(written, Attribute) else None
    if isinstance(expression, Call) and expression.name == "yamldecode":
        return decoded_file(terraform, expression, scope, written.span)[0]
    return value_node(terraform.module, written, scope, [MAX_ITEMS])


def decoded_file(terraform: TerraformModule, expression: Call, scope: Scope, span: Span) -> tuple[Node | None, str]:
    """`yamldecode(file(path))` or `yamldecode(templatefile(path, vars))` read, every node at `span`; else None and why not.

    Not read: a path the module does not decide or outside its directory
    (symbolic links followed), a file that is missing, not UTF-8 text,
    larger than `MAX_DEFINITION_BYTES`, a template with directives (`%{`),
    YAML that does not parse, or that holds other than one mapping.
    """
    if len(expression.args) != 1 or not isinstance(expression.args[0], Call):
        return None, "yamldecode() of something other than file() or templatefile()"
    inner = expression.args[0]
    if inner.name not in ("file", "templatefile") or not inner.args:
        return None, f"yamldecode() of {inner.name}(), not of file() or templatefile()"
    text, reason = _file_text(terraform, inner, scope)
    if text is None:
        return None, reason
    if inner.name == "templatefile":
        text, reason = _rendered(terraform.module, inner, scope, text)
        if text is None:
            return None, reason
    source = load_text(span.path, text, LoadLimits(max_bytes=MAX_DEFINITION_BYTES, max_depth=64, max_expanded_nodes=MAX_ITEMS))
    if source.problems:
        return None, f"the file is not YAML this linter reads: {source.problems[0].message}"
    if len(source.documents) != 1 or not isinstance(source.documents[0].root, MappingNode):
        return None, "the file does not hold exactly one YAML mapping (yamldecode() reads one document)"
    return _respan(source.documents[0].root, span, [MAX_ITEMS]), ""


def _file_text(terraform: TerraformModule, call: Call, scope: Scope) -> tuple[str | None, str]:
    directory = terraform.directory
    path = terraform.module.evaluate(call.args[0], scope.bind(path={"module": directory, "root": directory, "cwd": directory})).value
    if isinstance(path, Unknown) and isinstance(path.text, str):  # a local `"${path.module}/x"`: the module's directory
        known = path.text.replace("${path.module}", ".")
        path = known if "${" not in known else path
    if not isinstance(path, str) or not path or "\x00" in path:
        return None, "the file's path is not known"
    full = os.path.realpath(os.path.join(directory, path))
    root = os.path.realpath(directory)
    try:
        if os.path.commonpath([full, root]) != root:
            return None, f"{path} is outside the module's directory"
        if not os.path.isfile(full):
            return None, f"{path} is not a file of the module"
        if os.path.getsize(full) > MAX_DEFINITION_BYTES:
            return None, f"{path} is larger than {MAX_DEFINITION_BYTES} bytes"
        with open(full, "rb") as handle:
            data = handle.read(MAX_DEFINITION_BYTES + 1)
        if b"\x00" in data:
            return None, f"{path} is not text"
        return data.decode("utf-8"), ""
    except UnicodeDecodeError:
        return None, f"{path} is not UTF-8 text"
    except (OSError, ValueError) as error:
        return None, f"{path} cannot be read ({type(error).__name__})"


def _rendered(module: Module, call: Call, scope: Scope, text: str) -> tuple[str | None, str]:
    """A template's text with its known variables substituted; unknown ones stay `${name}` (a placeholder)."""
    if "%{" in text:
        return None, "the template has directives (%{...}), which this linter does not render"
    variables = module.evaluate(call.args[1], scope).value if len(call.args) > 1 else {}
    if not isinstance(variables, dict):
        return None, "the template's variables are not known"

    def substitute(match: "re.Match[str]") -> str:
        value = variables.get(match.group(1))
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (str, int, float)):
            return str(value)
        return match.group(0)

    rendered = _TEMPLATE_VARIABLE.sub(substitute, text)
    if len(rendered) > MAX_DEFINITION_BYTES:
        return None, f"the rendered template is larger than {MAX_DEFINITION_BYTES} characters"
    return rendered, ""


# `${name}` in a template (`$${` is an escaped `${`, left as written: a placeholder, read as unknown).
_TEMPLATE_VARIABLE = re.compile(r"(?<!\$)\$\{\s*([A-Za-z_][\w-]*)\s*\}")


def _respan(root: Node, span: Span, budget: list[int]) -> Node:
    """A parsed node tree placed at `span` (the loader bounds its nesting; `budget` its size)."""
    budget[0] -= 1
    if isinstance(root, MappingNode):
        return MappingNode(tuple((ScalarNode(key.value, span, key.tag), _respan(value, span, budget)) for key, value in root.pairs if budget[0] > 0), span)
    if isinstance(root, SequenceNode):
        return SequenceNode(tuple(_respan(item, span, budget) for item in root.items if budget[0] > 0), span)
    if isinstance(root, ScalarNode):
        return ScalarNode(root.value, span, root.tag)
    return root
