"""The workload profile `advise` works from: the profile schema's keys plus framework, model size, models and platform."""

from __future__ import annotations

from dataclasses import dataclass

from linter import CommandError, Environment, PROFILE_KEYS, check_profile_value, did_you_mean, normalise_environment, profile_choices

from plugins.data import framework_aliases, framework_info, framework_names

PLATFORMS = ("sagemaker", "kubernetes")

# Profile-schema keys and the dataclass fields that hold them.
_SCHEMA_FIELDS = {key: key.replace("-", "_") for key in PROFILE_KEYS}


@dataclass(frozen=True)
class AdviceProfile:
    """What the workload needs. None: not declared (the advice then says what it assumed)."""

    payload_mb: float | None = None
    latency_ms: float | None = None
    traffic: str | None = None
    requests_per_day: float | None = None
    environment: str | None = None
    urgency: str | None = None
    framework: str | None = None
    model_size_gb: float | None = None
    models: int = 1
    platform: str = "sagemaker"
    # Read from a file whose deployment runs to completion (a transform job, a Kubernetes or AWS Batch job).
    offline: bool = False

    @property
    def stage(self) -> Environment | None:
        return normalise_environment(self.environment) if self.environment else None

    @property
    def production(self) -> bool:
        return self.stage is Environment.PROD

    @property
    def tabular(self) -> bool:
        info = framework_info(self.framework) if self.framework else None
        return bool(info and info.tabular)

    @property
    def llm_server(self) -> bool:
        info = framework_info(self.framework) if self.framework else None
        return bool(info and info.llm_server)

    def schema_entries(self) -> dict[str, object]:
        """The declared entries under their profile-schema keys (for emitted Metadata and annotations)."""
        return {key: getattr(self, name) for key, name in _SCHEMA_FIELDS.items() if getattr(self, name) is not None}

    def as_dict(self) -> dict[str, object]:
        """Every declared entry, schema keys first, then framework, model-size-gb, models and platform."""
        entries = self.schema_entries()
        if self.framework is not None:
            entries["framework"] = self.framework
        if self.model_size_gb is not None:
            entries["model-size-gb"] = self.model_size_gb
        entries["models"] = self.models
        entries["platform"] = self.platform
        return entries


def check_entry(key: str, raw: object) -> object:
    """A profile-schema entry given on the command line, checked as the schema checks a declared one (CommandError if not)."""
    value, reason = check_profile_value(key, raw)
    if reason is not None:
        hint = did_you_mean(str(raw), profile_choices(key)) if profile_choices(key) else ""
        raise CommandError(f"--{key}: {reason}{hint}")
    return value


def framework_name(given: str) -> str:
    """The framework a `--framework` value names (an alias such as `llm` included); CommandError with a hint otherwise."""
    lowered = given.strip().lower()
    aliases = framework_aliases()
    if lowered in aliases:
        return aliases[lowered]
    if framework_info(lowered) is not None:
        return lowered
    known = list(framework_names()) + list(aliases)
    raise CommandError(f"--framework: unknown framework {given!r}{did_you_mean(given, known)} (known: {', '.join(sorted(known))})")
