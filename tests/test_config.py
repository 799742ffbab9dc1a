"""The thresholds file: base sections, level groups laid over them, then the level itself."""

import tomllib
from importlib import resources

from hingecoach.config import thresholds


def _raw():
    return tomllib.loads(resources.files("hingecoach").joinpath("data/thresholds.toml").read_text())


def test_every_level_of_a_group_gets_the_groups_values_unless_it_overrides_them():
    raw = _raw()
    assert raw["level_groups"], "the file declares level groups"
    for name, group in raw["level_groups"].items():
        own = raw["levels"]
        for level in group["levels"]:
            assert level in own, (name, level)
            merged = thresholds(level)["faults"]
            for code, fault in group.get("faults", {}).items():
                for key, value in fault.items():
                    if key not in own[level].get("faults", {}).get(code, {}):
                        assert merged[code][key] == value, (name, level, code, key)


def test_a_level_outside_a_group_keeps_the_base_table():
    raw = _raw()
    grouped = {lv for g in raw["level_groups"].values() for lv in g["levels"]}
    outside = [lv for lv in raw["levels"] if lv not in grouped and not raw["levels"][lv]]
    assert outside, "some level (e.g. deadlift) has no overrides at all"
    for level in outside:
        assert thresholds(level) == thresholds(None)
    assert "level_groups" not in thresholds(None) and "levels" not in thresholds(None)
