import sys

from gxcrawl.cli import main

sys.exit(main())
