"""The faster schedules (ours: Tweedie step, predictor-corrector, dense ladders) on closed-form
Gaussian AR(1) priors.

Every update of every schedule is linear in the state plus independent Gaussian noise when the
prior is Gaussian, so the law of the whole discretized chain (mean and covariance after each
step, from the uniform start) is known in closed form: `chain_law` propagates it. Sampled
chains must match that law within Monte-Carlo error after a few steps (a wrong step size,
noise scale or Δ would not), and after many steps the target: the level-σ_L posterior
(Langevin, predictor-corrector) or its Tweedie denoising, N(μ, C (C + σ²I)⁻¹ C).
"""

import math

import pytest
import torch
from test_langevin import CHAINS, LIN, MID, SIGMAS, assert_gaussian, conditional, draw

from pnf.langevin import SCHEDULES, Schedule, anneal
from pnf.priors.gaussian import GaussianAR
from pnf.tasks import Inpainting, Unconditional

D = 8
PRIOR = GaussianAR(a=0.6, q=4.0, mean=MID)


def precision(sigma):
    return torch.linalg.inv(PRIOR.moments(D, sigma)[1])


def chain_law(sched: Schedule, predictor_noise=1.0, tweedie=1.0):
    """Exact mean (D,) and covariance (D, D) of the chain's final state, Unconditional task.

    predictor_noise, tweedie: deliberately wrong factors (1.0: the method as specified)."""
    eye = torch.eye(D, dtype=torch.float64)
    m, c = torch.full((D,), 255 / 2, dtype=torch.float64), eye * 255**2 / 12   # uniform start

    def step(m, c, a, noise_var):
        return MID + a @ (m - MID), a @ c @ a.T + noise_var * eye

    for k, sigma in enumerate(sched.sigmas):
        if k and sched.plan.predictor:
            delta = sched.sigmas[k - 1] ** 2 - sigma**2
            m, c = step(m, c, eye - delta * precision(sched.sigmas[k - 1]),
                        predictor_noise * delta)
        eta = sched.step_size(sigma)
        for _ in range(sched.iterations):
            m, c = step(m, c, eye - eta * precision(sigma), 2 * eta)
    if sched.plan.denoise:
        m, c = step(m, c, eye - tweedie * sched.sigmas[-1] ** 2 * precision(sched.sigmas[-1]), 0)
    return m, c


def sample(sched: Schedule, seed=1):
    task = Unconditional(length=D, batch=CHAINS, quantizer=LIN)
    return anneal([PRIOR], task, sched, seed=seed, progress=False).double()[0]


def few(kind, **kw):
    return Schedule(sigmas=SIGMAS, delta=0.03, iterations=2, kind=kind, **kw)


@pytest.mark.parametrize("kind", list(SCHEDULES))
@pytest.mark.parametrize("n_levels", [None, 9])
def test_each_schedule_follows_its_closed_form_chain_law(kind, n_levels):
    sched = few(kind, n_levels=n_levels)
    assert len(sched.sigmas) == (n_levels or len(SIGMAS))
    assert sched.sigmas[0] == SIGMAS[0] and sched.sigmas[-1] == pytest.approx(SIGMAS[-1])
    assert_gaussian(sample(sched), *chain_law(sched))


@pytest.mark.parametrize("kind,wrong", [("pc", {"predictor_noise": 2.0}),
                                        ("pc", {"predictor_noise": 0.5}),
                                        ("tweedie", {"tweedie": 2.0}),   # σ for σ²
                                        ("tweedie", {"tweedie": 0.0})])  # no step
def test_a_wrong_step_would_fail_the_law(kind, wrong):
    sched = few(kind)
    x = sample(sched)
    with pytest.raises(AssertionError):
        assert_gaussian(x, *chain_law(sched, **wrong))


def test_tweedie_step_gives_the_denoised_posterior_mean_law():
    sched = Schedule(sigmas=SIGMAS, delta=0.03, iterations=600, kind="tweedie")
    mean, cov = PRIOR.moments(D, SIGMAS[-1])
    clean = cov - SIGMAS[-1] ** 2 * torch.eye(D, dtype=torch.float64)      # C
    assert_gaussian(sample(sched), mean, clean @ torch.linalg.inv(cov) @ clean)


def test_predictor_corrector_matches_the_inpainting_posterior():
    n, rate = 24, 10
    mean, cov = PRIOR.moments(n, SIGMAS[-1])
    wave = LIN.from_bins(draw(mean, cov, seed=0)).float().expand(CHAINS, n)
    task = Inpainting(wave, gaps=[(0.8, 1.6)], rate=rate, quantizer=LIN)
    sched = Schedule(sigmas=SIGMAS, delta=0.03, iterations=400, kind="pc")
    out = anneal([PRIOR], task, sched, seed=2, progress=False).double()[0]
    observed = task.observed[0]
    assert torch.equal(out[:, observed].float(), LIN.to_bins(wave[:, observed]))
    values = LIN.to_bins(wave[0].double())[observed]
    assert_gaussian(out[:, ~observed], *conditional(mean, cov, observed, values))


def kl(m, c, m0, c0):
    """KL(N(m, c) ‖ N(m0, c0))."""
    p0 = torch.linalg.inv(c0)
    d = m - m0
    return 0.5 * float(torch.trace(p0 @ c) + d @ p0 @ d - len(m)
                       + torch.logdet(c0) - torch.logdet(c))


def evaluations_to_converge(kind, n_levels=None, tol=0.01):
    """Fewest network evaluations with KL(chain law ‖ the schedule's fixed point) < tol."""
    mean, cov = PRIOR.moments(D, SIGMAS[-1])
    for t in range(1, 400):
        sched = Schedule(sigmas=SIGMAS, delta=0.03, iterations=t, kind=kind, n_levels=n_levels)
        target = cov
        if sched.plan.denoise:
            clean = cov - SIGMAS[-1] ** 2 * torch.eye(D, dtype=torch.float64)
            target = clean @ torch.linalg.inv(cov) @ clean
        if kl(*chain_law(sched), mean, target) < tol:
            return sched.evaluations(D)
    return math.inf


def test_predictor_corrector_converges_in_fewer_evaluations_than_the_paper_schedule():
    paper, pc = evaluations_to_converge("langevin"), evaluations_to_converge("pc")
    assert pc < paper < math.inf, (pc, paper)


def test_restore_cli_selects_a_schedule_and_refuses_bad_ones(tmp_path, capsys):
    from conftest import decaying_harmonics
    from test_cli_restore import train_tiny

    from pnf.audio import write_audio
    from pnf.cli import main

    data = tmp_path / "clips"
    write_audio(data / "c0.wav", decaying_harmonics(220.0, 0.3))
    prior = train_tiny(tmp_path, data, "mulaw", steps=4)
    wav = data / "c0.wav"
    base = ["restore", "superres", "--prior", prior, "--input", str(wav), "--factor", "4",
            "--iterations", "1", "--levels", "20", "5", "1"]
    out = tmp_path / "pc.wav"
    assert main([*base, "--schedule", "pc-tweedie", "--n-levels", "4",
                 "--output", str(out)]) == 0 and out.is_file()
    for bad in (["--schedule", "ddim"], ["--n-levels", "1"]):
        code = None
        try:
            code = main([*base, *bad, "--output", str(tmp_path / "bad.wav")])
        except SystemExit as err:      # argparse refuses an unknown choice
            code = err.code
        assert code == 2 and not (tmp_path / "bad.wav").exists()
        err = capsys.readouterr().err.strip().splitlines()
        assert err[-1].startswith("pnf: error:"), err


def test_a_dense_ladder_is_spaced_once():
    import dataclasses

    sched = Schedule(sigmas=SIGMAS, delta=0.03, iterations=1, n_levels=9)
    kept = dataclasses.replace(sched, sigmas=sched.sigmas[3:])     # a warm start's copy
    assert kept.sigmas == sched.sigmas[3:] and len(kept.sigmas) == 6
    assert sched.evaluations(D) == 9 and few("pc", n_levels=9).evaluations(D) == 9 * 2 + 8
