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


def test_a_level_keeps_the_base_table_wherever_neither_it_nor_its_groups_override():
    raw = _raw()
    base = thresholds(None)
    assert "level_groups" not in base and "levels" not in base
    for level, own in raw["levels"].items():
        overrides = [g for g in raw["level_groups"].values() if level in g["levels"]] + [own]
        merged = thresholds(level)
        for section_name, table in base.items():
            for key, value in table.items():
                touched = [o.get(section_name, {}).get(key) for o in overrides]
                if all(t is None for t in touched):
                    assert merged[section_name][key] == value, (level, section_name, key)
