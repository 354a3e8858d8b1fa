#include "loop/model_parts.h"

#include <utility>

#include "channel/channel.h"
#include "loop/fs_plan.h"
#include "loop/poll_rule.h"
#include "loop/runtime.h"
#include "loop/timer_store.h"
#include "poller/poller.h"
#include "poller/reactor.h"
#include "pool/pool_rule.h"
#include "pool/thread_pool.h"

namespace elt {

// The two backends are friends of Runtime (their poll phases are its members), hence not
// in an anonymous namespace.

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
  // The book's poll phase: with nothing left to wait for, the loop ends here, before
  // polling; else the epoll thread's events, then their callbacks.
  void run_poll_phase(Runtime& rt, bool& go_on) override {
    if (!rt.alive()) {
      go_on = false;
      return;
    }
    rt.poll_io();
    rt.run_callbacks();
  }
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
  void run_poll_phase(Runtime& rt, bool& /*go_on*/) override { rt.poll_on_loop_thread(); }
  Reactor* reactor() override { return &reactor_; }

 private:
  Reactor reactor_;
};

namespace {

std::unique_ptr<IoBackend> make_io(IoPlacement io, Clock& clock, Tracer& tracer, CompletionChannel& channel) {
  switch (io) {
    case IoPlacement::EpollThread: return std::make_unique<EpollThreadIo>(clock, tracer, channel);
    case IoPlacement::LoopThread: return std::make_unique<LoopThreadIo>(clock, tracer, channel);
  }
  return nullptr;  // unreachable: every IoPlacement has its case
}

std::unique_ptr<const PoolRule> make_pool_rule(PoolPolicy pool) {
  switch (pool) {
    case PoolPolicy::BookLifo: return make_book_lifo_rule();
    case PoolPolicy::LibuvFifo: return make_libuv_fifo_rule();
  }
  return nullptr;  // unreachable: every PoolPolicy has its case
}

std::unique_ptr<TimerStore> make_timers(TimerDispatch timers) {
  switch (timers) {
    case TimerDispatch::Heap: return make_heap_timer_store();
    case TimerDispatch::NodeLists: return make_list_timer_store();
  }
  return nullptr;  // unreachable: every TimerDispatch has its case
}

std::unique_ptr<PollRule> make_poll(PollPolicy poll) {
  switch (poll) {
    case PollPolicy::OneEvent: return make_one_event_poll();
    case PollPolicy::AllReady: return make_all_ready_poll();
  }
  return nullptr;  // unreachable: every PollPolicy has its case
}

std::unique_ptr<FsPlan> make_fs(FsTrips fs) {
  switch (fs) {
    case FsTrips::One: return make_one_trip_read();
    case FsTrips::ReadFile: return make_read_file_trips();
  }
  return nullptr;  // unreachable: every FsTrips has its case
}

}  // namespace

ModelParts make_model_parts(const LoopModel& model, std::size_t threads, Clock& clock, Tracer& tracer,
                            CompletionChannel& channel) {
  ModelParts parts;
  // The pool first, as before: its threads exist before the I/O backend's.
  parts.pool = std::make_unique<ThreadPool>(threads, clock, tracer, channel, make_pool_rule(model.pool));
  parts.io = make_io(model.io, clock, tracer, channel);
  parts.timers = make_timers(model.timers);
  parts.poll = make_poll(model.poll);
  parts.fs = make_fs(model.fs);
  return parts;
}

}  // namespace elt
