"""Each registered task's name is written only in its own files: pnf/task_specs.py, its
sampler module in pnf/tasks/, its restore-layer module in pnf/restore/ and the restore
registry (configs, docs and tests are free). The library, report and workflow read the
task specs instead of naming tasks; EXCEPTIONS lists, with a reason each, where a name
is genuinely a study's or a rule's subject, or the same word meaning something else."""

import pytest
from written_names import files_writing

from pnf.task_specs import TASK_SPECS

# The module family of each task in pnf/tasks/ and pnf/restore/.
FAMILY = {"superres": "audio", "inpaint": "audio", "separate": "separation",
          "spectrogram": "generation", "images": "image"}
# superres, inpaint and separate are also the verbs of the image restorations (Setting.kind
# of an `images` row, `pnf image restore VERB`): those verbs belong to the image modules.
IMAGE_VERBS = ("superres", "inpaint", "separate")
PROSE = "the word in a message or help text, not the task's name"
IMAGE_SET = "the embedded image set `images` (pnf data build images), not the task"
TEST_IMAGES = "the image section's key test_images, not the task"
TARGET_RULE = "the target rule users run for the task (`snakemake superresolution`)"
RULE_NAME = "a rule's name: its benchmark kind and job lists stay as they are"
CONVERGENCE = "the convergence study is about super-resolution and separation by design"
EXCEPTIONS = {
    "superres": {
        "pnf/methods.py": "a method's spec names the tasks it serves",
        "workflow/scripts/convergence.py": CONVERGENCE,
        "pnf/report/convergence.py": CONVERGENCE,
        "workflow/rules/study.smk": CONVERGENCE,
        "Snakefile": TARGET_RULE,
        "scripts/validate_variants.py": "the validation study is about super-resolution",
    },
    "inpaint": {
        "pnf/methods.py": "a method's spec names the tasks it serves",
        "Snakefile": TARGET_RULE,
    },
    "separate": {
        "pnf/methods.py": "a method's spec names the tasks it serves",
        "pnf/report/budget.py": "the rule `separate` (workflow/rules/restore.smk), a job kind",
        "workflow/scripts/convergence.py": CONVERGENCE,
        "pnf/report/convergence.py": CONVERGENCE,
        "Snakefile": TARGET_RULE,
        "workflow/rules/restore.smk": f"{RULE_NAME} (rule separate)",
        "workflow/rules/images.smk": f"{RULE_NAME} (rule image_separate)",
    },
    "spectrogram": {
        "Snakefile": TARGET_RULE,
        "pnf/audio.py": PROSE,
        "pnf/report/budget.py": PROSE,
        "pnf/report/docs.py": PROSE,
        "pnf/commands/sample.py": PROSE,
        "pnf/priors/wavenet.py": PROSE,
    },
    "images": {
        "pnf/cli.py": PROSE,
        "pnf/commands/image.py": PROSE,
        "pnf/commands/restore.py": PROSE,
        "pnf/report/cli.py": PROSE,
        "pnf/restore/image_io.py": PROSE,
        "pnf/validate.py": PROSE,
        "pnf/priors/image.py": f"{PROSE}; {IMAGE_SET}",
        "pnf/datasets/__init__.py": IMAGE_SET,
        "pnf/datasets/cli.py": PROSE,
        "pnf/datasets/images.py": IMAGE_SET,
        "pnf/dag/plan.py": TEST_IMAGES,
        "pnf/report/plan.py": TEST_IMAGES,
        "scripts/paper_size_jobs.py": "the paper config's `images` section, read as data",
        "workflow/rules/common.smk": "PLAN.images, the image tasks' config section",
        "workflow/rules/images.smk": IMAGE_SET,
        "Snakefile": f"{TARGET_RULE}; the rule file images.smk",
        "pnf/report/figures.py": "the figure file images.png",
        "pnf/report/demo.py": "the figure file images.png",
    },
}


def own_files(name: str) -> set[str]:
    """The files where task `name` is written by right."""
    family = [FAMILY[name]] + (["image"] if name in IMAGE_VERBS else [])
    return {"pnf/task_specs.py", "pnf/restore/registry.py",
            *(f"pnf/{layer}/{f}.py" for f in family for layer in ("tasks", "restore"))}


def stray_files(name: str, files: dict[str, str] | None = None) -> list[str]:
    """Files writing `name` that are neither its own nor excepted."""
    allowed = own_files(name) | set(EXCEPTIONS.get(name, {}))
    return sorted(set(files_writing(name, files)) - allowed)


def test_every_registered_task_has_its_own_files():
    assert set(FAMILY) == set(TASK_SPECS)


@pytest.mark.parametrize("name", sorted(TASK_SPECS))
def test_a_task_name_is_written_only_in_its_own_files(name):
    assert stray_files(name) == []
    found = files_writing(name)
    assert "pnf/task_specs.py" in found
    excepted = set(EXCEPTIONS.get(name, {}))
    assert excepted <= set(found), f"no longer written there: {sorted(excepted - set(found))}"


def test_a_task_name_written_in_another_file_is_found():
    files = {"pnf/task_specs.py": "superres", "pnf/report/walltime.py": "x = 'superres'\n",
             "pnf/report/other.py": "superresolution x4 superres_x"}
    assert stray_files("superres", files) == ["pnf/report/walltime.py"]
