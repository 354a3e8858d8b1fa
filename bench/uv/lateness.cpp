// libuv: how late do timers fire? N one-shot timers at 1..SPAN ms, registered at once.
//
//   bench-uv-lateness [N=1000] [SPAN=1000]
//
// Timer i has the delay 1 + i % SPAN ms and is due at uv_hrtime() when uv_timer_start is
// called, plus that delay: what the caller asked for. Its callback records
// uv_hrtime() - due. libuv counts a timer's deadline from the loop's cached time (uv_now),
// kept in whole milliseconds of a coarse clock, which can be behind uv_hrtime(); so a timer
// can fire before `due` measured this way: a negative min and `early` show that.
// The deadline libuv itself uses is uv_now() + delay (whole ms of that coarse clock,
// which runs on the same epoch as uv_hrtime); lateness against it is never negative.
//
// Prints: count, min_ms, p50_ms, p99_ms, max_ms, early (vs the call), then
// deadline_min_ms, deadline_p99_ms, deadline_early (vs libuv's own deadline).
#include <algorithm>
#include <vector>

#include "common.h"

namespace {

std::vector<std::int64_t> g_late_ns;
std::vector<std::int64_t> g_late_deadline_ns;

struct Timer {
  uv_timer_t handle;
  std::uint64_t due_ns;       // the call + delay
  std::uint64_t deadline_ns;  // uv_now() at the call + delay
};

void on_timer(uv_timer_t* handle) {
  std::uint64_t now = bench::now_ns();
  auto* timer = reinterpret_cast<Timer*>(handle);  // handle is the first member
  g_late_ns.push_back(static_cast<std::int64_t>(now) - static_cast<std::int64_t>(timer->due_ns));
  g_late_deadline_ns.push_back(static_cast<std::int64_t>(now) - static_cast<std::int64_t>(timer->deadline_ns));
  uv_close(reinterpret_cast<uv_handle_t*>(handle), nullptr);
}

double pct_ms(const std::vector<std::int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto idx = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return static_cast<double>(sorted[idx]) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  long long n = bench::arg_int(argc, argv, 1, 1000);
  long long span = bench::arg_int(argc, argv, 2, 1000);
  if (span < 1) span = 1;
  uv_loop_t* loop = uv_default_loop();
  std::vector<Timer> timers(static_cast<std::size_t>(n));
  g_late_ns.reserve(timers.size());
  g_late_deadline_ns.reserve(timers.size());
  uv_update_time(loop);
  for (long long i = 0; i < n; ++i) {
    std::uint64_t delay_ms = static_cast<std::uint64_t>(1 + i % span);
    Timer& t = timers[static_cast<std::size_t>(i)];
    t.due_ns = bench::now_ns() + delay_ms * 1'000'000;
    t.deadline_ns = (uv_now(loop) + delay_ms) * 1'000'000;
    bench::check_uv("uv_timer_init", uv_timer_init(loop, &t.handle));
    bench::check_uv("uv_timer_start", uv_timer_start(&t.handle, on_timer, delay_ms, 0));
  }
  uv_run(loop, UV_RUN_DEFAULT);
  std::sort(g_late_ns.begin(), g_late_ns.end());
  std::sort(g_late_deadline_ns.begin(), g_late_deadline_ns.end());
  auto early = [](const std::vector<std::int64_t>& v) {
    return static_cast<long long>(std::count_if(v.begin(), v.end(), [](std::int64_t x) { return x < 0; }));
  };
  auto lowest = [](const std::vector<std::int64_t>& v) { return v.empty() ? 0.0 : static_cast<double>(v.front()) / 1e6; };
  std::printf(
      "count=%zu min_ms=%.4f p50_ms=%.4f p99_ms=%.4f max_ms=%.4f early=%lld deadline_min_ms=%.4f "
      "deadline_p99_ms=%.4f deadline_early=%lld\n",
      g_late_ns.size(), lowest(g_late_ns), pct_ms(g_late_ns, 0.50), pct_ms(g_late_ns, 0.99),
      g_late_ns.empty() ? 0.0 : static_cast<double>(g_late_ns.back()) / 1e6, early(g_late_ns),
      lowest(g_late_deadline_ns), pct_ms(g_late_deadline_ns, 0.99), early(g_late_deadline_ns));
  uv_loop_close(loop);
  return static_cast<long long>(g_late_ns.size()) == n ? 0 : 1;
}
