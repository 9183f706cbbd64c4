"""Run quaestio as `python -m quaestio`."""

from quaestio.cli import main

raise SystemExit(main())
