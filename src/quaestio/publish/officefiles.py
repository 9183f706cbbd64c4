"""Office files (XLSX, PPTX) with the same bytes for the same content: every member dated alike."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


def reproducible_zip(data: bytes, moment: dt.datetime) -> bytes:
    """An Office file rewritten with every member dated `moment`, so that the same content gives the same bytes."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"<dcterms:modified\1>" + stamp + rb"</dcterms:modified>", content)
            member = zipfile.ZipInfo(info.filename, date_time=moment.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, content)
    return out.getvalue()
