#!/usr/bin/env bash
# A calibration round: every case calibrated in turn with the declared budget (experiments/calibrate.py
# BUDGET: population 20, at most 8 generations, 6 min wall-clock sampling per case pooled over the round, the scenario's two
# common-random-number seeds), then docs/validation.md over 10 fresh seeds, then the strict xfails of
# tests/test_case_figures.py regenerated from the validation's measured table. ≤ 40 min on 2 free cores.
#   bash docs/calibrate_all.sh            # resumes each case's stored run (runs/calibrate/<case>.db)
#   FRESH=1 bash docs/calibrate_all.sh    # starts every case over (after a model change: always)
#   NOTE="..." bash docs/calibrate_all.sh # a paragraph on the round for docs/validation.md
# Then check: pytest -m slow tests/test_case_figures.py (every figure passes or is a listed miss), and
# update docs/calibration/what_it_needs.toml for misses marked "no text yet" or "possibly stale"
# (replace a re-measured text, do not prepend to it, and move the replaced text verbatim to
# docs/calibration/history.md under its section, above the older ones: the toml's header states the rule).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=.venv/bin
fresh=()
if [[ -n "${FRESH:-}" ]]; then fresh=(--fresh); fi

start=$(date +%s)
nice -n 10 "$bin/clusterlab" calibrate --all --workers 2 --quiet "${fresh[@]}"
echo "calibration round: $(( ($(date +%s) - start) / 60 )) min"
nice -n 10 "$bin/clusterlab" validation --seeds 10 --test-misses ${NOTE:+--note "$NOTE"}
echo "round and validation: $(( ($(date +%s) - start) / 60 )) min"
