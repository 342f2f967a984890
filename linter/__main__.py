"""`python -m linter` runs the command line."""

import sys

from linter.cli import main

sys.exit(main())
