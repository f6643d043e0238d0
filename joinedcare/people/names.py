"""Matching names as people type them: any case, with or without accents, whichever
apostrophe or hyphen the keyboard makes ("o'neill-o briain" finds "O\u2019Neill-Ó Briain")."""

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter and a mark.
_LETTERS = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ħ": "h",
        "\u0131": "i",  # dotless i
        "œ": "oe",
        "æ": "ae",
        "ß": "ss",
    }
)
# Apostrophes (straight, curly, modifier letter, accents typed for them), hyphens, dashes,
# dots and spaces all separate parts of a name alike.
_SEPARATORS = re.compile("[\\s'`\u2018\u2019\u00b4\u02bc\\-\u2010-\u2015.]+")


def name_key(name: str) -> str:
    """A name folded for comparison: casefolded, accents and separators removed."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub("", bare.translate(_LETTERS))
