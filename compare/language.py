"""Language codes and detection.

Cheap, decisive evidence first: the script (hangul, kana, han, letters unique
to Russian/Ukrainian/Persian), then function-word profiles of the big
Latin-script languages. Only what stays ambiguous goes to py3langid's n-gram
model (97 languages, no network; pinned below 0.4, whose model takes ~4 s to
load instead of ~0.5 s). The whole document is classified, never one sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .errors import UsageError

# ISO 639-1 codes. Codes qaa-qtz (ISO 639 "reserved for local use") are also
# accepted, for user-trained models and the project's toy test language.
ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy
    hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li
    ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa
    pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th
    ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()
)
_LOCAL_USE = re.compile(r"q[a-t][a-z]")

NAMES = {
    "ar": "Arabic", "de": "German", "en": "English", "es": "Spanish", "fr": "French",
    "it": "Italian", "ja": "Japanese", "ko": "Korean", "pt": "Portuguese", "ru": "Russian",
    "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese", "tr": "Turkish", "pl": "Polish",
    "nl": "Dutch", "fa": "Persian", "he": "Hebrew", "hi": "Hindi", "id": "Indonesian",
}


def language_name(code: str) -> str:
    return NAMES.get(code, code)


def check_language_code(code: str, *, what: str = "language") -> str:
    """Return `code` if it is a known language code, else raise UsageError."""
    if code in ISO_639_1 or _LOCAL_USE.fullmatch(code):
        return code
    hint = " (use ISO 639-1 codes such as en, ru, zh, ko)" if len(code) != 2 else ""
    raise UsageError(f"{what}: unknown language code {code!r}{hint}")


@dataclass(frozen=True, slots=True)
class Detection:
    language: str
    confidence: float


_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_LETTER = re.compile(r"[^\W\d_]")
_LATIN_WORD = re.compile(r"[a-zà-öø-ÿ']+")

# Function words of the big Latin-script news languages. A news article has
# hundreds of them, so their profile decides the language reliably and in
# microseconds; only texts where no profile clearly wins go to the n-gram model
# (py3langid), whose model takes ~0.5 s to load.
_FUNCTION_WORDS = {
    "en": "the of and to in a is that for on was with he it as at by from his said have has were be are not this but they their its which after".split(),
    "de": "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an werden aus er hat dass sie nach wird bei".split(),
    "fr": "le la les de des et en un une du est que qui dans pour pas sur au par plus ne se il elle a été avec son ses aux ont cette".split(),
    "es": "el la de que y en los del se las por un para con no una su al lo como más pero sus le ha fue este sido entre".split(),
    "pt": "o a de que e do da em um para é com não uma os no se na por mais as dos como mas foi ao ele das tem à seu sua".split(),
    "it": "il di che e la per un in è non una sono da del della con si le gli ha i dei nel alla anche come più ma".split(),
    "nl": "de het een en van in is dat op te zijn met voor niet aan er om ook als bij door maar wordt werd naar heeft".split(),
}
_FUNCTION_SETS = {lang: frozenset(words) for lang, words in _FUNCTION_WORDS.items()}


def detect_language(text: str) -> Detection:
    """Detect the language of a whole document (ISO 639-1 code)."""
    sample = text[:5000]
    letters = len(_LETTER.findall(sample)) or 1
    hangul, kana, han, cyrillic, arabic = (
        len(p.findall(sample)) for p in (_HANGUL, _KANA, _HAN, _CYRILLIC, _ARABIC)
    )
    # Script shortcuts: decisive, and more reliable than n-grams on short text.
    if hangul / letters > 0.3:
        return Detection("ko", 1.0)
    if kana / letters > 0.1:
        return Detection("ja", 1.0)
    if han / letters > 0.3:
        return Detection("zh", 1.0)
    if cyrillic / letters > 0.5:
        lower = sample.casefold()
        if any(ch in lower for ch in "ієїґ"):
            return Detection("uk", 0.95) if "ы" not in lower else _ngram(sample)
        if any(ch in lower for ch in "ыэ") and not any(ch in lower for ch in "ўђћџљњѓќ"):
            return Detection("ru", 0.95)
    if arabic / letters > 0.5 and not any(ch in sample for ch in "پچژگکیٹڈڑںے"):
        return Detection("ar", 0.95)
    words = _LATIN_WORD.findall(sample.casefold())
    if len(words) >= 5:
        hits = sorted(((sum(w in fs for w in words), lang) for lang, fs in _FUNCTION_SETS.items()), reverse=True)
        (best, lang), (second, _) = hits[0], hits[1]
        if best >= 0.2 * len(words) and best >= 2 * second:
            return Detection(lang, min(1.0, best / len(words) + 0.5))
    return _ngram(sample)


def _ngram(sample: str) -> Detection:
    code, prob = _identifier().classify(sample)
    return Detection(str(code), float(prob))


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
