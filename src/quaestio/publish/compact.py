"""A PDF rewritten with its objects packed into compressed object streams: the same document, fewer bytes."""

from __future__ import annotations

import io

import pikepdf

# typst writes each of a tagged PDF's objects (structure elements, link annotations) as plain text: for the
# compendium of 2,000 recommendations, 60,000 structure elements and 20,000 links take 18 of its 25 MB.


def packed(document: pikepdf.Pdf) -> bytes:
    """The document's bytes with its objects in compressed object streams (PDF 1.5, allowed by PDF/UA-1), its
    identifier derived from its content so that the same input gives the same bytes."""
    out = io.BytesIO()
    document.save(
        out,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        compress_streams=True,
        deterministic_id=True,
    )
    return out.getvalue()
