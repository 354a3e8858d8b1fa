// The crypto module as the scenario sees it: encrypt, the book's CPU-bound pool work.
#include "loop/runtime.h"

#include <atomic>

#include <fmt/format.h>

#include "clock/clock.h"
#include "pool/thread_pool.h"

namespace elt {

namespace {

// fib(n) by naive recursion costs about 1.6 times more with every n; fib(50) takes seconds.
constexpr std::int64_t kMaxEncrypt = 50;
// The book's "encryption": naive recursive Fibonacci, a stand-in for CPU-bound work.
// Unsigned arithmetic: fib(93) overflows 64 bits, and we cap n well below that.
// `stop` is checked only high in the recursion, where each check guards millions of calls.
// Not instrumented by ThreadSanitizer: it touches no shared memory but the relaxed atomic,
// and TSan's per-call hooks would make fib(39) take seconds, changing the book's timing.
#if defined(__SANITIZE_THREAD__)
__attribute__((no_sanitize_thread))
#endif
std::uint64_t fib(std::uint64_t n, const std::atomic<bool>& stop) {
  if (n < 2) return n;
  if (n >= 30 && stop.load(std::memory_order_relaxed)) return 0;
  return fib(n - 1, stop) + fib(n - 2, stop);
}

}  // namespace

CallbackId Runtime::encrypt(std::int64_t n, Duration cost, Callback callback) {
  CallbackId id = add_callback(std::move(callback), "Encrypt");
  Task task;
  task.id = id;
  task.kind = TaskKind::Encrypt;
  // A stated CPU cost is virtual time the work takes under the virtual clock. Under the
  // real clock the real computation is the cost, so the statement is not needed.
  task.simulated_latency = clock_.stated_cost(cost);
  task.expected_cost = cost;
  task.work = [n, this] {
    if (n < 0 || n > kMaxEncrypt) {
      return Outcome::fail(fmt::format("encrypt: n must be between 0 and {}, got {}", kMaxEncrypt, n));
    }
    auto value = fib(static_cast<std::uint64_t>(n), stop_);
    if (stop_requested()) return Outcome::fail("encrypt: interrupted by shutdown");
    return Outcome::ok(Value::integer(static_cast<std::int64_t>(value)));
  };
  submit(std::move(task));
  return id;
}

}  // namespace elt
