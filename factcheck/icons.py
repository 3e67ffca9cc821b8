"""Material's bundled icons: the same set its :icon: shortcodes use, so a badge looks like the theme's own."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from markupsafe import Markup


def icon_file(name: str) -> Path:
    """The SVG file of a bundled icon such as 'material/check-circle' (it may not exist: callers check)."""
    import material  # imported late: only the scale check and rendering need the theme package
    return Path(material.__file__).parent / "templates" / ".icons" / f"{name}.svg"


@lru_cache(maxsize=None)
def icon_svg(name: str) -> Markup:
    """A bundled icon's SVG, hidden from assistive technology (the badge's label carries the meaning)."""
    svg = icon_file(name).read_text(encoding="utf-8")
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))
