#include "loop/model_parts.h"

#include <utility>

#include "channel/channel.h"
#include "poller/poller.h"
#include "poller/reactor.h"
#include "pool/thread_pool.h"

namespace elt {

namespace {

// The book: a thread of its own waits on epoll, does the socket work and wakes the loop.
class EpollThreadIo final : public IoBackend {
 public:
  EpollThreadIo(Clock& clock, Tracer& tracer, CompletionChannel& channel) : poller_(clock, tracer, channel) {}
  void start_http(HttpRequestSpec spec) override { poller_.start_http(std::move(spec)); }
  void watch_output(int fd, std::function<void()> gone) override { poller_.watch_output(fd, std::move(gone)); }
  void close() override { poller_.close(); }
  std::size_t exchanges_on_loop_thread() const override { return 0; }
  std::vector<CallbackId> registered() const override { return poller_.registered(); }
  std::string_view reporter() const override { return "epoll"; }
  Poller* epoll_thread() override { return &poller_; }

 private:
  Poller poller_;
};

// libuv: the loop thread waits in epoll_wait itself and reads the sockets in its poll phase.
class LoopThreadIo final : public IoBackend {
 public:
  LoopThreadIo(Clock& clock, Tracer& tracer, CompletionChannel& channel) : reactor_(clock, tracer, channel) {}
  void start_http(HttpRequestSpec spec) override { reactor_.start_http(std::move(spec)); }
  void watch_output(int fd, std::function<void()> gone) override { reactor_.watch_output(fd, std::move(gone)); }
  void close() override { reactor_.close_all(); }
  std::size_t exchanges_on_loop_thread() const override { return reactor_.in_flight(); }
  std::vector<CallbackId> registered() const override { return reactor_.registered(); }
  std::string_view reporter() const override { return "socket"; }
  Reactor* reactor() override { return &reactor_; }

 private:
  Reactor reactor_;
};

std::unique_ptr<IoBackend> make_io(IoPlacement io, Clock& clock, Tracer& tracer, CompletionChannel& channel) {
  switch (io) {
    case IoPlacement::EpollThread: return std::make_unique<EpollThreadIo>(clock, tracer, channel);
    case IoPlacement::LoopThread: return std::make_unique<LoopThreadIo>(clock, tracer, channel);
  }
  return nullptr;  // unreachable: every IoPlacement has its case
}

}  // namespace

ModelParts make_model_parts(const LoopModel& model, std::size_t threads, Clock& clock, Tracer& tracer,
                            CompletionChannel& channel) {
  ModelParts parts;
  // The pool first, as before: its threads exist before the I/O backend's.
  parts.pool = std::make_unique<ThreadPool>(threads, clock, tracer, channel, model.pool);
  parts.io = make_io(model.io, clock, tracer, channel);
  return parts;
}

}  // namespace elt
