"""The clause index, moving into a package (this commit only moves the module; the next one splits it)."""

from eula_parse.index.clause_index import *  # noqa: F401,F403
from eula_parse.index.clause_index import _ANALYZER, _stem, _worker_loop  # noqa: F401
