"""Extract the web app's texts, write zh_CN messages.po from the table, compile messages.mo."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from hotline.translations.zh_CN import ZH_CN

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent
# Babel reads zh_CN as zh_Hans_CN (CLDR), and looks the catalog up under that name.
CATALOG_DIR = HERE / "zh_Hans_CN" / "LC_MESSAGES"
METHODS = [("web/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}


def extracted() -> list[str | tuple[str, str]]:
    """Every text (or singular/plural pair) of the views and templates, in order."""
    found: dict[str | tuple[str, str], None] = {}
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for _file, _line, message, _comments, _context in extract_from_dir(
        PACKAGE, METHODS, options_map=options, keywords=KEYWORDS
    ):
        found[message if isinstance(message, str) else (message[0], message[1])] = None
    return list(found)


def catalog() -> Catalog:
    """The zh_CN catalog; KeyError names a text that has no translation yet."""
    made = Catalog(locale="zh_CN", project="hotline", fuzzy=False)
    for message in extracted():
        key = message if isinstance(message, str) else message[0]
        made.add(message, ZH_CN[key])
    return made


def compiled(made: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, made)
    return out.getvalue()


def main() -> None:
    made = catalog()
    CATALOG_DIR.mkdir(parents=True, exist_ok=True)
    with (CATALOG_DIR / "messages.po").open("wb") as po:
        write_po(po, made, omit_header=False, sort_output=True, no_location=True)
    (CATALOG_DIR / "messages.mo").write_bytes(compiled(made))


if __name__ == "__main__":
    main()
