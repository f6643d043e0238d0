"""NHS number checks shared by forms, APIs and ingest (pure Python)."""

import nhs_number

# Demo County and the tests use only numbers never issued to real patients.
SYNTHETIC_REGION = nhs_number.REGION_SYNTHETIC
_ISSUED_REGIONS = [
    nhs_number.REGION_ENGLAND,
    nhs_number.REGION_ENGLAND_WALES_IOM,
    nhs_number.REGION_WALES,
    nhs_number.REGION_IOM,
]


def normalise(value: str) -> str:
    """Digits only: '943 476 5919' and '943-476-5919' are the same number."""
    return "".join(ch for ch in value if not ch.isspace() and ch != "-")


def problem_with(value: str, *, allow_synthetic: bool = True) -> str | None:
    """Why a string is not an acceptable NHS number, or None if it is.

    The check digit alone accepts 0000000000, so the number must also fall in a range
    issued for England, Wales or the Isle of Man, or the synthetic test range.
    """
    number = normalise(value)
    if len(number) != 10 or not number.isdigit():
        return "An NHS number has 10 digits"
    regions = [*_ISSUED_REGIONS, *([SYNTHETIC_REGION] if allow_synthetic else [])]
    if not nhs_number.is_valid(number):
        return "This is not a valid NHS number (the check digit does not match)"
    # The check digit is already known good: only the ranges are left to test (ingest
    # runs this for every person, so the full check is not repeated per region).
    if not any(r.contains_number(number) for r in regions):
        return "This NHS number is outside the ranges issued in England and Wales"
    return None
