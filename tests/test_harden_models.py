"""Issue 9 hardening of the model store, the registry, model downloads and the translation cache.

Items 2 (no path outside the model store), 8 (a broken or read-only translation
cache never fails a run), 9 (malformed registry fields and damaged model files
are one line, exit 2) and 16 (pinned revisions, safetensors, no unpickling).
Everything runs offline on the toy Marian model, under the test's own folders.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from compare.errors import UsageError
from compare.options import CompareOptions
from compare.translate import cache as cache_module
from compare.translate import get_translator
from compare.translate.cache import FILENAME, CacheWarning, TranslationCache
from compare.translate.download import pull
from compare.translate.paths import inside
from compare.translate.registry import ModelEntry, builtin_registry_file, parse_registry, route
from compare.translate.store import installed, model_root
from tests.translate_fixtures import TOY_DIR, TOY_LANG, ToyEnv, toy_env, toy_pair, toy_store  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
SOURCES = [toy_pair(seed)[0] for seed in range(2000, 2006)]


def one_error_line(stderr: str) -> str:
    """The single stderr line of a refused command (no traceback, nothing else)."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("compare: error: "), stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    return lines[0]


def write_registry(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture
def user_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$COMPARE_REGISTRY points here (the test writes it); the store is tmp_path/store, offline."""
    reg = tmp_path / "registry.toml"
    monkeypatch.setenv("COMPARE_REGISTRY", str(reg))
    monkeypatch.setenv("COMPARE_MODELS_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return reg


# -- item 2: nothing outside the model store is created or removed ------------------------
def test_item2_revision_with_dotdot_cannot_delete_a_folder_next_to_the_store(
    run_cli, user_registry: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me", encoding="utf-8")
    write_registry(user_registry, '[[model]]\nsource = "ru"\ntarget = "en"\nid = "Helsinki-NLP/opus-mt-ru-en"\n'
                                  'revision = "../../../victim"\n')
    before = sorted(p.name for p in tmp_path.iterdir())
    res = run_cli("models", "pull", "ru", "--from", TOY_DIR)
    assert res.exit_code == 2
    line = one_error_line(res.stderr)
    assert str(user_registry) in line and "`revision`" in line and "../../../victim" in line
    assert (victim / "precious.txt").read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no store, no lock, nothing anywhere


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "../../victim/x"), ("id", "Helsinki-NLP/../../x"), ("id", "org/name/extra"), ("id", "/abs/path"),
        ("id", ".hidden/x"), ("id", "org--a/b"), ("id", "org/na me"),
        ("revision", "../victim"), ("revision", "a/b"), ("revision", ".hidden"), ("revision", "x..y"),
        ("revision", ""), ("revision", "main.lock"), ("revision", "v1\x00"),
    ],
)
def test_item2_ids_and_revisions_that_could_name_another_folder_are_refused(
    user_registry: Path, field: str, value: str
) -> None:
    fields = {"id": "Helsinki-NLP/opus-mt-ru-en", field: value}
    body = '[[model]]\nsource = "ru"\ntarget = "en"\n' + "".join(f"{k} = {json.dumps(v)}\n" for k, v in fields.items())
    write_registry(user_registry, body)
    with pytest.raises(UsageError, match=f"`{field}`") as err:
        parse_registry(user_registry, origin="user")
    assert str(user_registry) in str(err.value) and "\n" not in str(err.value)


def test_item2_the_store_helper_refuses_any_path_that_leaves_the_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    (tmp_path / "outside").mkdir()
    store.mkdir()
    (store / "link").symlink_to(tmp_path / "outside")
    assert inside(store, "org--name@v1") == store / "org--name@v1"
    assert inside(store, ".downloads", "org--name") == store / ".downloads" / "org--name"
    for names in [("..",), ("a/../..",), ("x@..", "..", ".."), (".",), ("",), ("link",), ("link", "x")]:
        with pytest.raises(UsageError, match="not a folder inside the model store"):
            inside(store, *names)


def test_item2_an_entry_built_in_code_cannot_escape_either(tmp_path: Path) -> None:
    """The registry check is the first line; the store itself refuses too (library callers, old entries)."""
    store, victim = tmp_path / "store", tmp_path / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me", encoding="utf-8")
    entry = ModelEntry(sources=("ru",), target="en", hub_id="Helsinki-NLP/opus-mt-ru-en", revision="../../victim")
    with pytest.raises(UsageError, match="not a folder inside the model store"):
        pull(entry, store, origin=str(TOY_DIR), force=True)
    assert (victim / "precious.txt").read_text(encoding="utf-8") == "keep me" and not store.exists()


def test_item2_a_model_folder_that_is_a_symlink_out_of_the_store_is_not_followed(
    run_cli, user_registry: Path, tmp_path: Path
) -> None:
    victim, store = tmp_path / "victim", tmp_path / "store"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me", encoding="utf-8")
    write_registry(user_registry, '[[model]]\nsource = "ru"\ntarget = "en"\nid = "Helsinki-NLP/opus-mt-ru-en"\n')
    store.mkdir()
    (store / "Helsinki-NLP--opus-mt-ru-en").symlink_to(victim)
    res = run_cli("models", "pull", "ru", "--from", TOY_DIR, "--force")
    assert res.exit_code == 2 and "not a folder inside the model store" in one_error_line(res.stderr)
    assert sorted(p.name for p in victim.iterdir()) == ["precious.txt"]


def test_item2_a_model_kept_elsewhere_through_a_symlink_is_still_used(
    run_cli, toy_store: ToyEnv, user_registry: Path, tmp_path: Path
) -> None:
    """Reading may follow a symlink (a model on another disk); only writing is confined to the store."""
    write_registry(user_registry, f'[[model]]\nsource = "{TOY_LANG}"\ntarget = "en"\npath = "{TOY_DIR.as_posix()}"\n')
    (entry,) = parse_registry(user_registry, origin="user")
    other_disk = tmp_path / "other-disk"
    shutil.copytree(model_root(entry, toy_store.models_dir), other_disk)
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / entry.store_name).symlink_to(other_disk)
    res = run_cli("models", "pull", TOY_LANG)
    assert res.exit_code == 0 and "installed" in res.stdout, res.stderr
    assert get_translator(TOY_LANG, CompareOptions(use_cache=False)).translate(SOURCES[:1])[0]


# -- item 8: a broken or read-only cache warns once and never fails a run ----------------------
def _filled_cache(path: Path) -> None:
    cache = TranslationCache(path)
    cache.put_many("some-model|v1", {f"sentence {i}": f"translation {i}" * 20 for i in range(300)})
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _truncated(path: Path) -> None:
    _filled_cache(path)
    with path.open("r+b") as fh:
        fh.truncate(path.stat().st_size // 2)


def _random_bytes(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 40)


def _other_tables(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('someone else''s data')")


def _wrong_columns(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE translations (key TEXT PRIMARY KEY, value TEXT)")


BROKEN = {"truncated": _truncated, "random-bytes": _random_bytes, "other-tables": _other_tables,
          "wrong-columns": _wrong_columns}


@pytest.fixture
def cache_warnings(recwarn: pytest.WarningsRecorder):  # noqa: ANN201
    return lambda: [str(w.message) for w in recwarn if issubclass(w.category, CacheWarning)]


def _uncached(sentences: list[str]) -> list[str]:
    return get_translator(TOY_LANG, CompareOptions(use_cache=False)).translate(sentences)


@pytest.mark.parametrize("damage", sorted(BROKEN))
def test_item8_a_broken_cache_warns_once_and_translation_still_works(
    toy_env: ToyEnv, damage: str, cache_warnings
) -> None:
    path = toy_env.cache_dir / FILENAME
    path.parent.mkdir(parents=True)
    BROKEN[damage](path)
    damaged_bytes = path.read_bytes()
    for _ in range(2):  # a second document of the same run: no second warning
        assert get_translator(TOY_LANG, CompareOptions()).translate(SOURCES) == _uncached(SOURCES)
    (warning,) = cache_warnings()
    assert warning.startswith(f"{path}: translation cache cannot be used (") and "\n" not in warning
    assert warning.endswith("translating without it; run `compare cache clear` to reset it")
    assert path.read_bytes() == damaged_bytes  # left as it was, for the user to inspect or clear


def test_item8_the_warning_is_one_line_on_stderr_and_the_run_succeeds(toy_env: ToyEnv, tmp_path: Path) -> None:
    path = toy_env.cache_dir / FILENAME
    path.parent.mkdir(parents=True)
    _random_bytes(path)
    toy, english = tmp_path / "toy.txt", tmp_path / "english.txt"
    pairs = [toy_pair(seed, n_words=6) for seed in (31, 32, 33)]
    toy.write_text("\n".join(s for s, _ in pairs) + "\n", encoding="utf-8")
    english.write_text("\n".join(e for _, e in pairs) + "\n", encoding="utf-8")
    out = tmp_path / "r.json"
    proc = subprocess.run(
        [sys.executable, "-m", "compare", toy, english, "--lang", f"toy={TOY_LANG}", "--json", out, "-q"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=tmp_path, timeout=300,
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    (line,) = [line for line in proc.stderr.splitlines() if "cache" in line]  # one line, once
    assert line.endswith(f"{path}: translation cache cannot be used (file is not a database); "
                         "translating without it; run `compare cache clear` to reset it"), proc.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["documents"][0]["translated"] is True


def _force_read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a read-only file or folder does to SQLite (root ignores chmod): every open is mode=ro."""
    real = cache_module._open
    monkeypatch.setattr(cache_module, "_open", lambda uri: real(re.sub(r"mode=rwc?\b", "mode=ro", uri)))


def test_item8_a_read_only_cache_is_still_read_and_never_written(
    toy_env: ToyEnv, monkeypatch: pytest.MonkeyPatch, cache_warnings
) -> None:
    path = toy_env.cache_dir / FILENAME
    get_translator(TOY_LANG, CompareOptions()).translate(SOURCES[:3])
    assert TranslationCache(path).info().entries == 3
    _force_read_only(monkeypatch)
    cached = get_translator(TOY_LANG, CompareOptions())
    assert cached.translate(SOURCES[:3]) == _uncached(SOURCES[:3]) and not cached.loaded  # read from the cache
    assert cache_warnings() == []  # nothing to write yet: nothing to say
    mixed = get_translator(TOY_LANG, CompareOptions())
    assert mixed.translate(SOURCES) == _uncached(SOURCES)
    (warning,) = cache_warnings()
    assert warning.startswith(f"{path}: translation cache is read-only (attempt to write a readonly database)")
    assert "new ones are not saved" in warning
    monkeypatch.undo()
    assert TranslationCache(path).info().entries == 3  # nothing written


def test_item8_a_read_only_cache_folder_for_real(toy_env: ToyEnv, cache_warnings) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions; test_item8_a_read_only_cache_is_still_read_... simulates it")
    folder = toy_env.cache_dir
    get_translator(TOY_LANG, CompareOptions()).translate(SOURCES[:2])
    folder.chmod(0o555)
    (folder / FILENAME).chmod(0o444)
    try:
        assert get_translator(TOY_LANG, CompareOptions()).translate(SOURCES) == _uncached(SOURCES)
        assert len(cache_warnings()) == 1
    finally:
        folder.chmod(0o755)
        (folder / FILENAME).chmod(0o644)


def test_item8_a_cache_folder_that_cannot_exist_is_a_warning(
    toy_env: ToyEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_warnings
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("COMPARE_CACHE_DIR", str(blocker / "cache"))
    assert get_translator(TOY_LANG, CompareOptions()).translate(SOURCES[:2]) == _uncached(SOURCES[:2])
    (warning,) = cache_warnings()
    assert "COMPARE_CACHE_DIR" in warning and blocker.read_text(encoding="utf-8") == "not a folder"


@pytest.mark.parametrize("damage", sorted(BROKEN))
def test_item8_cache_clear_removes_a_broken_cache_and_caching_works_again(
    toy_env: ToyEnv, run_cli, damage: str
) -> None:
    path = toy_env.cache_dir / FILENAME
    path.parent.mkdir(parents=True)
    BROKEN[damage](path)
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).write_bytes(b"\x00" * 64)
    info = run_cli("cache", "info")
    assert info.exit_code == 0 and "status: cannot be read (" in info.stdout and "compare cache clear" in info.stdout
    res = run_cli("cache", "clear")
    assert res.exit_code == 0 and res.stderr == "" and "removed the unreadable translation cache" in res.stdout
    assert sorted(p.name for p in path.parent.iterdir()) == []
    get_translator(TOY_LANG, CompareOptions()).translate(SOURCES[:2])
    again = get_translator(TOY_LANG, CompareOptions())
    assert again.translate(SOURCES[:2]) == _uncached(SOURCES[:2]) and not again.loaded  # cached again
    assert "entries: 2" in run_cli("cache", "info").stdout


def test_item8_clearing_a_read_only_cache_is_one_line(toy_env: ToyEnv, run_cli,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    get_translator(TOY_LANG, CompareOptions()).translate(SOURCES[:2])
    _force_read_only(monkeypatch)
    res = run_cli("cache", "clear")
    assert res.exit_code == 2 and "cannot clear the translation cache" in one_error_line(res.stderr)
    monkeypatch.undo()
    assert TranslationCache(toy_env.cache_dir / FILENAME).info().entries == 2


# -- item 9: malformed registry fields and damaged model files ----------------------------------
@pytest.mark.parametrize(
    ("extra", "field", "expected"),
    [
        ('priority = "high"', "priority", "an integer"),
        ("max_input_tokens = \"lots\"", "max_input_tokens", "an integer"),
        ("max_input_tokens = 0", "max_input_tokens", "at least 4"),
        ('model = "oops"', "model", "unknown field"),
        ("sources = []", "sources", "a list of language codes"),
        ("license = 3", "license", "a licence name"),
        ('target_token = ">> fra <<"', "target_token", "without spaces"),
        ("priority = true", "priority", "an integer"),
    ],
)
def test_item9_malformed_registry_fields_name_the_file_entry_and_field(
    run_cli, user_registry: Path, extra: str, field: str, expected: str
) -> None:
    base = '[[model]]\ntarget = "en"\nid = "Helsinki-NLP/opus-mt-ru-en"\n'
    source = "" if extra.startswith("sources") else 'source = "ru"\n'
    write_registry(user_registry, base + source + extra + "\n")
    res = run_cli("models", "list")
    assert res.exit_code == 2
    line = one_error_line(res.stderr)
    assert str(user_registry) in line and "[[model]] #1" in line and f"`{field}`" in line and expected in line


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('[[model]]\nsource = 5\ntarget = "en"\nid = "Helsinki-NLP/opus-mt-ru-en"\n', "`source` = 5: expected"),
        ('[[models]]\nsource = "ru"\ntarget = "en"\n', "unknown key `models`"),
        ('model = "oops"\n', "`model` must be [[model]] tables"),
    ],
)
def test_item9_malformed_registry_structure_is_one_line(run_cli, user_registry: Path, body: str, problem: str) -> None:
    write_registry(user_registry, body)
    res = run_cli("models", "list")
    assert res.exit_code == 2 and problem in one_error_line(res.stderr)


def test_item9_a_registry_that_is_not_utf8_is_one_line(run_cli, user_registry: Path) -> None:
    user_registry.write_bytes('[[model]]\nsource = "ru"\ntarget = "en"\nlicense = "Licença"\n'.encode("latin-1"))
    res = run_cli("models", "list")
    line = one_error_line(res.stderr)
    assert res.exit_code == 2 and str(user_registry) in line and "not UTF-8" in line


def _damaged_copy(tmp_path: Path, name: str, damage) -> Path:  # noqa: ANN001
    model = tmp_path / "damaged-model"
    shutil.copytree(TOY_DIR, model)
    damage(model / name)
    return model


def _cut_in_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(
    ("name", "damage", "problem"),
    [
        ("model.safetensors", _cut_in_half, "not a complete safetensors file"),
        ("model.safetensors", lambda p: p.write_bytes(b"\x05"), "not a complete safetensors file"),
        ("config.json", lambda p: p.write_text("{ not json", encoding="utf-8"), "not valid JSON"),
        ("config.json", lambda p: p.write_text('{"model_type": "bert"}', encoding="utf-8"), 'expected "marian"'),
        ("vocab.json", _cut_in_half, "not valid JSON"),
        ("source.spm", lambda p: p.write_bytes(b""), "empty"),
        ("target.spm", lambda p: p.write_bytes(bytes(range(256)) * 8), "not a SentencePiece model"),
    ],
)
def test_item9_damaged_model_files_are_refused_before_conversion(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, damage, problem: str  # noqa: ANN001
) -> None:
    store = tmp_path / "store"
    monkeypatch.setenv("COMPARE_MODELS_DIR", str(store))
    model = _damaged_copy(tmp_path, name, damage)
    res = run_cli("models", "pull", "ru", "--from", model)
    assert res.exit_code == 2
    line = one_error_line(res.stderr)
    assert str(model / name) in line and problem in line
    assert [p.name for p in store.iterdir() if not p.name.endswith(".lock")] == []  # nothing half-installed


# -- item 16: pinned revisions, safetensors first, no unpickling -------------------------------
def test_item16_pinned_builtin_revisions_are_full_commit_shas() -> None:
    entries = parse_registry(builtin_registry_file(), origin="built-in")
    pinned = {e.model_id: e.revision for e in entries if e.revision}
    assert all(re.fullmatch(r"[0-9a-f]{40}", sha) for sha in pinned.values())
    # The demo languages and the models that ship only pytorch_model.bin are pinned.
    for model in ("ru-en", "zh-en", "ko-en", "en-es", "es-en", "en-fr", "fr-en"):
        assert f"Helsinki-NLP/opus-mt-{model}" in pinned


def test_item16_hub_download_asks_for_the_pinned_revision_and_prefers_safetensors(
    user_registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub

    (entry,) = route("ru", "en")
    calls: dict[str, object] = {}

    class Info:
        sha = entry.revision
        siblings = [type("S", (), {"rfilename": n})() for n in
                    ("config.json", "pytorch_model.bin", "model.safetensors", "source.spm", "target.spm",
                     "vocab.json", "rust_model.ot", "tf_model.h5")]

    def model_info(self, repo_id, *, revision=None, files_metadata=False):  # noqa: ANN001, ANN202
        calls["info"] = (repo_id, revision)
        return Info()

    def snapshot_download(repo_id, *, revision, endpoint, local_dir, allow_patterns):  # noqa: ANN001, ANN202
        calls["snapshot"] = (repo_id, revision, sorted(allow_patterns))
        for name in allow_patterns:
            if (TOY_DIR / name).is_file():
                shutil.copy2(TOY_DIR / name, Path(local_dir) / name)

    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", model_info)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    model = pull(entry, tmp_path / "store")
    assert calls["info"] == ("Helsinki-NLP/opus-mt-ru-en", entry.revision)
    repo, revision, patterns = calls["snapshot"]  # type: ignore[misc]
    assert revision == entry.revision and "model.safetensors" in patterns
    assert not {"pytorch_model.bin", "rust_model.ot", "tf_model.h5"} & set(patterns)
    assert model.revision == entry.revision and model.root.name.endswith("@" + entry.revision)
    assert not (tmp_path / "store" / ".downloads").exists() or not any((tmp_path / "store" / ".downloads").iterdir())


def _bin_model(tmp_path: Path, payload: object | None = None, *, raw_pickle: bool = False) -> Path:
    """TOY_DIR with pytorch_model.bin instead of model.safetensors: the toy weights with the tied
    aliases an old opus-mt checkpoint has, or `payload` (a hostile pickle)."""
    import torch
    from safetensors.torch import load_file

    model = tmp_path / "bin-model"
    shutil.copytree(TOY_DIR, model, ignore=shutil.ignore_patterns("model.safetensors"))
    if payload is None:
        state = load_file(TOY_DIR / "model.safetensors")
        shared = state["model.shared.weight"]
        payload = {**state, "model.encoder.embed_tokens.weight": shared,
                   "model.decoder.embed_tokens.weight": shared, "lm_head.weight": shared}
    if raw_pickle:
        (model / "pytorch_model.bin").write_bytes(pickle.dumps(payload))
    else:
        torch.save(payload, model / "pytorch_model.bin")
    return model


def test_item16_a_pytorch_bin_is_read_without_unpickling_and_stored_as_safetensors(
    toy_store: ToyEnv, tmp_path: Path
) -> None:
    model_dir = _bin_model(tmp_path)
    entry = ModelEntry(sources=("ru",), target="en", hub_id="Helsinki-NLP/opus-mt-ru-en")
    model = pull(entry, tmp_path / "store", origin=str(model_dir))
    assert sorted(p.name for p in model.hf_dir.iterdir() if "model" in p.name) == ["model.safetensors"]
    assert "model.safetensors" in model.manifest["files"] and "pytorch_model.bin" not in model.manifest["files"]
    # The same weights as the toy model's own safetensors: the converted CTranslate2 model is identical.
    (toy_entry,) = parse_registry(toy_store.registry, origin="user")
    reference = installed(toy_entry, toy_store.models_dir)
    assert reference is not None
    assert (model.ct2_dir / "model.bin").read_bytes() == (reference.ct2_dir / "model.bin").read_bytes()


class _WritesAMarker:
    """Unpickling this object would create a file: what a hostile checkpoint could do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # noqa: ANN204
        return (open, (str(self.marker), "w"))


@pytest.mark.parametrize("raw_pickle", [False, True], ids=["torch-zip", "raw-pickle"])
def test_item16_a_pickle_that_would_run_code_is_refused_and_never_runs(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw_pickle: bool
) -> None:
    store, marker = tmp_path / "store", tmp_path / "PWNED"
    monkeypatch.setenv("COMPARE_MODELS_DIR", str(store))
    model = _bin_model(tmp_path, {"model.shared.weight": _WritesAMarker(marker)}, raw_pickle=raw_pickle)
    res = run_cli("models", "pull", "ru", "--from", model)
    assert res.exit_code == 2
    line = one_error_line(res.stderr)
    assert str(model / "pytorch_model.bin") in line and "could run code" in line
    assert not marker.exists()
    assert [p.name for p in store.iterdir() if not p.name.endswith(".lock")] == []


def test_item16_a_truncated_pytorch_bin_is_one_line(run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPARE_MODELS_DIR", str(tmp_path / "store"))
    model = _bin_model(tmp_path)
    _cut_in_half(model / "pytorch_model.bin")
    res = run_cli("models", "pull", "ru", "--from", model)
    assert res.exit_code == 2 and "cannot be read" in one_error_line(res.stderr)
