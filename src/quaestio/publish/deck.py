"""The open-session slide deck's reference deck, drawn from the branding for pandoc's PPTX writer.

pandoc's own reference deck is restyled at build time, so that the coalition's colours, font and logo
follow templates/branding.yaml: a title slide in the primary colour with the logo on a white band, and
content slides with a coloured title band, an accent rule and a footer.
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from collections.abc import Mapping
from functools import cache
from xml.sax.saxutils import escape, quoteattr

import pypandoc
from lxml import etree

from quaestio.publish.branding import Branding
from quaestio.publish.progress import rasterise

FONT = "Source Sans 3"
WIDTH, HEIGHT = 9144000, 5143500  # pandoc's 16:9 slide, in EMU
BAND = 856000  # the title band of content slides
LOGO_RATIO = 240 / 64  # the logo's width over its height (templates/assets/logo.svg)
LOGO_MEDIA = "ppt/media/quaestio-logo.png"


@cache
def _pandoc_reference() -> bytes:
    return subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.pptx"], capture_output=True, check=True
    ).stdout


def _hex(colour: str) -> str:
    return colour.lstrip("#").upper()


def _rect(ident: int, name: str, x: int, y: int, cx: int, cy: int, fill: str) -> str:
    return (
        f'<p:sp><p:nvSpPr><p:cNvPr id="{ident}" name="{name}"/><p:cNvSpPr/><p:nvPr userDrawn="1"/></p:nvSpPr>'
        f'<p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:solidFill><a:srgbClr val="{fill}"/></a:solidFill>'
        f"<a:ln><a:noFill/></a:ln></p:spPr></p:sp>"
    )


def _text_box(
    ident: int, name: str, x: int, y: int, cx: int, cy: int, text: str, size: int, colour: str, align: str
) -> str:
    return (
        f'<p:sp><p:nvSpPr><p:cNvPr id="{ident}" name="{name}"/><p:cNvSpPr txBox="1"/><p:nvPr userDrawn="1"/></p:nvSpPr>'
        f'<p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/></p:spPr>'
        f'<p:txBody><a:bodyPr wrap="none" lIns="0" tIns="0" rIns="0" bIns="0" anchor="ctr"/><a:lstStyle/>'
        f'<a:p><a:pPr algn="{align}"/><a:r><a:rPr sz="{size}" dirty="0"><a:solidFill>'
        f'<a:srgbClr val="{colour}"/></a:solidFill><a:latin typeface="{FONT}"/></a:rPr><a:t>{escape(text)}</a:t>'
        "</a:r></a:p></p:txBody></p:sp>"
    )


def _theme(xml: str, colours: Mapping[str, str]) -> str:
    scheme = {
        "dk1": "1D2330",
        "dk2": _hex(colours["primary"]),
        "lt2": _hex(colours["surface"]),
        "accent1": _hex(colours["primary"]),
        "accent2": _hex(colours["accent"]),
        "accent3": _hex(colours["muted"]),
        "hlink": _hex(colours["primary"]),
        "folHlink": _hex(colours["muted"]),
    }
    for slot, value in scheme.items():
        xml = re.sub(rf"<a:{slot}>.*?</a:{slot}>", f'<a:{slot}><a:srgbClr val="{value}"/></a:{slot}>', xml, count=1)
    return re.sub(r'(<a:(?:major|minor)Font><a:latin typeface=")[^"]*"', rf'\1{FONT}"', xml)


def _master(xml: str, colours: Mapping[str, str], footer: str) -> str:
    primary, accent, muted = (_hex(colours[k]) for k in ("primary", "accent", "muted"))
    xml = xml.replace(
        '<a:off x="457200" y="205979"/><a:ext cx="8229600" cy="857250"/>',
        f'<a:off x="457200" y="90000"/><a:ext cx="8229600" cy="{BAND - 140000}"/>',
    )
    xml = xml.replace(
        '<a:off x="457200" y="1200151"/><a:ext cx="8229600" cy="3394472"/>',
        '<a:off x="457200" y="1060000"/><a:ext cx="8229600" cy="3580000"/>',
    )
    title_style = xml[xml.index("<p:titleStyle>") : xml.index("</p:titleStyle>")]
    styled = title_style.replace('algn="ctr"', 'algn="l"').replace(
        '<a:defRPr sz="3300" kern="1200"><a:solidFill><a:schemeClr val="tx1"/></a:solidFill>',
        '<a:defRPr sz="2400" b="1" kern="1200"><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill>',
    )
    xml = xml.replace(title_style, styled)
    body_style = xml[xml.index("<p:bodyStyle>") : xml.index("</p:bodyStyle>")]
    sizes = {"2400": "1800", "2000": "1600", "1800": "1500", "1600": "1400"}
    restyled = re.sub(r'sz="(2400|2000|1800|1600)"', lambda m: f'sz="{sizes[m.group(1)]}"', body_style)
    restyled = restyled.replace(
        '<a:buFont typeface="Arial"/>', f'<a:buClr><a:srgbClr val="{accent}"/></a:buClr><a:buFont typeface="Arial"/>'
    )
    restyled = restyled.replace('<a:spcPct val="20000"/>', '<a:spcPct val="45000"/>')
    xml = xml.replace(body_style, restyled)
    decorations = (
        _rect(20, "Title band", 0, 0, WIDTH, BAND, primary)
        + _rect(21, "Accent rule", 0, BAND, WIDTH, 36000, accent)
        + _text_box(22, "Footer", 457200, 4800000, 6400000, 220000, footer, 900, muted, "l")
    )
    return xml.replace("</p:grpSpPr>", "</p:grpSpPr>" + decorations, 1)


def _title_layout(xml: str, colours: Mapping[str, str], site: str, logo_alt: str) -> str:
    primary, accent = _hex(colours["primary"]), _hex(colours["accent"])
    xml = xml.replace('type="title" preserve="1">', 'type="title" preserve="1" showMasterSp="0">')
    xml = xml.replace(
        '<p:cSld name="Title Slide">',
        f'<p:cSld name="Title Slide"><p:bg><p:bgPr><a:solidFill><a:srgbClr val="{primary}"/></a:solidFill>'
        "<a:effectLst/></p:bgPr></p:bg>",
    )
    xml = xml.replace(
        '<a:off x="685800" y="1597819"/><a:ext cx="7772400" cy="1102519"/></a:xfrm></p:spPr><p:txBody>'
        "<a:bodyPr/><a:lstStyle/>",
        '<a:off x="640000" y="900000"/><a:ext cx="7860000" cy="1500000"/></a:xfrm></p:spPr><p:txBody>'
        '<a:bodyPr anchor="b"><a:normAutofit/></a:bodyPr><a:lstStyle><a:lvl1pPr algn="l">'
        '<a:defRPr sz="4000" b="1"><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill></a:defRPr></a:lvl1pPr>'
        "</a:lstStyle>",
    )
    xml = xml.replace(
        '<a:off x="1371600" y="2914650"/><a:ext cx="6400800" cy="1314450"/>',
        '<a:off x="640000" y="2520000"/><a:ext cx="7860000" cy="1050000"/>',
    )
    xml = xml.replace('algn="ctr"', 'algn="l"')
    xml = xml.replace('<a:schemeClr val="tx1"><a:tint val="75000"/></a:schemeClr>', '<a:srgbClr val="DCE6F0"/>')
    xml = xml.replace(
        '<a:lvl1pPr marL="0" indent="0" algn="l"><a:buNone/><a:defRPr>',
        '<a:lvl1pPr marL="0" indent="0" algn="l"><a:buNone/><a:defRPr sz="2000">',
    )
    xml = xml.replace(
        '<p:ph type="dt" sz="half" idx="10"/></p:nvPr></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:lstStyle/>',
        '<p:ph type="dt" sz="half" idx="10"/></p:nvPr></p:nvSpPr><p:spPr><a:xfrm><a:off x="640000" y="3640000"/>'
        '<a:ext cx="6000000" cy="320000"/></a:xfrm></p:spPr><p:txBody><a:bodyPr/><a:lstStyle><a:lvl1pPr algn="l">'
        '<a:defRPr sz="1400"><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill></a:defRPr></a:lvl1pPr></a:lstStyle>',
    )
    band_top = HEIGHT - 760000
    logo_height = 460000
    logo = (
        f'<p:pic><p:nvPicPr><p:cNvPr id="30" name="Logo" descr={quoteattr(logo_alt)}/><p:cNvPicPr>'
        '<a:picLocks noChangeAspect="1"/></p:cNvPicPr><p:nvPr userDrawn="1"/></p:nvPicPr><p:blipFill>'
        '<a:blip r:embed="rIdQuaestioLogo"/><a:stretch><a:fillRect/></a:stretch></p:blipFill><p:spPr><a:xfrm>'
        f'<a:off x="640000" y="{band_top + 150000}"/><a:ext cx="{int(logo_height * LOGO_RATIO)}" cy="{logo_height}"/>'
        '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr></p:pic>'
    )
    decorations = (
        _rect(31, "White band", 0, band_top, WIDTH, HEIGHT - band_top, "FFFFFF")
        + _rect(32, "Accent rule", 0, band_top - 36000, WIDTH, 36000, accent)
        + logo
        + _text_box(33, "Address", 4300000, band_top + 250000, 4204000, 260000, site, 1200, primary, "r")
    )
    return xml.replace("</p:grpSpPr>", "</p:grpSpPr>" + decorations, 1)


def _two_content(xml: str) -> str:
    """Two columns below the title band: the text wider than the chart beside it, in a smaller size."""
    xml = xml.replace(
        '<a:off x="457200" y="1200151"/><a:ext cx="4038600" cy="3394472"/>',
        '<a:off x="457200" y="1060000"/><a:ext cx="4900000" cy="3600000"/>',
    )
    xml = xml.replace(
        '<a:off x="4648200" y="1200151"/><a:ext cx="4038600" cy="3394472"/>',
        '<a:off x="5450000" y="1060000"/><a:ext cx="3236400" cy="3600000"/>',
    )
    return xml.replace('<a:defRPr sz="2100"/>', '<a:defRPr sz="1500"/>').replace(
        '<a:defRPr sz="1800"/>', '<a:defRPr sz="1300"/>'
    )


def reference_deck(branding: Branding, footer: str, logo_png: bytes) -> bytes:
    """pandoc's reference deck in the coalition's colours, font and logo; `footer` is printed on every content slide."""
    colours: Mapping[str, str] = branding["colours"]  # type: ignore[assignment]
    site = str(branding["site_url"]).removeprefix("https://").rstrip("/")
    logo_alt = str(branding["coalition"]["logo_alt"])  # type: ignore[index]
    source = zipfile.ZipFile(io.BytesIO(_pandoc_reference()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            name = info.filename
            if name == "ppt/theme/theme1.xml":
                data = _theme(data.decode("utf-8"), colours).encode("utf-8")
            elif name == "ppt/slideMasters/slideMaster1.xml":
                data = _master(data.decode("utf-8"), colours, footer).encode("utf-8")
            elif name == "ppt/slideLayouts/slideLayout1.xml":
                data = _title_layout(data.decode("utf-8"), colours, site, logo_alt).encode("utf-8")
            elif name == "ppt/slideLayouts/slideLayout4.xml":
                data = _two_content(data.decode("utf-8")).encode("utf-8")
            elif name == "ppt/slideLayouts/_rels/slideLayout1.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdQuaestioLogo" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/image" Target="../media/quaestio-logo.png"/></Relationships>',
                )
            elif name == "[Content_Types].xml" and b'Extension="png"' not in data:
                data = data.replace(b"<Default ", b'<Default Extension="png" ContentType="image/png"/><Default ', 1)
            target.writestr(info, data)
        target.writestr(LOGO_MEDIA, logo_png)
    return out.getvalue()


def logo_png(branding: Branding) -> bytes:
    """The logo as a PNG for the slides, its text set in the report font."""
    svg = (branding.templates / str(branding["coalition"]["logo"])).read_text(encoding="utf-8")  # type: ignore[index]
    svg = re.sub(r'font-family="[^"]*"', f"font-family=\"'{FONT}'\"", svg)
    return rasterise(svg, branding.templates / "fonts", width_pt=480, ppi=150, fill="none")


_DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CORE_PROPERTIES = "docProps/core.xml"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
# The parts whose text PowerPoint and screen readers read in the language of each run: the slides, their
# notes, the layouts and masters (placeholders, footer), and the presentation's default text style.
_TEXT_PARTS = re.compile(
    r"ppt/(slides/slide|notesSlides/notesSlide|slideLayouts/slideLayout|slideMasters/"
    r"slideMaster|notesMasters/notesMaster|presentation)\d*\.xml"
)


def _in_language(xml: bytes, tag: str) -> bytes:
    """A DrawingML part with every run, paragraph end and default text style in language `tag` (pandoc's
    writer leaves runs without a language and its reference deck says en-US, so a French deck was read
    out in English)."""
    root = etree.fromstring(xml, _PARSER)
    for run in root.iter(f"{_DRAWING}r", f"{_DRAWING}fld"):
        if run.find(f"{_DRAWING}rPr") is None:
            run.insert(0, etree.Element(f"{_DRAWING}rPr"))
    for properties in root.iter(f"{_DRAWING}rPr", f"{_DRAWING}endParaRPr", f"{_DRAWING}defRPr"):
        properties.set("lang", tag)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _described(core: bytes, title: str, tag: str, author: str) -> bytes:
    """The deck's core properties with its title, language and author (pandoc's writer leaves the title and the
    author empty)."""
    root = etree.fromstring(core, _PARSER)
    for name, value in (("title", title), ("language", tag), ("creator", author)):
        element = root.find(f"{_DC}{name}")
        if element is None:
            element = etree.SubElement(root, f"{_DC}{name}")
        element.text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def finish_deck(deck: bytes, logo: bytes, alts: Mapping[str, str], title: str, tag: str, author: str) -> bytes:
    """pandoc's deck completed: the logo its title layout refers to (pandoc copies layouts, not their media),
    each chart described by its text instead of its file name, every text in the deck's language `tag`
    (BCP 47, such as fr-BE) and the title, language and author (the publisher, as the reports') in its
    properties."""
    source = zipfile.ZipFile(io.BytesIO(deck))
    out = io.BytesIO()
    names = source.namelist()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.startswith("ppt/slides/slide") and info.filename.endswith(".xml"):
                for name, alt in alts.items():
                    data = data.replace(f'descr="{name}"'.encode(), b"descr=" + quoteattr(alt).encode("utf-8"))
            if _TEXT_PARTS.fullmatch(info.filename):
                data = _in_language(data, tag)
            elif info.filename == _CORE_PROPERTIES:
                data = _described(data, title, tag, author)
            target.writestr(info, data)
        if LOGO_MEDIA not in names:
            member = zipfile.ZipInfo(LOGO_MEDIA, date_time=source.infolist()[0].date_time)
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, logo)
    return out.getvalue()
