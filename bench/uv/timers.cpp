// libuv: N one-shot timers spread over 1..SPAN ms (N/SPAN per ms), registered at once.
//
//   bench-uv-timers [N=1000000] [SPAN=1000] [HOLD_MS=0]
//
// Timer i gets the delay 1 + i % SPAN, so with the defaults there are 1000 timers due at
// every millisecond from 1 to 1000, registered in the order 1, 2, ..., 1000, 1, 2, ...
// (the same order as bench/scenarios/timers.json). Each callback closes its handle, as a
// libuv program that wants its memory back must; when the last one is closed, the array
// is freed. HOLD_MS > 0 adds one more timer at HOLD_MS, so that the process stays alive
// after the burst and bench-measure can sample its RSS (memory after a burst).
//
// Prints: wall_s (from main() to the end of uv_run), peak_rss_kb, fired.
#include <vector>

#include "common.h"

namespace {

uv_timer_t* g_timers = nullptr;
long long g_count = 0;
long long g_fired = 0;
long long g_closed = 0;

void on_close(uv_handle_t*) {
  if (++g_closed == g_count) {
    std::free(g_timers);
    g_timers = nullptr;
  }
}

void on_timer(uv_timer_t* timer) {
  ++g_fired;
  uv_close(reinterpret_cast<uv_handle_t*>(timer), on_close);
}

void on_hold(uv_timer_t* timer) { uv_close(reinterpret_cast<uv_handle_t*>(timer), nullptr); }

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t start = bench::now_ns();
  g_count = bench::arg_int(argc, argv, 1, 1'000'000);
  long long span = bench::arg_int(argc, argv, 2, 1000);
  long long hold_ms = bench::arg_int(argc, argv, 3, 0);
  if (span < 1) span = 1;

  uv_loop_t* loop = uv_default_loop();
  if (g_count > 0) {
    g_timers = static_cast<uv_timer_t*>(std::malloc(sizeof(uv_timer_t) * static_cast<std::size_t>(g_count)));
    if (g_timers == nullptr) {
      std::fprintf(stderr, "out of memory\n");
      return 1;
    }
  }
  for (long long i = 0; i < g_count; ++i) {
    bench::check_uv("uv_timer_init", uv_timer_init(loop, &g_timers[i]));
    bench::check_uv("uv_timer_start",
                    uv_timer_start(&g_timers[i], on_timer, static_cast<std::uint64_t>(1 + i % span), 0));
  }
  uv_timer_t hold;
  if (hold_ms > 0) {
    bench::check_uv("uv_timer_init", uv_timer_init(loop, &hold));
    bench::check_uv("uv_timer_start", uv_timer_start(&hold, on_hold, static_cast<std::uint64_t>(hold_ms), 0));
  }
  uv_run(loop, UV_RUN_DEFAULT);
  double wall = static_cast<double>(bench::now_ns() - start) / 1e9;
  std::printf("wall_s=%.6f peak_rss_kb=%ld fired=%lld\n", wall, bench::peak_rss_kb(), g_fired);
  uv_loop_close(loop);
  return g_fired == g_count ? 0 : 1;
}
