"""Which words of a personal value replace alone in free text (core.anonymize's name parts).

A value that is a token label and a number ('Agent 7', from an export anonymized by hand)
is replaced as a whole, never its label word alone; nor is a common word of teams and
organisations ('Support Desk', 'Alliance High School'). A name part of 1-2 letters ('Ng',
'Li') is replaced after a courtesy title only ('Mr Li' -> 'Mr Agent 3').
"""
from __future__ import annotations

import pandas as pd
import pytest

from core import anonymize as an


def scrubbed(personal: dict[str, list[str]], labels: dict[str, str], texts: list[str],
             key: bytes | None = None) -> tuple[list[str], dict[str, str], an.Anonymized]:
    """The texts scrubbed with ``personal``'s columns as the personal columns, each value's
    token, and the whole result."""
    rows = max(len(texts), *(len(v) for v in personal.values()))
    data = {c: (v + [v[-1]] * rows)[:rows] for c, v in personal.items()}
    data["Title"] = (texts + [""] * rows)[:rows]
    frame = pd.DataFrame(data, dtype="str")
    out = an.anonymize(frame, an.default_plan(frame.columns, labels, ("Title",)), key)
    tokens = {str(v): str(t) for c in personal for v, t in zip(frame[c], out.clean[c])}
    return out.clean["Title"].tolist()[:len(texts)], tokens, out


# ---------------------------------------------------------------- token-like values


def test_qa_agent_7_does_not_make_agent_a_name_part():
    # QA: an Owner column holding 'Agent 7' turned "Agent 3 handover" into "Agent 4 3 handover".
    texts = ["Agent 3 handover", "Handled by Agent 3 for Moi; Agent to confirm", "Agent 7 said wait",
             "agent 7's laptop", "Grace to confirm"]
    got, tokens, out = scrubbed({"Owner": ["Grace Wanjiku", "Agent 7"]}, {"Owner": "Agent"}, texts)
    assert got == ["Agent 3 handover", "Handled by Agent 3 for Moi; Agent to confirm",
                   f"{tokens['Agent 7']} said wait", f"{tokens['Agent 7']}'s laptop",
                   f"{tokens['Grace Wanjiku']} to confirm"]
    assert an.leak_check(out.clean, out.originals).clean


@pytest.mark.parametrize("label, value, texts", [
    ("Agent", "Agent 7", ["Agent 3 handover", "ask the agent", "AGENT 12"]),
    ("School", "School 12", ["School 3 called", "school fees", "the School"]),
    ("Client", "Client 3", ["Client 9 unhappy", "client portal"]),
    ("Client", "School 12", ["School 3 called", "school fees"]),  # another label's word too
    ("Region", "Region 2", ["Region 5 outage", "region wide"]),
    ("Requester", "Requester 4", ["Requester 1 phoned", "the requester"]),
    ("Manager", "Manager 2", ["Manager 9 approved", "manager away"]),
    ("Regional Manager", "Regional Manager 2", ["Regional Manager 1 ok", "regional office", "manager away"]),
    ("Person", "Person 5", ["Person 1 left", "in person"]),
    ("Tutor", "Tutor 5", ["Tutor 2 is off", "tutor notes"]),  # a label of this plan only
    ("Agent", "Agent K7G2MNQ3ZP4A", ["agent on leave"]),  # a keyed token as a value
])
def test_label_word_of_a_token_like_value_is_not_a_part(label, value, texts):
    got, tokens, _ = scrubbed({"Who": ["Ann Lee", value]}, {"Who": label}, texts + [value, f"({value})"])
    assert got[:len(texts)] == texts  # the label word alone, or with another number, stays
    assert got[len(texts):] == [tokens[value], f"({tokens[value]})"]  # the whole value is replaced


def test_label_word_is_not_a_part_with_a_key_either():
    got, tokens, _ = scrubbed({"Owner": ["Agent 7"]}, {"Owner": "Agent"}, ["Agent 3 handover", "Agent 7"],
                              key=b"K" * 32)
    assert got == ["Agent 3 handover", tokens["Agent 7"]]


@pytest.mark.parametrize("value, texts", [
    ("Support Desk", ["desk phone broken", "support asked", "Tier 2 support"]),
    ("Helpdesk Team", ["team meeting", "helpdesk"]),
    ("Tier 2 Support", ["tier 1", "support ticket", "2 support"]),
    ("Service Desk Bot", ["service restored", "bot reply"]),
])
def test_common_words_of_a_team_are_not_parts(value, texts):
    got, tokens, _ = scrubbed({"Assignee": ["Ann Lee", value]}, {"Assignee": "Agent"}, texts + [value.upper()])
    assert got == texts + [tokens[value]]


def test_common_words_of_a_school_are_not_parts_but_its_name_is():
    texts = ["high priority", "Alliance High timetable", "alliance merge", "girls hostel", "the academy",
             "St Mary's Girls report", "Alliance High School called"]
    got, tokens, _ = scrubbed({"School": ["Alliance High School", "St. Mary's Girls High School", "Hope Academy"]},
                              {"School": "School"}, texts)
    alliance, mary = tokens["Alliance High School"], tokens["St. Mary's Girls High School"]
    assert got == ["high priority", f"{alliance} High timetable", f"{alliance} merge", "girls hostel",
                   "the academy", f"{mary}'s Girls report", f"{alliance} called"]


def test_names_beside_label_words_are_still_parts():
    # 'Agent Smith' and 'Will May': a real name word replaces alone, common or not.
    texts = ["Smith called", "agent smith", "the agent", "will may come in may", "Mark"]
    got, tokens, _ = scrubbed({"Agent": ["Agent Smith", "WILL MAY", "Mark Otieno", "Mark Wang"]},
                              {"Agent": "Agent"}, texts)
    assert got == [f"{tokens['Agent Smith']} called", tokens["Agent Smith"], "the agent",
                   f"{tokens['WILL MAY']} come in {tokens['WILL MAY']}", "[Agent]"]


def test_common_words_of_a_person_with_a_name_are_parts():
    # 'Hope Support' is a person: 'support' alone may mean her (privacy over readability),
    # as 'Will' and 'May' do; only the plan's own label word is never a part.
    texts = ["support asked", "hope so", "agent busy", "none left"]
    got, t, _ = scrubbed({"Agent": ["Hope Support", "Agent Kamau", "Aaa None"]}, {"Agent": "Agent"}, texts)
    assert got == [f"{t['Hope Support']} asked", f"{t['Hope Support']} so", "agent busy", f"{t['Aaa None']} left"]


def test_part_words():
    assert an._part_words("agent 7") == []
    assert an._part_words("agent 7 smith") == ["agent", "smith"]  # a name: its common words are parts
    assert an._part_words("agent 7 smith", frozenset({"agent"})) == ["smith"]  # '7 smith' is no particle and name
    assert an._part_words("mary o sullivan") == ["mary", "sullivan", "o sullivan"]
    assert an._part_words("ann de souza") == ["ann", "souza", "de souza"]
    assert an._part_words("support desk") == an._part_words("tier 2 support") == []
    assert an._part_words("tutor 5", frozenset({"tutor"})) == []
    assert an._part_words("alliance high school", person=False) == ["alliance"]


# ---------------------------------------------------------------- short parts after a title


@pytest.mark.parametrize("text, expected", [
    ("Mr Li unhappy", "Mr {li} unhappy"),
    ("Ms Ng asked for callback", "Ms {ng} asked for callback"),
    ("MR. LI and ms.ng", "MR. {li} and ms.{ng}"),
    ("Mrs Li, Miss NG, Dr. Li, prof ng, Prof. Li", "Mrs {li}, Miss {ng}, Dr. {li}, prof {ng}, Prof. {li}"),
    ("Call Mr Ng's office", "Call Mr {ng}'s office"),
    ("(mr li)", "(mr {li})"),
    ("Ms Zoë Ng and Ms Ng", "Ms {ng} and Ms {ng}"),  # the whole name, non-ASCII text
    ("Mr  Li – ok", "Mr  {li} – ok"),  # collapsed spaces and a dash: the one-by-one path
    # short parts without a title stay: they are syllables too
    ("li ng", "li ng"), ("Ng", "Ng"), ("living in Li", "living in Li"), ("Mr Lim", "Mr Lim"),
    ("Mr Lin and Dr Ngo", "Mr Lin and Dr Ngo"), ("Mr. Tom", "Mr. {li}"),
])
def test_short_part_after_a_courtesy_title(text, expected):
    got, tokens, out = scrubbed({"Agent": ["Zoë Ng", "Tom Li"]}, {"Agent": "Agent"}, [text])
    assert got == [expected.format(li=tokens["Tom Li"], ng=tokens["Zoë Ng"])]
    assert an.leak_check(out.clean, out.originals).clean


def test_short_part_after_a_title_in_scrub_text():
    assert an.scrub_text("Mr Li unhappy; li ng", {"Tom Li": "Agent 1"}) == "Mr Agent 1 unhappy; li ng"
    assert an.scrub_text("Ms. Ng", {"Ng, Zoë": "Agent 2"}) == "Ms. Agent 2"


def test_short_part_shared_by_two_people_names_neither():
    got, tokens, _ = scrubbed({"Agent": ["Tom Li", "Li Wei"]}, {"Agent": "Agent"}, ["Mr Li called", "Tom Li called"])
    assert got == ["Mr [Agent] called", f"{tokens['Tom Li']} called"]
    got, _, _ = scrubbed({"Agent": ["Tom Li"], "Requester": ["Jo Li"]}, {"Agent": "Agent", "Requester": "Requester"},
                         ["Dr Li called"])
    assert got == ["Dr [Name] called"]


def test_short_part_of_a_number_is_no_name():
    got, _, _ = scrubbed({"Agent": ["Agent 7", "Ann 12"]}, {"Agent": "Agent"}, ["Mr 7 left", "Dr 12", "Mr A"])
    assert got == ["Mr 7 left", "Dr 12", "Mr A"]


@pytest.mark.parametrize("budget", [1 << 22, 5])
def test_titled_parts_same_in_a_column_as_one_by_one(monkeypatch, budget):
    monkeypatch.setattr(an, "_JOIN_CHARS", budget)
    names = {"Zoë Ng": "Agent 1", "Tom Li": "Agent 2", "Agent 7": "Agent 3", "Support Desk": "Agent 4"}
    matcher = an._Matcher(an._scrub_phrases(("Agent", an._variants(raw, True), token) for raw, token in names.items()))
    texts = ["Mr Li", "ms. ng", "MR.LI", "li ng", "Agent 3 handover", "Agent 7", "support desk", "desk",
             "Ms Zoë Ng", "\x00mr li\x00", "Dr Li's", "x Mr Li y Mrs Ng z", ""]
    expected = [matcher.replace(t) for t in texts]
    assert matcher.replace_many(texts) == expected
    assert expected[:8] == ["Mr Agent 2", "ms. Agent 1", "MR.Agent 2", "li ng", "Agent 3 handover", "Agent 3",
                            "Agent 4", "desk"]
    assert an._scrub_many(texts, matcher) == expected


def test_qa_rows_end_to_end():
    # The QA file's people and texts (owners_customers.xlsx, StMarys_Grace-Wanjiku_tickets.csv).
    personal = {"Owner": ["Grace Wanjiku", "Agent 7", "Zoe Ng", "Mwangi, Peter"],
                "Raised By": ["Tom Li", "Mary Njeri"],
                "Customer": ["Alliance High School", "Moi Forces Academy"]}
    labels = {"Owner": "Agent", "Raised By": "Requester", "Customer": "Client"}
    texts = ["Agent 3 handover", "Mr Li unhappy", "Ms Ng asked for callback", "G. Wanjiku to follow up with Mr Li",
             "Mwangi P. and Ms Njeri to meet", "Handled by Agent 3 for Moi Forces Academy; Agent to confirm"]
    got, t, out = scrubbed(personal, labels, texts)
    assert got == ["Agent 3 handover", f"Mr {t['Tom Li']} unhappy", f"Ms {t['Zoe Ng']} asked for callback",
                   f"G. {t['Grace Wanjiku']} to follow up with Mr {t['Tom Li']}",
                   f"{t['Mwangi, Peter']} P. and Ms {t['Mary Njeri']} to meet",
                   f"Handled by Agent 3 for {t['Moi Forces Academy']}; Agent to confirm"]
    assert an.leak_check(out.clean, out.originals).clean


def test_a_particle_part_written_possessive_without_its_apostrophe_is_replaced() -> None:
    # QA: "Agent 1's login broken at St Marys" kept the school of "St. Mary's Girls High School"
    frame = pd.DataFrame({"School": ["St. Mary's Girls High School"], "Title": ["login broken at St Marys today"]})
    out = an.anonymize(frame, an.default_plan(frame.columns, {"School": "School"}, ("Title",)))
    title = out.clean.loc[0, "Title"]
    assert "marys" not in title.lower() and title.startswith("login broken at ") and title.endswith(" today")
    # a one-word part gets no such form: 'marks' is not 'Mark'
    frame = pd.DataFrame({"Agent": ["Mark Otieno"], "Title": ["marks entry broken"]})
    out = an.anonymize(frame, an.default_plan(frame.columns, {"Agent": "Agent"}, ("Title",)))
    assert out.clean.loc[0, "Title"] == "marks entry broken"
