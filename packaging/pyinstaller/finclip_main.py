"""Entry point of the bundled `finclip` executable."""

import sys

from finclip_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
