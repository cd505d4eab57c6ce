"""`pnf bench`: speed of the Langevin update, training and ancestral sampling, as rows.

    >>> from pnf.bench.machine import Machine
    >>> m = Machine.measure(torch.device("cpu"))   # same-run fp32/bf16 matmul ceilings, GB/s
    >>> rows = langevin_rows(target, m, seconds=1.5, batches=(1, 2, 4, 8))   # list of dicts

Every row carries impl, size, precision, batch, samples, seconds_per_update,
gflop_per_update, ceiling_gflops_fp32, ceiling_gflops_bf16, ratio (achieved GFLOP/s ÷ the
same-run fp32 ceiling) and grad_cosine (reduced precision against fp32); the command prints
them as a table and writes them with `--json PATH`.
"""
