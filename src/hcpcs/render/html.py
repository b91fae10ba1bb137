"""The code page as a standalone HTML document (Jinja2 template, styles inline)."""

from __future__ import annotations

from functools import cache

from hcpcs.page import Code
from hcpcs.render import display, summary_rows


@cache
def environment():
    """Templates of the standalone pages and the server's pages (which include the shared parts)."""
    from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape

    loader = ChoiceLoader([PackageLoader("hcpcs", "web/templates"), PackageLoader("hcpcs", "render/templates")])
    templates = Environment(loader=loader, autoescape=select_autoescape(["html", "css"]))
    templates.filters["display"] = display
    return templates


def code_html(code: Code) -> str:
    """The whole page as one HTML document."""
    template = environment().get_template("code.html")
    return template.render(code=code, summary=summary_rows(code), links=None)
