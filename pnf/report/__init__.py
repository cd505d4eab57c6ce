"""Tables, figures and the static demo page made from scores and restored files.

    pnf report tables  --metrics results/metrics.csv --out results/tables --experiment smoke
    pnf report figures --metrics results/metrics.csv --restored results/restored \\
        --out results/figures
    pnf report demo    --restored results/restored --figures results/figures --out results/demo
    pnf report check   --metrics results/metrics.csv --expect expect.json

Modules: `labels` (display names and ordering), `restored` (the restored-file tree),
`tables`, `check`, `figures`, `demo`, `cli`.
"""
