"""pycore.checks: typed and linked numbers get a message in words naming the field and the allowed values, never
Python's own wording (regressions found by tests/browser/test_fuzz_links.py)."""
import pytest

from pycore.browser import lessons
from pycore.checks import check_number, check_whole


@pytest.mark.parametrize("text", ["9" * 5000, "-" + "9" * 4301, "+" + "1" * 500, "1" + "0" * 20],
                         ids=["5000 digits", "4301 digits, negative", "500 digits, signed", "21 digits"])
def test_a_whole_number_with_thousands_of_digits_is_out_of_range_in_words(text):
    with pytest.raises(ValueError) as e:
        check_whole("lesson", text, 1, 18)
    message = str(e.value)
    assert message.startswith("lesson must be a whole number from 1 to 18; got ")
    assert "digits" not in message and "set_int_max_str_digits" not in message and len(message) < 120


def test_long_but_small_whole_numbers_still_read_exactly():
    assert check_whole("steps", "0" * 30 + "7", 1, 2000) == 7
    assert check_whole("seed", "12345678901234567890", 0, 2 ** 64) == 12345678901234567890   # 20 digits: an int


def test_a_lesson_link_with_a_huge_number_gets_the_lessons_message():
    with pytest.raises(ValueError, match=r"^lesson must be a whole number from 1 to \d+; got a number too large"):
        lessons.scene("9" * 5000)


def test_typed_numbers_beyond_the_float_range_are_named():
    with pytest.raises(ValueError, match="beyond the float range"):
        check_number("lr", "9" * 5000, 0.0)
