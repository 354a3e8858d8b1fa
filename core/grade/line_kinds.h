// What kind of line each line of a run's trace is, for `check --hint`: "a tick banner",
// "a print by a timer callback". A hint tells a student where a prediction first goes
// wrong and what kind of line belongs there, never the line itself, so the kind is taken
// from the trace event (its EventKind and the callback running), not from its text.
//
// LineKinds is a Tracer observer: it sees every event in trace order (under the tracer's
// lock, so from any thread of the run) and keeps one entry per line the run's text (or
// jsonl, or --mode output) rendering prints. Read it once the run is over.
#pragma once

#include <string>
#include <vector>

#include "trace/event.h"

namespace elt {

class LineKinds {
 public:
  enum class Rendering { Text, Jsonl, Output };
  explicit LineKinds(Rendering rendering) : rendering_(rendering) {}

  void see(const TraceEvent& event);
  // One entry per line of the rendering, in order.
  const std::vector<std::string>& kinds() const { return kinds_; }

 private:
  std::string words(const TraceEvent& event) const;

  Rendering rendering_;
  std::string running_;  // what the loop thread's callback is for ("timer"), "" between callbacks
  std::vector<std::string> kinds_;
};

}  // namespace elt
