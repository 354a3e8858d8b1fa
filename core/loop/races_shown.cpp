// The races a plain run shows (issue 20): the decisions of loop/timing.h whose other side
// changes what the program prints. Which ones is found before the run, by taking each
// side once (explore/race_report.h); here the runtime meets them again, in the same order
// on the virtual clock, and says so at each. Runtime members; loop thread only.
//
// Divergence: on the real clock the check's run is still the virtual clock's, and its
// decisions are matched to this run's by their order and kind. A real run that meets
// other decisions (a slower machine, a busy pool) may show a race where the virtual run
// had it, or none; explore and verify say what Node can print.
#include <utility>

#include <fmt/format.h>

#include "loop/runtime.h"
#include "trace/tracer.h"

namespace elt {

namespace {

// Which race a decision's event is about; a kind without one (added to loop/timing.h
// later) still shows, in its own words.
RaceKind race_kind_of(DecisionKind kind) {
  static constexpr std::pair<DecisionKind, RaceKind> kKinds[] = {
      {DecisionKind::TimerAtLoopStart, RaceKind::TimerAtLoopStart}, {DecisionKind::PoolOrder, RaceKind::PoolOrder},
      {DecisionKind::PollGather, RaceKind::PollGather}, {DecisionKind::TimerDue, RaceKind::TimerDue},
      {DecisionKind::TimerStart, RaceKind::TimerStart}, {DecisionKind::PoolStart, RaceKind::PoolStart}};
  for (const auto& [decision, race] : kKinds) {
    if (decision == kind) return race;
  }
  return RaceKind::None;
}

}  // namespace

void Runtime::show_found_race(std::size_t index, const Decision& decision, TraceEvent race) {
  const RacesFound& found = *options_.races;
  if (index == found.checked && !found.complete()) {
    // A program too big to run even once within the budget says so with that budget (a
    // count of the run's own decisions would depend on where the cut fell).
    tracer_.emit({.kind = EventKind::Race,
                  .count = found.checked,
                  .race = RaceKind::Unchecked,
                  .text = found.run_cut_at != 0
                              ? fmt::format("stopped at its budget of {} trace events for all its runs before "
                                            "the first one ended: no decision is checked and no race is shown "
                                            "(eventloop-trace explore searches them all)",
                                            found.run_cut_at)
                              : fmt::format("stopped at its budget after {} of the run's {} timing decisions: the "
                                            "decisions from here on are not checked and no race is shown for them "
                                            "(eventloop-trace explore searches them all)",
                                            found.checked, found.met)});
  }
  const RaceFound* r = found.at(index);
  if (r == nullptr || r->kind != decision.kind || r->alternative >= decision.when.size()) return;
  // report_loop_start_race said it already, with what the main program took.
  if (decision.kind == DecisionKind::TimerAtLoopStart && loop_start_race_shown_) return;
  race.kind = EventKind::Race;
  if (race.race == RaceKind::None) race.race = race_kind_of(decision.kind);
  race.tick = tick_;
  if (decision.kind == DecisionKind::PoolOrder && r->alternative < pool_order_sides_.size()) {
    race.rival = pool_order_sides_[r->alternative];  // the task whose going first prints otherwise
  }
  race.text = fmt::format("{}; if instead {}", decision.when[0], decision.when[r->alternative]);
  race.prints = r->prints;
  race.prints_instead = r->prints_instead;
  race_ = race;
  tracer_.emit(std::move(race));
}

// What `step`'s where shows before a race's decision: the next race the check found, if
// the check met it in the iteration this run is in or about to start, in the words it
// will be shown with (the alternatives' sentences are the check run's).
std::optional<TraceEvent> Runtime::race_ahead() const {
  if (!options_.races) return std::nullopt;
  for (const auto& r : options_.races->races) {
    if (r.index < decisions_met_) continue;
    if (r.tick != tick_ && r.tick != tick_ + 1) return std::nullopt;
    if (r.kind == DecisionKind::TimerAtLoopStart && tick_ > 0) return std::nullopt;
    return TraceEvent{.kind = EventKind::Race, .race = race_kind_of(r.kind), .prints = r.prints,
                      .prints_instead = r.prints_instead, .text = r.when};
  }
  return std::nullopt;
}

}  // namespace elt
