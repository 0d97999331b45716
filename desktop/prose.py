"""The hand-written prose of the docs, its claims and the numbers they quote (standard library only).

A doc page mixes generated sections (between ``<!-- generated:NAME -->`` and ``<!-- /generated:NAME -->``,
written by ``desktop.docs``) with hand-written prose. Every behavioural sentence of that prose is a *claim*: it
ends with a tag ``<!-- claim: PAGE-SLUG -->``, and ``tests/test_claims.py`` has one test per tag that runs pycore,
checks the behaviour and returns every number the claim quotes. A claim's text runs from the start of its
paragraph, or from the previous tag in that paragraph, up to its tag; several passages with the same tag (a
question and its answer) form one claim. Numbers are read from the text outside math, code, links and comments,
so a measured value has to be written as plain text, where this module finds it.

No heavy imports: the tests that use this module also run inside Pyodide.
"""
import re

SECTION = re.compile(r"(<!-- generated:(\w+) -->\n)(.*?)(<!-- /generated:\2 -->)", re.S)
TAG = re.compile(r"<!-- claim: ([a-z0-9]+(?:-[a-z0-9]+)+) -->")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HIDDEN = re.compile(r"\$\$.*?\$\$|\$[^$]+\$|`[^`]*`|\]\([^)\s]*\)|</?[A-Za-z][^>\n]*>", re.S)
# A number: optional minus (− or -), digits with optional thousands commas, decimals, exponent, per cent sign.
# Not part of a word or name (β2, L2, h_1, 2-D), whole (never the 100 of 1000) and hyphenated quantities
# included (1000-step gives 1000); a range gives both ends (1–5 gives 1 and 5).
NUMBER = re.compile(r"(?<![\w.−-])([−-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[−-]?\d+)?(?: ?%)?)"
                    r"(?![\d,.]\d|\d|[A-Za-z_]|-[A-Z]\b)")


def hand_written(text):
    """``text`` with every generated section's body removed (its markers stay, so positions keep their sense)."""
    return SECTION.sub(lambda m: m.group(1) + m.group(4), text)


def paragraphs(text):
    """The hand-written blocks of a page: runs of non-blank lines outside generated sections."""
    return [p for p in re.split(r"\n\s*\n", hand_written(text)) if p.strip()]


def claims(text):
    """{claim id: its text}, in page order; the passages of one id are joined with a space."""
    out = {}
    for para in paragraphs(text):
        start = 0
        for m in TAG.finditer(para):
            passage = " ".join(para[start:m.start()].split())
            out[m.group(1)] = (out[m.group(1)] + " " + passage) if m.group(1) in out else passage
            start = m.end()
    return out


def untagged(text):
    """The hand-written text that belongs to no claim: each paragraph after its last tag."""
    out = []
    for para in paragraphs(text):
        ends = [m.end() for m in TAG.finditer(para)]
        out.append(para[ends[-1]:] if ends else para)
    return out


def visible(text):
    """``text`` without comments, math, code spans, link targets and HTML tags: what a number may hide in."""
    return _HIDDEN.sub(" ", _COMMENT.sub(" ", text))


def numbers(text):
    """Every number ``text`` quotes as prose, as written (e.g. ``"20,000"``, ``"−0.0117"``, ``"2.6e-5"``)."""
    return NUMBER.findall(visible(text))


def render(value, like):
    """``value`` written in the style of the quoted number ``like``: same decimals, separators, exponent, %.

    A claim's number matches its computed value when ``render(value, quoted) == quoted`` (minus signs and
    exponents normalised), so the text shows exactly the precision the test checks.
    """
    quoted = normal(like)
    percent = quoted.endswith("%")
    body = quoted.rstrip("% ")
    mantissa, _, exponent = body.partition("e")
    decimals = len(mantissa.partition(".")[2])
    v = value * 100 if percent else value
    if exponent:
        m, e = f"{v:.{decimals}e}".split("e")
        out = f"{m}e{int(e)}"
    else:
        out = f"{v:{',' if ',' in mantissa else ''}.{decimals}f}"
    if out.startswith("-") and float(out.replace(",", "")) == 0:
        out = out[1:]  # -0.00 is written 0.00
    return out + quoted[len(body):]


def normal(number):
    """A quoted number with ASCII minus signs and its exponent without leading zeros (``1e-05`` -> ``1e-5``)."""
    n = number.replace("−", "-")
    mantissa, e, exponent = n.partition("e")
    if not e:
        return n
    digits = exponent.rstrip("% ")
    return f"{mantissa}e{int(digits)}" + exponent[len(digits):]
