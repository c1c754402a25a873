"""A synthetic archive built through factdb's own ingest path, for the benchmarks.

Articles are made from varied sentence templates (indirect and direct speech, denials, appeals,
"according to", pronouns, sentences of the publication itself) naming 2,000 speakers who each
have an alias; about 15% of the claims are then marked disputed with reviews (bulk status path).
Everything is deterministic for a given seed; the disputed sample is drawn from the claim ids in order,
so SQLite and PostgreSQL get the same archive.

Articles are stored ``batch`` to a transaction by the service's ingest (extraction in another
process), and each batch's claims are matched in one pass (``clusters.match_claims``, the path of
``factdb claims match``) instead of one pass per article: matching was half the build's time, most
of it in per-article key lookups. The archive holds what ingesting those articles and then running
``factdb claims match`` would: the same rows, search and count tables, and a signed audit chain that
``factdb audit verify`` accepts.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select

from factdb.db import make_session_factory
from factdb.enums import ClaimStatus, EditorRole, SpeakerKind
from factdb.models import Claim, Editor, Speaker
from factdb.services import claims as claim_service
from factdb.services import clusters
from factdb.services.editors import create_editor
from factdb.services.ingest import Article, extract_all, ingest_many
from factdb.services.speakers import create_speaker

FIRST = """Anna Boris Carla Dmitri Elena Farid Greta Hassan Irina Jonas Kira Leon Maria Nikolai Olga Pavel
Quinn Rosa Stefan Tamara Umar Vera Walter Xenia Yusuf Zofia Adam Beata Cyril Dana Emil Fiona Gustav Hana
Igor Julia Karl Lena Marek Nadia Oskar Petra Roman Sonia Tomas Ursula Viktor Wanda Yuri Zara""".split()
LAST = """Abbott Bauer Castillo Dorn Ellison Fischer Gallo Horvat Ibsen Jovanovic Kowalski Lindqvist Moreau
Novak Oliveira Petrov Quiroga Rossi Schmidt Tanaka Urban Varga Weber Xu Yilmaz Zielinski Albers Brandt
Costa Dvorak Engel Fontaine Gruber Haas Ivanova Jensen Keller Lorenz Meyer Nilsen Ortega Popescu Richter
Sokolov Teller Ulrich Vogel Wolff Young Zeller""".split()
ROLES = """minister spokesman governor mayor commander senator ambassador adviser analyst chief""".split()
ORGS = """Defense Ministry|Foreign Ministry|Interior Ministry|Health Ministry|Energy Agency|General Staff|
Border Service|Central Bank|Election Commission|Port Authority|Rail Company|Red Cross Office|
Weather Service|Police Department|Coast Guard|Customs Service|Statistics Office|Supreme Court|
Parliament Committee|City Council""".replace("\n", "").split("|")
REGIONS = """Northern Eastern Western Southern Central Coastal Upper Lower Greater Inner Outer Middle
Far Near High Old New Royal National Federal""".split()
SUBJECTS = """the convoy|the ceasefire|the bridge|the power station|the grain shipment|the border crossing|
the hospital|the water supply|the rail line|the airport|the negotiations|the evacuation|the harbour|
the election|the budget|the inquiry|the vaccine drive|the aid corridor|the pipeline|the new law""".replace(
    "\n", ""
).split("|")
VERBS = """was restored|had been damaged|would reopen|was delayed|had collapsed|was completed|
would resume|was suspended|had been shelled|was extended|would be reviewed|had been approved|was blocked|
had stalled""".replace("\n", "").split("|")
PLACES = """Ardel Brenna Corvik Dalmar Estin Forla Garvo Helmsk Istra Jorvan Kessa Lomira Marvik Norden Ostra
Pellin Quarry Rovna Sorrel Tavin""".split()


@dataclass
class BuildStats:
    """What building the archive did and how long it took."""

    articles: int = 0
    sentences: int = 0
    claims: int = 0
    disputed: int = 0
    speakers: int = 0
    seconds_speakers: float = 0.0
    seconds_ingest: float = 0.0
    seconds_reviews: float = 0.0
    #: Of ``seconds_ingest``, the time the storing process waited for the attribution engine (which
    #: runs in another process and is measured on its own by ``python -m bench.extract_speed``).
    seconds_waiting_for_engine: float = 0.0
    #: Of ``seconds_ingest``, the time spent matching the new claims with earlier ones (after storing).
    seconds_matching: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return self.seconds_speakers + self.seconds_ingest + self.seconds_reviews

    @property
    def ingest_sentences_per_second(self) -> float:
        return self.sentences / self.seconds_ingest if self.seconds_ingest else 0.0

    @property
    def store_sentences_per_second(self) -> float:
        """The ingest rate with the engine's time set apart: what factdb's storing path achieves."""
        storing = self.seconds_ingest - self.seconds_waiting_for_engine
        return self.sentences / storing if storing > 0 else 0.0

    @property
    def rows_sentences_per_second(self) -> float:
        """The rate of storing the rows alone: the engine's time and matching's both set apart."""
        storing = self.seconds_ingest - self.seconds_waiting_for_engine - self.seconds_matching
        return self.sentences / storing if storing > 0 else 0.0


@dataclass(frozen=True)
class Cast:
    """The speakers articles quote: people (with a role) and organizations."""

    people: list[tuple[str, str]]  # (name, role)
    orgs: list[str]


def make_cast(count: int) -> Cast:
    """``count`` distinct speakers: four people for each organization."""
    people: list[tuple[str, str]] = []
    for i, (first, last) in enumerate((f, la) for la in LAST for f in FIRST):
        if len(people) >= count * 4 // 5:
            break
        people.append((f"{first} {last}", ROLES[i % len(ROLES)]))
    orgs = [f"{region} {org}" for org in ORGS for region in REGIONS][: count - len(people)]
    return Cast(people, orgs)


def _clause(rng: random.Random, n: int) -> str:
    return f"{rng.choice(SUBJECTS)} near {rng.choice(PLACES)} {rng.choice(VERBS)} on day {n}"


def make_article(rng: random.Random, cast: Cast, number: int, sentences: int) -> tuple[str, str]:
    """A (title, text) pair: a headline, then paragraphs of attributed and plain sentences."""
    title = f"Report {number}: {rng.choice(SUBJECTS).capitalize()} in {rng.choice(PLACES)}"
    lines: list[str] = []
    paragraph: list[str] = []
    for k in range(sentences):
        n = number * 1000 + k
        name, role = rng.choice(cast.people)
        org = rng.choice(cast.orgs)
        c = _clause(rng, n)
        form = rng.randrange(9)
        if form == 0:
            s = f"{role.capitalize()} {name} said that {c}."
        elif form == 1:
            s = f"{name} denied that {c}."
        elif form == 2:
            s = f"According to the {org}, {c}."
        elif form == 3:
            s = f"\u201c{c[0].upper() + c[1:]},\u201d {name} said."
        elif form == 4:
            s = f"The {org} warned that {c}."
        elif form == 5:
            s = f"{name} called on officials to explain why {c}."
        elif form == 6 and paragraph:
            s = f"{name} said that {c}. He added that {_clause(rng, n + 500)}."
        else:
            s = f"{c[0].upper() + c[1:]}."
        paragraph.append(s)
        if len(paragraph) >= 6:
            lines.append(" ".join(paragraph))
            paragraph = []
    if paragraph:
        lines.append(" ".join(paragraph))
    return title, title + "\n" + "\n".join(lines) + "\n"


def build_archive(
    engine: Engine,
    claims: int,
    *,
    speakers: int = 2000,
    disputed_share: float = 0.15,
    sentences_per_article: int = 40,
    batch: int = 50,
    seed: int = 7,
    progress: bool = True,
    processes: int = 1,
) -> BuildStats:
    """Fill an empty, migrated database with about ``claims`` claims; returns the build figures."""
    rng = random.Random(seed)
    factory = make_session_factory(engine, write=True)
    stats = BuildStats()
    cast = make_cast(speakers)

    start = time.perf_counter()
    with factory.begin() as session:
        create_editor(session, None, username="bench", password="bench password", role=EditorRole.ADMIN)
        for name, role in cast.people:
            first, last = name.split(" ", 1)
            create_speaker(
                session, None, name=name, kind=SpeakerKind.PERSON, role=role, aliases=(f"{last}, {first}",)
            )
        for org in cast.orgs:
            create_speaker(session, None, name=org, kind=SpeakerKind.ORGANIZATION, aliases=(f"the {org}",))
    stats.seconds_speakers = time.perf_counter() - start

    start = time.perf_counter()
    outlets = ["Daily Ledger", "Evening Wire", "Morning Post", "Radio North", "Harbour Times"]
    # About 0.98 claims per sentence in these articles; a few spare articles cover the rest.
    count = int(claims / (sentences_per_article * 0.95)) + 2
    articles = [make_article(rng, cast, number, sentences_per_article) for number in range(count)]
    # The project's bulk path: extraction in another process while this one stores.
    extractions = extract_all((text for _, text in articles), processes=processes)
    number = 0
    last_report = start
    while stats.claims < claims and number < len(articles):
        with factory.begin() as session:
            editor = session.scalars(select(Editor).where(Editor.username == "bench")).one()
            batch_articles: list[Article] = []
            while len(batch_articles) < batch and number + len(batch_articles) < len(articles):
                title, text = articles[number + len(batch_articles)]
                waited = time.perf_counter()
                extraction = next(extractions)
                stats.seconds_waiting_for_engine += time.perf_counter() - waited
                outlet = outlets[(number + len(batch_articles)) % len(outlets)]
                batch_articles.append(Article(text, title, outlet, extraction=extraction))
            # The project's bulk store: the batch's rows in shared inserts, one event per article.
            results = ingest_many(session, editor, batch_articles, match=False)
            number += len(batch_articles)
            stats.articles += len(results)
            stats.sentences += sum(r.sentence_count for r in results)
            stats.claims += sum(r.claim_count for r in results)
            # The transaction's claims (about 2,000) matched at once, as the backfill `factdb claims
            # match` matches its batches: one set of key lookups per batch instead of one per article.
            matching = time.perf_counter()
            clusters.match_claims(session, editor, [i for r in results for i in r.claim_ids])
            stats.seconds_matching += time.perf_counter() - matching
        if progress and time.perf_counter() - last_report > 10:
            last_report = time.perf_counter()
            rate = stats.sentences / (last_report - start)
            print(f"  … {stats.claims:,} claims, {rate:,.0f} sentences/s", flush=True)
    extractions.close()  # type: ignore[attr-defined]
    stats.seconds_ingest = time.perf_counter() - start

    start = time.perf_counter()
    with factory() as session:
        # In id order: an unordered read comes back in a different order on each database, and
        # the sample drawn from it would differ too (the same archive on both is the point).
        ids = list(session.scalars(select(Claim.id).order_by(Claim.id)))
        stats.speakers = session.scalar(select(func.count()).select_from(Speaker)) or 0
    chosen = sorted(rng.sample(ids, int(len(ids) * disputed_share)))
    for offset in range(0, len(chosen), 5000):
        with factory.begin() as session:
            editor = session.scalars(select(Editor).where(Editor.username == "bench")).one()
            stats.disputed += claim_service.change_status_many(
                session, editor, chosen[offset : offset + 5000], ClaimStatus.DISPUTED,
                rationale="Contradicted by the synthetic record",
            )  # fmt: skip
    stats.seconds_reviews = time.perf_counter() - start
    return stats
