"""`python -m pointplan` runs the command line."""

import sys

from pointplan.cli import main

sys.exit(main())
