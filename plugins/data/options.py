"""The `[data]` configuration section: extensions of the built-in data tables, declared as a plugin's options.

The tables live in `plugins.data` (shared by every adapter and rule pack);
this module only declares the section's schema, so that the configuration
file is validated against it like any other plugin's section. The
adapters and rules read the section through the run (`plugins.data.extensions_of`).
"""

from __future__ import annotations

from linter import OptionSection, hookimpl

SECTION = OptionSection(
    "data",
    {
        "type": "object",
        "additionalProperties": False,
        "description": "Extensions of the built-in data tables, for what a release does not know yet (a new instance type, a private image). See docs/configuration.md.",
        "properties": {
            "instance-types": {
                "type": "object",
                "additionalProperties": False,
                "description": "Extra ml.* instance types valid for a job kind.",
                "properties": {
                    "hosting": {
                        "type": "array",
                        "items": {
                            "type": "string",
                            "pattern": "^ml\\.[a-z0-9-]+\\.[a-z0-9-]+$"
                        }
                    },
                    "transform": {
                        "type": "array",
                        "items": {
                            "type": "string",
                            "pattern": "^ml\\.[a-z0-9-]+\\.[a-z0-9-]+$"
                        }
                    },
                    "training": {
                        "type": "array",
                        "items": {
                            "type": "string",
                            "pattern": "^ml\\.[a-z0-9-]+\\.[a-z0-9-]+$"
                        }
                    },
                    "processing": {
                        "type": "array",
                        "items": {
                            "type": "string",
                            "pattern": "^ml\\.[a-z0-9-]+\\.[a-z0-9-]+$"
                        }
                    }
                }
            },
            "instance-families": {
                "type": "object",
                "description": "Classification of instance families the tables lack (or override), by family name such as g7e.",
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "accelerator"
                    ],
                    "properties": {
                        "accelerator": {
                            "enum": [
                                "none",
                                "gpu",
                                "inferentia",
                                "trainium",
                                "gaudi"
                            ]
                        },
                        "accelerator-count": {
                            "type": "integer",
                            "minimum": 0,
                            "description": "Accelerators per instance, when the same for every size."
                        },
                        "burstable": {
                            "type": "boolean"
                        },
                        "architecture": {
                            "enum": [
                                "x86_64",
                                "arm64"
                            ]
                        }
                    }
                }
            },
            "images": {
                "type": "array",
                "description": "Image rules tried before the built-in ones: the first match wins.",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "framework"
                    ],
                    "properties": {
                        "repository": {
                            "type": "string",
                            "minLength": 1,
                            "description": "An ECR repository name (the last path part of the image, without tag)."
                        },
                        "image": {
                            "type": "string",
                            "minLength": 1,
                            "description": "A whole image name without tag (e.g. ghcr.io/acme/scorer), or a prefix ending in '/'."
                        },
                        "framework": {
                            "type": "string",
                            "minLength": 1
                        },
                        "tabular": {
                            "type": "boolean"
                        },
                        "llm-server": {
                            "type": "boolean"
                        },
                        "accelerator": {
                            "enum": [
                                "cpu",
                                "gpu",
                                "neuron"
                            ]
                        }
                    },
                    "oneOf": [
                        {
                            "required": [
                                "repository"
                            ]
                        },
                        {
                            "required": [
                                "image"
                            ]
                        }
                    ]
                }
            }
        }
    },
)


@hookimpl
def mldeploy_options() -> list[OptionSection]:
    return [SECTION]
