// The crypto module as a scenario calls it: encrypt, the book's CPU-bound pool work
// (naive Fibonacci, a stand-in for a cipher).
//
// A Crypto holds the loop it submits to, and nothing else: the work runs on the loop's
// pool. Make one where it is needed (`Crypto(rt).encrypt(...)`).
// Not yet: the body is still Runtime's private member (further down this folder's
// crypto.cpp), beside the pool submission it makes.
// Thread contract: loop thread only; every call checks it (Runtime::assert_in_loop_thread).
#pragma once

#include <cstdint>
#include <optional>

#include "common/ids.h"
#include "common/time.h"
#include "loop/runtime.h"

namespace elt {

class Crypto {
 public:
  explicit Crypto(Runtime& loop) : loop_(loop) {}

  // fib(n) on a pool thread. `cost`: cost_ms; without it the virtual clock charges an
  // estimate from fib(n)'s calls. Returns the callback's id.
  CallbackId encrypt(std::int64_t n, std::optional<Duration> cost, Runtime::Callback callback);

 private:
  Runtime& loop_;
};

}  // namespace elt
