"""scrapy-redis's scheduler and queue, with leases: a request taken is not lost if its worker dies.

A popped request is kept under a lease (frontier.LEASES) until the worker has handed its results
on; a retry or redirect of a leased request goes back to the queue and settles the old lease.
"""

from __future__ import annotations

from scrapy_redis.queue import FifoQueue
from scrapy_redis.scheduler import Scheduler


class LeasedQueue(FifoQueue):
    def pop(self, timeout=0):
        got = self.spider.frontier.pop_leased()
        if not got:
            return None
        lease, data = got
        request = self._decode_request(data)
        request.meta["mw_lease"] = lease
        self.spider.held.add(lease)
        return request


class ClusterScheduler(Scheduler):
    def open(self, spider):
        super().open(spider)
        spider.scheduler = self

    def enqueue_request(self, request):
        lease = request.meta.pop("mw_lease", None)  # a retry or redirect of a leased request
        queued = super().enqueue_request(request)
        if lease:
            if queued:
                self.spider.held.discard(lease)
                self.spider.frontier.ack(lease)
            else:  # the redirect target was seen already: this request is done
                self.spider.settle(lease, request.meta)
        return queued
