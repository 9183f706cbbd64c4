"""Compare the links within two builds of the same PDF report, link by link in order: the page each leads to,
the place on it, and its description (/Contents).

    python benchmarks/compare_links.py before.pdf after.pdf

Made to check that links made after typst (pdf_tags) lead where typst's own did. Exits 1 on any difference.
"""

from __future__ import annotations

import sys

import pikepdf

# (page of the link, page it leads to, x, y, description)
Link = tuple[int, int, float, float, str]


def internal_links(path: str) -> tuple[list[Link], int]:
    """Every link annotation leading within the document, in page order, and how many quaestio-internal:
    addresses are left unresolved."""
    with pikepdf.open(path) as document:
        numbers = {page.obj.objgen: number for number, page in enumerate(document.pages, start=1)}
        names: dict[str, pikepdf.Object] = {}
        if "/Names" in document.Root and "/Dests" in document.Root.Names:
            for name, place in pikepdf.NameTree(document.Root.Names.Dests).items():
                names[name] = place.D if isinstance(place, pikepdf.Dictionary) else place
        found: list[Link] = []
        left = 0
        for number, page in enumerate(document.pages, start=1):
            for annotation in page.obj.get("/Annots", []):
                if "/A" in annotation:
                    left += str(annotation.A.get("/URI", "")).startswith("quaestio-internal:")
                    continue
                if "/Dest" not in annotation:
                    continue
                place = annotation.Dest
                place = names[str(place)] if isinstance(place, pikepdf.String) else place
                x, y = round(float(place[2]), 2), round(float(place[3]), 2)
                found.append((number, numbers[place[0].objgen], x, y, str(annotation.get("/Contents", ""))))
        return found, left


def main(before_pdf: str, after_pdf: str) -> int:
    before, _ = internal_links(before_pdf)
    after, left = internal_links(after_pdf)
    pairs = list(zip(before, after, strict=False))
    pages = sum(b[1] != a[1] for b, a in pairs)
    places = sum(b[1:4] != a[1:4] for b, a in pairs)
    words = sum(b[4] != a[4] for b, a in pairs)
    print(f"internal links: {len(before)} before, {len(after)} after; quaestio-internal left: {left}")
    print(f"compared {len(pairs)}: other page {pages}, other page or place {places}, other description {words}")
    for b, a in [(b, a) for b, a in pairs if b[1:] != a[1:]][:10]:
        print(f"  before {b}\n  after  {a}")
    return int(bool(pages or places or words or left or len(before) != len(after)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
