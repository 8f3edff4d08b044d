"""``python -m wxtime``: the same as the ``wxtime`` command."""

import sys

from .cli import main

sys.exit(main())
