import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

SHARED = Path(__file__).resolve().parents[2] / "shared"
CLIPS = SHARED / "clips"


def clip_labels() -> list[dict]:
    if not (CLIPS / "labels.json").exists():
        return []
    return json.loads((CLIPS / "labels.json").read_text())["clips"]


@pytest.fixture
def clips_dir() -> Path:
    if not CLIPS.exists():
        pytest.skip("the real clips are not here: ../shared/clips is absent")
    return CLIPS


#: The web app's address in the in-process test client (no socket is opened).
BASE = "http://127.0.0.1:8765"


@pytest.fixture
def make_client(tmp_path):
    """A web app client factory: each app gets its own data folder, store and one worker."""
    from concurrent.futures import ThreadPoolExecutor

    from fastapi.testclient import TestClient

    from hingecoach.web.server import Settings, create_app

    executors = []

    def make(**kw):
        pool = ThreadPoolExecutor(max_workers=1)
        executors.append(pool)
        settings = Settings(data_dir=tmp_path / "web", db_url=f"sqlite:///{tmp_path / 'store.db'}",
                            executor=pool, **kw)
        return TestClient(create_app(settings), base_url=BASE)

    yield make
    for pool in executors:
        pool.shutdown(wait=True)
