"""Examples `mldeploy-lint advise` writes into the templates it emits: instance types, images, framework names.

Read from the `advisor_examples` section of tables.yaml; the thresholds
advise follows are the rules' own, in the other sections.
"""

from __future__ import annotations

from dataclasses import dataclass

from plugins.data.images import _frameworks
from plugins.data.instances import instance_types_source
from plugins.data.loading import raw_tables


@dataclass(frozen=True)
class ExampleImage:
    """A container image `advise` writes into emitted templates for a framework and build (cpu | gpu | neuron)."""

    framework: str
    build: str
    image: str
    source: str


def framework_names() -> tuple[str, ...]:
    """Every framework name of the images table, in table order."""
    return tuple(_frameworks())


def framework_aliases() -> dict[str, str]:
    """Other spellings of framework names (`llm` -> `vllm`), from the advisor examples."""
    return dict(raw_tables()["advisor_examples"]["framework_aliases"]["aliases"])


def example_instance_types(accelerator: str, job_kind: str) -> tuple[str, ...]:
    """Example SageMaker instance types for an accelerator (cpu | gpu | inferentia) and job kind, best first."""
    for entry in raw_tables()["advisor_examples"]["instance_types"]:
        if entry["accelerator"] == accelerator and entry["job_kind"] == job_kind:
            return tuple(entry["types"])
    return ()


def example_instance_types_source(accelerator: str, job_kind: str) -> str:
    """Where the example instance types of an accelerator and job kind come from."""
    for entry in raw_tables()["advisor_examples"]["instance_types"]:
        if entry["accelerator"] == accelerator and entry["job_kind"] == job_kind:
            return entry["source"]
    return instance_types_source()


def example_image(framework: str, build: str) -> ExampleImage | None:
    """An example image of `framework` built for `build` (cpu | gpu | neuron), if the tables give one."""
    for entry in raw_tables()["advisor_examples"]["images"]:
        if entry["framework"] == framework and entry["build"] == build:
            return ExampleImage(entry["framework"], entry["build"], entry["image"], entry["source"])
    return None


def example_images() -> tuple[ExampleImage, ...]:
    """Every example image, in table order."""
    return tuple(
        ExampleImage(entry["framework"], entry["build"], entry["image"], entry["source"])
        for entry in raw_tables()["advisor_examples"]["images"]
    )
