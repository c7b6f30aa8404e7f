"""Reference engine: transformers MarianMTModel + MarianTokenizer (`--engine transformers`).

Uses the model's own generation_config (bad_words_ids for <pad>, eos, decoder
start), with beam size and max_new_tokens set explicitly, padding="longest",
and torch.inference_mode().
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

from .base import Hypothesis, Job


class HFBackend:
    """Decodes text batches with transformers' generate()."""

    def __init__(self, model_dir: Path, *, max_positions: int, device: str = "auto", threads: int = 0) -> None:
        import torch
        from transformers import MarianMTModel, MarianTokenizer

        if threads:
            torch.set_num_threads(threads)
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = device
        self.max_positions = max_positions
        self._torch = torch
        with warnings.catch_warnings():  # "Recommended: pip install sacremoses": we turn it off below
            warnings.filterwarnings("ignore", message=".*sacremoses")
            self.tokenizer = MarianTokenizer.from_pretrained(str(model_dir))
        # Moses punctuation normalisation only runs if sacremoses happens to be
        # installed; switch it off so both engines always see the same input.
        self.tokenizer.punc_normalizer = lambda text: text
        self.model = MarianMTModel.from_pretrained(str(model_dir)).to(device).eval()
        self._special = {self.tokenizer.pad_token_id, self.tokenizer.eos_token_id}

    def translate_batches(self, jobs: Sequence[Job], *, beam: int, no_repeat_ngram_size: int = 0
                          ) -> Iterator[list[Hypothesis]]:
        for job in jobs:
            yield self.translate_batch(job.texts, job.pieces, beam=beam, max_decoding_length=job.max_decoding_length,
                                       no_repeat_ngram_size=no_repeat_ngram_size)

    def translate_batch(self, texts: list[str], pieces: list[list[str]], *, beam: int,
                        max_decoding_length: int, no_repeat_ngram_size: int = 0) -> list[Hypothesis]:
        config = copy.deepcopy(self.model.generation_config)  # the model's own settings ...
        config.update(  # ... with ours made explicit (a model's max_length would otherwise cap output)
            num_beams=beam, do_sample=False, max_new_tokens=max_decoding_length,
            no_repeat_ngram_size=no_repeat_ngram_size, length_penalty=1.0, num_return_sequences=1,
        )
        config.max_length = None  # max_new_tokens rules; update() would skip a None
        with self._torch.inference_mode():
            enc = self.tokenizer(texts, padding="longest", truncation=False, return_tensors="pt").to(self.device)
            generated = self.model.generate(**enc, generation_config=config)
        out = []
        for row in generated.tolist():
            ids = [i for i in row if i not in self._special]
            tokens = tuple(self.tokenizer.convert_ids_to_tokens(ids))
            out.append(Hypothesis(self.tokenizer.decode(ids, skip_special_tokens=True), tokens))
        return out
