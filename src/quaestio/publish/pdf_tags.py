"""Structure-tree fixes typst cannot express yet: row headers in tables, text in another language tagged as a
Span that carries its /Lang, and the links within the document, which typst writes as addresses."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping

import pikepdf

from quaestio.publish.compact import packed

_BDC = pikepdf.Operator("BDC")

# report.typ writes a link to a label of the document as this address followed by the label (see its link rule).
INTERNAL_LINK = "quaestio-internal:"


def finish_pdf(pdf: bytes, titles: Mapping[str, str] | None = None, page: str = "page") -> bytes:
    """The PDF typst wrote with its tags fixed (fix_tags) and its objects packed (compact.packed), read and
    written once."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        fix_tags(document, titles or {}, page)
        return packed(document)


def fix_tags(document: pikepdf.Pdf, titles: Mapping[str, str], page: str = "page") -> None:
    """Tag the first column of every table as row headers, put foreign text in Spans with /Lang, and make
    every link to quaestio-internal:label a link to the label's named destination.

    typst 0.15 tags a table's header row, but its row headers and its language spans are behind a
    feature flag the Python package does not offer; both are added here to the tagged PDF it wrote.
    titles: the labelled headings' titles, by label; page: typst's word for a page in the document's
    language (see resolve_internal_links).
    """
    mark_row_headers(document)
    tag_foreign_text(document)
    resolve_internal_links(document, titles, page)


def _kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _same(one: object, other: pikepdf.Object) -> bool:
    """Whether two indirect objects are the same object (a page, say), without comparing their contents."""
    return isinstance(one, pikepdf.Object) and one.is_indirect and one.objgen == other.objgen


def _is_element(node: object) -> bool:
    return isinstance(node, pikepdf.Dictionary) and "/S" in node


def structure_elements(document: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Every structure element of the document, depth first."""
    stack = [k for k in _kids(document.Root.StructTreeRoot) if _is_element(k)]
    stack.reverse()
    while stack:
        element = stack.pop()
        yield element
        stack.extend(reversed([k for k in _kids(element) if _is_element(k)]))


def _table_attributes(cell: pikepdf.Object) -> pikepdf.Object:
    """The cell's attribute dictionary of owner /Table, added when it has none."""
    found = cell.get("/A")
    entries = list(found) if isinstance(found, pikepdf.Array) else [found] if found is not None else []
    for entry in entries:
        if isinstance(entry, pikepdf.Dictionary) and entry.get("/O") == "/Table":
            return entry
    table = pikepdf.Dictionary(O=pikepdf.Name.Table)
    cell.A = pikepdf.Array([table, *entries])
    return table


def mark_row_headers(document: pikepdf.Pdf) -> int:
    """Tag the first cell of every body row as a row header (TH, /Scope /Row); returns how many."""
    marked = 0
    for table in (e for e in structure_elements(document) if e.S == "/Table"):
        rows = []
        for part in (k for k in _kids(table) if _is_element(k)):
            if part.S == "/TR":
                rows.append(part)
            elif part.S in ("/TBody", "/TFoot"):
                rows.extend(k for k in _kids(part) if _is_element(k) and k.S == "/TR")
        for row in rows:
            cells = [k for k in _kids(row) if _is_element(k) and k.S in ("/TD", "/TH")]
            if cells and cells[0].S == "/TD":
                cells[0].S = pikepdf.Name.TH
                _table_attributes(cells[0]).Scope = pikepdf.Name.Row
                marked += 1
    return marked


def _content_streams(page: pikepdf.Page) -> list[pikepdf.Object]:
    contents = page.obj.get("/Contents")
    if contents is None:
        return []
    return list(contents) if isinstance(contents, pikepdf.Array) else [contents]


# typst writes a marked-content sequence's properties inline, as <</MCID 3/Lang(fr)>>BDC. Reading them
# from the bytes takes a few milliseconds a page; pikepdf parsing the page's operators took 50.
_INLINE_PROPERTIES = re.compile(rb"<<([^<>]*)>>\s*BDC")
_MCID = re.compile(rb"/MCID\s+(\d+)")
_LANG = re.compile(rb"/Lang\s*\(([A-Za-z0-9-]*)\)")


def _marked_languages(page: pikepdf.Page) -> dict[int, str]:
    """The marked-content IDs of a page to which typst gave a language of their own, and that language."""
    found: dict[int, str] = {}
    streams = [stream.read_bytes() for stream in _content_streams(page)]
    if not any(b"/Lang" in stream for stream in streams):
        return found  # most pages of a report in one language have no language change
    for stream in streams:
        for properties in _INLINE_PROPERTIES.finditer(stream):
            mcid, lang = _MCID.search(properties[1]), _LANG.search(properties[1])
            if mcid and lang:
                found[int(mcid[1])] = lang[1].decode("ascii")
    if sum(stream.count(b"/Lang") for stream in streams) == len(found):
        return found
    return _parsed_languages(page)  # written some other way (a hex string, a named resource): read it all


def _parsed_languages(page: pikepdf.Page) -> dict[int, str]:
    found: dict[int, str] = {}
    for instruction in pikepdf.parse_content_stream(page, "BDC"):  # the other operators are not turned into objects
        operands, operator = instruction.operands, instruction.operator
        if operator != _BDC or len(operands) != 2 or not isinstance(operands[1], pikepdf.Dictionary):
            continue
        properties = operands[1]
        if "/Lang" in properties and "/MCID" in properties:
            found[int(properties.MCID)] = str(properties.Lang)
    return found


def effective_language(element: pikepdf.Object, default: str) -> str:
    """The language of a structure element: its own /Lang, else its nearest ancestor's, else the document's."""
    node: object = element
    for _ in range(256):
        if not isinstance(node, pikepdf.Dictionary) or node.get("/Type") == "/StructTreeRoot":
            break
        if "/Lang" in node:
            return str(node.Lang)
        node = node.get("/P")
    return default


def _replace_marked_content(parent: pikepdf.Object, page: pikepdf.Page, mcid: int, span: pikepdf.Object) -> bool:
    kids = _kids(parent)
    for index, kid in enumerate(kids):
        value: object = kid  # pikepdf gives an integer array item as a Python int
        if (isinstance(value, int) and value == mcid and _same(parent.get("/Pg"), page.obj)) or (
            isinstance(kid, pikepdf.Dictionary)
            and kid.get("/Type") == "/MCR"
            and int(kid.get("/MCID", -1)) == mcid
            and _same(kid.get("/Pg", parent.get("/Pg")), page.obj)
        ):
            kids[index] = span
            parent.K = pikepdf.Array(kids)
            return True
    return False


def tag_foreign_text(document: pikepdf.Pdf) -> int:
    """Wrap every marked-content sequence whose language differs from its structure element's in a Span
    structure element with that /Lang.

    typst writes a language change into the marked content's properties, and gives an element the
    language of its first words; assistive technology reads the language from the structure. Returns
    how many Spans were added.
    """
    default = str(document.Root.get("/Lang", ""))
    parent_tree = pikepdf.NumberTree(document.Root.StructTreeRoot.ParentTree)
    added = 0
    for page in document.pages:
        key = page.obj.get("/StructParents")
        if key is None:
            continue
        languages = _marked_languages(page)
        if not languages:
            continue
        parents = parent_tree[int(key)]
        for mcid, language in sorted(languages.items()):
            parent = parents[mcid]
            if effective_language(parent, default) == language:
                continue
            span = document.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.StructElem,
                    S=pikepdf.Name.Span,
                    P=parent,
                    Pg=page.obj,
                    K=mcid,
                    Lang=pikepdf.String(language),
                )
            )
            if _replace_marked_content(parent, page, mcid, span):
                parents[mcid] = span
                added += 1
    return added


def _destination_pages(document: pikepdf.Pdf) -> dict[str, int]:
    """The page number of every named destination of the document, by name."""
    names = document.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    numbers = {page.obj.objgen: number for number, page in enumerate(document.pages, start=1)}
    found = {}
    for name, destination in pikepdf.NameTree(names.Dests).items():
        target = destination.D if isinstance(destination, pikepdf.Dictionary) else destination
        found[name] = numbers[target[0].objgen]
    return found


def resolve_internal_links(document: pikepdf.Pdf, titles: Mapping[str, str], page: str = "page") -> int:
    """Make every link to quaestio-internal:label a link to the named destination typst wrote for the label,
    described as typst describes a link to a place: "Title, page 9" for a heading, "page 9" for anything else.

    typst writes a named destination for every labelled heading, and report.typ puts a hidden, untagged
    heading carrying the label at the start of every other place a link leads to (quaestio-anchor). A
    link to a label typst left without one is an error. Returns how many links were made.
    """
    pages = _destination_pages(document)
    made = 0
    for annotation in (a for p in document.pages for a in p.obj.get("/Annots", [])):
        action = annotation.get("/A")
        if action is None or action.get("/S") != "/URI" or not str(action.URI).startswith(INTERNAL_LINK):
            continue
        label = str(action.URI)[len(INTERNAL_LINK) :]
        if label not in pages:
            raise ValueError(f"a link leads to <{label}>, which is neither a labelled heading nor an anchor")
        del annotation["/A"]
        annotation.Dest = pikepdf.String(label)
        where = f"{page} {pages[label]}"
        annotation.Contents = pikepdf.String(f"{titles[label]}, {where}" if label in titles else where)
        made += 1
    return made
