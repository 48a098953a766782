"""TextNLP from Python: templates, seed rows, jobs, datasets, validation, review, usage and
administration on the appliance or the edge; inference through the ``openai`` package
(:meth:`Client.openai`). ``%load_ext textnlp`` in a notebook adds its magics."""

from ._generated import *  # noqa: F403 (the schemas' dataclasses)
from ._generated import OPERATIONS
from .client import FINISHED, AsyncClient, Client
from .errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    RouteNotServedError,
    ServerError,
    TextNLPError,
    UnprocessableEntityError,
)

__version__ = "0.1.0"


def load_ipython_extension(ipython) -> None:  # noqa: ANN001 (IPython's shell)
    """``%load_ext textnlp``: the notebook magics (see :mod:`textnlp.notebook`)."""
    from .notebook import load_ipython_extension as load

    load(ipython)
