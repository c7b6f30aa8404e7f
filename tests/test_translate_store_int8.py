"""CTranslate2 weights stored int8 at pull time; models pulled before that (float32) converted once.

Uses the tiny trained Marian model (toy language "qtx" -> English). A "legacy"
model folder is built the way `compare models pull` built it before int8 storage:
the converter without quantization, and a manifest without the "ct2" record.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from compare.options import CompareOptions
from compare.translate import get_translator
from compare.translate.cache import FILENAME, TranslationCache
from compare.translate.ct2 import requantize_int8, stored_quantization
from compare.translate.download import ModelWarning, ensure_int8
from compare.translate.factory import load_translator, model_key
from compare.translate.registry import load_registry
from compare.translate.store import InstalledModel, installed
from tests.translate_fixtures import ToyEnv, toy_env, toy_pair, toy_store  # noqa: F401  (fixtures)

REPO = Path(__file__).resolve().parents[1]
PAIRS = [toy_pair(seed, comma=seed % 4 == 0) for seed in range(2000, 2030)]
SOURCES = [s for s, _ in PAIRS]
EXPECTED = [e for _, e in PAIRS]
MESSAGE = "compare: converting toy-marian to int8 once (was float32) ..."


def _toy(models_dir: Path) -> InstalledModel | None:
    entry = next(e for e in load_registry() if "qtx" in e.sources)
    return installed(entry, models_dir)


@pytest.fixture(scope="session")
def float32_bin(toy_store: ToyEnv, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ct2/model.bin as pulls wrote it before int8 storage (converter, quantization=None)."""
    from ctranslate2.converters import TransformersConverter

    (folder,) = [p for p in toy_store.models_dir.iterdir() if (p / "manifest.json").is_file()]
    out = tmp_path_factory.mktemp("float32") / "ct2"
    with warnings.catch_warnings():  # the tokenizer is only read for its vocabulary
        warnings.filterwarnings("ignore", message=".*sacremoses")
        TransformersConverter(str(folder / "hf")).convert(str(out), quantization=None, force=True)
    return out / "model.bin"


@pytest.fixture
def legacy(toy_env: ToyEnv, float32_bin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ToyEnv:
    """A models dir holding the toy model as pulled before int8 storage."""
    store = tmp_path / "models"
    (folder,) = [p for p in toy_env.models_dir.iterdir() if (p / "manifest.json").is_file()]
    root = store / folder.name
    shutil.copytree(folder, root)
    shutil.copyfile(float32_bin, root / "ct2" / "model.bin")
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    del manifest["ct2"]
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    monkeypatch.setenv("COMPARE_MODELS_DIR", str(store))
    return ToyEnv(toy_env.registry, store, toy_env.cache_dir)


def test_a_pulled_model_is_stored_int8(toy_env: ToyEnv) -> None:
    import ctranslate2

    model = _toy(toy_env.models_dir)
    assert model is not None and model.manifest["ct2"]["quantization"] == "int8" == model.ct2_quantization
    weights = model.ct2_dir / "model.bin"
    assert stored_quantization(weights) == "int8"
    # CTranslate2 itself, asked to keep the stored type: int8 matrices, float32 for the rest.
    translator = ctranslate2.Translator(str(model.ct2_dir), device="cpu", compute_type="default")
    assert translator.compute_type == "int8_float32"
    assert weights.stat().st_size < 0.35 * (model.hf_dir / "model.safetensors").stat().st_size
    assert get_translator("qtx", CompareOptions(use_cache=False)).translate(SOURCES) == EXPECTED


def test_an_old_float32_model_is_converted_once_and_translates_the_same(
    legacy: ToyEnv, toy_env: ToyEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _toy(legacy.models_dir)
    assert old is not None and old.ct2_quantization == "float32"
    assert stored_quantization(old.ct2_dir / "model.bin") == "float32"
    before = load_translator(old, device="cpu", compute_type="int8")  # what compare did before
    before_tokens = [h.tokens for h in before.backend.translate_batch(
        SOURCES, [before.pieces(s) for s in SOURCES], beam=4, max_decoding_length=60)]
    capsys.readouterr()

    t = get_translator("qtx", CompareOptions(use_cache=False))
    assert t.translate(SOURCES) == EXPECTED == before.translate(SOURCES)
    assert capsys.readouterr().err.splitlines() == [MESSAGE]
    new = _toy(legacy.models_dir)
    assert new is not None and new.ct2_quantization == "int8" and new.manifest["converted"]["from"] == "float32"
    # Exactly the bytes a fresh int8 pull stores, so old and new installs behave alike.
    pulled = _toy(toy_env.models_dir)
    assert pulled is not None
    assert (new.ct2_dir / "model.bin").read_bytes() == (pulled.ct2_dir / "model.bin").read_bytes()
    assert not (new.ct2_dir / "model.bin.partial").exists()
    after = load_translator(new, device="cpu")
    after_tokens = [h.tokens for h in after.backend.translate_batch(
        SOURCES, [after.pieces(s) for s in SOURCES], beam=4, max_decoding_length=60)]
    assert after_tokens == before_tokens

    get_translator("qtx", CompareOptions(use_cache=False)).translate(SOURCES[:2])
    assert capsys.readouterr().err == ""  # once: the second run finds it converted


def test_the_cache_never_answers_for_the_float32_model_after_conversion(legacy: ToyEnv) -> None:
    old = _toy(legacy.models_dir)
    assert old is not None
    old_key = model_key(old, engine="ctranslate2", beam=4, device="auto", compute_type=None)
    # Entries the float32 model left behind (marked, so a hit would show).
    TranslationCache(legacy.cache_dir / FILENAME).put_many(old_key, {s: "FROM FLOAT32" for s in SOURCES})

    t = get_translator("qtx", CompareOptions())
    assert t.model_key != old_key
    assert t.translate(SOURCES) == EXPECTED and t.loaded
    # The transformers engine never reads ct2/: its key does not depend on those weights.
    new = _toy(legacy.models_dir)
    assert new is not None
    assert (model_key(old, engine="transformers", beam=4, device="auto", compute_type=None)
            == model_key(new, engine="transformers", beam=4, device="auto", compute_type=None))


def test_cache_key_follows_model_bin_without_rehashing_an_unchanged_file(toy_env: ToyEnv, tmp_path: Path) -> None:
    pulled = _toy(toy_env.models_dir)
    assert pulled is not None
    copy = tmp_path / pulled.root.name
    shutil.copytree(pulled.root, copy, copy_function=shutil.copy)  # no metadata: mtimes change
    moved = InstalledModel(pulled.entry, copy, pulled.manifest)
    assert moved.ct2_fingerprint() == pulled.ct2_fingerprint()  # same bytes: same key, cache still valid
    weights = copy / "ct2" / "model.bin"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 1
    weights.write_bytes(bytes(data))
    assert moved.ct2_fingerprint() != pulled.ct2_fingerprint()


def test_models_list_shows_size_and_stored_weights(legacy: ToyEnv, run_cli) -> None:  # noqa: ANN001
    def toy_line() -> str:
        res = run_cli("models", "list", "--installed")
        assert res.exit_code == 0, res.stderr
        header, line = res.stdout.splitlines()[:2]
        assert "SIZE" in header and "WEIGHTS" in header and "toy-marian" in line
        return line

    line = toy_line()
    assert "float32" in line and ("MB" in line or "KB" in line)
    get_translator("qtx", CompareOptions(use_cache=False))
    converted = toy_line()
    assert "int8" in converted and "float32" not in converted
    model = _toy(legacy.models_dir)
    assert model is not None
    from compare.translate.store import human_size

    assert human_size(model.size_bytes()) in converted and human_size(model.size_bytes()) not in line


def test_parallel_processes_convert_an_old_model_once(legacy: ToyEnv) -> None:
    code = (
        "import sys; from compare.translate.registry import load_registry;"
        "from compare.translate.store import installed; from compare.translate.download import ensure_int8;"
        "from pathlib import Path; store = Path(sys.argv[1]);"
        "m = ensure_int8(installed(next(e for e in load_registry() if 'qtx' in e.sources), store), store);"
        "print(m.ct2_quantization)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", code, str(legacy.models_dir)], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [out.strip() for out, _ in results] == ["int8"] * 3
    assert sum(err.count("converting toy-marian") for _, err in results) == 1


def test_a_conversion_cut_short_leaves_the_float32_model_working(
    legacy: ToyEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    import compare.translate.ct2 as ct2

    old = _toy(legacy.models_dir)
    assert old is not None
    original = (old.ct2_dir / "model.bin").read_bytes()

    def crash(src: Path, dest: Path) -> None:
        dest.write_bytes(b"half a model")
        raise KeyboardInterrupt

    monkeypatch.setattr(ct2, "requantize_int8", crash)
    with pytest.raises(KeyboardInterrupt):
        ensure_int8(old, legacy.models_dir)
    assert (old.ct2_dir / "model.bin").read_bytes() == original
    assert not (old.ct2_dir / "model.bin.partial").exists()
    assert _toy(legacy.models_dir).ct2_quantization == "float32"  # type: ignore[union-attr]
    monkeypatch.undo()
    assert ensure_int8(old, legacy.models_dir).ct2_quantization == "int8"  # the next run converts it


def test_a_crash_between_the_rename_and_the_manifest_is_finished_quietly(
    legacy: ToyEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _toy(legacy.models_dir)
    assert old is not None
    weights = old.ct2_dir / "model.bin"
    requantize_int8(weights, weights.with_suffix(".tmp"))
    os.replace(weights.with_suffix(".tmp"), weights)  # int8 on disk, manifest still says float32
    capsys.readouterr()
    new = ensure_int8(old, legacy.models_dir)
    assert new.ct2_quantization == "int8" and capsys.readouterr().err == ""


def test_a_store_that_cannot_be_converted_keeps_translating_with_a_warning(
    legacy: ToyEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    import compare.translate.ct2 as ct2

    def read_only(src: Path, dest: Path) -> None:
        raise PermissionError(13, "Permission denied", str(dest))

    monkeypatch.setattr(ct2, "requantize_int8", read_only)
    with pytest.warns(ModelWarning, match=r"toy-marian: cannot store .* loading float32 .* --force"):
        t = get_translator("qtx", CompareOptions(use_cache=False))
    assert t.translate(SOURCES) == EXPECTED
    assert _toy(legacy.models_dir).ct2_quantization == "float32"  # type: ignore[union-attr]
