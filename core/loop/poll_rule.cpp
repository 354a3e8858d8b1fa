// The two poll rules (loop/poll_rule.h). Each is a friend of Runtime: it moves the loop's
// own polled events, as the branches it replaced in the poll phases did.
#include "loop/poll_rule.h"

#include <utility>

namespace elt {

// The book: one event per poll phase. What else epoll_wait returned waits, in order, for
// the next poll phases.
class OneEventPoll final : public PollRule {
 public:
  void take(Runtime& rt, std::vector<Completion>& ready, bool /*waited*/) const override {
    for (auto& c : ready) rt.polled_.push_back(std::move(c));
    ready.clear();
    if (!rt.polled_.empty()) {
      ready.push_back(std::move(rt.polled_.front()));
      rt.polled_.pop_front();
    }
  }
  bool takes_more(std::size_t delivered) const override { return delivered == 0; }
};

// libuv (uv__io_poll): every event ready behind the wake-up, in the order they became
// ready, settled by the timing decisions of a poll batch (loop/timing_points.cpp).
class AllReadyPoll final : public PollRule {
 public:
  void take(Runtime& rt, std::vector<Completion>& ready, bool waited) const override {
    rt.settle_poll_batch(ready, waited);
  }
  bool takes_more(std::size_t /*delivered*/) const override { return true; }
};

std::unique_ptr<PollRule> make_one_event_poll() { return std::make_unique<OneEventPoll>(); }
std::unique_ptr<PollRule> make_all_ready_poll() { return std::make_unique<AllReadyPoll>(); }

}  // namespace elt
