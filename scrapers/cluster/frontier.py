"""The Redis side of the cluster: key names, the connection, leases, known URLs and the stream.

One place for every key, so the worker, the writer and `mediawatch status` agree. Requests taken
from the queue are leased (moved to a sorted set with a deadline, in one Lua script): a worker that
dies without acknowledging them loses them only until the writer's reaper puts them back.
"""

from __future__ import annotations

import json
import os
import socket
import time

import redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

PREFIX = "mediawatch"
QUEUE = f"{PREFIX}:requests"
DUPEFILTER = f"{PREFIX}:dupefilter"
KNOWN = f"{PREFIX}:known"
LEASES = f"{PREFIX}:leases"
LEASE_DATA = f"{PREFIX}:lease-data"
LEASE_SEQ = f"{PREFIX}:lease-seq"
STREAM = f"{PREFIX}:articles"
GROUP = "writer"
VALIDATORS = f"{PREFIX}:validators"
OUTSTANDING = f"{PREFIX}:outstanding"  # run id -> requests of that run not yet handled
ACTIVE = f"{PREFIX}:active"  # source -> run id of its open cycle
SEEDED = f"{PREFIX}:seeded"
WORKERS = f"{PREFIX}:worker:"
SLOT = f"{PREFIX}:slot:"
BUDGET = f"{PREFIX}:budget:"  # + run id: article requests made in the run, by all workers
DOCS = f"{PREFIX}:docs:"  # + run id: url -> a document read in the run (validators, items)
GNEWS_RESOLVED = f"{PREFIX}:gnews:resolved"  # token -> publisher URL (mirrors the archive)
GNEWS_BACKLOG = f"{PREFIX}:gnews-backlog:"  # + run id: the source's unresolved tokens, JSON
RUN_TTL = 7 * 86400  # run keys of a cycle whose end never came (Redis keeps no garbage forever)

LEASE_SECONDS = float(os.environ.get("MEDIAWATCH_CLUSTER_LEASE", "120"))
HEARTBEAT_TTL = 60
RETRY_ERRORS = (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError)

_POP = """
local data = redis.call('RPOP', KEYS[1])
if not data then return nil end
local id = redis.call('INCR', KEYS[4])
local now = redis.call('TIME')
redis.call('HSET', KEYS[3], id, data)
redis.call('ZADD', KEYS[2], tonumber(now[1]) + tonumber(ARGV[1]), id)
return {id, data}
"""

_REAP = """
local now = redis.call('TIME')
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now[1])
for _, id in ipairs(ids) do
  local data = redis.call('HGET', KEYS[3], id)
  if data then redis.call('RPUSH', KEYS[1], data) end
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
end
return #ids
"""

_EXTEND = """
local now = redis.call('TIME')
for _, id in ipairs(ARGV) do
  if _ > 1 then redis.call('ZADD', KEYS[1], 'XX', tonumber(now[1]) + tonumber(ARGV[1]), id) end
end
return 1
"""


def connect(url: str) -> redis.Redis:
    """A client that retries with backoff for about two minutes: a restarted Redis is waited for."""
    return redis.Redis.from_url(
        url,
        retry=Retry(ExponentialBackoff(cap=5.0, base=0.1), 40),
        retry_on_error=[RedisConnectionError, RedisTimeoutError, ConnectionResetError],
        socket_timeout=30,
        socket_connect_timeout=5,
        health_check_interval=15,
    )


def client_params() -> dict:
    """The same behaviour for the clients scrapy-redis builds itself (REDIS_PARAMS)."""
    return {
        "retry": Retry(ExponentialBackoff(cap=5.0, base=0.1), 40),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError, ConnectionResetError],
        "socket_timeout": 30,
        "socket_connect_timeout": 5,
        "health_check_interval": 15,
    }


class Frontier:
    """What a worker or the writer does to the shared state; all keys live here."""

    def __init__(self, server: redis.Redis):
        self.r = server
        self._pop = server.register_script(_POP)
        self._reap = server.register_script(_REAP)
        self._extend = server.register_script(_EXTEND)

    # -- leased queue ---------------------------------------------------------------------

    def pop_leased(self) -> tuple[str, bytes] | None:
        got = self._pop(keys=[QUEUE, LEASES, LEASE_DATA, LEASE_SEQ], args=[LEASE_SECONDS])
        if not got:
            return None
        return got[0].decode() if isinstance(got[0], bytes) else str(got[0]), got[1]

    def ack(self, lease: str) -> None:
        pipe = self.r.pipeline()
        pipe.zrem(LEASES, lease)
        pipe.hdel(LEASE_DATA, lease)
        pipe.execute()

    def release(self, lease: str) -> None:
        """Give a lease back at once (graceful stop): its request is taken next."""
        data = self.r.hget(LEASE_DATA, lease)
        pipe = self.r.pipeline()
        if data is not None:
            pipe.rpush(QUEUE, data)
        pipe.zrem(LEASES, lease)
        pipe.hdel(LEASE_DATA, lease)
        pipe.execute()

    def extend(self, leases: list[str]) -> None:
        if leases:
            self._extend(keys=[LEASES], args=[LEASE_SECONDS, *leases])

    def reap(self) -> int:
        """Expired leases (their worker died) go back to the queue."""
        return int(self._reap(keys=[QUEUE, LEASES, LEASE_DATA]))

    # -- already known? ---------------------------------------------------------------------

    def claim(self, url: str, forms: set[str]) -> bool:
        """True when no form of the URL is known and this caller is the one that claimed it."""
        if any(self.r.smismember(KNOWN, sorted(forms))):
            return False
        return bool(self.r.sadd(KNOWN, url))

    def known_of(self, urls: set[str]) -> set[str]:
        """Those of `urls` in the archive or queued by some worker (one round trip)."""
        listed = sorted(urls)
        if not listed:
            return set()
        found = self.r.smismember(KNOWN, listed)
        return {u for u, known in zip(listed, found, strict=True) if known}

    def forget(self, url: str) -> None:
        """A fetch that failed: the URL may be tried again on the next cycle."""
        self.r.srem(KNOWN, url)

    def remember(self, urls) -> None:
        urls = [u for u in urls if u]
        if urls:
            self.r.sadd(KNOWN, *urls)

    # -- runs (one per source and cycle) ----------------------------------------------------

    def open_requests(self, run: int, n: int = 1) -> None:
        self.r.hincrby(OUTSTANDING, str(run), n)

    def close_request(self, run: int, source: str) -> None:
        """One request of the run is handled; the last one announces the run's end in the stream."""
        left = self.r.hincrby(OUTSTANDING, str(run), -1)
        if left <= 0:
            self.r.hdel(OUTSTANDING, str(run))
            self.add({"type": "done", "run": run, "source": source})

    def active_run(self, source: str) -> int | None:
        run = self.r.hget(ACTIVE, source)
        if run is None:
            return None
        if self.r.hexists(OUTSTANDING, run):
            return int(run)
        return None

    # -- the page budget, for the whole cluster -------------------------------------------

    def take_budget(self, run: int, max_pages: int) -> bool:
        """One article request of the run, if the run's budget (all workers together) allows."""
        pipe = self.r.pipeline()
        pipe.incr(f"{BUDGET}{run}")
        pipe.expire(f"{BUDGET}{run}", RUN_TTL)
        return pipe.execute()[0] <= max_pages

    def return_budget(self, run: int) -> None:
        self.r.decr(f"{BUDGET}{run}")

    # -- documents read in a run (the writer keeps their validators when all is settled) ----

    def note_document(self, run: int, url: str, doc) -> None:
        data = {
            "validators": doc.validators,
            "items": sorted(doc.items),
            "children": doc.children,
            "read": doc.read,
            "cut": doc.cut,
        }
        pipe = self.r.pipeline()
        pipe.hset(f"{DOCS}{run}", url, json.dumps(data))
        pipe.expire(f"{DOCS}{run}", RUN_TTL)
        pipe.execute()

    def documents(self, run: int) -> dict[str, dict]:
        raw = self.r.hgetall(f"{DOCS}{run}")
        return {_text(k): json.loads(v) for k, v in raw.items()}

    # -- Google News links ---------------------------------------------------------------

    def gnews_resolved(self, tokens: list[str]) -> dict[str, str]:
        tokens = list(dict.fromkeys(t for t in tokens if t))
        if not tokens:
            return {}
        urls = self.r.hmget(GNEWS_RESOLVED, tokens)
        return {t: _text(u) for t, u in zip(tokens, urls, strict=True) if u is not None}

    def gnews_backlog(self, run: int) -> list[dict]:
        raw = self.r.get(f"{GNEWS_BACKLOG}{run}")
        return json.loads(raw) if raw else []

    # -- conditional GET -------------------------------------------------------------------

    def validators(self, url: str) -> dict:
        raw = self.r.hget(VALIDATORS, url)
        return json.loads(raw) if raw else {}

    def save_validators(self, url: str, etag: str | None, modified: str | None) -> None:
        self.r.hset(VALIDATORS, url, json.dumps({"etag": etag, "last_modified": modified}))

    # -- the stream ----------------------------------------------------------------------

    def add(self, entry: dict) -> None:
        self.r.xadd(STREAM, {"json": json.dumps(entry, ensure_ascii=False)})

    def ensure_group(self) -> None:
        try:
            self.r.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    # -- workers --------------------------------------------------------------------------

    def heartbeat(self, pages: int, last_error: str | None, concurrency: int) -> None:
        me = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "pages": pages,
            "last_error": last_error,
            "concurrency": concurrency,
            "seen_at": time.time(),
        }
        self.r.set(f"{WORKERS}{me['host']}:{me['pid']}", json.dumps(me), ex=HEARTBEAT_TTL)

    def status(self) -> dict:
        """Workers seen within the heartbeat TTL, queue length, stream lag, leases out."""
        workers = []
        for key in self.r.scan_iter(f"{WORKERS}*"):
            raw = self.r.get(key)
            if raw:
                workers.append(json.loads(raw))
        lag = 0
        try:
            for group in self.r.xinfo_groups(STREAM):
                if group["name"] in (GROUP, GROUP.encode()):
                    lag = (group.get("lag") or 0) + (group.get("pending") or 0)
        except redis.ResponseError:
            lag = 0
        return {
            "workers": sorted(workers, key=lambda w: (w["host"], w["pid"])),
            "queue": int(self.r.llen(QUEUE)),
            "in_flight": int(self.r.zcard(LEASES)),
            "stream_lag": int(lag),
        }


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
