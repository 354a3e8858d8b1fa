#include "loop/runtime.h"

#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "clock/clock.h"
#include "common/check.h"
#include "common/thread_name.h"
#include "http/delay_server.h"
#include "http/url.h"
#include "poller/poller.h"
#include "pool/thread_pool.h"
#include "trace/tracer.h"

namespace elt {

namespace {

constexpr std::string_view kDelayServiceHost = "delay-service";
constexpr std::uint64_t kTrimAfter = 100'000;  // callbacks run between two malloc_trim calls

// A file read refuses files larger than this: /dev/zero would otherwise never end.
constexpr std::size_t kMaxFileBytes = 64 * 1024 * 1024;
// fib(n) by naive recursion costs about 1.6 times more with every n; fib(50) takes seconds.
constexpr std::int64_t kMaxEncrypt = 50;

// `shown` is the path as the scenario wrote it: messages must not depend on the folder
// the tool was started from.
Outcome read_file(const std::filesystem::path& path, const std::string& shown) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Outcome::fail(fmt::format("open \"{}\": {}", shown, std::strerror(errno)));
  std::string text;
  char buf[16 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return Outcome::fail(fmt::format("read \"{}\": {}", shown, std::strerror(err)));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxFileBytes) {
      ::close(fd);
      return Outcome::fail(fmt::format("read \"{}\": larger than {} MiB", shown,
                                       kMaxFileBytes / (1024 * 1024)));
    }
  }
  ::close(fd);
  return Outcome::ok(Value::string(std::move(text)));
}

// The book's "encryption": naive recursive Fibonacci, a stand-in for CPU-bound work.
// Unsigned arithmetic: fib(93) overflows 64 bits, and we cap n well below that.
// `stop` is checked only high in the recursion, where each check guards millions of calls.
// Not instrumented by ThreadSanitizer: it touches no shared memory but the relaxed atomic,
// and TSan's per-call hooks would make fib(39) take seconds, changing the book's timing.
#if defined(__SANITIZE_THREAD__)
__attribute__((no_sanitize_thread))
#endif
std::uint64_t fib(std::uint64_t n, const std::atomic<bool>& stop) {
  if (n < 2) return n;
  if (n >= 30 && stop.load(std::memory_order_relaxed)) return 0;
  return fib(n - 1, stop) + fib(n - 2, stop);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

Runtime::Runtime(RuntimeOptions options, Clock& clock, Tracer& tracer)
    : options_(std::move(options)),
      clock_(clock),
      tracer_(tracer),
      // The virtual clock knows the thread that created it as participant 0: the loop.
      channel_(clock, clock.kind() == ClockKind::Virtual ? Participant{0} : kNoParticipant) {
  ensure(options_.threads >= 1, "the pool needs at least one thread");
  set_thread_name("main");
  start_ = clock_.now();
  loop_now_ = start_;
  tracer_.set_clock(&clock_, start_);
  // Nobody reads the trace any more (`| head -3`): stop, however long the loop would wait.
  tracer_.set_on_broken([this] { request_stop(); });
  pool_ = std::make_unique<ThreadPool>(options_.threads, clock_, tracer_, channel_);
  poller_ = std::make_unique<Poller>(clock_, tracer_, channel_);
  struct stat out {};
  if (tracer_.fd() >= 0 && fstat(tracer_.fd(), &out) == 0 && S_ISFIFO(out.st_mode)) {
    poller_->watch_output(tracer_.fd(), [this] { tracer_.mark_broken(); });
  }
}

Runtime::~Runtime() {
  tracer_.set_on_broken({});
  // An exception unwound past run(): still join every thread, quietly.
  if (!shut_down_) {
    if (pool_) pool_->shutdown();
    if (poller_) poller_->close();
    if (delay_server_) delay_server_->stop();
  }
}

void Runtime::request_stop() {
  stop_.store(true, std::memory_order_relaxed);
  channel_.wake();
}

CallbackId Runtime::add_callback(Callback callback, std::string_view what) {
  CallbackId id = ids_.next();
  callbacks_.emplace(id, Pending{std::move(callback), what});
  return id;
}

void Runtime::update_time() { loop_now_ = clock_.now(); }

void Runtime::enter(Phase phase) { tracer_.set_position(tick_, phase); }

bool Runtime::alive() const { return !callbacks_.empty() || !timers_.empty() || !callbacks_to_run_.empty(); }

void Runtime::run(const std::function<void(Runtime&)>& script) {
  update_time();
  enter(Phase::Script);
  script(*this);

  while (alive() && !stop_requested() && !tracer_.broken()) {
    pause(tick_ + 1, options_.model.phases.front(), true);
    if (stop_requested()) break;
    if (!run_tick()) break;
  }
  shutdown();
}

// One tick: the phases of the model, in order. Returns false when the loop should end.
bool Runtime::run_tick() {
  ++tick_;
  enter(Phase::Timers);
  if (tracer_.active()) tracer_.emit(EventKind::Tick, 0, fmt::format("===== TICK {} =====", tick_));
  update_time();
  bool first = true;
  for (Phase phase : options_.model.phases) {
    if (!first) pause(tick_, phase, false);
    first = false;
    if (stop_requested() || tracer_.broken()) return false;
    enter(phase);
    switch (phase) {
      case Phase::Timers: run_timers(); break;
      case Phase::Pending: run_callbacks(); break;
      case Phase::IdlePrepare: break;  // Node's internals use it; nothing of ours does
      case Phase::Poll:
        // Nothing left to wait for: the book ends the loop here, before polling.
        if (!alive()) return false;
        poll_io();
        run_callbacks();
        break;
      case Phase::Check: break;    // setImmediate callbacks would run here
      case Phase::Closing: break;  // close callbacks would run here
      case Phase::Script:
      case Phase::Shutdown: break;
    }
  }
  return true;
}

void Runtime::pause(std::uint64_t tick, Phase phase, bool tick_start) {
  if (!pause_hook_) return;
  tracer_.flush();
  pause_hook_(*this, PausePoint{tick, phase, tick_start});
}

RuntimeState Runtime::state() const {
  RuntimeState s;
  s.tick = tick_;
  s.phase = tracer_.phase();
  TimePoint now = clock_.now();
  s.now = now - start_;
  for (const auto& key : timers_.sorted()) s.timers.push_back({key.id, key.deadline - now, {}});
  for (const auto& w : pool_->workers()) {
    std::optional<Duration> ends;
    if (w.until) ends = *w.until - start_;
    s.workers.push_back({w.name, w.busy, w.task_id, std::string(to_string(w.kind)), w.since - start_, {}, ends});
  }
  for (const auto& [id, kind] : pool_->queued_tasks()) s.queued_tasks.emplace_back(id, std::string(to_string(kind)));
  s.sockets = poller_->registered();
  auto describe = [&](const Completion& c) {
    switch (c.source) {
      case Completion::Source::Pool:
        return fmt::format("pool{} finished task {}{}", c.thread, c.id, c.outcome.failed() ? " (failed)" : "");
      case Completion::Source::Epoll:
        return fmt::format("epoll: request {} complete{}", c.id, c.outcome.failed() ? " (failed)" : "");
      case Completion::Source::Timeout: return std::string("epoll: timeout");
    }
    return std::string();
  };
  for (const auto& a : arrived_) s.completed.push_back(describe(a.completion));
  for (const auto& [key, a] : arrived_keyed_) s.completed.push_back(describe(a.completion));
  for (const auto& c : channel_.snapshot()) s.completed.push_back(describe(c));
  for (const auto& ready : callbacks_to_run_) s.callbacks_to_run.push_back(ready.id);
  s.pending = callbacks_.size() + timers_.size();
  return s;
}

void Runtime::run_timers() {
  timers_.pop_expired(loop_now_, [this](CallbackId id, Callback&& callback) {
    callbacks_to_run_.push_back(Ready{id, Outcome{}, Pending{std::move(callback), "Timer"}});
  });
}

void Runtime::run_callbacks() {
  // Callbacks may register new work, and that work may complete within this phase's
  // run; take the list first so that the vector is not modified while we walk it.
  while (!callbacks_to_run_.empty()) {
    auto batch = std::move(callbacks_to_run_);
    callbacks_to_run_.clear();
    for (auto& ready : batch) {
      if (ready.outcome.failed()) {
        tracer_.emit(EventKind::CallbackError, ready.id,
                     fmt::format("{} {} failed: {}", ready.pending.what, ready.id, *ready.outcome.error));
      }
      ready.pending.callback(*this, std::move(ready.outcome));
      ++ran_since_trim_;
      if (stop_requested()) return;
    }
  }
  if (callbacks_.empty()) callbacks_.rehash(0);  // hand a burst's buckets back
  // After a large burst has drained, give the freed memory back to the system: glibc
  // keeps freed heap while a small live block sits above it, so RSS would stay at the
  // burst's peak. Rare and cheap (a few ms after a hundred thousand callbacks).
  if (ran_since_trim_ >= kTrimAfter && timers_.size() + callbacks_.size() < kTrimAfter / 100) {
    malloc_trim(0);
    ran_since_trim_ = 0;
  }
}

// The poll phase. Waits for the first event, or for the next timer's deadline, whichever
// comes first, and delivers events as the model's poll policy says.
//
// Ordering rule (written in docs/design.md): things that happen at a known time, timers
// and the simulated latencies of pool tasks, are delivered in (deadline, id) order. A pool
// task whose simulated latency ends before the next timer is awaited before that timer,
// and its completion is not overtaken by one with a later key. The wait itself is the
// same in both clocks; the order is what makes a run reproducible.
void Runtime::poll_io() {
  std::size_t delivered = 0;
  for (;;) {
    absorb(channel_.take_all());
    // A task handed out now (a queued one taking a freed thread) starts its simulated
    // latency now, not at the start of the tick.
    update_time();
    for (;;) {
      if (options_.model.poll == PollPolicy::OneEvent && delivered > 0) break;
      auto next = take_deliverable();
      if (!next) break;
      deliver(std::move(*next));
      ++delivered;
    }
    // A timeout ends the wait only when nothing else did: the timers phase checks the
    // deadlines itself.
    if (delivered > 0 || timeout_seen_ || stop_requested()) break;

    auto timer = timers_.next();
    auto simulated = pool_->earliest_simulated();
    if (timer && (!simulated || *timer < *simulated)) {
      if (!armed_) {
        ++generation_;
        poller_->arm_timeout(*timer, generation_);
        armed_ = true;
      }
    } else if (armed_) {
      poller_->disarm_timeout();
      armed_ = false;
    }
    tracer_.flush();
    channel_.wait();
  }
  if (armed_) {
    poller_->disarm_timeout();
    armed_ = false;
  }
  // The poll phase is over: a timeout that came with the delivered event has done its
  // job and must not end the next poll early.
  timeout_seen_ = false;
  update_time();
}

void Runtime::absorb(std::deque<Completion> arrived) {
  for (auto& completion : arrived) {
    if (completion.source == Completion::Source::Timeout) {
      // One armed by an earlier poll phase is stale.
      if (completion.generation == generation_) timeout_seen_ = true;
      continue;
    }
    std::uint64_t seq = ++arrival_seq_;
    if (completion.key) {
      pool_->note_arrived(*completion.key);
      DeadlineKey key = *completion.key;
      arrived_keyed_.emplace(key, Arrived{seq, std::move(completion)});
    } else {
      arrived_.push_back(Arrived{seq, std::move(completion)});
    }
  }
}

// The next completion to deliver: in arrival order, except that a completion with a
// deadline key waits while a task with a smaller key is still running, and keyed ones go
// in key order among themselves.
std::optional<Completion> Runtime::take_deliverable() {
  const Arrived* keyed = nullptr;
  if (!arrived_keyed_.empty()) {
    auto simulated = pool_->earliest_simulated();
    const auto& [key, first] = *arrived_keyed_.begin();
    if (!simulated || !(*simulated < key)) keyed = &first;
  }
  const Arrived* plain = arrived_.empty() ? nullptr : &arrived_.front();
  if (keyed == nullptr && plain == nullptr) return std::nullopt;
  if (keyed != nullptr && (plain == nullptr || keyed->seq < plain->seq)) {
    Completion out = std::move(arrived_keyed_.begin()->second.completion);
    arrived_keyed_.erase(arrived_keyed_.begin());
    return out;
  }
  Completion out = std::move(arrived_.front().completion);
  arrived_.pop_front();
  return out;
}

void Runtime::deliver(Completion completion) {
  switch (completion.source) {
    case Completion::Source::Pool: pool_->on_completion(completion.thread, completion.id, loop_now_); break;
    case Completion::Source::Epoll: poller_->note_completed(); break;
    case Completion::Source::Timeout: return;
  }
  auto it = callbacks_.find(completion.id);
  ensure(it != callbacks_.end(), "a completion for an unknown callback id");
  callbacks_to_run_.push_back(Ready{completion.id, std::move(completion.outcome), std::move(it->second)});
  callbacks_.erase(it);
}

void Runtime::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  enter(Phase::Shutdown);
  // Stopped early (a signal, quit, a closed output): cut simulated latencies short so
  // that Close reaches every pool thread at once.
  if (stop_requested() || tracer_.broken()) {
    stop_.store(true, std::memory_order_relaxed);
    clock_.interrupt_sleeps();
  }
  pool_->shutdown();
  poller_->close();
  if (delay_server_) delay_server_->stop();
  tracer_.emit(EventKind::Finished, 0, "FINISHED");
  tracer_.flush();
}

DelayServer& Runtime::delay_server() {
  if (!delay_server_) delay_server_ = std::make_unique<DelayServer>(clock_, options_.http_latency);
  return *delay_server_;
}

// ---- the scenario's API ----

void Runtime::print(std::string_view message) { tracer_.emit(EventKind::Print, 0, std::string(message)); }

void Runtime::report_error(std::string_view message) {
  tracer_.emit(EventKind::CallbackError, 0, std::string(message));
}

void Runtime::print_content(std::string_view content, std::string_view label) {
  // The book shows the first two lines, then the first Location line if there is one.
  std::vector<std::string_view> lines;
  std::string_view rest = trim(content);
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  std::string shown;
  for (std::size_t i = 0; i < lines.size() && i < 2; ++i) fmt::format_to(std::back_inserter(shown), "{}\n", lines[i]);
  for (std::size_t i = 2; i < lines.size(); ++i) {
    if (lines[i].starts_with("Location")) {
      fmt::format_to(std::back_inserter(shown), "{}\n", lines[i]);
      break;
    }
  }
  std::string upper(label);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  tracer_.emit(EventKind::Content, 0, std::move(upper), std::move(shown));
}

CallbackId Runtime::set_timeout(Duration delay, Callback callback) {
  CallbackId id = ids_.next();
  // Like libuv, the deadline counts from the loop's cached time, not from this instant.
  timers_.add(loop_now_ + delay, id, std::move(callback));
  if (tracer_.active()) tracer_.emit(EventKind::TimerRegistered, id, fmt::format("Registered timer event id: {}", id));
  return id;
}

CallbackId Runtime::fs_read(std::filesystem::path path, Duration latency, Callback callback) {
  CallbackId id = add_callback(std::move(callback), "File read");
  Task task;
  task.id = id;
  task.kind = TaskKind::FileRead;
  task.simulated_latency = latency;
  std::string shown = path.string();
  if (path.is_relative()) path = options_.base_dir / path;
  task.work = [path = std::move(path), shown = std::move(shown)] { return read_file(path, shown); };
  submit(std::move(task));
  return id;
}

void Runtime::submit(Task task) {
  CallbackId id = task.id;
  TaskKind kind = task.kind;
  if (!pool_->submit(std::move(task), loop_now_) && tracer_.active()) {
    tracer_.emit(EventKind::TaskQueued, id,
                 fmt::format("No free pool thread: task {} ({}) waits in the queue ({} waiting)", id,
                             to_string(kind), pool_->queued()));
  }
}

CallbackId Runtime::encrypt(std::int64_t n, Duration cost, Callback callback) {
  CallbackId id = add_callback(std::move(callback), "Encrypt");
  Task task;
  task.id = id;
  task.kind = TaskKind::Encrypt;
  // A stated CPU cost is virtual time the work takes under the virtual clock. Under the
  // real clock the real computation is the cost, so the statement is not needed.
  if (clock_.kind() == ClockKind::Virtual) task.simulated_latency = cost;
  task.work = [n, this] {
    if (n < 0 || n > kMaxEncrypt) {
      return Outcome::fail(fmt::format("encrypt: n must be between 0 and {}, got {}", kMaxEncrypt, n));
    }
    auto value = fib(static_cast<std::uint64_t>(n), stop_);
    if (stop_requested()) return Outcome::fail("encrypt: interrupted by shutdown");
    return Outcome::ok(Value::integer(static_cast<std::int64_t>(value)));
  };
  submit(std::move(task));
  return id;
}

CallbackId Runtime::http_get_slow(std::string url, Duration delay, Callback callback) {
  CallbackId id = add_callback(std::move(callback), "HTTP request");
  HttpRequestSpec spec;
  spec.id = id;
  spec.host = "127.0.0.1";
  spec.port = delay_server().port();
  spec.target = fmt::format("/delay/{}/url/{}", std::chrono::duration_cast<Millis>(delay).count(),
                            percent_encode_path(url));
  // Messages name what was really contacted: the stand-in on loopback, not the internet.
  spec.url = fmt::format("http://delay-service{}", spec.target);
  spec.timeout = options_.http_timeout + delay;
  poller_->start_http(std::move(spec));
  tracer_.emit(EventKind::EventRegistered, id, fmt::format("Event with id: {} registered.", id));
  return id;
}

CallbackId Runtime::http_get(std::string url, Callback callback) {
  CallbackId id = add_callback(std::move(callback), "HTTP request");
  HttpRequestSpec spec;
  spec.id = id;
  spec.url = url;
  spec.timeout = options_.http_timeout;
  std::string error;
  if (auto parsed = parse_http_url(url, error)) {
    spec.host = parsed->host;
    spec.port = parsed->port;
    spec.target = parsed->target;
    if (parsed->host == kDelayServiceHost) {
      // http://delay-service/... names the built-in stand-in, wherever it listens.
      spec.host = "127.0.0.1";
      spec.port = delay_server().port();
    }
  } else {
    // An unusable URL still goes through the epoll thread, which reports the error as the
    // request's completion: the callback gets it like any other failure.
    spec.error = std::move(error);
  }
  poller_->start_http(std::move(spec));
  tracer_.emit(EventKind::EventRegistered, id, fmt::format("Event with id: {} registered.", id));
  return id;
}

}  // namespace elt
