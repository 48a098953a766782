"""Every generated method was called by the tests before this one (see conftest.py)."""

from __future__ import annotations

import pytest

from conftest import CALLED
from textnlp import OPERATIONS


@pytest.mark.last
def test_every_generated_method_was_called():
    assert sorted(set(OPERATIONS) - CALLED["sync"]) == []
