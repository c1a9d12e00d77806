# SPDX-License-Identifier: GPL-2.0-or-later
"""What every generator in tools/ does with its output files: write them, or with
--check exit 1 when a committed file differs from what it would write."""
import sys


def write_or_check(tool, outputs, check):
    """outputs: (path, text) pairs. Returns when all is well; exits 1 on stale files."""
    stale = False
    for path, text in outputs:
        if not check:
            with open(path, "w") as f:
                f.write(text)
            continue
        try:
            with open(path) as f:
                old = f.read()
        except OSError:
            old = None
        if old != text:
            sys.stderr.write("%s: %s is stale; run python3 tools/%s.py\n" % (tool, path, tool))
            stale = True
    if stale:
        sys.exit(1)
