// The order of a tick's phases and the poll policy, in one place.
//
// The loop (runtime.cpp) walks `phases` in order every tick and asks `poll` how many
// events one poll phase delivers. A libuv-faithful model (timers after poll since libuv
// 1.45, every ready event per poll, setImmediate in check) is a second LoopModel value
// here, not a second loop.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "trace/event.h"

namespace elt {

enum class PollPolicy {
  OneEvent,  // the book: one event per poll phase, then the tick ends
  AllReady,  // libuv: every event that is ready when the poll returns
};

struct LoopModel {
  std::string_view name;
  std::vector<Phase> phases;
  PollPolicy poll = PollPolicy::OneEvent;
};

// The book's loop: timers, callbacks, idle/prepare, poll, check, close; one event per poll.
inline LoopModel book_model() {
  return LoopModel{"book",
                   {Phase::Timers, Phase::Pending, Phase::IdlePrepare, Phase::Poll, Phase::Check,
                    Phase::Closing},
                   PollPolicy::OneEvent};
}

}  // namespace elt
