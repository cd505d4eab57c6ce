"""Per-task clip lengths (ours): `tasks.<task>.seconds` cuts that task's truth (and so its
observation and outputs) to the first SECONDS of each test item; the others keep it whole."""

import copy

import soundfile as sf
from test_pipeline import SNAKEMAKE, TINY, run, workdir

R = "results/smoke/restored/piano"


def test_a_task_with_its_own_seconds_gets_the_cut_and_the_others_the_item(tmp_path):
    config = copy.deepcopy(TINY)
    config["tasks"]["superres"]["seconds"] = 0.125            # test_seconds: 0.25
    work = workdir(tmp_path, config)
    cut, whole = f"{R}/superres/x4/truth/c000.wav", f"{R}/inpaint/gap100/truth/c000.wav"
    run([*SNAKEMAKE, "--cores", "2", cut, whole, f"{R}/superres/x4/input/c000.wav"], work)
    item, _ = sf.read(work / "results/smoke/items/piano/c000.wav", dtype="int16")
    short, rate = sf.read(work / cut, dtype="int16")
    assert len(item) == round(0.25 * rate) and len(short) == round(0.125 * rate)
    assert (short == item[: len(short)]).all()                          # samples unchanged
    assert (work / whole).stat().st_ino == (work / "results/smoke/items/piano/c000.wav").stat(
    ).st_ino                                                               # a link, as before
    observed, _ = sf.read(work / f"{R}/superres/x4/input/c000.wav")    # what the methods see
    assert len(observed) == len(short)


def test_seconds_longer_than_the_items_is_a_config_error(tmp_path):
    config = copy.deepcopy(TINY)
    config["tasks"]["inpaint"]["seconds"] = 0.5
    code, out = run([*SNAKEMAKE, "-n"], workdir(tmp_path, config), check=False)
    assert code != 0 and "tasks.inpaint.seconds (0.5) is longer than test_seconds (0.25)" in out
