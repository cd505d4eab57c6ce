"""Print the wall time (`seconds`) of a restoration's timing record, for `pnf evaluate item`.

    python workflow/scripts/timing_seconds.py results/timing/piano/superres/x4/pnf/c000.json
"""

import json
import sys

if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(json.load(f)["seconds"])
