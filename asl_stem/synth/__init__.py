"""The synthetic signer: keypoint sequences of signing with fingerspelled spans.

``synthesize(sentence, terms)`` and ``synthesize_timed(spans, num_frames)`` return a
:class:`Signing`; :class:`SignerStyle` describes one signer. See ``docs/synthetic.md``.
"""

from asl_stem.synth.signer import Signing, synthesize, synthesize_timed
from asl_stem.synth.style import SignerStyle

__all__ = ["SignerStyle", "Signing", "synthesize", "synthesize_timed"]
