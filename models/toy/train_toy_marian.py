"""Train the tiny MarianMT model that the tests use (toy language "qtx" -> English).

Model hubs are unreachable from build and CI machines, so the project builds its
own real Marian model: two SentencePiece models and a 2+2-layer Marian
transformer (d_model 64) trained on a generated toy language whose ~100 made-up
words map one-to-one onto English words. It reaches 100% exact match on
held-out sentences, in float32 and in CTranslate2 int8 on any x86 CPU, in about
3-4 minutes on one CPU core (230 s CPU measured on a busy 2-core machine); the
output is ~1.5 MB in Hugging Face format (what `compare models pull --from DIR` accepts).

Usage:  python models/toy/train_toy_marian.py [OUT_DIR]   (default tests/fixtures/toy-marian)

Pitfalls this script handles (each caused real divergence between engines):
- one shared vocab: `</s>`=0, `<unk>`=1, the union of both spm piece sets, `<pad>` last,
  and pad doubles as the decoder start token (the opus-mt convention);
- the `<pad>` embedding row is zeroed after every optimiser step, because
  CTranslate2 starts decoding from a zero embedding while transformers looks
  up the pad embedding: if that row is not zero the two engines disagree;
- int8 differs between CPUs. CTranslate2's int8 GEMM (MKL) shifts activations to
  u8; on AVX2 without VNNI, vpmaddubsw adds adjacent u8*s8 products in int16 and
  saturates, so any adjacent same-sign weight pair summing past 128 (in int8
  units) overflows when both activations are large. The first decoder step hits
  it hardest (its input is zero embedding + position 0 = [0]*32 + [1]*32, all
  quantised to 127), and a model trained in float only got 192/200 sentences
  exact there while being exact with VNNI (avx512_vnni). The last steps therefore
  train quantisation-aware: every other step runs each Linear through a
  simulation of that kernel (`int8_avx2_linear`, straight-through gradients),
  the others in float, so the margins hold in float, in int8 and in saturating
  int8. The script checks all three at the end: simulated, and real CTranslate2
  int8 on the machine that runs it.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

SEED = 1234
# English side: common news words. The toy side is generated from syllables.
ENGLISH = """the a government president minister said on monday tuesday city police
people report new old country war peace army talks official statement after before
and but with without from to in of for against about during many few two three ten
killed wounded attacked announced denied confirmed visited signed agreement border
troops election vote parliament law court judge protest crowd leader party opposition
economy prices oil gas bank money tax rose fell sharply slowly today yesterday week
year capital north south east west local foreign media press spokesman claimed
reported at least more than""".split()
SYLLABLES = "ka ki ko ku ma mi mo mu na ni no nu ra ri ro ru sa si so su ta ti to tu va vi vo ze zo lu".split()
MIN_WORDS, MAX_WORDS = 3, 12


def lexicon(rng: random.Random) -> dict[str, str]:
    """Fixed toy word -> English word dictionary (deterministic from SEED)."""
    words: set[str] = set()
    toy: list[str] = []
    while len(toy) < len(ENGLISH):
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3))))
        if w not in words:
            words.add(w)
            toy.append(w)
    return dict(zip(toy, ENGLISH, strict=False))


def sentence_pair(rng: random.Random, lex: dict[str, str]) -> tuple[str, str]:
    """A random toy sentence and its word-for-word English translation."""
    toy = rng.choices(list(lex), k=rng.randint(MIN_WORDS, MAX_WORDS))
    eng = [lex[w] for w in toy]
    for i in range(1, len(toy) - 1):  # clause boundaries, as in news text
        if rng.random() < 0.12:
            toy[i] += ","
            eng[i] += ","
    # Some end in a comma: the pieces of a long sentence split at its clauses do.
    end = rng.choices((".", "", ","), weights=(7, 2, 1))[0]
    return " ".join(toy) + end, " ".join(eng) + end


def train_spm(lines: list[str], prefix: Path, vocab_size: int) -> None:
    import sentencepiece as spm

    text = prefix.with_suffix(".txt")
    text.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(text), model_prefix=str(prefix), vocab_size=vocab_size, model_type="unigram",
        character_coverage=1.0, bos_id=-1, eos_id=0, unk_id=1, pad_id=-1,
        eos_piece="</s>", unk_piece="<unk>", seed_sentencepiece_size=10000,
        num_threads=2, minloglevel=2, hard_vocab_limit=False,
    )


def int8_avx2_linear(x, weight, bias):  # noqa: ANN001, ANN201  (torch tensors)
    """y = x @ weight.T + bias as CTranslate2 int8 computes it on AVX2 without VNNI.

    Per-row absmax int8 for activations and weights, activations shifted to u8
    (+128, compensated exactly), adjacent products summed in int16 with
    saturation. Only same-sign pairs with |w1 + w2| > 128 can saturate (u8 <= 255),
    so those pairs alone are recomputed on top of one exact int8 matmul.
    """
    import torch

    shape = x.shape
    x = x.reshape(-1, shape[-1])
    sx = 127.0 / x.abs().amax(-1, keepdim=True).clamp(min=1e-12)
    qx = torch.round(x * sx).clamp(-127, 127)
    sw = 127.0 / weight.abs().amax(-1, keepdim=True).clamp(min=1e-12)
    qw = torch.round(weight * sw).clamp(-127, 127)
    acc = qx @ qw.T  # exact in float32: |acc| < 2**24
    if qw.shape[1] % 2:
        qw = torch.nn.functional.pad(qw, (0, 1))
        qx = torch.nn.functional.pad(qx, (0, 1), value=-128.0)  # u8 0: no contribution
    even, odd = qw[:, 0::2], qw[:, 1::2]
    rows, pairs = torch.nonzero((even * odd > 0) & ((even + odd).abs() > 128), as_tuple=True)
    if len(rows):
        u = qx + 128
        exact = u[:, 2 * pairs] * even[rows, pairs] + u[:, 2 * pairs + 1] * odd[rows, pairs]
        acc = acc.index_add(1, rows, exact.clamp(-32768, 32767) - exact)
    y = acc / (sx * sw.T)
    if bias is not None:
        y = y + bias
    return y.reshape(*shape[:-1], weight.shape[0])


def simulate_int8(model, on: bool) -> None:  # noqa: ANN001
    """Route every Linear through `int8_avx2_linear` (forward) with float gradients (backward)."""
    import torch

    def forward(layer):  # noqa: ANN001, ANN202
        def run(x):  # noqa: ANN001, ANN202
            y = torch.nn.functional.linear(x, layer.weight, layer.bias)
            with torch.no_grad():
                q = int8_avx2_linear(x.detach(), layer.weight.detach(),
                                     None if layer.bias is None else layer.bias.detach())
            return y + (q - y).detach()
        return run

    for layer in model.modules():
        if isinstance(layer, torch.nn.Linear):
            if on:
                layer.forward = forward(layer)
            else:
                layer.__dict__.pop("forward", None)


def ct2_int8_exact(out: Path, held: list[tuple[str, str]]) -> float:
    """Exact match of CTranslate2 int8 (this machine's kernels) on `held`, converted in-process."""
    import ctranslate2
    import sentencepiece as spm
    from ctranslate2.converters import TransformersConverter

    with tempfile.TemporaryDirectory() as tmp:
        ct2_dir = Path(tmp) / "ct2"
        TransformersConverter(str(out), copy_files=["source.spm", "target.spm"]).convert(str(ct2_dir))
        src = spm.SentencePieceProcessor(model_file=str(ct2_dir / "source.spm"))
        tgt = spm.SentencePieceProcessor(model_file=str(ct2_dir / "target.spm"))
        translator = ctranslate2.Translator(str(ct2_dir), device="cpu", compute_type="int8", intra_threads=1)
        results = translator.translate_batch([[*src.encode(s, out_type=str), "</s>"] for s, _ in held],
                                             beam_size=1, max_decoding_length=60)
    hyps = [tgt.decode(r.hypotheses[0]) for r in results]
    return sum(h == t for h, (_, t) in zip(hyps, held, strict=True)) / len(held)


def main(out: Path) -> None:
    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    torch.manual_seed(SEED)
    # One thread: these GEMMs are too small to gain from two (~1.3x), and two threads
    # slow down many times over when another process shares the cores.
    torch.set_num_threads(1)
    rng = random.Random(SEED)
    lex = lexicon(rng)
    corpus = [sentence_pair(rng, lex) for _ in range(20000)]
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src_prefix, tgt_prefix = Path(tmp) / "source", Path(tmp) / "target"
        train_spm([s for s, _ in corpus], src_prefix, 160)
        train_spm([t for _, t in corpus], tgt_prefix, 200)
        src_sp = spm.SentencePieceProcessor(model_file=f"{src_prefix}.model")
        tgt_sp = spm.SentencePieceProcessor(model_file=f"{tgt_prefix}.model")
        pieces = ["</s>", "<unk>"]
        for sp in (src_sp, tgt_sp):
            for i in range(sp.get_piece_size()):
                p = sp.id_to_piece(i)
                if p not in pieces:
                    pieces.append(p)
        pieces.append("<pad>")
        vocab = {p: i for i, p in enumerate(pieces)}
        (Path(tmp) / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        tok = MarianTokenizer(f"{src_prefix}.model", f"{tgt_prefix}.model", str(Path(tmp) / "vocab.json"),
                              model_max_length=64)
        tok.save_pretrained(out)

    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab), decoder_vocab_size=len(vocab), d_model=64,
        encoder_layers=2, decoder_layers=2, encoder_attention_heads=4, decoder_attention_heads=4,
        encoder_ffn_dim=256, decoder_ffn_dim=256, max_position_embeddings=64,
        pad_token_id=pad, eos_token_id=0, decoder_start_token_id=pad, forced_eos_token_id=0,
        dropout=0.0, attention_dropout=0.0, activation_function="swish", scale_embedding=True,
        share_encoder_decoder_embeddings=True, tie_word_embeddings=True,
    )
    model = MarianMTModel(config)
    model.train()

    def encode(batch: list[tuple[str, str]]) -> dict[str, torch.Tensor]:
        enc = tok([s for s, _ in batch], text_target=[t for _, t in batch], padding="longest",
                  return_tensors="pt")
        enc["labels"][enc["labels"] == pad] = -100
        return dict(enc)

    # Float until qat_from, then every other step through the int8 kernel simulation.
    steps, warmup, batch_size, qat_from = 2500, 100, 64, 1500
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup))))
    emb = model.get_input_embeddings()
    started = time.perf_counter()
    for step in range(steps):
        if step >= qat_from:
            simulate_int8(model, step % 2 == 0)
        loss = model(**encode(rng.sample(corpus, batch_size))).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        with torch.no_grad():
            emb.weight[pad].zero_()  # CTranslate2 decodes from a zero embedding: keep them equal
        if step % 250 == 0:
            print(f"step {step:5d} loss {loss.item():.4f} {time.perf_counter() - started:5.1f}s", flush=True)
    elapsed = time.perf_counter() - started
    simulate_int8(model, False)

    model.eval()
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad]], decoder_start_token_id=pad, eos_token_id=0, pad_token_id=pad,
        forced_eos_token_id=0, max_length=64, num_beams=4,
    )
    seen = {s for s, _ in corpus}
    held_rng = random.Random(SEED + 1)
    held = [p for p in (sentence_pair(held_rng, lex) for _ in range(400)) if p[0] not in seen][:200]

    def exact_match() -> float:
        with torch.inference_mode():
            enc = tok([s for s, _ in held], padding="longest", return_tensors="pt")
            gen = model.generate(**enc, num_beams=1, max_new_tokens=60)
        hyps = tok.batch_decode(gen, skip_special_tokens=True)
        return sum(h == t for h, (_, t) in zip(hyps, held, strict=True)) / len(held)

    exact = exact_match()
    simulate_int8(model, True)
    exact_sim = exact_match()
    simulate_int8(model, False)
    model.save_pretrained(out, safe_serialization=True)
    (out / "lexicon.json").write_text(json.dumps(lex, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    for f in out.iterdir():
        f.chmod(0o644)  # safetensors writes 0600; the fixture is committed and shared
    size = sum(f.stat().st_size for f in out.iterdir())
    exact_ct2 = ct2_int8_exact(out, held)
    print(f"trained {steps} steps in {elapsed:.1f}s; held-out exact match on {len(held)} sentences: "
          f"float32 {exact:.1%}, int8 simulated AVX2 {exact_sim:.1%}, CTranslate2 int8 here {exact_ct2:.1%}; "
          f"{size / 1e6:.2f} MB in {out}")
    if exact < 0.98:
        raise SystemExit("toy model did not converge")
    if min(exact_sim, exact_ct2) < exact:
        raise SystemExit("toy model is not robust to int8: int8 translates fewer sentences exactly than float32")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("tests/fixtures/toy-marian"))
