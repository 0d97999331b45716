"""The README's Python example prints exactly what the README says it prints, and starts with the two commands."""
import contextlib
import io
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_readme_example_output_is_current():
    text = (ROOT / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    expected = re.search(r"prints\n\n```\n(.*?)```", text, re.S).group(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue() == expected


def test_readme_starts_with_the_two_commands():
    first_block = re.search(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    assert [ln.split()[0:2] for ln in first_block.strip().splitlines()] == [["make", "serve"], ["make", "test"]]


def test_readme_quotes_the_generated_comparison_summary():
    generated = re.search(r"## What the numbers say\n\n(.*?)\n\n", (ROOT / "docs" / "comparison.md").read_text(), re.S)
    quoted = re.search(r"## What the numbers say\n\n.*?\n\n> (.*?)\n\n", (ROOT / "README.md").read_text(), re.S)
    assert quoted.group(1) == generated.group(1)
