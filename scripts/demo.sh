#!/usr/bin/env bash
# The main job offline: replay the Hub from the reference data on loopback, sync it through the real
# huggingface_hub client (HF_ENDPOINT), then show what modelrace knows. With network access to the Hub,
# run `modelrace sync` instead of the replay part.
set -euo pipefail
export MODELRACE_REFERENCE_DATA="${MODELRACE_REFERENCE_DATA:-$(cd "$(dirname "$0")/../.." && pwd)/shared/data}"
if [ ! -d "$MODELRACE_REFERENCE_DATA" ]; then
  echo "no reference data at $MODELRACE_REFERENCE_DATA: set MODELRACE_REFERENCE_DATA to the shared/data folder" >&2
  exit 1
fi
# A warehouse of its own, rebuilt on each run (MODELRACE_DB picks another).
if [ -z "${MODELRACE_DB:-}" ]; then
  export MODELRACE_DB="$PWD/modelrace-demo.duckdb"
  rm -f "$MODELRACE_DB" "$MODELRACE_DB.wal"
fi
port="${MODELRACE_REPLAY_PORT:-$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
modelrace replay-hub --port "$port" &
replay=$!
trap 'kill $replay 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$replay" 2>/dev/null || { echo "the replay Hub did not start" >&2; exit 1; }
  sleep 0.2
done
data="$MODELRACE_REFERENCE_DATA"
# Real snapshots with their true dates and what they hold (docs/provenance.md): the 9,715 most downloaded models of
# 2024-09-20 (all pipeline tags, complete down to 1,193 downloads) and an evaluation registry's 4,167 models of
# 2026-05 (a subset of unknown selection). Shares are compared only on a scope both hold, never across a subset.
modelrace -q import hub-json "$data/hub_api_top_models_2024-09-20.json" --selection top-downloads
modelrace -q import hub-stats "$data/hub_stats_subset_2026-05.parquet" --selection subset
# The 100 most downloaded text-generation models of 2026-02-16 (a real /api/models export, #27): the newest listing
# whose selection can decide the download claims, which the report then answers "among the top 100".
modelrace -q import hub-json "$data/hub_api_top100_textgen_2026-02-16.json" --selection top-downloads --date 2026-02-16
# The replay names the file it replays and its data date; the sync records them (a replay, not the live Hub).
HF_ENDPOINT="http://127.0.0.1:$port" modelrace sync --pipeline-tag text-generation
modelrace imports
modelrace model Qwen/Qwen2.5-7B-Instruct
modelrace -q import open-llm-leaderboard "$data/open_llm_leaderboard_v2_contents_2025-02.csv"
modelrace -q import lmarena "$data/lmarena_leaderboard_text_2025-12.json"
# The race over time (issue #25): every LMArena board of 2023-05 to 2025-12 (15 board files and the all-time CSV,
# one dated import per board; the CSV's 2025-03-17 is the day a board file already gives: said in one line), the
# 2026 Arena top-50 days, and 14 dated versions of llmfit's Hub list (subset snapshots: compared only on the models
# they share). Then the time axis and one trend on it.
modelrace -q import lmarena "$data/lmarena_history" "$data/arena_text_top50_2026"
modelrace -q import hub-json "$data/hub_history_llmfit"
modelrace history
modelrace trend --metric downloads --by family --top 6
modelrace -q import artificial-analysis "$data/artificial_analysis_providers_2025-08-14.csv"
modelrace -q import livebench "$data/livebench_table_2026-01-08.csv"
modelrace -q import epoch-models "$data/epoch_notable_ai_models_2025-12.csv"
modelrace -q import epoch-benchmarks "$data/epoch_benchmarking_hub_2025-12.json"
# Usage, the other measure of popularity: OpenRouter's rankings page (44 days) and weekly top models (26 weeks),
# each file a dated usage snapshot; shares name their base (all OpenRouter tokens, or the listed top models').
modelrace -q import openrouter "$data/openrouter"
modelrace usage --by country --since 2026-05-10
modelrace usage --by developer --metric usd --since 2026-05-04
modelrace leaderboard --size-class 3-10B --benchmark lmarena:full
modelrace license meta-llama/Llama-3.1-8B-Instruct
modelrace resolve --check-dates
# The race over time (#25): the gap between China and the US on every dated LMArena board, in points and in
# months behind (docs/race.md).
modelrace gap --between CN,US
modelrace report --html modelrace-report.html --md modelrace-report/report.md
echo "open modelrace-report.html in a browser (Markdown with charts: modelrace-report/report.md)"
