#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write Substrate/Phala informant lines at a fixed rate to one or more
files (FIFOs), the same bytes to each, for bench/peers_log.sh.

  peers_loggen.py --rate 10000 --seconds 20 OUT [OUT...]

Lines are what `docker logs -f phala-node` shows: a timestamp, the
[Parachain] / [Relaychain] prefix, ANSI colour codes, and the other log
lines a node prints between informant lines (imported blocks, epochs).
Every 10 ms a batch of rate/100 lines is written; a writer that falls
behind catches up on the next tick, so the long-run rate is exact. At the
end it prints "lines N seconds S" on stderr.
"""
import argparse
import os
import sys
import time

LINES = [
    "2024-05-01 10:00:{s:02d} [Parachain] \U0001f4a4 \x1b[1;37mIdle\x1b[0m (\x1b[1;37m{p}\x1b[0m peers), "
    "best: #\x1b[1;37m{b}\x1b[0m (0x1a2b\u20263c4d), finalized #\x1b[1;37m{f}\x1b[0m (0x5e6f\u20267a8b), "
    "\x1b[32m\u2b07 3.1kiB/s\x1b[0m \x1b[31m\u2b06 2.0kiB/s\x1b[0m",
    "2024-05-01 10:00:{s:02d} [Relaychain] \U0001f4a4 Idle (45 peers), best: #{b} (0xfc02\u20262a2a), "
    "finalized #{f} (0x10ff\u20266539), \u2b07 120.4kiB/s \u2b06 98.1kiB/s",
    "2024-05-01 10:00:{s:02d} [Relaychain] \u2728 Imported #{b} (0x9a8b\u20267c6d)",
    "2024-05-01 10:00:{s:02d} [Parachain] \u2699\ufe0f  Syncing  9.8 bps, target=#{t} ({p} peers), "
    "best: #{b} (0x1a2b\u20263c4d), finalized #{f} (0x5e6f\u20267a8b), \u2b07 3.1kiB/s \u2b06 2.0kiB/s",
    "2024-05-01 10:00:{s:02d} [Relaychain] \U0001f476 New epoch 3 launching at block 0x68bc\u20260605 (block slot 271 >= start slot 271).",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=int, default=10000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("out", nargs="+")
    a = ap.parse_args()
    fds = [os.open(p, os.O_WRONLY) for p in a.out]
    per_tick = max(1, a.rate // 100)
    t0 = time.monotonic()
    sent = 0
    i = 0
    while True:
        now = time.monotonic() - t0
        if now >= a.seconds:
            break
        due = min(int(now * a.rate) + per_tick, int(a.seconds * a.rate))
        if due > sent:
            chunk = []
            for _ in range(due - sent):
                chunk.append(LINES[i % len(LINES)].format(s=(i // 10000) % 60, p=8 + i % 3,
                                                          b=4567890 + i, f=4567888 + i,
                                                          t=4600000))
                i += 1
            data = ("\n".join(chunk) + "\n").encode()
            for fd in fds:
                os.write(fd, data)
            sent = due
        time.sleep(0.01)
    for fd in fds:
        os.close(fd)
    print("lines %d seconds %.3f" % (sent, time.monotonic() - t0), file=sys.stderr)


if __name__ == "__main__":
    main()
