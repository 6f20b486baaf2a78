"""Words that attribute speech, and the words around speakers' names.

Cue verbs are listed as lemmas with their irregular forms; regular forms (-s, -ed,
-ing) are generated. They are English reporting verbs as the literature on attribution
lists them (say, tell, add, claim, argue, warn...), not words of any one corpus.
"""

from __future__ import annotations

import re

_REGULAR = """
add acknowledge admit advise affirm agree allege announce answer argue ask assert assure
boast brief caution charge cite claim comment complain concede conclude confirm contend
counter declare decline demand deny describe disclose dismiss echo emphasise emphasize
estimate explain express forecast highlight hint indicate inform insist instruct joke
lament maintain mention note object observe order outline plead pledge point post
predict proclaim promise propose question quip recall recommend recount reiterate
remark repeat reply report respond retort reveal remind signal speculate state stress
suggest summarise summarize testify tweet urge vow warn wonder worry
continue call yell shout scream chant exclaim cry read
"""
_IRREGULAR = {
    "say": ["say", "says", "said", "saying"],
    "tell": ["tell", "tells", "told", "telling"],
    "write": ["write", "writes", "wrote", "written", "writing"],
    "think": ["think", "thinks", "thought", "thinking"],
    "believe": ["believe", "believes", "believed", "believing"],
    "find": ["find", "finds", "found", "finding"],
    "show": ["show", "shows", "showed", "shown", "showing"],
    "hope": ["hope", "hopes", "hoped", "hoping"],
    "fear": ["fear", "fears", "feared", "fearing"],
}


def _forms(lemma: str) -> list[str]:
    if lemma.endswith("e"):
        return [lemma, lemma + "s", lemma + "d", lemma[:-1] + "ing"]
    if lemma.endswith("y") and lemma[-2] not in "aeiou":
        return [lemma, lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"]
    if re.search(r"[^aeiou][aeiou][bdgmnprt]$", lemma) and lemma not in ("state", "comment"):
        doubled = lemma + lemma[-1]
        return [lemma, lemma + "s", doubled + "ed", doubled + "ing", lemma + "ed", lemma + "ing"]
    return [lemma, lemma + "s", lemma + "ed", lemma + "ing"]


SPEECH_VERBS: frozenset[str] = frozenset(
    [form for lemma in _REGULAR.split() for form in _forms(lemma)]
    + [form for forms in _IRREGULAR.values() for form in forms]
)
# Verbs that take the listener as object before the content: "told reporters that".
OBJECT_VERBS = frozenset(
    form for lemma in ("tell", "inform", "assure", "remind", "warn", "urge", "brief", "ask")
    for form in (_IRREGULAR[lemma] if lemma in _IRREGULAR else _forms(lemma))
)
# Forms that are more often nouns than reporting verbs ("the United States", "a phone
# call", "a good point"): cues beside quotation marks, but they never open reported speech.
NOUN_LIKE = frozenset(
    """state states point points call calls post posts report reports comment comments
    order orders question questions charge charges answer answers note notes object
    objects echo echoes tweet tweets continue continues forecast forecasts demand demands
    promise promises pledge pledges joke jokes remark remarks reply replies outline
    outlines signal signals cry cries read reads brief briefs briefing briefings finding
    findings""".split()
)
# Cues that take an infinitive as their content: "vowed to fight", "urged them to act".
INFINITIVE_CUES = frozenset(
    form for lemma in ("urge", "vow", "pledge", "promise", "ask", "tell", "order", "call",
                       "demand", "threaten", "agree", "decline", "warn", "advise", "instruct",
                       "plead", "propose", "remind", "recommend")
    for form in (_IRREGULAR[lemma] if lemma in _IRREGULAR else _forms(lemma))
)
PRONOUNS = frozenset("he she they i we it you".split())
PERSON_PRONOUNS = frozenset("he she".split())
DETERMINERS = frozenset("the a an one another some several two three many".split())
# Words that name an office or role rather than a person ("Secretary General", "Gen.").
TITLE_WORDS = frozenset(
    """mr mrs ms miss dr prof sir dame lord lady gen general lt col colonel maj major capt
    captain adm admiral sgt cmdr commander sen senator rep representative gov governor
    president vice prime minister secretary chancellor chairman chairwoman chair chief
    director spokesman spokeswoman spokesperson ambassador envoy mayor judge justice
    king queen prince princess pope rev father bishop sheikh coach ceo cfo head leader
    deputy assistant foreign defence defense interior finance state attorney official
    sg un us uk eu nato cnn bbc""".split()
)
# The titles of a person, not of an organisation.
PERSON_TITLES = TITLE_WORDS - frozenset("sg un us uk eu nato cnn bbc state foreign".split())
TIME_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday yesterday today tonight
    earlier later recently previously last this on in at late early morning afternoon
    evening night week month year ago once again also then now repeatedly""".split()
)
