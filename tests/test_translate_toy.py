"""Real engine paths on the tiny trained Marian model (toy language "qtx" -> English).

No network: the model is tests/fixtures/toy-marian, installed into a temp
COMPARE_MODELS_DIR from its local directory and converted once per session.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from compare.errors import ModelMissingError
from compare.options import CompareOptions
from compare.translate import get_translator
from compare.translate.cli import cache_app, models_app
from compare.translate.factory import load_translator
from compare.translate.marian import MarianTranslator
from compare.translate.registry import load_registry, route
from compare.translate.store import installed, model_root
from tests.translate_fixtures import TOY_DIR, ToyEnv, toy_env, toy_pair, toy_store  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
PAIRS = [toy_pair(seed, comma=seed % 3 == 0) for seed in range(1000, 1040)]
SOURCES = [s for s, _ in PAIRS]
EXPECTED = [e for _, e in PAIRS]


def store_folder(store: Path, source: str) -> Path:
    """The model folder of the built-in source->en entry (its name includes a pinned revision)."""
    (entry,) = route(source, "en")
    return model_root(entry, store)


def toy_model(env: ToyEnv):  # noqa: ANN201
    entry = next(e for e in load_registry() if "qtx" in e.sources)
    model = installed(entry, env.models_dir)
    assert model is not None
    return model


def test_default_engine_translates_the_toy_language_exactly(toy_env: ToyEnv) -> None:
    t = get_translator("qtx", CompareOptions())
    assert (t.model_id, t.engine) == ("toy-marian", "ctranslate2")
    assert t.translate(SOURCES) == EXPECTED


@pytest.mark.parametrize("beam", [1, 4])
def test_transformers_and_ctranslate2_fp32_and_int8_give_the_same_tokens(toy_env: ToyEnv, beam: int) -> None:
    model = toy_model(toy_env)
    outputs = {}
    for name, kwargs in {
        "transformers": {"engine": "transformers"},
        "ct2-float32": {"engine": "ctranslate2", "compute_type": "float32"},
        "ct2-int8": {"engine": "ctranslate2", "compute_type": "int8"},
    }.items():
        t = load_translator(model, beam=beam, device="cpu", **kwargs)
        assert isinstance(t, MarianTranslator)
        pieces = [t.pieces(s) for s in SOURCES]
        hyps = t.backend.translate_batch(SOURCES, pieces, beam=beam, max_decoding_length=60)
        outputs[name] = [h.tokens for h in hyps]
        assert [h.text for h in hyps] == EXPECTED, name
    assert outputs["transformers"] == outputs["ct2-float32"] == outputs["ct2-int8"]


@pytest.mark.parametrize("engine", ["ctranslate2", "transformers"])
def test_batched_equals_one_by_one_in_original_order(toy_env: ToyEnv, engine: str) -> None:
    t = load_translator(toy_model(toy_env), engine=engine, beam=2, device="cpu")
    t.batch_tokens = 200  # several length-sorted batches
    batched = t.translate(SOURCES)
    assert batched == [t.translate([s])[0] for s in SOURCES] == EXPECTED


def test_blank_lines_skipped_and_duplicates_translated_once(toy_env: ToyEnv) -> None:
    t = load_translator(toy_model(toy_env), device="cpu")
    seen: list[list[str]] = []
    real = t.backend.translate_batches
    t.backend.translate_batches = lambda jobs, **kw: seen.extend(j.texts for j in jobs) or real(jobs, **kw)  # type: ignore[method-assign]
    a, b = PAIRS[0], PAIRS[1]
    out = t.translate(["", a[0], "   ", b[0], a[0], f"  {a[0]}\n"])
    assert out == ["", a[1], "", b[1], a[1], a[1]]
    assert sorted(x for batch in seen for x in batch) == sorted([a[0], b[0]])


def test_overlong_sentence_is_split_at_clauses_not_truncated(toy_env: ToyEnv) -> None:
    t = load_translator(toy_model(toy_env), device="cpu")
    parts = [toy_pair(seed, 6, end="") for seed in range(10)]
    source = ", ".join(s for s, _ in parts) + "."
    expected = ", ".join(e for _, e in parts) + "."
    assert t.count(source) > 64  # more than the toy model's position table: it cannot take it whole
    assert len(t.chunks(source)) > 1 and all(t.count(c) <= t.max_input_tokens for c in t.chunks(source))
    assert t.translate([source]) == [expected]


def test_overlong_sentence_without_clause_marks_is_cut_into_token_windows(toy_env: ToyEnv) -> None:
    t = load_translator(toy_model(toy_env), device="cpu")
    source, expected = toy_pair(7, 60, end="")
    chunks = t.chunks(source)
    assert len(chunks) > 1 and " ".join(chunks).split() == source.split()  # cut between words
    assert t.translate([source])[0].split() == expected.split()


class LoopingBackend:
    """Wraps the real backend; loops like a broken model unless n-gram repeats are forbidden."""

    def __init__(self, real, always: bool = False) -> None:  # noqa: ANN001
        self.real, self.always, self.max_positions = real, always, real.max_positions
        self.no_repeat_seen: list[int] = []

    def translate_batches(self, jobs, *, beam, no_repeat_ngram_size=0):  # noqa: ANN001, ANN201
        from compare.translate.base import Hypothesis

        self.no_repeat_seen.append(no_repeat_ngram_size)
        real = self.real.translate_batches(jobs, beam=beam, no_repeat_ngram_size=no_repeat_ngram_size)
        for job, hyps in zip(jobs, real, strict=True):
            if no_repeat_ngram_size and not self.always:
                yield hyps
            else:
                loop = ("▁the",) * job.max_decoding_length
                yield [Hypothesis(" ".join(["the"] * len(loop)), loop) for _ in hyps]


def test_runaway_output_is_retried_with_no_repeat_ngram_size(toy_env: ToyEnv) -> None:
    t = load_translator(toy_model(toy_env), device="cpu")
    t.backend = LoopingBackend(t.backend)
    assert t.translate(SOURCES[:5]) == EXPECTED[:5]
    assert t.backend.no_repeat_seen == [0, 3] and t.flags == {}


def test_runaway_output_that_persists_is_flagged(toy_env: ToyEnv) -> None:
    t = load_translator(toy_model(toy_env), device="cpu")
    t.backend = LoopingBackend(t.backend, always=True)
    t.translate(SOURCES[:2])
    assert set(t.flags) == set(SOURCES[:2]) and "cap" in t.flags[SOURCES[0]]


def test_cached_rerun_loads_no_model_and_gives_the_same_figures(toy_env: ToyEnv) -> None:
    first = get_translator("qtx", CompareOptions())
    assert first.translate(SOURCES) == EXPECTED and first.loaded
    # A fresh process, as in a second `compare` run: nothing heavy may be imported.
    code = (
        "import json, sys; from compare.options import CompareOptions; from compare.translate import get_translator;"
        f"t = get_translator('qtx', CompareOptions()); out = t.translate({SOURCES!r});"
        "print(json.dumps({'out': out, 'loaded': t.loaded,"
        " 'heavy': [m for m in ('torch', 'transformers', 'ctranslate2') if m in sys.modules]}))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    second = json.loads(proc.stdout)
    assert second == {"out": EXPECTED, "loaded": False, "heavy": []}


def test_no_cache_option_always_uses_the_engine(toy_env: ToyEnv) -> None:
    get_translator("qtx", CompareOptions()).translate(SOURCES[:3])
    t = get_translator("qtx", CompareOptions(use_cache=False))
    assert isinstance(t, MarianTranslator) and t.translate(SOURCES[:3]) == EXPECTED[:3]


def test_cache_key_separates_engine_and_beam(toy_env: ToyEnv) -> None:
    get_translator("qtx", CompareOptions(beam=4)).translate(SOURCES[:2])
    t = get_translator("qtx", CompareOptions(beam=1))
    assert t.translate(SOURCES[:2]) == EXPECTED[:2] and t.loaded


# -- CLI: models and cache -----------------------------------------------------------
def cli(*args: str):  # noqa: ANN201
    app = typer.Typer()
    app.add_typer(models_app, name="models")
    app.add_typer(cache_app, name="cache")
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def empty_store(toy_env: ToyEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    store = tmp_path / "store"
    monkeypatch.setenv("COMPARE_MODELS_DIR", str(store))
    return store


def test_pull_from_a_local_model_directory(empty_store: Path) -> None:
    result = cli("models", "pull", "ru", "--from", str(TOY_DIR))
    assert result.exit_code == 0, result.output
    assert "ru -> en: Helsinki-NLP/opus-mt-ru-en installed" in result.output
    root = store_folder(empty_store, "ru")
    assert (root / "ct2" / "model.bin").is_file() and (root / "ct2" / "source.spm").is_file()
    assert sorted(p.name for p in (root / "hf").iterdir()) == [
        "config.json", "generation_config.json", "model.safetensors", "source.spm", "target.spm",
        "tokenizer_config.json", "vocab.json",
    ]  # the allow-list: no lexicon.json, nothing else
    listing = cli("models", "list", "--installed")
    assert listing.exit_code == 0 and "Helsinki-NLP/opus-mt-ru-en" in listing.output and "yes" in listing.output
    assert "MB" in listing.output


def test_pull_from_a_local_mirror_folder(empty_store: Path, tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    shutil.copytree(TOY_DIR, mirror / "Helsinki-NLP" / "opus-mt-de-en")
    shutil.copytree(TOY_DIR, mirror / "Helsinki-NLP" / "opus-mt-fr-en")
    result = cli("models", "pull", "de", "fr", "--from", str(mirror))
    assert result.exit_code == 0, result.output
    path = cli("models", "path", "fr")
    assert path.exit_code == 0 and path.output.strip() == str(store_folder(empty_store, "fr"))
    # An installed model under a hub id is used offline like any other.
    t = get_translator("de", CompareOptions(use_cache=False))
    assert t.model_id == "Helsinki-NLP/opus-mt-de-en" and t.translate(SOURCES[:2]) == EXPECTED[:2]


def test_pull_offline_from_the_hub_fails_with_a_clear_error(empty_store: Path) -> None:
    result = cli("models", "pull", "ko")
    assert isinstance(result.exception, ModelMissingError)
    assert "offline" in str(result.exception) and "--from" in str(result.exception)


def test_models_list_marks_installed_and_missing(toy_env: ToyEnv) -> None:
    result = cli("models", "list")
    lines = {line.split()[0]: line for line in result.output.splitlines() if "->" in line}
    assert "yes" in lines["qtx"] and "toy-marian" in lines["qtx"]
    assert " no " in lines["ru"] and "cc-by-4.0" in lines["ru"]


def test_models_path_prints_the_store(toy_env: ToyEnv) -> None:
    result = cli("models", "path")
    assert result.exit_code == 0 and result.stdout.strip() == str(toy_env.models_dir)


def test_cache_info_and_clear_commands(toy_env: ToyEnv) -> None:
    get_translator("qtx", CompareOptions()).translate(SOURCES[:4])
    info = cli("cache", "info")
    assert info.exit_code == 0 and "entries: 4" in info.output and "toy-marian" in info.output
    assert "removed 4" in cli("cache", "clear").output
    assert "entries: 0" in cli("cache", "info").output


def test_online_and_missing_downloads_then_converts(empty_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from compare.translate import download

    fetched: list[str] = []

    def fake_hub(entry, dest, *, endpoint, staging):  # noqa: ANN001, ANN202  (no network in tests)
        fetched.append(entry.hub_id)
        download._copy_local(TOY_DIR, dest)
        return "0123abc"

    monkeypatch.setattr(download, "_download_hub", fake_hub)
    monkeypatch.delenv("HF_HUB_OFFLINE")
    t = get_translator("es", CompareOptions(use_cache=False))
    assert fetched == ["Helsinki-NLP/opus-mt-es-en"] and t.translate(SOURCES[:2]) == EXPECTED[:2]
    manifest = json.loads((store_folder(empty_store, "es") / "manifest.json").read_text())
    assert manifest["revision"] == "0123abc" and len(manifest["fingerprint"]) == 16
    get_translator("es", CompareOptions(use_cache=False))
    assert fetched == ["Helsinki-NLP/opus-mt-es-en"]  # installed now: not fetched again


def test_offline_and_missing_names_the_model_and_the_command(empty_store: Path) -> None:
    with pytest.raises(ModelMissingError) as err:
        get_translator("zh", CompareOptions())
    assert str(err.value) == (
        "no translation model for Chinese (zh) -> English (en) is installed: "
        "Helsinki-NLP/opus-mt-zh-en; run: compare models pull zh"
    )


def test_a_target_token_missing_from_the_vocabulary_is_reported(toy_env: ToyEnv, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from compare.errors import UsageError

    user = tmp_path / "tok.toml"
    user.write_text(f'[[model]]\nsource = "qtx"\ntarget = "en"\npath = "{TOY_DIR.as_posix()}"\n'
                    'target_token = ">>eng<<"\n')
    monkeypatch.setenv("COMPARE_REGISTRY", str(user))
    with pytest.raises(UsageError, match="no target token '>>eng<<'"):
        get_translator("qtx", CompareOptions(use_cache=False))


def test_unreachable_hub_is_one_clear_line(empty_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Online but no route to the hub (DNS failure, proxy): a clear error, no traceback, nothing installed."""
    import huggingface_hub

    class NameResolutionError(Exception):  # what the hub's HTTP client raises varies by version
        pass

    def unreachable(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202  (no network in tests)
        raise NameResolutionError("[Errno -2] Name or service not known")

    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", unreachable)
    monkeypatch.delenv("HF_HUB_OFFLINE")
    with pytest.raises(ModelMissingError) as err:
        get_translator("ko", CompareOptions(use_cache=False))
    message = str(err.value)
    assert "cannot download Helsinki-NLP/opus-mt-ko-en" in message and "--from" in message
    assert "\n" not in message
    assert not (store_folder(empty_store, "ko") / "manifest.json").exists()
