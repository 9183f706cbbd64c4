"""Each publication language's conventions: its wording files, long dates, numbers, percentages, lists and plural
forms (Babel)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from quaestio.vocab import SOURCE_LANGUAGE, Language

ListStyle = Literal["standard", "or"]

if TYPE_CHECKING:  # Babel is imported where dates and numbers are written: `validate` reads wording files only
    from babel import Locale


def locale_name(language: str) -> str:
    """Babel's name of a language's locale: en_GB, fr_BE, nl_BE, de_BE."""
    return Language(language).tag.replace("-", "_")


@cache
def _locale(language: str) -> Locale:
    from babel import Locale

    return Locale.parse(locale_name(language))


def long_date(value: str | dt.date, language: str = SOURCE_LANGUAGE) -> str:
    """'2015-05-21' -> '21 May 2015', '21 mai 2015', '21 mei 2015', '21. Mai 2015'."""
    from babel.dates import format_date

    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return format_date(day, format="long", locale=_locale(language))


def listed(items: Sequence[str], language: str = SOURCE_LANGUAGE, style: ListStyle = "standard") -> str:
    """Items as the language lists them: 'a, b and c', 'a, b et c' ('or' style: 'a, b or c'); '' for none."""
    from babel.lists import format_list

    return format_list(items, style=style, locale=_locale(language)) if items else ""


def percent(share: float, language: str = SOURCE_LANGUAGE) -> str:
    """A share as the language writes a percentage, to the unit: '30%', '30 %'."""
    from babel.numbers import format_percent

    return format_percent(share, locale=_locale(language))


def number(value: int | float, language: str = SOURCE_LANGUAGE, pattern: str | None = None) -> str:
    """A number as the language writes it: 2,000 / 2 000 / 2.000; 3.5 / 3,5 (`pattern`: e.g. '0.0')."""
    from babel.numbers import format_decimal

    return format_decimal(value, format=pattern, locale=_locale(language))


def plural(forms: object, count: int, language: str = SOURCE_LANGUAGE) -> str:
    """The wording for a count: `forms` is one text, or texts by CLDR plural category ('one', 'other' ...).

    `{n}` in the text stands for the count, written as the language writes numbers.
    """
    if isinstance(forms, Mapping):
        category = _locale(language).plural_form(count)
        text = str(forms.get(category, forms["other"]))
    else:
        text = str(forms)
    return text.replace("{n}", number(count, language))


def merged(base: object, overlay: object) -> object:
    """The overlay's values over the base's, mapping by mapping; what the overlay lacks stays as in the base."""
    if isinstance(base, Mapping) and isinstance(overlay, Mapping):
        result = dict(base)
        for key, value in overlay.items():
            result[key] = merged(base.get(key), value) if key in base else value
        return result
    return base if overlay is None else overlay


def localised_file(base: Path, language: str) -> Path:
    """Where a wording file's translation lives: site.yaml -> site.fr.yaml."""
    return base.with_name(f"{base.stem}.{language}{base.suffix}")
