#!/usr/bin/env bash
# Remake the numbers and figures of docs/decision_example.md (budget: about 10 minutes under
# `nice` on a shared 2-core machine: 360 + ≤100 optimisation runs and 128 sweep runs of 40 quarters).
#   bash docs/decision_example.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=.venv/bin
out=output/decision
fig=docs/figures
mkdir -p "$out" "$fig"

nice -n 10 $bin/clusterlab optimise experiments/examples/hunan_cheapest_mix.toml --out "$out/hunan_cheapest_mix" \
    --workers 2 --resume --quiet | tee "$out/optimise.txt"
nice -n 10 $bin/clusterlab discover experiments/examples/hunan_discovery.toml --store "$out/hunan_discovery" \
    --workers 2 --quiet | tee "$out/discover.txt"

cp "$out/hunan_cheapest_mix/front.png" "$fig/decision_front.png"
cp "$out/hunan_cheapest_mix/hypervolume.png" "$fig/decision_hypervolume.png"
for f in trajectory boxes feature_scores; do
    cp "$out/hunan_discovery/discover_hunan_success/$f.png" "$fig/discovery_$f.png"
done
