"""The words the engine knows: reporting cues with their stance, titles, speaker nouns.

General English news vocabulary only; nothing here is taken from a particular article.
"""

from __future__ import annotations

from factdb.enums import SpeakerKind, Stance


def _forms(base: str, *irregular: str) -> set[str]:
    """The inflected forms of a regular verb (plus any irregular ones given)."""
    if irregular:
        return {base, *irregular}
    if base.endswith("e"):
        stem = base[:-1]
        return {base, base + "s", base + "d", stem + "ing"}
    if base.endswith("y") and base[-2] not in "aeiou":
        stem = base[:-1]
        return {base, stem + "ies", stem + "ied", base + "ing"}
    if base.endswith(("s", "sh", "ch", "x", "z")):
        return {base, base + "es", base + "ed", base + "ing"}
    return {base, base + "s", base + "ed", base + "ing"}


_ASSERT_VERBS: dict[str, tuple[str, ...]] = {
    "say": ("said", "says", "saying"),
    "tell": ("told", "tells", "telling"),
    "write": ("wrote", "writes", "writing", "written"),
    "think": ("thought", "thinks", "thinking"),
    "tweet": (),
    "claim": (),
    "state": ("stated", "stating"),  # "states" is far more often the noun
    "add": (),
    "warn": (),
    "emphasize": (),
    "emphasise": (),
    "stress": (),
    "insist": (),
    "argue": (),
    "note": (),
    "report": (),
    "announce": (),
    "confirm": (),
    "acknowledge": (),
    "admit": ("admitted", "admits", "admitting"),
    "allege": (),
    "assert": (),
    "declare": (),
    "explain": (),
    "suggest": (),
    "predict": (),
    "promise": (),
    "vow": (),
    "accuse": (),
    "criticize": (),
    "criticise": (),
    "believe": (),
    "contend": (),
    "maintain": (),
    "reiterate": (),
    "caution": (),
    "complain": (),
    "concede": (),
    "testify": (),
    "estimate": (),
    "assess": (),
    "recall": (),
    "reply": (),
    "respond": (),
    "charge": (),
    "blame": (),
    "praise": (),
    "condemn": (),
    "assure": (),
    "pledge": (),
    "boast": (),
    "observe": (),
    "conclude": (),
    "continue": (),
    "remark": (),
    "signal": (),
    "hint": (),
    "indicate": (),
    "reveal": (),
    "disclose": (),
    "mention": (),
    "counter": (),
    "retort": (),
    "quip": (),
    "joke": (),
    "post": (),
    "agree": (),
    "worry": (),
    "fear": (),
    "hope": (),
    "expect": (),
    "show": ("showed", "shows", "showing", "shown"),
    "find": ("found", "finds", "finding"),
    "describe": (),
    "question": (),
    "defend": (),
    "attack": (),
    "slam": ("slammed", "slams", "slamming"),
}
_DENY_VERBS: dict[str, tuple[str, ...]] = {
    "deny": (),
    "reject": (),
    "dismiss": (),
    "refute": (),
    "dispute": (),
    "rebut": ("rebutted", "rebuts"),
}
_URGE_VERBS: dict[str, tuple[str, ...]] = {
    "urge": (),
    "appeal": ("appealed", "appeals", "appealing"),
    "demand": (),
    "implore": (),
    "plead": (),
}
# Verbs of position and attitude: what someone wants, plans, backs or condemns is theirs to answer
# for, as a fact-checker sees it ("the mayor wants to double ...", "the union cited a survey ...").
_POSITION_VERBS: dict[str, tuple[str, ...]] = {
    "want": (),
    "plan": ("planned", "plans", "planning"),
    "seek": ("sought", "seeks", "seeking"),
    "intend": (),
    "decline": (),
    "refuse": (),
    "threaten": (),
    "prefer": ("preferred", "prefers", "preferring"),
    "propose": (),
    "support": (
        "supported",
        "supports",
        "supporting",
    ),  # "support" alone is mostly the noun
    "oppose": (),
    "endorse": (),
    "back": ("backed", "backing"),  # "back", "backs": "looking back", "pulls back"
    "cite": (),
    "mock": (),
    "blast": (),
    "denounce": (),
    "decry": (),
    "lament": (),
    "echo": ("echoed", "echoes", "echoing"),
    "thank": (),
    "tout": (),
    "hail": (),
    "applaud": (),
    "ridicule": (),
    "ask": (),
    "feel": ("felt", "feels", "feeling"),
    "know": ("knew", "knows", "knowing"),
    "express": (),
    "call": ("called", "calls", "calling"),
    "discuss": (),
}
# More verbs of saying, judging and asking, in the sense news uses them.
_COMMUNICATION_VERBS: dict[str, tuple[str, ...]] = {
    "imply": (),
    "highlight": (),
    "underscore": (),
    "reaffirm": (),
    "recommend": (),
    "advocate": (),
    "lambaste": (),
    "chide": (),
    "scold": (),
    "rebuke": (),
    "deride": (),
    "fault": (),
    "confess": (),
    "proclaim": (),
    "speculate": (),
    "forecast": ("forecast", "forecasts", "forecasting"),
    "wonder": (),
    "doubt": (),
    "suspect": (),
    "recognize": (),
    "realize": (),
    "assume": (),
    "rule": (),
    "shout": (),
    "yell": (),
    "chant": (),
    "scream": (),
    "apologize": (),
    "liken": (),
    "label": ("labeled", "labelled", "labels", "labeling", "labelling"),
    "brand": (),
    "dub": ("dubbed", "dubs", "dubbing"),
    "characterize": (),
    "portray": (),
    "disagree": (),
    "encourage": ("encouraged", "encourages", "encourage"),  # "encouraging signs"
    "request": (),
    "explain": (),
    "detail": ("detailed", "detailing"),
    "outline": (),
    "comment": ("commented", "commenting"),  # "comments" is mostly the noun
    "lament": (),
    "tease": (),
    "muse": (),
    "concede": (),
    "hint": (),
    "quip": (),
}
# Position verbs that count only with an infinitive ("wants to ...") or a clause after them.
INFINITIVE_CUES = frozenset(
    _forms("want")
    | _forms("plan", "planned", "plans", "planning")
    | _forms("seek", "sought", "seeks", "seeking")
    | _forms("intend")
    | _forms("decline")
    | _forms("refuse")
    | _forms("threaten")
    | _forms("prefer", "preferred", "prefers", "preferring")
    | _forms("expect")
    | _forms("hope")
    | _forms("agree")
)
# Verbs that report only with a following "that"/quote: alone they are too often not speech.
NEEDS_COMPLEMENT = frozenset(
    _forms("wonder")
    | _forms("doubt")
    | _forms("suspect")
    | _forms("recognize")
    | _forms("realize")
    | _forms("assume")
    | _forms("rule")
    | _forms("comment", "commented", "commenting")
    | _forms("detail", "detailed", "detailing")
    | _forms("explain")
    | _forms("disagree")
    | _forms("muse")
    | _forms("tease")
    | _forms("continue")
    | _forms("signal")
    | _forms("indicate")
    | _forms("show", "showed", "shows", "showing", "shown")
    | _forms("find", "found", "finds", "finding")
    | _forms("fear")
    | _forms("worry")
    | _forms("post")
    | _forms("maintain")
    | _forms("observe")
    | _forms("think", "thought", "thinks", "thinking")
    | _forms("believe")
    | _forms("predict")
    | _forms("describe")
    | _forms("question")
    | _forms("defend")
    | _forms("attack")
    | _forms("reveal")
    | _forms("counter")
    | _forms("charge")
    | _forms("note")
    | _forms("add")
    | _forms("admit", "admitted", "admits", "admitting")
    | _forms("recall")
    | _forms("conclude")
    | _forms("estimate")
    | _forms("assess")
    | _forms("state", "stated", "stating")
    | _forms("feel", "felt", "feels", "feeling")
    | _forms("know", "knew", "knows", "knowing")
    | _forms("ask")
)
# Verbs whose object is part of the content ("accused Russia of ...", "criticized Putin for ...").
OBJECT_CUES = frozenset(
    _forms("accuse")
    | _forms("criticize")
    | _forms("criticise")
    | _forms("blame")
    | _forms("praise")
    | _forms("condemn")
    | _forms("urge")
    | _forms("implore")
    | _forms("slam", "slammed", "slams", "slamming")
    | _forms("attack")
    | _forms("defend")
    | _forms("question")
    | _forms("describe")
    | _forms("support")
    | _forms("oppose")
    | _forms("endorse")
    | _forms("back", "backed", "backing")
    | _forms("cite")
    | _forms("mock")
    | _forms("blast")
    | _forms("denounce")
    | _forms("decry")
    | _forms("lament")
    | _forms("echo", "echoed", "echoes", "echoing")
    | _forms("thank")
    | _forms("tout")
    | _forms("hail")
    | _forms("applaud")
    | _forms("ridicule")
    | _forms("express")
    | _forms("call", "called", "calls", "calling")
    | _forms("discuss")
    | _forms("propose")
    | _forms("mention")
    | _forms("lambaste")
    | _forms("chide")
    | _forms("scold")
    | _forms("rebuke")
    | _forms("deride")
    | _forms("fault")
    | _forms("liken")
    | _forms("label", "labeled", "labelled", "labels", "labeling", "labelling")
    | _forms("brand")
    | _forms("dub", "dubbed", "dubs", "dubbing")
    | _forms("characterize")
    | _forms("portray")
    | _forms("encourage", "encouraged", "encourages", "encourage")
    | _forms("highlight")
    | _forms("underscore")
    | _forms("outline")
    | _forms("recommend")
    | _forms("advocate")
)


def _index(verbs: dict[str, tuple[str, ...]], stance: Stance) -> dict[str, Stance]:
    return {form: stance for base, irregular in verbs.items() for form in _forms(base, *irregular)}


# Base forms ("say", "appeal"): a finite cue only after a plural subject or I/we/you/they.
CUE_BASES = frozenset(
    base
    for verbs in (
        _ASSERT_VERBS,
        _COMMUNICATION_VERBS,
        _POSITION_VERBS,
        _DENY_VERBS,
        _URGE_VERBS,
    )
    for base in verbs
)
# Forms that news uses mostly as nouns or adjectives ("his remarks", "the appeal", "back in
# 2012", "an expected vote"), or, for a few verbs, mostly for what is not a claim ("felt ill").
# Measured: right as cues in under a quarter of their PolNeAR train occurrences.
NOT_CUES = frozenset(
    """remarks appeal appeals attacks back support state report reports plan call calls expected
    intended felt knew""".split()
)
CUE_STANCE: dict[str, Stance] = {
    form: stance
    for form, stance in {
        **_index(_POSITION_VERBS, Stance.ASSERTS),
        **_index(_COMMUNICATION_VERBS, Stance.ASSERTS),
        **_index(_ASSERT_VERBS, Stance.ASSERTS),
        **_index(_DENY_VERBS, Stance.DENIES),
        **_index(_URGE_VERBS, Stance.URGES),
    }.items()
    if form not in NOT_CUES
}
# Multi-word cues, matched before single words.
PHRASE_CUES: dict[str, Stance] = {
    **{f"{form} on": Stance.URGES for form in _forms("call")},
    **{f"{form} upon": Stance.URGES for form in _forms("call")},
    **{f"{form} for": Stance.URGES for form in _forms("call")},
    **{f"{form} out": Stance.ASSERTS for form in _forms("point")},
    **{
        f"{form} to": Stance.ASSERTS
        for form in _forms("point") | _forms("refer", "referred", "refers", "referring")
    },
    **{
        f"{form} about": Stance.ASSERTS
        for form in _forms("talk") | _forms("speak", "spoke", "speaks", "speaking", "spoken")
    },
    **{f"{form} of": Stance.ASSERTS for form in _forms("speak", "spoke", "speaks", "speaking", "spoken")},
    **{f"{form} to confirm": Stance.DENIES for form in _forms("decline") | _forms("refuse")},
}

# Every word that can make a report, whatever its context rules: a verb of saying, thinking or
# taking a position, or the first word of a phrase cue.
REPORTING_WORDS = (
    frozenset(CUE_STANCE)
    | INFINITIVE_CUES
    | NEEDS_COMPLEMENT
    | OBJECT_CUES
    | frozenset(phrase.split()[0] for phrase in PHRASE_CUES)
)

NEGATED_DENIALS = frozenset(_forms("confirm") | _forms("say", "said", "says", "saying"))
# Nouns that report what someone said: "Russia's claims of ...".
REPORT_NOUNS = {
    "claim": Stance.ASSERTS,
    "claims": Stance.ASSERTS,
    "assertion": Stance.ASSERTS,
    "assertions": Stance.ASSERTS,
    "accusation": Stance.ASSERTS,
    "accusations": Stance.ASSERTS,
    "allegation": Stance.ASSERTS,
    "allegations": Stance.ASSERTS,
    "warning": Stance.ASSERTS,
    "warnings": Stance.ASSERTS,
    "denial": Stance.DENIES,
    "denials": Stance.DENIES,
    "statement": Stance.ASSERTS,
    "insistence": Stance.ASSERTS,
    "promise": Stance.ASSERTS,
    "promises": Stance.ASSERTS,
    "call": Stance.URGES,
    "calls": Stance.URGES,
    "appeal": Stance.URGES,
}

PRONOUNS = {
    "he": SpeakerKind.PERSON,
    "she": SpeakerKind.PERSON,
    "they": SpeakerKind.GROUP,
    "it": SpeakerKind.ORGANIZATION,
    "i": SpeakerKind.PERSON,
    "we": SpeakerKind.GROUP,
}
RELATIVE_PRONOUNS = frozenset({"who", "which", "that"})

# Common nouns that can head the name of a speaker: "officials said", "the ministry said".
GROUP_NOUNS = frozenset(
    """officials sources source analysts experts critics aides advisers advisors lawmakers legislators
    senators voters residents witnesses observers supporters opponents authorities investigators
    prosecutors diplomats people democrats republicans officers soldiers troops forces leaders members
    economists scientists researchers doctors activists organizers organisers protesters spokespeople
    insiders historians strategists pollsters commentators allies partners reporters journalists
    negotiators generals ministers commanders unions groups observers surveys polls polls
    spokesmen spokeswomen specialists""".split()
)
ORG_NOUNS = frozenset(
    """ministry department office agency committee council party service army navy government kremlin
    pentagon commission campaign court police administration embassy bureau parliament senate house
    congress company firm group union institute university foundation network newspaper paper
    channel station report poll survey study statement spokesman's command staff cabinet assembly
    ministry's board bank organization organisation alliance coalition team center centre corporation
    authority watchdog regulator college association federation society academy fund trust""".split()
)
# Nouns that stand for an organization the article has named, as "it" does ("the company said").
GENERIC_BODY_NOUNS = frozenset(
    """company firm agency alliance organisation organization carmaker retailer lender insurer airline
    bloc group manufacturer maker operator charity watchdog regulator""".split()
)
# Bodies that speak under the name of their kind when the article names no such body ("The army
# said", "The jury found"): the speaker is the body the kind names, not a guess at a named one.
BODY_KIND_NOUNS = frozenset(
    """army military navy police jury court government ministry parliament senate cabinet kremlin
    pentagon prosecution defence defense council commission regulator tribunal junta""".split()
)
# How a description set off after a name tells a business ("Brightmoor, the Dutch shipbuilder,"):
# its head ends in one of these, or is one of the organization nouns above.
BODY_DESCRIPTION_ENDINGS = (
    "maker",
    "builder",
    "producer",
    "supplier",
    "provider",
    "retailer",
    "carrier",
    "giant",
    "conglomerate",
    "chain",
    "broadcaster",
    "publisher",
    "developer",
    "exporter",
    "importer",
    "startup",
    "start-up",
)
PERSON_NOUNS = frozenset(
    """spokesman spokeswoman spokesperson president minister secretary leader official senator governor
    mayor chancellor chief director chairman chairwoman chair ambassador general commander candidate
    nominee adviser advisor aide envoy premier king queen prince judge lawyer attorney prosecutor
    representative congressman congresswoman lawmaker analyst expert source officer captain colonel
    sergeant lieutenant host author writer reporter economist professor manager founder ceo head
    deputy speaker strategist pollster diplomat negotiator monarch pope emperor businessman
    businesswoman activist""".split()
)
TITLE_WORDS = frozenset(
    """president prime minister foreign defense defence interior finance deputy vice spokesman
    spokeswoman spokesperson press secretary state general gen. sen. senator rep. representative gov.
    governor mayor chancellor chief director chairman chairwoman ambassador commander lt. col. sgt.
    capt. adm. mr. mrs. ms. dr. prof. former top senior acting leader official attorney judge justice
    envoy king queen prince sheikh pope candidate nominee adviser advisor aide head ceo speaker majority
    minority whip democratic republican presidential presumptive national security white house
    campaign manager chair communications""".split()
)
# Numbers and shares that can stand for who spoke in a poll: "two in three said", "22 percent".
NUMBER_WORDS = frozenset(
    """one two three four five six seven eight nine ten half third thirds quarter quarters percent
    majority plurality most""".split()
)
HONORIFICS = frozenset({"mr.", "mrs.", "ms.", "dr.", "prof.", "mr", "mrs", "ms", "dr"})
NATIONALITIES = {
    "ukrainian": "Ukraine",
    "russian": "Russia",
    "british": "Britain",
    "american": "the United States",
    "u.s.": "the United States",
    "us": "the United States",
    "french": "France",
    "german": "Germany",
    "chinese": "China",
    "israeli": "Israel",
    "palestinian": "Palestine",
    "iranian": "Iran",
    "turkish": "Turkey",
    "polish": "Poland",
    "indian": "India",
    "japanese": "Japan",
    "italian": "Italy",
    "spanish": "Spain",
    "canadian": "Canada",
    "mexican": "Mexico",
    "syrian": "Syria",
    "iraqi": "Iraq",
    "saudi": "Saudi Arabia",
    "egyptian": "Egypt",
    "belarusian": "Belarus",
    "korean": "Korea",
    "north korean": "North Korea",
    "south korean": "South Korea",
    "european": "Europe",
}
COUNTRIES = frozenset(
    """russia ukraine britain china france germany israel iran turkey poland india japan italy spain
    canada mexico syria iraq egypt belarus moscow kyiv kiev washington beijing london paris berlin
    tehran ankara warsaw""".split()
) | {
    "the united states",
    "united states",
    "the u.s.",
    "u.s.",
    "north korea",
    "south korea",
    "saudi arabia",
    "the united kingdom",
    "united kingdom",
    "the uk",
    "uk",
}
# Capitals stand for their governments.
LEADER_WORDS = frozenset({"leader", "president", "premier", "chancellor", "head", "prime", "ruler"})
ADVERBS = frozenset(
    """also again repeatedly previously later earlier then once reportedly publicly privately firmly
    strongly quickly recently already still flatly further separately openly angrily bluntly simply
    initially subsequently immediately quietly loudly clearly explicitly specifically personally
    vehemently categorically indeed often frequently has have had was were is are will would did does
    do not never had been be could might may can should""".split()
) | frozenset(
    # Between a subject and its verb as often as "also": "The mayor however said", "Ruiz himself
    # said" (an emphatic reflexive is no noun of the phrase).
    {"however", "nonetheless", "nevertheless", "meanwhile", "himself", "herself", "themselves", "itself"}
    | {"overall"}  # "voters overall said"
    # "Ruiz has long argued", "has since said", "first said", "now says", "even said".
    | {"long", "since", "first", "always", "now", "even", "just", "only", "ever"}
)
SKIP_AFTER_CUE = frozenset(
    """on in at during late early last this on earlier yesterday today tonight monday tuesday wednesday
    thursday friday saturday sunday just shortly""".split()
)


# --- The grammar's small words -------------------------------------------------------------
# Closed word classes the tokens, phrases, cues and rules stages test against. Each list is
# defined here once; the stages import it by name.

# Abbreviations that keep their final period as part of the word ("Mr.", "Gen.").
ABBREVIATIONS = frozenset("""mr mrs ms dr gen sen rep gov lt col st jr sr prof""".split())
# Words that look capitalized only because they open a sentence or clause.
FUNCTION_CAPS = frozenset(
    """The A An This That These Those However But And Meanwhile Despite After Before When While As If In On
    At For From With By Yet Still Now Also Instead Although Though Because Since So Then Its His Her Their
    Our My Your It Asked Speaking Later Earlier Last Next Today Yesterday""".split()
)
# Words that may open or modify a speaker's noun phrase ("the", "senior", "defense", "two").
DETERMINERS = frozenset(
    """the a an his her their its our some many several most other another two three four five few
    senior top former local state federal military government campaign party white press foreign
    defense defence intelligence security health election u.s. us un eu anonymous unnamed both all
    these those this that one such certain""".split()
)
# True determiners only: what opens a common-noun phrase ("the", "its", "several").
NOUN_DETERMINERS = frozenset(
    {"the", "a", "an", "some", "many", "several", "other", "most", "one", "another"}
    | {"his", "her", "its", "their", "our", "my", "your", "both", "all", "these", "those", "this"}
)
# Words that join the parts of a name ("Secretary of State", "bin", "von").
NP_JOINERS = frozenset({"of", "for", "and", "&", "-", "'s", "\u2019s", "de", "von", "van", "al", "bin", "la"})
# Words that open a subordinate clause, so no noun phrase runs across them.
CLAUSE_OPENERS = frozenset({"that", "which", "who", "whom", "whose"})
# After a comma these open a clause that is no longer the reported content.
CLAUSE_BREAKS = frozenset({"while", "whereas", "although", "though", "because", "with"})
POSSESSIVE_PRONOUNS = frozenset({"his", "her", "their", "its"})
OBJECT_PRONOUNS = frozenset({"him", "her", "them", "me", "us"})
# Quantifiers that can be a subject by themselves ("Others said", "Both vowed").
QUANTIFIER_SUBJECTS = frozenset(
    {"both", "each", "many", "some", "most", "others", "several", "few", "someone", "somebody", "another"}
    | {"everyone", "everybody", "nobody", "anyone", "anybody"}
)
# "those surveyed", "those polled": the people a poll asked.
SURVEYED = frozenset({"surveyed", "polled", "asked", "questioned", "interviewed", "responding"})
TIME_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday week weekend month year morning
    afternoon evening night day today yesterday tonight january february march april may june july
    august september october november december earlier later""".split()
)
# Words that lead a time expression ("on Tuesday", "last week").
TIME_LEADS = frozenset({"on", "in", "at", "last", "this", "next", "early", "late", "earlier", "later"})
# Small words inside a share ("one in five", "nearly half of").
QUANTITY_JOINERS = frozenset({"in", "of", "nearly", "about", "almost", "roughly", "only", "just", "a"})
# Words between commas that do not end a subject ("The mayor, meanwhile, said").
DISCOURSE_WORDS = frozenset(
    """meanwhile however too though instead moreover furthermore nevertheless meantime also then
    now still though""".split()
)
# Time words that stand alone as an adverb right after a cue ("said Tuesday the ...").
BARE_TIME_ADVERBS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday today yesterday tonight""".split()
)
ASK_FORMS = frozenset({"ask", "asks", "asked", "asking"})
TELL_FORMS = frozenset({"tell", "tells", "told", "telling"})
# Documents and findings that "show", "find" or "suggest" without a "that": "one study found ...".
EVIDENCE_NOUNS = frozenset(
    """study studies report reports analysis analyses poll polls survey surveys data records audit
    review investigation research average findings documents filings estimate estimates figures
    statistics tally count""".split()
)
# Nouns that end in -ly, which the adverb test must not take for adverbs.
LY_NOUNS = frozenset({"family", "ally", "assembly", "rally", "supply", "monopoly", "anomaly"})
# Function words that are never the noun of a phrase.
NOT_NOUNS = frozenset(
    """and but or nor so yet that which who whom whose then than as if when while because after before
    also not only just very more most less with of for to in on at by from about into over against despite
    under between through without within across around near since until upon among is are was were be been
    being has have had do does did will would can could should may might must""".split()
)
# Labels that open a line of news copy without naming a speaker ("Update: ...").
NOT_SPEAKER_LABELS = frozenset(
    """another also plus success failure result answer question reason verdict bottom why what how
    here there yes no first second third finally
    update updated note editor's editor’s correction breaking exclusive watch read related
    video photos photo opinion analysis live follow listen see source sources q a question answer
    warning disclaimer subscribe advertisement""".split()
)
# Plural nouns without an -s ("police said").
COLLECTIVE_NOUNS = frozenset({"police", "people", "media", "staff", "public", "clergy", "personnel"})
IRREGULAR_PARTICIPLES = frozenset({"said", "told", "thought", "known", "shown", "found", "written", "seen"})
BE_FORMS = frozenset({"is", "are", "was", "were", "be", "been", "being"})
MODALS = frozenset({"will", "would", "can", "could", "should", "may", "might", "must"})
# Auxiliaries before a participle that make it passive or perfect ("was denied", "has said").
PASSIVE_AUX = BE_FORMS | {"has", "have", "had"}
# Auxiliaries before "not confirmed".
DO_HAVE_AUX = frozenset({"has", "have", "had", "did", "does", "do"})
# Capitalized subordinators that may open a sentence before its subject ("While his advisers ...").
SUBORDINATORS = frozenset(
    {"While", "As", "After", "Before", "When", "If", "Because", "Although", "Though", "Since", "Until"}
)
PREPOSITIONS = frozenset(
    {"of", "for", "in", "on", "at", "to", "with", "by", "from", "about", "into", "over", "against"}
)
# Words that show a clause has its own finite verb ("forecast prices would fall").
FINITE_MARKERS = (
    MODALS
    | {"is", "are", "was", "were", "has", "have", "had", "does", "do", "did"}
    | {"won't", "wouldn't", "can't", "couldn't"}
)
# Words that open a reported clause or question after a cue ("said that", "asked whether").
COMPLEMENTIZERS = frozenset(
    ("that", ":", "whether", "if", "why", "how", "what", "who", "when", "which", "where")
)
# Prepositions that open an adjunct after a cue ("said in a statement", "told to reporters").
ADJUNCT_PREPOSITIONS = frozenset(
    {"to", "in", "on", "at", "by", "during", "after", "before", "via", "from", "with"}
    # Where or amid what it was said ('"...," he said aboard his plane', "said over breakfast").
    | {"aboard", "about", "over", "outside", "inside", "near", "amid", "across", "onstage", "upon"}
)
ADJUNCT_OPENERS = ADJUNCT_PREPOSITIONS | {"as", "when", "while"}
# Participles that follow a cue clause without commenting on it (", during", ", including").
NOT_COMMENT_PARTICIPLES = frozenset({"during", "including", "according", "regarding", "nothing", "something"})
# Participles that go on listing after a cue ("..., adding that", "noting").
LISTING_PARTICIPLES = frozenset({"adding", "noting", "referring"})
# Conjunctions that join a second clause with its own subject or verb.
COORDINATORS = frozenset({"and", "but"})
CONTRASTIVES = frozenset({"and", "but", "while", "whereas"})


# --- Channels: outlets that carry someone else's words ("TASS quoted Peskov as saying") ------------

# News agencies, broadcasters and papers that wire copy names as carrying a speaker's words.
OUTLET_NAMES = frozenset(
    """reuters ap afp tass interfax xinhua anadolu ukrinform unian bbc cnn nbc abc cbs npr pbs msnbc
    bloomberg politico axios itar-tass sputnik yonhap kyodo bernama efe ansa dpa irna isna
    wafa sana""".split()
) | {
    "associated press",
    "agence france-presse",
    "ria novosti",
    "rt",
    "al jazeera",
    "sky news",
    "fox news",
    "voice of america",
    "radio liberty",
    "radio free europe",
    "guardian",
    "financial times",
    "new york times",
    "washington post",
    "wall street journal",
    "le monde",
    "der spiegel",
    "kommersant",
    "izvestia",
    "meduza",
    "ukrainska pravda",
    "kyiv independent",
    "economist",
}
# Nouns that make a phrase an outlet ("the state news agency", "a local newspaper").
OUTLET_NOUNS = frozenset(
    """newspaper newspapers paper daily weekly tabloid agency broadcaster broadcasters channel television
    tv radio station magazine website outlet outlets network media wire""".split()
)
# Last words of outlet names ("the Harbour Gazette", "the Daily Courier").
OUTLET_NAME_WORDS = frozenset(
    """times post journal news gazette herald tribune telegraph chronicle guardian observer express
    mirror courier standard examiner inquirer today press wire agency radio tv television daily
    weekly review record sentinel dispatch bulletin""".split()
)
# Documents a speaker issues: "according to a statement (published) by the ministry".
DOCUMENT_NOUNS = frozenset(
    """statement statements report reports release communique communiqué letter post posts video
    filing document documents message notice transcript bulletin""".split()
)
# Participles between a document and who issued it ("a statement published by").
ISSUED_PARTICIPLES = frozenset(
    """published issued released posted put carried sent made signed circulated""".split()
)
# Participles of saying after "quoted ... as" ("quoted Peskov as saying").
QUOTED_AS_FORMS = frozenset(
    """saying stating telling writing warning adding claiming insisting describing calling""".split()
)


# --- Unnamed sources: "people familiar with the matter", "officials speaking on condition of anonymity"

# Word sequences that, after a group or person noun, make it an unnamed source.
UNNAMED_SOURCE_MARKERS: tuple[tuple[str, ...], ...] = (
    ("familiar", "with"),
    ("speaking", "on", "condition"),
    ("speaking", "under", "condition"),
    ("speaking", "anonymously"),
    ("on", "condition", "of", "anonymity"),
    ("briefed", "on"),
    ("with", "knowledge", "of"),
    ("with", "direct", "knowledge"),
    ("close", "to", "the"),
    ("who", "spoke", "on"),
    ("who", "asked", "not"),
    ("who", "requested", "anonymity"),
    ("who", "declined", "to", "be"),
    ("not", "authorized", "to"),
    ("not", "authorised", "to"),
)
# Words that mark a mention as an unnamed source when the resolver sees them.
UNNAMED_SOURCE_WORDS = (
    "familiar with",
    "anonymity",
    "anonymously",
    "briefed on",
    "knowledge of",
    "not authori",
)
