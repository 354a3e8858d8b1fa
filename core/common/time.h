// Time types shared by the whole runtime.
//
// Every duration and deadline is a std::chrono type; nothing passes bare integers of
// milliseconds around. `TimePoint` is a point on the runtime's clock: the steady clock in
// real mode, a counter that starts at zero in virtual mode (see clock/clock.h).
#pragma once

#include <chrono>
#include <cstdint>

namespace elt {

using Duration = std::chrono::nanoseconds;
using Millis = std::chrono::milliseconds;
using TimePoint = std::chrono::steady_clock::time_point;

// Identifies every registration the loop tracks: timers, pool tasks and epoll tokens all
// draw from one counter (as in the book), so an id names exactly one callback.
using CallbackId = std::uint64_t;

// The order in which deadline-driven things happen: by deadline, then by id. Because ids
// grow with registration order, equal deadlines fire in registration order (libuv orders
// its timer heap by (timeout, start_id) for the same reason).
struct DeadlineKey {
  TimePoint deadline;
  CallbackId id = 0;
  friend auto operator<=>(const DeadlineKey&, const DeadlineKey&) = default;
};

}  // namespace elt
