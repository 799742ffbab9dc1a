import sys

from hingecoach.cli import main

sys.exit(main())
