"""mldeploy-lint's core and plugin API: what a plugin may import.

The core knows no platform and no rule. Built-in plugins in `plugins/` use
only the names exported here (and their submodules' documented types), the
same as a third-party plugin would.
"""

from linter import method_cache

method_cache.install()  # before any dataclass below is made (see linter/method_cache.py)

from linter.commands import Command, CommandContext, CommandError  # noqa: E402
from linter.context_selection import ContextPrefilter, WholeNames
from linter.engine import ContextRequest, LintOptions, LintResult, RunContext
from linter.hookspecs import hookimpl
from linter.model import (
    NO_PROFILE,
    NOT_WRITTEN,
    UNKNOWN,
    AcceleratorKind,
    AttachedAccelerator,
    AsyncConfig,
    Availability,
    BatchConfig,
    Network,
    TrainingConfig,
    Capacity,
    Compute,
    Deployment,
    DeploymentKind,
    DocumentFormat,
    Environment,
    Ignore,
    InputProblem,
    LinkStatus,
    ModelSpec,
    Probe,
    Probes,
    Provenance,
    ResourceRef,
    Scaling,
    ScalingMetricKind,
    ScalingPolicy,
    ScalingTarget,
    ServerlessConfig,
    ComponentRequirements,
    Consolidation,
    Sourced,
    SuppressionEdit,
    Unit,
    Unknown,
    WorkloadProfile,
)
from linter.options import Option, OptionSection
from linter.nodes import MappingNode, Node, ScalarNode, SequenceNode, Span, child, is_null, iter_nodes, mappings, to_python
from linter.profile import (
    PROFILE_KEYS,
    PROFILE_TAG_PREFIX,
    check_value as check_profile_value,
    entry_value as profile_entry_value,
    environment_from_path,
    merge_profiles,
    normalise_environment,
    parse_profile,
    profile_choices,
)
from linter.reporting import FileSummary, Report, Reporter, escape_control
from linter.rules import UNKNOWN_ENVIRONMENT, Finding, NotJudged, Rule, RuleDocs, Scope, Severity, Suppression, Violation, rule
from linter.source import Document, LoadLimits, LoadProblem, SourceFile, UnrenderedTemplate, load_text
from linter.source_codec import NodeCodec
from linter.suggest import did_you_mean

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "hookimpl",
    # rules
    "rule",
    "Rule",
    "RuleDocs",
    "Scope",
    "Severity",
    "Violation",
    "NotJudged",
    "UNKNOWN_ENVIRONMENT",
    "Finding",
    "Suppression",
    # sources
    "Span",
    "Node",
    "ScalarNode",
    "MappingNode",
    "SequenceNode",
    "is_null",
    "iter_nodes",
    "child",
    "mappings",
    "to_python",
    "Document",
    "SourceFile",
    "LoadLimits",
    "LoadProblem",
    "UnrenderedTemplate",
    "load_text",
    "NodeCodec",
    # model
    "UNKNOWN",
    "Unknown",
    "Provenance",
    "Sourced",
    "NOT_WRITTEN",
    "DeploymentKind",
    "Environment",
    "Capacity",
    "WorkloadProfile",
    "NO_PROFILE",
    "ModelSpec",
    "Probe",
    "Probes",
    "Compute",
    "AcceleratorKind",
    "AttachedAccelerator",
    "ServerlessConfig",
    "ComponentRequirements",
    "Consolidation",
    "Scaling",
    "ScalingMetricKind",
    "ScalingPolicy",
    "Unit",
    "AsyncConfig",
    "BatchConfig",
    "TrainingConfig",
    "Network",
    "Availability",
    "ResourceRef",
    "LinkStatus",
    "ScalingTarget",
    "Deployment",
    "Ignore",
    "DocumentFormat",
    "InputProblem",
    "SuppressionEdit",
    "parse_profile",
    "merge_profiles",
    "normalise_environment",
    "environment_from_path",
    "PROFILE_KEYS",
    "PROFILE_TAG_PREFIX",
    "check_profile_value",
    "profile_entry_value",
    "profile_choices",
    "did_you_mean",
    # running and reporting
    "Command",
    "CommandContext",
    "CommandError",
    "LintOptions",
    "LintResult",
    "ContextRequest",
    "ContextPrefilter",
    "WholeNames",
    "RunContext",
    "Option",
    "OptionSection",
    "Report",
    "Reporter",
    "FileSummary",
    "escape_control",
]
