"""Email backends that fail the way mail servers do (a Django backend, not our code)."""

from __future__ import annotations

import smtplib

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

state = {"fail_times": 0}


class FlakyBackend(LocmemBackend):
    """Refuses the connection ``state["fail_times"]`` times, then delivers to mail.outbox."""

    def open(self):
        if state["fail_times"] > 0:
            state["fail_times"] -= 1
            raise ConnectionRefusedError(111, "Connection refused")
        return super().open()


class WrongCredentialsBackend(LocmemBackend):
    def open(self):
        raise smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid")

    def send_messages(self, messages):
        self.open()


class CrashAfterFirstBackend(LocmemBackend):
    """Delivers one message, then dies as a worker killed mid-send would."""

    def send_messages(self, messages):
        if len(mail.outbox) >= 1:
            raise KeyboardInterrupt("worker killed")
        return super().send_messages(messages)
