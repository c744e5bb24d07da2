"""``python -m monitor.cli``: the same as the ``prakerja-monitor`` command."""

import sys

from monitor.cli.program import main

sys.exit(main())
