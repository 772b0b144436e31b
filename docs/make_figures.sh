#!/usr/bin/env bash
# Remake the README's figures with the project's own commands (about 10 minutes on 2 cores).
#   bash docs/make_figures.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=.venv/bin
out=output/readme
fig=docs/figures
mkdir -p "$out" "$fig"

# a baseline run with its figures and an animation of the map
$bin/clusterlab run baseline --seed 1 --out "$out/baseline" --animate --quiet
cp "$out/baseline/map.png" "$fig/baseline_map.png"
cp "$out/baseline/indicators.png" "$fig/baseline_indicators.png"
cp "$out/baseline/network.png" "$fig/baseline_network.png"
$bin/python - "$out/baseline/map.gif" "$fig/animation_frame.png" <<'PY'
import sys
from PIL import Image
with Image.open(sys.argv[1]) as gif:
    gif.seek(gif.n_frames // 2)
    gif.convert("RGB").save(sys.argv[2])
PY

# a comparison of two policy variants with common random numbers
$bin/clusterlab compare hunan_scattered_towns hunan_linkage_policy --reps 6 --out "$out/compare" --resume --quiet
cp "$out/compare"/*.png "$fig/" 2>/dev/null || true

# a policy sweep and a Sobol' sensitivity analysis
$bin/clusterlab sweep experiments/examples/policy_mix.toml --out "$out/policy_mix" --resume --quiet
$bin/clusterlab sensitivity experiments/examples/sobol_levers.toml --out "$out/sobol_levers" --quiet

# the live page, in headless chromium (the browser test saves the screenshot when asked)
CLUSTERLAB_SCREENSHOT=1 $bin/python -m pytest -q tests/test_viz_browser.py
cp "$out/sobol_levers/sensitivity.png" "$fig/sensitivity.png"
ls "$fig"
