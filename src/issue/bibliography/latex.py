"""LaTeX in BibTeX values -> Unicode, remembering which characters braces protect from case changes.

pylatexenc does the general job, but it costs about half a millisecond per value and it knows nothing of
BibTeX's protective braces; a 5,000-entry database holds some 35,000 values. Nearly all of them use only the
accent and escape commands a reference manager writes ({\\'e}, \\&, --, ~, {NATO}), so this small scanner
handles those and records the braced spans; any other command ($math$, \\unknownmacro) hands the whole value to
pylatexenc.
"""
from __future__ import annotations

import functools
import re
import unicodedata

# accent commands -> combining characters (NFC composes them with their base letter)
_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307",
    "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323",
    "b": "\u0331", "t": "\u0361",
}
_WORDS = {
    "aa": "å", "AA": "Å", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "ss": "ß", "SS": "SS",
    "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ",
    "dj": "đ", "DJ": "Đ", "textendash": "–", "textemdash": "—", "textquoteleft": "‘", "textquoteright": "’",
    "textquotedblleft": "“", "textquotedblright": "”", "copyright": "©", "textcopyright": "©", "S": "§",
    "textsection": "§", "P": "¶", "dag": "†", "ddag": "‡", "dots": "…", "ldots": "…", "textellipsis": "…",
    "pounds": "£", "textsterling": "£", "euro": "€", "texteuro": "€", "textregistered": "®", "texttrademark": "™",
    "textdegree": "°", "guillemotleft": "«", "guillemotright": "»", "guillemetleft": "«", "guillemetright": "»",
    "textbackslash": "\\", "textasciitilde": "~", "textunderscore": "_", "textbar": "|", "textless": "<",
    "textgreater": ">", "textperiodcentered": "·", "quad": " ", "qquad": " ", "enspace": " ", "thinspace": " ",
    "nobreakspace": "\u00a0", "slash": "/", "textexclamdown": "¡", "textquestiondown": "¿", "LaTeX": "LaTeX",
    "TeX": "TeX", "BibTeX": "BibTeX", "relax": "", "protect": "", "noindent": "", "par": " ", "newline": " ",
    "textdollar": "$", "textpercent": "%", "textampersand": "&",
}
_SYMBOLS = {"&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}", " ": " ", ",": "\u2009",
            "-": "", "/": "", "\\": " ", ";": " ", "!": "", "@": "", "~": "~", "^": "^"}
# commands whose one argument is kept as text (formatting that plain text drops)
_KEEP_ARG = {
    "emph", "textit", "textbf", "textsc", "textup", "textrm", "textsf", "texttt", "textnormal", "textsl", "textmd",
    "mkbibemph", "mkbibitalic", "mkbibbold", "mbox", "hbox", "text", "url", "nolinkurl", "path", "NoCaseChange",
    "textsuperscript", "textsubscript", "uline", "underline", "foreignlanguage_arg", "hyphenation_arg",
}
_QUOTE_ARG = {"mkbibquote", "enquote", "textquote"}
_DROP_ARG = {"noopsort", "sortkey", "nocite", "hyphenation", "label"}
_UPPER_ARG = {"MakeUppercase", "uppercase"}
_LOWER_ARG = {"MakeLowercase", "lowercase"}
_DECLARATIONS = {
    "it", "em", "bf", "sc", "rm", "sf", "tt", "sl", "up", "normalfont", "itshape", "bfseries", "scshape",
    "upshape", "slshape", "mdseries", "rmfamily", "sffamily", "ttfamily", "small", "footnotesize", "large",
    "Large", "normalsize", "tiny", "scriptsize", "huge", "Huge",
}

_TOKEN = re.compile(r"\\([A-Za-z]+)[ ]?|\\(.)|([{}])|(~)|(---|--)|(``|'')|(\$)|([^\\{}~\-`'$]+|[-`'])", re.S)
_SPECIAL = re.compile(r"[\\{}~$`']|--")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")  # ASCII only: a no-break or thin space stays


class _Fallback(Exception):
    """The value uses LaTeX the scanner does not know; pylatexenc decodes it."""


@functools.lru_cache(maxsize=1 << 16)
def decode(latex: str) -> str:
    """The Unicode text of a BibTeX value (its outer delimiters already removed)."""
    if not latex:
        return latex
    return decode_spans(latex)[0]


def decode_spans(latex: str) -> tuple[str, list[tuple[int, int]]]:
    """The Unicode text and the (start, end) spans of it that braces protect from a style's case changes."""
    text = _SPACES.sub(" ", latex).strip()
    if not _SPECIAL.search(text):
        return (latex if text == latex else text), []  # the same object: stored once in the cache
    try:
        out: list[str] = []
        spans: list[tuple[int, int]] = []
        tokens = list(_TOKEN.finditer(text))
        _Scanner(tokens, out, spans).run()
        decoded = "".join(out)
    except _Fallback:
        return _pylatexenc(text), []
    except (IndexError, RecursionError):
        return _strip_commands(text), []
    return _tidy(decoded, spans)


def _tidy(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    if not spans:
        return _SPACES.sub(" ", text).strip(), []
    if "  " in text or text.strip() != text:
        # whitespace tidying shifts positions: rebuild spans through an index map
        keep: list[int] = []
        prev_space = True
        for i, ch in enumerate(text):
            if ch == " " and prev_space:
                continue
            keep.append(i)
            prev_space = ch == " "
        while keep and text[keep[-1]] == " ":
            keep.pop()
        new_text = "".join(text[i] for i in keep)
        pos = {old: new for new, old in enumerate(keep)}
        moved = []
        for a, b in spans:
            na = next((pos[i] for i in range(a, b) if i in pos), None)
            nb = next((pos[i] + 1 for i in range(b - 1, a - 1, -1) if i in pos), None)
            if na is not None and nb is not None and nb > na:
                moved.append((na, nb))
        return new_text, _merge(moved)
    return text, _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


class _Scanner:
    def __init__(self, tokens: list[re.Match], out: list[str], spans: list[tuple[int, int]]):
        self.tokens = tokens
        self.i = 0
        self.out = out
        self.spans = spans
        self.length = 0

    def emit(self, s: str) -> None:
        if s:
            if not s.isascii():
                s = unicodedata.normalize("NFC", s)  # here, so that span positions stay true
            self.out.append(s)
            self.length += len(s)

    def run(self) -> None:
        while self.i < len(self.tokens):
            self.step(depth=0)

    def step(self, depth: int) -> None:
        m = self.tokens[self.i]
        self.i += 1
        word, symbol, brace, tilde, dash, quotes, dollar, text = m.groups()
        if text is not None:
            self.emit(text)
        elif brace == "{":
            # {\'e} is a BibTeX "special character", not a protected span
            nxt = self.tokens[self.i] if self.i < len(self.tokens) else None
            special = nxt is not None and (nxt.group(1) in _WORDS or nxt.group(1) in _ACCENTS
                                           or nxt.group(2) in _ACCENTS)
            start = self.length
            self.group(depth + 1)
            if depth == 0 and not special and self.length > start:
                self.spans.append((start, self.length))
        elif brace == "}":
            return  # a stray closing brace: BibTeX ignores it in text
        elif tilde:
            self.emit("\u00a0")
        elif dash:
            self.emit("—" if dash == "---" else "–")
        elif quotes:
            self.emit("“" if quotes == "``" else "”")
        elif dollar:
            raise _Fallback
        elif symbol is not None:
            if symbol in _ACCENTS:
                self.accent(_ACCENTS[symbol])
            elif symbol in _SYMBOLS:
                self.emit(_SYMBOLS[symbol])
            else:
                raise _Fallback
        elif word is not None:
            self.command(word, depth)

    def group(self, depth: int) -> None:
        """Everything up to the matching closing brace."""
        while self.i < len(self.tokens):
            m = self.tokens[self.i]
            if m.group(3) == "}":
                self.i += 1
                return
            self.step(depth)

    def argument_text(self) -> str:
        """The text of the next argument ({group} or one token), decoded, without recording spans."""
        self.skip_spaces()
        saved_out, saved_len, saved_spans = self.out, self.length, self.spans
        self.out, self.spans = [], []
        try:
            if self.i >= len(self.tokens):
                return ""
            m = self.tokens[self.i]
            if m.group(3) == "{":
                self.i += 1
                self.group(depth=1)
            elif m.group(8) is not None:
                # a single character of a text run: split the run
                text = m.group(8)
                self.out.append(text[0])
                if len(text) > 1:
                    self.tokens[self.i] = _TOKEN.match(text[1:])  # the rest of the run stays a token
                else:
                    self.i += 1
            else:
                self.step(depth=1)
            return "".join(self.out)
        finally:
            self.out, self.length, self.spans = saved_out, saved_len, saved_spans

    def skip_spaces(self) -> None:
        while self.i < len(self.tokens):
            m = self.tokens[self.i]
            if m.group(8) is not None and m.group(8).isspace():
                self.i += 1
                continue
            if m.group(8) is not None and m.group(8)[0] == " ":
                self.tokens[self.i] = _TOKEN.match(m.group(8).lstrip(" "))
            return

    def accent(self, mark: str) -> None:
        base = self.argument_text()
        if not base:
            return
        first = {"ı": "i", "ȷ": "j"}.get(base[0], base[0])
        self.emit(first + mark + base[1:])

    def command(self, word: str, depth: int) -> None:
        if word in _WORDS:
            self.emit(_WORDS[word])
        elif word in _ACCENTS:
            self.accent(_ACCENTS[word])
        elif word in _DECLARATIONS:
            pass
        elif word in _KEEP_ARG:
            self.keep_argument(depth)
        elif word in _QUOTE_ARG:
            self.emit("“")
            self.keep_argument(depth)
            self.emit("”")
        elif word in _UPPER_ARG:
            self.emit(self.argument_text().upper())
        elif word in _LOWER_ARG:
            self.emit(self.argument_text().lower())
        elif word in _DROP_ARG:
            self.argument_text()
        elif word == "href":
            self.argument_text()
            self.keep_argument(depth)
        else:
            raise _Fallback

    def keep_argument(self, depth: int) -> None:
        self.skip_spaces()
        if self.i < len(self.tokens) and self.tokens[self.i].group(3) == "{":
            self.i += 1
            self.group(depth)  # the argument's braces do not protect; braces inside it do
        elif self.i < len(self.tokens):
            self.step(depth)


_L2T = None


def _pylatexenc(text: str) -> str:
    global _L2T
    try:
        if _L2T is None:
            from pylatexenc.latex2text import LatexNodes2Text

            _L2T = LatexNodes2Text(math_mode="text", keep_comments=False, strict_latex_spaces=False)
        out = _L2T.latex_to_text(text)
    except Exception:  # pylatexenc fails on some malformed input (e.g. \href without arguments)
        return _strip_commands(text)
    return _SPACES.sub(" ", unicodedata.normalize("NFC", out)).strip()


_COMMAND = re.compile(r"\\[A-Za-z]+\s*|\\.")


def _strip_commands(text: str) -> str:
    """Last resort: drop commands and braces, keep the words."""
    return _SPACES.sub(" ", _COMMAND.sub("", text).replace("{", "").replace("}", "")).strip()


def in_spans(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether text[start:end] lies inside one protected span."""
    return any(a <= start and end <= b for a, b in spans)
