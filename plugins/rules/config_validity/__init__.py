"""CV — configuration validity: settings the service would reject."""

from __future__ import annotations

from linter import Rule, hookimpl

from plugins.rules.config_validity.retired_elastic_inference import retired_elastic_inference
from plugins.rules.config_validity.serverless_concurrency_invalid import serverless_concurrency_invalid
from plugins.rules.config_validity.serverless_memory_invalid import serverless_memory_invalid
from plugins.rules.config_validity.serverless_unsupported_feature import serverless_unsupported_feature
from plugins.rules.config_validity.variant_weights_invalid import variant_weights_invalid


@hookimpl
def mldeploy_rules() -> list[Rule]:
    return [
        serverless_memory_invalid,
        serverless_concurrency_invalid,
        serverless_unsupported_feature,
        variant_weights_invalid,
        retired_elastic_inference,
    ]
