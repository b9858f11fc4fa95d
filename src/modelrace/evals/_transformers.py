"""Models through transformers + torch (CPU here): safetensors checkpoints, or GGUF files dequantized on load.

Multiple-choice scoring runs the context once with a KV cache, then all the choices' tokens together as one batch
on copies of that cache; lm-evaluation-harness's hf backend runs the context again for every choice.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from modelrace.errors import ConfigError
from modelrace.evals._backends import ChoiceScore, Generation, split_reasoning
from modelrace.evals._local import LocalFile


class TransformersBackend:
    """A causal language model loaded with transformers (one request at a time)."""

    max_concurrency = 1

    def __init__(self, source: str, local: LocalFile | None = None) -> None:
        try:
            import torch
            import transformers
        except ImportError:
            raise ConfigError('the hf: backend needs torch and transformers: pip install -e ".[hf]"') from None
        self._torch = torch
        self.spec = f"hf:{local.name if local else source}"
        self.local = local
        options: dict[str, Any] = {}
        if local is not None:  # a GGUF file: transformers dequantizes it (gguf and accelerate must be installed)
            location, options = str(local.path.parent), {"gguf_file": local.path.name}
        else:
            location = source
        self.source = location
        os.environ.setdefault(
            "HF_HUB_OFFLINE", "1" if Path(location).exists() else os.environ.get("HF_HUB_OFFLINE", "0")
        )
        try:
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(location, **options)
            self.model = transformers.AutoModelForCausalLM.from_pretrained(location, dtype=torch.float32, **options)
        except (OSError, ValueError) as error:
            raise ConfigError(f"cannot load {location} with transformers: {error}") from None
        self.model.eval()
        self._versions = {"transformers": transformers.__version__, "torch": torch.__version__}

    @property
    def supports_loglikelihood(self) -> bool:
        """Logits are always available in process."""
        return True

    def info(self) -> dict[str, Any]:
        """What the manifest records."""
        return {
            "backend": "transformers",
            **self._versions,
            "model": self.local.name if self.local else self.source,
            "model_sha256": self.local.sha256 if self.local else None,
            "dtype": "float32",
        }

    def _ids(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=True)["input_ids"])

    def score_choices(self, context: str, choices: list[str]) -> list[ChoiceScore]:
        """Log-probabilities of each choice: the context runs once; the choices then run together, as one batch,
        on copies of its cache (right-padded: a causal model never attends to the padding after a token)."""
        torch = self._torch
        context_ids = self._ids(context)
        n = len(context_ids)
        fulls = [self._ids(context + choice) for choice in choices]
        batched = [i for i, full in enumerate(fulls) if full[:n] == context_ids and len(full) > n]
        results: dict[int, ChoiceScore] = {}
        with torch.inference_mode():
            out = self.model(torch.tensor([context_ids]), use_cache=True)
            after_context = out.logits[0, -1].float().log_softmax(-1)
            continuations = {i: fulls[i][n:] for i in batched}
            longest = max((len(c) - 1 for c in continuations.values()), default=0)
            rows = None
            if longest > 0:
                cache = out.past_key_values
                cache.batch_repeat_interleave(len(batched))
                pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
                inputs = torch.tensor([c[:-1] + [pad] * (longest - len(c) + 1) for c in continuations.values()])
                rows = self.model(inputs, past_key_values=cache, use_cache=True).logits.float().log_softmax(-1)
            for slot, index in enumerate(batched):
                continuation = continuations[index]
                parts = [after_context[None, :]]
                if rows is not None and len(continuation) > 1:
                    parts.append(rows[slot, : len(continuation) - 1])
                results[index] = self._choice(torch.cat(parts), continuation, choices[index])
            for index in (i for i in range(len(choices)) if i not in results):
                # the choice changed how the end of the context is tokenised: run the whole text
                full = fulls[index]
                shared = next((i for i in range(min(len(full), n)) if full[i] != context_ids[i]), min(len(full), n))
                shared = max(shared, 1)
                whole = self.model(torch.tensor([full]))
                logprobs = whole.logits[0, shared - 1 : len(full) - 1].float().log_softmax(-1)
                results[index] = self._choice(logprobs, full[shared:], choices[index])
        return [results[i] for i in range(len(choices))]

    def _choice(self, logprobs: Any, continuation: list[int], choice: str) -> ChoiceScore:
        torch = self._torch
        target = torch.tensor(continuation)
        picked = logprobs[torch.arange(len(continuation)), target]
        greedy = bool((logprobs.argmax(-1) == target).all())
        return ChoiceScore(float(picked.sum()), len(continuation), len(choice), greedy)

    def generate(self, prompt: str, max_tokens: int, stop: list[str], chat: bool) -> Generation:
        """Greedy generation; stop sequences cut the text after decoding."""
        torch = self._torch
        ids: Any
        if chat:
            ids = self.tokenizer.apply_chat_template(
                [{"role": "user", "content": prompt}], add_generation_prompt=True, return_tensors="pt"
            )
        else:
            ids = torch.tensor([self._ids(prompt)])
        with torch.inference_mode():
            output = self.model.generate(
                ids, max_new_tokens=max_tokens, do_sample=False, pad_token_id=self.tokenizer.eos_token_id
            )
        new = output[0, ids.shape[1] :]
        text = str(self.tokenizer.decode(new, skip_special_tokens=True))
        finish = "length" if len(new) >= max_tokens else "stop"
        for marker in stop:
            cut = text.find(marker)
            if cut >= 0:
                text, finish = text[:cut], "stop"
        answer, reasoning = split_reasoning(text)
        return Generation(answer, reasoning, len(new), None, finish)
