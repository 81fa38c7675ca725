"""Logging filter that masks mainland mobile numbers in every log line.

Django's own loggers (e.g. django.request "Bad Request: /sms_codes/<mobile>/")
would otherwise write full numbers; the app itself logs masked numbers only.
"""
import logging
import re

_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


class MaskMobileFilter(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        masked = _MOBILE.sub(r"\1****\2", message)
        if masked != message:
            record.msg = masked
            record.args = None
        return True
