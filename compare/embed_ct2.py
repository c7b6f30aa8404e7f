"""all-MiniLM-L6-v2 as a CTranslate2 int8 Encoder, built from the package's own weights.

The CTranslate2 model is built from ``model.safetensors`` with numpy arrays
through ``ctranslate2.specs`` (the same spec as CTranslate2's BertLoader, with
the token-type-0 embedding folded into the position encodings, so one source
embedding suffices), quantised to int8 and saved once under the user's model
store (``models_dir()``, $COMPARE_MODELS_DIR) in ``minilm-ct2-int8-<sha256 prefix>``.
The build runs in a subprocess (``python -m compare.embed_ct2 SRC DST``):
``ctranslate2.specs`` imports torch when it is installed, and the comparison
process stays free of torch and transformers. The folder is written to a temp
folder and renamed, under a file lock, so parallel processes convert once and
a crashed conversion never looks installed.

The weights' sha256 is remembered in the store (``minilm-weights.json``, keyed
by path, size and mtime: `weights_sha`), so later processes name the folder,
and the embedding cache its entries, without hashing 90 MB again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PREFIX = "minilm-ct2-int8-"
MEMO = "minilm-weights.json"
QUANTIZATION = "int8"
_HASH_CHARS = 16
_CONVERT_TIMEOUT_S = 600


class ConversionError(RuntimeError):
    """The CTranslate2 model could not be built (the caller falls back to numpy)."""


def _source_stamp(weights: Path) -> dict:
    st = weights.stat()
    return {"path": str(weights.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def weights_sha(weights: Path, store: Path | None = None) -> str:
    """sha256 of the weights file, remembered in the store (keyed by path, size and mtime)
    so that a process does not hash 90 MB to find its converted model or name its cache
    entries; a read-only store means hashing again next time."""
    from .translate.paths import models_dir
    from .translate.store import sha256_file

    stamp = _source_stamp(weights)
    memo = (Path(store) if store is not None else models_dir()) / MEMO
    try:
        known = json.loads(memo.read_text(encoding="utf-8"))
        if known.get("source") == stamp and isinstance(known.get("sha256"), str):
            return str(known["sha256"])
    except (OSError, ValueError, AttributeError):
        pass
    sha = sha256_file(weights)
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo.with_name(f".{memo.name}.{os.getpid()}")
        tmp.write_text(json.dumps({"source": stamp, "sha256": sha}), encoding="utf-8")
        os.replace(tmp, memo)
    except OSError:
        pass
    return sha


def ensure_model(model_path: Path, store: Path | None = None) -> Path:
    """The folder of the converted int8 model for the packaged weights in `model_path`,
    converting it first (once, under a lock) when the store lacks it.

    Raises:
        ConversionError: the conversion failed.
    """
    from filelock import FileLock

    from .translate.paths import inside, models_dir

    store = Path(store) if store is not None else models_dir()
    name = PREFIX + weights_sha(model_path / "model.safetensors", store)[:_HASH_CHARS]
    target = inside(store, name)
    if (target / "model.bin").is_file():
        return target
    store.mkdir(parents=True, exist_ok=True)
    with FileLock(str(inside(store, name + ".lock"))):
        if not (target / "model.bin").is_file():
            tmp = Path(tempfile.mkdtemp(prefix=".tmp-" + name + "-", dir=store))
            try:
                _convert_in_subprocess(model_path, tmp / "model")
                if target.exists():  # a broken leftover (no model.bin): replace it
                    shutil.rmtree(target)
                os.replace(tmp / "model", target)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    return target


def _convert_in_subprocess(model_path: Path, output: Path) -> None:
    cmd = [sys.executable, "-m", "compare.embed_ct2", str(model_path), str(output)]
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=_CONVERT_TIMEOUT_S, env=env)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ConversionError(f"cannot run the encoder conversion: {exc}") from exc
    if done.returncode != 0 or not (output / "model.bin").is_file():
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ConversionError(f"the encoder conversion failed (exit {done.returncode}): {tail[0]}")


def build(model_path: Path, output: Path, quantization: str = QUANTIZATION) -> None:
    """Build and save the CTranslate2 model (run in the conversion subprocess)."""
    # ctranslate2.specs imports torch when it can; numpy arrays are all it needs here.
    sys.modules.setdefault("torch", None)  # type: ignore[arg-type]
    import numpy as np
    from ctranslate2.specs import common_spec, transformer_spec
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    config = json.loads((model_path / "config.json").read_text(encoding="utf-8"))
    if config.get("position_embedding_type", "absolute") != "absolute" or config.get("hidden_act") != "gelu":
        raise ConversionError("unsupported BERT variant (position embeddings or activation)")
    w = {k.removeprefix("bert."): v.astype(np.float32) for k, v in load_file(str(model_path / "model.safetensors")).items()}
    layers, heads = int(config["num_hidden_layers"]), int(config["num_attention_heads"])
    encoder = transformer_spec.TransformerEncoderSpec(
        layers,
        heads,
        pre_norm=False,
        activation=common_spec.Activation.GELU,
        layernorm_embedding=True,
        num_source_embeddings=1,
    )
    spec = transformer_spec.TransformerEncoderModelSpec(encoder, pooling_layer=False)
    spec.encoder.scale_embeddings = False
    spec.encoder.embeddings[0].weight = w["embeddings.word_embeddings.weight"]
    # Every token has type 0: its embedding is a constant added with the positions.
    spec.encoder.position_encodings.encodings = np.ascontiguousarray(
        w["embeddings.position_embeddings.weight"] + w["embeddings.token_type_embeddings.weight"][0][None, :]
    )
    spec.encoder.layernorm_embedding.gamma = w["embeddings.LayerNorm.weight"]
    spec.encoder.layernorm_embedding.beta = w["embeddings.LayerNorm.bias"]
    for n, layer in enumerate(spec.encoder.layer):
        p = f"encoder.layer.{n}."
        q, k, v = (p + f"attention.self.{x}" for x in ("query", "key", "value"))
        layer.self_attention.linear[0].weight = np.concatenate([w[x + ".weight"] for x in (q, k, v)])
        layer.self_attention.linear[0].bias = np.concatenate([w[x + ".bias"] for x in (q, k, v)])
        layer.self_attention.linear[1].weight = w[p + "attention.output.dense.weight"]
        layer.self_attention.linear[1].bias = w[p + "attention.output.dense.bias"]
        layer.self_attention.layer_norm.gamma = w[p + "attention.output.LayerNorm.weight"]
        layer.self_attention.layer_norm.beta = w[p + "attention.output.LayerNorm.bias"]
        layer.ffn.linear_0.weight = w[p + "intermediate.dense.weight"]
        layer.ffn.linear_0.bias = w[p + "intermediate.dense.bias"]
        layer.ffn.linear_1.weight = w[p + "output.dense.weight"]
        layer.ffn.linear_1.bias = w[p + "output.dense.bias"]
        layer.ffn.layer_norm.gamma = w[p + "output.LayerNorm.weight"]
        layer.ffn.layer_norm.beta = w[p + "output.LayerNorm.bias"]
    vocab = Tokenizer.from_file(str(model_path / "tokenizer.json")).get_vocab(with_added_tokens=True)
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda item: item[1])]
    size = int(config["vocab_size"])
    tokens += [f"<extra_id_{i}>" for i in range(size - len(tokens))]
    spec.register_vocabulary(tokens[:size])
    spec.config.unk_token = "[UNK]"
    spec.config.layer_norm_epsilon = float(config.get("layer_norm_eps", 1e-12))
    spec.validate()
    spec.optimize(quantization=quantization)
    output.mkdir(parents=True, exist_ok=True)
    spec.save(str(output))


def load_encoder(model_path: Path, store: Path | None = None, device: str = "cpu"):  # type: ignore[no-untyped-def]
    """(a ctranslate2.Encoder for the packaged weights, how many batches it runs at once),
    converting the model on first use. `device`: "cpu" or "cuda", already resolved
    (translate.ct2.resolve_device); int8 weights on both, as for translation
    (translate.ct2.default_compute_type). On CPU two batches on one thread each beat one
    batch on two threads (small products), as for translation (translate.ct2.thread_split);
    on CUDA one batch at a time.

    Raises:
        ConversionError: the conversion failed; other exceptions: ctranslate2 cannot load it.
    """
    import ctranslate2

    from .translate.ct2 import default_compute_type, thread_split

    folder = ensure_model(model_path, store)
    inter, intra = thread_split(device)
    encoder = ctranslate2.Encoder(
        str(folder), device=device, compute_type=default_compute_type(device), inter_threads=inter, intra_threads=intra
    )
    return encoder, inter


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m compare.embed_ct2 MODEL_DIR OUTPUT_DIR")
    build(Path(sys.argv[1]), Path(sys.argv[2]))
