// The model's poll rule (LoopModel::poll), built by make_model_parts: how many of the
// events ready behind one wake-up a poll phase handles.
//
// The book's rule is one event per poll phase (the tick then goes on, and the next poll
// phase takes the next event without waiting); libuv's uv__io_poll handles every event
// ready behind the wake-up. How long the phase may block is the same rule in both models
// (uv__backend_timeout, Runtime::poll_bound), so it is not part of this one. Both poll
// phases ask it: the book's epoll-thread phase (Runtime::poll_io) and the loop-thread
// phase (Runtime::poll_on_loop_thread).
// Thread contract: loop thread only, as the Runtime it works on.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "channel/channel.h"
#include "loop/runtime.h"

namespace elt {

class PollRule {
 public:
  virtual ~PollRule() = default;
  // The loop-thread phase: `ready` is what its epoll_wait returned (`waited`: the wait took
  // time). Leaves in `ready` what this phase handles; what waits for a later phase goes to
  // the loop's polled_ events (Runtime::polled_), which poll_bound() does not block for.
  virtual void take(Runtime& rt, std::vector<Completion>& ready, bool waited) const = 0;
  // The epoll-thread phase: whether it may deliver one more event after `delivered`.
  virtual bool takes_more(std::size_t delivered) const = 0;
};

// The two rules (loop/poll_rule.cpp); make_model_parts picks one.
std::unique_ptr<PollRule> make_one_event_poll();
std::unique_ptr<PollRule> make_all_ready_poll();

}  // namespace elt
