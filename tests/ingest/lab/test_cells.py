"""Numbers taken as they are and text parsed: the same answer as parsing everything as text."""

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from ingest.cells import parse_cells
from models.values import parse_values

cells = st.one_of(
    st.floats(allow_nan=True, allow_infinity=False, width=32),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.sampled_from(["0.05L", "<0.01", "ND", "未检出", "--", "", "abc", "1.5", " 2 ", None]),
)


@given(st.lists(cells, max_size=30))
def test_parse_cells_agrees_with_parse_values(values: list[object]) -> None:
    raw = pd.Series(values, dtype=object)
    fast = parse_cells(raw)
    slow = parse_values(raw)
    np.testing.assert_allclose(fast["value"].to_numpy(), slow["value"].to_numpy(), rtol=1e-6, equal_nan=True)
    for column in ("non_detect", "missing", "needs_limit"):
        assert fast[column].tolist() == slow[column].tolist(), column
    assert fast["error"].isna().tolist() == slow["error"].isna().tolist()
