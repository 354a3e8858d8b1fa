// The stepper: stops the loop between ticks (or phases) and lets a learner look inside,
// the way a debugger stops a program. Backs `eventloop-trace step`.
//
// It hooks into the runtime's pause points (Runtime::set_pause_hook) and into the trace
// (to stop when a line contains some text), reads commands from a LineSource, and writes
// its own output to the same stdout as the trace, flushing the trace first so the two
// never interleave out of order.
// Thread contract: everything runs on the loop thread, inside the pause hook, except the
// trace observer, which only records a match under its own lock.
#pragma once

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "loop/runtime.h"

namespace elt {

class Tracer;

// Where commands come from: a line editor on a terminal, a plain stream otherwise.
class LineSource {
 public:
  virtual ~LineSource() = default;
  // nullopt at the end of input.
  virtual std::optional<std::string> read_line(const std::string& prompt) = 0;
  // False when commands come from a script: the stepper then echoes them.
  virtual bool interactive() const = 0;
};

class Stepper {
 public:
  Stepper(LineSource& input, std::FILE* out, Tracer& tracer, bool color);
  // Installs the pause hook and the trace observer. Call before Runtime::run.
  void attach(Runtime& runtime);

  bool quit() const { return quit_; }

 private:
  enum class Mode { Tick, Phase, Continue };

  void on_pause(Runtime& runtime, const PausePoint& point);
  bool should_stop(const PausePoint& point);
  void print_state(const Runtime& runtime);
  void print_help();
  void say(const std::string& text);
  std::string paint(const std::string& text, int style) const;

  LineSource& input_;
  std::FILE* out_;
  Tracer& tracer_;
  const bool color_;
  Mode mode_ = Mode::Tick;
  bool input_done_ = false;
  bool quit_ = false;
  PausePoint where_;
  std::vector<std::uint64_t> break_ticks_;

  std::mutex mutex_;  // guards break_lines_ and line_hit_ (the observer runs on any thread)
  std::vector<std::string> break_lines_;
  std::optional<std::string> line_hit_;
};

}  // namespace elt
