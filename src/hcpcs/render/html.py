"""The code page as a standalone HTML document (Jinja2 template, the style sheet inline)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from hcpcs.page import Code, long_date
from hcpcs.render import display


@cache
def environment():
    """Templates of the standalone pages and the server's pages (which include the shared parts)."""
    from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape

    from hcpcs.render.pages import status_class

    loader = ChoiceLoader([PackageLoader("hcpcs", "web/templates"), PackageLoader("hcpcs", "render/templates")])
    # auto_reload off: templates ship in the package; a site build renders 7,000 pages from them.
    templates = Environment(
        loader=loader, autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True, auto_reload=False
    )
    templates.filters["display"] = display
    templates.filters["status_class"] = status_class
    templates.filters["long_date"] = long_date
    templates.globals["has_template"] = cache(lambda name: name in templates.list_templates())
    templates.globals["contacts_block"] = lambda: contacts_block(templates)
    templates.globals["legend_block"] = lambda: legend_block(templates)
    return templates


@cache
def legend_block(templates) -> str:
    """The status legend, rendered once."""
    from markupsafe import Markup

    from hcpcs.render.pages import STATUS_LEGEND

    return Markup(templates.get_template("_legend.html").render(legend=STATUS_LEGEND))


@cache
def contacts_block(templates) -> str:
    """The contacts section, rendered once (every code page shows the same)."""
    from markupsafe import Markup

    from hcpcs.page import contacts

    return Markup(templates.get_template("_contacts.html").render(contacts=contacts()))


@cache
def style_sheet() -> str:
    """The one style sheet (web/static/hcpcs.css), for pages that carry it inline."""
    return (files("hcpcs") / "web" / "static" / "hcpcs.css").read_text(encoding="utf-8")


def code_html(code: Code) -> str:
    """The whole page as one HTML document."""
    from hcpcs.render.pages import page_parts

    context = page_parts(code, None, f"{code.release}-01")
    return environment().get_template("code.html").render(css=style_sheet(), links=None, **context)
