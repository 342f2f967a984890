"""Mutations of real deployment files, at the node level and at the text level.

A seed file is loaded with the project's loader into a small mutable tree
(`Map`, `Seq`, `Scalar`, `Raw`), mutated there (delete keys, swap types,
insert intrinsics and self-references, huge numbers, control characters,
deep nesting, aliases, shape grafts) and emitted back as YAML or JSON text
by the emitter below; text-level mutations (truncation, raw control bytes,
line edits, duplicated documents, invalid UTF-8) work on the bytes.

Everything is driven by a `random.Random`-like object, so the same seed
gives the same mutant (the sweep and the long run rely on that) and
hypothesis can drive it through `st.randoms()` and shrink it.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass, field
from typing import Callable, Union

from linter.nodes import MappingNode, Node, ScalarNode, SequenceNode
from linter.source import LoadLimits, load_text, resolve_plain_scalar

__all__ = [
    "Case",
    "Map",
    "Raw",
    "Scalar",
    "Seq",
    "emit",
    "mutate",
    "NODE_MUTATIONS",
    "TEXT_MUTATIONS",
    "parse_tree",
    "sweep_cases",
]


# ---------------------------------------------------------------- the tree


@dataclass(eq=False)
class Scalar:
    """A scalar as Python data (str, int, float, bool, None); `tag` is a local tag such as `!Ref`, or ""."""

    value: object
    tag: str = ""


@dataclass(eq=False)
class Raw:
    """Text emitted verbatim where a value goes (huge numbers, deep flow nesting): YAML only."""

    text: str
    json_text: str | None = None  # what to emit in a JSON file instead; None: a JSON string of `text`


@dataclass(eq=False)
class Map:
    pairs: list[list] = field(default_factory=list)  # [key Scalar, value], duplicates kept
    tag: str = ""


@dataclass(eq=False)
class Seq:
    items: list = field(default_factory=list)
    tag: str = ""


Tree = Union[Scalar, Raw, Map, Seq]


def parse_tree(path: str, text: str) -> list[Tree | None] | None:
    """The documents of `text` as mutable trees, or None when the loader reports a problem."""
    roots = _load_roots(path, text)
    if roots is None:
        return None
    return [_from_node(root, {}) if root is not None else None for root in roots]


@functools.lru_cache(maxsize=128)
def _load_roots(path: str, text: str) -> tuple[Node | None, ...] | None:
    # The loaded nodes are immutable: a seed file mutated again and again is parsed once.
    source = load_text(path, text, LoadLimits(max_expanded_nodes=200_000))
    if source.problems:
        return None
    return tuple(document.root for document in source.documents)


def _local_tag(node: Node) -> str:
    return node.tag if node.tag.startswith("!") else ""


def _from_node(node: Node, shared: dict[int, Tree]) -> Tree:
    # Aliased nodes stay shared, so that emitting writes an anchor and aliases again.
    if id(node) in shared:
        return shared[id(node)]
    if isinstance(node, MappingNode):
        tree: Tree = Map([], _local_tag(node))
        shared[id(node)] = tree
        tree.pairs = [[_from_node(key, shared), _from_node(value, shared)] for key, value in node.pairs]
    elif isinstance(node, SequenceNode):
        tree = Seq([], _local_tag(node))
        shared[id(node)] = tree
        tree.items = [_from_node(item, shared) for item in node.items]
    else:
        assert isinstance(node, ScalarNode)
        tree = Scalar(node.value, _local_tag(node))
        shared[id(node)] = tree
    return tree


# ---------------------------------------------------------------- the emitter

_PLAIN_SAFE = re.compile(r"[A-Za-z_/][A-Za-z0-9_./-]*")


def emit(documents: list[Tree | None], as_json: bool) -> str:
    """YAML (block style, flow where tagged) or JSON text for the documents."""
    if as_json:
        return "\n".join(_EmitJson().value(document) for document in documents) + "\n"
    emitter = _EmitYaml(documents)
    return "".join(
        ("---\n" if index else "") + "\n".join(emitter.block(document, 0)) + "\n" for index, document in enumerate(documents)
    )


def _scalar_text(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return "-.inf" if value < 0 else ".inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN_SAFE.fullmatch(text) and resolve_plain_scalar(text) == text:
        return text
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar (escapes included)


class _EmitYaml:
    """Block YAML with anchors for shared subtrees; tagged and empty collections in flow style."""

    def __init__(self, documents: list[Tree | None]) -> None:
        counts: dict[int, int] = {}
        stack = [document for document in documents if document is not None]
        while stack:
            node = stack.pop()
            counts[id(node)] = counts.get(id(node), 0) + 1
            if counts[id(node)] > 1:
                continue
            if isinstance(node, Map):
                stack.extend(item for pair in node.pairs for item in pair)
            elif isinstance(node, Seq):
                stack.extend(node.items)
        self.shared = {key for key, count in counts.items() if count > 1}
        self.anchors: dict[int, str] = {}

    def _anchor(self, node: Tree) -> tuple[str, bool]:
        """(prefix, already emitted): `&aN ` the first time, `*aN` afterwards."""
        if id(node) not in self.shared:
            return "", False
        if id(node) in self.anchors:
            return f"*{self.anchors[id(node)]}", True
        self.anchors[id(node)] = name = f"a{len(self.anchors)}"
        return f"&{name} ", False

    def block(self, node: Tree | None, indent: int) -> list[str]:
        pad = " " * indent
        if node is None:
            return [pad + "null"]
        if isinstance(node, (Map, Seq)) and not node.tag and (node.pairs if isinstance(node, Map) else node.items):
            prefix, done = self._anchor(node)
            if done:
                return [pad + prefix]
            lines = [pad + prefix.rstrip()] if prefix else []
            if isinstance(node, Map):
                for key, value in node.pairs:
                    head = f"{pad}{self.inline(key)}:"
                    if isinstance(value, (Map, Seq)) and not value.tag and (value.pairs if isinstance(value, Map) else value.items):
                        inner = self.block(value, indent + 2)
                        if inner[0].lstrip()[:1] in "&*":  # an anchor or an alias goes on the key's line
                            lines.append(f"{head} {inner.pop(0).strip()}")
                        else:
                            lines.append(head)
                        lines.extend(inner)
                    else:
                        lines.append(f"{head} {self.inline(value)}")
            else:
                for item in node.items:
                    inner = self.block(item, indent + 2)
                    inner[0] = f"{pad}- {inner[0].lstrip()}"
                    lines.extend(inner)
            return lines
        return [pad + self.inline(node)]

    def inline(self, node: Tree | None) -> str:
        if node is None:
            return "null"
        if isinstance(node, Raw):
            return node.text
        prefix, done = self._anchor(node)
        if done:
            return prefix
        tag = f"{node.tag} " if node.tag else ""
        if isinstance(node, Scalar):
            return f"{prefix}{tag}{_scalar_text(node.value)}"
        if isinstance(node, Map):
            body = ", ".join(f"{self.inline(key)}: {self.inline(value)}" for key, value in node.pairs)
            return f"{prefix}{tag}{{{body}}}"
        return f"{prefix}{tag}[{', '.join(self.inline(item) for item in node.items)}]"


# CloudFormation's short forms in their JSON spelling.
_JSON_FORMS = {"!Ref": "Ref", "!Condition": "Condition"}


class _EmitJson:
    def value(self, node: Tree | None) -> str:
        if node is None:
            return "null"
        if isinstance(node, Raw):
            return node.json_text if node.json_text is not None else json.dumps(node.text)
        if node.tag:
            name = _JSON_FORMS.get(node.tag, "Fn::" + node.tag.lstrip("!"))
            if node.tag == "!GetAtt" and isinstance(node, Scalar) and isinstance(node.value, str):
                inner: Tree = Seq([Scalar(part) for part in node.value.split(".", 1)])
            else:
                inner = _untagged(node)
            return f"{{{json.dumps(name)}: {self.value(inner)}}}"
        if isinstance(node, Scalar):
            value = node.value
            if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
                return json.dumps(str(value))
            if isinstance(value, (str, int, float, bool)) or value is None:
                return json.dumps(value)
            return json.dumps(str(value))
        if isinstance(node, Map):
            body = ", ".join(f"{json.dumps(_key_text(key))}: {self.value(value)}" for key, value in node.pairs)
            return "{" + body + "}"
        return "[" + ", ".join(self.value(item) for item in node.items) + "]"


def _untagged(node: Tree) -> Tree:
    if isinstance(node, Scalar):
        return Scalar(node.value)
    if isinstance(node, Map):
        return Map(node.pairs)
    assert isinstance(node, Seq)
    return Seq(node.items)


def _key_text(key: Tree) -> str:
    if isinstance(key, Scalar):
        return key.value if isinstance(key.value, str) else _scalar_text(key.value)
    return "key"


# ---------------------------------------------------------------- walking


@dataclass
class _Slot:
    """A place that holds a value: a mapping pair's value (or key), or a sequence item."""

    holder: list
    index: int
    path: tuple  # keys and indexes from the document root

    def get(self) -> Tree:
        return self.holder[self.index]

    def set(self, value: Tree) -> None:
        self.holder[self.index] = value


def _slots(documents: list[Tree | None], keys: bool = False) -> list[_Slot]:
    """Every value slot (or key slot) of the documents, each shared subtree walked once."""
    found: list[_Slot] = []
    seen: set[int] = set()
    stack: list[tuple[Tree, tuple]] = [(document, (index,)) for index, document in enumerate(documents) if document is not None]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Map):
            for pair in node.pairs:
                key = pair[0].value if isinstance(pair[0], Scalar) else "?"
                found.append(_Slot(pair, 0 if keys else 1, path + (key,)))
                stack.append((pair[1], path + (key,)))
        elif isinstance(node, Seq):
            for index, item in enumerate(node.items):
                if not keys:
                    found.append(_Slot(node.items, index, path + (index,)))
                stack.append((item, path + (index,)))
    return found


def _maps(documents: list[Tree | None]) -> list[Map]:
    found, seen = [], set()
    stack = [document for document in documents if document is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Map):
            found.append(node)
            stack.extend(value for _, value in node.pairs)
        elif isinstance(node, Seq):
            stack.extend(node.items)
    return found


def _get(node: Tree | None, key: str) -> Tree | None:
    if isinstance(node, Map):
        for pair_key, value in reversed(node.pairs):
            if isinstance(pair_key, Scalar) and pair_key.value == key:
                return value
    return None


def _resource_names(documents: list[Tree | None]) -> list[str]:
    names: list[str] = []
    for document in documents:
        for section in ("Resources", "Parameters", "Conditions"):
            holder = _get(document, section)
            if isinstance(holder, Map):
                names += [str(key.value) for key, _ in holder.pairs if isinstance(key, Scalar)]
        metadata = _get(document, "metadata")
        name = _get(metadata, "name")
        if isinstance(name, Scalar) and isinstance(name.value, str):
            names.append(name.value)
    return names or ["Endpoint", "Model"]


def _owner(slot: _Slot) -> str | None:
    """The name of the CloudFormation resource that holds `slot`, if any."""
    path = slot.path
    if len(path) > 2 and path[1] == "Resources":
        return str(path[2])
    return None


# ---------------------------------------------------------------- value factories

C0 = "".join(chr(code) for code in range(0x20) if chr(code) not in "\t\n")
C1 = "".join(chr(code) for code in range(0x80, 0xA0))
CONTROL_PAYLOADS = (
    "\n::error file=x::pwned",
    "::stop-commands::token",
    "\x1b[2J",
    "\x1b]0;title\x07",
    "\x7f",
    "\x00",
    "\r",
    "\x1b",
    "\x85",
    "\u2028\u2029",
    "\ufeff",
    "\u202e",
    "\x9b31m",
    "\t",
)
ATTRIBUTES = ("EndpointName", "Arn", "EndpointConfigName", "ModelName", "Name", "VariantName", "Id")
CF_TYPES = (
    "AWS::SageMaker::Endpoint",
    "AWS::SageMaker::EndpointConfig",
    "AWS::SageMaker::Model",
    "AWS::SageMaker::InferenceComponent",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::ECS::TaskDefinition",
    "AWS::ECS::Service",
    "AWS::Batch::JobDefinition",
    "AWS::Batch::ComputeEnvironment",
    "AWS::EKS::Nodegroup",
    "AWS::StepFunctions::StateMachine",
    "AWS::Serverless::StateMachine",
    "AWS::SageMaker::Pipeline",
    "AWS::SageMaker::MonitoringSchedule",
    "AWS::AutoScaling::AutoScalingGroup",
    "AWS::EC2::LaunchTemplate",
    "AWS::CloudFormation::Stack",
)
K8S_KINDS = (
    "Deployment",
    "StatefulSet",
    "Job",
    "CronJob",
    "Pod",
    "DaemonSet",
    "HorizontalPodAutoscaler",
    "ScaledObject",
    "HTTPScaledObject",
    "PodDisruptionBudget",
    "NodePool",
    "Provisioner",
    "InferenceService",
    "LLMInferenceService",
    "SeldonDeployment",
    "RayService",
    "RayCluster",
    "LeaderWorkerSet",
    "NIMService",
    "Endpoint",
    "EndpointConfig",
    "Model",
    "TrainingJob",
    "TransformJob",
    "ScalableTarget",
    "ClusterConfig",
    "PyTorchJob",
    "VLLMRuntime",
)


def huge_number(rng) -> Raw:
    """A number no real file holds: beyond float range, beyond the int-string limit, or not finite."""
    choice = rng.randrange(9)
    if choice == 0:
        return Raw("1" + "0" * 400, "1" + "0" * 400)
    if choice == 1:
        return Raw("0x" + "f" * 4000, "9" * 5000)
    if choice == 2:
        return Raw("9" * 5000, "9" * 5000)
    if choice == 3:
        return Raw("1e400", "1e400")
    if choice == 4:
        return Raw("-1e400", "-1e400")
    if choice == 5:
        return Raw(".nan", "NaN")
    if choice == 6:
        return Raw("-" + "9" * 311, "-" + "9" * 311)
    if choice == 7:
        return Raw("0o" + "7" * 1000, "1" + "0" * 1000)
    return Raw("1" + "0" * 310 + ".5e10", "1" + "0" * 310 + ".5e10")


def other_type(rng, current: Tree) -> Tree:
    """A value of another type than `current`: string, number, list, map, null or bool."""
    inner = current if not isinstance(current, Raw) else Scalar("x")
    choices: list[Callable[[], Tree]] = [
        lambda: Scalar(rng.choice(("", "x", "10", "ml.m5.large", "-1", "1Gi", "none", "true", " "))),
        lambda: Scalar(rng.choice((0, -1, 1, 2**31, 2**63, 0.5, -0.0, 1e308, 1000000))),
        lambda: Seq([]),
        lambda: Seq([inner]),
        lambda: Map([]),
        lambda: Map([[Scalar("key"), inner]]),
        lambda: Scalar(None),
        lambda: Scalar(rng.choice((True, False))),
        lambda: huge_number(rng),
    ]
    if isinstance(current, Scalar) and isinstance(current.value, str):
        choices[0] = lambda: Scalar(rng.choice((0, 1.5, None)))
    return rng.choice(choices)()


def intrinsic(rng, names: list[str], owner: str | None) -> Tree:
    """An intrinsic function, often naming the owning resource itself (a self-reference)."""
    target = owner if owner is not None and rng.random() < 0.5 else rng.choice(names)
    attribute = rng.choice(ATTRIBUTES)
    choice = rng.randrange(14)
    if choice == 0:
        return Scalar(target, "!Ref")
    if choice == 1:
        return Scalar(f"{target}.{attribute}", "!GetAtt")
    if choice == 2:
        return Scalar(f"${{{target}.{attribute}}}", "!Sub")
    if choice == 3:
        return Scalar(f"prefix-${{{target}}}-${{AWS::Region}}-${{!Literal}}", "!Sub")
    if choice == 4:
        return Map([[Scalar("Fn::If"), Seq([Scalar(rng.choice(names)), Scalar(f"{target}.{attribute}", "!GetAtt"), Scalar("AWS::NoValue", "!Ref")])]])
    if choice == 5:
        return Map([[Scalar("Fn::Join"), Seq([Scalar("-"), Seq([Scalar("a"), Scalar(f"{target}.{attribute}", "!GetAtt"), Scalar(target, "!Ref")])])]])
    if choice == 6:
        return Seq([Scalar(""), Seq([Scalar(f"{target}.{attribute}", "!GetAtt")])], "!Join")
    if choice == 7:
        return Map([[Scalar("Fn::Select"), Seq([Scalar(rng.choice((0, 1, -1, 99, "x"))), Seq([Scalar("a"), Scalar(target, "!Ref")])])]])
    if choice == 8:
        return Map([[Scalar("Fn::FindInMap"), Seq([Scalar("Map"), Scalar(target, "!Ref"), Scalar("Key")])]])
    if choice == 9:
        return Map([[Scalar("Fn::Sub"), Seq([Scalar("${A}-${B.C}"), Map([[Scalar("A"), Scalar(f"{target}.{attribute}", "!GetAtt")], [Scalar("B"), Scalar(target, "!Ref")]])])]])
    if choice == 10:
        return Map([[Scalar("Ref"), rng.choice((Scalar(target), Seq([]), Map([]), Scalar(None), Scalar(3)))]])
    if choice == 11:
        return Map([[Scalar("Fn::GetAtt"), rng.choice((Seq([Scalar(target), Scalar(attribute)]), Scalar(f"{target}.{attribute}"), Seq([]), Seq([Scalar(target)]), Scalar(7)))]])
    if choice == 12:
        return Seq([Scalar(target, "!Ref"), Map([])], rng.choice(("!If", "!Select", "!Split", "!Base64", "!ImportValue", "!Cidr", "!GetAZs", "!Equals", "!Not", "!And", "!Or", "!Condition", "!Transform", "!ForEach", "!Length", "!ToJsonString")))
    return Scalar(target, rng.choice(("!Ref", "!GetAtt", "!Sub", "!ImportValue", "!Base64", "!GetAZs", "!Condition", "!Unknown")))


def with_control_characters(rng, text: str) -> str:
    payload = rng.choice(CONTROL_PAYLOADS) if rng.random() < 0.6 else "".join(rng.choice(C0 + C1 + "\x7f") for _ in range(rng.randint(1, 4)))
    position = rng.randint(0, len(text))
    return text[:position] + payload + text[position:]


def _depth(rng, limits: "MutationLimits") -> int:
    """A nesting depth around the loader's limit (256), or now and then the deepest allowed."""
    if rng.random() < 0.02:
        return limits.max_nesting
    return rng.choice((64, 255, 256, 257, 1000, min(5000, limits.max_nesting)))


def nested(rng, value: Tree, depth: int) -> Tree:
    """`value` under `depth` levels of flow sequences or mappings."""
    inner = _EmitYaml([value]).inline(value) if not isinstance(value, Raw) else value.text
    if rng.random() < 0.5:
        return Raw("[" * depth + inner + "]" * depth, "[" * depth + "1" + "]" * depth)
    return Raw("{a: " * depth + inner + "}" * depth, '{"a": ' * depth + "1" + "}" * depth)


# ---------------------------------------------------------------- node mutations


def _pick(rng, items: list):
    return rng.choice(items) if items else None


def m_delete_key(rng, documents, limits) -> str:
    maps = [node for node in _maps(documents) if node.pairs]
    target = _pick(rng, maps)
    if target is None:
        return "delete-key (none)"
    index = rng.randrange(len(target.pairs))
    key = target.pairs[index][0]
    del target.pairs[index]
    return f"delete-key {getattr(key, 'value', '?')!r}"


def m_swap_type(rng, documents, limits) -> str:
    slot = _pick(rng, _slots(documents))
    if slot is None:
        return "swap-type (none)"
    slot.set(other_type(rng, slot.get()))
    return f"swap-type at {slot.path!r}"


def m_intrinsic(rng, documents, limits) -> str:
    slots = _slots(documents)
    slot = _pick(rng, slots)
    if slot is None:
        return "intrinsic (none)"
    names = _resource_names(documents)
    slot.set(intrinsic(rng, names, _owner(slot)))
    return f"intrinsic at {slot.path!r}"


def m_reference_pair(rng, documents, limits) -> str:
    """Two resources whose values refer to each other (a cycle across resources), or one to itself."""
    by_owner: dict[str, list[_Slot]] = {}
    for slot in _slots(documents):
        owner = _owner(slot)
        if owner is not None and len(slot.path) > 3:
            by_owner.setdefault(owner, []).append(slot)
    owners = sorted(by_owner)
    if not owners:
        return m_intrinsic(rng, documents, limits)
    first, second = rng.choice(owners), rng.choice(owners)
    attribute = rng.choice(ATTRIBUTES)
    a, b = rng.choice(by_owner[first]), rng.choice(by_owner[second])
    a.set(Scalar(f"${{{second}.{attribute}}}", "!Sub"))
    b.set(rng.choice((Scalar(f"{first}.{attribute}", "!GetAtt"), Scalar(f"x-${{{first}.{attribute}}}", "!Sub"), Scalar(first, "!Ref"))))
    return f"reference-pair {first}<->{second}"


def m_huge_number(rng, documents, limits) -> str:
    slots = _slots(documents)
    numeric = [slot for slot in slots if isinstance(slot.get(), Scalar) and isinstance(slot.get().value, (int, float))]
    slot = _pick(rng, numeric if numeric and rng.random() < 0.7 else slots)
    if slot is None:
        return "huge-number (none)"
    slot.set(huge_number(rng))
    return f"huge-number at {slot.path!r}"


def m_control_characters(rng, documents, limits) -> str:
    use_keys = rng.random() < 0.4
    slots = [slot for slot in _slots(documents, keys=use_keys) if isinstance(slot.get(), Scalar) and isinstance(slot.get().value, str)]
    names = [slot for slot in slots if slot.path[-1] in ("name", "Name", "EndpointName", "ModelName", "VariantName") or len(slot.path) == 3]
    slot = _pick(rng, names if names and rng.random() < 0.5 else slots)
    if slot is None:
        return "control-characters (none)"
    old = slot.get()
    slot.set(Scalar(with_control_characters(rng, old.value), old.tag))
    return f"control-characters in {'key' if use_keys else 'value'} at {slot.path!r}"


def m_nest_deeply(rng, documents, limits) -> str:
    slot = _pick(rng, _slots(documents))
    depth = _depth(rng, limits)
    if slot is None:
        documents.append(nested(rng, Scalar("x"), depth))
        return f"nest-deeply {depth} (new document)"
    slot.set(nested(rng, slot.get(), depth))
    return f"nest-deeply {depth} at {slot.path!r}"


def m_change_kind(rng, documents, limits) -> str:
    """Another resource Type / Kubernetes kind, so a reader meets a shape it does not expect."""
    slots = [slot for slot in _slots(documents) if slot.path[-1] in ("Type", "kind", "apiVersion") and isinstance(slot.get(), Scalar)]
    slot = _pick(rng, slots)
    if slot is None:
        return m_swap_type(rng, documents, limits)
    if slot.path[-1] == "Type":
        slot.set(Scalar(rng.choice(CF_TYPES)))
    elif slot.path[-1] == "kind":
        slot.set(Scalar(rng.choice(K8S_KINDS)))
    else:
        slot.set(Scalar(rng.choice(("v1", "apps/v1", "serving.kserve.io/v1beta1", "sagemaker.services.k8s.aws/v1alpha1", "machinelearning.seldon.io/v1", "ray.io/v1", "karpenter.sh/v1", "autoscaling/v2", "keda.sh/v1alpha1"))))
    return f"change-kind at {slot.path!r} to {slot.get().value!r}"


def m_graft(rng, documents, limits) -> str:
    """A subtree copied (shared: an alias) or moved over another slot."""
    slots = _slots(documents)
    if len(slots) < 2:
        return "graft (none)"
    source, target = rng.choice(slots), rng.choice(slots)
    value = source.get()
    if _contains(value, target.get()) or target.path[: len(source.path)] == source.path:
        return "graft (skipped: would cycle)"
    target.set(value)  # the same object twice: emitted as an anchor and an alias
    return f"graft {source.path!r} -> {target.path!r}"


def _contains(tree: Tree, needle: Tree) -> bool:
    stack, seen = [tree], set()
    while stack:
        node = stack.pop()
        if node is needle:
            return True
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Map):
            stack.extend(item for pair in node.pairs for item in pair)
        elif isinstance(node, Seq):
            stack.extend(node.items)
    return False


def m_duplicate_document(rng, documents, limits) -> str:
    if not documents:
        return "duplicate-document (none)"
    documents.append(rng.choice(documents))
    return "duplicate-document"


def m_duplicate_resource(rng, documents, limits) -> str:
    """A resource copied under another name (the same node: an alias), or a duplicate key."""
    holders = [node for document in documents for node in (_get(document, "Resources"),) if isinstance(node, Map) and node.pairs]
    if not holders:
        return m_duplicate_document(rng, documents, limits)
    holder = rng.choice(holders)
    key, value = rng.choice(holder.pairs)
    name = key.value if rng.random() < 0.3 else f"{key.value}Copy"
    holder.pairs.append([Scalar(name), value])
    return f"duplicate-resource {name!r}"


def m_crowd(rng, documents, limits) -> str:
    """The file's objects many times over, each copy under a name of its own.

    Many objects of each kind beside many of another (budgets and the pods
    they select, runtimes and the services choosing among them, pools and
    jobs), and many naming one shared object (endpoints naming one
    configuration, autoscalers one target), as a pull request can write:
    work that pairs every object with every other shows as time. About
    `limits.crowd_bytes` of text in all: linear work on it stays within
    the time budget, and pairwise work does not. A Kubernetes object's copy
    gets `-cN` after its name, a template's resources are copied into its
    `Resources` as `NameCN` (still naming the originals), anything else is
    repeated as it is.
    """
    written = [document for document in documents if document is not None]
    if not written:
        return "crowd (none)"
    size = max(1, len(emit(written, False)))
    copies = max(2, min(limits.crowd_bytes // size, 5000))
    originals = []
    for document in written:
        resources = _get(document, "Resources")
        originals.append((document, resources, list(resources.pairs) if isinstance(resources, Map) else None))
    for number in range(1, copies):
        for document, resources, resource_pairs in originals:
            if resource_pairs is not None:
                resources.pairs.extend([Scalar(f"{key.value}C{number}"), copy.deepcopy(value)] for key, value in resource_pairs if isinstance(key, Scalar))
                continue
            clone = copy.deepcopy(document)
            metadata = _get(clone, "metadata")
            name = _get(metadata, "name") if isinstance(metadata, Map) else None
            if isinstance(name, Scalar) and isinstance(name.value, str):
                name.value = f"{name.value}-c{number}"
            documents.append(clone)
    return f"crowd of {copies} copies"


def m_reference_chain(rng, documents, limits) -> str:
    """Copies of a resource, each naming the one before it (twice, in a Join or Sub), sometimes closed into a ring."""
    holders = [node for document in documents for node in (_get(document, "Resources"),) if isinstance(node, Map) and node.pairs]
    if not holders:
        return m_reference_pair(rng, documents, limits)
    holder = rng.choice(holders)
    key, value = rng.choice(holder.pairs)
    if not isinstance(key, Scalar) or not isinstance(value, Map):
        return m_intrinsic(rng, documents, limits)
    length = rng.randint(2, limits.max_chain)
    attribute = rng.choice(ATTRIBUTES)
    previous = str(key.value)
    for number in range(length):
        clone = copy.deepcopy(value)
        _set_property(clone, attribute, _doubled_reference(rng, previous, attribute))
        name = f"{key.value}Chain{number}"
        holder.pairs.append([Scalar(name), clone])
        previous = name
    ring = limits.rings and rng.random() < 0.3
    if ring:
        _set_property(value, attribute, _doubled_reference(rng, previous, attribute))
    return f"reference-chain of {length} from {key.value!r} by {attribute}{' (a ring)' if ring else ''}"


def _doubled_reference(rng, name: str, attribute: str) -> Tree:
    get_att = Scalar(f"{name}.{attribute}", "!GetAtt")
    return rng.choice(
        (
            Seq([Scalar("-"), Seq([get_att, Scalar(f"{name}.{attribute}", "!GetAtt")])], "!Join"),
            Scalar(f"${{{name}.{attribute}}}-${{{name}.{attribute}}}", "!Sub"),
            get_att,
        )
    )


def _set_property(resource: Map, key: str, value: Tree) -> None:
    properties = _get(resource, "Properties")
    if not isinstance(properties, Map):
        properties = Map([])
        resource.pairs.append([Scalar("Properties"), properties])
    for pair in properties.pairs:
        if isinstance(pair[0], Scalar) and pair[0].value == key:
            pair[1] = value
            return
    properties.pairs.append([Scalar(key), value])


NODE_MUTATIONS: dict[str, Callable] = {
    "reference-chain": m_reference_chain,
    "delete-key": m_delete_key,
    "swap-type": m_swap_type,
    "intrinsic": m_intrinsic,
    "reference-pair": m_reference_pair,
    "huge-number": m_huge_number,
    "control-characters": m_control_characters,
    "nest-deeply": m_nest_deeply,
    "change-kind": m_change_kind,
    "graft": m_graft,
    "duplicate-document": m_duplicate_document,
    "duplicate-resource": m_duplicate_resource,
}
# Mutations that make an input large on purpose, for `crowds.py` (a case's time then grows with its size:
# the fuzzing's fixed budget per case is no measure of them).
SCALE_MUTATIONS: dict[str, Callable] = {"crowd": m_crowd}


# ---------------------------------------------------------------- text mutations


def t_truncate(rng, data: bytes, limits) -> tuple[bytes, str]:
    cut = rng.randint(0, len(data))
    return data[:cut], f"truncate at {cut}"


def t_control_bytes(rng, data: bytes, limits) -> tuple[bytes, str]:
    text = data.decode("utf-8", "replace")
    for _ in range(rng.randint(1, 3)):
        text = with_control_characters(rng, text)
    return text.encode("utf-8", "surrogatepass"), "raw control characters"


def t_line_edit(rng, data: bytes, limits) -> tuple[bytes, str]:
    lines = data.split(b"\n")
    index = rng.randrange(len(lines))
    action = rng.randrange(4)
    if action == 0:
        del lines[index]
    elif action == 1:
        lines.insert(index, lines[index])
    elif action == 2:
        lines[index] = b"\t" + lines[index]
    else:
        lines[index] = lines[index][: rng.randint(0, len(lines[index]))]
    return b"\n".join(lines), f"line {index + 1} edit {action}"


def t_duplicate_text(rng, data: bytes, limits) -> tuple[bytes, str]:
    separator = rng.choice((b"\n---\n", b"\n...\n---\n", b"\n"))
    return data + separator + data, f"duplicate text with {separator!r}"


def t_deep_text(rng, data: bytes, limits) -> tuple[bytes, str]:
    depth = _depth(rng, limits)
    kind = rng.randrange(3)
    if kind == 0:
        return data + b"\n---\n" + b"[" * depth + b"]" * depth + b"\n", f"deep flow document {depth}"
    if kind == 1:
        text = "".join(" " * level + "a:\n" for level in range(min(depth, 2000))) + " " * min(depth, 2000) + "x\n"
        return data + b"\n---\n" + text.encode(), f"deep block document {min(depth, 2000)}"
    return b"[" * depth + data + b"]" * depth, f"whole text in {depth} brackets"


def t_bad_encoding(rng, data: bytes, limits) -> tuple[bytes, str]:
    choice = rng.randrange(5)
    position = rng.randint(0, len(data))
    if choice == 0:
        return data[:position] + b"\xff\xfe\x80" + data[position:], "invalid UTF-8"
    if choice == 1:
        return b"\xef\xbb\xbf" + data, "UTF-8 BOM"
    if choice == 2:
        return data.decode("utf-8", "replace").encode("utf-16"), "UTF-16 with BOM"
    if choice == 3:
        return data[:position] + b"\x00" * rng.randint(1, 8) + data[position:], "NUL bytes"
    return data[:position] + "\ud800".encode("utf-8", "surrogatepass") + data[position:], "lone surrogate"


def t_anchor_games(rng, data: bytes, limits) -> tuple[bytes, str]:
    extras = (
        b"\n---\na: &a [*a]\n",
        b"\n---\n? [complex, key]\n: value\n",
        b"\n---\n!!binary aGVsbG8=\n",
        b"\n---\nx: !!python/object:os.system [id]\n",
        b"\n---\n<<: {a: 1}\nb: *nothing\n",
        b"\n---\n%TAG ! tag:example.com,2000:\n--- !foo bar\n",
    )
    return data + rng.choice(extras), "appended odd YAML"


TEXT_MUTATIONS: dict[str, Callable] = {
    "truncate": t_truncate,
    "control-bytes": t_control_bytes,
    "line-edit": t_line_edit,
    "duplicate-text": t_duplicate_text,
    "deep-text": t_deep_text,
    "bad-encoding": t_bad_encoding,
    "anchor-games": t_anchor_games,
}


# ---------------------------------------------------------------- putting it together


@dataclass(frozen=True)
class MutationLimits:
    """How far mutations go.

    CI stays below what crashes the process (`max_nesting`) and what takes
    seconds per case today (`max_chain`: resolution doubles at each link;
    `rings`: references in a ring never finish); the long run goes past them.
    """

    max_nesting: int = 5000
    max_chain: int = 8
    rings: bool = False  # resources that refer to each other in a ring: a hang today
    crowd_bytes: int = 1_500_000  # about how much text a crowd of copies makes (`m_crowd`)


@dataclass(frozen=True)
class Case:
    """A mutant: the bytes to lint, the path to lint them as, and how they were made."""

    path: str
    data: bytes
    steps: tuple[str, ...]


def mutate(rng, path: str, data: bytes, steps: int = 1, limits: MutationLimits = MutationLimits(), node_share: float = 0.7) -> Case:
    """`steps` mutations of the file `path`: node-level when it loads and the draw says so, else text-level."""
    as_json = path.endswith(".json")
    done: list[str] = []
    documents = None
    if rng.random() < node_share:
        try:
            documents = parse_tree(path, data.decode("utf-8"))
        except UnicodeDecodeError:
            documents = None
    if documents is not None:
        node_steps = rng.randint(1, steps)
        for _ in range(node_steps):
            name = rng.choice(sorted(NODE_MUTATIONS))
            done.append(NODE_MUTATIONS[name](rng, documents, limits))
        json_out = as_json if rng.random() < 0.9 else not as_json
        data = emit(documents, json_out and len(documents) == 1).encode("utf-8", "surrogatepass")
        done.append(f"emitted as {'JSON' if json_out and len(documents) == 1 else 'YAML'}")
        steps -= node_steps
    for _ in range(steps if documents is not None else max(steps, 1)):
        name = rng.choice(sorted(TEXT_MUTATIONS))
        data, description = TEXT_MUTATIONS[name](rng, data, limits)
        done.append(description)
    if rng.random() < 0.03:
        path = with_control_characters(rng, path)
        done.append("control characters in the path")
    return Case(path, data, tuple(done))


def sweep_cases(path: str, data: bytes, count: int = 20) -> list[Case]:
    """`count` deterministic mutants of one file: each node mutation, then each text mutation, then mixes."""
    import random

    cases: list[Case] = []
    documents_text = None
    try:
        documents_text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    loads = documents_text is not None and parse_tree(path, documents_text) is not None
    names = [("node", name) for name in sorted(NODE_MUTATIONS)] if loads else []
    names += [("text", name) for name in sorted(TEXT_MUTATIONS)]
    for number in range(count):
        rng = random.Random(f"{path}:{number}")
        if number < len(names):
            level, name = names[number]
            if level == "node":
                documents = parse_tree(path, documents_text)
                step = NODE_MUTATIONS[name](rng, documents, MutationLimits())
                single_json = path.endswith(".json") and len(documents) == 1
                cases.append(Case(path, emit(documents, single_json).encode("utf-8", "surrogatepass"), (step,)))
            else:
                mutated, step = TEXT_MUTATIONS[name](rng, data, MutationLimits())
                cases.append(Case(path, mutated, (step,)))
        else:
            cases.append(mutate(rng, path, data, steps=3))
    return cases
