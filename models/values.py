"""Reported values as labs and platforms write them: numbers and non-detects ("0.05L", "<0.05").

Reporting below the detection limit as the limit followed by "L" is the convention of
HJ/T 91-2002 and HJ/T 164-2004; "<0.05", "ND" and "未检出" are seen in lab files too. "ND" and
"未检出" say nothing of the limit, so they need one from elsewhere (a detection-limit column).
"""

import re
import unicodedata
from typing import Final

import numpy as np
import pandas as pd

_NON_DETECT_WORDS: Final[frozenset[str]] = frozenset({"nd", "n.d.", "未检出", "未检", "<dl", "bdl", "低于检出限"})
_MISSING_WORDS: Final[frozenset[str]] = frozenset(
    {"", "--", "-", "—", "/", "nan", "null", "none", "na", "n/a", "无数据", "缺测"}
)
_PATTERN: Final = re.compile(
    r"^\s*(?:(?P<lt>[<＜])\s*)?(?P<num>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(?P<l>\(?[Ll]\)?)?\s*$"
)


class ValueParseError(ValueError):
    """A reported value is neither a number nor a recognised non-detect."""


def parse_value(text: str | float | int) -> tuple[float, bool] | None:
    """(value, non_detect) for one reported value; None when it marks a missing value ("--").

    A non-detect's value is its detection limit. Raises ValueParseError naming the text.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return None if np.isnan(text) else (float(text), False)
    raw = unicodedata.normalize("NFKC", str(text)).strip()
    folded = raw.lower()
    if folded in _MISSING_WORDS:
        return None
    if folded in _NON_DETECT_WORDS:
        raise ValueParseError(f"{raw!r} is a non-detect without its detection limit; write it as e.g. '0.05L'")
    match = _PATTERN.match(raw)
    if match is None:
        raise ValueParseError(f"{raw!r} is not a number; expected e.g. '1.25', '0.05L' or '<0.05'")
    return float(match["num"]), bool(match["lt"] or match["l"])


def parse_values(texts: pd.Series) -> pd.DataFrame:
    """Vectorised `parse_value` over a column.

    Returns a frame aligned with `texts`: ``value`` (float, NaN where missing or bad),
    ``non_detect`` (bool), ``missing`` (bool: a "--" style blank), ``error`` (string or NA).
    """
    as_text = texts.astype("string").str.normalize("NFKC").str.strip()
    folded = as_text.str.lower()
    numeric = pd.to_numeric(as_text, errors="coerce")
    value = numeric.to_numpy(dtype=float, na_value=np.nan)
    non_detect = np.zeros(len(texts), dtype=bool)
    missing = (folded.isna() | folded.isin(_MISSING_WORDS)).to_numpy()
    needs_limit = np.zeros(len(texts), dtype=bool)
    error = pd.Series(pd.NA, index=texts.index, dtype="string")

    pending = np.isnan(value) & ~missing
    if pending.any():
        extracted = as_text[pending].str.extract(_PATTERN)
        parsed = pd.to_numeric(extracted["num"], errors="coerce")
        ok = parsed.notna()
        idx = np.flatnonzero(pending)
        value[idx[ok.to_numpy()]] = parsed[ok].to_numpy()
        nd = (extracted["lt"].notna() | extracted["l"].notna()) & ok
        non_detect[idx] = nd.to_numpy()
        bad = ~ok
        bad_idx = idx[bad.to_numpy()]
        words = folded.iloc[bad_idx]
        is_nd_word = words.isin(_NON_DETECT_WORDS).to_numpy()
        needs_limit[bad_idx] = is_nd_word
        messages = np.where(
            is_nd_word,
            "is a non-detect without its detection limit; write it as e.g. '0.05L' or give a detection-limit column",
            "is not a number; expected e.g. '1.25', '0.05L' or '<0.05'",
        )
        originals = as_text.iloc[bad_idx].to_numpy()
        error.iloc[bad_idx] = [f"{o!r} {m}" for o, m in zip(originals, messages, strict=True)]
    return pd.DataFrame(
        {"value": value, "non_detect": non_detect, "missing": missing, "needs_limit": needs_limit, "error": error},
        index=texts.index,
    )
