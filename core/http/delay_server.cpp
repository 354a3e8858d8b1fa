#include "http/delay_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cerrno>
#include <charconv>
#include <map>
#include <mutex>
#include <vector>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "clock/clock.h"
#include "clock/participant_thread.h"
#include "common/check.h"
#include "common/eventfd.h"
#include "common/thread_name.h"
#include "http/url.h"

namespace elt {

namespace {
constexpr std::uint64_t kStopToken = 0;
constexpr std::uint64_t kListenToken = 1;
constexpr std::uint64_t kAlarmToken = 2;
// A request larger than this is not one the delay service understands.
constexpr std::size_t kMaxRequest = 16 * 1024;
// Out of descriptors (EMFILE under `ulimit -n`), accept fails at once and the listening
// socket stays readable: a thread that retried would spin, and under the virtual clock,
// which moves only when every thread is idle and no exchange is on the wire, time would
// never move again, since the connections waiting in the backlog count as on the wire.
// So, as libuv does (uv__emfile_trick), the service keeps one descriptor in reserve: it
// gives it up to accept the waiting connection and close it at once, so that its client
// gets an error (a closed connection) instead of waiting for ever, and takes it back.
// Without a reserve it stops accepting until one of its connections closes or this much
// real time has passed.
constexpr std::chrono::milliseconds kAcceptBackoff{50};

bool out_of_descriptors(int err) { return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM; }
}  // namespace

std::string DelayServer::location_for(std::string_view url) {
  std::string merged;
  for (char c : url) {
    if (c == '/' && !merged.empty() && merged.back() == '/') continue;
    merged += c;
  }
  return "http://" + merged;
}

struct DelayServer::Impl {
  struct Conn {
    int fd = -1;
    std::string in;
    std::string out;
    std::size_t sent = 0;
    bool responding = false;
    // The request came from our own client (it names its callback id): under the virtual
    // clock its socket traffic is accounted for, and its id orders equal deadlines.
    std::uint64_t callback_id = 0;
  };

  Clock& clock;
  Duration latency;
  int listen_fd = -1;
  int epoll_fd = -1;
  int stop_fd = -1;
  int alarm_fd = -1;
  Participant participant = kNoParticipant;
  std::mutex alarm_mutex;                 // guards due (filled by clock alarms)
  std::vector<std::uint64_t> due;         // virtual clock: connections whose wait is over
  std::uint64_t next_token = 3;
  std::unordered_map<std::uint64_t, Conn> conns;
  std::multimap<TimePoint, std::pair<std::uint64_t, std::string>> scheduled;  // deadline -> (conn, response)
  std::thread thread;

  Impl(Clock& c, Duration l) : clock(c), latency(l) {}

  void close_conn(std::uint64_t token) {
    auto it = conns.find(token);
    if (it == conns.end()) return;
    ::close(it->second.fd);
    conns.erase(it);
    resume_accepting();  // a descriptor is free again
  }

  // ---- accepting, with a back-off when out of descriptors (kAcceptBackoff) ----
  bool accepting = true;
  std::chrono::steady_clock::time_point accept_again{};

  int spare_fd = -1;  // the reserve descriptor (/dev/null)

  // Accepts the connection at the head of the backlog with the reserve descriptor and
  // closes it. False when there is no reserve.
  bool shed_connection() {
    if (spare_fd < 0) return false;
    ::close(spare_fd);
    int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) ::close(fd);
    spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    return fd >= 0;
  }

  void pause_accepting() {
    if (!accepting) return;
    accepting = false;
    accept_again = real_time_now() + kAcceptBackoff;  // the kernel's limit is in real time
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listen_fd, nullptr);
  }

  void resume_accepting() {
    if (accepting) return;
    accepting = true;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kListenToken;
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev);
  }

  // epoll_wait's timeout, shortened to the end of an accept back-off.
  int with_backoff(int timeout) const {
    if (accepting) return timeout;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(accept_again - real_time_now()).count();
    int ms = left <= 0 ? 0 : static_cast<int>(left);
    return timeout < 0 ? ms : std::min(timeout, ms);
  }

  void on_request(std::uint64_t token, Conn& conn) {
    constexpr std::string_view kIdHeader = "\r\nX-Eventloop-Id: ";
    if (auto at = conn.in.find(kIdHeader); at != std::string::npos) {
      std::from_chars(conn.in.data() + at + kIdHeader.size(), conn.in.data() + conn.in.size(), conn.callback_id);
      // Parked: its next step waits for the clock, not for a socket.
      if (conn.callback_id != 0) clock.io_end(conn.callback_id);
    }
    auto line_end = conn.in.find("\r\n");
    std::string line = conn.in.substr(0, line_end);
    // "GET /delay/<ms>/url/<url> HTTP/1.1"
    auto sp1 = line.find(' ');
    auto sp2 = line.rfind(' ');
    std::string path = (sp1 != std::string::npos && sp2 > sp1) ? line.substr(sp1 + 1, sp2 - sp1 - 1) : "";
    constexpr std::string_view kDelay = "/delay/";
    if (path == "/hang") {
      conn.responding = true;  // read nothing more, answer never
      return;
    }
    if (path == "/garbage") {
      schedule(token, "SSH-2.0-OpenSSH_9.2 not an HTTP server\r\n", clock.now() + latency);
      return;
    }
    if (path == "/truncate") {
      // Content-Length promises 100 bytes; write_out sends fewer and hangs up.
      schedule(token, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nonly part", clock.now() + latency);
      return;
    }
    if (path.rfind(kDelay, 0) == 0) {
      std::string_view rest(path);
      rest.remove_prefix(kDelay.size());
      auto slash = rest.find('/');
      std::int64_t ms = -1;
      auto digits = rest.substr(0, slash);
      auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ms);
      constexpr std::string_view kUrl = "/url/";
      if (ec == std::errc() && ptr == digits.data() + digits.size() && ms >= 0 && slash != std::string_view::npos &&
          rest.substr(slash, kUrl.size()) == kUrl) {
        std::string url = percent_decode(rest.substr(slash + kUrl.size()));
        std::string response = fmt::format(
            "HTTP/1.1 302 Found\r\nServer: Cowboy\r\nLocation: {}\r\nConnection: close\r\n"
            "Content-Length: 0\r\n\r\n",
            location_for(url));
        schedule(token, std::move(response), clock.now() + Millis(ms) + latency);
        return;
      }
    }
    std::string body = "not found: the delay service answers GET /delay/<ms>/url/<url>\n";
    schedule(token,
             fmt::format("HTTP/1.1 404 Not Found\r\nServer: Cowboy\r\nContent-Type: text/plain\r\n"
                         "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
                         body.size(), body),
             clock.now() + latency);
  }

  void schedule(std::uint64_t token, std::string response, TimePoint when) {
    Conn& conn = conns[token];
    conn.responding = true;
    if (clock.deadlines_by_alarm()) {
      conn.out = std::move(response);
      clock.add_alarm(DeadlineKey{when, conn.callback_id}, participant, [this, token] {
        std::lock_guard lock(alarm_mutex);
        due.push_back(token);
        signal_eventfd(alarm_fd);
      });
      return;
    }
    scheduled.emplace(when, std::make_pair(token, std::move(response)));
  }

  // The response's time has come: send it, unless the client has given up meanwhile.
  void respond(std::uint64_t token) {
    auto it = conns.find(token);
    if (it == conns.end()) return;
    Conn& conn = it->second;
    char probe = 0;
    bool gone = ::recv(conn.fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
    if (gone) {
      close_conn(token);
      return;
    }
    if (conn.callback_id != 0) clock.io_begin(conn.callback_id);  // bytes on their way to the client
    write_out(token);
  }

  void write_out(std::uint64_t token) {
    auto it = conns.find(token);
    if (it == conns.end()) return;
    Conn& conn = it->second;
    std::size_t limit = conn.out.size();
    while (conn.sent < limit) {
      ssize_t n = ::send(conn.fd, conn.out.data() + conn.sent, limit - conn.sent, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
          epoll_event ev{};
          ev.events = EPOLLOUT;
          ev.data.u64 = token;
          epoll_ctl(epoll_fd, EPOLL_CTL_MOD, conn.fd, &ev);
          return;
        }
        break;
      }
      conn.sent += static_cast<std::size_t>(n);
    }
    close_conn(token);  // Connection: close
  }

  // The service's thread, one turn per wake-up as the epoll thread's: wait, handle each
  // ready event, then answer what epoll_wait's own deadline brought. Returns on stop.
  void run() {
    set_thread_name("delay-service");
    request_precise_timers();
    clock.bind(participant);
    std::array<epoll_event, 64> events{};
    for (;;) {
      int n = wait_for_events(events);
      if (!accepting && real_time_now() >= accept_again) resume_accepting();
      if (n < 0 && errno != EINTR) {
        clock.exit_participant();
        return;
      }
      for (int i = 0; i < n; ++i) {
        if (!handle_event(events[i])) {
          clock.exit_participant();
          return;
        }
      }
      respond_to_scheduled();
    }
  }

  // epoll_wait, bounded by the earliest scheduled answer and an accept back-off. Returns
  // its result (errno set when negative).
  int wait_for_events(std::array<epoll_event, 64>& events) {
    int timeout = -1;
    // Only filled when the clock's deadlines are not alarms (schedule): epoll_wait's own.
    if (!scheduled.empty()) {
      auto left = scheduled.begin()->first - clock.now();
      timeout = left <= Duration::zero() ? 0 : static_cast<int>(std::chrono::ceil<Millis>(left).count());
    }
    timeout = with_backoff(timeout);
    int n = epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), 0);
    if (n == 0) {  // look before blocking, as the epoll thread does
      clock.block();
      n = epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), timeout);
      clock.resume();
    }
    return n;
  }

  // One ready event, by its token. False for the stop request, after closing every
  // connection: the thread must return.
  bool handle_event(const epoll_event& event) {
    switch (std::uint64_t token = event.data.u64) {
      case kStopToken:
        for (auto& [t, conn] : conns) ::close(conn.fd);
        conns.clear();
        return false;
      case kAlarmToken:
        respond_to_alarms();
        return true;
      case kListenToken:
        accept_waiting();
        return true;
      default:
        serve(token, event.events);
        return true;
    }
  }

  // Virtual clock: the alarms set by schedule() have rung; answer their connections.
  void respond_to_alarms() {
    std::uint64_t count = 0;
    while (::read(alarm_fd, &count, sizeof count) < 0 && errno == EINTR) {
    }
    std::vector<std::uint64_t> ready;
    {
      std::lock_guard lock(alarm_mutex);
      ready.swap(due);
    }
    for (std::uint64_t t : ready) respond(t);
  }

  // Accepts every connection in the backlog, shedding or pausing when out of descriptors.
  void accept_waiting() {
    for (;;) {
      int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (!out_of_descriptors(errno)) break;
        if (shed_connection()) continue;
        pause_accepting();
        break;
      }
      std::uint64_t t = next_token++;
      conns[t].fd = fd;
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP;
      ev.data.u64 = t;
      epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
    }
  }

  // A connection's socket is ready: finish sending an answer, or read the request and
  // schedule its answer once the request is whole.
  void serve(std::uint64_t token, std::uint32_t ready) {
    auto it = conns.find(token);
    if (it == conns.end()) return;
    Conn& conn = it->second;
    if (ready & EPOLLOUT) {
      write_out(token);
      return;
    }
    bool closed = read_request(conn);
    if (!conn.responding && conn.in.find("\r\n\r\n") != std::string::npos) on_request(token, conn);
    else if (!conn.responding && conn.in.size() > kMaxRequest) closed = true;
    if (closed && !conn.responding) close_conn(token);
    else if (closed) {
      // The client went away while we were waiting: nothing to answer.
      epoll_ctl(epoll_fd, EPOLL_CTL_DEL, conn.fd, nullptr);
    }
  }

  // Reads all the socket holds into conn.in. True when the peer closed, or sent more than a
  // request may hold.
  static bool read_request(Conn& conn) {
    std::array<char, 4096> buf{};
    for (;;) {
      ssize_t got = ::recv(conn.fd, buf.data(), buf.size(), 0);
      if (got > 0) {
        if (conn.responding) continue;  // the request is in; the rest is ignored
        // A peer that never ends its request cannot grow this buffer past the limit.
        if (conn.in.size() + static_cast<std::size_t>(got) > kMaxRequest) return true;
        conn.in.append(buf.data(), static_cast<std::size_t>(got));
        continue;
      }
      if (got < 0 && errno == EINTR) continue;
      return got == 0;
    }
  }

  // Real clock: the answers whose deadline has passed, in deadline order.
  void respond_to_scheduled() {
    TimePoint now = clock.now();
    while (!scheduled.empty() && scheduled.begin()->first <= now) {
      auto node = scheduled.extract(scheduled.begin());
      auto [token, response] = std::move(node.mapped());
      auto it = conns.find(token);
      if (it == conns.end()) continue;
      it->second.out = std::move(response);
      respond(token);
    }
  }
};

DelayServer::DelayServer(Clock& clock, Duration latency) : impl_(std::make_unique<Impl>(clock, latency)) {
  Impl& s = *impl_;
  s.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s.listen_fd < 0) throw_errno("socket");
  int one = 1;
  setsockopt(s.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // let the kernel pick a free port
  if (bind(s.listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) throw_errno("bind");
  // A large backlog: load scenarios open a thousand connections at once.
  if (listen(s.listen_fd, 4096) < 0) throw_errno("listen");
  socklen_t len = sizeof addr;
  getsockname(s.listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  s.spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  s.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (s.epoll_fd < 0) throw_errno("epoll_create1");
  s.stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (s.stop_fd < 0) throw_errno("eventfd");
  s.alarm_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (s.alarm_fd < 0) throw_errno("eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kStopToken;
  epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, s.stop_fd, &ev);
  ev.data.u64 = kListenToken;
  epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, s.listen_fd, &ev);
  ev.data.u64 = kAlarmToken;
  epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, s.alarm_fd, &ev);
  s.thread = start_participant_thread(clock, "delay-service", s.participant, [&s] { s.run(); });
}

DelayServer::~DelayServer() {
  stop();
  ::close(impl_->stop_fd);
  ::close(impl_->alarm_fd);
  ::close(impl_->epoll_fd);
  ::close(impl_->listen_fd);
  if (impl_->spare_fd >= 0) ::close(impl_->spare_fd);
}

void DelayServer::stop() {
  if (!impl_->thread.joinable()) return;
  Clock& clock = impl_->clock;
  clock.wake(impl_->participant);
  signal_eventfd(impl_->stop_fd);
  clock.will_join(impl_->participant);
  clock.block();
  impl_->thread.join();
  clock.resume();
}

}  // namespace elt
