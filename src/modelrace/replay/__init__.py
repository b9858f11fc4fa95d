"""A loopback replay of the Hugging Face Hub's API, for offline demos, tests and benchmarks.

Owns the replay server and the loading of what it replays. It is a data source for demos, never a figure
source of its own; it imports ``config``, ``errors`` and the organisation ``registry`` (to infer re-uploads),
never ``hub``, ``store`` or the analyses.
"""

from modelrace.replay._llmfit import load_replay_models, models_from_llmfit
from modelrace.replay._provenance import (
    REPLAY_DATE_HEADER,
    REPLAY_FILE_HEADER,
    REPLAY_LACKS_HEADER,
    REPLAY_SELECTION_HEADER,
    ReplayProvenance,
    date_in_name,
    replay_provenance,
)
from modelrace.replay._server import BASIC_FIELDS, Fault, HubRepo, ReplayHub, ReplayState, replay_hub

__all__ = [
    "BASIC_FIELDS",
    "REPLAY_DATE_HEADER",
    "REPLAY_FILE_HEADER",
    "REPLAY_LACKS_HEADER",
    "REPLAY_SELECTION_HEADER",
    "Fault",
    "HubRepo",
    "ReplayHub",
    "ReplayProvenance",
    "ReplayState",
    "date_in_name",
    "load_replay_models",
    "models_from_llmfit",
    "replay_hub",
    "replay_provenance",
]
