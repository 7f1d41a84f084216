import sys

from finclip_desktop.cli import main

sys.exit(main())
