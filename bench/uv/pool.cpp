// libuv: trivial tasks on the thread pool (uv_queue_work), as in Node's fs and crypto.
//
//   bench-uv-pool all   [N=100000]   N tasks queued at once; reports tasks_per_s
//   bench-uv-pool chain [N=10000]    one at a time: each task's after_work callback queues
//                                    the next; reports us_per_task (a loop -> pool -> loop
//                                    round trip)
//
// The work function does nothing but count. UV_THREADPOOL_SIZE is left at libuv's default
// (4), like eventloop-trace's default of 4 pool threads. Timing runs from just before the
// first uv_queue_work to the end of uv_run, so process start-up is not counted.
//
// Prints: mode, tasks, wall_s, tasks_per_s, us_per_task.
#include <atomic>
#include <string>
#include <vector>

#include "common.h"

namespace {

std::atomic<long long> g_worked{0};
long long g_done = 0;
long long g_target = 0;
uv_loop_t* g_loop = nullptr;

void work(uv_work_t*) { g_worked.fetch_add(1, std::memory_order_relaxed); }

void after_all(uv_work_t*, int status) {
  if (status == 0) ++g_done;
}

void after_chain(uv_work_t* req, int status) {
  if (status != 0) return;
  if (++g_done < g_target) bench::check_uv("uv_queue_work", uv_queue_work(g_loop, req, work, after_chain));
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "all";
  if (mode != "all" && mode != "chain") {
    std::fprintf(stderr, "usage: %s all|chain [N]\n", argv[0]);
    return 2;
  }
  g_target = bench::arg_int(argc, argv, 2, mode == "all" ? 100'000 : 10'000);
  g_loop = uv_default_loop();

  // Start the pool's threads before the clock starts (libuv starts them lazily, on the
  // first uv_queue_work), so both modes measure steady-state work, not thread creation.
  uv_work_t warm{};
  bench::check_uv("uv_queue_work", uv_queue_work(g_loop, &warm, work, [](uv_work_t*, int) {}));
  uv_run(g_loop, UV_RUN_DEFAULT);

  std::vector<uv_work_t> reqs(mode == "all" ? static_cast<std::size_t>(g_target) : 1);
  std::uint64_t start = bench::now_ns();
  if (mode == "all") {
    for (auto& req : reqs) bench::check_uv("uv_queue_work", uv_queue_work(g_loop, &req, work, after_all));
  } else if (g_target > 0) {
    bench::check_uv("uv_queue_work", uv_queue_work(g_loop, &reqs[0], work, after_chain));
  }
  uv_run(g_loop, UV_RUN_DEFAULT);
  double wall = static_cast<double>(bench::now_ns() - start) / 1e9;
  double n = static_cast<double>(g_done);
  std::printf("mode=%s tasks=%lld wall_s=%.6f tasks_per_s=%.0f us_per_task=%.3f\n", mode.c_str(), g_done, wall,
              wall > 0 ? n / wall : 0.0, n > 0 ? wall * 1e6 / n : 0.0);
  uv_loop_close(g_loop);
  return g_done == g_target ? 0 : 1;
}
