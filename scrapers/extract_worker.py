"""extract() in a worker process beside the crawl process: the crawl fetches, flags and stores while
the worker extracts, so one crawl process keeps two cores busy and extraction runs in a process that
does nothing else.

Extraction is most of a page's CPU (about 26 ms against 7 ms for fetching, flagging and storing).
Run on the reactor's thread between Scrapy's work, the same extract() cost more CPU a page than in
a process of its own (its allocator and CPU caches shared with Scrapy's objects); in the worker it
costs what it costs alone (bench/ingest.py: 25.8 ms a page against 25.4).

The worker is forked before the reactor starts (the extraction libraries are imported by then, and
shared with the crawl process), reads pages from a pipe and answers with what extract() returned,
in order. It never writes to the archive: the crawl process stores what comes back, so a worker that
dies loses no article (the page it was extracting stays in the backlog and the run is failed; the
crawl extracts the rest itself). It ignores SIGINT and SIGTERM, which reach the whole process group,
so that the crawl can finish its pages after a stop, and exits when its pipe closes: when the crawl
process ends or dies, killed -9 included.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import pickle
import signal
import threading
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from mediawatch.scrapers.extract import Extracted, ExtractionError, extract

LOG = logging.getLogger(__name__)

WARM_PAGE = (
    b"<html><body><article><p>Warm-up text for the extract worker.</p></article></body></html>"
)


class WorkerGone(Exception):
    """The extract worker is not there (died, or closed). `in_progress`: it died while this page
    was in its hands, so the page may be what killed it."""

    def __init__(self, message: str, in_progress: bool = False) -> None:
        super().__init__(message)
        self.in_progress = in_progress


# ------------------------------------------------------------------ the worker process


def _serve(jobs: Connection, results: Connection, others: list[Connection], prepare) -> None:
    for conn in others:  # the crawl process's ends: the pipe must close when the crawl dies
        conn.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if prepare is not None:
        prepare()
    with contextlib.suppress(ExtractionError):
        extract(WARM_PAGE)  # the language model and lazy imports, before the first page arrives
    while True:
        try:
            job = jobs.recv_bytes()
        except (EOFError, OSError):
            return  # the crawl process closed the pipe or died
        answer = pickle.dumps(_answer(pickle.loads(job)), pickle.HIGHEST_PROTOCOL)
        try:
            results.send_bytes(answer)
        except OSError:
            return  # the crawl process died


def _answer(job: dict) -> tuple:
    try:
        return ("ok", extract(**job))
    except ExtractionError as exc:
        cause = exc.__cause__
        return ("error", str(exc), isinstance(cause, OSError | MemoryError))
    except MemoryError as exc:
        return ("error", f"extraction failed: MemoryError: {exc}", True)


def _outcome(answer: tuple) -> Extracted | ExtractionError:
    if answer[0] == "ok":
        return answer[1]
    error = ExtractionError(answer[1])
    if answer[2]:  # the machine ran out, not the page's fault (see pipelines._store_page)
        error.__cause__ = MemoryError(answer[1])
    return error


# ------------------------------------------------------------------ the crawl process's side


class ExtractWorker:
    """One worker process and the two threads that feed it and read its answers (a page's bytes
    may not fit in the pipe at once, and the reactor's thread must not wait on it)."""

    def __init__(self, prepare: Callable[[], None] | None = None) -> None:
        ctx = multiprocessing.get_context("fork")
        job_r, self._jobs = ctx.Pipe(duplex=False)
        self._results, result_w = ctx.Pipe(duplex=False)
        self.process = ctx.Process(
            target=_serve,
            args=(job_r, result_w, [self._jobs, self._results], prepare),
            name="mediawatch-extract",
            daemon=True,
        )
        self.process.start()
        job_r.close()
        result_w.close()
        self._queue: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future, bytes]] = deque()
        self._pending: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future]] = deque()
        self._lock = threading.Condition()
        self._gone: str | None = None
        self._closing = False
        self._threads = [
            threading.Thread(target=self._send_loop, name="extract-send", daemon=True),
            threading.Thread(target=self._receive_loop, name="extract-receive", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    @property
    def alive(self) -> bool:
        return self._gone is None and not self._closing

    async def extract(self, **job: Any) -> Extracted:
        """extract(**job) in the worker; raises ExtractionError as extract() does, or WorkerGone."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        payload = pickle.dumps(job, pickle.HIGHEST_PROTOCOL)
        with self._lock:
            if self._gone is not None or self._closing:
                raise WorkerGone(self._gone or "the crawl ended")
            self._queue.append((loop, future, payload))
            self._lock.notify_all()
        outcome = await future
        if isinstance(outcome, ExtractionError):
            raise outcome
        return outcome

    def _send_loop(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._closing and self._gone is None:
                    self._lock.wait()
                if self._gone is not None or not self._queue:
                    break  # closing, and everything given was sent
                loop, future, payload = self._queue.popleft()
                self._pending.append((loop, future))
            try:
                self._jobs.send_bytes(payload)
            except OSError:
                self._fail("the extract worker closed its pipe")
                break
        with contextlib.suppress(OSError):
            self._jobs.close()  # the worker sees the end of its input and exits

    def _receive_loop(self) -> None:
        while True:
            try:
                answer = pickle.loads(self._results.recv_bytes())
            except (EOFError, OSError):
                self._fail(None)
                return
            with self._lock:
                loop, future = self._pending.popleft()
            _hand_back(loop, future, _outcome(answer))

    def _fail(self, why: str | None) -> None:
        """The worker ended: the page in its hands fails, the others are extracted elsewhere."""
        with self._lock:
            if self._gone is not None:
                return
            if why is None:
                self.process.join(5)
                code = self.process.exitcode
                why = "the extract worker ended" + (f" (exit code {code})" if code else "")
            self._gone = why
            failed = [(loop, fut, True) for loop, fut in self._pending]
            failed[1:] = [(loop, fut, False) for loop, fut, _ in failed[1:]]
            failed += [(loop, fut, False) for loop, fut, _ in self._queue]
            self._pending.clear()
            self._queue.clear()
            self._lock.notify_all()
        if not self._closing:
            LOG.warning("%s; the crawl process extracts the remaining pages", why)
        for loop, future, in_progress in failed:
            _hand_back(loop, future, WorkerGone(why, in_progress))

    def close(self, timeout: float = 10.0) -> None:
        """Let the worker finish what it was given, end it, and reap it."""
        with self._lock:
            self._closing = True
            dropped = list(self._queue)  # not sent yet: after the crawl, nobody waits for them
            self._queue.clear()
            self._lock.notify_all()
        for loop, future, _ in dropped:
            _hand_back(loop, future, WorkerGone("the crawl ended"))
        for thread in self._threads:
            thread.join(timeout)
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self._results.close()


def _hand_back(loop: asyncio.AbstractEventLoop, future: asyncio.Future, outcome: object) -> None:
    with contextlib.suppress(RuntimeError):  # the loop was closed: nobody waits for it any more
        loop.call_soon_threadsafe(_settle, future, outcome)


def _settle(future: asyncio.Future, outcome: object) -> None:
    if future.done():  # cancelled meanwhile
        return
    if isinstance(outcome, WorkerGone):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)
