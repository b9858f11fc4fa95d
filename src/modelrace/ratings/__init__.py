"""Head-to-head ratings: pairwise battles (imported votes and our own duels), Bradley-Terry ratings with
bootstrap intervals, and their publication as the ``modelrace-arena`` results source.

Owns the ``battles``, ``battle_batches``, ``battle_rejections``, ``duels`` and ``duel_items`` tables. Uses the
ranking package's entity resolution, ``sources`` to publish ratings, and ``evals`` backends for duels; it never
imports ``answers``, ``report`` or ``cli``, and the rating code itself never calls the network.
"""

from modelrace.ratings._arena import (
    ARENA_SOURCE,
    BOOTSTRAP_ROUNDS,
    Arena,
    ModelRating,
    arena,
    import_battles,
    pair_counts,
    publish_ratings,
    rate,
)
from modelrace.ratings._battle_file import WINNERS, Battle, BattleFile, Rejection, parse_battle, read_battles
from modelrace.ratings._battles import (
    JUDGE_KINDS,
    BattleImport,
    JudgeKind,
    ResolvedName,
    insert_battles,
    new_batch,
    store_battles,
)
from modelrace.ratings._bradley_terry import (
    PairCounts,
    aggregate,
    aggregate_codes,
    bootstrap_strengths,
    fit_strengths,
    rank_ranges,
    ratings_from_strengths,
    win_probabilities,
)
from modelrace.ratings._duel import (
    DuelOptions,
    DuelPrompt,
    DuelSummary,
    combine,
    load_prompts,
    parse_verdict,
    run_duel,
    summarise_duel,
)

__all__ = [
    "ARENA_SOURCE",
    "BOOTSTRAP_ROUNDS",
    "JUDGE_KINDS",
    "WINNERS",
    "Arena",
    "Battle",
    "BattleFile",
    "BattleImport",
    "DuelOptions",
    "DuelPrompt",
    "DuelSummary",
    "JudgeKind",
    "ModelRating",
    "PairCounts",
    "Rejection",
    "ResolvedName",
    "aggregate",
    "aggregate_codes",
    "arena",
    "bootstrap_strengths",
    "combine",
    "fit_strengths",
    "import_battles",
    "insert_battles",
    "load_prompts",
    "new_batch",
    "pair_counts",
    "parse_battle",
    "parse_verdict",
    "publish_ratings",
    "rank_ranges",
    "rate",
    "ratings_from_strengths",
    "read_battles",
    "run_duel",
    "store_battles",
    "summarise_duel",
    "win_probabilities",
]
