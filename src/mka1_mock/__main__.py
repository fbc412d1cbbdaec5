"""``python -m mka1_mock``: the same as the ``mka1-mock`` command."""

import sys

from .cli import main

sys.exit(main())
