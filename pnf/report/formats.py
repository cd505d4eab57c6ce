"""Markdown (padded, at most MAX_WIDTH characters a line) and LaTeX (booktabs) from a frame of
text cells, for the report's tables.

    >>> import pandas as pd
    >>> from pnf.report.formats import to_markdown
    >>> frame = pd.DataFrame({"SNR": ["**9.1**"]}, index=pd.Index(["PnF"], name="Method"))
    >>> print(to_markdown(frame, "Title"))  # doctest: +NORMALIZE_WHITESPACE
    **Title**
    <BLANKLINE>
    | Method |     SNR |
    |:-------|--------:|
    | PnF    | **9.1** |
"""

from __future__ import annotations

import textwrap

import pandas as pd

MISSING = "—"
MAX_WIDTH = 120


def _md_block(table: pd.DataFrame) -> list[str]:
    head = [table.index.name, *table.columns]
    body = [[label, *row] for label, row in zip(table.index, table.values.tolist(),
                                                 strict=True)]
    widths = [max(len(str(line[i])) for line in [head, *body]) for i in range(len(head))]

    def line(cells):
        return "| " + " | ".join(f"{c:<{w}}" if i == 0 else f"{c:>{w}}"
                                 for i, (c, w) in enumerate(zip(cells, widths, strict=True))) + " |"
    rule = "|" + "|".join([":" + "-" * (widths[0] + 1)] + ["-" * (w + 1) + ":"
                                                           for w in widths[1:]]) + "|"
    return [line(head), rule, *map(line, body)]


def to_markdown(table: pd.DataFrame, title: str, max_width: int = MAX_WIDTH) -> str:
    """Padded Markdown; columns split into consecutive blocks so every line fits max_width."""
    blocks, start = [], 0
    while start < table.shape[1]:
        stop = start + 1
        while stop < table.shape[1] and max(map(len, _md_block(table.iloc[:, start:stop + 1]))) \
                <= max_width:
            stop += 1
        groups = [str(c).split(" · ")[0] for c in table.columns]
        breaks = [b for b in range(start + 1, stop + 1)
                  if b == table.shape[1] or groups[b] != groups[b - 1]]
        stop = breaks[-1] if breaks else stop  # end a block where a source/factor group ends
        blocks.append(_md_block(table.iloc[:, start:stop]))
        start = stop
    head = "**" + textwrap.fill(title, max_width - 4) + "**"
    return "\n\n".join([head, *("\n".join(b) for b in blocks)]) + "\n"


def to_latex(table: pd.DataFrame, title: str, label: str) -> str:
    tex = table.to_latex(caption=_tex_escape(title), label=f"tab:{label}", escape=False,
                         column_format="l" + "r" * table.shape[1])
    for text, code in (("×", r"$\times$"), ("·", r"$\cdot$"), ("±", r"$\pm$"),
                       (MISSING, "--"), ("–", "--")):
        tex = tex.replace(text, code)
    return tex


def _tex_escape(text: str) -> str:
    for char in "&%_#":
        text = text.replace(char, "\\" + char)
    return text
