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
