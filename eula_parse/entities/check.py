"""``eula check``: references that point nowhere and products without a section."""

from __future__ import annotations

from dataclasses import dataclass, field

from eula_parse.model import Document, Entity, own_entities
from eula_parse.entities.numbers import _singular
from eula_parse.entities.pipeline import tag_document
from eula_parse.entities.products import _clean_name, _vendor


@dataclass
class CheckReport:
    """What ``eula check`` reports: references that point nowhere and products without a section."""

    dangling: list[tuple[str, Entity]] = field(default_factory=list)
    undefined_products: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.dangling


def check_document(doc: Document) -> CheckReport:
    """Dangling cross-references and product names used without a section of their own (tags first
    if the document has not been tagged)."""
    if not any(node.entities for node in doc.nodes()):
        tag_document(doc)
    report = CheckReport()
    vendor = _vendor(doc)
    names: dict[str, str] = {}
    for node in doc.nodes():
        for entity in own_entities(node):  # what a sub-item says is reported once, on the sub-item
            if entity.label == "XREF" and not entity.target:
                report.dangling.append((node.id, entity))
            elif entity.label == "PRODUCT" and not entity.target:
                # one finding per product however it is written: "Milestone XProtect Management Client(s)"
                name = _clean_name(entity.text, vendor)
                key = " ".join(name.split()[:-1] + [_singular(name.split()[-1])]).lower() if name else ""
                shown = names.setdefault(key, name)
                report.undefined_products.setdefault(shown, [])
                if node.id not in report.undefined_products[shown]:
                    report.undefined_products[shown].append(node.id)
    return report
