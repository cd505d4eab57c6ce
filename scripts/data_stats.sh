#!/usr/bin/env bash
# Spectral statistics of the embedded sets, new against old (data/README.md, "Comparing sets").
#   scripts/data_stats.sh [SIZE] [OUT]      # default: small, data/stats
# Builds, under OUT: the real voice (`voice`), the old espeak-ng voice (`voice-synthetic`),
# the piano through MuseScore General (`piano`, with MAESTRO) and the same pieces through the
# old FluidR3 GM piano (OUT/fluidr3/piano, via PNF_SOUNDFONT); then OUT/stats-*.json.
set -euo pipefail
size=${1:-small}
out=${2:-data/stats}
pnf=${PNF:-.venv/bin/pnf}
export OMP_NUM_THREADS=1
$pnf data build voice --out "$out" --size "$size"
$pnf data build voice-synthetic --out "$out" --size "$size"
$pnf data build piano --out "$out" --size "$size" --allow-noncommercial
PNF_SOUNDFONT=/usr/share/sounds/sf2/FluidR3_GM.sf2 \
  $pnf data build piano --out "$out/fluidr3" --size "$size" --allow-noncommercial
$pnf data stats "$out/voice/manifest.csv" "$out/voice-synthetic/manifest.csv" --source voice \
  --json "$out/stats-voice.json"
$pnf data stats "$out/piano/manifest.csv" "$out/fluidr3/piano/manifest.csv" --source piano \
  --json "$out/stats-piano.json"
