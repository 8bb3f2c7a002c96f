"""Site names: the one way a URL, host or site field becomes the outlet's domain, so that copies, origins named
in a text ("Original Source: www.aljazeera.com") and outlet owners compare equal."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=65536)
def normalise_site(site: str | None) -> str | None:
    """``"https://www.AlJazeera.com/news"`` and ``"aljazeera.com"`` both become ``"aljazeera.com"``."""
    if not site:
        return None
    value = site.strip().lower()
    value = re.sub(r"^[a-z]+://", "", value).split("/", 1)[0].split(":", 1)[0]
    for prefix in ("www.", "m.", "amp."):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    return value or None
