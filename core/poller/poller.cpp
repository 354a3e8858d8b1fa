#include "poller/poller.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "clock/clock.h"
#include "clock/participant_thread.h"
#include "common/check.h"
#include "common/eventfd.h"
#include "common/thread_name.h"
#include "http/response_parser.h"
#include "channel/channel.h"
#include "trace/tracer.h"

namespace elt {

namespace {

// Tokens in epoll_event.data.u64 for our own fds; connections use their address, which is
// never 0 or 1.
constexpr std::uint64_t kControlToken = 0;
constexpr std::uint64_t kTimerToken = 1;
constexpr std::uint64_t kPollerOutputToken = 2;
// Control messages share one eventfd: it only says "look at the inbox".
constexpr std::size_t kEventsPerWait = 256;

std::string errno_text(int err) { return std::strerror(err); }

void add_fd(int epoll_fd, int fd, std::uint32_t events, std::uint64_t token) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) throw_errno("epoll_ctl(ADD)");
}

// A lookup has this long, however long the request may take: a DNS server that does not
// answer in 5 s (glibc's default per try) is not going to.
constexpr std::chrono::seconds kLookupTimeout{5};

bool needs_lookup(const HttpRequestSpec& spec) {
  in_addr literal{};
  return spec.error.empty() && spec.address.empty() && spec.host != "localhost" &&
         inet_pton(AF_INET, spec.host.c_str(), &literal) != 1;
}

}  // namespace

struct Poller::Connection {
  explicit Connection(HttpRequestSpec spec) : http(std::move(spec)) {}
  HttpConnection http;
  bool looking_up = false;  // waiting for the resolver; no socket yet
  std::chrono::steady_clock::time_point lookup_deadline{};
  TimePoint deadline{};
  AlarmId timeout_alarm = 0;  // virtual clock only
  // Virtual clock: virtual time stands still while a real server is being waited for,
  // so a server that never answers would never time out; this real-time deadline does.
  std::chrono::steady_clock::time_point real_deadline{};
  bool registered = false;  // in the epoll set
  const HttpRequestSpec& spec() const { return http.spec(); }
  bool done() const { return http.done(); }
  std::uint64_t token() const { return reinterpret_cast<std::uint64_t>(this); }
};

Poller::Poller(Clock& clock, Tracer& tracer, CompletionChannel& channel)
    : clock_(clock), tracer_(tracer), channel_(channel) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw_errno("epoll_create1");
  control_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (control_fd_ < 0) throw_errno("eventfd");
  timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (timer_fd_ < 0) throw_errno("timerfd_create");
  add_fd(epoll_fd_, control_fd_, EPOLLIN, kControlToken);
  add_fd(epoll_fd_, timer_fd_, EPOLLIN, kTimerToken);
  thread_ = start_participant_thread(clock_, "epoll", participant_, [this] { run(); });
}

Poller::~Poller() {
  close();
  ::close(timer_fd_);
  ::close(control_fd_);
  ::close(epoll_fd_);
}

void Poller::wake_thread() {
  signal_eventfd(control_fd_);
}

void Poller::arm_timeout(DeadlineKey key, std::uint64_t generation) {
  armed_generation_.store(generation, std::memory_order_release);
  if (clock_.deadlines_by_alarm()) {
    timeout_alarm_ = clock_.add_alarm(key, participant_, [this, generation] {
      virtual_timeout_.store(generation, std::memory_order_release);
      wake_thread();
    });
    return;
  }
  itimerspec spec{};
  spec.it_value = to_timespec(key.deadline);
  if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;  // 0 disarms
  if (timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr) < 0) {
    throw_errno("timerfd_settime");
  }
}

void Poller::disarm_timeout() {
  if (clock_.deadlines_by_alarm()) {
    clock_.cancel_alarm(timeout_alarm_);
    timeout_alarm_ = 0;
    return;
  }
  // Re-arming or disarming a timerfd clears expirations it has not yet reported, so a
  // deadline that passed while the loop was already awake is not reported late.
  itimerspec spec{};
  if (timerfd_settime(timer_fd_, 0, &spec, nullptr) < 0) throw_errno("timerfd_settime");
}

void Poller::watch_output(int fd, std::function<void()> gone) {
  output_gone_ = std::move(gone);
  // No events asked for: epoll always reports EPOLLERR, which a pipe's write end gets
  // when its last reader closes. Edge-triggered, so it is reported once.
  add_fd(epoll_fd_, fd, EPOLLET, kPollerOutputToken);
}

void Poller::start_http(HttpRequestSpec spec) {
  {
    std::lock_guard lock(mutex_);
    ids_.push_back(spec.id);
    inbox_.push_back(std::move(spec));
  }
  ++in_flight_;
  clock_.wake(participant_);
  wake_thread();
}

std::vector<CallbackId> Poller::registered() const {
  std::lock_guard lock(mutex_);
  return ids_;
}

void Poller::close() {
  {
    std::lock_guard lock(mutex_);
    if (closing_) return;
    closing_ = true;
  }
  clock_.wake(participant_);
  wake_thread();
  if (thread_.joinable()) {
    clock_.will_join(participant_);
    clock_.block();
    thread_.join();
    clock_.resume();
  }
}

void Poller::run() {
  set_thread_name("epoll");
  request_precise_timers();
  clock_.bind(participant_);
  std::array<epoll_event, kEventsPerWait> events{};
  for (;;) {
    // Look before blocking: what is already ready is handled while we hold the baton, so
    // the virtual clock never mistakes a thread with work for an idle one.
    int n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 0);
    if (n == 0) {
      int timeout_ms = next_request_timeout_ms();
      clock_.block();
      n = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout_ms);
      clock_.resume();
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      invariant_failed(fmt::format("epoll_wait: {}", errno_text(errno)),
                       std::source_location::current());
    }
    for (int i = 0; i < n; ++i) {
      std::uint64_t token = events[i].data.u64;
      if (token == kControlToken) {
        if (!handle_control()) return;
      } else if (token == kTimerToken) {
        handle_timer();
      } else if (token == kPollerOutputToken) {
        if (output_gone_) output_gone_();
      } else {
        auto* conn = reinterpret_cast<Connection*>(token);
        advance(*conn);
      }
    }
    expire_requests();
    std::erase_if(connections_, [](const std::unique_ptr<Connection>& c) { return c->done(); });
  }
}

// The loop wrote to the control eventfd: requests to start, lookups finished, a virtual
// timeout, or Close. False after Close: the thread has left the clock and must return.
bool Poller::handle_control() {
  std::uint64_t count = 0;
  while (::read(control_fd_, &count, sizeof count) < 0 && errno == EINTR) {
  }
  bool closing = false;
  std::deque<HttpRequestSpec> inbox;
  {
    std::lock_guard lock(mutex_);
    closing = closing_;
    inbox.swap(inbox_);
  }
  if (closing) {
    resolver_.close();  // a lookup still running is abandoned, not waited for
    tracer_.emit({.kind = EventKind::CloseReceived});
    for (auto& conn : connections_) {
      if (!conn->done()) clock_.io_end(conn->spec().id);
      clock_.cancel_alarm(conn->timeout_alarm);
    }
    connections_.clear();
    clock_.exit_participant();
    return false;
  }
  if (auto generation = virtual_timeout_.exchange(0)) report_timeout(generation);
  take_lookups();
  for (auto& spec : inbox) {
    clock_.io_begin(spec.id);
    start_connection(std::make_unique<Connection>(std::move(spec)));
  }
  return true;
}

void Poller::handle_timer() {
  std::uint64_t expirations = 0;
  std::uint64_t before = armed_generation_.load(std::memory_order_acquire);
  ssize_t got = ::read(timer_fd_, &expirations, sizeof expirations);
  // EAGAIN: the loop disarmed the timer after it fired but before we read it; the loop
  // was woken by something else first and no longer waits for this timeout.
  if (got != sizeof expirations) return;
  std::uint64_t after = armed_generation_.load(std::memory_order_acquire);
  if (before != after) {
    // The loop re-armed while we read: the expiry we read belongs to the new arming only
    // if that one has already fired (a one-shot timerfd that fired reads back as zero).
    itimerspec current{};
    timerfd_gettime(timer_fd_, &current);
    bool fired = current.it_value.tv_sec == 0 && current.it_value.tv_nsec == 0;
    if (!fired) return;
  }
  report_timeout(after);
}

void Poller::report_timeout(std::uint64_t generation) {
  tracer_.emit({.kind = EventKind::EpollTimeout});
  channel_.post(WaitTimedOut{generation});
}

void Poller::start_connection(std::unique_ptr<Connection> owned) {
  Connection& conn = *owned;
  connections_.push_back(std::move(owned));
  conn.deadline = clock_.now() + conn.spec().timeout;
  conn.real_deadline = real_time_now() + conn.spec().timeout;
  if (clock_.deadlines_by_alarm()) {
    CallbackId id = conn.spec().id;
    conn.timeout_alarm = clock_.add_alarm(DeadlineKey{conn.deadline, id}, participant_, [this, id] {
      std::lock_guard lock(mutex_);
      expired_ids_.push_back(id);
      wake_thread();
    });
  }
  if (start_lookup(conn)) return;
  watch(conn, conn.http.start());
}

// A name to look up goes to the resolver's thread; the connection waits, with its own
// deadline, and take_lookups() starts it when the answer comes back.
bool Poller::start_lookup(Connection& conn) {
  if (!needs_lookup(conn.spec())) return false;
  conn.looking_up = true;
  conn.lookup_deadline = real_time_now() + kLookupTimeout;
  CallbackId id = conn.spec().id;
  resolver_.lookup(conn.spec().host, [this, id](HostResolver::Answer answer) {
    {
      std::lock_guard lock(mutex_);
      answers_.emplace_back(id, std::move(answer));
    }
    wake_thread();
  });
  return true;
}

void Poller::take_lookups() {
  std::vector<std::pair<CallbackId, HostResolver::Answer>> answers;
  {
    std::lock_guard lock(mutex_);
    answers.swap(answers_);
  }
  for (auto& [id, answer] : answers) {
    auto it = std::find_if(connections_.begin(), connections_.end(),
                           [id](const auto& c) { return c->spec().id == id && c->looking_up && !c->done(); });
    if (it == connections_.end()) continue;  // timed out meanwhile
    Connection& conn = **it;
    conn.looking_up = false;
    if (!answer.error.empty()) {
      conn.http.fail(std::move(answer.error));
      finish(conn);
      continue;
    }
    conn.http.set_address(std::move(answer.address));
    watch(conn, conn.http.start());
  }
}

// Waits for `events` on the connection's socket (EPOLLONESHOT: re-armed after each step,
// as minimio does), or reports it when it is over (events == 0).
void Poller::watch(Connection& conn, std::uint32_t events) {
  if (events == 0) {
    finish(conn);
    return;
  }
  epoll_event ev{};
  ev.events = events | EPOLLONESHOT;
  ev.data.u64 = conn.token();
  int op = conn.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (epoll_ctl(epoll_fd_, op, conn.http.fd(), &ev) < 0) throw_errno("epoll_ctl");
  conn.registered = true;
}

void Poller::advance(Connection& conn) {
  if (conn.done()) return;
  watch(conn, conn.http.advance());
}

void Poller::finish(Connection& conn) {
  CallbackId id = conn.spec().id;
  tracer_.emit({.kind = EventKind::EpollReady, .id = id});
  RequestDone done{id, conn.http.take_outcome()};
  {
    std::lock_guard lock(mutex_);
    std::erase(ids_, id);
  }
  clock_.cancel_alarm(conn.timeout_alarm);
  channel_.post(std::move(done));
  clock_.io_end(id);
}

void Poller::expire_requests() {
  TimePoint now = clock_.now();
  std::vector<CallbackId> expired;
  const bool by_alarm = clock_.deadlines_by_alarm();
  if (by_alarm) {
    std::lock_guard lock(mutex_);
    expired.swap(expired_ids_);
  }
  auto real_now = real_time_now();
  for (auto& conn : connections_) {
    bool due = by_alarm
                   ? std::find(expired.begin(), expired.end(), conn->spec().id) != expired.end() ||
                         conn->real_deadline <= real_now
                   : conn->deadline <= now;
    if (!conn->done() && conn->looking_up && conn->lookup_deadline <= real_now) {
      auto ms = std::chrono::duration_cast<Millis>(kLookupTimeout).count();
      conn->http.fail(fmt::format("looking up \"{}\" took longer than {} ms (is the DNS server answering?)",
                                  conn->spec().host, ms));
      finish(*conn);
      continue;
    }
    if (!conn->done() && due) {
      auto ms = std::chrono::duration_cast<Millis>(conn->spec().timeout).count();
      conn->http.fail(fmt::format("no complete response from {} within {} ms", conn->spec().url, ms));
      finish(*conn);
    }
  }
}

int Poller::next_request_timeout_ms() const {
  if (connections_.empty()) return -1;
  // When the clock's deadlines are alarms (start_connection sets one per request), the
  // kernel waits only for the real-time guard, the fallback for a real server that never
  // answers; otherwise it waits for the requests' own deadlines on the clock.
  const bool by_alarm = clock_.deadlines_by_alarm();
  TimePoint earliest = TimePoint::max();
  for (const auto& conn : connections_) {
    if (!conn->done()) earliest = std::min(earliest, by_alarm ? conn->real_deadline : conn->deadline);
  }
  const TimePoint real_now = real_time_now();
  auto left = earliest == TimePoint::max() ? Duration::max() : earliest - (by_alarm ? real_now : clock_.now());
  for (const auto& conn : connections_) {  // lookups' deadlines are real time on both clocks
    if (!conn->done() && conn->looking_up) left = std::min(left, Duration(conn->lookup_deadline - real_now));
  }
  if (left == Duration::max()) return -1;
  if (left <= Duration::zero()) return 0;
  // Round up: a request timeout never fires early (and a timeout of 0 would spin).
  auto ms = std::chrono::ceil<Millis>(left).count();
  return static_cast<int>(std::min<long long>(ms, 24 * 3600 * 1000));
}

}  // namespace elt
