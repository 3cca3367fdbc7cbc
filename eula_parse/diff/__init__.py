"""Clause-by-clause diff of two versions of an agreement.

    >>> d = eula_parse.diff(old_doc, new_doc)
    >>> [(c.kind, c.new_id) for c in d.substantive]
    [('added', 'general/copenhagen-clause'), ('modified', 'product/xprotect-corporate/4'), ...]

The steps, each in a module of its own:

* :mod:`~eula_parse.diff.text` -- the form texts are compared in (:func:`comparable`
  erases what a re-typesetting changes) and word-level :func:`redline`;
* :mod:`~eula_parse.diff.align` -- the two trees flattened into units and paired by
  content, strongest evidence first;
* :mod:`~eula_parse.diff.changes` -- the pairing turned into :class:`Change` records
  (added, removed, modified, renamed, moved, renumbered) with entity changes;
* :mod:`~eula_parse.diff.report` -- the self-contained HTML redline report.

Only light modules are imported here (``eula_parse`` imports this eagerly).
"""

from __future__ import annotations

from eula_parse.diff.changes import KINDS, SUBSTANTIVE, Change, DocumentDiff, EntityChange, diff, entity_changes
from eula_parse.diff.text import comparable, redline

__all__ = ["diff", "DocumentDiff", "Change", "EntityChange", "KINDS", "SUBSTANTIVE", "comparable", "redline",
           "entity_changes"]
