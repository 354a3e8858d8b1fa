// The crypto module as the scenario sees it: encrypt, the book's CPU-bound pool work.
#include "modules/crypto.h"

#include <atomic>
#include <chrono>
#include <optional>
#include <ratio>
#include <utility>

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

// What one call of fib() above costs, for encrypt without cost_ms: the virtual clock
// charges the calls fib(n) makes (2*fib(n+1)-1) times this, so a run costs the same on
// every machine. Measured once, on the development machine (release build, 2 shared
// vCPUs, 2026-12-01) with `bench/fib_cost.sh build/release/app/eventloop-trace 5`:
// fib(34), 18,454,929 calls, took 14.8 ms at best, 0.80 ns per call (fib(39), the book's,
// then costs 164 ms). The figure moves with the CPU and its load; the charge must not.
constexpr std::int64_t kFibCallPicoseconds = 800;

// n is checked by the work itself (it fails out of range, at once: no cost).
Duration estimated_cost(std::int64_t n) {
  if (n < 0 || n > kMaxEncrypt) return Duration::zero();
  std::int64_t a = 0, b = 1;  // fib(n + 1) in b; fib(51) fits easily
  for (std::int64_t i = 0; i < n; ++i) b = std::exchange(a, b) + b;
  const std::int64_t calls = 2 * b - 1;
  // Whole microseconds: a charge below the trace's resolution would only be noise.
  return std::chrono::round<std::chrono::microseconds>(
      std::chrono::duration<std::int64_t, std::pico>(calls * kFibCallPicoseconds));
}

}  // namespace

CallbackId Runtime::encrypt(std::int64_t n, std::optional<Duration> stated, Callback callback) {
  CallbackId id = add_callback(std::move(callback), "Encrypt");
  Task task;
  task.id = id;
  task.kind = TaskKind::Encrypt;
  // The CPU time the work takes under the virtual clock: cost_ms when the scenario states
  // it, else the estimate from the calls fib(n) makes. Under the real clock the real
  // computation is the cost (stated_cost() is zero there); the pool still plans with it.
  Duration cost = stated ? *stated : estimated_cost(n);
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

// The module's call (crypto.h): the loop's member above, which checks the thread.
CallbackId Crypto::encrypt(std::int64_t n, std::optional<Duration> cost, Runtime::Callback callback) {
  return loop_.encrypt(n, cost, std::move(callback));
}

}  // namespace elt
