"""Language detection on short news texts, and code validation."""

from __future__ import annotations

import json

import pytest

from compare.errors import UsageError
from compare.language import check_language_code, detect_language

from .conftest import FIXTURES

SHORT_NEWS = json.loads((FIXTURES / "short_news.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", sorted(SHORT_NEWS))
def test_detects_each_language_on_one_sentence(lang):
    got = [detect_language(text).language for text in SHORT_NEWS[lang]]
    assert got.count(lang) >= len(got) - 1, got  # short single sentences: allow one miss


def test_overall_accuracy_on_short_news():
    pairs = [(lang, t) for lang, texts in SHORT_NEWS.items() for t in texts]
    correct = sum(detect_language(t).language == lang for lang, t in pairs)
    assert correct / len(pairs) >= 0.95


@pytest.mark.parametrize("code", ["en", "ru", "zh", "ko", "qtx"])
def test_valid_codes(code):
    assert check_language_code(code) == code


@pytest.mark.parametrize("code", ["english", "xx", "EN-us", ""])
def test_unknown_codes_are_rejected(code):
    with pytest.raises(UsageError, match="unknown language code"):
        check_language_code(code)
