// A scenario run that a test steps one loop iteration at a time (Runtime::start / run_once,
// like uv_run(UV_RUN_ONCE)) on the virtual clock, keeping every trace event it emits. The
// loop tests (node model, costs, races) build on it, each asking for what it checks.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "clock/virtual_clock.h"
#include "loop/costs.h"
#include "loop/runtime.h"
#include "scenario/interpreter.h"
#include "scenario/scenario.h"
#include "trace/tracer.h"

namespace elt::testing {

class SteppedRun {
 public:
  // `adjust` sets what the test varies (the model, the costs, the threads) on the options
  // the scenario asks for; `base_dir` is where its fs_read paths are found.
  SteppedRun(const std::string& json, const std::string& base_dir,
             const std::function<void(RuntimeOptions&)>& adjust, TraceFormat format = TraceFormat::Text)
      : scenario_(scenario::parse_scenario(json, "test.json", base_dir)), tracer_(format, -1) {
    tracer_.set_observer([this](const TraceEvent& e) {
      std::lock_guard lock(mutex_);
      events_.push_back(e);
    });
    RuntimeOptions options = scenario::runtime_options(scenario_);
    adjust(options);
    runtime_ = std::make_unique<Runtime>(options, clock_, tracer_);
    scenario::start_scenario(*runtime_, scenario_, keep_);
  }
  ~SteppedRun() { finish(); }
  SteppedRun(const SteppedRun&) = delete;
  SteppedRun& operator=(const SteppedRun&) = delete;

  bool step() { return runtime_->run_once(); }
  void run_all() {
    while (step()) {
    }
    finish();
  }
  void finish() {
    if (!finished_) runtime_->finish();
    finished_ = true;
  }

  // The events of one kind so far, in order.
  std::vector<TraceEvent> events_of(EventKind kind) {
    std::lock_guard lock(mutex_);
    std::vector<TraceEvent> out;
    for (const auto& e : events_) {
      if (e.kind == kind) out.push_back(e);
    }
    return out;
  }
  // The printed lines so far, in order; of iteration `tick` only when given (0: the
  // program and the timers pass before the first iteration).
  std::vector<std::string> prints(std::optional<std::uint64_t> tick = std::nullopt) {
    std::vector<std::string> out;
    for (const auto& e : events_of(EventKind::Print)) {
      if (!tick || e.tick == *tick) out.push_back(e.text);
    }
    return out;
  }
  Runtime& runtime() { return *runtime_; }
  std::string trace() const { return tracer_.captured(); }
  Duration elapsed() const { return clock_.now().time_since_epoch(); }

 private:
  scenario::Scenario scenario_;
  Tracer tracer_;
  VirtualClock clock_;
  std::unique_ptr<Runtime> runtime_;
  std::shared_ptr<void> keep_;
  bool finished_ = false;
  std::mutex mutex_;  // the observer may run on pool threads
  std::vector<TraceEvent> events_;
};

// A cost profile with one cost priced (median within [least, most]) and the rest free,
// for the timing and race tests that step the loop through one decision.
inline CostProfile one_cost(Cost cost, Duration median, Duration least, Duration most) {
  CostProfile p = zero_costs();
  const int i = static_cast<int>(cost);
  p.costs[i] = median;
  p.low[i] = least;
  p.high[i] = most;
  p.clock_phase = std::chrono::microseconds(500);
  return p;
}

}  // namespace elt::testing
