// The trace: where every thread reports what it does.
//
// Job: stamp each event with the thread's name, the clock's time and the loop's tick and
// phase; render it in the chosen format; write it in one piece, so lines of different
// threads never tear; and let observers (the stepper's `break line`) see each event.
// Owns: the output buffer and the fd it writes to (it does not close the fd).
// Thread-safety: emit() may be called from any thread; one mutex orders all events, which
// is what makes "each thread's own sequence" well defined. set_position() is loop-thread
// only (other threads read the position atomically).
//
// Output is buffered: events of the loop thread are flushed when the loop is about to
// block (flush()), events of the other threads at once, and everything at once when the
// output is a terminal. The Chrome format needs the whole run (matched begin and end,
// flows with both ends): its events are kept and the document is written by finish(),
// all but its constant head, which goes out with the first event.
// A closed reader (EPIPE: `| head -3`) turns the tracer off and
// raises `broken()`; the run then stops quietly.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "trace/event.h"
#include "trace/format.h"

namespace elt {

class Clock;

class Tracer {
 public:
  // fd < 0: keep the text in memory only (tests, `check`); see captured().
  Tracer(TraceFormat format, int fd);
  ~Tracer();
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  void set_clock(const Clock* clock, TimePoint start);
  void set_color(bool color) { color_ = color; }  // before the run starts
  void set_extras(TextExtras extras) { extras_ = extras; }  // before the run starts
  void set_position(std::uint64_t tick, Phase phase);
  std::uint64_t tick() const { return tick_.load(std::memory_order_relaxed); }
  Phase phase() const { return phase_.load(std::memory_order_relaxed); }

  // Stamps `event` with the thread, time, tick and phase, and renders it. The emit site
  // fills in the kind and its facts (trace/event.h), never a sentence.
  void emit(TraceEvent event);
  void flush();
  // The same, then `then` under the same lock: nothing another thread emits is written
  // while it runs (the step prompt is drawn again this way).
  void flush(const std::function<void()>& then);
  // The run is over: write what a whole-run format (chrome) kept, then flush. Idempotent;
  // the destructor calls it too.
  void finish();

  // Called for every event, under the tracer's lock, in trace order; keep it short.
  using Observer = std::function<void(const TraceEvent&)>;
  void set_observer(Observer observer);
  // Called once, under the tracer's lock, when the output breaks (EPIPE): the runtime
  // uses it to wake its loop and stop. Must be async-safe in the sense of not emitting.
  void set_on_broken(std::function<void()> on_broken) { on_broken_ = std::move(on_broken); }

  // The most events the trace records (loop/limits.h, trace_events); 0: no bound. Set
  // before the run. The event past it is not recorded, nor any after it: the trace ends
  // there, `on_limit` is called once (under the lock, like on_broken) and
  // events_limit_crossed() says when.
  void set_event_limit(std::uint64_t max) { max_events_ = max; }
  // Under the lock: a runtime unwinding by an exception clears it while its threads may
  // still emit.
  void set_on_limit(std::function<void()> on_limit);
  // "at tick 3 (12 ms)" once the bound was crossed; nullopt before.
  std::optional<std::string> events_limit_crossed() const;

  bool broken() const { return broken_.load(std::memory_order_relaxed); }
  // The errno of the write that broke the output (EPIPE: the reader left; ENOSPC: a full
  // disk or /dev/full...); 0 while every write succeeded or when the reader was seen
  // leaving without a write.
  int write_error() const { return write_error_.load(std::memory_order_relaxed); }
  // False when nobody would see an event (format none, no observer): hot paths skip
  // building the event at all.
  bool active() const { return format_ != TraceFormat::None || has_observer_.load(std::memory_order_relaxed); }
  // True when someone would see marker events (is_marker): every format but the book's
  // plain text, `--show id`, or an observer. The book's run emits none otherwise.
  bool wants_markers() const {
    return format_ == TraceFormat::Jsonl || format_ == TraceFormat::Chrome || extras_.id ||
           has_observer_.load(std::memory_order_relaxed);
  }
  // The reader is known to be gone: stop writing, as if a write had failed.
  void mark_broken();
  int fd() const { return fd_; }
  std::uint64_t event_count() const { return events_.load(std::memory_order_relaxed); }
  // In-memory mode: everything rendered so far.
  std::string captured() const;

 private:
  void flush_locked();

  const TraceFormat format_;
  const int fd_;
  const bool flush_each_;  // the output is a terminal
  bool color_ = false;
  TextExtras extras_;
  const Clock* clock_ = nullptr;
  TimePoint start_{};
  bool virtual_clock_ = false;  // known at set_clock(): finish() may run after the clock is gone
  std::atomic<std::uint64_t> tick_{0};
  std::atomic<Phase> phase_{Phase::Script};
  std::atomic<bool> broken_{false};
  std::atomic<int> write_error_{0};
  std::atomic<std::uint64_t> events_{0};
  std::atomic<bool> has_observer_{false};

  mutable std::mutex mutex_;  // guards buffer_, observer_ and the order of events
  std::string buffer_;
  std::vector<TraceEvent> kept_;  // chrome: the whole run, rendered by finish()
  bool head_written_ = false;     // chrome: chrome_head() is out (or captured) already
  bool finished_ = false;
  CallbackId running_ = 0;        // the loop thread's callback, for --show id
  Observer observer_;
  std::function<void()> on_broken_;
  std::function<void()> on_limit_;
  std::uint64_t max_events_ = 0;
  std::uint64_t recorded_ = 0;             // events recorded, towards max_events_
  std::optional<std::string> crossed_at_;  // when max_events_ was crossed
};

}  // namespace elt
