// The parts a loop model is built from, made in one place (make_model_parts) and held by
// the Runtime as strategy objects: the pool with the model's hand-out policy, the I/O
// backend (the book's epoll thread, or libuv's epoll set on the loop thread), the timer
// store (loop/timer_store.h), the poll rule (loop/poll_rule.h) and the fs plan
// (loop/fs_plan.h).
//
// The Runtime asks these objects instead of testing which one it has: where a request
// goes, who reports a finished one, what to close at shutdown, which poll phase runs, how
// a timer is kept and run. make_model_parts is the one place that reads the model's
// behaviour enums (tests/code/one_place.sh holds that); LoopModel's other fields are data
// the loop reads as they are (docs/design.md, "The model").
// Thread contract: loop thread only, as the Poller and Reactor they wrap.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "loop/model.h"

namespace elt {

class Clock;
class CompletionChannel;
class Poller;
class Reactor;
class FsPlan;
class PollRule;
class Runtime;
class ThreadPool;
class TimerStore;
class Tracer;
struct HttpRequestSpec;

// Where sockets are watched and who does the socket work (LoopModel::io).
class IoBackend {
 public:
  virtual ~IoBackend() = default;
  virtual void start_http(HttpRequestSpec spec) = 0;
  // Stops the run (through `gone`) once the trace's pipe `fd` has no reader left.
  virtual void watch_output(int fd, std::function<void()> gone) = 0;
  // Shutdown: ends the requests still open, and the thread that watches them if any.
  virtual void close() = 0;
  // Exchanges the loop thread itself is carrying out now. An epoll thread carries its
  // own, so the loop's are none; a loop-thread backend's are its open requests.
  virtual std::size_t exchanges_on_loop_thread() const = 0;
  virtual std::vector<CallbackId> registered() const = 0;
  // Who reports a finished request, as the stepper's state view names it.
  virtual std::string_view reporter() const = 0;
  // The poll phase written for this backend (uv__io_poll's place in the iteration); clears
  // `go_on` when the loop should end there.
  virtual void run_poll_phase(Runtime& rt, bool& go_on) = 0;
  // The concrete backend, for the poll phase written for it (null: the other backend).
  virtual Poller* epoll_thread() { return nullptr; }
  virtual Reactor* reactor() { return nullptr; }
};

struct ModelParts {
  std::unique_ptr<ThreadPool> pool;
  std::unique_ptr<IoBackend> io;
  std::unique_ptr<TimerStore> timers;
  std::unique_ptr<PollRule> poll;
  std::unique_ptr<FsPlan> fs;
};

// The one place that turns a model's fields into objects.
ModelParts make_model_parts(const LoopModel& model, std::size_t threads, Clock& clock, Tracer& tracer,
                            CompletionChannel& channel);

}  // namespace elt
