"""Language codes and detection.

Detection uses py3langid (pure numpy, ~80 ms to load, no network), restricted
to nothing: news outlets write in any language. Short texts are unreliable for
any n-gram detector, so we classify the whole document, and CJK scripts are
decided by script before asking the model (Korean hangul and Japanese kana are
unambiguous; langid sometimes calls short Chinese "ja").
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
_LETTER = re.compile(r"[^\W\d_]")


def detect_language(text: str) -> Detection:
    """Detect the language of a whole document."""
    sample = text[:5000]
    letters = len(_LETTER.findall(sample)) or 1
    hangul, kana, han = (len(p.findall(sample)) for p in (_HANGUL, _KANA, _HAN))
    # Script shortcuts: decisive, and more reliable than n-grams on short text.
    if hangul / letters > 0.3:
        return Detection("ko", min(1.0, hangul / letters + 0.3))
    if kana / letters > 0.1:
        return Detection("ja", min(1.0, (kana + han) / letters))
    if han / letters > 0.3:
        return Detection("zh", min(1.0, han / letters + 0.3))
    code, prob = _identifier().classify(sample)
    return Detection(str(code), float(prob))


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
