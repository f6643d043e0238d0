"""Condition names read as they should inside a reason shown on a case list."""

import numpy as np
import pandas as pd

from joinedcare.analytics import factors


def test_condition_names_are_lower_case_in_a_phrase_except_eponyms():
    columns = ["ltc_parkinsons", "ltc_heart_failure", "frailty_memory"]
    frame = pd.DataFrame({c: [1] for c in columns})
    (found,) = factors.top_factors(frame, np.ones((1, 3)), columns, windows=(12,))
    assert found == ["Parkinson's disease", "heart failure", "memory impairment"]
