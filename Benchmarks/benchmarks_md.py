"""Writing a benchmark's section into BENCHMARKS.md: the section it wrote last time is replaced, then appended."""

from __future__ import annotations

import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def replace_section(out: str, lines: list[str]) -> None:
    """Writes `lines` (their first `## ` line names the section) at the end of `out` (relative to the repository),
    removing the section of that name first, and prints them."""
    heading = next(line for line in lines if line.startswith("## "))
    path = out if os.path.isabs(out) else os.path.join(ROOT, out)
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    marker = "\n" + heading + "\n"
    if marker in text:
        start = text.index(marker)
        rest = text.find("\n## ", start + len(marker))
        text = text[:start] + (text[rest:] if rest >= 0 else "\n")
    with open(path, "w") as handle:
        handle.write(text.rstrip("\n") + "\n" + "\n".join(lines))
    print("\n".join(lines))
