"""CP — compute fit — does the instance or node suit the model it runs?"""

from __future__ import annotations

from linter import Rule, hookimpl

from plugins.rules.compute_fit.accelerator_image_mismatch import accelerator_image_mismatch
from plugins.rules.compute_fit.accelerator_memory_vs_model_size import accelerator_memory_vs_model_size
from plugins.rules.compute_fit.burstable_instance_in_production import burstable_instance_in_production
from plugins.rules.compute_fit.cpu_for_llm_server import cpu_for_llm_server
from plugins.rules.compute_fit.gpu_for_tabular_model import gpu_for_tabular_model
from plugins.rules.compute_fit.gpu_instance_with_cpu_image import gpu_instance_with_cpu_image
from plugins.rules.compute_fit.inference_component_placement import inference_component_placement
from plugins.rules.compute_fit.unknown_instance_type import unknown_instance_type


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return [
        gpu_for_tabular_model,
        cpu_for_llm_server,
        accelerator_image_mismatch,
        burstable_instance_in_production,
        unknown_instance_type,
        gpu_instance_with_cpu_image,
        inference_component_placement,
        accelerator_memory_vs_model_size,
    ]
