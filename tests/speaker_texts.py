"""Wire-style reports written for the speaker-name tests, each with its attribution stated by hand.

Stored through :func:`tests.handmade.handmade`, so what the engine happens to find never decides
these tests: they are about how names resolve to speakers.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from factdb.enums import SpeakerKind
from factdb.services.audit import Actor
from factdb.services.ingest import IngestResult, ingest_text
from tests.handmade import Said, handmade

ORG = SpeakerKind.ORGANIZATION

#: Five versions of one ministry statement, as five outlets might word it.
MINISTRY = (
    ("The Russian Defense Ministry said its forces had taken control of the village of Nordvale.",
     Said("The Russian Defense Ministry", "said",
          "its forces had taken control of the village of Nordvale", "Russian Defense Ministry", ORG)),
    ("Russia's Defence Ministry said on Tuesday that its troops had captured the village of Nordvale.",
     Said("Russia's Defence Ministry", "said", "its troops had captured the village of Nordvale",
          "Russia's Defence Ministry", ORG)),
    ("The Russian Ministry of Defense claimed its units had seized Nordvale, a village in the east.",
     Said("The Russian Ministry of Defense", "claimed",
          "its units had seized Nordvale, a village in the east", "Russian Ministry of Defense", ORG)),
    ("Its forces took Nordvale, the Russian Ministry of Defence said in a statement on Tuesday.",
     Said("the Russian Ministry of Defence", "said", "Its forces took Nordvale",
          "Russian Ministry of Defence", ORG)),
    ("Russia's Ministry of Defense said Russian troops had liberated the village of Nordvale.",
     Said("Russia's Ministry of Defense", "said", "Russian troops had liberated the village of Nordvale",
          "Russia's Ministry of Defense", ORG)),
)  # fmt: skip

#: One president under three spellings, then a fourth.
PRESIDENT = (
    ("Ukrainian President Volodymyr Zelenskyy said the army was holding its positions near Nordvale.",
     Said("Ukrainian President Volodymyr Zelenskyy", "said",
          "the army was holding its positions near Nordvale", "Volodymyr Zelenskyy",
          role="President of Ukraine")),
    ("Zelenskiy said on Wednesday that Ukrainian troops had not left Nordvale.",
     Said("Zelenskiy", "said", "Ukrainian troops had not left Nordvale")),
    ("President Zelensky said the claims about Nordvale were false.",
     Said("President Zelensky", "said", "the claims about Nordvale were false", "Zelensky",
          role="President")),
    ("Zelenskyi said the bridge at Nordvale was still standing.",
     Said("Zelenskyi", "said", "the bridge at Nordvale was still standing")),
)  # fmt: skip


def ingest_report(
    session: Session, actor: Actor, report: tuple[str, Said], *, title: str, outlet: str | None = None
) -> IngestResult:
    """Store one report with its stated attribution."""
    text, said = report
    return ingest_text(session, actor, text, title=title, outlet=outlet, extraction=handmade(text, said))
