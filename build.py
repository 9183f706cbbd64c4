"""Build the Cyber Security Coalition's recommendations: `python build.py --help`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from quaestio.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
