"""Where quaestio finds a folder it ships (schemas, templates): the repository's own, else the installed copy."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# In a wheel the folders sit inside the package; in a source checkout (editable install) beside src/.
_SHIPPED = (_PACKAGE, _PACKAGE.parents[1])


def resource_directory(root: Path | None, name: str, marker: str) -> Path:
    """root/name if it holds marker (a file name), else quaestio's own copy of the folder."""
    candidates = ((root / name,) if root is not None else ()) + tuple(base / name for base in _SHIPPED)
    for candidate in candidates:
        if (candidate / marker).is_file():
            return candidate
    where = root / name if root is not None else name
    raise FileNotFoundError(f"no {name}/{marker} in {where}, nor in quaestio's installation")
