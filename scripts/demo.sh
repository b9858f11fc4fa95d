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
port="${MODELRACE_REPLAY_PORT:-$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
modelrace replay-hub --port "$port" &
replay=$!
trap 'kill $replay 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$replay" 2>/dev/null || { echo "the replay Hub did not start" >&2; exit 1; }
  sleep 0.2
done
HF_ENDPOINT="http://127.0.0.1:$port" modelrace sync --pipeline-tag text-generation
modelrace snapshots
modelrace model Qwen/Qwen2.5-7B-Instruct
data="$MODELRACE_REFERENCE_DATA"
modelrace -q import open-llm-leaderboard "$data/open_llm_leaderboard_v2_contents_2025-02.csv"
modelrace -q import lmarena "$data/lmarena_leaderboard_text_2025-12.json"
modelrace -q import artificial-analysis "$data/artificial_analysis_providers_2025-08-14.csv"
modelrace -q import livebench "$data/livebench_table_2026-01-08.csv"
modelrace -q import epoch-models "$data/epoch_notable_ai_models_2025-12.csv"
modelrace -q import epoch-benchmarks "$data/epoch_benchmarking_hub_2025-12.json"
modelrace leaderboard --size-class 3-10B --benchmark lmarena:full
modelrace license meta-llama/Llama-3.1-8B-Instruct
modelrace report --html modelrace-report.html --md modelrace-report/report.md
echo "open modelrace-report.html in a browser (Markdown with charts: modelrace-report/report.md)"
