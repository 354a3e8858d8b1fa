#include "poller/reactor.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "common/check.h"
#include "common/eventfd.h"
#include "poller/reactor_server.h"
#include "trace/tracer.h"

namespace elt {

namespace {

constexpr std::uint64_t kChannelToken = 0;
constexpr std::uint64_t kWakeToken = 1;
// The trace's output pipe (watch_output).
constexpr std::uint64_t kReactorOutputToken = 3;
// libuv reads up to 1024 events per epoll_wait; a scenario has far fewer sockets.
constexpr std::size_t kReactorEventsPerWait = 1024;

void drain_eventfd(int fd) {
  std::uint64_t count = 0;
  while (::read(fd, &count, sizeof count) < 0 && errno == EINTR) {
  }
}

}  // namespace

struct Reactor::Connection {
  explicit Connection(HttpRequestSpec spec) : http(std::move(spec)) {}
  HttpConnection http;
  TimePoint deadline{};
  // Virtual clock: time stands still while a real server is awaited; this real-time
  // deadline still ends a request to a server that never answers.
  TimePoint real_deadline{};  // real_time_now()'s, on both clocks
  bool registered = false;
  bool reported = false;  // its completion has been handed over
  std::uint64_t token() const { return reinterpret_cast<std::uint64_t>(this); }
};

Reactor::Reactor(Clock& clock, Tracer& tracer, CompletionChannel& channel)
    : clock_(clock), tracer_(tracer), channel_(channel) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw_errno("epoll_create1");
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw_errno("eventfd");
  for (auto [fd, token] : {std::pair{channel_.fd(), kChannelToken}, std::pair{wake_fd_, kWakeToken}}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = token;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) < 0) throw_errno("epoll_ctl(ADD)");
  }
}

Reactor::~Reactor() {
  close_all();
  servers_.reset();
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

void Reactor::wake() { signal_eventfd(wake_fd_); }

void Reactor::watch_output(int fd, std::function<void()> gone) {
  output_gone_ = std::move(gone);
  // As the Poller does: no events asked for, since epoll always reports EPOLLERR, which a
  // pipe's write end gets when its last reader closes; edge-triggered, so reported once.
  epoll_event ev{};
  ev.events = EPOLLET;
  ev.data.u64 = kReactorOutputToken;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) < 0) throw_errno("epoll_ctl(ADD)");
}

void Reactor::start_http(HttpRequestSpec spec) {
  clock_.io_begin(spec.id);
  auto owned = std::make_unique<Connection>(std::move(spec));
  Connection& conn = *owned;
  connections_.push_back(std::move(owned));
  conn.deadline = clock_.now() + conn.http.spec().timeout;
  conn.real_deadline = real_time_now() + conn.http.spec().timeout;
  std::uint32_t events = conn.http.start();
  if (events == 0) {
    // Failed at once (a bad URL): libuv would report it from the next poll, not from
    // inside the call. Keep it until then.
    return;
  }
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = conn.token();
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, conn.http.fd(), &ev) < 0) throw_errno("epoll_ctl(ADD)");
  conn.registered = true;
}

std::vector<CallbackId> Reactor::registered() const {
  std::vector<CallbackId> ids;
  for (const auto& c : connections_) ids.push_back(c->http.spec().id);
  return ids;
}

std::optional<TimePoint> Reactor::earliest_request_deadline() const {
  std::optional<TimePoint> out;
  for (const auto& c : connections_) {
    if (!out || c->deadline < *out) out = c->deadline;
  }
  return out;
}

void Reactor::watch(Connection& conn, std::uint32_t events, std::vector<Completion>& out) {
  if (events == 0) {
    finish(conn, out);
    return;
  }
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = conn.token();
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, conn.http.fd(), &ev) < 0) throw_errno("epoll_ctl(MOD)");
}

void Reactor::finish(Connection& conn, std::vector<Completion>& out) {
  conn.reported = true;
  RequestDone done{conn.http.spec().id, conn.http.take_outcome()};
  clock_.io_end(done.id);
  out.push_back(std::move(done));
}

// Requests that failed when they started, or whose own timeout has passed, are handed over;
// then every connection whose completion is out is dropped.
void Reactor::expire_and_reap(std::vector<Completion>& out) {
  TimePoint now = clock_.now();
  auto real_now = real_time_now();
  // With alarms for deadlines, the real-time guard also ends a request (a real server
  // that never answers); otherwise the clock is real time and the deadline says it all.
  const bool by_alarm = clock_.deadlines_by_alarm();
  for (auto& c : connections_) {
    if (c->reported) continue;
    if (c->http.done()) {  // failed when it started
      finish(*c, out);
      continue;
    }
    bool due = by_alarm ? c->deadline <= now || c->real_deadline <= real_now : c->deadline <= now;
    if (due) {
      auto ms = std::chrono::duration_cast<Millis>(c->http.spec().timeout).count();
      c->http.fail(fmt::format("no complete response from {} within {} ms", c->http.spec().url, ms));
      finish(*c, out);
    }
  }
  std::erase_if(connections_, [](const std::unique_ptr<Connection>& c) { return c->reported; });
}

// Blocks in epoll_wait until something is ready or `until` passes; returns its result.
int Reactor::wait_blocking(std::optional<TimePoint> until, epoll_event* events, int capacity) {
  AlarmId alarm = 0;
  int timeout_ms = -1;
  if (clock_.deadlines_by_alarm()) {
    // Virtual time: the deadline is an alarm that wakes us; epoll_wait itself only
    // waits for real sockets (bounded by a real server's real-time deadline).
    if (until) alarm = clock_.add_alarm(DeadlineKey{*until, 0}, 0, [this] { wake(); });
    if (!connections_.empty()) {
      auto soonest = TimePoint::max();
      for (const auto& c : connections_) soonest = std::min(soonest, c->real_deadline);
      auto left = std::chrono::ceil<Millis>(soonest - real_time_now()).count();
      timeout_ms = static_cast<int>(std::clamp<long long>(left, 0, 24 * 3600 * 1000));
    }
  } else if (until) {
    // Round up: never wake before the deadline (a 0 ms timeout would spin).
    auto left = std::chrono::ceil<Millis>(*until - clock_.now()).count();
    timeout_ms = static_cast<int>(std::clamp<long long>(left, 0, 24 * 3600 * 1000));
  }
  tracer_.flush();
  clock_.block();
  int n = 0;
  do {
    n = epoll_wait(epoll_fd_, events, capacity, timeout_ms);
  } while (n < 0 && errno == EINTR);
  clock_.resume();
  if (alarm != 0) clock_.cancel_alarm(alarm);
  return n;
}

// Moves each ready socket along and answers the wake and output tokens. Returns whether the
// channel's eventfd was among them.
bool Reactor::handle_ready(const epoll_event* events, int n, std::vector<Completion>& out) {
  bool channel_ready = false;
  for (int i = 0; i < n; ++i) {
    std::uint64_t token = events[i].data.u64;
    if (token == kChannelToken) {
      channel_ready = true;
    } else if (token == kWakeToken) {
      drain_eventfd(wake_fd_);
    } else if (token == kReactorOutputToken) {
      if (output_gone_) output_gone_();
    } else if (servers_ && servers_->handle(token, events[i].events, out)) {
      continue;  // a server's socket
    } else {
      auto* conn = reinterpret_cast<Connection*>(token);
      if (!conn->http.done()) watch(*conn, conn->http.advance(), out);
    }
  }
  return channel_ready;
}

// Pool completions, in the order the workers finished (uv__work_done takes the whole
// queue under the lock).
void Reactor::take_completions(bool channel_ready, std::vector<Completion>& out) {
  if (!channel_ready && !clock_.schedules_threads()) return;
  // Virtual clock: tasks that finish at this same instant finish before we look.
  clock_.settle();
  if (!channel_ready && channel_.size() == 0) return;
  channel_.clear_signal();
  channel_.take_all(out);
}

bool Reactor::poll(std::optional<TimePoint> deadline, std::vector<Completion>& out) {
  std::size_t before = out.size();
  expire_and_reap(out);

  // The wait ends at the poll deadline or the first request timeout.
  std::optional<TimePoint> until = deadline;
  if (auto r = earliest_request_deadline(); r && (!until || *r < *until)) until = r;

  // Not value-initialised: epoll_wait fills the first n, and zeroing 12 kB was a memset
  // on every poll.
  std::array<epoll_event, kReactorEventsPerWait> events;
  const int capacity = static_cast<int>(events.size());
  // Look before blocking: what is already ready is handled while we hold the virtual
  // clock's baton, so it never mistakes a loop with work for an idle one.
  int n = epoll_wait(epoll_fd_, events.data(), capacity, 0);
  if (n == 0 && out.size() == before && !(until && *until <= clock_.now())) {
    n = wait_blocking(until, events.data(), capacity);
  }
  if (n < 0) throw_errno("epoll_wait");
  take_completions(handle_ready(events.data(), n, out), out);
  expire_and_reap(out);
  return out.size() > before;
}

void Reactor::close_all() {
  if (servers_) servers_->close_all();
  for (auto& c : connections_) {
    if (!c->http.done()) c->http.fail("abandoned at shutdown");
    if (!c->reported) clock_.io_end(c->http.spec().id);
  }
  connections_.clear();
}

}  // namespace elt
