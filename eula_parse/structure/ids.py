"""Node ids: unique within a document, citation-shaped (``section/2.5/b``, ``product/x/5/a``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from eula_parse.model import slugify


@dataclass
class Ids:
    """The ids handed out so far in one document; a repeated base gets "-2", "-3"."""

    vendor: str
    used_ids: set = field(default_factory=set)

    def unique(self, base: str) -> str:
        candidate, n = base, 2
        while candidate in self.used_ids:
            candidate, n = f"{base}-{n}", n + 1
        self.used_ids.add(candidate)
        return candidate

    def name_slug(self, name: str) -> str:
        """A product or group name's slug, without the vendor's name in front ("Acme Foo" -> "foo")."""
        words = name.split()
        if self.vendor and len(words) > 1 and words[0].lower().strip("®™") == self.vendor.lower():
            words = words[1:]
        return slugify(" ".join(words))
