"""A loopback replay of the Hugging Face Hub's API, for offline demos, tests and benchmarks.

Owns the replay server and the loading of what it replays. It is a data source for demos, never a figure
source of its own; it imports ``config``, ``errors`` and the organisation ``registry`` (to infer re-uploads),
never ``hub``, ``store`` or the analyses.
"""

from modelrace.replay._server import (
    BASIC_FIELDS,
    Fault,
    HubRepo,
    ReplayHub,
    ReplayState,
    load_replay_models,
    models_from_llmfit,
    replay_hub,
)

__all__ = [
    "BASIC_FIELDS",
    "Fault",
    "HubRepo",
    "ReplayHub",
    "ReplayState",
    "load_replay_models",
    "models_from_llmfit",
    "replay_hub",
]
