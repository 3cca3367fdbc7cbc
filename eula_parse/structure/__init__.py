"""Stage 2: lines -> the agreement's tree.

The hierarchy is read from what the page shows, never from a list of names:

1. Lines become *paragraphs* where a reader sees a break: extra vertical
   space, a change of type size or weight, a list number at the margin, a
   run-in bold heading.
2. Each paragraph is *classified*: a display heading (bold or larger than the
   body text, short), a paragraph opened by a run-in heading ("Limitation of
   Liability. The provisions ..."), a numbered paragraph ("5.", "4.1.4.1",
   "ARTICLE 1", "B.1"), or plain body text.
3. Display headings are ranked by type size and weight. The heading style
   whose headings are followed by a list numbered from 1 marks *products*;
   bigger styles above it mark product *groups*. Everything before the first
   group or product is the preamble and the general terms; numbered sections
   nest by their numbering (ARTICLE 1 > 1.1 > 1.1.2).

The steps live in modules named after them: ``markers`` (list and section numbers),
``paragraphs`` (breaks, line joining, hyphens), ``classify`` (run-in and display headings, the
title block), ``items`` (lettered and roman sub-items), ``ids`` (unique citation-shaped ids) and
``tree`` (the tree builder).
"""

from eula_parse.structure.classify import classify
from eula_parse.structure.items import find_items, sub_items
from eula_parse.structure.markers import Marker, marker_of
from eula_parse.structure.paragraphs import Para, join_lines, paragraphs
from eula_parse.structure.tree import build

__all__ = ["build", "paragraphs", "classify", "find_items", "sub_items", "join_lines", "marker_of", "Marker", "Para"]
