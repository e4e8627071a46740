"""`mt publish --push-to-hub`: the corpus folder to a Hugging Face dataset repository, in one commit."""

from __future__ import annotations

from pathlib import Path

from huggingface_hub import HfApi, constants, get_token

from mt.atomic import MARKER
from mt.publishing.errors import PublishError


def upload(folder: Path, repo_id: str, *, private: bool = False, revision: str | None = None) -> None:
    """One commit with the whole folder: an upload either lands completely or not at all."""
    if constants.HF_HUB_OFFLINE:
        raise PublishError("cannot upload: offline mode is on (HF_HUB_OFFLINE=1). Nothing was uploaded.")
    token = get_token()
    if not token:
        raise PublishError("cannot upload: no Hugging Face token. Run `hf auth login` or set HF_TOKEN. Nothing was uploaded.")
    api = HfApi(token=token)
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        if revision:
            api.create_branch(repo_id, repo_type="dataset", branch=revision, exist_ok=True)
        api.upload_folder(folder_path=str(folder), repo_id=repo_id, repo_type="dataset", revision=revision,
                          ignore_patterns=[MARKER],
                          commit_message="Publish the comparison corpus with mt publish")
    except Exception as error:  # network, auth and hub errors all end the same way
        raise PublishError(f"upload to {repo_id} failed ({type(error).__name__}: {error}). "
                           "The upload is a single commit, so no partial upload was left on the hub.") from None
