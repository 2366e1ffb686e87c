"""``python -m jointinspect.cli``."""

import sys

from jointinspect.cli import main

if __name__ == "__main__":  # importing the module (the core-purity probe) runs nothing
    sys.exit(main())
