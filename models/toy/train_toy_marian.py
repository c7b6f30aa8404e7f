"""Train the tiny MarianMT model that the tests use (toy language "qtx" -> English).

Model hubs are unreachable from build and CI machines, so the project builds its
own real Marian model: two SentencePiece models and a 2+2-layer Marian
transformer (d_model 64) trained on a generated toy language whose ~100 made-up
words map one-to-one onto English words. It reaches 100% exact match on
held-out sentences in about 65 s on 2 idle CPU cores; the output is ~1.5 MB in
Hugging Face format (what `compare models pull --from DIR` accepts).

Usage:  python models/toy/train_toy_marian.py [OUT_DIR]   (default tests/fixtures/toy-marian)

Pitfalls this script handles (each caused real divergence between engines):
- one shared vocab: `</s>`=0, `<unk>`=1, the union of both spm piece sets, `<pad>` last,
  and pad doubles as the decoder start token (the opus-mt convention);
- the `<pad>` embedding row is zeroed after every optimiser step, because
  CTranslate2 starts decoding from a zero embedding while transformers looks
  up the pad embedding: if that row is not zero the two engines disagree.
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


def main(out: Path) -> None:
    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    torch.manual_seed(SEED)
    torch.set_num_threads(2)
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

    steps, warmup, batch_size = 1500, 100, 64
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup))))
    emb = model.get_input_embeddings()
    started = time.perf_counter()
    for step in range(steps):
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

    model.eval()
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad]], decoder_start_token_id=pad, eos_token_id=0, pad_token_id=pad,
        forced_eos_token_id=0, max_length=64, num_beams=4,
    )
    seen = {s for s, _ in corpus}
    held_rng = random.Random(SEED + 1)
    held = [p for p in (sentence_pair(held_rng, lex) for _ in range(400)) if p[0] not in seen][:200]
    with torch.inference_mode():
        enc = tok([s for s, _ in held], padding="longest", return_tensors="pt")
        gen = model.generate(**enc, num_beams=1, max_new_tokens=60)
    hyps = tok.batch_decode(gen, skip_special_tokens=True)
    exact = sum(h == t for h, (_, t) in zip(hyps, held, strict=False)) / len(held)
    model.save_pretrained(out, safe_serialization=True)
    (out / "lexicon.json").write_text(json.dumps(lex, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    for f in out.iterdir():
        f.chmod(0o644)  # safetensors writes 0600; the fixture is committed and shared
    size = sum(f.stat().st_size for f in out.iterdir())
    print(f"trained {steps} steps in {elapsed:.1f}s; held-out exact match {exact:.1%} "
          f"on {len(held)} sentences; {size / 1e6:.2f} MB in {out}")
    if exact < 0.98:
        raise SystemExit("toy model did not converge")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("tests/fixtures/toy-marian"))
