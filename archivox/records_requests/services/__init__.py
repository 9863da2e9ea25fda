"""Writes of records-use requests, one module per stage:

- ``applying``: the person's application (validation, routing, uploads, rate limits);
- ``workflow``: staff verify, forward, search, record the result, release and close;
- ``copies``: the certified PDF (stamp, QR code, signature) and its revocation;
- ``notify``: telling the person of every status change (the hook other channels join);
- ``followers``: the signed WeChat follower token the apply page carries (service hall);
- ``setup``: request kinds and the holiday calendar.
"""
