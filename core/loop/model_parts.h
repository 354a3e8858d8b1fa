// The parts a loop model is built from, made in one place (make_model_parts) and held by
// the Runtime as strategy objects: the pool with the model's hand-out policy, and the I/O
// backend (the book's epoll thread, or libuv's epoll set on the loop thread).
//
// The Runtime asks these objects instead of testing which one it has: where a request
// goes, who reports a finished one, what to close at shutdown. The poll phases, which
// are written for one backend each, reach the concrete object through epoll_thread() and
// reactor(); the model's `io` field says which phase runs (Runtime::run_phase).
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
class ThreadPool;
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
  // The concrete backend, for the poll phase written for it (null: the other backend).
  virtual Poller* epoll_thread() { return nullptr; }
  virtual Reactor* reactor() { return nullptr; }
};

struct ModelParts {
  std::unique_ptr<ThreadPool> pool;
  std::unique_ptr<IoBackend> io;
};

// The one place that turns a model's fields into objects.
ModelParts make_model_parts(const LoopModel& model, std::size_t threads, Clock& clock, Tracer& tracer,
                            CompletionChannel& channel);

}  // namespace elt
