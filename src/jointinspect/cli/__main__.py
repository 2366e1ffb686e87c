"""``python -m jointinspect.cli``."""

import sys

from jointinspect.cli import main

if __name__ == "__main__":
    sys.exit(main())
