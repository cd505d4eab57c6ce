"""Tables, figures and the static demo page made from scores and restored files.

    pnf report tables  --metrics results/smoke/metrics.csv --out results/smoke/tables \\
        --experiment smoke
    pnf report figures --metrics results/smoke/metrics.csv --restored results/smoke/restored \\
        --out results/smoke/figures
    pnf report demo    --restored results/smoke/restored --figures results/smoke/figures \\
        --out results/smoke/demo
    pnf report check   --metrics results/smoke/metrics.csv --expect expect.json

Modules: `labels` (display names and ordering), `restored` (the restored-file tree),
`tables`, `check`, `figures`, `demo`, `cli`.
"""
