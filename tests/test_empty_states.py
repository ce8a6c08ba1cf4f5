"""The shared empty state: the headline names the date, the filters when set, and the next
step; Clear filters appears only when the sidebar filters narrow the view."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("isolated_app")


def _empty_state(filtered: bool) -> None:
    from datetime import date
    from types import SimpleNamespace

    from metrics.filters import Filters
    from ui.empty_states import nothing_on_as_of

    filters = Filters(segments=("SMB",)) if filtered else Filters()
    view = SimpleNamespace(as_of=date(2024, 3, 15), filters=filters)
    nothing_on_as_of(view, nothing="No customer", scope="Value covers paying accounts.",
                     next_step="Import accounts.", key="test_clear")  # fmt: skip


@pytest.mark.parametrize("filtered", [False, True])
def test_empty_state_names_the_date_and_the_next_step(filtered: bool) -> None:
    at = AppTest.from_function(_empty_state, args=(filtered,), default_timeout=30).run()
    assert not at.exception
    text = at.info[0].value
    if filtered:
        assert text == ("**No customer on 2024-03-15 for the sidebar filters.** Value covers "
                        "paying accounts. Clear or widen the sidebar filters, or pick another "
                        "as-of date.")  # fmt: skip
        assert [b.label for b in at.button] == ["Clear filters"]
    else:
        assert text == ("**No customer on 2024-03-15.** Value covers paying accounts. "
                        "Import accounts.")  # fmt: skip
        assert len(at.button) == 0
