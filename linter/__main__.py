"""`python -m linter` runs the command line, without importing from the working directory.

For `-m`, Python puts the working directory first on sys.path. That is
usually the repository being linted, and nothing in it may be imported: a
`plugins/` package shadowing the built-in plugins, a `*.dist-info` whose
entry points name its modules, a module its configuration names in
`plugins = [...]`. The entry is dropped before the command line imports
anything else. (The `linter` package itself is found before this file
runs; `python -P -m linter`, or the `mldeploy-lint` command, avoids even
that.)
"""

import os
import sys


def _drop_working_directory(path: list[str]) -> None:
    """Remove `-m`'s working-directory entry and every '' (the working directory, wherever it is) from `path`."""
    try:
        working_directory = os.path.realpath(os.getcwd())
    except OSError:  # the working directory was removed: nothing can be imported from it
        working_directory = None
    if path and working_directory is not None and path[0] and os.path.realpath(path[0]) == working_directory:
        del path[0]
    path[:] = [entry for entry in path if entry not in ("", ".")]


if __name__ == "__main__":
    _drop_working_directory(sys.path)
    from linter.cli import run  # only now: nothing it imports can come from the working directory

    run()
