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
#include "loop/channel.h"
#include "trace/tracer.h"

namespace elt {

namespace {

// Tokens in epoll_event.data.u64 for our own fds; connections use their address, which is
// never 0 or 1.
constexpr std::uint64_t kControlToken = 0;
constexpr std::uint64_t kTimerToken = 1;
constexpr std::uint64_t kOutputToken = 2;
// Control messages share one eventfd: it only says "look at the inbox".
constexpr std::size_t kMaxEvents = 256;

std::string errno_text(int err) { return std::strerror(err); }

bool resolve(const std::string& host, std::uint16_t port, sockaddr_in& out, std::string& error) {
  std::memset(&out, 0, sizeof out);
  out.sin_family = AF_INET;
  out.sin_port = htons(port);
  std::string literal = host == "localhost" ? std::string("127.0.0.1") : host;
  if (inet_pton(AF_INET, literal.c_str(), &out.sin_addr) == 1) return true;
  // Simplification: a real runtime resolves names on the thread pool (libuv's
  // uv_getaddrinfo), because getaddrinfo blocks. Scenarios here talk to loopback.
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (rc != 0 || found == nullptr) {
    error = fmt::format("unknown host \"{}\": {}", host, gai_strerror(rc));
    return false;
  }
  out.sin_addr = reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr;
  freeaddrinfo(found);
  return true;
}

void add_fd(int epoll_fd, int fd, std::uint32_t events, std::uint64_t token) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) throw_errno("epoll_ctl(ADD)");
}

}  // namespace

struct Poller::Connection {
  HttpRequestSpec spec;
  int fd = -1;
  enum class Stage { Connecting, Sending, Receiving } stage = Stage::Connecting;
  std::string request;
  std::size_t sent = 0;
  http::ResponseParser parser;
  TimePoint deadline{};
  AlarmId timeout_alarm = 0;  // virtual clock only
  // Virtual clock: virtual time stands still while a real server is being waited for,
  // so a server that never answers would never time out; this real-time deadline does.
  std::chrono::steady_clock::time_point real_deadline{};
  bool done = false;

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
  if (clock_.kind() == ClockKind::Virtual) {
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
  if (clock_.kind() == ClockKind::Virtual) {
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
  add_fd(epoll_fd_, fd, EPOLLET, kOutputToken);
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
  std::array<epoll_event, kMaxEvents> events{};
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
          tracer_.emit(EventKind::CloseReceived, 0, "received event of type: Close");
          for (auto& conn : connections_) {
            if (conn->fd >= 0) ::close(conn->fd);
            if (!conn->done) clock_.io_end(conn->spec.id);
            clock_.cancel_alarm(conn->timeout_alarm);
          }
          connections_.clear();
          clock_.exit_participant();
          return;
        }
        if (auto generation = virtual_timeout_.exchange(0)) report_timeout(generation);
        for (auto& spec : inbox) {
          clock_.io_begin(spec.id);
          auto conn = std::make_unique<Connection>();
          conn->spec = std::move(spec);
          start_connection(std::move(conn));
        }
      } else if (token == kTimerToken) {
        handle_timer();
      } else if (token == kOutputToken) {
        if (output_gone_) output_gone_();
      } else {
        auto* conn = reinterpret_cast<Connection*>(token);
        advance(*conn, events[i].events);
      }
    }
    expire_requests();
    std::erase_if(connections_, [](const std::unique_ptr<Connection>& c) { return c->done; });
  }
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
  tracer_.emit(EventKind::EpollTimeout, 0, "epoll event timeout is ready");
  Completion timeout;
  timeout.source = Completion::Source::Timeout;
  timeout.generation = generation;
  channel_.post(std::move(timeout));
}

void Poller::start_connection(std::unique_ptr<Connection> owned) {
  Connection& conn = *owned;
  connections_.push_back(std::move(owned));
  conn.deadline = clock_.now() + conn.spec.timeout;
  conn.real_deadline = std::chrono::steady_clock::now() + conn.spec.timeout;
  if (clock_.kind() == ClockKind::Virtual) {
    CallbackId id = conn.spec.id;
    conn.timeout_alarm = clock_.add_alarm(DeadlineKey{conn.deadline, id}, participant_, [this, id] {
      std::lock_guard lock(mutex_);
      expired_ids_.push_back(id);
      wake_thread();
    });
  }
  conn.request = fmt::format(
      "GET {} HTTP/1.1\r\nHost: {}:{}\r\nUser-Agent: eventloop-trace\r\nAccept: */*\r\n"
      "X-Eventloop-Id: {}\r\nConnection: close\r\n\r\n",
      conn.spec.target, conn.spec.host, conn.spec.port, conn.spec.id);

  if (!conn.spec.error.empty()) {
    finish(conn, false, conn.spec.error);
    return;
  }
  sockaddr_in addr{};
  std::string error;
  if (!resolve(conn.spec.host, conn.spec.port, addr, error)) {
    finish(conn, false, error);
    return;
  }
  conn.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (conn.fd < 0) {
    finish(conn, false, fmt::format("socket: {}", errno_text(errno)));
    return;
  }
  int one = 1;
  setsockopt(conn.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int rc = connect(conn.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  if (rc < 0 && errno != EINPROGRESS) {
    finish(conn, false, fmt::format("connect to {}:{}: {}", conn.spec.host, conn.spec.port,
                                    errno_text(errno)));
    return;
  }
  // Writable means the connect finished, one way or the other (SO_ERROR tells which).
  add_fd(epoll_fd_, conn.fd, EPOLLOUT | EPOLLONESHOT, conn.token());
}

void Poller::advance(Connection& conn, std::uint32_t events) {
  if (conn.done) return;
  auto rearm = [&](std::uint32_t interest) {
    epoll_event ev{};
    ev.events = interest | EPOLLONESHOT;
    ev.data.u64 = conn.token();
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, conn.fd, &ev) < 0) throw_errno("epoll_ctl(MOD)");
  };

  if (conn.stage == Connection::Stage::Connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(conn.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      finish(conn, false, fmt::format("connect to {}:{}: {}", conn.spec.host, conn.spec.port,
                                      errno_text(err)));
      return;
    }
    conn.stage = Connection::Stage::Sending;
  }
  if (conn.stage == Connection::Stage::Sending) {
    while (conn.sent < conn.request.size()) {
      ssize_t n = ::send(conn.fd, conn.request.data() + conn.sent, conn.request.size() - conn.sent,
                         MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
          rearm(EPOLLOUT);
          return;
        }
        finish(conn, false, fmt::format("send to {}: {}", conn.spec.url, errno_text(errno)));
        return;
      }
      conn.sent += static_cast<std::size_t>(n);
    }
    conn.stage = Connection::Stage::Receiving;
    rearm(EPOLLIN | EPOLLRDHUP);
    return;
  }
  // Receiving: read what is there, feed the parser, wait for more if it needs more.
  (void)events;
  std::array<char, 16 * 1024> buf{};
  for (;;) {
    ssize_t n = ::recv(conn.fd, buf.data(), buf.size(), 0);
    if (n > 0) {
      auto status = conn.parser.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)));
      if (status == http::ParseStatus::Complete) {
        finish(conn, true, {});
        return;
      }
      if (status == http::ParseStatus::Error) {
        finish(conn, false, fmt::format("response from {} is not valid HTTP: {}", conn.spec.url,
                                        conn.parser.error()));
        return;
      }
      continue;
    }
    if (n == 0) {
      auto status = conn.parser.finish();
      if (status == http::ParseStatus::Complete) {
        finish(conn, true, {});
      } else {
        finish(conn, false, fmt::format("response from {}: {}", conn.spec.url,
                                        conn.parser.error()));
      }
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      rearm(EPOLLIN | EPOLLRDHUP);
      return;
    }
    finish(conn, false, fmt::format("recv from {}: {}", conn.spec.url, errno_text(errno)));
    return;
  }
}

void Poller::finish(Connection& conn, bool ok, std::string error) {
  conn.done = true;
  if (conn.fd >= 0) {
    ::close(conn.fd);  // also removes it from the epoll set
    conn.fd = -1;
  }
  tracer_.emit(EventKind::EpollReady, conn.spec.id,
               fmt::format("epoll event {} is ready", conn.spec.id));
  Completion done;
  done.source = Completion::Source::Epoll;
  done.id = conn.spec.id;
  if (ok) {
    http::Response response = conn.parser.take_response();
    Value::Fields header_fields;
    std::string header_text;
    for (const auto& h : response.headers) {
      std::string lower = h.name;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      header_fields.emplace_back(lower, Value::string(h.value));
      header_text += fmt::format("{}: {}\n", h.name, h.value);
    }
    Value::Fields fields;
    fields.emplace_back("status", Value::integer(response.status));
    fields.emplace_back("reason", Value::string(response.reason));
    fields.emplace_back("body", Value::string(response.body));
    fields.emplace_back("headers",
                        Value::string_with_fields(std::move(header_text), std::move(header_fields)));
    done.outcome = Outcome::ok(Value::string_with_fields(std::move(response.raw), std::move(fields)));
  } else {
    done.outcome = Outcome::fail(std::move(error));
  }
  {
    std::lock_guard lock(mutex_);
    std::erase(ids_, conn.spec.id);
  }
  clock_.cancel_alarm(conn.timeout_alarm);
  channel_.post(std::move(done));
  clock_.io_end(conn.spec.id);
}

void Poller::expire_requests() {
  TimePoint now = clock_.now();
  std::vector<CallbackId> expired;
  if (clock_.kind() == ClockKind::Virtual) {
    std::lock_guard lock(mutex_);
    expired.swap(expired_ids_);
  }
  auto real_now = std::chrono::steady_clock::now();
  for (auto& conn : connections_) {
    bool due = clock_.kind() == ClockKind::Virtual
                   ? std::find(expired.begin(), expired.end(), conn->spec.id) != expired.end() ||
                         conn->real_deadline <= real_now
                   : conn->deadline <= now;
    if (!conn->done && due) {
      auto ms = std::chrono::duration_cast<Millis>(conn->spec.timeout).count();
      finish(*conn, false, fmt::format("no complete response from {} within {} ms", conn->spec.url, ms));
    }
  }
}

int Poller::next_request_timeout_ms() const {
  if (connections_.empty()) return -1;
  // Virtual clock: request timeouts are alarms; the real-time deadline is the fallback
  // for a real server that never answers.
  bool real = clock_.kind() == ClockKind::Virtual;
  TimePoint earliest = TimePoint::max();
  for (const auto& conn : connections_) {
    if (!conn->done) earliest = std::min(earliest, real ? conn->real_deadline : conn->deadline);
  }
  if (earliest == TimePoint::max()) return -1;
  auto left = earliest - (real ? std::chrono::steady_clock::now() : clock_.now());
  if (left <= Duration::zero()) return 0;
  // Round up: a request timeout never fires early (and a timeout of 0 would spin).
  auto ms = std::chrono::ceil<Millis>(left).count();
  return static_cast<int>(std::min<long long>(ms, 24 * 3600 * 1000));
}

}  // namespace elt
