"""Stage 2: lines -> the agreement's tree (see :mod:`eula_parse.structure.tree`)."""

from eula_parse.structure.tree import *  # noqa: F401,F403
from eula_parse.structure.tree import __all__  # noqa: F401
