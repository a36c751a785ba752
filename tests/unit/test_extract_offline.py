"""The offline extractor's rules, one test each, on small hand-written conversations."""
from __future__ import annotations

from datetime import datetime

import pytest

from pipeline.chat_time import BEIJING
from pipeline.extract.tagging import entities_of
from pipeline.extract.common import RAW_CHUNK_WORDS
from pipeline.extract.endings import endings_of
from pipeline.extract.english import split_sentences
from pipeline.extract.third_person import to_third_person
from pipeline.extract.times import annotate_relative_times, resolve_relative_times
from pipeline.extract.offline import OfflineExtractor
from pipeline.extract.statements import is_statement
from pipeline.extract.preferences import preference_slot
from pipeline.models import Batch, Message

SAID = datetime(2023, 5, 8, 13, 56, tzinfo=BEIJING)  # a Monday


def batch(*turns, tags=(), said=SAID) -> Batch:
    messages = []
    for i, turn in enumerate(turns):
        role, content = turn[0], turn[1]
        extra = turn[2] if len(turn) > 2 else {}
        messages.append(Message(role=role, content=content, chat_time=said, message_index=i, **extra))
    return Batch(task_id="t1", project="p", user_id="u", conversation_id="c1", messages=messages,
                 accepted_at=0.0, tags=list(tags))


def run(*turns, **kw):
    return OfflineExtractor().extract(batch(*turns, **kw)).candidates


def texts(candidates, kind):
    return [c.text for c in candidates if c.kind == kind]


def test_fact_is_third_person_with_speaker_name_and_resolved_time():
    facts = texts(run(("user", "Caroline: I went to a LGBTQ support group yesterday and it was so powerful.")), "fact")
    assert facts == ["Caroline went to a LGBTQ support group on 7 May 2023 and it was so powerful."]


def test_fact_without_a_name_prefix_is_about_the_user_and_carries_the_date_said():
    facts = texts(run(("user", "I live in Beijing with my wife.")), "fact")
    assert facts == ["The user lives in Beijing with their wife (8 May 2023)."]


def test_second_person_becomes_the_other_speaker():
    facts = texts(run(("assistant", "Melanie: Congrats on the new job!"),
                      ("user", "Caroline: I told you about my promotion last week.")), "fact")
    assert facts == ["Caroline told Melanie about Caroline's promotion in the week before 8 May 2023."]


def test_assistant_statements_are_never_user_facts():
    found = run(("assistant", "I live in Paris and I love cheese."), ("user", "Nice, thanks."))
    assert texts(found, "fact") == [] and texts(found, "preference") == []
    # ...but they stay searchable as raw messages, attributed to the assistant
    assert texts(found, "raw")[0] == "[8 May 2023] assistant: I live in Paris and I love cheese."


def test_questions_requests_and_small_talk_are_not_facts():
    for sentence in ("Can you recommend a hotel in Guangzhou?", "Please list three parks.",
                     "Hey Mel!", "Thanks so much!", "That's great to hear.", "How have you been",
                     "Translate 'where is the train station' into Japanese.",
                     "I was wondering if you could recommend a good laptop for video editing.",
                     "I want you to write a short poem for my wife's birthday.",
                     "Thanks for the recommendation and advice!"):
        assert not is_statement(sentence), sentence
    assert is_statement("I adopted a puppy named Max.")
    assert is_statement("Outline is a tool I like to use for my notes.")  # a name, not an imperative
    assert is_statement("Thanks to my physiotherapist I can walk again.")


def test_relative_times_are_resolved_against_each_message_chat_time():
    later = datetime(2023, 6, 9, 10, 0, tzinfo=BEIJING)  # a Friday
    facts = texts(run(("user", "I gave a speech at a school last week."), said=later), "fact")
    assert facts == ["The user gave a speech at a school in the week before 9 June 2023."]
    facts = texts(run(("user", "I painted that lake sunrise last year."), said=later), "fact")
    assert facts == ["The user painted that lake sunrise in 2022."]
    facts = texts(run(("user", "I ran a charity race last Sunday."), said=later), "fact")
    assert facts == ["The user ran a charity race on Sunday 4 June 2023."]


@pytest.mark.parametrize("sentence, fact", [
    # a preposition that takes the date itself takes it without "in"/"on"
    ("With rent at $1,600 as of this month, my budget is feeling squeezed.",
     "With rent at $1,600 as of June 2023, the user's budget is feeling squeezed."),
    ("I have been running every morning since last week.",
     "The user has been running every morning since the week before 9 June 2023."),
    ("I will have moved to Denver by next month.", "The user will have moved to Denver by July 2023."),
    # a title is no time: quoted, in italics, or a run of capitalised words inside a sentence
    ("I loved 'Tomorrow, and Tomorrow, and Tomorrow' by Gabrielle Zevin.",
     "The user loved 'Tomorrow, and Tomorrow, and Tomorrow' by Gabrielle Zevin (9 June 2023)."),
    ("I rewatched The Day After Tomorrow with my brother last night.",
     "The user rewatched The Day After Tomorrow with their brother on the night of 8 June 2023."),
])
def test_relative_times_read_with_the_words_around_them(sentence, fact):
    assert texts(run(("user", sentence), said=datetime(2023, 6, 9, 10, 0, tzinfo=BEIJING)), "fact") == [fact]


@pytest.mark.parametrize("said, annotated", [
    # a time said with a capital is no title (the code review's): in capitals, after a line break, a
    # bullet, an emoji or bold, in brackets, one word in quotes or bold; and "in" said stays
    ("I PASSED MY QUALS YESTERDAY!!!", "I PASSED MY QUALS YESTERDAY (8 June 2023)!!!"),
    ("ok so\nLast Friday we went camping", "ok so Last Friday (2 June 2023) we went camping"),
    ("- Last Saturday I ran my first 10k", "- Last Saturday (3 June 2023) I ran my first 10k"),
    ("Hey! 👋 Last Saturday we adopted a puppy", "Hey! 👋 Last Saturday (3 June 2023) we adopted a puppy"),
    ("**Big news!** Tomorrow Jake and I fly to Rome.", "**Big news!** Tomorrow (10 June 2023) Jake and I fly to Rome."),
    ("(Yesterday Mom and I went to the zoo)", "(Yesterday (8 June 2023) Mom and I went to the zoo)"),
    ('she said "Tomorrow."', 'she said "Tomorrow (10 June 2023)."'),
    ("**Tomorrow:** dentist at 3pm", "**Tomorrow (10 June 2023):** dentist at 3pm"),
    ("I'm starting in two weeks!", "I'm starting in two weeks (the week of 23 June 2023)!"),
])
def test_a_time_said_with_a_capital_or_after_a_preposition_keeps_its_date(said, annotated):
    assert texts(run(("user", said), said=datetime(2023, 6, 9, 10, 0, tzinfo=BEIJING)), "raw") == \
        [f"[9 June 2023] user: {annotated}"]


def test_a_preposition_keeps_an_in_said_with_the_time():
    facts = texts(run(("user", "My new job is starting in two weeks."), said=datetime(2023, 6, 9, 10, tzinfo=BEIJING)),
                  "fact")
    assert facts == ["The user's new job is starting in two weeks (the week of 23 June 2023)."]


def test_a_line_break_starts_anew_for_a_title():
    said = datetime(2023, 6, 9, 10, 0, tzinfo=BEIJING)
    assert annotate_relative_times("todo list\nCall Mom Tomorrow", said) == "todo list\nCall Mom Tomorrow (10 June 2023)"
    assert resolve_relative_times("just landed\nMeeting Sarah Next Friday", said)[0] == \
        "just landed\nMeeting Sarah on Friday 16 June 2023"


@pytest.mark.parametrize("said", ["My favourite Bond film is Tomorrow Never Dies.",  # a title that opens on the time
                                  "I watched Last Week Tonight with my dad."])
def test_a_title_that_opens_on_a_time_gains_no_date(said):
    raws = texts(run(("user", said), said=datetime(2023, 6, 9, 10, 0, tzinfo=BEIJING)), "raw")
    assert raws == [f"[9 June 2023] user: {said}"]


def test_a_title_in_a_raw_message_gains_no_date_and_a_time_beside_it_still_does():
    raws = texts(run(("user", "I finished *The Day After Tomorrow* yesterday and 'Tomorrow, and Tomorrow' too."),
                     said=datetime(2023, 6, 9, 10, 0, tzinfo=BEIJING)), "raw")
    assert raws == ["[9 June 2023] user: I finished *The Day After Tomorrow* yesterday (8 June 2023) and "
                    "'Tomorrow, and Tomorrow' too."]


@pytest.mark.parametrize("said, sentence, fact", [
    # a bare weekday: the coming one, or in a sentence in the past the last one (said on a Wednesday)
    (datetime(2024, 3, 13, 10, tzinfo=BEIJING), "I started a new job at Stripe on Monday.",
     "The user started a new job at Stripe on Monday 11 March 2024."),
    (datetime(2024, 3, 13, 10, tzinfo=BEIJING), "I have a dentist appointment on Friday at 3pm.",
     "The user has a dentist appointment on Friday 15 March 2024 at 3pm."),
    # "this Saturday" said on a Sunday is the coming one, not yesterday; "this weekend" its Saturday
    (datetime(2024, 3, 17, 10, tzinfo=BEIJING), "This Saturday I have a job interview at Deloitte.",
     "On Saturday 23 March 2024 the user has a job interview at Deloitte."),
    (datetime(2024, 3, 13, 10, tzinfo=BEIJING), "This weekend I'm driving up to Vermont with my sister.",
     "On the weekend of 16 March 2024 the user is driving up to Vermont with their sister."),
    # "in N days" from when it was said, but not how long something took
    (datetime(2024, 3, 13, 10, tzinfo=BEIJING), "My visa interview at the embassy is in 3 days.",
     "The user's visa interview at the embassy is in 3 days (16 March 2024)."),
    (datetime(2024, 3, 13, 10, tzinfo=BEIJING), "I read the whole Dune trilogy in two weeks.",
     "The user read the whole Dune trilogy in two weeks (13 March 2024)."),
    (datetime(2024, 3, 13, 10, tzinfo=BEIJING), "I work from home on Fridays.",
     "The user works from home on Fridays (13 March 2024)."),
    (datetime(2024, 2, 5, 10, tzinfo=BEIJING), "I booked a physio appointment for this Thursday.",
     "The user booked a physio appointment for Thursday 8 February 2024."),
    # the clause, not the sentence, tells past from future; "need" is no past tense
    (datetime(2024, 3, 6, 10, tzinfo=BEIJING), "I need to finish the quarterly report on Friday.",
     "The user needs to finish the quarterly report on Friday 8 March 2024."),
    (datetime(2024, 3, 6, 10, tzinfo=BEIJING), "I finally booked my flight to Lisbon, I leave on Friday.",
     "The user finally booked their flight to Lisbon, the user leaves on Friday 8 March 2024."),
    (datetime(2024, 3, 6, 10, tzinfo=BEIJING), "I will be back in 5000000 days.",
     "The user will be back in 5000000 days (6 March 2024)."),
    (datetime(2024, 1, 10, 10, tzinfo=BEIJING), "I started pottery classes on Wednesday evenings.",
     "The user started pottery classes on Wednesday evenings (10 January 2024)."),
    # a past form after a noun subject is the past too; a "would" after a past form is to come
    (datetime(2024, 6, 24, 10, tzinfo=BEIJING), "Our dog Biscuit ate a sock on Saturday.",
     "The user's dog Biscuit ate a sock on Saturday 22 June 2024."),
    (datetime(2024, 6, 24, 10, tzinfo=BEIJING), "My sister flew in on Friday.",
     "The user's sister flew in on Friday 21 June 2024."),
    # a regular past right before the day, with a noun subject and no helper
    (datetime(2024, 6, 24, 10, tzinfo=BEIJING), "Our baby number three arrived on Tuesday!",
     "The user's baby number three arrived on Tuesday 18 June 2024."),
    (datetime(2024, 6, 24, 10, tzinfo=BEIJING), "My mom called me on Monday about the house.",
     "The user's mom called them on Monday 17 June 2024 about the house."),
    # "since Tuesday" is the last one; "on the 20th" the nearest 20th in the clause's tense
    (datetime(2024, 6, 26, 10, tzinfo=BEIJING), "I've had a cough since Tuesday.",
     "The user has had a cough since Tuesday 25 June 2024."),
    (datetime(2024, 6, 26, 10, tzinfo=BEIJING), "I moved into my new flat on the 20th.",
     "The user moved into their new flat on the 20th (20 June 2024)."),
    (datetime(2024, 6, 26, 10, tzinfo=BEIJING), "My rent is due on the 1st.",
     "The user's rent is due on the 1st (1 July 2024)."),
    (datetime(2024, 6, 26, 10, tzinfo=BEIJING), "My office is on the 20th floor.",
     "The user's office is on the 20th floor (26 June 2024)."),
    # (its object between, or the day of the week it is said on: the one a week before)
    (datetime(2024, 6, 26, 10, tzinfo=BEIJING), "Our landlord finally fixed the heater on Friday.",
     "The user's landlord finally fixed the heater on Friday 21 June 2024."),
    (datetime(2024, 6, 26, 10, tzinfo=BEIJING), "Our wedding photos arrived on Wednesday.",
     "The user's wedding photos arrived on Wednesday 19 June 2024."),
    (datetime(2024, 6, 24, 10, tzinfo=BEIJING), "My married friends meet on Friday for board games.",
     "The user's married friends meet on Friday 28 June 2024 for board games."),
    (datetime(2024, 6, 24, 10, tzinfo=BEIJING), "My sister said she would visit on Friday.",
     "The user's sister said she would visit on Friday 28 June 2024."),
    # a participle or a noun in -ed is no past tense, nor is a clause that speaks in the present
    (datetime(2024, 6, 24, 10, tzinfo=BEIJING), "I'm getting my car serviced on Friday.",
     "The user is getting their car serviced on Friday 28 June 2024."),
    (datetime(2024, 6, 24, 10, tzinfo=BEIJING), "Our new bed arrives on Thursday.",
     "The user's new bed arrives on Thursday 27 June 2024."),
    (datetime(2024, 6, 24, 10, tzinfo=BEIJING), "My mom said the appointment is on Thursday.",
     "The user's mom said the appointment is on Thursday 27 June 2024."),
    (datetime(2024, 6, 24, 10, tzinfo=BEIJING), "I went to the concert on Friday and I will never forget it.",
     "The user went to the concert on Friday 21 June 2024 and the user will never forget it."),
    (datetime(2024, 6, 24, 10, tzinfo=BEIJING), "I'd started the course on Monday.",
     "The user had started the course on Monday 17 June 2024."),
    # audit 20: "this past", a day said as a sentence of its own or as what something "was", a past
    # whose "I" is left out (after an interjection too), how long since, and "two weeks ago today"
    (datetime(2024, 3, 18, 10, tzinfo=BEIJING), "The dive trip to Catalina this past saturday was the best day ever.",
     "The dive trip to Catalina on Saturday 16 March 2024 was the best day ever."),
    (datetime(2024, 3, 18, 10, tzinfo=BEIJING), "We went hiking this past weekend.",
     "The user and others went hiking on the weekend before 18 March 2024."),
    (datetime(2025, 2, 17, 10, tzinfo=BEIJING), "Our first date was friday, we got tacos.",
     "The user's first date was Friday 14 February 2025, the user and others got tacos."),
    (datetime(2024, 10, 14, 10, tzinfo=BEIJING), "welp. rolled my ankle coming off a V4 on saturday at the gym.",
     "The user rolled their ankle coming off a V4 on Saturday 12 October 2024 at the gym."),
    (datetime(2024, 10, 14, 10, tzinfo=BEIJING), "Got my test results on Friday, all clear.",
     "The user got their test results on Friday 11 October 2024, all clear."),
    (datetime(2024, 8, 26, 10, tzinfo=BEIJING), "I haven't slept in 4 days.",
     "The user hasn't slept in 4 days (26 August 2024)."),
    (datetime(2024, 8, 26, 10, tzinfo=BEIJING), "Best night of sleep I've had in two weeks.",
     "Best night of sleep the user has had in two weeks (26 August 2024)."),
    (datetime(2024, 4, 29, 10, tzinfo=BEIJING), "Two weeks ago today they gave me a new knee.",
     "Two weeks ago today (15 April 2024) they gave the user a new knee."),
])
def test_weekdays_weekends_and_times_from_now_point_at_their_dates(said, sentence, fact):
    assert texts(run(("user", sentence), said=said), "fact") == [fact]


@pytest.mark.parametrize("said, message, facts", [
    (datetime(2024, 8, 12, 10, tzinfo=BEIJING), "I PASSED MY QUALS. friday. 3 hours of questions.",
     ["The user PASSED their QUALS. Friday 9 August 2024. 3 hours of questions."]),
    (datetime(2024, 8, 5, 10, tzinfo=BEIJING), "Nadia proposed! saturday night, on the beach in Truro.",
     ["Nadia proposed! Saturday 3 August 2024 night, on the beach in Truro."]),
    # a day of its own after a sentence about what is to come is the coming one
    (datetime(2024, 8, 5, 10, tzinfo=BEIJING), "My sister will visit. saturday, I think.",
     ["The user's sister will visit. Saturday 10 August 2024, the user thinks."]),
])
def test_a_day_said_as_a_sentence_of_its_own_is_when_the_sentence_before_happened(said, message, facts):
    assert texts(run(("user", message), said=said), "fact")[:len(facts)] == facts


def test_ago_keeps_its_words_and_gains_the_date():
    facts = texts(run(("user", "Caroline: I moved from Sweden 4 years ago.")), "fact")
    assert facts == ["Caroline moved from Sweden 4 years ago (2019)."]


def test_compound_subject_keeps_the_verb_and_clauses_agree():
    facts = texts(run(("user", "Mel and I love hiking and I go every week.")), "fact")
    assert facts == ["Mel and the user love hiking and the user goes every week (8 May 2023)."]
    facts = texts(run(("user", "Yesterday my wife and I went hiking, and I hope to keep chasing my goals and I hope "
                               "to go again.")), "fact")
    assert facts == ["On 7 May 2023 the user's wife and the user went hiking, and the user hopes to keep chasing their "
                     "goals and the user hopes to go again."]


def test_a_second_verb_joined_by_and_agrees_with_the_same_subject():
    facts = texts(run(("user", "I play guitar and sing in a choir. I have been researching bikes and think I will "
                               "buy one. I like to swim and run. I will book the flight and hope to upgrade.")), "fact")
    assert facts == ["The user plays guitar and sings in a choir (8 May 2023).",
                     "The user has been researching bikes and thinks the user will buy one (8 May 2023).",
                     # an infinitive and a modal keep their verbs as they are
                     "The user likes to swim and run (8 May 2023).",
                     "The user will book the flight and hope to upgrade (8 May 2023)."]


def test_my_someone_and_i_keep_the_plural_verb_and_a_verb_after_im_agrees():
    facts = texts(run(("user", "My wife and I are expecting twins in August. My husband and I don't want a big "
                               "wedding. I'm diabetic and take metformin every morning. I've been busy and haven't "
                               "slept much.")), "fact")
    assert facts == ["The user's wife and the user are expecting twins in August (8 May 2023).",
                     "The user's husband and the user don't want a big wedding (8 May 2023).",
                     "The user is diabetic and takes metformin every morning (8 May 2023).",
                     "The user has been busy and hasn't slept much (8 May 2023)."]


def test_a_clause_joined_after_a_comma_agrees_with_its_own_i():
    facts = texts(run(("user", "I'm with XYZ Internet, and I currently have a 500 Mbps plan.")), "fact")
    assert facts == ["The user is with XYZ Internet, and the user currently has a 500 Mbps plan (8 May 2023)."]


def test_the_speaker_named_again_a_verb_later_is_they_and_the_verb_stays_plural():
    facts = texts(run(("user", "I think I'll start with a soft filter. I'm not sure whether I should get a hard one. "
                               "I realized I was overwatering the tomatoes.")), "fact")
    assert facts == ["The user thinks they will start with a soft filter (8 May 2023).",
                     "The user is not sure whether they should get a hard one (8 May 2023).",
                     "The user realized they were overwatering the tomatoes (8 May 2023)."]
    # someone else named in between could be "they": the name stays
    facts = texts(run(("user", "Caroline: I told my friends I would come to the lake house.")), "fact")
    assert facts == ["Caroline told their friends Caroline would come to the lake house (8 May 2023)."]


def test_thanks_are_neither_facts_nor_part_of_one():
    facts = texts(run(("user", "I'll get a few more training rides in first. Thanks for the recommendation and advice! "
                               "Thank you for the tips, I will try the step-ups at the gym. I fixed the old bike, "
                               "thanks again! Thanks to my coach, I finished the marathon in 3 hours.")), "fact")
    assert facts == ["The user will get a few more training rides in first (8 May 2023).",
                     "The user will try the step-ups at the gym (8 May 2023).",
                     "The user fixed the old bike (8 May 2023).",
                     "Thanks to the user's coach, the user finished the marathon in 3 hours (8 May 2023)."]


def test_the_other_party_as_a_subject_agrees_but_as_an_object_does_not():
    facts = texts(run(("assistant", "Jon: I opened the studio."),
                      ("user", "Gina: I know you teach salsa classes, and I hope you find new students at the "
                               "fair. I will watch you dance the tango at the show.")), "fact")
    assert facts == ["Gina knows Jon teaches salsa classes, and Gina hopes Jon finds new students at the fair "
                     "(8 May 2023).", "Gina will watch Jon dance the tango at the show (8 May 2023)."]
    facts = texts(run(("assistant", "Jon: I opened the studio."),
                      ("user", "Gina: I love how you paint landscapes and sing. I will call you after you finish "
                               "the class. I love your smile and laugh.")), "fact")
    assert facts == ["Gina loves how Jon paints landscapes and sings (8 May 2023).",
                     "Gina will call Jon after Jon finishes the class (8 May 2023).",
                     "Gina loves Jon's smile and laugh (8 May 2023)."]  # nouns, not verbs


def test_a_generic_you_said_to_an_assistant_and_a_quotation_stay_as_said():
    # what anyone can do, and what a third party said, is not about the assistant
    facts = texts(run(("user", "I returned my Dyson vacuum yesterday. You can get a full refund within 30 days "
                               "if you keep the box. My friend told me you should always ask for a receipt.")),
                  "fact")
    assert facts == ["The user returned their Dyson vacuum on 7 May 2023. You can get a full refund within 30 days "
                     "if you keep the box.",
                     "The user's friend told them you should always ask for a receipt (8 May 2023)."]
    # between two people the same words do mean the listener
    facts = texts(run(("assistant", "Jon: I opened the studio."),
                      ("user", "Gina: My mom said you should teach her salsa.")), "fact")
    assert facts == ["Gina's mom said Jon should teach her salsa (8 May 2023)."]
    # a quotation keeps its own I and you
    facts = texts(run(("user", "My manager told me 'I think you're ready to lead the mobile team'.")), "fact")
    assert facts == ["The user's manager told them 'I think you're ready to lead the mobile team' (8 May 2023)."]


def test_an_adverb_in_ly_after_i_is_not_the_verb():
    facts = texts(run(("user", "I literally went to Ibiza for the weekend.")), "fact")
    assert facts == ["The user literally went to Ibiza for the weekend (8 May 2023)."]
    facts = texts(run(("user", "I no longer drink coffee in the morning.")), "fact")
    assert facts == ["The user no longer drinks coffee in the morning (8 May 2023)."]


def test_he_or_she_opening_a_sentence_names_the_speakers_person_last_mentioned():
    facts = texts(run(("user", "My son Leo is 6 and loves dinosaurs."), ("assistant", "Cute age!"),
                      ("user", "He just started piano. My mom is 78. She lives alone in Columbus.")), "fact")
    assert facts == ["The user's son Leo is 6 and loves dinosaurs (8 May 2023).",
                     "The user's son Leo just started piano (8 May 2023).",
                     "The user's mom lives alone in Columbus (8 May 2023)."]
    # a person of either gender, once called "she", is not the next "he"
    facts = texts(run(("user", "I had lunch with my boss. She's moving to the Berlin office. He is my brother, "
                               "by the way.")), "fact")
    assert facts[1:] == ["The user's boss is moving to the Berlin office (8 May 2023)."]
    # "he'd" before a participle is "he had"; two of one gender named together: no guess
    facts = texts(run(("user", "My brother Tom is visiting. He'd never seen snow before. My dad and my uncle went "
                               "fishing. He caught a bass.")), "fact")
    assert "The user's brother Tom had never seen snow before (8 May 2023)." in facts
    assert not any("uncle caught" in f or "dad caught" in f for f in facts)
    # an opening "we" right after the speaker named someone or a group of theirs is the two
    facts = texts(run(("user", "Our running club is the best. We meet every Thursday at Lincoln Park.")), "fact")
    assert facts[1] == "The user's running club and the user meet every Thursday at Lincoln Park (8 May 2023)."
    assert texts(run(("user", "We went hiking at Mount Tam.")), "fact") == \
        ["The user and others went hiking at Mount Tam (8 May 2023)."]
    # nobody of the speaker's named: the pronoun is left alone (and the sentence is no fact of the user's)
    assert texts(run(("user", "She just started a band with three friends.")), "fact") == []


def test_a_pronoun_is_left_as_said_when_someone_else_may_be_meant():
    # the assistant asked about another person; another name in the sentence before; a date is no name
    facts = texts(run(("user", "My wife and I are buying our first home in Denver."),
                      ("assistant", "Has your realtor heard back on the offer?"),
                      ("user", "She called this morning, the sellers accepted!")), "fact")
    assert not any("wife called" in f for f in facts)
    facts = texts(run(("user", "My boss Tom finally hired a new designer, Kevin. He starts on Monday.")), "fact")
    assert not any("Tom starts" in f for f in facts)
    facts = texts(run(("user", "My daughter loves Taylor Swift. She's touring in May.")), "fact")
    assert not any("daughter is touring" in f for f in facts)
    facts = texts(run(("user", "I visited my mom Saturday. She's doing much better.")), "fact")
    assert facts[1] == "The user's mom is doing much better (8 May 2023)."
    # "we" is a partner or a group of the speaker's, not anyone named
    for said in ("My mom passed away in March. We had the funeral in Ohio.",
                 "My kids are at camp this week. We finally have the house to ourselves."):
        assert "The user and others" in texts(run(("user", said)), "fact")[1], said


def test_you_that_means_the_assistant_stays_the_assistant_and_apostrophes_are_no_quotation():
    facts = texts(run(("user", "You never told me about the visa fee for Brazil. I told my wife you recommended "
                               "the Dyson V15.")), "fact")
    assert facts == ["The assistant never told the user about the visa fee for Brazil (8 May 2023).",
                     "The user told their wife the assistant recommended the Dyson V15 (8 May 2023)."]
    facts = texts(run(("user", "I grew up in the '90s in my parents' bakery in Lyon.")), "fact")
    assert facts == ["The user grew up in the '90s in their parents' bakery in Lyon (8 May 2023)."]


def test_you_guys_are_the_other_party_and_others():
    facts = texts(run(("assistant", "Jon: We danced all night."),
                      ("user", "Gina: I know you guys rocked the dance competition.")), "fact")
    assert facts == ["Gina knows Jon and others rocked the dance competition (8 May 2023)."]


def test_present_tense_verbs_ending_in_ed_agree_too():
    facts = texts(run(("user", "After the accident I need them, so every day I feed the cats.")), "fact")
    assert facts == ["After the accident the user needs them, so every day the user feeds the cats (8 May 2023)."]
    facts = texts(run(("user", "I wasnt sure about the new job at first.")), "fact")
    assert facts == ["The user wasn't sure about the new job at first (8 May 2023)."]  # not "wasnts"


def test_the_user_s_facts_and_raw_messages_carry_the_end_of_the_turn_they_reply_to():
    long_answer = "Sure. " + " ".join(f"word{i}" for i in range(40)) + " Who performed at the concert?"
    found = run(("assistant", f"Caroline: {long_answer}"),
                ("user", "Melanie: It was Matt Patterson, he is so talented!"))
    reply = [c for c in found if c.sources[0].message_index == 1 and c.kind in ("fact", "raw")]
    assert "raw" in {c.kind for c in reply}, found
    for c in reply:  # the last 30 words, without the speaker's name
        assert c.reply_to.endswith("Who performed at the concert?") and len(c.reply_to.split()) == 30, c
        assert "Caroline" not in c.reply_to and "performed" not in c.text
    assert all(c.reply_to == "" for c in found if c.sources[0].message_index == 0)  # nothing before it
    # an earlier add's last turn, read by the extract stage, is what the first message replies to
    earlier = batch(("user", "Melanie: It was Matt Patterson!"))
    earlier.previous_turn = "Caroline: Who performed at the concert?"
    raw = [c for c in OfflineExtractor().extract(earlier).candidates if c.kind == "raw"]
    assert [c.reply_to for c in raw] == ["Who performed at the concert?"]
    # a turn written without spaces is counted by characters: its end, not the whole of it
    question = "长" * 100 + "谁在音乐会上表演了？"
    found = run(("assistant", question), ("user", "是马特·帕特森。"))
    assert {c.reply_to for c in found if c.sources[0].message_index == 1} == {question[-30:]}
    # an assistant's answer is not indexed with the user's question: it would compete with the user's
    # own words for it
    answered = run(("user", "Which train goes to the airport?"), ("assistant", "The A line, every ten minutes."))
    assert [c.reply_to for c in answered if c.kind == "raw"] == ["", ""]


def test_raw_messages_keep_their_words_and_gain_the_dates_they_point_at():
    said = datetime(2023, 5, 25, 13, 0, tzinfo=BEIJING)  # a Thursday
    raw = texts(run(("user", "Melanie: I ran a charity race last Saturday. The day before yesterday and "
                             "yesterday I rested; two weeks ago I met Jo, and last week we went hiking."),
                    ("assistant", "Caroline: See you next month!"), said=said), "raw")
    assert raw == ["[25 May 2023] Melanie: I ran a charity race last Saturday (20 May 2023). The day before "
                   "yesterday (23 May 2023) and yesterday (24 May 2023) I rested; two weeks ago (the week of 11 May "
                   "2023) I met Jo, and last week (the week before 25 May 2023) we went hiking.",
                   "[25 May 2023] Caroline: See you next month (June 2023)!"]


def test_shared_photo_becomes_a_fact():
    facts = texts(run(("user", "Caroline: Look at this! [shares a photo of a rainbow flag mural]")), "fact")
    assert "Caroline shared a photo of a rainbow flag mural (8 May 2023)." in facts
    # an image captioner's own "a photo of" is not said twice
    facts = texts(run(("user", "Jon: Here! [shares a photo of a photo of a book with a yellow cover]")), "fact")
    assert facts == ["Jon shared a photo of a book with a yellow cover (8 May 2023)."]


def test_an_irregular_past_verb_is_not_given_a_present_ending():
    facts = texts(run(("user", "Caroline: I drew a tiger and fell in love with painting. I learnt to paint in "
                               "Spain. I fell off my bike in the park.")), "fact")
    assert facts == ["Caroline drew a tiger and fell in love with painting (8 May 2023).",
                     "Caroline learnt to paint in Spain (8 May 2023).",
                     "Caroline fell off their bike in the park (8 May 2023)."]


def test_explicit_like_and_dislike_preferences_with_reasoning_and_slot():
    found = run(("user", "I really love spicy food. I don't eat meat any more."))
    prefs = [c for c in found if c.kind == "preference"]
    assert [p.text for p in prefs] == ["The user likes spicy food.", "The user does not eat meat any more."]
    assert all(p.preference_type == "explicit_preference" and "Said directly on 8 May 2023" in p.reasoning
               for p in prefs)
    assert prefs[1].slot == preference_slot("eating meat") == "pref:meat"


def test_allergies_fears_and_diets_are_preferences_a_recommendation_must_honour():
    found = run(("user", "I'm allergic to peanuts and shellfish. I'm terrified of heights. I'm vegan now. "
                         "I'm not allergic to anything else."))
    assert texts(found, "preference") == ["The user is allergic to peanuts and shellfish.",
                                          "The user is terrified of heights.", "The user is vegan."]


@pytest.mark.parametrize("said, preferences", [
    ("Neither my wife nor I like big parties.", []),
    ("I'm not sure I like living in the suburbs.", []),
    ("What I love most about my town is the lake.", []),
    ("I like to think I'm a patient person.", []),
    ("I love coffee but I can't stand the smell of tea.", ["The user likes coffee.",
                                                            "The user does not like the smell of tea."]),
    ("I don't like running but I love swimming.", ["The user does not like running.", "The user likes swimming."]),
    ("I don't eat pork for religious reasons.", ["The user does not eat pork for religious reasons."]),
    ("I always prefer aisle seats on long flights.", ["The user prefers aisle seats on long flights."]),
    ("i dont like alexa, it never understands me.", ["The user does not like alexa."]),
    ("I hate teams so thank god we switched to slack.", ["The user does not like teams."]),
    ("I enjoy cooking while listening to music.", ["The user likes cooking while listening to music."]),
    ("I never liked sushi. I'm not a big fan of horror movies.", ["The user does not like sushi.",
                                                                   "The user does not like horror movies."]),
])
def test_no_taste_is_read_into_doubt_and_a_like_ends_where_the_sentence_turns(said, preferences):
    assert texts(run(("user", said)), "preference") == preferences


def test_a_sentence_without_a_subject_of_its_own_continues_the_statement_before_it():
    facts = texts(run(("user", "It took ages for my asylum application to get approved. Over a year of uncertainty "
                               "was really tough. Can you help me find housing?")), "fact")
    assert facts == ["It took ages for the user's asylum application to get approved. Over a year of uncertainty "
                     "was really tough (8 May 2023)."]
    # ...but not after a question, which states nothing it could continue
    assert texts(run(("user", "Where should I live? Over a year of uncertainty was really tough.")), "fact") == []


def test_chat_discourse_markers_do_not_open_a_memory():
    facts = texts(run(("user", "Also, by the way, I just added a 1915 Barber quarter to my collection. And by the way, "
                               "it cost me 40 dollars. Actually I live in Paris.")), "fact")
    assert facts == ["The user just added a 1915 Barber quarter to their collection. It cost them 40 dollars "
                     "(8 May 2023).", "The user lives in Paris (8 May 2023)."]


def test_a_short_statement_of_what_the_speaker_is_or_has_is_a_fact_but_chat_is_not():
    facts = texts(run(("user", "I'm vegan. I have diabetes. I'm 34. I'm a nurse. I'm tired. I'm back! I'm so excited!")),
                  "fact")
    assert facts == ["The user is vegan (8 May 2023).", "The user has diabetes (8 May 2023).",
                     "The user is 34 (8 May 2023).", "The user is a nurse (8 May 2023)."]


def test_short_news_told_with_a_light_verb_is_a_fact_but_chat_is_not():
    # "got" and "had" are no content words: the thing got is the only one, and it is news
    facts = texts(run(("user", "Caroline: Guess what? I got the job! We got a new puppy! I had a baby! I made the "
                               "team!")), "fact")
    assert facts == ["Caroline got the job (8 May 2023).", "Caroline and others got a new puppy (8 May 2023).",
                     "Caroline had a baby (8 May 2023).", "Caroline made the team (8 May 2023)."]
    # (code review) what the speaker is or has is read as before: "a day off" is no chat news
    assert texts(run(("user", "I have a day off.")), "fact") == ["The user has a day off (8 May 2023)."]
    # what names nothing, or is an idiom of chat
    for chat in ("I got it.", "I did it!", "I had a blast!", "I had a great day!", "I got a question.",
                 "We had a good time.", "I got the joke.", "I had a thought.", "I took a shower.", "I had the salad.",
                 "I got a new one."):
        assert texts(run(("user", chat)), "fact") == [], chat


def test_what_the_user_says_of_themselves_after_a_request_is_a_fact():
    facts = texts(run(("user", "Please always answer in Spanish, I'm practicing for my trip to Madrid.")), "fact")
    assert facts == ["The user is practicing for their trip to Madrid (8 May 2023)."]


@pytest.mark.parametrize("label", ["Update", "Confession", "Great news", "Sad News", "Quick update", "Fun fact"])
def test_a_label_before_a_colon_is_not_a_speaker(label):
    facts = texts(run(("user", f"{label}: I accepted the Ridgeline offer at the hospital!")), "fact")
    assert facts == ["The user accepted the Ridgeline offer at the hospital (8 May 2023)."]


def test_whose_word_a_label_names_stays_with_it():
    facts = texts(run(("user", "Her take: I should quit my job.")), "fact")
    assert facts == ["Her take: the user should quit their job (8 May 2023)."]


def test_a_name_before_a_colon_is_still_a_speaker():
    facts = texts(run(("user", "Caroline: I accepted the Ridgeline offer at the hospital!")), "fact")
    assert facts == ["Caroline accepted the Ridgeline offer at the hospital (8 May 2023)."]


def test_an_assistant_opening_word_before_a_colon_is_not_a_speaker():
    # audit 20: "Sure:" became the assistant's name, and the user's "you" became "Sure"
    candidates = run(("user", "I emailed my boss about the missed deadline."),
                     ("assistant", "Sure: here's a short version you can send."),
                     ("user", "can you help me word the next one so it doesn't sound like I screwed up?"),
                     ("assistant", "Option 1: keep it short and own the delay."))
    raws = texts(candidates, "raw")
    assert raws[1].endswith("] assistant: Sure: here's a short version you can send."), raws
    assert raws[3].endswith("] assistant: Option 1: keep it short and own the delay."), raws
    assert not any("Sure" in f or "Option" in f for f in texts(candidates, "fact")), texts(candidates, "fact")


def test_people_all_sent_as_user_are_each_others_you():
    facts = texts(run(("user", "Sam: Hey Alex, I got the offer from Netflix!"),
                      ("user", "Alex: I think you should take the job at Netflix. Your birthday is my favorite day.")),
                  "fact")
    assert facts == ["Sam got the offer from Netflix (8 May 2023).", "Alex thinks Sam should take the job at Netflix "
                     "(8 May 2023).", "Sam's birthday is Alex's favorite day (8 May 2023)."]


def test_you_know_and_lol_do_not_open_a_memory():
    facts = texts(run(("user", "You know, my brother lives in Denver now. Lol I just bought a second air fryer.")), "fact")
    assert facts == ["The user's brother lives in Denver now (8 May 2023).",
                     "The user just bought a second air fryer (8 May 2023)."]


def test_interjections_do_not_open_a_memory_but_a_word_of_content_stays():
    facts = texts(run(("user", "Tim: Yeah, I play the clarinet. Oh yeah, by the way, I got a puppy last week! "
                               "Sure thing, I can bring the guitar.")), "fact")
    assert facts == ["Tim plays the clarinet (8 May 2023).", "Tim got a puppy in the week before 8 May 2023.",
                     "Sure thing, Tim can bring the guitar (8 May 2023)."]
    # a yes or no before the speaker's own "I" goes, without its comma too; "No one" is content
    facts = texts(run(("user", "Nah I never use summons in boss fights. Ok I'll get a snake plant then. "
                               "No one in my family cooks.")), "fact")
    assert facts == ["The user never uses summons in boss fights (8 May 2023).",
                     "The user will get a snake plant then (8 May 2023).",
                     "No one in the user's family cooks (8 May 2023)."]


def test_a_list_bullet_does_not_open_a_memory():
    facts = texts(run(("user", "Gina: - I teamed up with a local artist for some designs.")), "fact")
    assert facts == ["Gina teamed up with a local artist for some designs (8 May 2023)."]


def test_a_gerund_phrase_before_its_verb_is_a_subject_not_a_dropped_i():
    # "Researching adoption agencies" lacks its subject; "Mentoring must be so rewarding" does not,
    # and must not become "Tim is mentoring must be so rewarding".
    facts = texts(run(("user", "Tim: Exploring new places can be so inspiring. Mentoring must be so rewarding. "
                               "Searching for the perfect studio's a tough job. Giving people a place to express "
                               "themselves with dance is really important. Overcoming challenges builds strength. "
                               "Researching adoption agencies for my sister.")), "fact")
    assert facts == ["Tim is researching adoption agencies for their sister (8 May 2023)."]


def test_a_participle_preamble_keeps_the_subject_after_its_comma():
    facts = texts(run(("user", "Speaking of the ceremony script, I was thinking of writing my own vows. "
                               "Researching venues, but nothing yet.")), "fact")
    assert facts == ["Speaking of the ceremony script, the user was thinking of writing their own vows (8 May 2023).",
                     "The user is researching venues, but nothing yet (8 May 2023)."]


def test_a_title_or_an_initial_does_not_end_a_sentence():
    facts = texts(run(("user", "I went to midnight mass at St. Mary's Church yesterday. Dr. Lee was there. "
                               "I'm reading J. K. Rowling again.")), "fact")
    assert facts[0] == "The user went to midnight mass at St. Mary's Church on 7 May 2023."
    assert facts[-1] == "The user is reading J. K. Rowling again (8 May 2023)."


@pytest.mark.timeout(60)  # a hang guard, not a speed target: joining each piece rescanned the whole run
def test_a_message_made_of_abbreviations_is_one_sentence_and_does_not_hang():
    text = "St. " * 20000  # 80k characters, under the 100k a request may carry
    found = run(("user", text))
    assert texts(found, "fact") == []
    raws = texts(found, "raw")  # kept whole and searchable, in chunks
    assert " ".join(r.split(": ", 1)[1] for r in raws) == text.strip()
    assert all(len(r.split()) <= RAW_CHUNK_WORDS + 4 for r in raws)


def test_the_other_speakers_yourself_is_themselves_not_their_name():
    facts = texts(run(("assistant", "Melanie: I started painting again."),
                      ("user", "Caroline: I bought you a book so you can teach yourself Spanish.")), "fact")
    assert facts == ["Caroline bought Melanie a book so Melanie can teach themselves Spanish (8 May 2023)."]


def test_a_liked_thing_that_names_nothing_on_its_own_is_not_a_preference():
    found = run(("user", "Tim: I like them. I love this genre. I really like how they take me to other places. "
                         "I love Italian food."))
    assert texts(found, "preference") == ["Tim likes Italian food."]


def test_a_liked_thing_named_only_by_what_came_before_or_by_a_time_is_not_a_preference():
    found = run(("user", "Nate: I really love having them around. I love the freedom and connection it brings. "
                         "I love that first movie too! I have a job I enjoy every day. I love escaping to that world. "
                         "I love Lord of the Rings."))
    assert texts(found, "preference") == ["Nate likes Lord of the Rings."]


def test_a_fronted_frame_stays_with_the_preference_and_in_its_slot():
    found = run(("user", "For running, I prefer Saturday mornings. For yoga, I prefer Saturday mornings too. "
                         "On weekends, I enjoy hiking with my dog. I really like the results."))
    prefs = [c for c in found if c.kind == "preference"]
    assert [p.text for p in prefs] == ["For running, the user prefers Saturday mornings.",
                                       "For yoga, the user prefers Saturday mornings.",
                                       "On weekends, the user likes hiking with their dog."]
    # one taste in two frames: a later word on one frame does not replace the other
    assert prefs[0].slot != prefs[1].slot


def test_a_liked_list_is_kept_whole_but_a_clause_after_a_comma_is_not_part_of_it():
    assert texts(run(("user", "Joanna: Besides writing, I also enjoy reading, watching movies, and exploring nature.")),
                 "preference") == ["Joanna likes reading, watching movies, and exploring nature."]
    assert texts(run(("user", "Melanie: I love camping trips with my fam, 'cause nature brings such peace and quiet. "
                              "I love the outdoor games idea, maybe we can do a giant Jenga game or something.")),
                 "preference") == ["Melanie likes camping trips with their fam.", "Melanie likes the outdoor games idea."]
    assert texts(run(("user", "Nate: I love coconut milk, but I also enjoy chocolate and mixed berry flavors.")),
                 "preference") == ["Nate likes coconut milk.", "Nate likes chocolate and mixed berry flavors."]


def test_words_that_say_how_much_or_when_are_not_part_of_the_liked_thing():
    assert texts(run(("user", "Tim: I love traveling too. We love painting together lately.")), "preference") == \
        ["Tim likes traveling.", "Tim likes painting together."]


def test_a_short_form_of_the_other_speakers_name_is_a_form_of_address_not_content():
    found = run(("assistant", "Melanie: Here's the pic from the beach!"),
                ("user", "Caroline: The kids look so cute, Mel. Wow, Mel, family love and support is the best! "
                         "Hey Mel, I went to Melbourne last week."))
    assert texts(found, "fact") == ["Caroline went to Melbourne in the week before 8 May 2023."]


def test_tastes_said_without_a_verb_of_liking_are_preferences():
    assert texts(run(("user", "Honestly I hate async Python, I'd rather write Go.")), "preference") == \
        ["The user does not like async Python.", "The user would rather write Go."]
    assert texts(run(("user", "I'm definitely not a morning person.")), "preference") == \
        ["The user is definitely not a morning person."]
    assert texts(run(("user", "I don't drink, so no wine pairing for me.")), "preference") == ["The user does not drink."]
    assert texts(run(("user", "I'd rather not say. I never drink coffee after 3pm.")), "preference") == []


def test_a_like_inside_a_relative_clause_is_no_preference_of_the_words_after_it():
    for said in ("Obsidian is a tool I like to use for book notes.", "The cafe I like near work closed down.",
                 "Notion is an app I enjoy using for planning."):
        assert texts(run(("user", said)), "preference") == [], said
    assert texts(run(("user", "In the morning I like to cook for my family.")), "preference") == \
        ["The user likes to cook for their family."]


def test_a_liked_thing_must_name_something():
    found = run(("assistant", "Melanie: Want to join the pottery class?"), ("user", "Caroline: I love to. I love pottery."))
    assert texts(found, "preference") == ["Caroline likes pottery."]


def test_a_named_thing_of_the_users_in_a_question_is_a_fact():
    found = run(("user", "What battery packs can charge my Sony A7R IV and other devices? Any case for my new "
                         "Godox V1 flash? Can you help my Mom with her phone?"))
    assert texts(found, "fact") == ["The user mentioned their Sony A7R IV (8 May 2023).",
                                    "The user mentioned their Godox V1 flash (8 May 2023)."]
    # said in a statement already, it is not said twice
    found = run(("user", "I just bought my Canon EOS 80D. Which lenses suit my Canon EOS 80D?"))
    assert texts(found, "fact") == ["The user just bought their Canon EOS 80D (8 May 2023)."]


def test_favorite_line_is_an_explicit_preference():
    prefs = texts(run(("user", "Caroline: My favorite color is teal.")), "preference")
    assert prefs == ["Caroline's favorite color: teal."]


def test_choice_among_offered_options_is_an_implicit_preference_and_joins_the_fact():
    found = run(("user", "I need a hotel in Guangzhou for my summer trip."),
                ("assistant", "Options: 7 Days Inn (budget) or the Ritz-Carlton (luxury)."),
                ("user", "I choose 7 Days Inn."))
    pref = [c for c in found if c.kind == "preference"][0]
    assert pref.text == "The user prefers 7 Days Inn." and pref.preference_type == "implicit_preference"
    assert "Ritz-Carlton" in pref.reasoning
    fact = [c for c in found if c.kind == "fact"]
    assert len(fact) == 1 and fact[0].text.endswith("and chose 7 Days Inn.")
    assert [s.message_index for s in fact[0].sources] == [0, 1, 2]


def test_a_pick_among_offered_options_said_loosely_or_without_a_statement_before_it_is_a_choice():
    found = run(("user", "I need to fly to Denver on Wednesday."),
                ("assistant", "A Southwest flight Wednesday morning, or a Frontier red-eye tonight?"),
                ("user", "Southwest please. Frontier is the worst."))
    assert texts(found, "fact")[0] == "The user needs to fly to Denver on Wednesday 10 May 2023 and chose Southwest."
    assert texts(found, "preference") == ["The user prefers Southwest."]
    found = run(("user", "Where should I go in Portugal?"), ("assistant", "Options: Lisbon, Porto, or the Algarve."),
                ("user", "Yes, let's go with Porto then."))
    assert texts(found, "fact") == ['The user chose Porto when offered "Options: Lisbon, Porto, or the Algarve" '
                                    '(8 May 2023).']
    assert texts(found, "preference") == ["The user prefers Porto."]
    # a choice told of another time, a vague one, a phrasal verb, a "but": no choice
    for offer, reply in (("Lisbon or Porto?", "We went with Porto last time, so somewhere new."),
                         ("Lisbon or Porto?", "I'll go with whatever you think is best."),
                         ("Pickup or delivery?", "I'll pick it up tomorrow."),
                         ("Brooklyn or Queens?", "Brooklyn sounds good but way too expensive.")):
        assert texts(run(("user", "Hi"), ("assistant", offer), ("user", reply)), "preference") == [], reply
    # an offer that does not answer the statement before it is not joined to it
    found = run(("user", "I have two cats."), ("assistant", "Cool. What color do you want, green or blue?"),
                ("user", "green please"))
    assert texts(found, "fact") == ["The user has two cats (8 May 2023).",
                                    'The user chose green when offered "What color do you want, green or blue?" '
                                    '(8 May 2023).']
    # loose words that name no option pick nothing
    found = run(("user", "I want to get fit."), ("assistant", "You could try yoga or pilates?"),
                ("user", "I'll take a look at both, thanks."))
    assert texts(found, "preference") == [] and not any("chose" in f for f in texts(found, "fact"))


def test_a_terse_reply_to_a_question_put_to_the_user_is_kept_with_the_question():
    facts = texts(run(("user", "I need help with my taxes."), ("assistant", "Sure. Do you have kids?"),
                      ("user", "yep, two kids")), "fact")
    assert facts[1] == 'The user answered "Yep, two kids" when asked "Do you have kids?" (8 May 2023).'
    # an offer of help, an acknowledgement, or two questions at once: nothing to keep
    for question, reply in (("Would you like me to draft the email for you?", "Go ahead"),
                            ("Is there anything else you need help with?", "nope that's all"),
                            ("Do you have kids?", "Yes please."),
                            ("Do you have a dog? And what's your budget for the apartment?", "yes, a beagle"),
                            # a thanks acknowledged, a laugh: they name nothing
                            ("What did you put in it?", "No prob."),
                            ("Was the hike fun?", "Haha, totally!"),
                            ("Did the recipe work for you?", "You’re welcome!"),
                            ("Was it funny?", "Hahaha!"), ("Did you see that?", "lolol")):
        assert texts(run(("user", "Hi"), ("assistant", question), ("user", reply)), "fact") == [], reply
    # chat says nothing, and a question not put to the user asks nothing of them
    assert texts(run(("user", "Hi"), ("assistant", "How are you?"), ("user", "Good, thanks!")), "fact") == []
    assert texts(run(("user", "Hi"), ("assistant", "Is Rome worth it?"), ("user", "Rome, definitely")), "fact") == []


@pytest.mark.parametrize("reply, fact", [
    # a statement that only echoes the question's verb is read with the question
    ("Nah, I haven't. I've been busy painting.", 'Caroline answered "Nah, I haven\'t" when asked "Have you been to '
                                                'an art show lately?" (8 May 2023).'),
    ("Yes, I have, twice!", 'Caroline answered "Yes, I have, twice!" when asked "Have you been to an art show '
                            'lately?" (8 May 2023).'),
    ("We did not.", 'Caroline answered "We did not" when asked "Have you been to an art show lately?" (8 May 2023).'),
    # (code review) other openers, contractions, "been", and the echo with more after it
    ("Not yet, I haven't.", 'Caroline answered "Not yet, I haven\'t" when asked "Have you been to an art show '
                            'lately?" (8 May 2023).'),
    ("Nah, I haven’t been.", 'Caroline answered "Nah, I haven’t been" when asked "Have you been to an art show '
                             'lately?" (8 May 2023).'),
    ("No, I'm not.", 'Caroline answered "No, I\'m not" when asked "Have you been to an art show lately?" '
                     '(8 May 2023).'),
    ("I have, at the MoMA.", 'Caroline answered "I have, at the MoMA" when asked "Have you been to an art show '
                             'lately?" (8 May 2023).'),
])
def test_an_elliptical_answer_is_kept_with_the_question_it_answers(reply, fact):
    facts = texts(run(("assistant", "Melanie: Have you been to an art show lately?"), ("user", f"Caroline: {reply}")),
                  "fact")
    assert fact in facts and not any(f.startswith(("Caroline hasn't", "Caroline has,", "Caroline has not",
                                                   "Caroline and others did", "Caroline haven", "Caroline is not"))
                                        for f in facts), facts


def test_an_answer_to_a_question_that_only_echoes_what_was_said_before_it_is_read_with_that_too():
    # (code review) "Have you ever been?" alone does not say where
    facts = texts(run(("assistant", "Melanie: I just got back from Paris! Have you ever been?"),
                      ("user", "Caroline: Yes, I have, twice!")), "fact")
    assert facts == ['Caroline answered "Yes, I have, twice!" when asked "I just got back from Paris! Have you ever '
                     'been?" (8 May 2023).']
    assert texts(run(("assistant", "Melanie: Do you?"), ("user", "Caroline: I do!")), "fact") == []


def test_an_answer_to_a_question_about_what_the_sentence_before_named_is_read_with_that_sentence():
    # "it" is the letter: quoted alone, the question does not say what reminded her of her childhood
    facts = texts(run(("assistant", "Nate: That letter is really awesome! Does it remind you of your childhood?"),
                      ("user", "Joanna: Yeah, it does!")), "fact")
    assert facts == ['Joanna answered "Yeah, it does!" when asked "That letter is really awesome! Does it remind '
                     'you of your childhood?" (8 May 2023).']
    # (second read) "there" after "been" is the place named before; the quote's "last year" is dated
    facts = texts(run(("assistant", "Nate: I went to Lisbon last year. Have you been there?"),
                      ("user", "Joanna: Yes, twice, for work!")), "fact")
    assert facts == ['Joanna answered "Yes, twice, for work!" when asked "I went to Lisbon last year (2022). Have '
                     'you been there?" (8 May 2023).'], facts
    # quoted alone: a question that names its own subject, or names it before its pronoun; one after
    # a sentence that names nothing; "is there" and "this", which refer to nothing said before
    for question, quoted in (("Nice! Have you been to an art show lately?", "Have you been to an art show lately?"),
                             ("Cool. Is there a gym near you?", "Is there a gym near you?"),
                             ("Love it. You said you were allergic to pets, how bad is it?",
                              "You said you were allergic to pets, how bad is it?"),
                             ("Sounds cool! Have you tried it yet?", "Have you tried it yet?"),
                             ("Took a lot of courage! What do you think of this?", "What do you think of this?"),
                             # (code review) an "it" or "there" that stands for nothing said
                             ("Work has been so busy. Is it hard for you to find time for painting?",
                              "Is it hard for you to find time for painting?"),
                             ("Congrats again. How's it going with your new job?", "How's it going with your new job?"),
                             ("The concert was packed. Did you make it in time?", "Did you make it in time?"),
                             ("Work has been so busy. Has there been any news about your move?",
                              "Has there been any news about your move?")):
        facts = texts(run(("assistant", f"Melanie: {question}"), ("user", "Caroline: Yes, at the studio!")), "fact")
        assert facts == [f'Caroline answered "Yes, at the studio!" when asked "{quoted}" (8 May 2023).'], facts


def test_a_reply_to_a_request_of_the_other_party_is_no_answer_about_the_speaker():
    # (code review) "Yes, I can" promises something; it tells nothing of the user
    assert texts(run(("assistant", "Can you share your itinerary with me?"), ("user", "Yes, I can.")), "fact") == []
    assert texts(run(("assistant", "Could you send us the photos later?"), ("user", "sure, tonight")), "fact") == []


def test_an_elliptical_statement_with_no_question_before_it_is_no_fact():
    assert texts(run(("user", "Caroline: Nah, I haven't. I have a dog named Rex.")), "fact") == \
        ["Caroline has a dog named Rex (8 May 2023)."]
    # a full statement with an auxiliary is a fact as before
    assert texts(run(("user", "I was in Lisbon yesterday.")), "fact") == ["The user was in Lisbon on 7 May 2023."]


def test_the_add_message_docs_hotel_conversation_gives_one_self_contained_memory():
    found = run(("user", "I have booked a summer trip to Guangzhou. Which hotel chains are available?"),
                ("assistant", "You can consider 7 Days Inn, Ji Hotel, Hilton, and others."),
                ("user", "I choose 7 Days Inn."),
                ("assistant", "Got it. Feel free to ask if you have other questions."))
    facts = [c for c in found if c.kind == "fact"]
    assert [f.text for f in facts] == ["The user has booked a summer trip to Guangzhou (8 May 2023) and chose 7 Days Inn."]
    assert [s.message_index for s in facts[0].sources] == [0, 1, 2]
    assert texts(found, "preference") == ["The user prefers 7 Days Inn."]


def test_a_short_reply_to_a_plain_statement_is_not_a_choice():
    found = run(("user", "I moved to Hangzhou last year."), ("assistant", "That sounds lovely."),
                ("user", "I take the metro to work every day."))
    assert len(texts(found, "fact")) == 2 and not texts(found, "preference")


def test_slots_mark_statements_a_later_one_replaces():
    found = run(("user", "I moved to Shanghai last month. I'm vegetarian now. I work at Google as an engineer."))
    assert [c.slot for c in found if c.kind == "fact"] == ["residence", "diet", "job"]
    assert [c.slot for c in run(("user", "I moved from Sweden years ago."))if c.kind == "fact"] == [None]


def test_raw_messages_are_kept_and_long_ones_split_in_sentence_chunks():
    long = " ".join(f"Sentence number {i} talks about the topic at some length here." for i in range(60))
    found = run(("user", "Caroline: hi"), ("assistant", long))
    raws = [c for c in found if c.kind == "raw"]
    assert raws[0].text == "[8 May 2023] Caroline: hi"
    assert len(raws) > 3 and all(len(r.text.split()) <= RAW_CHUNK_WORDS + 4 for r in raws[1:])
    assert all(r.sources[0].message_index == 1 for r in raws[1:])
    assert " ".join(r.text.split(": ", 1)[1] for r in raws[1:]) == long
    # a pasted log with no sentence end is cut by words, not kept as one 1,000-word memory
    log = " ".join(f"step{i} ok" for i in range(500))
    raws = texts(run(("user", log)), "raw")
    assert len(raws) == 4 and all(len(r.split()) <= RAW_CHUNK_WORDS + 4 for r in raws)
    assert " ".join(r.split(": ", 1)[1] for r in raws) == log


def test_caller_tags_are_used_where_they_fit_and_entities_are_found():
    found = run(("user", "I booked a flight to Tokyo with Japan Airlines."), tags=["travel planning", "finance"])
    fact = [c for c in found if c.kind == "fact"][0]
    assert "travel planning" in fact.tags and "finance" not in fact.tags
    assert {"Tokyo", "Japan Airlines", "8 May 2023"} <= set(fact.entities)
    found = run(("user", "I'm flying to Osaka next week for my cousin's wedding."), tags=["travel"])
    assert "travel" in [c for c in found if c.kind == "fact"][0].tags


def test_contractions_and_sentence_openers_are_not_entities():
    assert entities_of("They're great. Can't wait to see Bob's dog in Paris on 8 May 2023.") == \
        ["8 May 2023", "Bob", "Paris"]
    assert entities_of("Seeing my family in New York was lovely. Life is good, Caroline.") == ["New York", "Caroline"]


def test_every_candidate_carries_its_sources_and_said_time():
    for c in run(("user", "I adopted a puppy named Max yesterday.")):
        assert c.sources[0].conversation_id == "c1" and c.sources[0].chat_time == "2023-05-08 13:56:00"
        assert c.said_at == SAID.timestamp() * 1000


def test_a_long_message_in_a_script_without_spaces_is_kept_in_chunks_of_whole_sentences():
    sentence = "我住在北京，在一家银行工作，周末喜欢去公园散步。"  # 24 characters
    found = run(("user", sentence * 30))
    raws = [c.text.split(": ", 1)[1] for c in found if c.kind == "raw"]
    assert len(raws) == 3 and all(len(r) <= RAW_CHUNK_WORDS for r in raws), [len(r) for r in raws]
    assert "".join(raws) == sentence * 30  # in order, nothing lost, and cut between sentences
    assert all(r.endswith("。") for r in raws)
    # one sentence longer than a chunk is cut by characters
    raws = [c.text.split(": ", 1)[1] for c in run(("user", "长" * 600)) if c.kind == "raw"]
    assert [len(r) for r in raws] == [250, 250, 100]


def test_chinese_and_japanese_relative_times_in_raw_messages_gain_their_dates():
    said = datetime(2024, 3, 10, 9, 0, tzinfo=BEIJING)  # a Sunday
    raws = texts(run(("user", "上个月我搬到了上海。昨天去了杭州，上周在北京。三天前买了车，两年前结婚了。"), said=said), "raw")
    assert raws == ["[10 March 2024] user: 上个月（2024年2月）我搬到了上海。昨天（2024年3月9日）去了杭州，"
                    "上周（2024年2月26日–2024年3月3日）在北京。三天前（2024年3月7日）买了车，两年前（2022年）结婚了。"]
    raws = texts(run(("user", "昨日、東京に行きました。先月は大阪でした。"), said=said), "raw")
    assert raws == ["[10 March 2024] user: 昨日（2024年3月9日）、東京に行きました。先月（2024年2月）は大阪でした。"]
    # words that only contain the characters, a year, and a count the rules do not read are left alone
    raws = texts(run(("user", "以前天天跑步，马上月底了，2010年前我在上学，十五天前没有。"), said=said), "raw")
    assert raws == ["[10 March 2024] user: 以前天天跑步，马上月底了，2010年前我在上学，十五天前没有。"]


@pytest.mark.parametrize("said, fact", [
    ("Traded in the Corolla for a Subaru Outback last week.",
     "The user traded in the Corolla for a Subaru Outback in the week before 8 May 2023."),
    ("Finally sold my Golf and got a Tesla.", "The user finally sold their Golf and got a Tesla (8 May 2023)."),
])
def test_a_chat_sentence_that_drops_its_i_before_a_past_verb_gets_it_back(said, fact):
    assert texts(run(("user", said)), "fact") == [fact]


@pytest.mark.parametrize("said, fact", [
    # a past form that is also the verb itself is "would" after "'d", unless the sentence dates it earlier
    ("I'd quit my job for a year of travel.", "The user would quit their job for a year of travel (8 May 2023)."),
    ("I'd quit smoking years before I met my wife.",
     "The user had quit smoking years before the user met their wife (8 May 2023)."),
    ("I'd already read the whole series twice.", "The user had already read the whole series twice (8 May 2023)."),
    ("I'd just finished my shift at the bakery.", "The user had just finished their shift at the bakery (8 May 2023)."),
    # an irregular participle, after "never" or not
    ("I'd never seen the ocean before that trip.", "The user had never seen the ocean before that trip (8 May 2023)."),
    ("I'd forgotten my passport at the hotel.", "The user had forgotten their passport at the hotel (8 May 2023)."),
    ("I'd never quit a job without another lined up.",
     "The user would never quit a job without another lined up (8 May 2023)."),
    # one rule for "he'd" and "she'd" too
    ("My brother Sam is staying with me. He'd quit his job for a year of travel.",
     "The user's brother Sam would quit his job for a year of travel (8 May 2023)."),
    ("My brother Sam is staying with me. He'd already quit his job by then.",
     "The user's brother Sam had already quit his job by then (8 May 2023)."),
])
def test_had_or_would_after_an_apostrophe_d(said, fact):
    assert fact in texts(run(("user", said)), "fact")


@pytest.mark.parametrize("said, expected", [
    # two single-valued subjects in one sentence: one fact each, so a move does not take the job with it
    ("I live in Boston and I work as a nurse at Mass General.",
     ["The user lives in Boston (8 May 2023).", "The user works as a nurse at Mass General (8 May 2023)."]),
    ("I'm 34, I'm single, and I drive a Honda Fit.",
     ["The user is 34 (8 May 2023).", "The user is single (8 May 2023).", "The user drives a Honda Fit (8 May 2023)."]),
    # the clause's "I" may be left out
    ("I work at Google and live in Zurich.",
     ["The user works at Google (8 May 2023).", "The user lives in Zurich (8 May 2023)."]),
    ("I'm married, have two kids, and work from home.",
     ["The user is married (8 May 2023).", "The user has two kids (8 May 2023).",
      "The user works from home (8 May 2023)."]),
    # a participle after who one is, a "we" clause, a sentence that opens on "My"
    ("I'm a 32 year old nurse living in Leeds.",
     ["The user is a 32 year old nurse (8 May 2023).", "The user is living in Leeds (8 May 2023)."]),
    ("I'm a software engineer at Netflix, working remotely from Denver.",
     ["The user is a software engineer at Netflix (8 May 2023).",
      "The user is working remotely from Denver (8 May 2023)."]),
    ("I'm in a relationship with Chris and we live in Oakland.",
     ["The user is in a relationship with Chris (8 May 2023).", "The user and others live in Oakland (8 May 2023)."]),
    ("My phone is 555-0110 and my email is dan.r@gmail.com.",
     ["The user's phone is 555-0110 (8 May 2023).", "The user's email is dan.r@gmail.com (8 May 2023)."]),
    # a name of several words after a preposition is an object too
    ("I'm a junior analyst at Pellworth Insurance and I want to grow into a senior role.",
     ["The user is a junior analyst at Pellworth Insurance and the user wants to grow into a senior role (8 May 2023)."]),
    # ...but "My X and I" is one subject, and "a fan of living in cities" no clause
    ("My boyfriend Tom and I have been together three years.",
     ["The user's boyfriend Tom and the user have been together three years (8 May 2023)."]),
    # a clause that points back to another stays with it
    ("I moved to Denver last month and I love it there.",
     ["The user moved to Denver in April 2023 and the user loves it there."]),
    # one slot only: nothing to keep apart
    ("I live in Boston and I love the food scene.", ["The user lives in Boston and the user loves the food scene (8 May 2023)."]),
])
def test_a_sentence_on_two_slots_is_one_fact_per_slot(said, expected):
    found = run(("user", said))
    assert texts(found, "fact") == expected
    assert [c.slot for c in found if c.kind == "fact"][0] is not None


@pytest.mark.parametrize("said, expected", [
    ("Please use my new email, jane@doe.dev, for all invoices from now on.",
     ["The user's new email is jane@doe.dev (8 May 2023)."]),
    ("Can you update my phone number to +1 (555) 019-9000?", ["The user's phone number is +1 (555) 019-9000 (8 May 2023)."]),
    # someone else's address is no detail of the user's
    ("Please email my boss at boss@corp.com about the delay.", []),
])
def test_a_contact_detail_given_inside_a_request_is_a_fact(said, expected):
    assert texts(run(("user", said)), "fact") == expected


def test_two_favourites_in_one_sentence_are_two_preferences_and_a_dropped_i_before_turned_comes_back():
    found = run(("user", "My favorite band is Queen and my favorite food is lasagna."))
    assert [(c.text, c.slot) for c in found if c.kind == "preference"] == [
        ("The user's favorite band: Queen.", "favorite:band"), ("The user's favorite food: lasagna.", "favorite:food")]
    assert [(c.text, c.slot) for c in run(("user", "Just turned 28 last week!")) if c.kind == "fact"] == [
        ("The user just turned 28 in the week before 8 May 2023.", "age")]


@pytest.mark.parametrize("message, facts", [
    # a question typed without its mark is no fact, nor part of one (audit 20)
    ("I got a job offer from Salesforce, senior QA. Do I need to negotiate or is that a myth",
     ["The user got a job offer from Salesforce, senior QA (8 May 2023)."]),
    ("I've started eating fish again, so pescatarian now. can you give me some easy fish dinners for one",
     ["The user has started eating fish again, so pescatarian now (8 May 2023)."]),
    ("I start at N26 next week as a product designer. how do I do the Anmeldung thing",
     ["The user starts at N26 in the week after 8 May 2023 as a product designer."]),
    # "Did I mention ..." opens a statement
    ("Did I mention I adopted a puppy named Rex.", ["The user adopted a puppy named Rex (8 May 2023)."]),
    # a title's or a quotation's "I" is not the speaker; a "you" that means anyone is not the assistant
    ("I started listening to How I Built This.", ["The user started listening to How I Built This (8 May 2023)."]),
    ("I'm ordering 'I'm a Big Brother' shirts for Owen.",
     ["The user is ordering 'I'm a Big Brother' shirts for Owen (8 May 2023)."]),
    ("I hate board games where you attack each other.",
     ["The user hates board games where you attack each other (8 May 2023)."]),
    # a "me" joined to another is the speaker, even after the speaker was named
    ("My sister and me drove to Rome.", ["The user's sister and the user drove to Rome (8 May 2023)."]),
])
def test_what_a_fact_keeps_of_chat_sentences(message, facts):
    assert texts(run(("user", message)), "fact") == facts


@pytest.mark.parametrize("said, liked", [
    # two adverbs before the verb (audit 19: "I also really like ABBA" was no preference)
    ("I also really like ABBA.", "The user likes ABBA."),
    ("I still really love hiking.", "The user likes hiking."),
])
def test_a_like_said_with_two_adverbs_is_a_preference(said, liked):
    assert texts(run(("user", said)), "preference") == [liked]


@pytest.mark.parametrize("said, preferences", [
    # audit 23: tastes said in chat's words, and traits advice must fit, were no preferences
    # (in the words said: "is obsessed with their weight" is no taste to recommend from)
    ("I'm obsessed with spicy Thai food; green curry is my comfort meal.",
     ["The user is obsessed with spicy Thai food."]),
    ("I'm a sucker for historical fiction, especially anything set during World War II.",
     ["The user is a sucker for historical fiction."]),
    ("I’m not big on sweets.", ["The user does not like sweets."]),
    ("I'm pretty risk-averse with money, since my parents lost their savings in 2008.",
     ["The user is pretty risk-averse with money."]),
    ("I'm a homebody, honestly.", ["The user is a homebody."]),
    ("I'm more of an introvert.", ["The user is more of an introvert."]),
    ("I've been vegetarian for about eight years.", ["The user is vegetarian."]),
    ("I was diagnosed with celiac disease last year, so everything I bake has to be gluten-free.",
     ["The user has celiac disease."]),
    ("My sister was diagnosed with diabetes.", []),
    # a capital letter before a full stop ends the sentence when another plainly begins: the
    # question after it no longer swallows the statement
    ("I love swimming laps at the Y. How can I make my swim workouts more challenging?",
     ["The user likes swimming laps at the Y."]),
    # ...and no taste is read where nothing is named, in an addiction, an idiom, a phrase that is no
    # liking, someone else's word, or a word that qualifies a job (the code review's)
    ("I'm obsessed with how you explained it.", []),
    ("I'm hooked on painkillers.", []),
    ("I'm a sucker for punishment.", []),
    ("We're all about to board the plane.", []),
    ("My wife says I'm obsessed with golf.", []),
    ("People think I love money but I don't.", []),
    ("I'm a minimalist designer.", []),
    # audit 24: what one is a fan of in the words of a kind of person, and tastes said as a cleft
    ("I'm a huge history nerd — I could listen to lectures on Rome for hours.", ["The user is a huge history nerd."]),
    ("For context I'm firmly a Linux person.", ["The user is firmly a Linux person."]),
    ("I'm not a sports person, never liked team stuff.", ["The user is not a sports person."]),
    ("I'm a coffee snob.", ["The user is a coffee snob."]),
    ("What I can't stand is small talk at parties.", ["The user can't stand small talk at parties."]),
    ("What I love most is quiet mornings.", ["The user likes quiet mornings."]),
    ("I really care about sustainability when I shop.", ["The user cares about sustainability when they shop."]),
    ("I care about you.", []),
    ("I care about my kids more than anything.", []),
    ("I don't care about football.", []),
    # audit 24: tastes said in passing, in requests and exclamations as often as in statements
    ("Make it hot, the spicier the better.", ["The user thinks the spicier the better."]),
    ("The more obscure the better, honestly.", ["The user thinks the more obscure the better."]),
    ("Two tacos please, no cilantro.", ["The user does not want cilantro."]),
    ("No onions for me, please.", ["The user does not want onions."]),
    ("Please no spoilers!", ["The user does not want spoilers."]),
    ("Honestly that opera bored me stiff.", ["The user found that opera boring."]),
    ("The second half of the book bored me to tears.", ["The user found the second half of the book boring."]),
    ("My job bores me to tears these days.", ["The user finds their job boring."]),
    ("PLEASE NO CILANTRO", ["The user does not want cilantro."]),
    # ...not haste, a courtesy, a thing not named or a person, a question, a negation, a quote or
    # someone else's plate (the code review's)
    ("Send it over, the sooner the better.", []),
    ("The quicker the better.", []),
    ("No worries, please take your time.", []),
    ("No rush, please.", []),
    ("no comment, please", []),
    ("No big deal, please relax", []),
    ("Please no later than Friday", []),
    ("No, please stop.", []),
    ("It bored me to death.", []),
    ("The kids bored me to tears today.", []),
    ("Is the spicier the better?", []),
    ("That movie bored me to tears?", []),
    ("Not the spicier the better!", []),
    ("The kids scream: no vegetables, please!", []),
    ("My daughter always yells 'please no broccoli!'", []),
    ("For my son, please no peanuts.", []),
    ("My friend hates cilantro, so please no cilantro on hers.", []),
    # ...and said once when it was said outright too
    ("I hate cilantro! Please no cilantro!", ["The user does not like cilantro."]),
    # ...not who one has become, nor what one does for a living
    ("I'm a different person now.", []),
    ("I'm a better person because of her.", []),
    ("I'm a retired history teacher.", []),
])
def test_tastes_and_traits_said_in_other_words_are_preferences(said, preferences):
    assert texts(run(("user", said)), "preference") == preferences


@pytest.mark.parametrize("said, third_person", [
    # a name after a preposition is an object, so "and I" opens a clause of its own ...
    ("I'm an analyst at Pellworth Insurance and I want to grow.",
     "The user is an analyst at Pellworth Insurance and the user wants to grow."),
    ("My dog is named after Uncle Bob and I love it.", "The user's dog is named after Uncle Bob and the user loves it."),
    # ... but a fronted time is no object: "Mel and I" is the subject
    ("This year at Christmas Mel and I are hosting dinner.", "This year at Christmas Mel and the user are hosting dinner."),
    ("I know because in May Mel and I are going to Rome.",
     "The user knows because in May Mel and the user are going to Rome."),
])
def test_and_i_after_a_name_opens_a_clause_only_after_an_object(said, third_person):
    assert to_third_person(said, "the user") == third_person


def test_an_initial_is_still_not_the_end_of_a_sentence():
    assert split_sentences("I met J. K. Rowling and A. Jones once. She was nice.") == \
        ["I met J. K. Rowling and A. Jones once.", "She was nice."]
    assert split_sentences("I love Winnie-the-Pooh by A. A. Milne. My favorite author is J. I. Packer.") == \
        ["I love Winnie-the-Pooh by A. A. Milne.", "My favorite author is J. I. Packer."]
    assert split_sentences("I take vitamin D. It helps.") == ["I take vitamin D.", "It helps."]


@pytest.mark.parametrize("message, fact", [
    # the code review's: a day opening a sentence takes its own sentence's tense; "first" is no "how
    # long since"; a day to come after "and"; a name in -ed is no past; "a.m." ends no sentence; a
    # sentence in capitals is no title; "Can I just say" opens a statement; a day heading dates
    ("Saturday night, we went dancing with my coworkers.",
     "Saturday 4 May 2024 night, the user and others went dancing with their coworkers."),
    ("Our first baby is due in 3 weeks!", "The user's first baby is due in 3 weeks (the week of 29 May 2024)."),
    ("I haven't packed yet and we move in 3 days.",
     "The user hasn't packed yet and the user and others move in 3 days (11 May 2024)."),
    ("Ahmed the plumber is coming on Friday.", "Ahmed the plumber is coming on Friday 10 May 2024."),
    ("I work 9 a.m. to 5 p.m. on weekdays.", "The user works 9 a.m. to 5 p.m. on weekdays (8 May 2024)."),
    ("YESTERDAY MY SISTER AND I WENT TO PARIS", "On 7 May 2024 the user's SISTER AND the user WENT TO PARIS."),
    ("Can I just say I love my new job", "The user loves their new job (8 May 2024)."),
    ("Tomorrow: I have my final exam at 9.", "On 9 May 2024: the user has their final exam at 9."),
])
def test_what_the_new_chat_rules_must_leave_alone(message, fact):
    assert texts(run(("user", message), said=datetime(2024, 5, 8, 10, tzinfo=BEIJING)), "fact") == [fact]


def test_what_someone_named_gave_up_is_a_fact_however_short_but_not_what_a_thing_stopped_doing():
    assert texts(run(("user", "Mia quit ballet.")), "fact") == ["Mia quit ballet (8 May 2023)."]
    assert texts(run(("user", "It stopped raining.")), "fact") == [] and endings_of("It stopped raining.") == []
