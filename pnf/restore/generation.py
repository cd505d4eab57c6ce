"""The restore side of audio generation from a mel spectrogram: `pnf restore spectrogram`.

    pnf restore spectrogram --prior mel.pt --input clip.wav --output gen.wav

The mel spectrogram of the input conditions a mel prior; the sampler's task is
pnf.tasks.generation.SpectrogramGeneration.
"""

from __future__ import annotations

from pnf.audio import check_mel_source, mel_spectrogram
from pnf.restore.audio_io import AudioIO
from pnf.restore.base import Restore
from pnf.restore.registry import register_task
from pnf.tasks.generation import SpectrogramGeneration


@register_task
class SpectrogramRestore(Restore):
    """The input's mel spectrogram in, generated audio of its length out."""

    name, io, sampler, eta = "spectrogram", AudioIO, SpectrogramGeneration, 0.1
    help = "generate audio from the mel spectrogram of the input (mel prior)"

    @classmethod
    def observe(cls, req, rate):
        obs = cls.io.read(req, rate)
        check_mel_source(req.input, len(obs.signal), rate=rate)
        return obs

    @classmethod
    def build(cls, setting, obs, priors):
        return SpectrogramGeneration(mel_spectrogram(obs.signal, rate=priors[0].rate),
                                     obs.signal.shape[-1], priors[0].quantizer)
