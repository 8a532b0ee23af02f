"""Follow-up ("you said, we did"): commitments, the public follow-up pages' data, receipts that
follow an idea, and the mails that tell people when a commitment linked to their idea moves.

- `commitments`: record and change commitments (scoped, audited);
- `links`: which idea groups and entries a commitment answers, kept across merges and splits;
- `public`: what the public pages show (reviewed data only, no personal data);
- `notices`: the mails (one per change and person, at most one a day, idempotent);
- `bulk`: progress reported in a spreadsheet.
"""
