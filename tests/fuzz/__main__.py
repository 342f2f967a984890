"""`python -m tests.fuzz`: the long fuzz run (see docs/fuzzing.md and `--help`)."""

import sys

from .runner import main

sys.exit(main())
