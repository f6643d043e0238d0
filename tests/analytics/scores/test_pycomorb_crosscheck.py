"""Cross-check Charlson (Quan) and HFRS against pycomorb on random ICD-10 code sets.

pycomorb (installed version) implements both scores from the same papers. We keep our
own implementation because the scores must also run as Ibis SQL on DuckDB and Spark;
pycomorb is the independent second implementation that agrees with ours.
"""

import polars as pl
import pycomorb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedcare.analytics.codelists import charlson_quan, hfrs_weights
from joinedcare.analytics.scores.charlson import charlson
from joinedcare.analytics.scores.hfrs import hfrs

# Codes built from the score tables themselves (so most draws hit something), plus
# suffixes to make 4-character codes and a few codes that score nothing.
_PREFIXES = sorted({p for c in charlson_quan() for p in c.icd10_prefixes} | set(hfrs_weights()))
_CODE = st.builds(
    lambda prefix, tail: (prefix + tail)[:4],
    st.sampled_from([*_PREFIXES, "I10", "Z00", "A00"]),
    st.sampled_from(["", "0", "1", "2", "5", "9", "00", "79"]),
)
_PEOPLE = st.lists(st.lists(_CODE, min_size=1, max_size=8), min_size=1, max_size=25)


def _frame(people: list[list[str]]) -> pl.DataFrame:
    rows = [(i, code) for i, codes in enumerate(people) for code in codes]
    return pl.DataFrame(
        {"id": [r[0] for r in rows], "code": [r[1] for r in rows], "age": [0] * len(rows)}
    )


def _by_id(frame: pl.DataFrame, column: str) -> dict[int, float]:
    return dict(zip(frame["id"].to_list(), frame[column].to_list(), strict=True))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_PEOPLE)
def test_pycomorb_charlson_quan_agrees(people):
    # Quan 2005 coding, Quan 2011 weights; pycomorb's comorbidity-only column (its
    # "Age-Comorbidity" column adds Charlson 1994 age points, which Quan 2011 does not).
    result = pycomorb.comorbidity("charlson", _frame(people), weights="quan")
    theirs = _by_id(result, "Charlson Comorbidity Index")
    assert {i: charlson(codes) for i, codes in enumerate(people)} == theirs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_PEOPLE)
def test_pycomorb_hfrs_agrees(people):
    result = pycomorb.comorbidity("hfrs", _frame(people).drop("age"))
    theirs = _by_id(result, "HFRS Score")
    assert {i: hfrs(codes) for i, codes in enumerate(people)} == theirs


def test_pycomorb_charlson_max_is_24_too():
    codes = [
        "I219",
        "I500",
        "I702",
        "I64",
        "F03",
        "J449",
        "M069",
        "K259",
        "K703",
        "E119",
        "E112",
        "G819",
        "N183",
        "C189",
        "I850",
        "C787",
        "B20",
    ]
    result = pycomorb.comorbidity("charlson", _frame([codes]), weights="quan")
    assert result["Charlson Comorbidity Index"].to_list() == [24] == [charlson(codes)]
