import json

import pytest

from kotalive.core.located_json import json_load_located


def test_each_object_knows_the_line_it_begins_on() -> None:
    text = '{\n "agencies": [\n  {"code": "A"},\n  {\n   "code": "B",\n   "units": [{"code": "U"}]\n  }\n ]\n}\n'

    located = json_load_located(text)

    a, b = located.document["agencies"]
    assert [located.line(located.document), located.line(a), located.line(b), located.line(b["units"][0])] == [
        1,
        3,
        4,
        6,
    ]
    assert located.document == json.loads(text)


def test_something_that_is_not_an_object_of_the_document_has_the_default_line() -> None:
    located = json_load_located('{"a": [1, 2]}')

    assert located.line(located.document["a"], default=0) == 0
    assert located.line({"a": [1, 2]}) == 1


def test_bad_json_is_reported_with_its_line() -> None:
    with pytest.raises(json.JSONDecodeError) as raised:
        json_load_located('{\n "a": 1,\n "b" 2\n}')

    assert raised.value.lineno == 3
