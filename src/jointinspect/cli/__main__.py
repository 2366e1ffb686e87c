"""``python -m jointinspect.cli``."""

import sys

from jointinspect.cli import main

if __name__ == "__main__":  # importing the module (the purity probe does) must not run the CLI
    sys.exit(main())
