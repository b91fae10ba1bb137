"""The code page as a standalone HTML document (Jinja2 template, styles inline)."""

from __future__ import annotations

from functools import cache

from hcpcs.page import Code
from hcpcs.render import display, summary_rows


@cache
def _environment():
    from jinja2 import Environment, PackageLoader, select_autoescape

    environment = Environment(loader=PackageLoader("hcpcs", "render/templates"), autoescape=select_autoescape(["html"]))
    environment.filters["display"] = display
    return environment


def code_html(code: Code) -> str:
    """The whole page as one HTML document."""
    template = _environment().get_template("code.html")
    return template.render(code=code, summary=summary_rows(code))
