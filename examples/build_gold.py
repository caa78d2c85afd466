#!/usr/bin/env python3
"""Build examples/gold.jsonl, the reference ("gold") annotation of examples/articles.jsonl.

The annotations below were made by hand. Each span is written as a tuple

    (substring, occurrence, label, kind, span_id)

and its character offsets are computed here, never typed in: ``substring`` is
searched for with ``str.find`` and ``occurrence`` (0-based) picks the n-th match
that sits on word boundaries (the characters just before and after the match are
not letters or digits, so "Russian" never matches inside "Russians" and "UN"
never matches inside "UNESCO"). Matches inside a longer span still count: in
"Dmytro Lubinets ... Lubinets wrote", the second mention is ("Lubinets", 1).
Every lookup is asserted.

Span ids: ``s*`` entities, ``a*`` claimant spans (sources that are not entities),
``c*`` claims. ``relations`` lists (claim id, claimant span id) pairs; a claim
with no pair is asserted by the article itself.

Run from the repository root (output is deterministic):

    python examples/build_gold.py
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = HERE / "articles.jsonl"
GOLD = HERE / "gold.jsonl"

ENTITY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "DATE", "CARDINAL", "EVENT", "LAW", "MILITARY_UNIT"}
CLAIM_LABELS = {"ALLEGATION", "DENIAL", "STATISTIC", "EVENT", "STATEMENT"}
KIND_LABELS = {"entity": ENTITY_LABELS, "claim": CLAIM_LABELS, "claimant": {"CLAIMANT"}}

ANNOTATIONS: dict[str, dict[str, list]] = {
    'pow-001': {
        "entities": [
            ('Russian', 0, 'NORP', 'entity', 's1'),
            ('at least seven', 0, 'CARDINAL', 'entity', 's2'),
            ('Ukrainian', 0, 'NORP', 'entity', 's3'),
            ('Feb. 24', 0, 'DATE', 'entity', 's4'),
            ('Bakhmut', 0, 'GPE', 'entity', 's5'),
            ('Donetsk Oblast', 0, 'GPE', 'entity', 's6'),
            ('Ukraine', 0, 'GPE', 'entity', 's7'),
            ('Dmytro Lubinets', 0, 'PERSON', 'entity', 's8'),
            ('Sunday', 0, 'DATE', 'entity', 's9'),
            ('Lubinets', 1, 'PERSON', 'entity', 's10'),
            ('Telegram', 0, 'ORG', 'entity', 's11'),
            ('Russians', 0, 'NORP', 'entity', 's12'),
            ('at least seven', 1, 'CARDINAL', 'entity', 's13'),
            ('Ukrainian Armed Forces', 0, 'ORG', 'entity', 's14'),
            ('Lubinets', 2, 'PERSON', 'entity', 's15'),
            ('Russian', 1, 'NORP', 'entity', 's16'),
            ('Geneva Conventions', 0, 'LAW', 'entity', 's17'),
            ('Today', 0, 'DATE', 'entity', 's18'),
            ('UN', 0, 'ORG', 'entity', 's19'),
            ('International Committee of the Red Cross', 0, 'ORG', 'entity', 's20'),
            ('Russian', 2, 'NORP', 'entity', 's21'),
            ('Ukrainian', 2, 'NORP', 'entity', 's22'),
            ('Lubinets', 3, 'PERSON', 'entity', 's23'),
            ('Ukrainian', 3, 'NORP', 'entity', 's24'),
            ('Moscow', 0, 'GPE', 'entity', 's25'),
            ('Ukraine', 1, 'GPE', 'entity', 's26'),
            ("Prosecutor General's Office", 0, 'ORG', 'entity', 's27'),
            ('three', 0, 'CARDINAL', 'entity', 's28'),
            ('Robotyne', 0, 'GPE', 'entity', 's29'),
            ('Zaporizhzhia Oblast', 0, 'GPE', 'entity', 's30'),
            ('Feb. 18', 0, 'DATE', 'entity', 's31'),
        ],
        "claimants": [
            ('he', 0, 'CLAIMANT', 'claimant', 'a1'),
            ('the ombudsman', 0, 'CLAIMANT', 'claimant', 'a2'),
            ('Ukrainian officials', 0, 'CLAIMANT', 'claimant', 'a3'),
        ],
        "claims": [
            ('Russian soldiers shot dead at least seven Ukrainian servicemen who had '
             'laid down their arms on Feb. 24 near Bakhmut, a town in Donetsk Oblast', 0, 'ALLEGATION', 'claim', 'c1'),
            ('The footage we obtained shows the men coming out with their '
             'hands up. They carried no weapons and were no danger to anyone', 0, 'STATEMENT', 'claim', 'c2'),
            ('Instead of taking them captive, the Russians executed them on the spot', 0, 'ALLEGATION', 'claim', 'c3'),
            ('The exact toll is still unclear, but it is believed that at least seven men were killed, '
             'all of them members of the Ukrainian Armed Forces', 0, 'STATISTIC', 'claim', 'c4'),
            ('his office had already identified the Russian unit responsible for the killing', 0, 'EVENT', 'claim', 'c5'),
            ('Today I am writing to the UN and to the International Committee of the Red Cross, '
             'asking them to record and openly recognise that Russian soldiers are killing Ukrainian captives', 0, 'EVENT', 'claim', 'c6'),
            ('Moscow of killing soldiers who surrender', 0, 'ALLEGATION', 'claim', 'c7'),
            ('three prisoners of war were shot near Robotyne in Zaporizhzhia Oblast on Feb. 18', 0, 'ALLEGATION', 'claim', 'c8'),
        ],
        # (claim id, claimant span id)
        "relations": [('c1', 's8'), ('c2', 's10'), ('c3', 'a1'), ('c4', 'a2'), ('c5', 's15'), ('c6', 's23'), ('c7', 'a3'), ('c8', 's27')],
    },
    'pow-002': {
        "entities": [
            ('Ukraine', 0, 'GPE', 'entity', 's1'),
            ('110th Brigade', 0, 'MILITARY_UNIT', 'entity', 's2'),
            ('Monday', 0, 'DATE', 'entity', 's3'),
            ('Russian', 0, 'NORP', 'entity', 's4'),
            ('five', 0, 'CARDINAL', 'entity', 's5'),
            ('Ukrainian', 0, 'NORP', 'entity', 's6'),
            ('Avdiivka', 0, 'GPE', 'entity', 's7'),
            ('Ukrainian', 1, 'NORP', 'entity', 's8'),
            ('Feb. 17', 0, 'DATE', 'entity', 's9'),
            ('Ukraine', 1, 'GPE', 'entity', 's10'),
            ("Prosecutor General's Office", 0, 'ORG', 'entity', 's11'),
            ('Russia', 0, 'GPE', 'entity', 's12'),
            ('Defence Ministry', 0, 'ORG', 'entity', 's13'),
            ('Kremlin', 0, 'ORG', 'entity', 's14'),
            ('days', 0, 'DATE', 'entity', 's15'),
            ('Ukraine', 2, 'GPE', 'entity', 's16'),
            ('Russian', 1, 'NORP', 'entity', 's17'),
            ('two', 0, 'CARDINAL', 'entity', 's18'),
            ('Donetsk Oblast', 0, 'GPE', 'entity', 's19'),
            ('Avdiivka', 1, 'GPE', 'entity', 's20'),
            ('Donetsk', 1, 'GPE', 'entity', 's21'),
            ('months', 0, 'DATE', 'entity', 's22'),
            ('Ukrainian', 2, 'NORP', 'entity', 's23'),
        ],
        "claimants": [
            ('The brigade', 0, 'CLAIMANT', 'claimant', 'a1'),
            ('a brigade spokesman', 0, 'CLAIMANT', 'claimant', 'a2'),
            ('the brigade', 0, 'CLAIMANT', 'claimant', 'a3'),
            ("Ukraine's military", 0, 'CLAIMANT', 'claimant', 'a4'),
        ],
        "claims": [
            ('Russian soldiers shot dead five wounded Ukrainian troops in Avdiivka after agreeing to let them be evacuated', 0, 'ALLEGATION', 'claim', 'c1'),
            ('the men had been unable to leave a fortified position on its southern edge', 0, 'EVENT', 'claim', 'c2'),
            ('We were told they would be picked up. Instead, they were finished off', 0, 'ALLEGATION', 'claim', 'c3'),
            ('relatives of the dead have been informed, and their names will not be made public for now', 0, 'EVENT', 'claim', 'c4'),
            ('it had opened a war crimes investigation into the incident', 0, 'EVENT', 'claim', 'c5'),
            ('its forces mistreat or kill prisoners', 0, 'DENIAL', 'claim', 'c6'),
            ('Russian troops had killed two prisoners of war elsewhere in Donetsk Oblast', 0, 'ALLEGATION', 'claim', 'c7'),
            ('a number of Ukrainian soldiers were taken prisoner as the last units withdrew', 0, 'EVENT', 'claim', 'c8'),
        ],
        # (claim id, claimant span id)
        "relations": [('c1', 's2'), ('c2', 'a1'), ('c3', 'a2'), ('c4', 'a3'), ('c5', 's11'), ('c6', 's14'), ('c7', 'a4')],
    },
    'pow-003': {
        "entities": [
            ('Ukrainian', 0, 'NORP', 'entity', 's1'),
            ('three', 0, 'CARDINAL', 'entity', 's2'),
            ('Robotyne', 0, 'GPE', 'entity', 's3'),
            ('Zaporizhzhia Oblast', 0, 'GPE', 'entity', 's4'),
            ("Prosecutor General's Office", 0, 'ORG', 'entity', 's5'),
            ('Monday', 0, 'DATE', 'entity', 's6'),
            ('Feb. 18', 0, 'DATE', 'entity', 's7'),
            ('Russian', 0, 'NORP', 'entity', 's8'),
            ('Ukrainian', 1, 'NORP', 'entity', 's9'),
            ('Russian', 1, 'NORP', 'entity', 's10'),
            ('Geneva Conventions', 0, 'LAW', 'entity', 's11'),
            ('Ukrainian', 2, 'NORP', 'entity', 's12'),
            ('Robotyne', 1, 'GPE', 'entity', 's13'),
            ('summer 2023', 0, 'DATE', 'entity', 's14'),
            ('Russian', 2, 'NORP', 'entity', 's15'),
            ('autumn', 0, 'DATE', 'entity', 's16'),
            ('Russian', 3, 'NORP', 'entity', 's17'),
            ('Ukraine', 0, 'GPE', 'entity', 's18'),
            ('Dmytro Lubinets', 0, 'PERSON', 'entity', 's19'),
            ('Telegram', 0, 'ORG', 'entity', 's20'),
        ],
        "claimants": [
            ('the office', 0, 'CLAIMANT', 'claimant', 'a1'),
            ('Prosecutors', 0, 'CLAIMANT', 'claimant', 'a2'),
            ('the office', 1, 'CLAIMANT', 'claimant', 'a3'),
        ],
        "claims": [
            ('Ukrainian prosecutors have opened a criminal investigation after three captured '
             'soldiers were shot dead near the village of Robotyne in Zaporizhzhia Oblast', 0, 'EVENT', 'claim', 'c1'),
            ('the killings took place on Feb. 18 during a Russian assault on Ukrainian positions south of the village', 0, 'ALLEGATION', 'claim', 'c2'),
            ('the soldiers had been disarmed and were lying on the ground when Russian troops opened fire on them', 0, 'ALLEGATION', 'claim', 'c3'),
            ('This is a gross violation of the Geneva Conventions on the treatment of prisoners of war', 0, 'ALLEGATION', 'claim', 'c4'),
            ('The world must not look away from yet another crime like this', 0, 'STATEMENT', 'claim', 'c5'),
        ],
        # (claim id, claimant span id)
        "relations": [('c1', 's5'), ('c2', 'a1'), ('c3', 'a2'), ('c4', 'a3'), ('c5', 's19')],
    },
    'pow-004': {
        "entities": [
            ('About 28,000', 0, 'CARDINAL', 'entity', 's1'),
            ('Ukrainian', 0, 'NORP', 'entity', 's2'),
            ('Russian', 0, 'NORP', 'entity', 's3'),
            ('Dmytro Lubinets', 0, 'PERSON', 'entity', 's4'),
            ('Ukraine. Year 2024', 0, 'EVENT', 'entity', 's5'),
            ('Kyiv', 0, 'GPE', 'entity', 's6'),
            ('Feb. 25', 0, 'DATE', 'entity', 's7'),
            ('Lubinets', 1, 'PERSON', 'entity', 's8'),
            ('Russia', 0, 'GPE', 'entity', 's9'),
            ('Ukraine', 1, 'GPE', 'entity', 's10'),
            ('Ukraine', 2, 'GPE', 'entity', 's11'),
            ('3,135', 0, 'CARDINAL', 'entity', 's12'),
            ('147', 0, 'CARDINAL', 'entity', 's13'),
            ('Lubinets', 2, 'PERSON', 'entity', 's14'),
            ('roughly 90%', 0, 'CARDINAL', 'entity', 's15'),
            ('Ukrainian', 1, 'NORP', 'entity', 's16'),
            ('daily', 0, 'DATE', 'entity', 's17'),
            ('International Committee of the Red Cross', 0, 'ORG', 'entity', 's18'),
            ('Ukrainian', 2, 'NORP', 'entity', 's19'),
            ('Russia', 1, 'GPE', 'entity', 's20'),
            ('Kyiv', 1, 'GPE', 'entity', 's21'),
            ('Moscow', 0, 'GPE', 'entity', 's22'),
            ('dozens', 0, 'CARDINAL', 'entity', 's23'),
            ('2022', 0, 'DATE', 'entity', 's24'),
            ('United Arab Emirates', 0, 'GPE', 'entity', 's25'),
        ],
        "claimants": [
            ('He', 0, 'CLAIMANT', 'claimant', 'a1'),
            ('he', 0, 'CLAIMANT', 'claimant', 'a2'),
            ('he', 1, 'CLAIMANT', 'claimant', 'a3'),
            ('The ombudsman', 0, 'CLAIMANT', 'claimant', 'a4'),
        ],
        "claims": [
            ('About 28,000 Ukrainian citizens are being held in Russian captivity', 0, 'STATISTIC', 'claim', 'c1'),
            ('the captives are held both inside Russia and in occupied parts of Ukraine', 0, 'STATEMENT', 'claim', 'c2'),
            ('the group includes clergy, journalists, NGO volunteers and local officials', 0, 'STATEMENT', 'claim', 'c3'),
            ('Since the full-scale invasion began, Ukraine has brought home 3,135 of its citizens, 147 of them civilians', 0, 'STATISTIC', 'claim', 'c4'),
            ('roughly 90% of captured Ukrainian soldiers are subjected to torture daily', 0, 'STATISTIC', 'claim', 'c5'),
            ('Every one of them must come home', 0, 'STATEMENT', 'claim', 'c6'),
            ('the International Committee of the Red Cross has been unable to visit most Ukrainian prisoners held by Russia', 0, 'STATEMENT', 'claim', 'c7'),
        ],
        # (claim id, claimant span id)
        "relations": [('c1', 's4'), ('c2', 's8'), ('c3', 'a1'), ('c4', 'a2'), ('c5', 's14'), ('c6', 'a3'), ('c7', 'a4')],
    },
    'pow-005': {
        "entities": [
            ('Ukraine', 0, 'GPE', 'entity', 's1'),
            ('Dmytro Lubinets', 0, 'PERSON', 'entity', 's2'),
            ('nine', 0, 'CARDINAL', 'entity', 's3'),
            ('Ukrainian', 0, 'NORP', 'entity', 's4'),
            ('Russian', 0, 'NORP', 'entity', 's5'),
            ('Russia', 0, 'GPE', 'entity', 's6'),
            ('Kursk', 0, 'GPE', 'entity', 's7'),
            ('DeepState', 0, 'ORG', 'entity', 's8'),
            ('Ukrainian', 1, 'NORP', 'entity', 's9'),
            ('Friday', 0, 'DATE', 'entity', 's10'),
            ('Russian', 1, 'NORP', 'entity', 's11'),
            ('Lubinets', 1, 'PERSON', 'entity', 's12'),
            ('United Nations', 0, 'ORG', 'entity', 's13'),
            ('International Committee of the Red Cross', 0, 'ORG', 'entity', 's14'),
            ('Telegram', 0, 'ORG', 'entity', 's15'),
            ('Russia', 1, 'GPE', 'entity', 's16'),
            ('Defence Ministry', 0, 'ORG', 'entity', 's17'),
            ('Moscow', 0, 'GPE', 'entity', 's18'),
            ('Ukraine', 1, 'GPE', 'entity', 's19'),
            ('Ukraine', 2, 'GPE', 'entity', 's20'),
            ('Kursk', 1, 'GPE', 'entity', 's21'),
            ('early August', 0, 'DATE', 'entity', 's22'),
            ('several thousand', 0, 'CARDINAL', 'entity', 's23'),
            ('Ukrainian', 2, 'NORP', 'entity', 's24'),
        ],
        "claimants": [
            ('he', 0, 'CLAIMANT', 'claimant', 'a1'),
            ('The group', 0, 'CLAIMANT', 'claimant', 'a2'),
            ('he', 2, 'CLAIMANT', 'claimant', 'a3'),
            ('analysts', 0, 'CLAIMANT', 'claimant', 'a4'),
        ],
        "claims": [
            ("the execution of nine Ukrainian soldiers captured by Russian forces in Russia's Kursk region", 0, 'ALLEGATION', 'claim', 'c1'),
            ('the soldiers were drone operators whose position had been overrun during a fast Russian advance', 0, 'EVENT', 'claim', 'c2'),
            ('he had raised the case in letters to the United Nations and to the International Committee of the Red Cross', 0, 'EVENT', 'claim', 'c3'),
            ('Such acts cannot go unpunished. The enemy will answer for them', 0, 'STATEMENT', 'claim', 'c4'),
            ('its troops commit war crimes in Ukraine', 0, 'DENIAL', 'claim', 'c5'),
            ('several thousand Ukrainian soldiers are now operating there', 0, 'STATISTIC', 'claim', 'c6'),
        ],
        # (claim id, claimant span id)
        "relations": [('c1', 'a1'), ('c2', 'a2'), ('c3', 's12'), ('c4', 'a3'), ('c5', 's18'), ('c6', 'a4')],
    },
    'pow-006': {
        "entities": [
            ('Ukraine', 0, 'GPE', 'entity', 's1'),
            ("Prosecutor General's Office", 0, 'ORG', 'entity', 's2'),
            ('Tuesday', 0, 'DATE', 'entity', 's3'),
            ('Russian', 0, 'NORP', 'entity', 's4'),
            ('16', 0, 'CARDINAL', 'entity', 's5'),
            ('Ukrainian', 0, 'NORP', 'entity', 's6'),
            ('Pokrovsk', 0, 'GPE', 'entity', 's7'),
            ('Donetsk Oblast', 0, 'GPE', 'entity', 's8'),
            ('Ukrainian', 1, 'NORP', 'entity', 's9'),
            ('Russia', 0, 'GPE', 'entity', 's10'),
            ('February 2022', 0, 'DATE', 'entity', 's11'),
            ('Russian', 1, 'NORP', 'entity', 's12'),
            ('93', 0, 'CARDINAL', 'entity', 's13'),
            ('Ukrainian', 2, 'NORP', 'entity', 's14'),
            ('Kremlin', 0, 'ORG', 'entity', 's15'),
            ('Russian', 2, 'NORP', 'entity', 's16'),
            ('Russia', 1, 'GPE', 'entity', 's17'),
            ('Defence Ministry', 0, 'ORG', 'entity', 's18'),
            ('Pokrovsk', 1, 'GPE', 'entity', 's19'),
            ('Ukrainian', 3, 'NORP', 'entity', 's20'),
            ('months', 0, 'DATE', 'entity', 's21'),
            ('Russian', 3, 'NORP', 'entity', 's22'),
            ('DeepState', 0, 'ORG', 'entity', 's23'),
        ],
        "claimants": [
            ('officials', 0, 'CLAIMANT', 'claimant', 'a1'),
            ('The office', 0, 'CLAIMANT', 'claimant', 'a2'),
            ('It', 0, 'CLAIMANT', 'claimant', 'a3'),
            ('DeepState analysts', 0, 'CLAIMANT', 'claimant', 'a4'),
        ],
        "claims": [
            ('it had opened an investigation into reports that Russian troops executed '
             '16 Ukrainian soldiers who had surrendered near Pokrovsk in Donetsk Oblast', 0, 'EVENT', 'claim', 'c1'),
            ('If confirmed, it would be the largest single mass execution of Ukrainian '
             'captives since Russia launched its full-scale invasion in February 2022', 0, 'STATEMENT', 'claim', 'c2'),
            ('the soldiers were shot on the spot after being captured', 0, 'ALLEGATION', 'claim', 'c3'),
            ('by its count, Russian forces have executed 93 Ukrainian prisoners of war since the start of the invasion', 0, 'STATISTIC', 'claim', 'c4'),
            ('A video circulating on social media appears to show a group of captives being lined up before gunfire is heard', 0, 'ALLEGATION', 'claim', 'c5'),
            ('Russian soldiers kill prisoners', 0, 'DENIAL', 'claim', 'c6'),
            ('Russian forces have taken a string of villages on the approaches to the city', 0, 'EVENT', 'claim', 'c7'),
        ],
        # (claim id, claimant span id)
        "relations": [('c1', 's2'), ('c2', 'a1'), ('c3', 'a2'), ('c4', 'a3'), ('c6', 's15'), ('c7', 'a4')],
    },
    'pow-007': {
        "entities": [
            ('Russian', 0, 'NORP', 'entity', 's1'),
            ('Ukrainian', 0, 'NORP', 'entity', 's2'),
            ('recent months', 0, 'DATE', 'entity', 's3'),
            ('United Nations Human Rights Monitoring Mission in Ukraine', 0, 'ORG', 'entity', 's4'),
            ('Tuesday', 0, 'DATE', 'entity', 's5'),
            ('79', 0, 'CARDINAL', 'entity', 's6'),
            ('24', 0, 'CARDINAL', 'entity', 's7'),
            ('end of August', 0, 'DATE', 'entity', 's8'),
            ('Danielle Bell', 0, 'PERSON', 'entity', 's9'),
            ('Russia', 0, 'GPE', 'entity', 's10'),
            ('Ukrainian', 1, 'NORP', 'entity', 's11'),
            ('Bell', 1, 'PERSON', 'entity', 's12'),
            ('one', 0, 'CARDINAL', 'entity', 's13'),
            ('2023', 0, 'DATE', 'entity', 's14'),
            ('Ukrainian', 2, 'NORP', 'entity', 's15'),
            ('Russian', 1, 'NORP', 'entity', 's16'),
            ('Ukraine', 1, 'GPE', 'entity', 's17'),
            ('Dmytro Lubinets', 0, 'PERSON', 'entity', 's18'),
            ('International Committee of the Red Cross', 0, 'ORG', 'entity', 's19'),
            ('UN', 0, 'ORG', 'entity', 's20'),
            ('Moscow', 0, 'GPE', 'entity', 's21'),
        ],
        "claimants": [
            ('The mission', 0, 'CLAIMANT', 'claimant', 'a1'),
            ('she', 0, 'CLAIMANT', 'claimant', 'a2'),
            ('The mission', 1, 'CLAIMANT', 'claimant', 'a3'),
            ('It', 0, 'CLAIMANT', 'claimant', 'a4'),
        ],
        "claims": [
            ('Russian troops have been killing a growing number of captured Ukrainian soldiers in recent months', 0, 'ALLEGATION', 'claim', 'c1'),
            ('it had documented 79 executions in 24 separate incidents since the end of August', 0, 'STATISTIC', 'claim', 'c2'),
            ('the killings were not happening in isolation', 0, 'STATEMENT', 'claim', 'c3'),
            ('Public figures in Russia have openly called for captured Ukrainian soldiers to be mistreated and even executed', 0, 'ALLEGATION', 'claim', 'c4'),
            ('Such calls, together with sweeping amnesty laws, can encourage soldiers to break the law', 0, 'STATEMENT', 'claim', 'c5'),
            ('it had recorded one case in 2023 in which Ukrainian forces '
             'executed a wounded Russian soldier who was unable to fight', 0, 'ALLEGATION', 'claim', 'c6'),
            ('the International Committee of the Red Cross and the UN must investigate such killings', 0, 'STATEMENT', 'claim', 'c7'),
            ('its forces abuse prisoners', 0, 'DENIAL', 'claim', 'c8'),
        ],
        # (claim id, claimant span id)
        "relations": [('c1', 's4'), ('c2', 'a1'), ('c3', 's9'), ('c4', 'a2'), ('c5', 's12'), ('c6', 'a3'), ('c7', 's18'), ('c8', 'a4')],
    },
    'pow-008': {
        "entities": [
            ('Russia', 0, 'GPE', 'entity', 's1'),
            ('Defence Ministry', 0, 'ORG', 'entity', 's2'),
            ('Sunday', 0, 'DATE', 'entity', 's3'),
            ('Mykhailivka', 0, 'GPE', 'entity', 's4'),
            ('Pokrovsk', 0, 'GPE', 'entity', 's5'),
            ('Ukrainian', 0, 'NORP', 'entity', 's6'),
            ('General Staff', 0, 'ORG', 'entity', 's7'),
            ('Kyiv', 0, 'GPE', 'entity', 's8'),
            ('dozens', 0, 'CARDINAL', 'entity', 's9'),
            ('Russian', 0, 'NORP', 'entity', 's10'),
            ('Pokrovsk', 1, 'GPE', 'entity', 's11'),
            ('previous day', 0, 'DATE', 'entity', 's12'),
            ('Pokrovsk', 2, 'GPE', 'entity', 's13'),
            ('Ukraine', 0, 'GPE', 'entity', 's14'),
            ('Donetsk Oblast', 0, 'GPE', 'entity', 's15'),
            ('Russia', 1, 'GPE', 'entity', 's16'),
            ('Ukraine', 1, 'GPE', 'entity', 's17'),
            ('Ukraine', 2, 'GPE', 'entity', 's18'),
            ("Prosecutor General's Office", 0, 'ORG', 'entity', 's19'),
            ('Russian', 1, 'NORP', 'entity', 's20'),
            ('dozens', 1, 'CARDINAL', 'entity', 's21'),
            ('Ukrainian', 1, 'NORP', 'entity', 's22'),
            ('Kremlin', 0, 'ORG', 'entity', 's23'),
            ('Russian', 2, 'NORP', 'entity', 's24'),
            ('Russian', 3, 'NORP', 'entity', 's25'),
            ('Kremlin', 1, 'ORG', 'entity', 's26'),
            ('Russian', 4, 'NORP', 'entity', 's27'),
            ('Donbas', 0, 'LOC', 'entity', 's28'),
            ('summer', 0, 'DATE', 'entity', 's29'),
            ('Ukraine', 3, 'GPE', 'entity', 's30'),
            ('Russia', 2, 'GPE', 'entity', 's31'),
            ('Kursk', 0, 'GPE', 'entity', 's32'),
            ('Aug. 6', 0, 'DATE', 'entity', 's33'),
            ('Russian', 5, 'NORP', 'entity', 's34'),
            ('Institute for the Study of War', 0, 'ORG', 'entity', 's35'),
        ],
        "claimants": [
            ('Experts', 0, 'CLAIMANT', 'claimant', 'a1'),
            ('a Kremlin spokesman', 0, 'CLAIMANT', 'claimant', 'a2'),
        ],
        "claims": [
            ('its forces had captured the village of Mykhailivka, '
             'which lies along a highway leading to the eastern city of Pokrovsk', 0, 'EVENT', 'claim', 'c1'),
            ('its troops had repelled dozens of Russian assaults in the Pokrovsk direction over the previous day', 0, 'EVENT', 'claim', 'c2'),
            ('if Russia takes the city, Ukraine will find it much harder to supply its units in other towns along the front', 0, 'STATEMENT', 'claim', 'c3'),
            ('Russian troops have executed dozens of surrendering Ukrainian soldiers since the start of the invasion', 0, 'STATISTIC', 'claim', 'c4'),
            ('Russian servicemen commit war crimes', 0, 'DENIAL', 'claim', 'c5'),
            ('The Russian army acts in strict compliance with international humanitarian law', 0, 'DENIAL', 'claim', 'c6'),
            ("Russian forces have pressed forward in Donbas throughout the summer, even though Ukraine's incursion into Russia's Kursk region, "
             "launched on Aug. 6, drew some Russian units away from the east", 0, 'STATEMENT', 'claim', 'c7'),
        ],
        # (claim id, claimant span id)
        "relations": [('c1', 's2'), ('c2', 's7'), ('c3', 'a1'), ('c4', 's19'), ('c5', 's23'), ('c6', 'a2'), ('c7', 's35')],
    },
    'pow-009': {
        "entities": [
            ('Volodymyr Zelensky', 0, 'PERSON', 'entity', 's1'),
            ('Saturday', 0, 'DATE', 'entity', 's2'),
            ('Ukrainian', 0, 'NORP', 'entity', 's3'),
            ('Russian', 0, 'NORP', 'entity', 's4'),
            ('Kursk', 0, 'GPE', 'entity', 's5'),
            ('Kyiv', 0, 'GPE', 'entity', 's6'),
            ('August', 0, 'DATE', 'entity', 's7'),
            ('Zelensky', 1, 'PERSON', 'entity', 's8'),
            ('Donetsk', 0, 'GPE', 'entity', 's9'),
            ('Zaporizhzhia', 0, 'GPE', 'entity', 's10'),
            ('Institute for the Study of War', 0, 'ORG', 'entity', 's11'),
            ('about 40,000', 0, 'CARDINAL', 'entity', 's12'),
            ('Russian', 1, 'NORP', 'entity', 's13'),
            ('Kursk', 1, 'GPE', 'entity', 's14'),
            ('roughly 11,000', 0, 'CARDINAL', 'entity', 's15'),
            ('Ukrainian', 1, 'NORP', 'entity', 's16'),
            ('Moscow', 0, 'GPE', 'entity', 's17'),
            ('Ukraine', 0, 'GPE', 'entity', 's18'),
            ('Russia', 0, 'GPE', 'entity', 's19'),
            ('Donbas', 0, 'LOC', 'entity', 's20'),
            ('ISW', 0, 'ORG', 'entity', 's21'),
            ('Kursk', 2, 'GPE', 'entity', 's22'),
            ('Ukrainian', 2, 'NORP', 'entity', 's23'),
            ('this week', 0, 'DATE', 'entity', 's24'),
            ('Ukrainian', 3, 'NORP', 'entity', 's25'),
            ('Dmytro Lubinets', 0, 'PERSON', 'entity', 's26'),
            ('UN', 0, 'ORG', 'entity', 's27'),
            ('Overnight', 0, 'DATE', 'entity', 's28'),
            ('Russia', 1, 'GPE', 'entity', 's29'),
            ('68', 0, 'CARDINAL', 'entity', 's30'),
            ('four', 0, 'CARDINAL', 'entity', 's31'),
            ('Ukraine', 1, 'GPE', 'entity', 's32'),
        ],
        "claimants": [
            ('Analysts', 0, 'CLAIMANT', 'claimant', 'a1'),
            ('Ukrainian officials', 0, 'CLAIMANT', 'claimant', 'a2'),
            ("the country's air force", 0, 'CLAIMANT', 'claimant', 'a3'),
            ('It', 0, 'CLAIMANT', 'claimant', 'a4'),
        ],
        "claims": [
            ("Ukrainian forces had repelled a new Russian attempt to advance in the Kursk region, "
             "where Kyiv's troops have held ground since August", 0, 'EVENT', 'claim', 'c1'),
            ('the situation in the Donetsk and Zaporizhzhia regions remained '
             '"very difficult," with the enemy attacking relentlessly', 0, 'STATEMENT', 'claim', 'c2'),
            ('about 40,000 Russian troops are now deployed in Kursk, '
             'compared with roughly 11,000 when Ukrainian forces first crossed the border', 0, 'STATISTIC', 'claim', 'c3'),
            ('the incursion was intended to force Moscow to pull units out of eastern Ukraine', 0, 'STATEMENT', 'claim', 'c4'),
            ("So far it has not slowed Russia's offensive in Donbas", 0, 'STATEMENT', 'claim', 'c5'),
            ('captured Ukrainian soldiers had been shot in the region', 0, 'ALLEGATION', 'claim', 'c6'),
            ('he had asked the UN to look into the reports', 0, 'EVENT', 'claim', 'c7'),
            ('Overnight, Russia launched 68 drones and four missiles at Ukraine', 0, 'STATISTIC', 'claim', 'c8'),
            ('most of the drones were shot down', 0, 'EVENT', 'claim', 'c9'),
        ],
        # (claim id, claimant span id)
        "relations": [('c1', 's1'), ('c2', 's8'), ('c3', 's11'), ('c4', 'a1'), ('c5', 's21'), ('c6', 'a2'), ('c7', 's26'), ('c8', 'a3'), ('c9', 'a4')],
    },
    'pow-010': {
        "entities": [
            ('Russian', 0, 'NORP', 'entity', 's1'),
            ('two', 0, 'CARDINAL', 'entity', 's2'),
            ('Ukrainian', 0, 'NORP', 'entity', 's3'),
            ('Donetsk Oblast', 0, 'GPE', 'entity', 's4'),
            ('this week', 0, 'DATE', 'entity', 's5'),
            ('Ukraine', 0, 'GPE', 'entity', 's6'),
            ('Friday', 0, 'DATE', 'entity', 's7'),
            ('Avdiivka', 0, 'GPE', 'entity', 's8'),
            ('two', 1, 'CARDINAL', 'entity', 's9'),
            ('Wednesday', 0, 'DATE', 'entity', 's10'),
            ('Ukrainian', 1, 'NORP', 'entity', 's11'),
            ('Russian', 1, 'NORP', 'entity', 's12'),
            ('Dmytro Lubinets', 0, 'PERSON', 'entity', 's13'),
            ('UN', 0, 'ORG', 'entity', 's14'),
            ("Prosecutor General's Office", 0, 'ORG', 'entity', 's15'),
            ('Moscow', 0, 'GPE', 'entity', 's16'),
        ],
        "claimants": [
            ("Ukraine's military", 0, 'CLAIMANT', 'claimant', 'a1'),
            ('Commanders in the area', 0, 'CLAIMANT', 'claimant', 'a2'),
            ('Ukrainian officials', 0, 'CLAIMANT', 'claimant', 'a3'),
        ],
        "claims": [
            ('Russian soldiers shot two captured Ukrainian servicemen in Donetsk Oblast this week', 0, 'ALLEGATION', 'claim', 'c1'),
            ('the men had been taken prisoner during fighting near Avdiivka', 0, 'EVENT', 'claim', 'c2'),
            ('the two had been separated from their unit during a withdrawal on Wednesday', 0, 'EVENT', 'claim', 'c3'),
            ('such killings have become more frequent as Russian troops press their offensive in the east', 0, 'STATEMENT', 'claim', 'c4'),
            ('he would raise the case with UN monitors', 0, 'EVENT', 'claim', 'c5'),
            ('Each case is recorded and will be handed to international courts', 0, 'STATEMENT', 'claim', 'c6'),
            ('it had opened criminal proceedings', 0, 'EVENT', 'claim', 'c7'),
        ],
        # (claim id, claimant span id)
        "relations": [('c1', 'a1'), ('c2', 'a1'), ('c3', 'a2'), ('c4', 'a3'), ('c5', 's13'), ('c6', 's15'), ('c7', 's15')],
    },
    'pow-011': {
        "entities": [
            ('Ukraine', 0, 'GPE', 'entity', 's1'),
            ('Russian', 0, 'NORP', 'entity', 's2'),
            ('Bakhmut', 0, 'GPE', 'entity', 's3'),
            ('Avdiivka', 0, 'GPE', 'entity', 's4'),
            ('February', 0, 'DATE', 'entity', 's5'),
            ('Third Geneva Convention', 0, 'LAW', 'entity', 's6'),
            ('1949', 0, 'DATE', 'entity', 's7'),
            ('World War Two', 0, 'EVENT', 'entity', 's8'),
            ('Russian', 1, 'NORP', 'entity', 's9'),
            ('Ukraine', 1, 'GPE', 'entity', 's10'),
            ('Dmytro Lubinets', 0, 'PERSON', 'entity', 's11'),
            ('Telegram', 0, 'ORG', 'entity', 's12'),
            ('last month', 0, 'DATE', 'entity', 's13'),
            ('Russian', 2, 'NORP', 'entity', 's14'),
            ('International Committee of the Red Cross', 0, 'ORG', 'entity', 's15'),
            ('Ukrainian', 0, 'NORP', 'entity', 's16'),
            ('Ukrainians', 0, 'NORP', 'entity', 's17'),
            ('Russia', 0, 'GPE', 'entity', 's18'),
            ('ICRC', 0, 'ORG', 'entity', 's19'),
            ('Russia', 1, 'GPE', 'entity', 's20'),
        ],
        "claimants": [
            ('Ukrainian officials', 0, 'CLAIMANT', 'claimant', 'a1'),
            ('an ICRC spokesperson', 0, 'CLAIMANT', 'claimant', 'a2'),
        ],
        "claims": [
            ('Russian troops have repeatedly killed soldiers who surrendered, '
             'most recently near Bakhmut and Avdiivka in February', 0, 'ALLEGATION', 'claim', 'c1'),
            ('For the Russian army, the laws and customs of war mean nothing', 0, 'ALLEGATION', 'claim', 'c2'),
            ('Russian commanders of "cruelty and treachery" on the battlefield', 0, 'ALLEGATION', 'claim', 'c3'),
            ('it continued to seek access to all POWs held by both sides', 0, 'STATEMENT', 'claim', 'c4'),
            ('the organisation has been unable to reach most Ukrainians held in Russia', 0, 'STATEMENT', 'claim', 'c5'),
            ('We remind all parties that prisoners must be treated humanely at all times', 0, 'STATEMENT', 'claim', 'c6'),
            ('its forces violate them', 0, 'DENIAL', 'claim', 'c7'),
        ],
        # (claim id, claimant span id)
        "relations": [('c1', 's1'), ('c2', 's11'), ('c3', 's11'), ('c4', 's15'), ('c5', 'a1'), ('c6', 'a2'), ('c7', 's20')],
    },
    'pow-012': {
        "entities": [
            ('UN', 0, 'ORG', 'entity', 's1'),
            ('Tuesday', 0, 'DATE', 'entity', 's2'),
            ('Russian', 0, 'NORP', 'entity', 's3'),
            ('Ukrainian', 0, 'NORP', 'entity', 's4'),
            ('Ukrainian', 1, 'NORP', 'entity', 's5'),
            ('Human Rights Monitoring Mission in Ukraine', 0, 'ORG', 'entity', 's6'),
            ('UN', 1, 'ORG', 'entity', 's7'),
            ('2014', 0, 'DATE', 'entity', 's8'),
            ('79', 0, 'CARDINAL', 'entity', 's9'),
            ('Ukrainian', 2, 'NORP', 'entity', 's10'),
            ('24', 0, 'CARDINAL', 'entity', 's11'),
            ('late August', 0, 'DATE', 'entity', 's12'),
            ('one', 0, 'CARDINAL', 'entity', 's13'),
            ('Russian', 1, 'NORP', 'entity', 's14'),
            ('Ukrainian', 3, 'NORP', 'entity', 's15'),
            ('2023', 0, 'DATE', 'entity', 's16'),
            ('Danielle Bell', 0, 'PERSON', 'entity', 's17'),
            ('Russian', 2, 'NORP', 'entity', 's18'),
            ('Ukraine', 1, 'GPE', 'entity', 's19'),
            ('Dmytro Lubinets', 0, 'PERSON', 'entity', 's20'),
            ('Kyiv', 0, 'GPE', 'entity', 's21'),
            ('months', 0, 'DATE', 'entity', 's22'),
            ('Russia', 0, 'GPE', 'entity', 's23'),
            ('Kremlin', 0, 'ORG', 'entity', 's24'),
            ('Geneva Conventions', 0, 'LAW', 'entity', 's25'),
        ],
        "claimants": [
            ('UN human rights monitors', 0, 'CLAIMANT', 'claimant', 'a1'),
            ('It', 0, 'CLAIMANT', 'claimant', 'a2'),
            ('The mission', 0, 'CLAIMANT', 'claimant', 'a3'),
            ('He', 0, 'CLAIMANT', 'claimant', 'a4'),
        ],
        "claims": [
            ('they had documented executions of prisoners of war by both Russian and Ukrainian forces, '
             'though the vast majority of victims were Ukrainian', 0, 'ALLEGATION', 'claim', 'c1'),
            ('79 Ukrainian soldiers killed after capture in 24 incidents since late August', 0, 'STATISTIC', 'claim', 'c2'),
            ('one killing of a Russian serviceman by Ukrainian troops in 2023', 0, 'ALLEGATION', 'claim', 'c3'),
            ('Wounded and incapacitated soldiers are protected by international law, regardless of which side they fight for', 0, 'STATEMENT', 'claim', 'c4'),
            ('many of the killings were recorded on drone cameras', 0, 'STATEMENT', 'claim', 'c5'),
            ('some videos had been shared online by Russian military bloggers', 0, 'EVENT', 'claim', 'c6'),
            ('the figures confirmed what Kyiv had been reporting for months', 0, 'STATEMENT', 'claim', 'c7'),
            ('Russia was "deliberately destroying" soldiers who surrender', 0, 'ALLEGATION', 'claim', 'c8'),
            ('its forces treat prisoners in line with the Geneva Conventions', 0, 'DENIAL', 'claim', 'c9'),
        ],
        # (claim id, claimant span id)
        "relations": [('c1', 'a1'), ('c2', 's6'), ('c3', 'a2'), ('c4', 's17'), ('c5', 'a3'), ('c6', 'a3'), ('c7', 's20'), ('c8', 'a4'), ('c9', 's24')],
    },
    'pow-013': {
        "entities": [
            ('Russian', 0, 'NORP', 'entity', 's1'),
            ('Pokrovsk', 0, 'GPE', 'entity', 's2'),
            ('Ukrainian', 0, 'NORP', 'entity', 's3'),
            ('DeepState', 0, 'ORG', 'entity', 's4'),
            ('Saturday', 0, 'DATE', 'entity', 's5'),
            ('Russian', 1, 'NORP', 'entity', 's6'),
            ('three', 0, 'CARDINAL', 'entity', 's7'),
            ('past week', 0, 'DATE', 'entity', 's8'),
            ('Pokrovsk', 1, 'GPE', 'entity', 's9'),
            ('about 60,000', 0, 'CARDINAL', 'entity', 's10'),
            ('Ukrainian', 1, 'NORP', 'entity', 's11'),
            ('Donetsk Oblast', 0, 'GPE', 'entity', 's12'),
            ('Kyiv', 0, 'GPE', 'entity', 's13'),
            ('Kostiantynivka', 0, 'GPE', 'entity', 's14'),
            ('Ukrainian', 2, 'NORP', 'entity', 's15'),
            ('this week', 0, 'DATE', 'entity', 's16'),
            ('16', 0, 'CARDINAL', 'entity', 's17'),
            ('UN', 0, 'ORG', 'entity', 's18'),
            ('Pokrovsk', 2, 'GPE', 'entity', 's19'),
            ('one', 0, 'CARDINAL', 'entity', 's20'),
            ('DeepState', 1, 'ORG', 'entity', 's21'),
            ('Russia', 0, 'GPE', 'entity', 's22'),
            ('Defence Ministry', 0, 'ORG', 'entity', 's23'),
            ('Friday', 0, 'DATE', 'entity', 's24'),
            ('Pokrovsk', 3, 'GPE', 'entity', 's25'),
            ('Moscow', 0, 'GPE', 'entity', 's26'),
            ('Ukrainian', 3, 'NORP', 'entity', 's27'),
        ],
        "claimants": [
            ("The group's analysts", 0, 'CLAIMANT', 'claimant', 'a1'),
            ('military experts', 0, 'CLAIMANT', 'claimant', 'a2'),
            ('Ukrainian prosecutors', 0, 'CLAIMANT', 'claimant', 'a3'),
            ('the UN monitoring mission', 0, 'CLAIMANT', 'claimant', 'a4'),
            ('one DeepState analyst', 0, 'CLAIMANT', 'claimant', 'a5'),
        ],
        "claims": [
            ('Russian troops have advanced to the southern and eastern approaches of Pokrovsk', 0, 'EVENT', 'claim', 'c1'),
            ('Russian units had captured three villages over the past week', 0, 'EVENT', 'claim', 'c2'),
            ("Its loss would complicate Kyiv's defence of nearby towns such as Kostiantynivka", 0, 'STATEMENT', 'claim', 'c3'),
            ('they were investigating the alleged shooting of 16 captured soldiers near the city', 0, 'EVENT', 'claim', 'c4'),
            ('it was aware of the reports', 0, 'STATEMENT', 'claim', 'c5'),
            ('What we see around Pokrovsk is a pattern, not isolated incidents', 0, 'STATEMENT', 'claim', 'c6'),
            ('its troops had "liberated" another settlement near Pokrovsk', 0, 'EVENT', 'claim', 'c7'),
            ('Ukrainian accusations of executions are propaganda', 0, 'DENIAL', 'claim', 'c8'),
        ],
        # (claim id, claimant span id)
        "relations": [('c1', 's4'), ('c2', 'a1'), ('c3', 'a2'), ('c4', 'a3'), ('c5', 'a4'), ('c6', 'a5'), ('c7', 's23'), ('c8', 's26')],
    },
    'pow-014': {
        "entities": [
            ('Russian', 0, 'NORP', 'entity', 's1'),
            ('Ukrainian', 0, 'NORP', 'entity', 's2'),
            ('Institute for the Study of War', 0, 'ORG', 'entity', 's3'),
            ('Thursday', 0, 'DATE', 'entity', 's4'),
            ('Washington', 0, 'GPE', 'entity', 's5'),
            ('nine', 0, 'CARDINAL', 'entity', 's6'),
            ('Russia', 0, 'GPE', 'entity', 's7'),
            ('Kursk', 0, 'GPE', 'entity', 's8'),
            ('Ukrainian', 1, 'NORP', 'entity', 's9'),
            ('earlier this month', 0, 'DATE', 'entity', 's10'),
            ('Ukraine', 0, 'GPE', 'entity', 's11'),
            ("Prosecutor General's Office", 0, 'ORG', 'entity', 's12'),
            ('Russian', 1, 'NORP', 'entity', 's13'),
            ('more than 90', 0, 'CARDINAL', 'entity', 's14'),
            ('Ukrainian', 2, 'NORP', 'entity', 's15'),
            ('February 2022', 0, 'DATE', 'entity', 's16'),
            ('this year', 0, 'DATE', 'entity', 's17'),
            ('Ukraine', 1, 'GPE', 'entity', 's18'),
            ('Dmytro Lubinets', 0, 'PERSON', 'entity', 's19'),
            ('International Committee of the Red Cross', 0, 'ORG', 'entity', 's20'),
            ('UN', 0, 'ORG', 'entity', 's21'),
            ('Ukrainians', 0, 'NORP', 'entity', 's22'),
            ('ICRC', 0, 'ORG', 'entity', 's23'),
            ('Russia', 1, 'GPE', 'entity', 's24'),
            ('Defence Ministry', 0, 'ORG', 'entity', 's25'),
            ('Kremlin', 0, 'ORG', 'entity', 's26'),
        ],
        "claimants": [
            ('The Washington-based think tank', 0, 'CLAIMANT', 'claimant', 'a1'),
            ('it', 0, 'CLAIMANT', 'claimant', 'a2'),
            ('Ukrainian officials', 0, 'CLAIMANT', 'claimant', 'a3'),
            ('he', 1, 'CLAIMANT', 'claimant', 'a4'),
        ],
        "claims": [
            ('Russian military commanders are probably either approving or '
             'directly ordering the execution of Ukrainian soldiers who surrender', 0, 'ALLEGATION', 'claim', 'c1'),
            ('the growing number of such reports pointed to a deliberate '
             'practice rather than the actions of individual soldiers', 0, 'STATEMENT', 'claim', 'c2'),
            ("the killing of nine drone operators in Russia's Kursk region", 0, 'ALLEGATION', 'claim', 'c3'),
            ('the men had been captured and then shot earlier this month', 0, 'ALLEGATION', 'claim', 'c4'),
            ('Russian forces have executed more than 90 Ukrainian prisoners since February 2022, most of them this year', 0, 'STATISTIC', 'claim', 'c5'),
            ('he had again written to the International Committee of the Red Cross and the UN, '
             'asking them to send monitors to places where Ukrainians are held', 0, 'EVENT', 'claim', 'c6'),
            ('Silence only encourages new crimes', 0, 'STATEMENT', 'claim', 'c7'),
            ('it was "deeply concerned" by the reports', 0, 'STATEMENT', 'claim', 'c8'),
            ('its troops act within international law', 0, 'DENIAL', 'claim', 'c9'),
        ],
        # (claim id, claimant span id)
        "relations": [('c1', 's3'), ('c2', 'a1'), ('c3', 'a2'), ('c4', 'a3'), ('c5', 's12'), ('c6', 's19'), ('c7', 'a4'), ('c8', 's23'), ('c9', 's26')],
    },
}


def _bounded(text: str, start: int, end: int) -> bool:
    before_ok = start == 0 or not text[start - 1].isalnum()
    after_ok = end >= len(text) or not text[end].isalnum()
    return before_ok and after_ok


def word_matches(text: str, sub: str) -> list[int]:
    """Start offsets of every word-bounded occurrence of ``sub`` (via str.find)."""
    starts = []
    i = text.find(sub)
    while i != -1:
        if _bounded(text, i, i + len(sub)):
            starts.append(i)
        i = text.find(sub, i + 1)
    return starts


def locate(text: str, sub: str, occurrence: int, doc_id: str) -> tuple[int, int]:
    starts = word_matches(text, sub)
    assert occurrence < len(starts), (
        f"{doc_id}: {sub!r} occurrence {occurrence} not found ({len(starts)} word-bounded matches)"
    )
    start = starts[occurrence]
    return start, start + len(sub)


def build_doc(article: dict, ann: dict) -> dict:
    doc_id, text = article["id"], article["text"]
    spans = []
    for group in ("entities", "claimants", "claims"):
        for sub, occurrence, label, kind, span_id in ann[group]:
            assert label in KIND_LABELS[kind], f"{doc_id}/{span_id}: bad label {label!r} for kind {kind!r}"
            start, end = locate(text, sub, occurrence, doc_id)
            assert text[start:end] == sub
            spans.append({"id": span_id, "start": start, "end": end, "label": label, "kind": kind, "text": sub})
    order = {"entity": 0, "claimant": 1, "claim": 2}
    spans.sort(key=lambda s: (s["start"], -s["end"], order[s["kind"]], s["id"]))
    relations = [{"from_id": c, "to_id": t, "type": "claimant"} for c, t in ann["relations"]]
    return {
        "id": doc_id,
        "text": text,
        "meta": article["meta"],
        "annotator": "reference",
        "spans": spans,
        "relations": relations,
    }


def validate(doc: dict, ann: dict) -> list[str]:
    """Hard checks (assert) plus soft warnings (returned)."""
    doc_id, text, spans = doc["id"], doc["text"], doc["spans"]
    by_id = {}
    for s in spans:
        assert s["id"] not in by_id, f"{doc_id}: duplicate span id {s['id']}"
        by_id[s["id"]] = s
        assert 0 <= s["start"] < s["end"] <= len(text), f"{doc_id}/{s['id']}: bad offsets"
        assert text[s["start"]:s["end"]] == s["text"], f"{doc_id}/{s['id']}: text mismatch"
        assert s["text"] == s["text"].strip(), f"{doc_id}/{s['id']}: leading/trailing whitespace"
    keys = Counter((s["start"], s["end"], s["kind"]) for s in spans)
    dup = [k for k, n in keys.items() if n > 1]
    assert not dup, f"{doc_id}: duplicate spans {dup}"
    # entities never overlap each other (OntoNotes style, no nesting)
    ents = sorted((s for s in spans if s["kind"] == "entity"), key=lambda s: s["start"])
    for a, b in zip(ents, ents[1:]):
        assert a["end"] <= b["start"], f"{doc_id}: overlapping entities {a['id']} {b['id']}"
    seen_rel = set()
    for r in doc["relations"]:
        assert r["from_id"] in by_id and r["to_id"] in by_id, f"{doc_id}: dangling relation {r}"
        assert by_id[r["from_id"]]["kind"] == "claim", f"{doc_id}: relation must start at a claim: {r}"
        assert by_id[r["to_id"]]["kind"] in ("entity", "claimant"), f"{doc_id}: bad claimant target {r}"
        key = (r["from_id"], r["to_id"])
        assert key not in seen_rel, f"{doc_id}: duplicate relation {r}"
        seen_rel.add(key)
    linked = {r["to_id"] for r in doc["relations"]}
    for s in spans:
        if s["kind"] == "claimant":
            assert s["id"] in linked, f"{doc_id}/{s['id']}: claimant span not used by any relation"
    # claims: no trailing punctuation, no surrounding quote marks
    for s in spans:
        if s["kind"] == "claim":
            assert s["text"][-1] not in ".,;:\"", f"{doc_id}/{s['id']}: claim ends in punctuation"
            assert s["text"][0] != '"', f"{doc_id}/{s['id']}: claim starts with a quote mark"
    # soft check: a surface form annotated as an entity somewhere in the document
    # should be annotated at every word-bounded occurrence not inside another entity
    warnings = []
    surfaces = {s["text"] for s in ents}
    for surf in sorted(surfaces):
        for start in word_matches(text, surf):
            end = start + len(surf)
            if not any(e["start"] <= start and end <= e["end"] for e in ents):
                warnings.append(f"{doc_id}: unannotated {surf!r} at {start}")
    return warnings


def main() -> int:
    articles = [json.loads(line) for line in ARTICLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert [a["id"] for a in articles] == sorted(ANNOTATIONS), "articles and annotations disagree on ids"
    docs, warnings = [], []
    for article in articles:
        ann = ANNOTATIONS[article["id"]]
        doc = build_doc(article, ann)
        warnings += validate(doc, ann)
        docs.append(doc)
    with GOLD.open("w", encoding="utf-8", newline="\n") as f:
        for doc in docs:
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")

    kinds = ("entity", "claim", "claimant")
    print(f"{'doc':<9}{'entities':>9}{'claims':>8}{'claimants':>10}{'relations':>10}")
    totals = Counter()
    for doc in docs:
        c = Counter(s["kind"] for s in doc["spans"])
        c["relations"] = len(doc["relations"])
        totals.update(c)
        print(f"{doc['id']:<9}{c['entity']:>9}{c['claim']:>8}{c['claimant']:>10}{c['relations']:>10}")
    print(f"{'total':<9}{totals['entity']:>9}{totals['claim']:>8}{totals['claimant']:>10}{totals['relations']:>10}")
    for kind in kinds:
        labels = Counter(s["label"] for d in docs for s in d["spans"] if s["kind"] == kind)
        print(f"{kind} labels: " + ", ".join(f"{k}={v}" for k, v in sorted(labels.items())))
    for w in warnings:
        print("WARNING", w, file=sys.stderr)
    print(f"wrote {len(docs)} documents to {GOLD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
