#include "loop/timing.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "common/check.h"

namespace elt {

std::string_view to_string(DecisionKind kind) {
  switch (kind) {
    case DecisionKind::TimerAtLoopStart: return "timer_at_loop_start";
    case DecisionKind::PoolOrder: return "pool_order";
    case DecisionKind::PollGather: return "poll_gather";
    case DecisionKind::TimerDue: return "timer_due";
    case DecisionKind::TimerStart: return "timer_start";
    case DecisionKind::PoolStart: return "pool_start";
    case DecisionKind::SocketReady: return "socket_ready";
    case DecisionKind::ClockTurn: return "clock_turn";
  }
  return "";
}

std::size_t ReplayChooser::choose(const Decision& decision) {
  const std::size_t at = met_.size();
  std::size_t choice = at < prefix_.size() ? prefix_[at] : 0;
  // A replayed prefix meets the same decisions in the same order: the run on the virtual
  // clock is the same bytes every time until a choice differs. A prefix that points past
  // the alternatives means it did not.
  ensure(choice < decision.when.size(), "explore: a replayed schedule met a different decision");
  met_.push_back({decision, choice});
  return choice;
}

}  // namespace elt

namespace elt {

const RaceFound* RacesFound::at(std::size_t index) const {
  auto it = std::lower_bound(races.begin(), races.end(), index,
                             [](const RaceFound& r, std::size_t i) { return r.index < i; });
  return it != races.end() && it->index == index ? &*it : nullptr;
}

std::string ms_text(Duration d) { return fmt::format("{:.2f} ms", std::chrono::duration<double, std::milli>(d).count()); }

}  // namespace elt
