"""Images and frameworks: what an image serves, model-server commands, ML namespace words."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Mapping


from plugins.data.loading import SHIPPED, Extensions, raw_tables

__all__ = [
    "ecr_image_region",
    "seldon_implementation_framework",
    "ImageInfo",
    "FrameworkInfo",
    "ServerCommand",
    "classify_image",
    "framework_info",
    "kserve_model_format",
    "ml_namespace_word",
    "repository_word_framework",
    "server_command",
]


# --- Images and frameworks -------------------------------------------------


@dataclass(frozen=True)
class FrameworkInfo:
    """What the rules need to know about a framework or model server."""

    name: str
    tabular: bool
    llm_server: bool
    source: str
    model_server: bool = False  # loads a model, then answers requests and reports readiness


@functools.lru_cache(maxsize=None)
def _frameworks() -> dict[str, FrameworkInfo]:
    images = raw_tables()["images"]
    tabular = images["tabular_frameworks"]
    llm = images["llm_server_frameworks"]
    servers = images["model_server_frameworks"]
    frameworks = {}
    for name in str(images["frameworks"]["names"]).split():
        sources = [images["frameworks"]["source"]]
        if name in tabular["names"]:
            sources.append(tabular["source"])
        if name in llm["names"]:
            sources.append(llm["source"])
        if name in servers["names"]:
            sources.append(servers["source"])
        frameworks[name] = FrameworkInfo(name, name in tabular["names"], name in llm["names"], "; ".join(sources), name in servers["names"])
    return frameworks


def framework_info(name: str) -> FrameworkInfo | None:
    """The flags of a framework name used in the tables (`xgboost`, `vllm`, ...)."""
    return _frameworks().get(name)


@functools.lru_cache(maxsize=1)
def _ecr_registry() -> re.Pattern:
    return re.compile(raw_tables()["images"]["ecr_registry"]["pattern"])


def ecr_image_region(image: str) -> str | None:
    """The Region of an Amazon ECR image URI (`<account>.dkr.ecr.<region>.amazonaws.com/...`), if it is one."""
    match = _ecr_registry().match(image)
    return match.group("region") if match else None


def kserve_model_format(name: str) -> str | None:
    """The framework of a KServe `modelFormat.name` (case-insensitive), if known."""
    return raw_tables()["images"]["kserve_model_formats"]["formats"].get(str(name).lower())


def seldon_implementation_framework(name: str) -> str | None:
    """The framework of a Seldon Core v1 prepackaged server (`SKLEARN_SERVER`), if known."""
    return raw_tables()["images"]["seldon_implementations"]["implementations"].get(str(name).upper())


@dataclass(frozen=True)
class ImageInfo:
    """What an image reference says about the model it serves.

    `framework` names an entry of the frameworks table (or None);
    `accelerator` is the build the image is for: cpu | gpu | neuron, or None
    when neither its tag nor its repository says. `reason` and
    `accelerator_reason` say what matched, for `explain` and messages.
    """

    image: str
    framework: str | None = None
    tabular: bool = False
    llm_server: bool = False
    accelerator: str | None = None
    reason: str | None = None
    accelerator_reason: str | None = None
    confidence: str | None = None


@dataclass(frozen=True)
class _ImageRule:
    repositories: tuple[re.Pattern | _Name, ...]
    images: tuple[re.Pattern | _Name, ...]
    tag_pattern: re.Pattern | None
    framework: str
    tabular: bool
    llm_server: bool
    accelerator: str | None
    confidence: str


@functools.lru_cache(maxsize=None)
def _image_rules() -> tuple[_ImageRule, ...]:
    rules = []
    for group in raw_tables()["images"]["rule_groups"]:
        for entry in group["rules"]:
            flags = _frameworks()[entry["framework"]]
            rules.append(
                _ImageRule(
                    tuple(_repository_pattern(name) for name in entry.get("repositories", ())),
                    tuple(_image_pattern(name) for name in entry.get("images", ())),
                    re.compile(entry["tag_pattern"], re.IGNORECASE) if "tag_pattern" in entry else None,
                    entry["framework"],
                    bool(entry.get("tabular", flags.tabular)),
                    bool(entry.get("llm_server", flags.llm_server)),
                    entry.get("accelerator"),
                    entry.get("confidence", group.get("confidence", "high")),
                )
            )
    return tuple(rules)


def _configured_image_rules(entries) -> tuple[_ImageRule, ...]:
    """Image rules from the configuration file (`[[data.images]]`), tried first."""
    rules = []
    for entry in entries:
        flags = _frameworks().get(entry["framework"])
        rules.append(
            _ImageRule(
                (_repository_pattern(entry["repository"].lower()),) if "repository" in entry else (),
                (_image_pattern(entry["image"].lower()),) if "image" in entry else (),
                None,
                entry["framework"],
                bool(entry.get("tabular", flags.tabular if flags else False)),
                bool(entry.get("llm-server", flags.llm_server if flags else False)),
                entry.get("accelerator"),
                "declared",
            )
        )
    return tuple(rules)


@functools.lru_cache(maxsize=None)
def _tag_hints() -> tuple[tuple[re.Pattern, str, str], ...]:
    return tuple(
        (re.compile(entry["pattern"], re.IGNORECASE), entry["accelerator"], entry["label"])
        for entry in raw_tables()["images"]["tag_accelerator_hints"]
    )


_DOCKER_HUB_PREFIXES = ("docker.io/", "index.docker.io/", "registry-1.docker.io/")


def _split_image(image: str) -> tuple[str, str]:
    """(normalised name without tag or digest, tag) of an image reference."""
    reference = image.strip().split("@", 1)[0]
    slash, colon = reference.rfind("/"), reference.rfind(":")
    name, tag = (reference[:colon], reference[colon + 1:]) if colon > slash else (reference, "")
    name = name.lower()
    for prefix in _DOCKER_HUB_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    if name.startswith("library/"):
        name = name[len("library/"):]
    return name, tag


def _glob(pattern: str) -> str:
    """A regex for a table name in which '*' stands for any characters but '/'."""
    return "[^/]*".join(re.escape(part) for part in pattern.split("*"))


class _Name:
    """A table name without '*', matched as its pattern would be (`_repository_pattern`, `_image_pattern`).

    Comparing strings instead of compiling a regex for each of the ~90 such
    names saves every run that reads an image 2-3 ms. `behind_path`: the
    name may also follow a path, as `(?:.*/)?name` matches (`.` is any
    character but a newline).
    """

    __slots__ = ("name", "behind_path")

    def __init__(self, name: str, behind_path: bool) -> None:
        self.name = name
        self.behind_path = behind_path

    def fullmatch(self, text: str) -> bool:
        if text == self.name:
            return True
        if not self.behind_path or not text.endswith("/" + self.name):
            return False
        return "\n" not in text[: len(text) - len(self.name)]


@functools.lru_cache(maxsize=None)
def _repository_pattern(wanted: str) -> re.Pattern | _Name:
    """The last path component of an image name, exactly or by a '*' pattern."""
    return re.compile(_glob(wanted)) if "*" in wanted else _Name(wanted, behind_path=False)


@functools.lru_cache(maxsize=None)
def _image_pattern(wanted: str) -> re.Pattern | _Name:
    # A prefix ending in "/" covers a whole namespace; otherwise the image
    # matches exactly (or by its '*' pattern), alone or behind a registry,
    # mirror or pull-through-cache path.
    if wanted.endswith("/"):
        return re.compile(f"(?:.*/)?{_glob(wanted)}.*")
    if "*" in wanted:
        return re.compile(f"(?:.*/)?{_glob(wanted)}")
    return _Name(wanted, behind_path=True)


def _first_rule(rules: tuple[_ImageRule, ...], name: str, tag: str) -> tuple[_ImageRule, str] | None:
    """The first rule matching an image (normalised name and tag), with what matched; None when none does."""
    repository = name.rsplit("/", 1)[-1]
    for rule in rules:
        if any(pattern.fullmatch(repository) for pattern in rule.repositories):
            matched = f"image repository {repository}"
        elif any(pattern.fullmatch(name) for pattern in rule.images):
            matched = f"image {name}"
        else:
            continue
        if rule.tag_pattern is not None:
            if not rule.tag_pattern.search(tag):
                continue
            matched += f" with tag {tag}"
        return rule, matched
    return None


# Runs repeat a few images thousands of times (one per pod template or model); the shipped
# tables read each once. Bounded: a run of distinct images costs the table walk per image, as before.
@functools.lru_cache(maxsize=4096)
def _shipped_reading(image: str) -> tuple[str, str, tuple[_ImageRule, str] | None, tuple[str | None, str | None]]:
    """(name, tag, the first shipped rule matching with what matched, (accelerator, reason) from the tag) of an image reference."""
    name, tag = _split_image(image)
    if tag:
        for pattern, hint, label in _tag_hints():
            if pattern.search(tag):
                return name, tag, _first_rule(_image_rules(), name, tag), (hint, f"image tag {tag} contains {label}")
    return name, tag, _first_rule(_image_rules(), name, tag), (None, None)


def classify_image(image: str, env: Mapping[str, object] | None = None, extensions: Extensions = SHIPPED) -> ImageInfo:
    """Framework, flags and accelerator build of a container image reference.

    Rules are tried in table order, the first match wins: ECR repository
    names (the last path component), then whole public image names, each
    optionally narrowed by a tag pattern. The accelerator comes from the
    tag (`-cpu-`, `-gpu-`, `cuNNN`, `neuronx`, `inf`) before the rule's
    default. When no rule names a framework, environment hints (`HF_TASK`)
    may. Image rules of the run's configuration (`[[data.images]]` of
    `extensions`: pass `extensions_of(run)`) are tried first. Never raises; an unknown image gives an ImageInfo with
    None fields.
    """
    name, tag, shipped, (accelerator, accelerator_reason) = _shipped_reading(image)
    configured = extensions.section.get("images", ())
    rule_hit, reason = (_first_rule(_configured_image_rules(configured), name, tag) if configured else None) or shipped or (None, None)
    if accelerator is None and rule_hit is not None and rule_hit.accelerator:
        accelerator, accelerator_reason = rule_hit.accelerator, f"{reason} is a {rule_hit.accelerator} build"

    if rule_hit is not None:
        return ImageInfo(
            image, rule_hit.framework, rule_hit.tabular, rule_hit.llm_server, accelerator, reason, accelerator_reason, rule_hit.confidence
        )
    for hint in raw_tables()["images"]["env_hints"]:
        if env and hint["env"] in env:
            flags = framework_info(hint["framework"])
            return ImageInfo(
                image,
                hint["framework"],
                flags.tabular if flags else False,
                flags.llm_server if flags else False,
                accelerator,
                f"environment variable {hint['env']}",
                accelerator_reason,
                hint.get("confidence", "high"),
            )
    return ImageInfo(image, accelerator=accelerator, accelerator_reason=accelerator_reason)


def repository_word_framework(image: str) -> tuple[str, str] | None:
    """(framework, reason) a framework word in an image's repository name implies (`pricing-xgboost-server`), or None.

    The weakest reading of an image, for images no table rule knows: the
    word is what the image's team called it. A word counts between
    non-letters (`vllm0.7.0` names vLLM; `html` holds no `ml`); a
    repository that also names a helper role (`vllm-router`) names none.
    """
    table = raw_tables()["images"]["repository_words"]
    name, _ = _split_image(image)
    repository = name.rsplit("/", 1)[-1]
    if not re.fullmatch(r"[a-z0-9._-]+", repository):
        return None  # a placeholder (`$IMAGE_URI`, `{{ .Values.image }}`), not a name
    words = [word for word in re.split(r"[^a-z]+", repository) if word]
    if any(word in table["not_servers"] for word in words):
        return None
    for word in words:
        framework = table["words"].get(word)
        if framework is not None:
            return framework, f"the word {word!r} in the repository name {repository} (inferred from the image's name)"
    return None


@dataclass(frozen=True)
class ServerCommand:
    """A model server a container's command starts: its framework and what matched."""

    framework: str
    label: str
    confidence: str


@functools.lru_cache(maxsize=None)
def _server_commands() -> dict:
    return raw_tables()["images"]["server_commands"]


_SCRIPT_SEPARATORS = re.compile(r"\n|;|&&|\|\||\||&|\(|\)|`|\$\(")


def _simple_commands(argv: tuple[str, ...], depth: int = 0) -> list[list[str]]:
    """The simple commands an argument vector runs: itself, or those of the script a `sh -c` runs."""
    table = _server_commands()
    words = _strip_prefixes(list(argv), table["prefixes"])
    if not words:
        return []
    program = words[0].rsplit("/", 1)[-1]
    if program in table["shells"] and depth < 2:
        for position, word in enumerate(words[1:], start=1):
            if word.startswith("-") and not word.startswith("--") and "c" in word[1:]:
                if position + 1 < len(words):
                    return [command for script_command in _script_commands(words[position + 1]) for command in _simple_commands(tuple(script_command), depth + 1)]
                return []
        return [words]
    return [words]


def _script_commands(script: str) -> list[list[str]]:
    """The simple commands of a shell script, roughly: comments dropped, lines continued, split at separators."""
    import shlex

    script = script.replace("\\\n", " ")
    lines = [re.sub(r"(^|\s)#.*$", "", line) for line in script.splitlines()]
    commands = []
    for piece in _SCRIPT_SEPARATORS.split("\n".join(lines)):
        try:
            words = shlex.split(piece, posix=True)
        except ValueError:
            words = piece.split()
        if words:
            commands.append(words)
    return commands


def _strip_prefixes(words: list[str], prefixes) -> list[str]:
    """Words without leading `VAR=value` assignments and command prefixes (`exec`, `nohup`)."""
    while words and (re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]) or words[0].rsplit("/", 1)[-1] in prefixes):
        words = words[1:]
    return words


def _python_module(words: list[str]) -> str | None:
    """The module `python -m <module>` runs, if the words are that."""
    if not re.fullmatch(r"python[0-9.]*", words[0].rsplit("/", 1)[-1]):
        return None
    for position, word in enumerate(words[1:], start=1):
        if word == "-m" and position + 1 < len(words):
            return words[position + 1]
        if word.startswith("-m") and len(word) > 2:
            return word[2:]
        if not word.startswith("-"):
            return None
    return None


def server_command(argv: tuple[str, ...]) -> ServerCommand | None:
    """The model server a container's command line starts (`vllm serve`, `python -m vllm.entrypoints...`), or None.

    `argv` is the command and its arguments as the container runs them
    (Kubernetes `command` + `args`); a shell's `-c` script is read command
    by command, comments left out. Never raises.
    """
    table = _server_commands()
    for words in _simple_commands(tuple(str(word) for word in argv)):
        program = words[0].rsplit("/", 1)[-1]
        module = _python_module(words)
        for entry in table["commands"]:
            if "module" in entry:
                wanted = entry["module"]
                if module is not None and (module == wanted or module.startswith(wanted + ".")):
                    return ServerCommand(entry["framework"], entry["label"], table.get("confidence", "high"))
            elif program == entry["program"] and ("subcommand" not in entry or (len(words) > 1 and words[1] == entry["subcommand"])):
                return ServerCommand(entry["framework"], entry["label"], table.get("confidence", "high"))
    return None


def ml_namespace_word(namespace: str) -> str | None:
    """The word of a namespace name that says ML (`ml-serving` -> `ml`), or None (`html`, `xray`)."""
    words = set(raw_tables()["kubernetes"]["ml_namespace_words"]["words"])
    for word in re.split(r"[-_.]+", namespace.lower()):
        if word in words:
            return word
    return None
