"""`mediawatch run`: one long-lived process that schedules and supervises; no business rules.

Crawls run as `mediawatch crawl` subprocesses (supervisor.py) so that a crashing or hanging spider
never takes the daemon down; alerts are the alerts package's entry points; what counts as a
failing or stale source is mediawatch/health.py. This module decides only *when* things run,
how many at once, and what happens on a signal:

- APScheduler 3 BlockingScheduler in UTC, jobs built from schedules.yaml (no job store):
  coalesce, max_instances=1 (an overrunning crawl is skipped, never doubled), misfire grace
  near each job's interval (a late run still happens once);
- at most `max_concurrent_crawls` crawl subprocesses at a time (a semaphore);
- SIGTERM / SIGINT: no new jobs, crawls get SIGTERM then SIGKILL, exit within 10 s;
- SIGHUP: reload the three YAML files, or keep the running configuration and say why.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor as Pool
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from mediawatch import db, health, runconfig
from mediawatch import eventlog as log
from mediawatch.db import health as health_store
from mediawatch.db.connection import parse_iso, utc_iso
from mediawatch.errors import MediawatchError
from mediawatch.supervisor import AlreadyRunning, Outcome, Supervisor, take_lock

if TYPE_CHECKING:  # imported when a cluster is configured
    from mediawatch.cluster import ClusterDriver

STOP_GRACE = 5.0  # seconds a crawl gets to close its spiders after SIGTERM
STOP_DEADLINE = 9.0  # the whole stop, from the signal to the exit
DEFAULT_MIN_FREE_MB = 1024
MAX_THREADS = 64  # job threads; crawls are limited separately by the semaphore
DELIVERY_POLL_MAX = 30.0


class DaemonError(MediawatchError):
    """The daemon cannot start (another one holds the archive)."""


class Daemon:
    def __init__(
        self,
        config_dir: Path,
        db_path: Path,
        *,
        min_free_mb: float = DEFAULT_MIN_FREE_MB,
        python: str = sys.executable,
    ) -> None:
        self.config_dir = Path(config_dir)
        self.db_path = Path(db_path)
        self.min_free = min_free_mb * 1024 * 1024
        self.python = python
        self.supervisor = Supervisor()
        self.stopping = threading.Event()
        self.scheduler: BlockingScheduler | None = None
        self._snapshots, self._snapshot_lock = _snapshot_folder()
        self._old_cfg: runconfig.RunConfig | None = None
        self._lock_handle: TextIO | None = None
        self._alerts_lock = threading.Lock()  # one alert operation at a time: no double digests
        self._reload_lock = threading.Lock()
        self._stop_lock = threading.Lock()
        self._stop_started = 0.0
        self._active = 0
        self._idle = threading.Condition()
        self._defs: dict[str, object] = {}
        self._disk_low_since: str | None = None
        self._disk_lock = threading.Lock()
        try:
            self.cfg = runconfig.load(self.config_dir, self._snapshots)
        except BaseException:
            self._drop_snapshots()
            raise
        self._slots = threading.BoundedSemaphore(self.cfg.schedules.max_concurrent_crawls)
        self.cluster: ClusterDriver | None = None  # when a cluster is configured

    # ------------------------------------------------------------------ entry points

    def run_forever(self) -> None:
        """Schedule every job and block until SIGTERM / SIGINT."""
        try:
            self._take_lock()
            warn_config(self.cfg)
            self.scheduler = BlockingScheduler(
                timezone=UTC,
                executors={"default": ThreadPoolExecutor(MAX_THREADS)},
                job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
            )
            self.scheduler.add_listener(
                self._on_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES
            )
            self._start_cluster()
            self._install_jobs(self.cfg, startup=True)
            self._install_signals(reload=True)
            log.info(
                None,
                "daemon started",
                pid=os.getpid(),
                crawl_jobs=len(self.cfg.schedules.crawls),
                digests=len(self.cfg.schedules.digests),
                max_concurrent_crawls=self.cfg.schedules.max_concurrent_crawls,
                archive=str(self.db_path),
                config=str(self.config_dir),
            )
            if not self.stopping.is_set():
                self.scheduler.start()
        finally:
            self._finish()

    def run_once(self) -> bool:
        """Every crawl job once (at most N at a time), then the due digests and retries, then
        housekeeping if its schedule fired since it last ran (cron users have no other daemon).
        True when every crawl job ran and at least one source of each succeeded."""
        try:
            self._take_lock()
            warn_config(self.cfg)
            self._install_signals(reload=False)
            jobs = self.cfg.schedules.crawls
            log.info(None, "running every crawl job once", crawl_jobs=len(jobs))
            with Pool(max_workers=max(1, self.cfg.schedules.max_concurrent_crawls)) as pool:
                outcomes = list(pool.map(self.crawl, [j.name for j in jobs]))
            if not self.stopping.is_set():
                self.digests_due(new_cron="now")  # from cron, a first try shows its digest
                self.deliveries()
            if not self.stopping.is_set() and self._housekeeping_due():
                self.housekeeping()
        finally:
            self._finish()
        return all(o is None or _succeeded(o) for o in outcomes)

    def stop(self, reason: str) -> None:
        """End the daemon: no new jobs, crawls terminated then killed. Safe from any thread."""
        with self._stop_lock:
            again = self.stopping.is_set()
            if not again:
                self.stopping.set()
                self._stop_started = time.monotonic()
        if again:
            log.warning(None, f"{reason} again: killing the crawls now")
            self.supervisor.stop_all(grace=0)
            return
        log.info(None, f"stopping ({reason})", running_crawls=len(self.supervisor.pids))
        if self.scheduler is not None:
            with contextlib.suppress(SchedulerNotRunningError):
                self.scheduler.shutdown(wait=False)
        self.supervisor.stop_all(grace=STOP_GRACE)

    def reload(self) -> bool:
        """Re-read the three YAML files; on any error keep the running configuration."""
        with self._reload_lock:
            try:
                new = runconfig.load(self.config_dir, self._snapshots)
            except Exception as exc:  # ConfigError, or a watchlist the matcher refuses
                log.error(None, f"reload refused, keeping the running configuration: {exc}")
                return False
            old, self.cfg = self.cfg, new
            if old.schedules.max_concurrent_crawls != new.schedules.max_concurrent_crawls:
                self._slots = threading.BoundedSemaphore(new.schedules.max_concurrent_crawls)
            if self.scheduler is not None and not self.stopping.is_set():
                self._install_jobs(new)
            if self._old_cfg is not None:  # a crawl may still be starting from `old`: keep it
                self._old_cfg.discard()
            self._old_cfg = old
            log.info(
                None,
                "configuration reloaded",
                crawl_jobs=len(new.schedules.crawls),
                digests=len(new.schedules.digests),
                sources=len(new.sources.sources),
            )
            warn_config(new)
            return True

    # ------------------------------------------------------------------ jobs

    def crawl(self, name: str) -> Outcome | None:
        """One crawl job: a `mediawatch crawl` subprocess over its sources, then the immediate
        subscriptions and the health of those sources."""
        with self._busy():
            cfg = self.cfg
            job = cfg.crawl_job(name)
            if job is None or self.stopping.is_set():
                return None
            names = cfg.job_sources(job)
            if not names:
                log.info(name, "no enabled sources in this crawl job; skipped")
                return None
            self._check_disk()
            if self.cluster is not None:  # the workers crawl; the archive writer stores
                with self._archive() as conn:
                    self.cluster.enqueue(name, cfg.sources.select(names), conn)
                return None
            slots = self._slots
            if not slots.acquire(blocking=False):
                log.info(name, "waiting for a free crawl slot", running=len(self.supervisor.pids))
                if not self._acquire(slots):
                    return None
            try:
                argv = [
                    self.python,
                    "-P",  # not the working directory first on sys.path: a ./db/ folder of
                    "-m",  # archives would hide the db package (README layout)
                    "mediawatch.cli",
                    "--config-dir",
                    str(cfg.folder),
                    "--db",
                    str(self.db_path),
                    "crawl",
                    "--json",
                    "--no-alerts",  # the daemon sends immediate digests itself, one at a time
                    "--",
                    *names,
                ]
                log.info(name, "crawl started", sources=len(names))
                started = utc_iso()
                try:
                    outcome = self.supervisor.run(argv, job.timeout)
                except RuntimeError:  # the daemon began to stop meanwhile
                    return None
            finally:
                slots.release()
            self._after_crawl(name, job, names, outcome, started)
            return outcome

    def digests_due(self, name: str | None = None, new_cron: str = "wait") -> None:
        """Scheduled digests whose time has come (the alerts package keeps their last run); a
        cron digest that never ran waits for its next fire time unless new_cron="now"."""
        from mediawatch import alerts

        with self._busy():
            if self.stopping.is_set():
                return
            with self._alerts_lock, self._archive() as conn:
                results = alerts.run_due(conn, self.cfg.schedules, new_cron=new_cron)
            for r in results:
                if not r.sent:
                    log.info(r.subscription, "digest: nothing new to send")

    def deliveries(self) -> None:
        """Deliveries due for a (re)try: a mail server that was down gets its digest later."""
        from mediawatch import alerts

        with self._busy():
            if self.stopping.is_set():
                return
            with self._alerts_lock, self._archive() as conn:
                alerts.send_pending(conn, self.cfg.schedules)

    def _housekeeping_due(self) -> bool:
        with self._archive() as conn:
            last = parse_iso(health_store.last_maintenance(conn, "housekeeping"))
        return self.cfg.schedules.housekeeping.schedule.due(last, datetime.now(UTC))

    def housekeeping(self) -> None:
        with self._busy():
            if self.stopping.is_set():
                return
            hk = self.cfg.schedules.housekeeping
            now = datetime.now(UTC)
            done: dict[str, object] = {}
            with self._archive() as conn:
                if hk.optimize_fts:
                    health_store.optimize_fts(conn)
                    done["fts"] = "optimized"
                if hk.prune_crawl_runs_after:
                    before = utc_iso(now - timedelta(seconds=hk.prune_crawl_runs_after))
                    done["crawl_runs_pruned"] = health_store.prune_crawl_runs(conn, before)
                if hk.text_retention:
                    before = utc_iso(now - timedelta(seconds=hk.text_retention))
                    done["texts_dropped"] = health_store.drop_old_text(conn, before)
                health_store.record_maintenance(conn, "housekeeping", utc_iso(now), done)
            log.info("housekeeping", "done", **done)
            self._check_health(self.cfg.watched_sources())

    # ------------------------------------------------------------------ after a crawl

    def _after_crawl(
        self, name: str, job, names: list[str], outcome: Outcome, started: str
    ) -> None:
        summaries = _summaries(outcome.stdout)
        for s in summaries:
            fields = {
                "new": s.get("new_articles", 0),
                "duplicates": s.get("duplicates", 0),
                "requests": s.get("requests", 0),
                "errors": len(s.get("errors") or []),
            }
            if s.get("status") == "ok":
                log.info(s.get("source"), "crawled", **fields)
            else:
                first = (s.get("errors") or ["failed"])[0]
                log.warning(s.get("source"), f"crawl failed: {first}", **fields)
        failed = [s for s in summaries if s.get("status") != "ok"]
        fields = {
            "pid": outcome.pid,
            "seconds": round(outcome.duration, 1),
            "peak_rss_mb": round(outcome.peak_rss_kb / 1024, 1),
            "new": sum(s.get("new_articles", 0) for s in summaries),
            "failed_sources": len(failed),
        }
        if outcome.ok:
            level = log.warning if failed and len(failed) == len(summaries) else log.info
            level(name, "crawl finished", **fields)
        else:
            what = outcome.describe()
            if outcome.timed_out:
                what += f" of {job.timeout:g}s"
            detail = outcome.last_error_line()
            level = log.warning if outcome.returncode > 0 else log.error
            if outcome.stopped:
                level = log.info
            level(name, f"crawl {what}" + (f": {detail}" if detail else ""), **fields)
            if outcome.returncode < 0:  # killed: runs it could not close are failed here
                reason = (
                    "the daemon stopped during the crawl" if outcome.stopped else f"crawl {what}"
                )
                with self._archive() as conn:
                    for source in names:
                        db.fail_stale_runs(conn, source, reason)
        self._record_unrecorded(name, names, outcome, started, job)
        if self.stopping.is_set():
            return
        self._immediate(name)
        self._surges(name)
        self._check_health(names)

    def _record_unrecorded(self, name, names, outcome: Outcome, started: str, job) -> None:
        """A crawl killed at its timeout or crashing at start-up may leave no run behind: record
        a failed run for each of its sources that has none, so failure counts and operator
        alerts see it."""
        try:
            with self._archive() as conn:
                recorded = db.sources_with_runs(conn, outcome.pid, started)
                missing = [s for s in names if s not in recorded]
                if not missing:
                    return
                what = outcome.describe()
                if outcome.timed_out:
                    what += f" of {job.timeout:g}s"
                detail = outcome.last_error_line()
                reason = f"crawl {what} before it recorded a run" + (
                    f": {detail}" if detail and not outcome.timed_out else ""
                )
                for source in missing:
                    db.record_failed_run(conn, source, started, outcome.pid, reason)
        except Exception as exc:  # a full or broken archive: said in the log, never fatal
            log.error(name, "could not record the failed crawl", exc_info=exc)

    def _immediate(self, name: str) -> None:
        from mediawatch import alerts

        if not self.cfg.schedules.immediate:
            return
        try:
            with self._alerts_lock, self._archive() as conn:
                alerts.send_immediate(conn, self.cfg.schedules)
        except Exception as exc:  # an alert problem never stops crawling
            log.error(name, "immediate alerts failed", exc_info=exc)

    def _surges(self, name: str) -> None:
        """Surges are judged on what the crawl just stored: one alert per episode."""
        from mediawatch.alerts.surges import evaluate

        if not self.cfg.schedules.surges:
            return
        try:
            with self._alerts_lock, self._archive() as conn:
                for event in evaluate(conn, self.cfg.schedules):
                    log.warning(name, event.describe())
        except Exception as exc:  # an alert problem never stops crawling
            log.error(name, "surge check failed", exc_info=exc)

    def _check_health(self, names: list[str]) -> None:
        """One operator alert when a source starts failing or goes stale, one when it recovers."""
        from mediawatch import alerts

        cfg = self.cfg
        wanted = set(names)
        try:
            with self._archive() as conn:
                rows = [
                    r
                    for r in health.source_rows(conn, cfg.sources, cfg.schedules)
                    if r["name"] in wanted
                ]
                for t in health.transitions(rows, cfg.schedules.ops.notify_recovery):
                    if t.notify:
                        with self._alerts_lock:
                            alerts.notify_ops(conn, cfg.schedules, t.subject, t.text, key=t.key)
                        level = log.warning if t.after else log.info
                        level(t.source, f"operator alerted: {t.subject}")
                    health_store.set_health_state(conn, t.source, t.after)
        except Exception as exc:
            log.error(None, "source health check failed", exc_info=exc)

    def _check_disk(self) -> None:
        """Warn (and tell the operator once) when the archive's disk runs low."""
        with self._disk_lock:
            self._check_disk_locked()

    def _check_disk_locked(self) -> None:
        folder = self.db_path.parent
        try:
            free = shutil.disk_usage(folder).free
        except OSError as exc:
            log.warning(None, f"cannot check free disk space: {exc}", folder=str(folder))
            return
        free_mb = round(free / 1024 / 1024)
        if free >= self.min_free:
            if self._disk_low_since:
                log.info(None, "disk space is back", folder=str(folder), free_mb=free_mb)
                self._disk_low_since = None
            return
        log.warning(
            None,
            "low disk space beside the archive",
            folder=str(folder),
            free_mb=free_mb,
            threshold_mb=round(self.min_free / 1024 / 1024),
        )
        if self._disk_low_since:
            return
        self._disk_low_since = utc_iso()
        from mediawatch import alerts

        try:
            with self._alerts_lock, self._archive() as conn:
                alerts.notify_ops(
                    conn,
                    self.cfg.schedules,
                    f"mediawatch: low disk space ({free_mb} MB free)",
                    f"Only {free_mb} MB are free on the disk of {folder}, where the archive "
                    f"lives (warning threshold {round(self.min_free / 1024 / 1024)} MB). "
                    "Crawls keep running but may start failing when the disk is full.",
                    key=f"disk-low:{folder}:{self._disk_low_since}",
                )
        except Exception as exc:  # a full disk may well refuse this write too
            log.error(None, "could not record the low-disk alert", exc_info=exc)

    # ------------------------------------------------------------------ scheduling

    def _install_jobs(self, cfg: runconfig.RunConfig, startup: bool = False) -> None:
        """Add the jobs of `cfg`; on reload, keep the timing of jobs whose definition is the same."""
        assert self.scheduler is not None
        now = datetime.now(UTC)
        with self._archive() as conn:
            starts = health_store.last_crawl_starts(conn)
        wanted: dict[str, tuple] = {}
        for job in cfg.schedules.crawls:
            first = _first_crawl(job.schedule, [starts.get(s) for s in cfg.job_sources(job)], now)
            wanted[f"crawl:{job.name}"] = (
                job,
                self.crawl,
                [job.name],
                job.schedule.trigger(),
                _grace(job.schedule),
                first,
            )
        for sub in cfg.schedules.scheduled:
            schedule = sub.schedule
            if schedule is None:  # never: `scheduled` lists the subscriptions that have one
                continue
            wanted[f"digest:{sub.name}"] = (
                schedule,
                self.digests_due,
                [sub.name],
                schedule.trigger(),
                _grace(schedule),
                None,
            )
        hk = cfg.schedules.housekeeping
        wanted["housekeeping"] = (
            hk,
            self.housekeeping,
            [],
            hk.schedule.trigger(),
            _grace(hk.schedule),
            None,
        )
        poll = max(1.0, min(DELIVERY_POLL_MAX, cfg.schedules.delivery.retry_first))
        wanted["deliveries"] = (
            poll,
            self.deliveries,
            [],
            IntervalTrigger(seconds=poll, timezone=UTC),
            int(poll),
            None,
        )
        for job in self.scheduler.get_jobs():
            if job.id not in wanted:
                job.remove()
                self._defs.pop(job.id, None)
                log.info(job.id, "job removed")
        for job_id, (definition, func, args, trigger, grace, first) in wanted.items():
            if self._defs.get(job_id) == definition and self.scheduler.get_job(job_id):
                continue
            extra = {"next_run_time": first} if first else {}
            self.scheduler.add_job(
                func,
                trigger,
                args=args,
                id=job_id,
                name=job_id,
                misfire_grace_time=grace,
                replace_existing=True,
                **extra,
            )
            self._defs[job_id] = definition
        if startup and cfg.schedules.scheduled:
            # a digest missed while the daemon was down runs once now (alerts.run_due decides)
            self.scheduler.add_job(
                self.digests_due, DateTrigger(now, timezone=UTC), id="digest:catch-up"
            )

    def _on_event(self, event) -> None:
        job = event.job_id
        if event.code == EVENT_JOB_ERROR:
            exc = event.exception
            log.error(job, "job failed", exc_info=(type(exc), exc, exc.__traceback__))
        elif event.code == EVENT_JOB_MISSED:
            log.warning(
                job,
                "run missed: the daemon was busy or suspended past the grace time",
                scheduled=utc_iso(event.scheduled_run_time),
            )
        elif event.code == EVENT_JOB_MAX_INSTANCES:
            log.warning(job, "still running from its last start; this run is skipped")

    # ------------------------------------------------------------------ plumbing

    def _install_signals(self, reload: bool) -> None:
        def on_stop(signum, _frame):
            name = signal.Signals(signum).name
            threading.Thread(target=self.stop, args=(name,), daemon=True).start()

        def on_hup(_signum, _frame):
            if reload:
                threading.Thread(target=self.reload, daemon=True).start()
            else:
                log.info(None, "SIGHUP ignored by --once")

        signal.signal(signal.SIGTERM, on_stop)
        signal.signal(signal.SIGINT, on_stop)
        signal.signal(signal.SIGHUP, on_hup)

    def _finish(self) -> None:
        """After the scheduler stopped: wait (bounded) for jobs, fail what the stop killed."""
        if self._lock_handle is None:  # never started (another daemon holds the archive)
            self._drop_snapshots()
            return
        if not self.stopping.is_set():  # --once finished, or the scheduler ended on its own
            self.stopping.set()
            self._stop_started = time.monotonic()
        deadline = self._stop_started + STOP_DEADLINE
        with self._idle:
            while self._active and time.monotonic() < deadline:
                self._idle.wait(0.1)
            busy = self._active
        self.supervisor.stop_all(grace=0)  # nothing should be left; make sure
        if self.cluster is not None:
            self.cluster.stop()
        with contextlib.suppress(Exception), self._archive() as conn:
            db.fail_stale_runs(conn, None, "the daemon stopped during the crawl")
        self._drop_snapshots()
        if busy:
            log.warning(None, "stopped with jobs still busy (a slow channel?)", busy=busy)
            sys.stderr.flush()
            os._exit(0)  # threads stuck in a network call must not hold the exit
        log.info(None, "stopped")

    def _start_cluster(self) -> None:
        """With `cluster:` (or MEDIAWATCH_REDIS): workers crawl, this process writes the archive."""
        from mediawatch.cluster import redis_url

        url = redis_url(self.cfg.schedules)
        if not url:
            return
        from mediawatch.cluster import ClusterDriver

        with self._archive() as conn:
            db.sync_sources(
                conn,
                [
                    {"name": s.name, "kind": s.kind, "url": s.url, "outlet": s.outlet}
                    | {"enabled": int(s.enabled)}
                    for s in self.cfg.sources.sources
                ],
            )
        self.cluster = ClusterDriver(url, self.db_path, log, self._cluster_run_finished)
        self.cluster.start()
        log.info(None, "cluster mode: workers crawl, this daemon writes the archive", redis=url)

    def _cluster_run_finished(self, source: str, run: int) -> None:
        """A source's cycle ended in the cluster: immediate digests and health, as after a crawl."""
        log.info(source, "crawled in the cluster", run=run)
        if self.stopping.is_set():
            return
        self._immediate(source)
        self._check_health([source])

    def _take_lock(self) -> None:
        try:
            self._lock_handle = take_lock(self.db_path)
        except AlreadyRunning as exc:
            who = f" (pid {exc.pid})" if exc.pid else ""
            raise DaemonError(
                f"another mediawatch daemon{who} is running on {self.db_path}"
            ) from None
        except OSError as exc:  # a read-only file system or folder: nothing could be stored
            raise DaemonError(
                f"cannot write beside the archive ({exc.filename}: {exc.strerror}); "
                "the archive's folder must be writable"
            ) from None
        self.supervisor.inherited_fds = (self._lock_handle.fileno(),)
        # runs left 'running' by a daemon that was killed with its crawls
        with contextlib.suppress(Exception), self._archive() as conn:
            db.fail_stale_runs(conn, None, "the daemon was killed during the crawl")

    def _drop_snapshots(self) -> None:
        shutil.rmtree(self._snapshots, ignore_errors=True)
        self._snapshot_lock.close()

    @contextlib.contextmanager
    def _busy(self):
        with self._idle:
            self._active += 1
        try:
            yield
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    @contextlib.contextmanager
    def _archive(self):
        conn = db.connect(self.db_path)
        try:
            yield conn
        finally:
            conn.conn.close()

    def _acquire(self, slots: threading.Semaphore) -> bool:
        while not self.stopping.is_set():
            if slots.acquire(timeout=0.5):
                if self.stopping.is_set():
                    slots.release()
                    return False
                return True
        return False


SNAPSHOT_PREFIX = "mediawatch-run-"
SNAPSHOT_LOCK = ".daemon.lock"


def _snapshot_folder():
    """A fresh temporary folder for configuration snapshots, locked while this daemon lives.

    Folders of daemons that died without cleaning up (SIGKILL) are removed first: their lock is
    free. A folder without a lock file is left alone for a minute (another daemon creating it)."""
    import fcntl

    root = Path(tempfile.gettempdir())
    for old in root.glob(SNAPSHOT_PREFIX + "*"):
        try:
            fd = os.open(old / SNAPSHOT_LOCK, os.O_RDONLY)
        except FileNotFoundError:  # no lock file yet: just created, or left by an old version
            with contextlib.suppress(OSError):
                if time.time() - old.stat().st_mtime > 60:
                    shutil.rmtree(old, ignore_errors=True)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            shutil.rmtree(old, ignore_errors=True)
        except OSError:  # BlockingIOError: a running daemon's
            pass
        finally:
            os.close(fd)
    folder = Path(tempfile.mkdtemp(prefix=SNAPSHOT_PREFIX))
    handle = open(folder / SNAPSHOT_LOCK, "a")  # noqa: SIM115 - held for the daemon's life
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return folder, handle


def warn_config(cfg: runconfig.RunConfig) -> None:
    """What a valid configuration still gets wrong: sources no crawl job polls, secrets missing
    from the environment (their deliveries wait until a process that has them runs)."""
    from mediawatch.schedules import missing_secrets, unpolled_sources

    for source in unpolled_sources(cfg.schedules, cfg.sources):
        log.warning(
            source.name,
            "enabled source is in no crawl job of schedules.yaml, so it is never crawled "
            f"(add {source.name!r} or one of its tags {list(source.tags)} to a job's sources)",
        )
    for missing in missing_secrets(cfg.schedules):
        log.error(missing.channel, missing.describe())


def _grace(schedule) -> int:
    """Misfire grace time: about one interval, so a late run still happens once."""
    return max(1, int(schedule.min_gap()))


def _first_crawl(schedule, last_starts: list[str | None], now: datetime) -> datetime | None:
    """Interval jobs run at start, unless a source was polled less than an interval ago (a
    restart must not break rate limits); cron jobs wait for their time."""
    if not schedule.every:
        return None
    latest = max((t for t in map(parse_iso, last_starts) if t is not None), default=None)
    if latest is None:
        return now
    return max(now, latest + timedelta(seconds=schedule.every))


def _succeeded(outcome: Outcome) -> bool:
    """The crawl ended normally and did not fail for every one of its sources."""
    statuses = [s.get("status") for s in _summaries(outcome.stdout)]
    return outcome.ok and (not statuses or "ok" in statuses)


def _summaries(stdout: str) -> list[dict]:
    """`mediawatch crawl --json` output; [] when the crawl died before printing it."""
    try:
        data = json.loads(stdout or "[]")
    except ValueError:
        return []
    return [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []
