"""``python -m jointinspect.cli``."""

import sys

from jointinspect.cli import main

sys.exit(main())
