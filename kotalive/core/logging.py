import logging

from kotalive.core.masking import mask_sixteen_digit_runs


class MaskNikFilter(logging.Filter):
    """Masks NIK- and KK-shaped numbers in every log line, whoever wrote it (consumed by the console handler)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_sixteen_digit_runs(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
