"""Models through transformers + torch (CPU here): safetensors checkpoints, or GGUF files dequantized on load.

Multiple-choice scoring runs the context and all its choices as one sequence (a tree under a 4D attention mask) and
keeps the context's KV cache for the next item's shared prefix; lm-evaluation-harness's hf backend runs the context
again for every choice.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelrace.errors import ConfigError
from modelrace.evals._backends import ChoiceScore, Generation, TransformersInfo, split_reasoning
from modelrace.local import LocalFile


def _libraries() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError:
        raise ConfigError('the hf: backend needs torch and transformers: pip install -e ".[hf]"') from None
    return torch, transformers


def _shared(a: list[int], b: list[int]) -> int:
    """Length of the common prefix of two token lists."""
    n = min(len(a), len(b))
    return next((i for i in range(n) if a[i] != b[i]), n)


def _crop(cache: Any, keep: int) -> None:
    """Keep the first ``keep`` tokens of a KV cache."""
    remove = cache.get_seq_length() - keep
    if remove > 0:
        cache.crop(-remove)


@dataclass
class _Branch:
    """One choice as a branch of the scoring tree: its tokens after the fork point in the context."""

    start: int  # context tokens it sees
    tokens: list[int]
    skip: int  # leading tokens not scored (only when nothing precedes them)
    offset: int = 0  # where its tokens sit in the forward's sequence
    rows: list[int] = field(default_factory=list)
    logprob: float = 0.0
    greedy: bool = True

    @classmethod
    def of(cls, context_ids: list[int], full: list[int]) -> _Branch:
        start = _shared(context_ids, full)
        return cls(start, full[start:], 0 if start else 1)

    @property
    def scored(self) -> int:
        """How many of its tokens are scored."""
        return max(0, len(self.tokens) - self.skip)


class TransformersBackend:
    """A causal language model loaded with transformers (one request at a time)."""

    max_concurrency: int | None = 1

    @property
    def local_file(self) -> LocalFile | None:
        """The GGUF file dequantized for this backend, when it was given one."""
        return self.local

    def __init__(self, source: str, local: LocalFile | None = None) -> None:
        torch, transformers = _libraries()
        options: dict[str, str | bool] = {}  # from_pretrained keyword arguments
        if local is not None:  # a GGUF file: transformers dequantizes it (gguf and accelerate must be installed)
            location, options = str(local.path.parent), {"gguf_file": local.path.name}
        else:
            location = source
        if Path(location).exists():  # a local folder or file: never ask the Hub (without touching os.environ)
            options["local_files_only"] = True
        try:
            tokenizer = transformers.AutoTokenizer.from_pretrained(location, **options)
            model = transformers.AutoModelForCausalLM.from_pretrained(location, dtype=torch.float32, **options)
        except (OSError, ValueError) as error:
            raise ConfigError(f"cannot load {location} with transformers: {error}") from None
        self._adopt(model, tokenizer, f"hf:{local.name if local else source}", location, local)

    @classmethod
    def from_objects(cls, model: Any, tokenizer: Any, name: str) -> TransformersBackend:
        """A backend around a model and tokenizer already in memory (a checkpoint being trained, a test model)."""
        backend = cls.__new__(cls)
        backend._adopt(model, tokenizer, f"hf:{name}", name, None)
        return backend

    def _adopt(self, model: Any, tokenizer: Any, spec: str, source: str, local: LocalFile | None) -> None:
        torch, transformers = _libraries()
        self._torch, self._transformers = torch, transformers
        self.spec, self.source, self.local = spec, source, local
        self.model, self.tokenizer = model.eval(), tokenizer
        self._cache: Any = None  # the last context's KV cache, for prefix reuse across items
        self._cache_ids: list[int] = []
        # transformers 5.24 renamed `past_key_values` to `cache` (the old name warns, then goes in 5.40)
        parameters = inspect.signature(model.forward).parameters
        self._cache_argument = "cache" if "cache" in parameters else "past_key_values"
        self._versions = {"transformers": transformers.__version__, "torch": torch.__version__}

    def probe_loglikelihood(self) -> bool:
        """Logits are always available in process."""
        return True

    def info(self) -> TransformersInfo:
        """What the manifest records."""
        return TransformersInfo(
            "transformers",
            transformers=self._versions["transformers"],
            torch=self._versions["torch"],
            model=self.local.name if self.local else self.source,
            model_sha256=self.local.sha256 if self.local else None,
            dtype="float32",
            # a Hub checkpoint is pinned by its commit (local files by their sha256)
            revision=getattr(self.model.config, "_commit_hash", None),
        )

    def _ids(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=True)["input_ids"])

    def score_choices(self, context: str, choices: list[str]) -> list[ChoiceScore]:
        """Log-probabilities of each choice, from one forward pass.

        The context and every choice run as one sequence. Each choice is a branch that sees the context up to
        where it forks (the end of the context, or earlier where the choice changes how the context's end is
        tokenised) and its own earlier tokens, never another choice: a 4D attention mask, with positions that
        restart at the fork. Only the rows that predict a choice token go through the output layer. The
        context's KV cache is kept, so the next item's shared prefix (few-shot examples, a preamble) is not run
        again.
        """
        context_ids = self._ids(context)
        branches = [_Branch.of(context_ids, self._ids(context + choice)) for choice in choices]
        live = [b for b in branches if b.scored]
        if live:
            self._run_tree(context_ids, live)
        return [
            ChoiceScore(b.logprob, b.scored, len(choice), b.greedy) for b, choice in zip(branches, choices, strict=True)
        ]

    def _run_tree(self, context_ids: list[int], branches: list[_Branch]) -> None:
        """One forward over the part of the context not already cached and every branch; fills in each branch's
        log-probability and whether greedy decoding would produce it."""
        torch = self._torch
        n = len(context_ids)
        reuse = max(0, min(_shared(self._cache_ids, context_ids), n - 1, *(b.start - 1 for b in branches)))
        tokens, positions, owner = context_ids[reuse:], list(range(reuse, n)), [-1] * (n - reuse)
        for k, branch in enumerate(branches):
            branch.offset = len(tokens)
            tokens = tokens + branch.tokens
            positions += range(branch.start, branch.start + len(branch.tokens))
            owner += [k] * len(branch.tokens)
        # the rows that predict a scored token: the fork point for the first token, then the branch's own tokens
        for branch in branches:
            rows = [branch.start - 1 - reuse] + [branch.offset + j for j in range(len(branch.tokens) - 1)]
            branch.rows = rows[branch.skip :]
        keep = sorted({row for branch in branches for row in branch.rows})
        where = {row: i for i, row in enumerate(keep)}

        position = torch.tensor(positions)
        mine = torch.tensor(owner)
        fork = torch.tensor([n if o < 0 else branches[o].start for o in owner])
        # query i sees key j when j is context before i's fork (and not after i), or j is earlier in i's own branch
        context_key = (mine[None, :] < 0) & (position[None, :] < torch.minimum(fork, position + 1)[:, None])
        own_key = (mine[None, :] == mine[:, None]) & (mine[:, None] >= 0) & (position[None, :] <= position[:, None])
        # a cache of full layers: a sliding-window layer's own cache would drop keys the mask still counts
        cache = self._cache if reuse else self._transformers.DynamicCache()
        _crop(cache, reuse)
        self._cache_ids = []  # until this forward has succeeded
        with torch.inference_mode():
            out = self.model(
                torch.tensor([tokens]),
                attention_mask=self._masks(context_key | own_key, position, reuse),
                position_ids=position[None, :],
                **{self._cache_argument: cache},
                use_cache=True,
                logits_to_keep=torch.tensor(keep),
            )
            logprobs = out.logits[0].float().log_softmax(-1)
        self._cache = cache
        _crop(cache, n)  # the context comes first in the sequence: what follows is the branches'
        self._cache_ids = list(context_ids)
        for branch in branches:
            picked = logprobs[[where[r] for r in branch.rows]]
            target = torch.tensor(branch.tokens[branch.skip :])
            branch.logprob = float(picked[torch.arange(len(target)), target].sum())
            branch.greedy = bool((picked.argmax(-1) == target).all())

    def _masks(self, seen: Any, position: Any, reuse: int) -> Any:
        """Additive 4D masks for the tree (keys: ``reuse`` cached context tokens, then the sequence). Models with
        sliding-window layers get a mapping by layer type, the window measured in positions."""
        torch = self._torch
        dtype = self.model.dtype
        config = getattr(self.model.config, "text_config", self.model.config)
        # Qwen2 configs name a window and switch it off with use_sliding_window
        window = getattr(config, "sliding_window", None) if getattr(config, "use_sliding_window", True) else None
        layer_types = getattr(config, "layer_types", None)
        cached = torch.ones(len(position), reuse, dtype=torch.bool)
        full_keys = torch.cat([torch.arange(reuse), position])

        def additive(allowed: Any) -> Any:
            mask = torch.zeros(1, 1, *allowed.shape, dtype=dtype)
            return mask.masked_fill_(~allowed, torch.finfo(dtype).min)

        full = torch.cat([cached, seen], dim=1)
        if not window:
            return additive(full)
        windowed = full & (position[:, None] - full_keys[None, :] < window)
        if layer_types is None:  # every layer slides (Mistral-style)
            return additive(windowed)
        return {"full_attention": additive(full), "sliding_attention": additive(windowed)}

    def generate(self, prompt: str, max_tokens: int, stop: list[str], chat: bool) -> Generation:
        """Greedy generation; stop sequences cut the text after decoding."""
        torch = self._torch
        ids: Any
        if chat:
            # return_dict=True gives a BatchEncoding on every transformers version (5 returns one by default).
            encoded = self.tokenizer.apply_chat_template(
                [{"role": "user", "content": prompt}], add_generation_prompt=True, return_tensors="pt", return_dict=True
            )
            ids = encoded["input_ids"]
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
