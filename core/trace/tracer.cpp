#include "trace/tracer.h"

#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "clock/clock.h"
#include "trace/chrome.h"
#include "common/thread_name.h"

namespace elt {

namespace {
// Big enough that a million timer lines cost a few hundred writes, small enough that a
// person watching a pipe sees output in reasonable chunks.
constexpr std::size_t kFlushThreshold = 64 * 1024;
}  // namespace

Tracer::Tracer(TraceFormat format, int fd)
    : format_(format), fd_(fd), flush_each_(fd >= 0 && isatty(fd) == 1) {}

Tracer::~Tracer() { finish(); }

void Tracer::finish() {
  std::lock_guard lock(mutex_);
  if (format_ == TraceFormat::Chrome && !finished_) {
    std::size_t from = buffer_.size();
    // The virtual clock's work takes no time: stretch it so that Perfetto draws it (chrome.h).
    render_chrome(kept_, buffer_, virtual_clock_ ? ChromeTime::Stretched : ChromeTime::AsRun);
    // The head went out with the first event (emit()): the rest follows it.
    if (head_written_) buffer_.erase(from, chrome_head().size());
    kept_.clear();
  }
  finished_ = true;
  flush_locked();
}

void Tracer::set_clock(const Clock* clock, TimePoint start) {
  std::lock_guard lock(mutex_);
  clock_ = clock;
  start_ = start;
  // A clock that does not see real time has its own time line: chrome stretches it.
  virtual_clock_ = clock != nullptr && !clock->sees_real_time();
}

void Tracer::set_position(std::uint64_t tick, Phase phase) {
  tick_.store(tick, std::memory_order_relaxed);
  phase_.store(phase, std::memory_order_relaxed);
}

void Tracer::set_observer(Observer observer) {
  std::lock_guard lock(mutex_);
  observer_ = std::move(observer);
  has_observer_.store(static_cast<bool>(observer_), std::memory_order_relaxed);
}

void Tracer::emit(TraceEvent event) {
  events_.fetch_add(1, std::memory_order_relaxed);
  if (!active()) return;
  event.thread = thread_name();
  event.tick = tick();
  event.phase = phase();

  std::lock_guard lock(mutex_);
  // The time is read under the lock so that times never go backwards in the trace.
  if (clock_ != nullptr) event.time = clock_->now() - start_;
  if (crossed_at_) return;  // past the bound on events: the run is stopping
  if (max_events_ != 0 && ++recorded_ > max_events_) {
    crossed_at_ = fmt::format("at tick {} ({} ms)", event.tick,
                              std::chrono::duration_cast<std::chrono::milliseconds>(event.time).count());
    if (on_limit_) on_limit_();
    return;
  }
  if (observer_) observer_(event);
  if (event.kind == EventKind::CallbackStart && event.thread == "main") running_ = event.id;
  switch (format_) {
    case TraceFormat::Text: render_text(event, buffer_, color_, extras_, running_); break;
    case TraceFormat::Jsonl: render_jsonl(event, buffer_); break;
    case TraceFormat::Chrome:
      if (finished_) return;
      if (!head_written_) {
        // Written now, not with the rest at the end: a reader that leaves after it (`| head
        // -c 10`) is then seen leaving (EPIPE, or the poller's watch) and the run stops.
        head_written_ = true;
        buffer_ += chrome_head();
        flush_locked();
      }
      kept_.push_back(std::move(event));
      return;
    case TraceFormat::None: return;
  }
  if (event.kind == EventKind::CallbackEnd && event.thread == "main") running_ = 0;
  if (fd_ >= 0 && (flush_each_ || buffer_.size() >= kFlushThreshold || event.thread != "main")) {
    flush_locked();
  }
}

void Tracer::flush() {
  std::lock_guard lock(mutex_);
  flush_locked();
}

void Tracer::flush(const std::function<void()>& then) {
  std::lock_guard lock(mutex_);
  flush_locked();
  then();
}

void Tracer::flush_locked() {
  if (fd_ < 0 || buffer_.empty()) return;
  if (broken_.load(std::memory_order_relaxed)) {
    buffer_.clear();
    return;
  }
  std::size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      // EPIPE (the reader went away) or any other write failure: stop writing for good.
      // main tells the two apart: a reader leaving is no failure, a lost trace is.
      write_error_.store(errno, std::memory_order_relaxed);
      broken_.store(true, std::memory_order_relaxed);
      if (on_broken_) on_broken_();
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

void Tracer::mark_broken() {
  std::lock_guard lock(mutex_);
  if (broken_.exchange(true)) return;
  buffer_.clear();
  if (on_broken_) on_broken_();
}

void Tracer::set_on_limit(std::function<void()> on_limit) {
  std::lock_guard lock(mutex_);
  on_limit_ = std::move(on_limit);
}

std::optional<std::string> Tracer::events_limit_crossed() const {
  std::lock_guard lock(mutex_);
  return crossed_at_;
}

std::string Tracer::captured() const {
  std::lock_guard lock(mutex_);
  return buffer_;
}

}  // namespace elt
