"""A Sentinel connection pool that moves to a new master within a second.

redis-py's SentinelConnectionPool asks the sentinels for the master only when
it opens a connection. Its pooled connections stay on the old master after a
failover until Sentinel demotes that node and closes them, 8 to 20 s later;
until then the app goes on writing to the old master, and those writes are
lost when it resyncs from the new one (seen with SENTINEL FAILOVER: a code
stored 2 s after +switch-master was gone). The gateway writes to the new
master at once, so the app would also verify against stale data.

This pool asks the sentinels again at most once a second, when a connection
is taken; redis-py's own get_master_address() then closes the idle
connections to a former master, and a connection in use is closed when it is
given back (owns_connection). One SENTINEL MASTERS a second per pool.
"""
import time

from redis.sentinel import MasterNotFoundError, SentinelConnectionPool


class MasterFollowingConnectionPool(SentinelConnectionPool):
    check_interval = 1.0

    def reset(self):
        super().reset()
        self._next_check = 0.0

    def get_connection(self, command_name, *keys, **options):
        now = time.monotonic()
        if self.is_master and now >= self._next_check:
            self._next_check = now + self.check_interval
            try:
                self.get_master_address()
            except MasterNotFoundError:
                # No sentinel answers: keep the connections there are (a new
                # one still needs a sentinel and fails as before).
                pass
        return super().get_connection(command_name, *keys, **options)
