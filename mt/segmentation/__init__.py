"""The first stage: article files -> typed, language-tagged segments.

`reading` finds and decodes the inputs, `articles` reads who published each
one (sidecar, JSON Lines, HTML), `kinds` tells captions, bylines and teasers
from body text, `sentences` splits body text, `detection` tags languages, and
`segmenter` puts them together. Nothing is dropped: every character of an
input ends up in exactly one segment.
"""

from mt.segmentation.segmenter import NoArticlesError, SegmentationResult, Segmenter, segment, segment_text

__all__ = ["NoArticlesError", "SegmentationResult", "Segmenter", "segment", "segment_text"]
