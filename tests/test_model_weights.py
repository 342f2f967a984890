"""Model weights inferred from model IDs: parameter counts, bytes per parameter, sizes; never a guess."""

from __future__ import annotations

import pytest

import plugins.data as data
from plugins.data.model_weights import (
    bytes_per_parameter,
    default_bytes_per_parameter,
    model_id_from_uri,
    model_id_quantization,
    parameter_count,
    server_settings,
    weights_estimate,
    weights_size_gb,
)

# Model IDs as real deployments name them: most from ../shared/corpus
# (HF_MODEL_ID, MODEL_ID, --model, hf:// storage URIs), a few common Hub IDs.
COUNTED = [
    ("meta-llama/Llama-3.1-70B-Instruct", 70e9),
    ("meta-llama/Llama-3.1-70B", 70e9),
    ("meta-llama/Meta-Llama-3-70B-Instruct", 70e9),
    ("meta-llama/Meta-Llama-3.1-405B-Instruct", 405e9),
    ("checkpoints/llama-3.1-405b-instruct", 405e9),
    ("meta-llama/Llama-3.1-8B-Instruct", 8e9),
    ("meta-llama/Meta-Llama-3-8B-Instruct", 8e9),
    ("NousResearch/Meta-Llama-3-8B-Instruct", 8e9),
    ("models/meta-llama--Meta-Llama-3.1-8B-Instruct", 8e9),
    ("meta/llama-3.1-8b-instruct", 8e9),
    ("meta/llama3-8b-instruct", 8e9),
    ("meta-llama/Llama-2-7b-chat-hf", 7e9),
    ("NousResearch/Llama-2-13b-chat-hf", 13e9),
    ("mistralai/Mistral-7B-Instruct-v0.2", 7e9),
    ("mistralai/Mistral-7B-Instruct-v0.1", 7e9),
    ("mistralai/Mixtral-8x7B-Instruct-v0.1", 46.7e9),
    ("Qwen/Qwen2.5-7B-Instruct", 7e9),
    ("Qwen/Qwen2.5-0.5B", 0.5e9),
    ("Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8", 30e9),  # 30B total, A3B active
    ("Qwen/Qwen3.5-4b", 4e9),
    ("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", 8e9),
    ("models/deepseek-r1-distill-llama-8b", 8e9),
    ("deepseek-ai/DeepSeek-R1-0528-Qwen3-8B", 8e9),
    ("google/gemma-7b-it", 7e9),
    ("google/gemma-2b", 2e9),
    ("google/gemma-2b-it", 2e9),
    ("tensorrtllm/2b-it", 2e9),
    ("google/gemma-2-9b-it", 9e9),
    ("google/gemma-2-27b-it", 27e9),
    ("tiiuae/falcon-40b", 40e9),
    ("tiiuae/falcon-7b-instruct", 7e9),
    ("facebook/opt-125m", 125e6),
    ("edbeeching/opt-125m-lora", 125e6),
    ("bigscience/bloom-560m", 560e6),
    ("bigscience/bloom-7b1", 7.1e9),
    ("TinyLlama/TinyLlama-1.1B-Chat-v1.0", 1.1e9),
    ("hf://meta-llama/Llama-3.1-8B-Instruct", 8e9),
    ("/data/models/llama-2-7b", 7e9),
    ("Llama-3.1-70B", 70e9),
    ("llama-3.1-70b", 70e9),
]

UNCOUNTED = [
    "mistralai/Mixtral-8x22B-Instruct-v0.1",  # a mixture of experts the tables do not list
    "meta-llama/Llama-4-Scout-17B-16E-Instruct",  # 17B active of a 16-expert model
    "openai/gpt-oss-20b",  # natively MXFP4: the name does not describe the weights
    "RedHatAI/gpt-oss-20b",
    "deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct",
    "deepseek-ai/DeepSeek-V3",
    "stabilityai/stable-diffusion-2-1",
    "microsoft/Phi-3-mini-4k-instruct",  # 4k is the context
    "sentence-transformers/all-MiniLM-L6-v2",
    "gpt2",
    "models/RealESRGAN_x4plus_anime_6B.pth",  # a checkpoint file: 6 blocks, not 6B parameters
    "TheBloke/Llama-2-7B-GGUF/llama-2-7b.Q4_K_M.gguf",
    "s3://models/llama-2-7b/",  # an object store path, not a model ID
    "gs://bucket/gemma-2b",
    "org/model-7B-to-70B",  # two sizes
    "unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit-70B",
    "",
    "   ",
    None,
    42,
]


@pytest.mark.parametrize(("model_id", "parameters"), COUNTED)
def test_parameter_count(model_id, parameters):
    count = parameter_count(model_id)
    assert count is not None, model_id
    assert count.parameters == pytest.approx(parameters)
    assert count.basis


@pytest.mark.parametrize("model_id", UNCOUNTED)
def test_no_parameter_count_without_a_size(model_id):
    assert parameter_count(model_id) is None


def test_counts_from_the_tables_name_their_source():
    count = parameter_count("mistralai/Mixtral-8x7B-v0.1")
    assert count.parameters == 46.7e9
    assert "mixtral-of-experts" in count.source and "data tables" in count.basis
    assert parameter_count("meta-llama/Llama-3.1-8B").source is None


def test_size_words_are_case_insensitive():
    assert parameter_count("x/Model-7b").parameters == parameter_count("x/MODEL-7B").parameters == 7e9


# --- Bytes per parameter -------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("fp32", 4), ("float32", 4), ("float", 4),
        ("fp16", 2), ("float16", 2), ("half", 2), ("bf16", 2), ("BFloat16", 2), ("auto", 2),
        ("fp8", 1), ("int8", 1), ("eetq", 1), ("bitsandbytes", 1),
        ("int4", 0.5), ("awq", 0.5), ("AWQ", 0.5), ("bitsandbytes-nf4", 0.5), ("bitsandbytes-fp4", 0.5), ("4bit", 0.5),
    ],
)
def test_bytes_per_parameter(word, expected):
    assert bytes_per_parameter(word) == expected


@pytest.mark.parametrize("word", ["gptq", "marlin", "exl2", "gguf", "squeezellm", "mystery", "", None, 8])
def test_words_that_do_not_fix_a_width_are_unknown(word):
    assert bytes_per_parameter(word) is None


def test_default_is_sixteen_bit():
    assert default_bytes_per_parameter() == 2


def test_every_word_has_one_width():
    tables = data.raw_tables()["model_weights"]
    words = [word for entry in tables["dtypes"] for word in entry["words"]]
    assert len(words) == len(set(words))
    assert not set(words) & set(tables["unsized"]["words"])


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        ("Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8", ("fp8", 1)),
        ("TheBloke/Llama-2-13B-chat-AWQ", ("awq", 0.5)),
        ("Qwen/Qwen2.5-7B-Instruct-GPTQ-Int4", ("int4", 0.5)),
        ("Qwen/Qwen2.5-7B-Instruct-GPTQ-Int8", ("int8", 1)),
        ("Qwen/Qwen2.5-7B-Instruct-GPTQ", ("gptq", None)),
        ("unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit", ("4bit", 0.5)),
        ("unsloth/gpt-oss-120b-BF16", ("bf16", 2)),
        ("x/model-7b-int4-fp8", ("int4+fp8", None)),
        ("meta-llama/Llama-3.1-8B-Instruct", None),
    ],
)
def test_model_id_quantization(model_id, expected):
    assert model_id_quantization(model_id) == expected


# --- Weights size ---------------------------------------------------------------


def test_weights_size_gb():
    assert weights_size_gb(70e9, 2) == 140
    assert weights_size_gb(0.5e9, 0.5) == 0.25


@pytest.mark.parametrize(
    ("model_id", "dtype", "quantization", "size_gb"),
    [
        ("meta-llama/Llama-3.1-70B-Instruct", None, None, 140),  # 16-bit when nothing is said
        ("meta-llama/Llama-3.1-70B-Instruct", "float32", None, 280),
        ("meta-llama/Llama-3.1-70B-Instruct", "bfloat16", "fp8", 70),  # quantisation wins over dtype
        ("meta-llama/Llama-3.1-70B-Instruct", None, "awq", 35),
        ("meta-llama/Llama-3.1-70B-Instruct", "auto", "None", 140),  # vLLM's `--quantization None`
        ("Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8", "bfloat16", None, 30),  # the ID's fp8 wins over dtype
        ("Qwen/Qwen2.5-7B-Instruct-GPTQ-Int4", None, "gptq", 3.5),  # the ID fixes GPTQ's width
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", None, None, 93.4),
        ("facebook/opt-125m", None, None, 0.25),
        ("hf://google/gemma-2b-it", "half", None, 4),
    ],
)
def test_weights_estimate(model_id, dtype, quantization, size_gb):
    estimate = weights_estimate(model_id, dtype=dtype, quantization=quantization)
    assert estimate is not None
    assert estimate.size_gb == pytest.approx(size_gb)
    assert "in the model ID" in estimate.basis or "data tables" in estimate.basis
    assert estimate.describe().startswith(f"{estimate.size_gb:g} GB inferred: ")


@pytest.mark.parametrize(
    ("model_id", "dtype", "quantization"),
    [
        ("meta-llama/Llama-3.1-70B-Instruct", None, "gptq"),  # width not fixed
        ("meta-llama/Llama-3.1-70B-Instruct", None, "exl2"),
        ("meta-llama/Llama-3.1-70B-Instruct", "float64", None),  # a dtype the tables do not know
        ("Qwen/Qwen2.5-7B-Instruct-GPTQ", None, None),
        ("openai/gpt-oss-20b", None, None),
        ("deepseek-ai/DeepSeek-V3", "bfloat16", None),
    ],
)
def test_no_estimate_when_something_is_unknown(model_id, dtype, quantization):
    assert weights_estimate(model_id, dtype=dtype, quantization=quantization) is None


def test_estimate_says_what_it_rests_on():
    estimate = weights_estimate("meta-llama/Llama-3.1-70B-Instruct")
    assert estimate.describe() == (
        "140 GB inferred: 70B in the model ID x 2 bytes per parameter (no dtype or quantisation named: 16-bit weights)"
    )
    assert estimate.model_id == "meta-llama/Llama-3.1-70B-Instruct"


# --- Where model IDs and dtypes are written -------------------------------------


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("hf://meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-8B"),
        ("HF://org/model/", "org/model"),
        ("meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-8B"),
        (" /mnt/models/llama ", "/mnt/models/llama"),
        ("s3://bucket/model.tar.gz", None),
        ("gs://bucket/model", None),
        ("pvc://models/llama", None),
        ("https://huggingface.co/meta-llama/Llama-3.1-8B", None),
        ("hf://", None),
        ("", None),
        (None, None),
    ],
)
def test_model_id_from_uri(uri, expected):
    assert model_id_from_uri(uri) == expected


def test_server_settings_name_the_flags_and_environment():
    settings = {(setting.server, setting.kind): setting for setting in server_settings()}
    assert "--dtype" in settings[("vllm", "dtype")].flags
    assert "--quantization" in settings[("vllm", "quantization")].flags
    assert settings[("tgi", "dtype")].env == ("DTYPE",)
    assert settings[("tgi", "quantization")].env == ("QUANTIZE",)
    assert "--quantize" in settings[("tgi", "quantization")].flags
