"""Each job's arguments and input files, from the plan: what the rule files call.

    >>> from pnf.dag import Dag
    >>> dag = Dag(config)                       # a Plan (pnf.dag.plan) with job arguments
    >>> dag.task_args("superres", "x4")
    '--factor 4'
    >>> dag.sampler_args("superres", "x4")     # experiments/smoke.yaml
    '--iterations 2 --delta 0.05 --seed 0 --device cpu --levels 20.0 5.0 1.0'
    >>> dag.score_calls("superres", "piano")[0]["argv"][:2]   # `pnf evaluate item` calls
    ['evaluate', 'item']

Input functions take Snakemake's wildcards (any object with the attributes of a `Cell`).
"""

from __future__ import annotations

import functools
import json
import shlex
from dataclasses import astuple

from pnf.dag.plan import MIX, Cell, Plan
from pnf.experiments import deep_merge
from pnf.methods import learned
from pnf.task_specs import TASK_SPECS

# prior kinds read at the mixtures' rate (they serve separation), never at a dataset's own
MIXTURE_PRIORS = {s.prior for s in TASK_SPECS.values() if s.mixture}


class Dag(Plan):
    """The plan of one experiment with every job's flags and input files."""

    def task_args(self, task: str, setting: str) -> str:
        """The observation flags of a setting (factor, gap, hole, separation weight)."""
        return self.setting(task, setting).args

    def sampler_args(self, task: str, setting: str) -> str:
        """Langevin flags of one PnF setting, for `pnf restore` (delta, window) and for
        `pnf image restore` (lr, grid) alike: whatever the task's schedule holds."""
        s = {**self.schedule(task), "iterations": self.setting(task, setting).iterations,
             "device": self.config["device"]}
        args = [f"--{key} {s[key]}" for key in ("iterations", "delta", "lr", "grid", "seed",
                                                 "device") if key in s]
        if s.get("levels"):
            args.append("--levels " + " ".join(str(v) for v in s["levels"]))
        if s.get("window"):
            args.append(f"--window {s['window']}")
        if s.get("schedule", "langevin") != "langevin" or s.get("n_levels"):
            args.append(f"--schedule {s.get('schedule', 'langevin')}")
            args += [f"--n-levels {s['n_levels']}"] if s.get("n_levels") else []
        return " ".join(args)

    def prior_config(self, dataset: str, kind: str) -> dict:
        """priors.base deep-merged with priors.<kind>, at the rate of the items the prior
        restores: the dataset's (when it names one), but the mixtures' for the priors that
        serve separation."""
        cfg = deep_merge(self.config["priors"]["base"], self.config["priors"].get(kind, {}))
        if kind not in MIXTURE_PRIORS and "rate" in self.config["datasets"][dataset]:
            cfg = deep_merge(cfg, {"model": {"rate": self.dataset_rate(dataset)}})
        return {**cfg, "source": self.config["datasets"][dataset]["source"]}

    def cut_command(self, seconds: float, src, dst) -> str:
        """Shell command from `src` to `dst` of a truth or mixture file: a hard link of the
        whole item (no process started), or its first `seconds` (workflow/scripts/cut_item.py)."""
        src, dst = shlex.quote(str(src)), shlex.quote(str(dst))
        if seconds >= self.config["test_seconds"]:
            return f"ln -f {src} {dst} || cp {src} {dst}"
        return f"python workflow/scripts/cut_item.py {src} {dst} --seconds {seconds}"

    def light_spec(self, task: str, dataset: str) -> str:
        """A light job's calls as JSON (workflow/scripts/light_restore.py): settings with
        their flags, methods, items, output roots; its --save-input writes what the method
        saw with the task's first signal-processing method (`observe`)."""
        return json.dumps({"task": task, "dataset": dataset, "observe": self.observe[task],
                           "settings": {s.name: s.args for s in self.settings(task)},
                           "methods": self.light_methods(task), "items": self.clips,
                           "restored": self.restored, "timing": self.timing})

    def baseline_model(self, w) -> str | list:
        """The checkpoint a learned method's restoration reads (none for the others); the
        separation rule's wildcards name no dataset (its items are the mixtures')."""
        if w.method not in learned():
            return []
        return self.model_file(w.method, getattr(w, "dataset", MIX), w.setting)

    # ------------------------------------------------------------------ scores
    def score_inputs(self, w) -> dict[str, str]:
        """{truth, estimate, timing[, mixture]} files of one record."""
        clip = w.item.rsplit("-", 1)[0]
        cell, ext = f"{w.dataset}/{w.task}/{w.setting}", self.suffix(w.task)
        out = {"truth": f"{self.restored}/{cell}/truth/{w.item}{ext}",
               "estimate": f"{self.restored}/{cell}/{w.method}/{w.item}{ext}",
               "timing": f"{self.timing}/{cell}/{w.method}/{clip}.json"}
        if self.specs[w.task].mixture:
            out["mixture"] = f"{self.restored}/{cell}/input/{clip}-mix{ext}"
        return out

    def score_args(self, w, mixture: str | None = None) -> str:
        """Metadata flags of one record: the task's score fields (factor, gap), source and
        mixture (iterations and seconds come from the run record, passed as --run)."""
        spec, row = self.specs[w.task], self.setting(w.task, w.setting)
        args = [f"--{field.replace('_', '-')} {getattr(row, field)}" for field in spec.score]
        if spec.mixture:
            args += [f"--source {w.item.rsplit('-', 1)[1]}", f"--mixture {mixture}"]
        return " ".join(args)

    @functools.cache  # noqa: B019 (one plan per workflow, alive as long as it)
    def batch_cells(self, task: str, dataset: str) -> list[Cell]:
        """The cells of one task and dataset (one scoring job)."""
        return [Cell(*c) for c in self.cells() if c[1] == task and c[0] == dataset]

    def score_batch_inputs(self, task: str, dataset: str) -> list[str]:
        """Every file the records of one task and dataset read."""
        return sorted({f for c in self.batch_cells(task, dataset)
                       for f in self.score_inputs(c).values()})

    def score_batch_outputs(self, task: str) -> list[str]:
        """The records of one task, {dataset} left as the rule's wildcard."""
        return [f"{self.scores}/{{dataset}}/{task}/{s.name}/{m}/{i}.json"
                for s in self.settings(task) for m in self.methods(s) for i in self.items(s)]

    def score_calls(self, task: str, dataset: str) -> list[dict]:
        """`pnf evaluate item` argument lists of one task and dataset, each with the run
        record (timing) the script passes as --run."""
        out = []
        for c in self.batch_cells(task, dataset):
            files = self.score_inputs(c)
            out.append({"timing": files["timing"], "argv": [
                "evaluate", "item", "--truth", files["truth"], "--estimate", files["estimate"],
                "--dataset", c.dataset, "--task", c.task, "--setting", c.setting,
                "--method", c.method, "--item", c.item,
                *self.score_args(c, files.get("mixture")).split(),
                "--out", self.path(self.scores, astuple(c), ".json")]})
        return out
