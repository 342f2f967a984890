"""The cfn-lint bridge: cfn-lint's own checks in the same run (off by default)."""

from __future__ import annotations
