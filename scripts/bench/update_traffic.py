"""Update traffic: the real server on loopback and the real store client
(``finclip_desktop.store.measure``). Prints one JSON object, or ``{"error": "..."}``."""

from __future__ import annotations

import json
import sys


def main() -> int:
    try:
        from finclip_desktop.store.measure import measure_update_traffic
    except ImportError as exc:
        print(json.dumps({"error": f"needs the [server] extra ({exc.name} missing)"}))
        return 0
    print(json.dumps(measure_update_traffic()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
