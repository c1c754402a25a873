"""Every report and export factdb produces: claims, speaker scorecards and the audit trail.

The CLI (``factdb export ...``) and the web UI (download links) both call this package with
the same filters; each format is a generator of text chunks, so output streams as it is made.
"""

from factdb.reports.claims import CLAIM_FORMATS, ClaimReport, claim_report
from factdb.reports.records import ClaimRecord, iter_claim_records

__all__ = ["CLAIM_FORMATS", "ClaimRecord", "ClaimReport", "claim_report", "iter_claim_records"]
