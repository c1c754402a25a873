"""One test per construction the engine must read, on sentences written for the purpose."""

from __future__ import annotations

import pytest

from factdb.enums import SentenceKind, SpeakerKind, Stance
from factdb.extract import extract, normalize_alias
from factdb.extract.segment import segment


def _claims(text: str) -> list[tuple[str | None, str | None, str, str]]:
    return [
        (c.speaker.name if c.speaker else None, c.cue, c.content, c.stance.value)
        for c in extract(text).claims
        if not c.is_publication
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gen. Smith arrived. Mr. Jones left at 9 a.m. The talks ended.", 3),
        ("The U.S. Army said output rose 3.5 percent. It fell later.", 2),
        ("John F. Kennedy spoke first. Others followed.", 2),
        ("Headline Without Punctuation\nThe first sentence. The second one!", 3),
        ("\u201cWe will fight. We will win,\u201d he said.", 2),
    ],
)
def test_segmentation(text: str, expected: int) -> None:
    assert len(segment(text)) == expected


def test_headings_carry_no_claims() -> None:
    result = extract("Ministry Says Talks Resume\nThe ministry said talks would resume.")
    assert result.sentences[0].kind is SentenceKind.HEADING
    assert {c.sentence for c in result.claims} == {1}


def test_indirect_speech_with_adverbial() -> None:
    assert _claims("The Defense Ministry claimed on Saturday that its forces had advanced.") == [
        ("Defense Ministry", "claimed", "its forces had advanced", "asserts")
    ]


def test_denials_and_not_confirmed() -> None:
    assert _claims("Officials have not confirmed any withdrawal.") == [
        ("Officials", "have not confirmed", "any withdrawal", "denies")
    ]
    assert _claims("The mayor denied that the plant was closing.")[0][3] == "denies"


def test_verbs_with_an_object_and_urging() -> None:
    assert _claims("Berg accused Russia of planning an attack.") == [
        ("Berg", "accused", "Russia of planning an attack", "asserts")
    ]
    assert _claims("The minister called on partners to send aid.")[0][1:] == (
        "called on",
        "partners to send aid",
        "urges",
    )


def test_coordinated_and_participial_cues_share_the_speaker() -> None:
    claims = _claims(
        "Kremlin spokesman Dmitry Peskov emphasized that the offer stands but warned that time is short."
    )
    assert claims == [
        ("Dmitry Peskov", "emphasized", "the offer stands", "asserts"),
        ("Dmitry Peskov", "warned", "time is short", "asserts"),
    ]
    claims = _claims("Novak accused the council of delays, vowing that he would fight on.")
    assert [c[1] for c in claims] == ["accused", "vowing"] and claims[1][0] == "Novak"


def test_title_role_and_affiliation_are_split_off() -> None:
    (claim,) = [c for c in extract("Kremlin spokesman Dmitry Peskov said talks were over.").claims]
    assert claim.speaker is not None
    assert (claim.speaker.name, claim.speaker.role, claim.speaker.affiliation) == (
        "Dmitry Peskov",
        "Kremlin spokesman",
        "Kremlin",
    )
    (claim,) = extract("Ukrainian President Volodymyr Zelensky said the line held.").claims
    assert claim.speaker is not None and claim.speaker.role == "President of Ukraine"
    assert claim.speaker.kind is SpeakerKind.PERSON


@pytest.mark.parametrize(
    "text",
    [
        "\u201cThe ships can wait,\u201d Lopez said.",
        '"The ships can wait," said Lopez.',
        "Lopez said: \u201cThe ships can wait.\u201d",
        "The ships can wait, Lopez said on Monday.",
        "According to Lopez, the ships can wait.",
    ],
)
def test_quotes_and_according_to_in_every_position(text: str) -> None:
    claims = _claims(text)
    assert len(claims) == 1
    assert claims[0][0] == "Lopez" and claims[0][2].lower() == "the ships can wait"


def test_possessive_claims_of() -> None:
    assert ("Russia", "claims", "encirclement", "asserts") in _claims(
        "Despite Russia's claims of encirclement, troops held."
    )


def test_pronouns_and_roles_resolve_to_the_right_earlier_speaker() -> None:
    text = (
        "British Prime Minister Keir Starmer met allies. "
        "Ukrainian President Volodymyr Zelensky said aid was late.\n"
        "He stated that the front held. The British prime minister said more would come. "
        "The Ukrainian leader urged partners to hurry."
    )
    speakers = [c[0] for c in _claims(text)]
    assert speakers == [
        "Volodymyr Zelensky",
        "Volodymyr Zelensky",
        "Keir Starmer",
        "Volodymyr Zelensky",
    ]


def test_unresolvable_pronoun_is_left_unresolved() -> None:
    (claim,) = extract("He said the road was closed.").claims
    assert claim.mention == "He" and claim.speaker is None


def test_unattributed_statement_is_the_publications() -> None:
    (claim,) = extract("Heavy rain closed two terminals.").claims
    assert claim.is_publication and claim.stance is Stance.ASSERTS


def test_alias_normal_form() -> None:
    assert normalize_alias("The Kremlin") == normalize_alias("kremlin")
    assert normalize_alias("Russia\u2019s Defense Ministry") == normalize_alias("russia's defense ministry")
    assert normalize_alias("Zelens\u0301kyy") == "zelenskyy"


def _who_and_what(text: str) -> list[tuple[str | None, str]]:
    """(mention, content) of every non-publication claim: for speakers no registry knows."""
    return [(c.mention, c.content) for c in extract(text).claims if not c.is_publication]


def test_cues_inside_a_quotation_belong_to_the_quote() -> None:
    assert _claims("\u201cI think the pier holds, and I believe it,\u201d Lopez said.") == [
        ("Lopez", "said", "I think the pier holds, and I believe it", "asserts")
    ]


def test_capitalized_words_inside_a_sentence_are_names_not_cues() -> None:
    assert _claims("She sat on the Federal Claims Court in 2010.") == []


def test_passives_with_and_without_an_agent() -> None:
    assert _who_and_what("It was reported by Reuters that the plant would close.") == [
        ("Reuters", "the plant would close")
    ]
    assert _who_and_what("The claim was rejected by the ministry.") == [("the ministry", "The claim")]
    assert _who_and_what("A veto is expected before Friday.") == []
    assert _who_and_what("Lopez criticized a fee proposed by the port.")[0][0] == "Lopez"


def test_a_report_that_interrupts_what_was_said() -> None:
    ((_, content),) = _who_and_what('"The risk," she said, "is that the ferry talks stall."')
    assert content.startswith("The risk") and content.endswith("the ferry talks stall")
    ((_, content),) = _who_and_what("The harbour plan, engineers said, has other flaws to fix.")
    assert content.endswith("has other flaws to fix")
    assert _who_and_what("Either way, Ms. Okafor said, the fish market was crowded.") == [
        ("Ms. Okafor", "the fish market was crowded")
    ]


def test_transcript_labels_headline_labels_and_signed_quotations() -> None:
    assert _who_and_what("OKAFOR: The ferry will not sail on Sunday.") == [
        ("OKAFOR", "The ferry will not sail on Sunday")
    ]
    assert _who_and_what("Okafor camp: The levy hurts small farms.")[0][0] == "Okafor"
    assert _who_and_what("Update: The story was corrected.") == []
    signed = "\u201cThe pier is rotten. It was never fixed.\u201d \u2015 Marta Kovacs"
    result = extract(signed)
    assert len(result.sentences) == 1 and result.sentences[0].kind is SentenceKind.STATEMENT
    assert _who_and_what(signed) == [("Marta Kovacs", "The pier is rotten. It was never fixed")]


def test_shares_of_a_poll_each_say_their_part() -> None:
    assert _who_and_what(
        "Two in three said they would stay, and nearly four in five said they felt safe."
    ) == [
        ("Two in three", "they would stay"),
        ("nearly four in five", "they felt safe"),
    ]
    assert _who_and_what("Police say they have enough patrol boats.") == [
        ("Police", "they have enough patrol boats")
    ]


def test_the_speaker_is_found_past_times_titles_and_appositives() -> None:
    assert _who_and_what("Okafor on Friday said she would vote no.") == [("Okafor", "she would vote no")]
    assert _who_and_what("The party's regional chairman, Ana Ruiz, said she had not seen it.") == [
        ("Ana Ruiz", "she had not seen it")
    ]
    assert _who_and_what("Okafor, meanwhile, who has few allies left, said the fight goes on.") == [
        ("Okafor", "the fight goes on")
    ]
    assert _who_and_what(
        "The Centre for Water Studies at the State University estimates that bills would rise."
    ) == [("The Centre for Water Studies at the State University", "bills would rise")]


def test_positions_count_but_nouns_do_not() -> None:
    assert _claims("Okafor wants to double the ferry budget.") == [
        ("Okafor", "wants", "to double the ferry budget", "asserts")
    ]
    assert _claims("Okafor wants a quiet weekend.") == []  # no infinitive: not a position
    assert _claims("Okafor's remarks drew criticism.") == []
    assert _who_and_what("The BBC report was unfair, the harbour board said.") == [
        ("the harbour board", "The BBC report was unfair")
    ]


def test_a_listener_after_told_and_a_quote_after_a_quote() -> None:
    assert _who_and_what("\u201cWe fished there legally,\u201d Okafor told reporters.") == [
        ("Okafor", "We fished there legally")
    ]
    assert _who_and_what('"We will win," Lopez said. "Nobody can stop us."') == [
        ("Lopez", "We will win"),
        ("Lopez", "Nobody can stop us"),
    ]


def test_clauses_without_that_and_long_speaker_phrases() -> None:
    assert _who_and_what("She predicted prices would fall.") == [("She", "prices would fall")]
    assert _who_and_what("She predicted a landslide.") == []  # no clause: not a report
    assert _who_and_what("Water engineers caution that the dam leaks.") == [
        ("Water engineers", "the dam leaks")
    ]
    assert _who_and_what("Ferries carry fewer cars, Sen. Tom Berg (R-Ohio) told reporters.") == [
        ("Sen. Tom Berg", "Ferries carry fewer cars")
    ]
    assert _who_and_what(
        '"It was a close call," said Ana Ruiz of the University of Leeds School of Law.'
    ) == [("Ana Ruiz of the University of Leeds School of Law", "It was a close call")]


def test_speakers_from_the_new_kinds_of_mention() -> None:
    def speaker(text: str) -> tuple[str, str, str | None, str | None]:
        (claim,) = [c for c in extract(text).claims if not c.is_publication]
        assert claim.speaker is not None
        sp = claim.speaker
        return (sp.name, sp.kind.value, sp.role, sp.affiliation)

    assert speaker("Two in three said they would vote.") == ("Two in three", "group", None, None)
    assert speaker("It was late, lawyers for the tenants said.")[1] == "group"
    assert speaker('"A close call," said Ana Ruiz of the University of Leeds.') == (
        "Ana Ruiz",
        "person",
        None,
        "University of Leeds",
    )
    assert speaker("Secretary of State Ana Ruiz said talks would resume.") == (
        "Ana Ruiz",
        "person",
        "Secretary of State",
        None,
    )


def test_a_relative_who_is_the_mention_and_its_antecedent_the_speaker() -> None:
    (claim,) = [
        c for c in extract("It was signed by Okafor, who said it was fair.").claims if not c.is_publication
    ]
    assert claim.mention == "who" and claim.speaker is not None and claim.speaker.name == "Okafor"
    assert claim.content == "it was fair"


def test_a_line_that_introduces_a_quotation_over_paragraphs() -> None:
    text = (
        "Senator Maria Lopez said the vote was close.\n"
        "She said:\n"
        '"The bridge is unsafe. Nobody has inspected it.\n'
        '"We will close it on Monday."\n'
        "The crowd cheered."
    )
    claims = [(c.speaker.name if c.speaker else None, c.content) for c in extract(text).claims]
    assert claims == [
        ("Maria Lopez", "the vote was close"),
        ("Maria Lopez", "The bridge is unsafe"),
        ("Maria Lopez", "Nobody has inspected it"),
        ("Maria Lopez", "We will close it on Monday"),
        (None, "The crowd cheered"),
    ]


def test_sentences_before_an_introducing_colon_on_the_same_line_are_statements() -> None:
    text = (
        "Senator Maria Lopez visited the harbour on Monday. The harbour master said the pier "
        "was safe. Lopez said:\n"
        '"The bridge is unsafe."'
    )
    result = extract(text)
    kinds = [s.kind for s in result.sentences]
    assert kinds == [
        SentenceKind.STATEMENT,
        SentenceKind.STATEMENT,
        SentenceKind.HEADING,
        SentenceKind.STATEMENT,
    ]
    claims = [(c.sentence, c.speaker.name if c.speaker else None, c.content) for c in result.claims]
    assert claims == [
        (0, None, "Senator Maria Lopez visited the harbour on Monday"),
        (1, "harbour master", "the pier was safe"),
        (3, "Maria Lopez", "The bridge is unsafe"),
    ]


def test_a_title_ending_in_a_colon_stays_a_heading() -> None:
    result = extract("What the council decided:\nThe pier reopens in May.")
    assert [s.kind for s in result.sentences] == [SentenceKind.HEADING, SentenceKind.STATEMENT]


def test_a_study_named_at_length_after_the_finding() -> None:
    assert _who_and_what(
        "Fees rose $2.3 million, a Gazette review of recently filed county records shows."
    ) == [("a Gazette review of recently filed county records", "Fees rose $2.3 million")]


def test_a_quotation_of_several_sentences_right_after_a_quote_keeps_its_speaker() -> None:
    text = (
        '"The ferry will run again in May," Lopez said.\n\n'
        '"The repairs are paid for. The crews start on Monday."\n\n'
        "The harbour was quiet on Friday."
    )
    assert [(c.mention, c.content) for c in extract(text).claims] == [
        ("Lopez", "The ferry will run again in May"),
        ("Lopez", "The repairs are paid for"),
        ("Lopez", "The crews start on Monday"),
        (None, "The harbour was quiet on Friday"),
    ]


def test_a_quotation_after_a_quote_goes_to_the_speaker_named_after_it() -> None:
    text = (
        '"The ferry will run again in May," Lopez said. '
        '"The repairs are not paid for. The crews have not been hired," the engineer Tom Berg said.'
    )
    assert [(c.mention, c.content) for c in extract(text).claims] == [
        ("Lopez", "The ferry will run again in May"),
        ("the engineer Tom Berg", "The repairs are not paid for"),
        ("the engineer Tom Berg", "The crews have not been hired"),
    ]


def test_a_dash_or_colon_inside_a_quotation_is_part_of_it() -> None:
    assert _who_and_what("\u201cThe plan is good \u2014 the money is there,\u201d the mayor said.") == [
        ("the mayor", "The plan is good \u2014 the money is there")
    ]
    assert _who_and_what('"This is the plan: more ferries, more crews," he said.') == [
        ("he", "This is the plan: more ferries, more crews")
    ]


def test_a_descriptor_before_the_name_after_an_inverted_cue() -> None:
    assert _who_and_what('"We cannot vote for him," said Leeds resident Tom Berg.') == [
        ("Leeds resident Tom Berg", "We cannot vote for him")
    ]


def test_a_sentence_that_only_names_the_speaker_after_a_quotation() -> None:
    text = (
        "The vote failed.\n\u201cThe bridge is old. Are they serious?\u201d\nBerg said on Monday. It rained."
    )
    assert [(c.mention, c.rule, c.content) for c in extract(text).claims if not c.is_publication] == [
        ("Berg", "quote-named-after", "The bridge is old"),
        ("Berg", "quote-named-after", "Are they serious"),
    ]


def test_a_time_after_the_cue_is_when_not_what() -> None:
    assert _who_and_what("Berg said on Monday the pier would reopen.") == [("Berg", "the pier would reopen")]
    assert _who_and_what("Berg said on Monday.") == []
    assert _who_and_what(
        '"It is a failure," Tom Berg, the chief engineer of the port, said just after midnight.'
    ) == [("Tom Berg", "It is a failure")]


def test_a_description_between_the_quote_and_the_name() -> None:
    (claim,) = [
        c
        for c in extract(
            "\u201cThey want two things: pay and rest,\u201d Fair Pay organizing director Ana Ruiz told "
            "Radio 4 in Leeds."
        ).claims
        if not c.is_publication
    ]
    assert claim.mention == "Fair Pay organizing director Ana Ruiz"
    assert claim.speaker is not None and claim.speaker.name == "Ana Ruiz"
    assert claim.content == "They want two things: pay and rest"
    assert _who_and_what("\u201cNobody should be \u2018taken in by it,\u2019\u201d Walsh wrote.") == [
        ("Walsh", "Nobody should be \u2018taken in by it")
    ]


def test_a_headline_in_title_case_reports_too() -> None:
    assert _who_and_what("Port Engineer Says The Old Pier Is In Trouble.") == [
        ("Port Engineer", "The Old Pier Is In Trouble")
    ]
    assert _who_and_what("She sat on the Federal Claims Court in 2010.") == []


def test_a_single_quote_inside_a_double_quoted_quotation_does_not_close_it() -> None:
    text = (
        "The coach said people misread him. \u201cI\u2019ve known Berg since he became \u2018The Boss.\u2019 "
        "Berg is not cruel. He is just loud,\u201d Walker said."
    )
    assert [(c.mention, c.content) for c in extract(text).claims] == [
        ("The coach", "people misread him"),
        ("Walker", "I\u2019ve known Berg since he became \u2018The Boss"),
        ("Walker", "Berg is not cruel"),
        ("Walker", "He is just loud"),
    ]


def test_went_on_to_say_and_continued_to_insist_are_cues() -> None:
    assert _claims("He went on to say the pier was unsafe.")[0][1:3] == (
        "went on to say",
        "the pier was unsafe",
    )
    assert _who_and_what("The mayor continued to insist that the pier was safe.") == [
        ("The mayor", "the pier was safe")
    ]
