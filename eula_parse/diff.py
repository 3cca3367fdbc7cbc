"""Clause-by-clause diff of two versions of an agreement (being written)."""
from dataclasses import dataclass


@dataclass
class DocumentDiff:
    pass


def diff(old, new):
    raise NotImplementedError
