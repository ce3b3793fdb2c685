"""The log filter: a second line of defence that masks anything shaped like a phone number."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from gunicorn.config import Config

from hotline.logmask import MASK, MaskedGunicornLogger, MaskPhoneNumbers, mask_numbers
from hotline.server import server_options


@pytest.mark.parametrize(
    "text",
    [
        "+8613800138000",
        "+86 138-0013-8000",
        "008613800138000",
        "13800138000",
        "１３８００１３８０００",
        "0574-63898070",
    ],
)
def test_phone_shaped_runs_are_masked(text: str) -> None:
    assert mask_numbers(f"call from {text}.") == f"call from {MASK}."


@pytest.mark.parametrize(
    "text",
    ["on 2026-12-01 at 08:00", "CA0123456789abcdef0123456789abcdef", "attempt 12345", "v2:ABC234"],
)
def test_dates_sids_and_short_numbers_are_left_alone(text: str) -> None:
    assert mask_numbers(text) == text


def test_the_filter_masks_arguments_and_tracebacks_of_a_record() -> None:
    try:
        raise ValueError("bad number +8613800138000")
    except ValueError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "caller %s", ("13800138000",), None
        )
        import sys

        record.exc_info = sys.exc_info()
    MaskPhoneNumbers().filter(record)
    assert record.getMessage() == f"caller {MASK}"
    assert record.exc_text is not None
    assert "8613800138000" not in record.exc_text


@pytest.mark.parametrize(
    "text", ["138_0013_8000", "138  0013  8000", "138—0013—8000", "+86 138 \u2013 0013 \u2013 8000"]
)
def test_numbers_split_by_underscores_dashes_or_double_spaces_are_masked(text: str) -> None:
    assert mask_numbers(f"path /calls/{text}/x") == f"path /calls/{MASK}/x"


# The server's access log format (hotline.server.ACCESS_LOG_FORMAT), and Apache's combined one.
OUR_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
COMBINED = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def gunicorn_log() -> Iterator[tuple[MaskedGunicornLogger, Lines]]:
    """The logger as gunicorn makes it, writing to a list; gunicorn's loggers are global, so
    what the test added to them is taken away after it."""
    logs = [logging.getLogger("gunicorn.access"), logging.getLogger("gunicorn.error")]
    before = [(list(log.handlers), list(log.filters)) for log in logs]
    config = Config()
    config.set("accesslog", None)
    logger = MaskedGunicornLogger(config)
    lines = Lines()
    for log in logs:
        log.addHandler(lines)
    yield logger, lines
    for log, (handlers, filters) in zip(logs, before, strict=True):
        log.handlers[:], log.filters[:] = handlers, filters


def log_request(logger: MaskedGunicornLogger, log_format: str, path: str, raw: str) -> None:
    logger.cfg.set("access_log_format", log_format)
    logger.cfg.set("accesslog", "-")
    logger.setup(logger.cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw,
        "PATH_INFO": path,
        "QUERY_STRING": raw.partition("?")[2],
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.168.100.200",
        "HTTP_REFERER": "https://h.example/calls?from=%2B8613800138000",
    }
    response = SimpleNamespace(status="200 OK", sent=1234567, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    logger.access(response, request, environ, timedelta(milliseconds=25))


@pytest.mark.parametrize("path", ["/calls/13800138000", "/x/138 0013 8000", "/x/138_0013_8000"])
def test_gunicorns_access_log_masks_a_number_in_the_path_and_keeps_its_own_figures(
    gunicorn_log: tuple[MaskedGunicornLogger, Lines], path: str
) -> None:
    logger, lines = gunicorn_log
    log_request(logger, OUR_FORMAT, path, quote(path))
    assert lines.lines == [
        f'192.168.100.200 "GET {path.rsplit("/", 1)[0]}/{MASK}" 200 1234567 25ms'
    ]


def test_gunicorns_access_log_masks_percent_encoded_numbers_in_the_request_line_and_referer(
    gunicorn_log: tuple[MaskedGunicornLogger, Lines],
) -> None:
    logger, lines = gunicorn_log
    log_request(logger, COMBINED, "/calls", "/calls?caller=%2B86%20138%200013%208000")
    (line,) = lines.lines
    assert "0013" not in line
    assert "8000" not in line
    assert f'"GET /calls?caller={MASK} HTTP/1.1"' in line
    assert f'"https://h.example/calls?from={MASK}"' in line


def test_gunicorns_error_log_masks_numbers_too(
    gunicorn_log: tuple[MaskedGunicornLogger, Lines],
) -> None:
    logger, lines = gunicorn_log
    logger.error("Invalid request line: %s", "GET /13800138000 HTTP/9")
    assert lines.lines == [f"Invalid request line: GET /{MASK} HTTP/9"]


def test_gunicorn_takes_the_masked_logger_by_its_dotted_path() -> None:
    config = Config()
    config.set("logger_class", "hotline.logmask.MaskedGunicornLogger")
    assert config.logger_class is MaskedGunicornLogger


def test_hotline_serve_runs_gunicorn_with_the_masked_logger() -> None:
    config = Config()
    for name, value in server_options("127.0.0.1", 8000, 2).items():
        if name in config.settings:
            config.set(name, value)
    assert config.logger_class is MaskedGunicornLogger
