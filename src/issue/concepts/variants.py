"""Every written form of a vocabulary term: British and American spellings, hyphen and space variants, inflections.

The editor writes one form of each term in concepts.toml ("co-operation", "regionalisation", "peacekeeping
operation"); the matcher must also find "cooperation", "regionalization", "peace-keeping operations". Spelling
pairs come from rules and a small table (breame, the one UK/US package, misses -isation/-ization and co-operation);
inflections come from lemminflect's lexicon, with its out-of-vocabulary rules for words it does not know.
Possessives ("ASEAN's") are not generated here: the matcher accepts them after any form.
"""
from __future__ import annotations

import re
from functools import lru_cache
from itertools import product

# Words that end in -ise but have no -ize form (only the ones a social-science text meets).
_ISE_ONLY = {
    "advise", "apprise", "arise", "chastise", "circumcise", "comprise", "compromise", "concise", "demise", "despise",
    "devise", "disguise", "enterprise", "excise", "exercise", "expertise", "franchise", "improvise", "incise",
    "merchandise", "noise", "otherwise", "paradise", "poise", "praise", "precise", "premise", "promise", "raise",
    "reprise", "revise", "rise", "supervise", "surmise", "surprise", "televise", "treatise", "wise", "cruise",
    "guise", "likewise", "clockwise", "mortise", "anise", "valise", "porpoise", "tortoise",
}
# Stems whose -our spelling is British for American -or (behaviour/behavior); a closed list because
# "four", "hour", "tour", "your", "contour" and "devour" must stay as they are.
_OUR_STEMS = ("behavi", "lab", "fav", "hon", "neighb", "col", "harb", "endeav", "vig", "rum", "arm", "sav", "val",
              "hum", "flav", "rig", "clam", "od", "parl", "splend", "tum", "vap", "ard", "ferv", "sav", "cand")
# Whole-word pairs that no rule covers (British first).
SPELLING_PAIRS = {
    "defence": "defense", "offence": "offense", "pretence": "pretense", "licence": "license",
    "programme": "program", "programmes": "programs", "catalogue": "catalog", "analogue": "analog",
    "centre": "center", "centres": "centers", "theatre": "theater", "metre": "meter", "fibre": "fiber",
    "manoeuvre": "maneuver", "manoeuvres": "maneuvers", "judgement": "judgment", "ageing": "aging",
    "grey": "gray", "sceptical": "skeptical", "sceptic": "skeptic", "fulfil": "fulfill", "enrol": "enroll",
    "travelled": "traveled", "travelling": "traveling", "modelling": "modeling", "modelled": "modeled",
    "labelled": "labeled", "labelling": "labeling", "counselling": "counseling", "cancelled": "canceled",
    "signalling": "signaling", "paediatric": "pediatric", "anaesthetic": "anesthetic", "encyclopaedia": "encyclopedia",
    "cheque": "check", "tyre": "tire", "kerb": "curb", "draught": "draft", "plough": "plow", "mould": "mold",
}
_US_TO_UK = {v: k for k, v in SPELLING_PAIRS.items()}
# Prefixes written closed or hyphenated: co-operation/cooperation, neo-functionalism/neofunctionalism.
_PREFIXES = ("co", "neo", "non", "multi", "inter", "intra", "anti", "post", "pre", "counter", "semi",
             "supra", "trans", "bi", "self")
# Words after which a multi-word term is not inflected at its end: "League of Nations", "balance of power".
_PREPOSITIONS = {"of", "for", "in", "on", "to", "between", "among", "with", "against", "from", "by", "at"}
_WORD = re.compile(r"[A-Za-z]+")


# The functions of one word or term below are pure and asked again and again (a vocabulary's terms share their words,
# and every term goes through each of them several times): remembered, they halve the time of compiling the matcher.
@lru_cache(maxsize=16384)
def is_case_sensitive(form: str) -> bool:
    """Acronyms and other all-capital forms ("ASEAN", "UN", "HADR") are matched with their case."""
    letters = [c for c in form if c.isalpha()]
    return len(letters) >= 2 and not any(c.islower() for c in letters) and sum(c.isupper() for c in letters) >= 2


@lru_cache(maxsize=8192)
def _is_proper(term: str) -> bool:
    """A term with a capitalised word that is not an acronym: a name, not inflected ("League of Nations")."""
    return any(w[0].isupper() and not is_case_sensitive(w) for w in re.findall(r"[^\s\-/]+", term) if w[0].isalpha())


# -- spelling ------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=8192)
def _word_spellings(word: str) -> frozenset[str]:
    """The British and American spellings of one lower-case word."""
    out = {word}
    if word in SPELLING_PAIRS:
        out.add(SPELLING_PAIRS[word])
    if word in _US_TO_UK:
        out.add(_US_TO_UK[word])
    # -isation/-ization and the -ise/-ize verb family
    m = re.match(r"^(.{3,}?)(is|iz)(ation|ations|e|es|ed|ing|er|ers|able|ational|ationally)$", word)
    if m and (m.group(1) + "ise") not in _ISE_ONLY and (m.group(1) + "ize") not in _ISE_ONLY:
        other = "iz" if m.group(2) == "is" else "is"
        out.add(m.group(1) + other + m.group(3))
    # analyse/analyze, paralyse/paralyze
    m = re.match(r"^(.*l)(ys|yz)(e|es|ed|ing)$", word)
    if m:
        out.add(m.group(1) + ("yz" if m.group(2) == "ys" else "ys") + m.group(3))
    # behaviour/behavior, labour/labor (and their derivatives: behavioural, neighbourhood)
    for stem in _OUR_STEMS:
        if word.startswith(stem + "our"):
            out.add(stem + "or" + word[len(stem) + 3:])
        elif word.startswith(stem + "or") and not word.startswith(stem + "our"):
            rest = word[len(stem) + 2:]
            if not rest or rest[0] in "saeiuh" or rest.startswith(("ed", "ing", "able", "ite", "ful", "less")):
                out.add(stem + "our" + rest)
    return frozenset(out)


def spellings(term: str) -> set[str]:
    """Every British/American spelling of a term, word by word ("organisation of labour" has four)."""
    parts = re.split(r"([\s\-/]+)", term)
    choices = []
    for p in parts:
        if p and _WORD.fullmatch(p) and not is_case_sensitive(p):
            low = p.lower()
            variants = _word_spellings(low)
            choices.append(sorted({_recase(p, v) for v in variants}))
        else:
            choices.append([p])
    if len(choices) > 40:
        return {term}
    out = {"".join(c) for c in product(*choices)}
    return out if len(out) <= 64 else {term}


def _recase(original: str, lower: str) -> str:
    if original.islower():
        return lower
    if original[:1].isupper() and original[1:].islower():
        return lower[:1].upper() + lower[1:]
    return lower if original.lower() == lower else lower


def spelling_key(surface: str) -> str:
    """A spelling-blind key: two surfaces with the same key differ only in spelling, hyphenation or case.

    "co-operation" and "Cooperation" share a key; so do "regionalisation" and "regionalization". Inflection is kept
    ("partnerships" is not "partnership"), so that the consistency report compares like with like.
    """
    s = surface.casefold().replace("\u2019", "'")
    s = re.sub(r"'s?$", "", s)
    words = re.split(r"[\s\-/]+", s)
    norm = []
    for w in words:
        forms = _word_spellings(w)
        norm.append(min(forms))  # a canonical member of the spelling family
    return "".join(norm)


# -- hyphen and space ----------------------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _known(word: str) -> bool:
    from ..lexicon import lemmas

    return bool(lemmas(word))


_LONGEST_PREFIX_FIRST = sorted(_PREFIXES, key=len, reverse=True)


@lru_cache(maxsize=8192)
def _prefix_split(word: str) -> tuple[str, str] | None:
    low = word.lower()
    for pre in _LONGEST_PREFIX_FIRST:
        rest = low[len(pre):]
        if not low.startswith(pre) or len(rest) < 4:
            continue
        stem = rest[:-1] if rest.endswith("ists") else rest  # neo-functionalists
        if _known(rest) or (stem.endswith(("ism", "ist")) and _known(stem[:-3])):
            return word[:len(pre)], word[len(pre):]
        if pre == "co" and rest[0] in "aeiou" and _known(low):  # British co-ordinate, co-exist, co-opt
            return word[:len(pre)], word[len(pre):]
    return None


@lru_cache(maxsize=8192)
def _compound_split(word: str) -> tuple[str, str] | None:
    """'peacekeeping' -> ('peace', 'keeping'): a closed compound of two known words of four letters or more.

    Only gerund compounds (peacekeeping, policymaking) and words the lexicon does not know (spillover) are split:
    splitting a known word ("partnership") would invent forms such as "partner ships" that mean something else.
    """
    low = word.lower()
    if len(low) < 8 or not low.isalpha():
        return None
    if _known(low) and not low.endswith("ing"):
        return None
    for i in range(4, len(low) - 3):
        if _known(low[:i]) and _known(low[i:]) and (low.endswith("ing") == low[i:].endswith("ing")):
            return word[:i], word[i:]
    return None


def separations(term: str) -> set[str]:
    """Hyphen, space and closed variants: spill-over/spillover/spill over, peacekeeping/peace-keeping."""
    if is_case_sensitive(term):
        return {term}
    tokens = re.split(r"(\s+|-)", term)
    spaces = sum(1 for t in tokens if t.isspace())
    choices: list[list[str]] = []
    for t in tokens:
        if t == "-":
            choices.append(["-", "", " "])
        elif t.isspace():
            # a two-word term is also written as a compound adjective ("disaster-relief operations")
            choices.append([" ", "-"] if spaces == 1 else [" "])
        elif t and _WORD.fullmatch(t) and not is_case_sensitive(t) and not _is_proper(t):
            split = _prefix_split(t) or _compound_split(t)
            choices.append([t] + ([f"{split[0]}-{split[1]}", f"{split[0]} {split[1]}"] if split else []))
        else:
            choices.append([t])
    out = {"".join(c) for c in product(*choices)}
    if spaces > 1:
        out.add(re.sub(r"\s+", "-", term))  # "balance-of-power politics"
    return out if len(out) <= 96 else {term, term.replace("-", " "), term.replace("-", "")}


# -- inflection ----------------------------------------------------------------------------------------------------
@lru_cache(maxsize=8192)
def word_inflections(word: str, verbs: bool = True) -> frozenset[str]:
    """Inflected forms of a word as a noun (and as a verb when `verbs`): partnership -> partnerships;
    alliances -> alliance; cooperate -> cooperates, cooperated, cooperating.

    A verb is inflected only from its base form: a variant written "partnering" stays "partnering" (going back
    to "partner" would post every partner of every state). Words the lexicon lacks get the regular noun rules.
    """
    from .. import lexicon

    low = word.lower()
    out = {low}
    lemmas = {u: f for u, f in lexicon.lemmas(low).items()
              if u == "NOUN" or (verbs and u == "VERB" and low in f)}
    if not lemmas:
        if not lexicon.lemmas(low) and not low.endswith("s"):
            for forms in lexicon.inflections_oov(low, "NOUN").values():
                out.update(forms)
        return frozenset(out)
    for upos, lemma_forms in lemmas.items():
        for lemma in lemma_forms:
            for forms in lexicon.inflections(lemma, upos=upos).values():
                out.update(forms)
    return frozenset(f for f in out if f.replace("-", "").isalpha())


def inflections(term: str) -> set[str]:
    """The term with its head word inflected: the last word, or the word before a preposition ("balances of
    power"). A single word is inflected as noun and verb; the head of a phrase as a noun only."""
    if is_case_sensitive(term) or _is_proper(term):
        return {term}
    words = term.split(" ")
    if len(words) == 1 and term.count("-") > 1:  # "balance-of-power": a compound adjective, not inflected
        return {term}
    head = len(words) - 1
    for i, w in enumerate(words):
        if i > 0 and w.lower() in _PREPOSITIONS:
            head = i - 1
            break
    lead, _, last = words[head].rpartition("-")  # "spill-over" -> spill-overs
    if not last.isalpha():
        return {term}
    verbs = len(words) == 1
    if lead and "-" not in lead and _known(lead.lower() + last.lower()):
        # "co-ordinate": inflect the closed word (coordinated, coordinating) and put the hyphen back
        cut = len(lead)
        forms = {f"{f[:cut]}-{f[cut:]}" for f in word_inflections(lead.lower() + last.lower(), verbs=verbs)
                 if f[:cut] == lead.lower()}
        return {" ".join(words[:head] + [f] + words[head + 1:]) for f in forms}
    forms = word_inflections(last, verbs=verbs)
    prefix = lead + "-" if lead else ""
    return {" ".join(words[:head] + [prefix + f] + words[head + 1:]) for f in forms}


def acronym_forms(acronym: str) -> set[str]:
    """An acronym and its plural: PKO, PKOs (matched with their case)."""
    out = {acronym}
    if acronym[-1:].isupper():
        out.add(acronym + "s")
    return out


def forms_of(term: str, inflect: bool = True) -> set[str]:
    """Every form of a vocabulary term: spelling x separation x inflection. Case-insensitive forms are lower-case."""
    term = " ".join(term.split())
    if is_case_sensitive(term):
        return acronym_forms(term) if " " not in term else {term}
    out: set[str] = set()
    for spelt in spellings(term):
        for sep in separations(spelt):
            if inflect:
                out.update(inflections(sep))
            else:
                out.add(sep)
    return {f.lower() for f in out}
