"""How large a model's weights are, inferred from its ID and the dtype it is served in.

Pure functions over the `model_weights` section of `tables.yaml` (read
through `plugins.data.raw_tables`):

- `parameter_count("meta-llama/Llama-3.1-70B-Instruct")` -> 70 x 10^9, read
  from the size word of the ID's last path component (`70B`, `0.5B`,
  `125m`, `7b1`; case-insensitive); mixture-of-experts names come from the
  tables (`Mixtral-8x7B` -> 46.7 x 10^9) or not at all;
- `bytes_per_parameter("bf16")` -> 2, for dtype and quantisation words;
- `weights_estimate(model_id, dtype=..., quantization=...)` -> the size in GB
  (10^9 bytes), with the words it rests on, for `explain`.

Every function returns None when it cannot tell: an ID without a size
word, two different size words, an unknown MoE name, a checkpoint file
(`*_6B.pth` names a 6-block network), a quantisation whose width the word
does not fix (GPTQ). Nothing is guessed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from plugins.data import raw_tables

__all__ = [
    "ParameterCount",
    "WeightsEstimate",
    "ServerSetting",
    "bytes_per_parameter",
    "default_bytes_per_parameter",
    "model_id_from_uri",
    "model_id_quantization",
    "parameter_count",
    "server_settings",
    "weights_estimate",
    "weights_size_gb",
]

# Multipliers of the size words (definitions, not facts).
_SCALE = {"b": 10**9, "m": 10**6}
_SIZE = re.compile(r"(?<![a-z0-9.])(\d+(?:\.\d+)?)([bm])(?![a-z0-9])", re.IGNORECASE)
_SIZE_SPLIT = re.compile(r"(?<![a-z0-9.])(\d+)b(\d+)(?![a-z0-9])", re.IGNORECASE)  # bloom-7b1 = 7.1B
_MOE = re.compile(r"(?<![a-z0-9.])\d+x\d+(?:\.\d+)?[bm](?![a-z0-9])", re.IGNORECASE)  # 8x7B
_EXPERTS = re.compile(r"(?<![a-z0-9.])\d+e(?![a-z0-9])", re.IGNORECASE)  # Llama-4-Scout-17B-16E: 17B active
_WORD_SPLIT = re.compile(r"[-_.\s]+")
# Files, not model IDs: their size words describe something else.
_FILE_SUFFIXES = (".pth", ".pt", ".bin", ".ckpt", ".safetensors", ".gguf", ".onnx", ".h5", ".pkl", ".joblib",
                  ".tar", ".gz", ".tgz", ".zip", ".model", ".json", ".yaml", ".yml")
_NOT_MODEL_IDS = ("s3://", "gs://", "pvc://", "oci://", "http://", "https://", "azureblob://", "file://")


@dataclass(frozen=True)
class ParameterCount:
    """A parameter count and what it was read from."""

    parameters: float
    basis: str  # `70B in the model ID`, `Mixtral-8x7B in the tables`
    source: str | None  # the tables' source, when it came from the tables


@dataclass(frozen=True)
class WeightsEstimate:
    """An inferred size of a model's weights."""

    model_id: str
    parameters: float
    bytes_per_parameter: float
    size_gb: float  # 10^9 bytes
    basis: str  # what the estimate rests on, for explain

    def describe(self) -> str:
        return f"{self.size_gb:g} GB inferred: {self.basis}"


@dataclass(frozen=True)
class ServerSetting:
    """Where a model server takes its dtype or quantisation."""

    server: str  # vllm | tgi
    kind: str  # dtype | quantization
    flags: tuple[str, ...]
    env: tuple[str, ...]


def _section() -> dict:
    return raw_tables()["model_weights"]


def _last_component(model_id: str) -> str:
    return model_id.strip().rstrip("/").rsplit("/", 1)[-1]


def model_id_from_uri(uri: object) -> str | None:
    """The model ID a model reference names: `hf://org/name` -> `org/name`.

    Object-store and web URIs (`s3://`, `gs://`, `pvc://`, `https://`) are
    not model IDs: None. Other text (`org/name`, a local directory) is
    returned stripped.
    """
    if not isinstance(uri, str) or not uri.strip():
        return None
    text = uri.strip()
    if text.lower().startswith("hf://"):
        text = text[5:].strip("/")
        return text or None
    if text.lower().startswith(_NOT_MODEL_IDS):
        return None
    return text


@functools.lru_cache(maxsize=None)
def _known_counts() -> tuple[tuple[re.Pattern, dict], ...]:
    return tuple(
        (re.compile(rf"(?<![a-z0-9]){re.escape(entry['name'])}(?![a-z0-9])", re.IGNORECASE), entry)
        for entry in _section()["parameter_counts"]
    )


@functools.lru_cache(maxsize=None)
def _uninferable() -> tuple[re.Pattern, ...]:
    return tuple(
        re.compile(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", re.IGNORECASE)
        for name in _section()["uninferable"]["names"]
    )


def parameter_count(model_id: object) -> ParameterCount | None:
    """The parameter count a model ID states, or None when it states none.

    Reads the ID's last path component: `meta-llama/Llama-3.1-70B-Instruct`
    -> 70e9, `Qwen/Qwen2.5-0.5B` -> 0.5e9, `facebook/opt-125m` -> 125e6,
    `bigscience/bloom-7b1` -> 7.1e9. A mixture-of-experts name counts only
    when the tables list it (`Mixtral-8x7B`); an expert-count suffix
    (`17B-16E`) means the size word is the active parameters: None.
    """
    model_id = model_id_from_uri(model_id)
    if model_id is None:
        return None
    name = _last_component(model_id)
    if not name or name.lower().endswith(_FILE_SUFFIXES):
        return None
    if any(pattern.search(name) for pattern in _uninferable()):
        return None
    for pattern, entry in _known_counts():
        if pattern.search(name):
            parameters = float(entry["parameters"])
            return ParameterCount(parameters, f"{entry['name']}: {parameters / _SCALE['b']:g}B parameters (data tables)", entry["source"])
    if _MOE.search(name) or _EXPERTS.search(name):
        return None
    values: dict[float, str] = {}
    for match in _SIZE_SPLIT.finditer(name):
        values.setdefault(float(f"{match.group(1)}.{match.group(2)}") * _SCALE["b"], match.group(0))
    for match in _SIZE.finditer(name):
        values.setdefault(float(match.group(1)) * _SCALE[match.group(2).lower()], match.group(0))
    if len(values) != 1:
        return None
    (parameters, word), = values.items()
    return ParameterCount(parameters, f"{word} in the model ID", None)


# --- Bytes per parameter -------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _word_bytes() -> dict[str, float]:
    return {word: float(entry["bytes"]) for entry in _section()["dtypes"] for word in entry["words"]}


@functools.lru_cache(maxsize=None)
def _unsized() -> frozenset[str]:
    return frozenset(_section()["unsized"]["words"])


def default_bytes_per_parameter() -> float:
    """Bytes per parameter when no dtype or quantisation is named (16-bit weights)."""
    return float(_section()["default_bytes_per_parameter"]["value"])


def bytes_per_parameter(word: object) -> float | None:
    """Bytes per parameter a dtype or quantisation word means (`bf16` -> 2, `awq` -> 0.5).

    Case-insensitive. None for words that do not fix a width (`gptq`) and
    for words the tables do not know.
    """
    if not isinstance(word, str):
        return None
    key = word.strip().lower()
    if key in _unsized():
        return None
    return _word_bytes().get(key)


def model_id_quantization(model_id: object) -> tuple[str, float | None] | None:
    """The dtype or quantisation a model ID names (`Qwen2.5-7B-Instruct-AWQ` -> ("awq", 0.5)).

    Returns (word, bytes per parameter), with None bytes when the ID names
    a quantisation whose width it does not fix (`...-GPTQ` alone), or when
    it names two different widths. None when the ID names none.
    """
    model_id = model_id_from_uri(model_id)
    if model_id is None:
        return None
    words = [word.lower() for word in _WORD_SPLIT.split(_last_component(model_id)) if word]
    sized = {word: _word_bytes()[word] for word in words if word in _word_bytes() and word != "auto"}
    unsized = [word for word in words if word in _unsized()]
    widths = set(sized.values())
    if len(widths) == 1:
        return next(iter(sized)), widths.pop()
    if len(widths) > 1:
        return "+".join(sized), None
    if unsized:
        return unsized[0], None
    return None


def weights_size_gb(parameters: float, bytes_per_param: float) -> float:
    """Weights size in GB (10^9 bytes): parameters x bytes per parameter."""
    return parameters * bytes_per_param / 10**9


def weights_estimate(
    model_id: object, dtype: object = None, quantization: object = None
) -> WeightsEstimate | None:
    """The weights size of a model, from its ID and the dtype/quantisation it is served with.

    The width comes from, in order: the server's quantisation setting, a
    quantisation or dtype word in the model ID, the server's dtype setting,
    else 16-bit weights (what vLLM and TGI serve when told nothing). None
    when the count or the width is unknown.
    """
    count = parameter_count(model_id)
    if count is None:
        return None
    model_id = model_id_from_uri(model_id)
    assert model_id is not None  # parameter_count found one
    named = model_id_quantization(model_id)
    if quantization is not None and str(quantization).strip().lower() not in ("", "none"):
        width, why = bytes_per_parameter(quantization), f"quantisation {str(quantization).strip()!r}"
        if width is None and str(quantization).strip().lower() in _unsized() and named and named[1] is not None:
            # `--quantization gptq` with a `...-GPTQ-Int4` model: the ID fixes the width
            width, why = named[1], f"quantisation {str(quantization).strip()!r}, {named[0]!r} in the model ID"
    elif named is not None:
        width, why = named[1], f"{named[0]!r} in the model ID"
    elif dtype is not None and str(dtype).strip():
        width, why = bytes_per_parameter(dtype), f"dtype {str(dtype).strip()!r}"
    else:
        width, why = default_bytes_per_parameter(), "no dtype or quantisation named: 16-bit weights"
    if width is None:
        return None
    size = weights_size_gb(count.parameters, width)
    basis = f"{count.basis} x {width:g} bytes per parameter ({why})"
    return WeightsEstimate(model_id, count.parameters, width, size, basis)


def server_settings() -> tuple[ServerSetting, ...]:
    """The flags and environment variables that set a model server's dtype or quantisation."""
    return tuple(
        ServerSetting(entry["server"], entry["kind"], tuple(entry["flags"]), tuple(entry["env"]))
        for entry in _section()["settings"]
    )
