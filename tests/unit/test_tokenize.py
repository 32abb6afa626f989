from reportqa.indexing.tokenize import tokenize


def test_figures_stay_whole_and_pair_with_their_unit() -> None:
    tokens = tokenize("调解率达50.6%,金额1.135亿元,2024年新收120件")
    for expected in ["50.6%", "1.135", "1.135|亿", "2024|年", "120|件", "调|解", "调"]:
        assert expected in tokens


def test_punctuation_breaks_bigrams_and_latin_is_lowercased() -> None:
    tokens = tokenize("GDP增长,全区")
    assert "gdp" in tokens
    assert "长|全" not in tokens
    assert "全|区" in tokens
