from __future__ import annotations

from hptracker.text import fold_for_matching, tone_placement_variants


def test_old_and_new_tone_placement_fold_to_the_same_key():
    assert fold_for_matching("Thuỷ Nguyên") == fold_for_matching("THỦY NGUYÊN") == "thủy nguyên"
    assert fold_for_matching("hoà bình") == fold_for_matching("hòa bình")


def test_search_variants_cover_both_placements_and_keep_what_was_typed():
    assert tone_placement_variants("Thủy Nguyên") == {"Thủy Nguyên", "Thuỷ Nguyên"}
    assert tone_placement_variants("hoà") == {"hoà", "hòa"}
    assert tone_placement_variants("  ") == set()
