#include "step/replay.h"

#include <fmt/format.h>

namespace elt {

namespace {

TravelTarget none(std::string reason) {
  TravelTarget t;
  t.kind = TravelTarget::Kind::None;
  t.reason = std::move(reason);
  return t;
}

TravelTarget at(std::uint64_t index, std::uint64_t current) {
  TravelTarget t;
  t.kind = index == current ? TravelTarget::Kind::Here : TravelTarget::Kind::Back;
  t.index = index;
  return t;
}

}  // namespace

bool PauseHistory::record(const PauseRecord& record) {
  if (record.index < records_.size()) return records_[record.index].same_place(record);
  records_.resize(record.index);  // no gaps in practice: every pause point is recorded
  records_.push_back(record);
  return true;
}

void PauseHistory::forget_after(std::uint64_t index) {
  if (index + 1 < records_.size()) records_.resize(index + 1);
}

TravelTarget PauseHistory::back_ticks(std::uint64_t current, std::uint64_t n) const {
  std::uint64_t found = 0;
  for (std::uint64_t i = current; i-- > 0;) {
    if (records_[i].tick_start && ++found == n) return at(i, current);
  }
  if (found == 0) {
    return none("this is the first stop: the program's first run (tick 0) runs in one piece before it");
  }
  return none(fmt::format("only {} tick start{} before this stop; `back {}` or `goto tick 1` goes to the first",
                          found, found == 1 ? "" : "s", found));
}

TravelTarget PauseHistory::back_phase(std::uint64_t current) const {
  if (current == 0) return none("this is the first stop: there is no earlier pause point");
  return at(current - 1, current);
}

TravelTarget PauseHistory::back_event(std::uint64_t current, std::uint64_t events) const {
  if (events == 0) return none("nothing has been traced yet");
  for (std::uint64_t i = current; i-- > 0;) {
    if (records_[i].events < events) return at(i, current);
  }
  return none("the latest trace line came before the first stop (in the program's first run)");
}

TravelTarget PauseHistory::goto_tick(std::uint64_t current, std::uint64_t tick) const {
  if (tick == 0) return none("tick 0 is the program's first run, which runs in one piece; the first stop is before tick 1");
  for (std::uint64_t i = 0; i < records_.size() && i <= current; ++i) {
    if (records_[i].tick_start && records_[i].tick == tick) return at(i, current);
  }
  TravelTarget t;
  t.kind = TravelTarget::Kind::Forward;
  t.tick = tick;
  return t;
}

TravelTarget PauseHistory::goto_time(std::uint64_t current, Duration time) const {
  for (std::uint64_t i = 0; i < records_.size() && i <= current; ++i) {
    if (records_[i].time >= time) return at(i, current);
  }
  TravelTarget t;
  t.kind = TravelTarget::Kind::Forward;
  t.time = time;
  return t;
}

}  // namespace elt
