"""Whoosh index of clauses (being written)."""
from dataclasses import dataclass


@dataclass
class Hit:
    pass


class ClauseIndex:
    pass
