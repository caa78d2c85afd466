"""The words that signal a claim and decide its label; the only place to tune the rules' vocabulary."""

from __future__ import annotations

# Verbs (lemmas) that attribute a clause to a speaker: "X said (that) Y".
REPORTING_VERBS = frozenset(
    """
    say report write allege accuse deny estimate record acknowledge claim warn add state tell announce
    confirm insist argue note believe publish urge document count reject dismiss assert declare explain
    conclude stress emphasise emphasize maintain admit assess contend predict complain suggest reveal
    testify tweet post charge condemn denounce describe reiterate repeat indicate specify recall
    show find agree know think hope fear expect feel question mention decide reply respond realize learn
    doubt predict promise pledge vow propose recommend demand concede boast signal hint caution observe point
    """.split()
)
# Reporting verbs whose direct object can itself be the claim: "the inspectors recorded 40 break-ins", and verbs of
# taking a stand whose object is what the speaker holds a view on: "the senator endorsed the bill" (not attack,
# defend or cite, which in war reporting name acts and evidence, not views).
OBJECT_CLAIM_VERBS = frozenset(
    """
    document record count estimate confirm condemn denounce deny reject dismiss criticize criticise blast praise
    endorse support oppose slam welcome applaud hail
    """.split()
)
# Verbs that name what their object is: "called the charges fabricated", "cited the audit as the reason" (cite
# alone, "cited footage", names evidence, not a claim).
NAMING_VERBS = frozenset("call cite label brand".split())
# Verbs of intention and will whose infinitive is what is attributed: "the governor vowed to veto the bill".
INTENT_VERBS = frozenset("want plan vow pledge promise intend seek threaten decide agree refuse decline hope expect offer aim".split())
# Verbs whose prepositional object is what is attributed: "called for an inquiry", "spoke about her faith".
TOPIC_PREPOSITIONS = {
    "call": ("for",), "talk": ("about",), "speak": ("about", "of"), "ask": ("about",), "comment": ("on",),
    "complain": ("about",), "worry": ("about",), "warn": ("about", "of", "against"), "write": ("about",),
    "argue": ("for", "against"), "push": ("for",), "advocate": ("for",), "campaign": ("for", "against"),
    "testify": ("about",), "tweet": ("about",), "point": ("to",),
}
# Objects that only name a claim made elsewhere ("denied the allegations"): not a claim by themselves.
CLAIM_NOUNS = frozenset(
    "allegation accusation claim report charge rumour rumor statement comment question request it this that them".split()
)
# Verbs that take the accused party and the act: "accused the firm of dumping waste".
ACCUSING_VERBS = frozenset("accuse charge blame".split())
# Verbs that call on someone to act: "urged the council to act".
URGING_VERBS = frozenset("urge call ask".split())
# Passive forms that report without a speaker: "it is believed that ...", "X is said to ...".
IMPERSONAL_VERBS = frozenset("believe say report allege think estimate understand fear expect suspect".split())
# Hedges by which the article itself asserts something: "the photos seem to show ...".
HEDGING_VERBS = frozenset("appear seem purport".split())
# Words that introduce an attributed clause without a verb of the speaker: "according to X".
ACCORDING = "according"
# Subordinators whose clause, after a reported clause, goes on with what is reported: "said it would resign if the
# vote failed", "said the port would close because ...", "said it would be unwise for the council to vote".
REPORTED_SUBORDINATORS = frozenset("because if unless for".split())
# Labels that open a line with a colon as a speaker's name does ("Santos: ..."), but name no speaker.
EDITORIAL_LABELS = frozenset(
    """
    correction corrections clarification update updated note editor editors source sources related read watch see
    photo photos video videos caption credit disclaimer disclosure advertisement breaking exclusive opinion analysis
    revealed look listen
    """.split()
)

DENIAL_CUES = frozenset("deny reject dismiss refute rebut".split())
ALLEGATION_CUES = frozenset("allege accuse charge blame condemn denounce".split())
STATISTIC_CUES = frozenset("estimate count tally calculate".split())
# Phrases that rebut an accusation even after a neutral cue ("said the plant operates in line with the rules").
DENIAL_PHRASES = (
    "compliance with",
    "in line with",
    "in accordance with",
    "within international law",
    "propaganda",
    "fabricated",
    "fabrication",
    "baseless",
    "groundless",
    "unfounded",
    "fake",
    "staged",
    "provocation",
)
# Violent acts whose mention makes a claim an allegation; phrasal verbs are joined by "_" ("open_fire").
VIOLENT_LEMMAS = frozenset(
    """
    execute execution kill killing shoot shooting murder torture abuse mistreat mistreatment rape beat
    behead massacre slaughter maim torment starve mutilate atrocity violation violate breach finish_off open_fire
    """.split()
)
# Phrasal uses of violent verbs that are not violence against people.
PEACEFUL_PHRASAL = frozenset({"shoot_down"})
# Violent acts named by phrases rather than single words.
VIOLENT_PHRASES = ("war crime", "gunfire", "crime against humanity", "crimes against humanity")
# Verbs of harm whose negation rebuts an accusation: "its pilots did not target civilians".
HARM_VERBS = frozenset("target attack harm hurt shell bomb strike fire mistreat commit use".split())
# Modifiers that make a violent noun generic or anaphoric ("such beatings"), not an alleged act.
GENERIC_MODIFIERS = frozenset("such these those another new further more similar any".split())
# Words that make a number an aggregate (a statistic) rather than the size of one incident.
AGGREGATE_WORDS = frozenset("since total toll tally overall altogether % percent figure figures".split())
# Verbs whose clause reports an action or an event; phrasal verbs are joined by "_" ("shoot_down").
EVENT_VERBS = frozenset(
    """
    advance seize capture take retake open launch send repel withdraw retreat liberate evacuate arrest detain
    return release exchange write sign identify inform visit deploy strike attack raise begin start fall
    lose destroy shoot_down occupy enter cross encircle surround hand deliver publish file submit
    transfer bring cite separate recapture free push investigate share ask appeal summon establish
    stop collide rebuild build repair arrive flee move meet vote suspend close block cut
    resume restore rescue find discover recover sink crash explode burn collapse expel sentence convict charge damage
    """.split()
)
# Modal verbs that turn a clause into an opinion, a call or a warning.
OPINION_MODALS = frozenset("must should can could may might ought".split())
