"""Peer of `working_day_pairs run`: the same pairs through the Python `holidays`
package's Vietnam calendar, `HolidayBase.get_nth_working_day(date, n)`.

usage: holidays_peer.py IN OUT
"""

import sys
import time
from datetime import date

import holidays


def main() -> None:
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        pairs = [(date.fromisoformat(d), int(n)) for d, n in (line.split() for line in f)]
    vn = holidays.country_holidays("VN")
    t = time.perf_counter()
    results = [vn.get_nth_working_day(d, n) for d, n in pairs]
    secs = time.perf_counter() - t
    with open(dst, "w", encoding="utf-8") as f:
        f.writelines(f"{r.isoformat()}\n" for r in results)
    print(
        f"python in-loop: {len(pairs)} pairs in {secs:.4f} s = {len(pairs) / secs:.0f}/s"
        f" (holidays {holidays.__version__})",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
