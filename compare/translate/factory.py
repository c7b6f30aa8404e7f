"""get_translator(): registry -> installed model -> (cached) engine translator.

Nothing heavy is imported here: engines are named by import path and loaded
on first use (sacrebleu's tokenizer registry), and behind the cache the
engine is built only on the first cache miss.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence

from ..errors import UsageError
from ..options import CompareOptions
from .base import Backend, Translator
from .cache import FILENAME, CachedTranslator, TranslationCache
from .download import ensure_installed, ensure_int8
from .paths import cache_dir, models_dir
from .registry import ModelEntry, route
from .store import InstalledModel

ENGINES = {
    "ctranslate2": "compare.translate.ct2:CT2Backend",
    "transformers": "compare.translate.hf:HFBackend",
}
EXTRAS = {"ctranslate2": "ct2", "transformers": "hf"}  # pip extras that provide each engine
# Bump when the shared loop changes what a given model outputs (splitting,
# guard, joining): old cache entries then stop matching.
PIPELINE_VERSION = "1"


def get_translator(source_language: str, options: CompareOptions, progress: bool = False, *,
                   threads: int = 0, compute_type: str | None = None) -> Translator:
    """A Translator from `source_language` into `options.target_language`.

    Args:
        source_language: ISO 639-1 (or qaa..qtz) code of the sentences.
        options: target_language, engine, beam, device, offline, use_cache,
            cache_dir and models_dir are read.
        progress: progress bars on stderr (downloads, long translations).
        threads: CPU threads for the engine (0: the engine's default).
        compute_type: CTranslate2 compute type override (default int8 on CPU,
            int8_float16 on CUDA; see ct2.py).

    Raises:
        ModelMissingError: no registry entry for the pair, or the model is not
            installed and downloading is not allowed (offline).
    """
    legs = [
        _leg(entry, src, options, progress, threads=threads, compute_type=compute_type)
        for entry, src in _legs(source_language, options.target_language)
    ]
    return legs[0] if len(legs) == 1 else PivotTranslator(legs)


def _legs(source: str, target: str) -> list[tuple[ModelEntry, str]]:
    entries = route(source, target)
    sources = [source] + [e.target for e in entries[:-1]]
    return list(zip(entries, sources, strict=True))


def _leg(entry: ModelEntry, source: str, options: CompareOptions, progress: bool, *,
         threads: int, compute_type: str | None) -> Translator:
    store = models_dir(options)
    model = ensure_installed(entry, store, source_lang=source, offline=options.is_offline)
    if options.engine == "ctranslate2":
        model = ensure_int8(model, store)  # a model pulled before int8 storage: converted once, here

    def build() -> Translator:
        return load_translator(model, engine=options.engine, beam=options.beam, device=options.device,
                               progress=progress, threads=threads, compute_type=compute_type)

    if not options.use_cache:
        return build()
    key = model_key(model, engine=options.engine, beam=options.beam, device=options.device,
                    compute_type=compute_type)
    return CachedTranslator(TranslationCache(cache_dir(options) / FILENAME), key,
                            model_id=entry.model_id, engine=options.engine, factory=build)


def model_key(model: InstalledModel, *, engine: str, beam: int, device: str, compute_type: str | None) -> str:
    """Everything that can change a translation, except the sentence itself.

    The default engine's key also holds the hash of the weights it loads (ct2/model.bin),
    so a model re-stored as int8 never answers from its float32 translations.
    """
    e = model.entry
    weights = [f"ct2={model.ct2_fingerprint()}"] if engine == "ctranslate2" else []
    return "|".join([
        e.model_id, model.fingerprint, *weights, engine, f"beam={beam}", f"device={device}",
        f"compute={compute_type or 'default'}", f"token={e.target_token or ''}", f"v{PIPELINE_VERSION}",
    ])


def load_translator(model: InstalledModel, *, engine: str = "ctranslate2", beam: int = 4, device: str = "auto",
                    progress: bool = False, threads: int = 0, compute_type: str | None = None) -> Translator:
    """Load an installed model into an engine (this is where torch/ctranslate2 get imported)."""
    from .marian import MarianTranslator

    entry = model.entry
    if entry.target_token and entry.target_token not in _vocab(model):
        raise UsageError(f"registry: {entry.model_id} has no target token {entry.target_token!r} in its vocabulary")
    module, _, cls = ENGINES[engine].partition(":")
    backend_cls = getattr(importlib.import_module(module), cls)
    try:
        backend = _make_backend(backend_cls, engine, model, device=device, threads=threads, compute_type=compute_type)
        return MarianTranslator(
            backend, model_id=entry.model_id, engine=engine, source_spm=model.hf_dir / "source.spm",
            target_language=entry.target, target_token=entry.target_token, beam=beam, progress=progress,
            max_input_tokens=entry.max_input_tokens,
        )
    except ImportError as exc:  # an optional dependency is missing: say which extra provides it
        raise UsageError(f"the {engine} engine needs {exc.name}: pip install 'compare-news[{EXTRAS[engine]}]'") from exc


def _make_backend(backend_cls: type, engine: str, model: InstalledModel, *, device: str, threads: int,
                  compute_type: str | None) -> Backend:
    kwargs = {"compute_type": compute_type} if engine == "ctranslate2" else {}
    model_dir = model.ct2_dir if engine == "ctranslate2" else model.hf_dir
    return backend_cls(model_dir, max_positions=max_positions(model), device=device, threads=threads, **kwargs)


def max_positions(model: InstalledModel) -> int:
    """The model's position table (512 for opus-mt): the hard limit on input and output length."""
    config = json.loads((model.hf_dir / "config.json").read_text(encoding="utf-8"))
    return int(config.get("max_position_embeddings", 512))


def _vocab(model: InstalledModel) -> dict[str, int]:
    return json.loads((model.hf_dir / "vocab.json").read_text(encoding="utf-8"))


class PivotTranslator:
    """source -> English -> target, for pairs without a direct model."""

    def __init__(self, legs: Sequence[Translator]) -> None:
        self.legs = list(legs)

    @property
    def model_id(self) -> str:
        return "+".join(t.model_id for t in self.legs)

    @property
    def engine(self) -> str:
        return self.legs[0].engine

    @property
    def loaded(self) -> bool:
        return any(getattr(leg, "loaded", True) for leg in self.legs)

    def translate(self, sentences: Sequence[str]) -> list[str]:
        out = list(sentences)
        for leg in self.legs:
            out = leg.translate(out)
        return out
