"""HTML building blocks for the report. Every piece of text passes through ``html.escape``
here: review texts, class names, sources and parameters come from data and may hold
markup, which must show as text and never run."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:1180px;margin:1.5em auto;padding:0 1em;color:#222}
h1{margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0}
td,th{border:1px solid #ccc;padding:3px 9px;text-align:left;white-space:nowrap}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
.verdict{padding:.7em 1em;border-radius:6px;margin:.8em 0;font-size:1.05em}
.good{background:#e6f4ea;border:1px solid #8bc79b}.bad{background:#fdecea;border:1px solid #e8a09a}
.warn{background:#fff4e0;border:1px solid #e5b45f}
.row{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}.row figure{margin:0}
figcaption{font-size:.85em;color:#555;max-width:460px}
.reviews td:last-child{font-size:.9em;max-width:720px;white-space:normal}
.muted{color:#666;font-size:.9em}code{font-size:.9em}
"""


def text(value: object) -> str:
    """``value`` as escaped HTML text."""
    return html.escape(str(value))


def cell(value: object) -> str:
    """A table cell: numbers right-aligned, floats with four decimals."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"<td>{text(value)}</td>"
    return f'<td class="num">{value:.4f}</td>' if isinstance(value, float) else f'<td class="num">{value}</td>'


def table(header: Sequence[str] | None, rows: Iterable[Sequence[object]], css: str = "") -> str:
    """A table with an optional header row; ``css`` names a class from the page's style."""
    head = "<tr>" + "".join(f"<th>{text(h)}</th>" for h in header) + "</tr>" if header else ""
    body = "".join("<tr>" + "".join(cell(c) for c in row) + "</tr>" for row in rows)
    attribute = f' class="{css}"' if css else ""
    return f"<table{attribute}>{head}{body}</table>"


def pairs(mapping: dict) -> str:
    """A two-column table of facts (parameters, provenance), each value as plain text: a
    float as Python writes it (a learning rate of 3e-05 stays visible) or, when whole, as
    an integer (KFP metadata turns every count into a float)."""
    return table(None, ((key, plain(value)) for key, value in mapping.items()))


def plain(value: object) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    return str(value)


def figure(data_uri: str, alt: str, caption: str = "") -> str:
    """An embedded image (``data_uri`` from ``report_figures.png_data_uri``) with a caption."""
    if not data_uri.startswith("data:image/png;base64,"):
        raise ValueError("the report embeds only PNG data URIs")
    note = f"<figcaption>{text(caption)}</figcaption>" if caption else ""
    return f'<figure><img alt="{text(alt)}" src="{data_uri}">{note}</figure>'


def row(*parts: str) -> str:
    """Blocks side by side, wrapping on narrow screens."""
    return '<div class="row">' + "".join(parts) + "</div>"


def verdict(message: str, kind: str) -> str:
    """A coloured box: ``kind`` is ``good``, ``bad`` or ``warn``."""
    return f'<div class="verdict {kind}">{message}</div>'


def section(title: str, *body: str) -> str:
    return f"<h2>{text(title)}</h2>" + "".join(body)


def page(title: str, subtitle: str, sections: Iterable[str]) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{text(title)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{text(title)}</h1>"
        f'<p class="muted">{text(subtitle)}</p>{"".join(sections)}</body></html>'
    )
