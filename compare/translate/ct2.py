"""Default engine: CTranslate2 fed by SentencePiece directly (no torch, no transformers).

Stored weights and compute types. `compare models pull` stores the model int8
(CTranslate2's `quantization="int8"`: int8 matrices with a float32 scale per row;
biases, layer norms, position tables and scales: float32, 2% of the file), so
loading never materialises float32 weights (opus-mt: 305 MB float32 -> 78 MB).
The same files serve both devices, because CTranslate2 converts between all
types on load (docs: "Quantize on model loading", "Implicit type conversion on
load"):

* CPU: compute_type int8, the stored type itself.
* CUDA: compute_type int8_float16: int8 matrix products with float16
  activations, and the few float32 tensors cast to float16 at load. A GPU
  without fast int8 (compute capability < 6.1) gets CTranslate2's own fallback
  (float16 or float32), and an explicit compute_type (float16, float32)
  still works: the int8 weights are dequantised on load. CPU and GPU thus run
  the same int8 weights, so their translations differ only by arithmetic.

Models pulled before int8 storage hold float32 weights; `requantize_int8` turns
their model.bin into exactly what the converter writes for int8 (same bytes),
reading it in row blocks, with numpy alone (no torch, no Hugging Face files).
CTranslate2's decoding defaults differ from Marian's (beam 2, 256 tokens), so
beam size and both length limits are always passed explicitly.
"""

from __future__ import annotations

import os
import struct
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import TranslationError, UsageError
from .base import Hypothesis, Job
from .marian import EOS

STORED_QUANTIZATION = "int8"  # what `compare models pull` writes (see the module docstring)
HYPOTHESES = 32  # per CTranslate2 sub-batch: bounds the vocabulary-sized tensors (sub_batch_size)
GPU_HYPOTHESES = 1024  # on CUDA: 1024 x 62,518 floats is 256 MB of a GPU's memory


def usable_cpus() -> int:
    try:
        return max(1, min(8, len(os.sched_getaffinity(0))))
    except AttributeError:  # not Linux
        return max(1, min(8, os.cpu_count() or 1))


def thread_split(device: str, threads: int = 0) -> tuple[int, int]:
    """(batches decoded in parallel, threads per batch).

    On CPU two batches in parallel with half the threads each beat one batch with
    all of them (measured ~1.4x on 2 cores: small GEMMs scale poorly); CT2's own
    default of 4 threads oversubscribes small machines.
    """
    threads = threads or usable_cpus()
    inter = 2 if device == "cpu" and threads >= 2 else 1
    return inter, max(1, threads // inter)


# The cuBLAS that CTranslate2's PyPI wheels load, by CTranslate2 major version. A machine with
# a GPU driver but without it sees the GPU and then fails at the first matrix product.
_CUBLAS = {4: "libcublas.so.12"}
_CUDA_USABLE: bool | None = None


def resolve_device(device: str) -> str:
    """"auto" -> "cuda" when CTranslate2 sees a GPU and can load its cuBLAS, else "cpu" (with a
    warning when only the library is missing). "cuda" is checked the same way.

    Raises:
        UsageError: "cuda" asked for where it cannot run.
    """
    global _CUDA_USABLE
    if device == "cpu":
        return device
    import ctranslate2

    if _CUDA_USABLE is None:
        _CUDA_USABLE = ctranslate2.get_cuda_device_count() > 0
        missing = _missing_cublas(ctranslate2.__version__) if _CUDA_USABLE else None
        if missing:
            _CUDA_USABLE = False
            hint = f"a GPU is present but {missing}, which CTranslate2 needs, cannot be loaded"
            if device == "cuda":
                raise UsageError(f"--device cuda: {hint}; install it (pip install nvidia-cublas-cu12) "
                                 "or run with --device cpu")
            warnings.warn(f"{hint}; running on the CPU (pip install nvidia-cublas-cu12 to use the GPU)",
                          RuntimeWarning, stacklevel=3)
    if device == "cuda" and not _CUDA_USABLE:
        raise UsageError("--device cuda: CTranslate2 sees no usable GPU; run with --device cpu or auto")
    return "cuda" if _CUDA_USABLE else "cpu"


def _missing_cublas(version: str) -> str | None:
    """The cuBLAS library name when this CTranslate2 needs one that cannot be loaded, else None."""
    import ctypes
    import sys

    name = _CUBLAS.get(int(version.split(".")[0]))
    if name is None or not sys.platform.startswith("linux"):  # the library names are Linux's
        return None
    try:
        ctypes.CDLL(name)
    except OSError:
        return name
    return None


def sub_batch_size(beam: int, device: str = "cpu") -> int:
    """Sentences CTranslate2 decodes together: at most HYPOTHESES hypotheses (batch x beam).

    Our batches bound source tokens, but each decoding step makes several tensors of
    batch x beam x vocabulary floats (logits, log-probs, the int32 GEMM output): a batch
    of 32 short sentences at beam 4 is 128 x 62,518 x 4 B = 32 MB each, times two
    batches decoded in parallel. Splitting it into sub-batches of 8 cut the beam-4
    peak RSS from 407-444 MB to 275 MB, at the same speed (opus-mt shapes, 2 cores).
    A GPU needs large batches to be busy: GPU_HYPOTHESES there.
    """
    return max(1, (GPU_HYPOTHESES if device == "cuda" else HYPOTHESES) // beam)


def default_compute_type(device: str) -> str:
    """int8 weights on both devices (see the module docstring)."""
    return "int8_float16" if device == "cuda" else "int8"


class CT2Backend:
    """Decodes piece batches with ctranslate2.Translator."""

    def __init__(self, model_dir: Path, *, max_positions: int, device: str = "auto",
                 compute_type: str | None = None, threads: int = 0) -> None:
        import ctranslate2
        import sentencepiece as spm

        device = resolve_device(device)
        self.device = device
        self.compute_type = compute_type or default_compute_type(device)
        self.max_positions = max_positions
        inter, intra = thread_split(device, threads)
        self._translator = ctranslate2.Translator(
            str(model_dir), device=device, compute_type=self.compute_type, inter_threads=inter, intra_threads=intra
        )
        self._target = spm.SentencePieceProcessor(model_file=str(model_dir / "target.spm"))

    def translate_batches(self, jobs: Sequence[Job], *, beam: int, no_repeat_ngram_size: int = 0
                          ) -> Iterator[list[Hypothesis]]:
        # Submit everything first so the inter_threads workers stay busy, then collect in order.
        pending = [self._submit(job, beam, no_repeat_ngram_size) for job in jobs]
        for results in pending:
            out = []
            for result in results:
                tokens = tuple(result.result().hypotheses[0])
                out.append(Hypothesis(self._target.decode_pieces(list(tokens)), tokens))
            yield out

    def translate_batch(self, texts: list[str], pieces: list[list[str]], *, beam: int,
                        max_decoding_length: int, no_repeat_ngram_size: int = 0) -> list[Hypothesis]:
        job = Job(texts, pieces, max_decoding_length)
        return next(self.translate_batches([job], beam=beam, no_repeat_ngram_size=no_repeat_ngram_size))

    def _submit(self, job: Job, beam: int, no_repeat_ngram_size: int) -> list:  # type: ignore[type-arg]
        return self._translator.translate_batch(
            [[*p, EOS] for p in job.pieces],
            beam_size=beam,
            num_hypotheses=1,
            max_input_length=self.max_positions,  # inputs are pre-split to fit: never truncates
            max_decoding_length=job.max_decoding_length,
            no_repeat_ngram_size=no_repeat_ngram_size,
            length_penalty=1.0,  # transformers' default for beam search, so both engines agree
            max_batch_size=sub_batch_size(beam, self.device),  # we batch (length-sorted, token budget); CT2 splits
            asynchronous=True,
        )


# -- model.bin: CTranslate2's weights file ------------------------------------------------
# Layout (binary version 6, little-endian): version u32, spec name, spec revision u32,
# variable count u32, then per variable: name, rank u8, dims u32 x rank, dtype u8,
# byte count u32, bytes; then alias count u32 and (alias, target) name pairs. A name
# is u16 length (with the trailing NUL) + UTF-8 + NUL. Variables are sorted by name.
BINARY_VERSION = 6
_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")  # CT2's DataType order
_FLOATS = ("float32", "float16", "bfloat16")
_BLOCK_BYTES = 16 << 20  # rows re-quantised at a time: bounds the conversion's memory


@dataclass(frozen=True, slots=True)
class _Variable:
    name: str
    shape: tuple[int, ...]
    dtype: str
    offset: int  # of the data in the file
    nbytes: int

    @property
    def quantizable(self) -> bool:
        """A Linear or Embeddings matrix: what the converter quantises (it gives them a `_scale`)."""
        return len(self.shape) == 2 and self.name.rpartition("/")[2] == "weight"


@dataclass(frozen=True, slots=True)
class _Layout:
    spec: str
    revision: int
    variables: list[_Variable]
    aliases: list[tuple[str, str]]


def stored_quantization(model_bin: Path) -> str:
    """The type the model's matrices are stored in: "int8", "int16" or a float type."""
    layout = _read_layout(model_bin)
    weights = [v for v in layout.variables if v.quantizable]
    return weights[0].dtype if weights else "float32"


def requantize_int8(src: Path, dest: Path) -> None:
    """Write `src` (a float CT2 model.bin) as the int8 model.bin the converter would have written.

    Same arithmetic as ctranslate2.specs.model_spec (per-row scale 127/amax, round
    half to even), applied to blocks of rows so memory stays small; every other
    variable and the aliases are copied unchanged (the converter's "int8" keeps them
    in their own type).

    Raises:
        TranslationError: not a model.bin this code knows, or already quantised.
    """
    layout = _read_layout(src)
    weights = [v for v in layout.variables if v.quantizable]
    if not weights or any(v.dtype not in _FLOATS for v in weights):
        raise TranslationError(f"{src}: weights are not float (stored as {weights[0].dtype if weights else '?'})")
    out: list[tuple[str, tuple[int, ...], str, int]] = []  # name, shape, dtype, byte count
    for v in layout.variables:
        if v.quantizable:
            out.append((v.name, v.shape, "int8", v.shape[0] * v.shape[1]))
            out.append((v.name + "_scale", (v.shape[0],), "float32", v.shape[0] * 4))
        else:
            out.append((v.name, v.shape, v.dtype, v.nbytes))
    out.sort(key=lambda row: row[0])  # the order CTranslate2 writes (and a scale follows its matrix)
    by_name = {v.name: v for v in layout.variables}
    scales: dict[str, Any] = {}
    with src.open("rb") as fin, dest.open("wb") as fout:
        fout.write(struct.pack("<I", BINARY_VERSION))
        _write_name(fout, layout.spec)
        fout.write(struct.pack("<II", layout.revision, len(out)))
        for name, shape, dtype, nbytes in out:
            _write_name(fout, name)
            fout.write(struct.pack(f"<B{len(shape)}IBI", len(shape), *shape, _DTYPES.index(dtype), nbytes))
            if name in scales:
                fout.write(scales.pop(name).tobytes())
            elif (v := by_name[name]).quantizable:
                scales[name + "_scale"] = _quantize_rows(fin, v, fout)
            else:
                fin.seek(v.offset)
                _copy(fin, fout, v.nbytes)
        fout.write(struct.pack("<I", len(layout.aliases)))
        for alias, target in layout.aliases:
            _write_name(fout, alias)
            _write_name(fout, target)
        fout.flush()
        os.fsync(fout.fileno())


def _quantize_rows(fin: IO[bytes], v: _Variable, fout: IO[bytes]) -> Any:
    """Write `v` as int8, a block of rows at a time; return its per-row scales (float32)."""
    import numpy as np

    rows, cols = v.shape
    itemsize = v.nbytes // (rows * cols)
    block = max(1, _BLOCK_BYTES // (cols * itemsize))
    scales = np.empty(rows, dtype=np.float32)
    fin.seek(v.offset)
    for start in range(0, rows, block):
        n = min(block, rows - start)
        values = _as_float32(fin.read(n * cols * itemsize), v.dtype).reshape(n, cols)
        amax = np.amax(np.absolute(values), axis=1)
        amax[amax == 0] = 127.0
        amax = np.maximum(amax, np.float32(127) / np.finfo(np.float32).max)  # tiny rows: finite scale
        scale = 127.0 / amax
        values *= np.expand_dims(scale, 1)
        fout.write(np.rint(values).astype(np.int8).tobytes())
        scales[start:start + n] = scale
    return scales


def _as_float32(data: bytes, dtype: str) -> Any:
    import numpy as np

    if dtype == "bfloat16":  # the upper half of a float32
        return (np.frombuffer(data, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
    return np.frombuffer(data, dtype="<f4" if dtype == "float32" else "<f2").astype(np.float32)


def _read_layout(path: Path) -> _Layout:
    """The variables of a model.bin (names, shapes, types, where their data is), without the data."""
    try:
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            (version,) = _unpack(fh, "<I")
            if version != BINARY_VERSION:
                raise TranslationError(f"{path}: CTranslate2 binary version {version}, expected {BINARY_VERSION}")
            spec = _read_name(fh)
            revision, count = _unpack(fh, "<II")
            variables = []
            for _ in range(count):
                name = _read_name(fh)
                (rank,) = _unpack(fh, "<B")
                shape = _unpack(fh, f"<{rank}I")
                dtype_id, nbytes = _unpack(fh, "<BI")
                if dtype_id >= len(_DTYPES) or fh.tell() + nbytes > size:
                    raise TranslationError(f"{path}: damaged CTranslate2 model (variable {name})")
                variables.append(_Variable(name, shape, _DTYPES[dtype_id], fh.tell(), nbytes))
                fh.seek(nbytes, os.SEEK_CUR)
            (n_aliases,) = _unpack(fh, "<I")
            aliases = [(_read_name(fh), _read_name(fh)) for _ in range(n_aliases)]
    except (struct.error, UnicodeDecodeError) as exc:
        raise TranslationError(f"{path}: damaged CTranslate2 model ({exc})") from exc
    return _Layout(spec, revision, variables, aliases)


def _unpack(fh: IO[bytes], fmt: str) -> tuple[int, ...]:
    return struct.unpack(fmt, fh.read(struct.calcsize(fmt)))


def _read_name(fh: IO[bytes]) -> str:
    (length,) = _unpack(fh, "<H")
    return fh.read(length)[:-1].decode("utf-8")


def _write_name(fh: IO[bytes], name: str) -> None:
    data = name.encode("utf-8")
    fh.write(struct.pack("<H", len(data) + 1) + data + b"\0")


def _copy(fin: IO[bytes], fout: IO[bytes], nbytes: int) -> None:
    while nbytes > 0:
        chunk = fin.read(min(nbytes, _BLOCK_BYTES))
        if not chunk:
            raise TranslationError("model.bin ends early")
        fout.write(chunk)
        nbytes -= len(chunk)
