"""Pytest fixtures for the real-model translation tests (the toy Marian model).

tests/fixtures/toy-marian is a real MarianMT model (built by
models/toy/train_toy_marian.py) for the made-up language "qtx" -> English.
Use it from any test module:

    from tests.translate_fixtures import toy_env, toy_store  # noqa: F401  (pytest fixtures)

    def test_something(toy_env):
        # COMPARE_REGISTRY, COMPARE_MODELS_DIR, COMPARE_CACHE_DIR point at temp dirs,
        # HF_HUB_OFFLINE=1, and "qtx" -> "en" is installed (converted once per session).
        t = get_translator("qtx", CompareOptions())
        src, eng = toy_pair(0)   # a toy sentence and its exact English translation
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import pytest

TOY_DIR = Path(__file__).parent / "fixtures" / "toy-marian"
TOY_LANG = "qtx"
TOY_MAX_INPUT_TOKENS = 16


@dataclass(frozen=True)
class ToyEnv:
    registry: Path
    models_dir: Path
    cache_dir: Path


def toy_lexicon() -> dict[str, str]:
    """Toy word -> English word (the dictionary the model was trained on)."""
    return json.loads((TOY_DIR / "lexicon.json").read_text(encoding="utf-8"))


def toy_pair(seed: int, n_words: int | None = None, *, comma: bool = False, end: str = ".") -> tuple[str, str]:
    """A toy sentence and its word-for-word English translation (what the model must output)."""
    lex = toy_lexicon()
    rng = random.Random(seed)
    words = rng.choices(sorted(lex), k=n_words or rng.randint(3, 12))
    toy, eng = list(words), [lex[w] for w in words]
    if comma and len(words) > 4:
        toy[len(words) // 2] += ","
        eng[len(words) // 2] += ","
    return " ".join(toy) + end, " ".join(eng) + end


def write_toy_registry(path: Path) -> Path:
    path.write_text(
        f'[[model]]\nsource = "{TOY_LANG}"\ntarget = "en"\npath = "{TOY_DIR.as_posix()}"\nlicense = "CC0-1.0"\n'
        # Trained on sentences of at most 12 words: split anything longer than that.
        f"max_input_tokens = {TOY_MAX_INPUT_TOKENS}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="session")
def toy_store(tmp_path_factory: pytest.TempPathFactory) -> ToyEnv:
    """A models dir with the toy model installed (converted to CTranslate2 once per session)."""
    from compare.translate.download import pull
    from compare.translate.registry import parse_registry

    root = tmp_path_factory.mktemp("toy-store")
    registry = write_toy_registry(root / "models.toml")
    (entry,) = parse_registry(registry, origin=str(registry))
    pull(entry, root / "models")
    return ToyEnv(registry, root / "models", root / "cache")


@pytest.fixture
def toy_env(toy_store: ToyEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ToyEnv:
    """Environment for one test: toy registry + installed store, fresh cache, offline."""
    env = ToyEnv(toy_store.registry, toy_store.models_dir, tmp_path / "cache")
    monkeypatch.setenv("COMPARE_REGISTRY", str(env.registry))
    monkeypatch.setenv("COMPARE_MODELS_DIR", str(env.models_dir))
    monkeypatch.setenv("COMPARE_CACHE_DIR", str(env.cache_dir))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return env
