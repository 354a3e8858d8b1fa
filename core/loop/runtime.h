// The runtime: the loop thread's state and the loop itself.
//
// Mirrors the book's `Runtime` and libuv's uv_run (src/unix/core.c): the program runs
// once, then the loop runs in ticks (iterations) until nothing is pending, then everything
// shuts down in one documented order (Close to every pool thread in turn, then to the
// epoll thread if the model has one, then FINISHED). What differs between the book's loop
// and Node's is data, read from one LoopModel (loop/model.h).
//
// Where the code is: the loop (run, run_once, alive, one step per phase, the poll
// phases) in loop/runtime.cpp; the modules a scenario calls, as Node's would be, in
// modules/ (console, timers, fs, crypto, http): they register work, the loop runs it.
//
// Owns: the timers, the queues, the callbacks, the pool, the epoll thread or the reactor,
// the completion channel and (when a scenario needs it) the delay service. Does not own
// the clock or the tracer.
// Thread contract: everything here is loop-thread only (the thread that constructed it;
// checked, as muduo's assertInLoopThread does), except request_stop(), which any thread
// or a signal handler may call.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "common/small_function.h"
#include "common/time.h"
#include "common/value.h"
#include "http/net_policy.h"
#include "channel/channel.h"
#include "loop/limits.h"
#include "loop/costs.h"
#include "loop/model.h"
#include "loop/pending_table.h"
#include "loop/timing.h"
#include "timers/node_timers.h"
#include "trace/tracer.h"
#include "timers/timer_queue.h"

namespace elt::fs {
class OpenedScope;
}

namespace elt {

class Clock;
class DelayServer;
class FsPlan;
class IoBackend;
class PollRule;
class Poller;
class Reactor;
class ThreadPool;
class TimerStore;
struct HttpRequestSpec;
struct Task;
class Tracer;

// Where the loop can stop for the stepper: before a tick, or before one of its phases.
struct PausePoint {
  std::uint64_t tick = 0;  // the tick about to run (or running)
  Phase phase = Phase::Timers;
  bool tick_start = false;  // before the tick's banner
};

// Where an action is written in its scenario (1-based; 0: unknown), for warnings that name it.
struct SourcePos {
  std::size_t line = 0;
  std::size_t column = 0;
};

struct RuntimeOptions {
  std::size_t threads = 4;            // like UV_THREADPOOL_SIZE
  LoopModel model = book_model();
  Duration http_latency{};            // extra time the delay service takes, like a network
  Duration http_timeout = std::chrono::seconds(30);
  std::filesystem::path base_dir = ".";  // relative fs_read paths start here
  // Folders outside base_dir that fs_read may read (--allow-read; absolute). Never set
  // from the scenario itself: the person running the tool decides.
  std::vector<std::filesystem::path> allow_read;
  NetPolicy net_policy;  // where http_get may connect (--allow-net); loopback by default
  // Told when a run on the virtual clock depends on real time that clock cannot see (a
  // real server, a large read without delay_ms): `at` is the action, `what` the warning
  // without its place. Called from any thread (a read's size is known on its pool thread),
  // so it must be thread-safe; never called on the real clock. Unset: no warnings.
  std::function<void(SourcePos at, const std::string& what)> on_unseen_time;
  // The bounds on this run (loop/limits.h). The runtime counts callbacks, pending and
  // value_bytes; trace_events is the tracer's to count.
  RunLimits limits;
  // What real work costs (loop/costs.h), charged on the virtual clock when the model
  // charges costs (LoopModel::charges_costs); ignored otherwise.
  CostProfile costs = zero_costs();
  // Who decides where timing could go either way (loop/timing.h); none: the defaults.
  std::shared_ptr<TimingChooser> timing;
  // Show the decisions after the loop start's (pool order, poll gathering, a timer due) as
  // `race` events in a plain run. Off by default: such a decision is real, but many change
  // nothing the program prints (two reads whose callbacks print nothing), and a race line
  // there would teach a race that is not one; `races` below shows the ones that matter.
  bool report_timing_races = false;
  // The decisions of this run whose other side prints something else, found beforehand by
  // taking each side once (explore/race_report.h): each is shown as a `race` event where the
  // run meets it, and no other. Unset: only the loop start's race is shown, as before.
  std::shared_ptr<const RacesFound> races;
};

class Runtime {
 public:
  using Callback = SmallFunction<void(Runtime&, Outcome)>;

  Runtime(RuntimeOptions options, Clock& clock, Tracer& tracer);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Runs `script` (the program's first pass), then ticks until nothing is pending, then
  // shuts down. Call once.
  void run(const std::function<void(Runtime&)>& script);

  // The same in steps, for tests that drive the loop one iteration at a time (like
  // uv_run(UV_RUN_ONCE)): start() runs the program (and the node model's timers pass
  // before the first iteration), run_once() one tick, finish() the shutdown.
  void start(const std::function<void(Runtime&)>& script);
  bool run_once();  // false when the loop has ended (nothing pending, or stopped)
  void finish();
  bool alive() const;  // uv__loop_alive
  const LoopModel& model() const { return options_.model; }
  const RunLimits& limits() const { return options_.limits; }

  // What a scenario calls, as Node's modules would, is the modules' (modules/: Timers, Fs,
  // Crypto, Console). What is left here is the loop's own: the errors callbacks report,
  // the nextTick and microtask queues and the rejection tracker (modules/promises.h builds
  // on them), labels, HTTP. Each returns the callback's id.
  void report_error(std::string_view message);
  // Node model only (the book's loop has neither queue: the scenario parser refuses them).
  CallbackId next_tick(Callback callback, std::string label = {});
  CallbackId queue_microtask(Callback callback, std::string label = {});
  // A rejection no step handled: Node reports it once the ticks and microtasks queued
  // so far have run (processPromiseRejections), then exits; the run ends there.
  void unhandled_rejection(std::string_view message);
  // V8's HostPromiseRejectionTracker, as Node keeps it (lib/internal/process/promises.js):
  // a promise rejected with no handler waits here under a token; a handler attached before
  // the ticks and microtasks drain takes it back out (untrack). What is left is reported.
  std::uint64_t track_rejection(std::string message);
  void untrack_rejection(std::uint64_t token);
  // process.on('unhandledRejection', handler): the handler gets each rejection left (as
  // Outcome's error) instead of the report and the exit.
  void on_unhandled_rejection(Callback handler);
  // What a registration is, for the state view and the jsonl (empty: nothing to say).
  void label_registration(CallbackId id, std::string label);
  // Someone will see the trace (labels are worth building).
  bool tracing() const;
  CallbackId http_get_slow(std::string url, Duration delay, Callback callback);
  CallbackId http_get(std::string url, Callback callback, SourcePos at = {});
  // http.createServer(handler).listen(port, on_listening), node model only
  // (modules/http_server.cpp). The server keeps the loop alive until http_close_server.
  // `on_listening` runs as a nextTick (Node's emitListeningNT) with the port as its value,
  // or the listen error (EADDRINUSE). Each request runs `handler` in the poll phase that
  // reads it, with its id (for http_respond) and req (method, url, headers). Returns the
  // server's id.
  using RequestHandler = std::function<void(Runtime&, CallbackId request, Value req)>;
  CallbackId http_listen(std::uint16_t port, RequestHandler handler, Callback on_listening, std::string label = {});
  // res.end(body) with res.statusCode = status; false when the client is gone.
  bool http_respond(CallbackId request, int status, std::string_view body);
  // server.close(on_close): stops listening; on_close runs as a nextTick (emitCloseNT).
  void http_close_server(CallbackId server, Callback on_close);

  // Stops the loop at the next phase boundary; threads still shut down in order.
  // Async-signal-safe.
  void request_stop();
  bool stop_requested() const { return stop_.load(std::memory_order_relaxed); }

  // The first limit this run crossed (loop/limits.h), if any: the run stops at the next
  // phase boundary, and the command line reports it (exit 2).
  const std::optional<LimitCrossed>& limit_crossed() const {
    assert_in_loop_thread();
    return crossed_;
  }
  // Records the crossing of `limit` (the first one only) and stops the run; the
  // interpreter calls it for the actions it counts.
  void cross_limit(Limit limit, std::uint64_t value);
  // Names the action that crossed a limit, when the limit did not know it (the
  // interpreter calls this right after the action).
  void locate_limit(std::string where);
  // Counts `bytes` of text made for a value against value_bytes; false when that crosses
  // the limit (the run then stops, and the text should not be used).
  bool charge_value_bytes(std::size_t bytes);
  // Counts the text of a value that arrived (a file read, a response) when it fits in
  // what is left; false, counting nothing and stopping nothing, when it does not: its
  // callback then gets an error instead.
  bool take_value_bytes(std::size_t bytes);
  // What a read may still bring in before value_bytes is crossed.
  std::uint64_t value_bytes_left() const;

  TimePoint now() const {
    assert_in_loop_thread();
    return loop_now_;
  }
  std::uint64_t tick() const {
    assert_in_loop_thread();
    return tick_;
  }

  // Called on the loop thread at every pause point; the stepper waits for the user inside
  // it. With the real clock the other threads keep working meanwhile. The one seam the
  // loop calls out through; what a pause shows is step/inspector.h's.
  using PauseHook = std::function<void(Runtime&, const PausePoint&)>;
  void set_pause_hook(PauseHook hook) { pause_hook_ = std::move(hook); }

 private:
  // The model's strategies (loop/model_parts.h), one class per model rule: each works on
  // the loop's records below, in place of a branch on the model here.
  friend class HeapTimerStore;
  friend class ListTimerStore;
  friend class OneEventPoll;
  friend class AllReadyPoll;
  friend class OneTripRead;
  friend class ReadFileTripsRead;
  friend class EpollThreadIo;
  friend class LoopThreadIo;
  // The modules' bodies (modules/timers.cpp, fs.cpp, crypto.cpp), reached from outside
  // through the module classes only; Console writes through the loop's tracer itself.
  friend class Timers;
  friend class Fs;
  friend class Crypto;
  friend class Console;
  // `label` says what registered it ("set_timeout at book.json:14"), for the stepper's
  // state view and the trace's jsonl; empty when nobody needs it.
  CallbackId set_timeout(Duration delay, Callback callback, std::string label = {});
  // Runs `callback` every `interval` until clear_timer(id). The callback may run many times.
  CallbackId set_interval(Duration interval, Callback callback, std::string label = {});
  // clearTimeout / clearInterval: false when it had already run or been cleared.
  bool clear_timer(CallbackId id);
  // timer.unref() / timer.ref(), libuv's uv_unref / uv_ref on the timer's handle: an
  // unref'd timer (or interval) still fires when its time comes, but does not keep the
  // loop alive by itself (alive()). False when `id` is not a live timer (it ran, it was
  // cleared, it is an immediate): Node's unref of a finished timer is a no-op too.
  bool ref_timer(CallbackId id, bool ref);
  CallbackId set_immediate(Callback callback, std::string label = {});
  bool clear_immediate(CallbackId id);
  // Keeps the loop thread busy for `busy` (real CPU time on the real clock; charged as
  // that much virtual time on the virtual clock). Nothing else runs on the loop meanwhile.
  void block(Duration busy);
  // `at`: where the action is written, for a warning (on_unseen_time) that names it.
  CallbackId fs_read(std::filesystem::path path, Duration latency, Callback callback, SourcePos at = {});
  // `cost`: cost_ms; without it the virtual clock charges an estimate from fib(n)'s calls.
  CallbackId encrypt(std::int64_t n, std::optional<Duration> cost, Callback callback);

  struct Pending;
  struct Ready;
  struct Queued;
  struct Arrived;

 public:
  // What an inspector (step/inspector.h: the stepper's `state`, the html page) reads: the
  // loop's records, const, as they are between two phases. References into the runtime:
  // valid until the loop runs on. Loop thread only (view() checks it).
  struct View {
    const LoopModel& model;
    const Clock& clock;
    TimePoint start;
    TimePoint ms_zero;  // the instant the loop's millisecond clock (uv_now) reads 0
    std::uint64_t tick;
    Phase phase;
    std::optional<TraceEvent> race;  // the race the state shows now, if any
    const TimerQueue<Callback>& timers;
    const NodeTimerLists<Callback>& node_timers;
    const std::deque<Queued>& immediates;
    const std::unordered_map<CallbackId, bool>& immediate_live;
    const std::deque<Queued>& ticks;
    const std::deque<Queued>& microtasks;
    const std::unordered_map<CallbackId, bool>& unrefed;
    const std::unordered_map<CallbackId, std::string>& labels;
    const PendingTable<Pending>& callbacks;
    const std::vector<Ready>& callbacks_to_run;
    const std::deque<Arrived>& arrived;
    const std::map<DeadlineKey, Arrived>& arrived_keyed;
    const CompletionChannel& channel;
    const ThreadPool& pool;
    const IoBackend& io;
  };
  View view() const;

 private:
  struct Pending {
    Callback callback;
    std::string_view what;  // "File read", "Encrypt", ... for messages (a literal)
  };
  struct Ready {  // a callback whose time has come, with what it receives
    CallbackId id;
    Outcome outcome;
    Pending pending;
  };

  struct Queued {  // an immediate, a nextTick or a microtask
    CallbackId id;
    Callback callback;
  };

  CallbackId add_callback(Callback callback, std::string_view what);
  // Registrations that keep the loop alive (what `state` calls pending).
  std::size_t pending_count() const {
    return callbacks_.size() + timers_.size() + node_timers_.size() + immediate_live_.size();
  }
  // After a registration: crosses `pending` when there are now too many.
  void count_registration() {
    if (pending_count() > options_.limits.pending) cross_limit(Limit::Pending, options_.limits.pending);
  }
  // Removes and returns the callback waiting under `id`; `unknown` is the message when none does.
  Pending take_pending(CallbackId id, const char* unknown);
  void update_time();
  std::int64_t loop_ms() const;  // uv_now: the cached loop time in whole ms since start
  TimePoint time_of_ms(std::int64_t ms) const;  // the instant loop_ms() turns `ms`
  // What `cost` takes on this clock (nothing on the real clock, where the work is real).
  Duration cost_of(Cost cost) const { return clock_.stated_cost(options_.costs.of(cost)); }
  // Keeps the loop thread busy for `cost`, as Node's own work would.
  Duration charge(Cost cost);  // what it charged: nothing on the real clock, or while HTTP is under way
  void report_loop_start_race(Duration main_program);
  // The timing decisions (loop/timing.h), in loop/timing_points.cpp.
  bool deciding() const;
  std::size_t decide(const Decision& decision, TraceEvent race);
  void show_found_race(std::size_t index, const Decision& decision, TraceEvent race);
  // The next race the check found that this run has not met yet, if it is in this iteration.
  std::optional<TraceEvent> race_ahead() const;
  std::optional<TraceEvent> race_shown() const;  // the race View shows
  Duration charge_time(Duration d, Cost cost);  // charge()'s work, for a chosen duration
  Duration trip_spread() const;
  void settle_poll_batch(std::vector<Completion>& ready, bool waited);
  void gather_more(std::vector<Completion>& ready);
  void order_batch(std::vector<Completion>& ready);
  void cut_batch(std::vector<Completion>& ready);
  void note_timer_set(CallbackId id);
  bool timers_due_now(DecisionKind kind);
  void cross_ms_before_start(CallbackId id, std::int64_t ms);
  Duration slow_pool_start(CallbackId id);
  // Decision 7 (loop/timing_socket.cpp): a response held back past a timer's due time.
  void hold_late_responses(std::vector<Completion>& ready);
  void release_held_responses();
  std::optional<std::pair<CallbackId, std::int64_t>> first_timer_due_after(std::int64_t ms) const;
  // Decision 8 (loop/timing_clock.cpp): where libuv's millisecond turns after wide work.
  enum class ClockRead : std::uint8_t { TimerStart, TimersPhase, LoopStart };
  void free_clock_phase(Cost cost);
  void read_libuv_clock(ClockRead read, CallbackId timer = 0);
  void close_clock_window() { clock_window_.reset(); }
  void enter(Phase phase);
  // The node model's extra lines (LoopModel::narrate); nothing when no one would see them.
  // Sites whose event copies a string test narrating() first, so as not to build it.
  bool narrating() const;
  void narrate(TraceEvent event);
  void emit_request_registered(CallbackId id, std::string_view what);
  void note_label(CallbackId id, std::string label);
  void run_phase(Phase phase, bool& go_on);
  void run_timers();
  void run_node_timers();
  void run_callbacks();
  void run_immediates();
  void after_callback();
  bool drain(std::deque<Queued>& queue, QueueName name, std::string_view marker);  // Node's InternalCallbackScope::Close: ticks, then microtasks
  // How long the poll phase may block, and why: uv__backend_timeout's rule.
  struct PollBound {
    PollReason why = PollReason::Io;
    std::optional<TimePoint> until;  // nullopt: until an event comes
  };
  PollBound poll_bound() const;
  void poll_io();
  void poll_on_loop_thread();
  void fire_book_interval(CallbackId id);
  void start_request(HttpRequestSpec spec);
  // The two fs plans' reads (loop/fs_plan.h), in modules/fs.cpp.
  void read_in_one_trip(CallbackId id, std::string shown, Duration latency, SourcePos at);
  struct ReadFileTrips;  // one fs.readFile's chain of pool trips (modules/fs.cpp)
  void read_file_trips(CallbackId id, std::string shown, Duration latency, SourcePos at);
  // on_unseen_time, when it applies (the virtual clock, and someone listening).
  bool warns_unseen_time() const;
  void warn_unseen_time(SourcePos at, const std::string& what) const;
  void warn_when_answered(CallbackId id, SourcePos at, const std::string& url, const std::string& host);
  void absorb(std::vector<Completion>& arrived);
  std::optional<Completion> take_deliverable();
  void deliver(Completion& completion);  // moves the outcome out
  void shutdown();
  DelayServer& delay_server();
  void submit(Task&& task);  // to the pool; traces it when it has to wait in the queue

  void pause(std::uint64_t tick, Phase phase, bool tick_start);
  // Fails loudly when called off the loop thread (muduo's assertInLoopThread).
  void assert_in_loop_thread() const;
  // Runs one of the scenario's callbacks between the CallbackStart and CallbackEnd markers
  // (trace/event.h) that the timeline formats draw its box from.
  template <typename F>
  void run_marked(CallbackId id, std::string_view what, F&& callback) {
    // The one place every scenario callback passes: a counter compare, no lock.
    if (++callbacks_run_ > options_.limits.callbacks) {
      cross_limit(Limit::Callbacks, options_.limits.callbacks);
      return;
    }
    if (!tracer_.wants_markers()) {
      callback();
      return;
    }
    tracer_.emit({.kind = EventKind::CallbackStart, .id = id, .what = what});
    callback();
    tracer_.emit({.kind = EventKind::CallbackEnd, .id = id, .what = what});
  }

  RuntimeOptions options_;
  std::thread::id loop_thread_;
  PauseHook pause_hook_;
  Clock& clock_;
  Tracer& tracer_;
  CompletionChannel channel_;
  // fs_read's folders, opened once here so that a folder swapped mid-run cannot move what
  // a later read reaches (fs/open_file.h). Before pool_: the pool threads read through it.
  std::unique_ptr<fs::OpenedScope> read_scope_;
  std::unique_ptr<ThreadPool> pool_;
  std::unique_ptr<IoBackend> io_;  // the model's I/O (loop/model_parts.h)
  std::unique_ptr<TimerStore> timer_store_;  // the model's timers (loop/timer_store.h)
  std::unique_ptr<PollRule> poll_rule_;      // events per poll phase (loop/poll_rule.h)
  std::unique_ptr<FsPlan> fs_plan_;          // a file read's trips (loop/fs_plan.h)
  // io_'s concrete backend, for the poll phase written for it; null when io_ is the other.
  Poller* poller_ = nullptr;    // IoPlacement::EpollThread: poll_io
  Reactor* reactor_ = nullptr;  // IoPlacement::LoopThread: poll_on_loop_thread
  std::unique_ptr<DelayServer> delay_server_;

  IdGenerator ids_;
  TimerQueue<Callback> timers_;                        // timers hold their own callbacks
  NodeTimerLists<Callback> node_timers_;               // TimerDispatch::NodeLists
  // Heap timers that may be cleared (they have a handle), with their deadlines, and the
  // book's intervals (the timer holds a trampoline; the callback stays here).
  std::unordered_map<CallbackId, TimePoint> clearable_;
  struct Interval {
    Duration every;
    Callback callback;
  };
  std::unordered_map<CallbackId, Interval> intervals_;
  std::deque<Queued> immediates_;  // Node's immediateQueue; cleared ones are skipped
  std::unordered_map<CallbackId, bool> immediate_live_;
  // The live timers a program unref'd (ref_timer): a subset of timers_ and node_timers_,
  // kept so by clear_timer and by the timers phases when a timeout has run, so that
  // alive() counts the ref'd ones without walking the timers.
  std::unordered_map<CallbackId, bool> unrefed_;
  std::deque<Queued> ticks_;       // process.nextTick's queue
  std::deque<Queued> microtasks_;  // V8's microtask queue
  std::unordered_map<CallbackId, std::string> labels_;  // what each registration is
  // Pool tasks and requests not yet run (loop/pending_table.h: consecutive ids in a
  // ring, no node to allocate per task).
  PendingTable<Pending> callbacks_;
  std::vector<Ready> callbacks_to_run_;                // due, in order
  std::vector<Ready> running_;                         // run_callbacks' batch, swapped with it
  struct Arrived {
    std::uint64_t seq;  // arrival order
    Completion completion;
  };
  // Taken from the channel, not yet delivered: plain ones in arrival order, and those
  // with a deadline key (simulated latencies) by key.
  std::deque<Arrived> arrived_;
  std::vector<Completion> taken_;  // take_all()'s buffer, reused (the book's poll phase)
  // The loop-thread poll under PollPolicy::OneEvent: what one epoll_wait returned beyond
  // the one event this poll phase delivers, for the next ones.
  std::deque<Completion> polled_;
  std::map<DeadlineKey, Arrived> arrived_keyed_;
  std::uint64_t arrival_seq_ = 0;
  bool timeout_seen_ = false;  // this poll phase's timeout has fired
  std::uint64_t ran_since_trim_ = 0;
  std::vector<std::pair<std::uint64_t, std::string>> unhandled_;  // rejections waiting to be reported, by token
  std::uint64_t rejection_tokens_ = 0;
  std::deque<Callback> unhandled_handlers_;  // process.on('unhandledRejection', ...); a deque, so that a handler adding one keeps its place
  CallbackId running_timer_ = 0;        // the node timer whose callback runs now
  bool running_timer_cleared_ = false;  // ... and it cleared itself

  std::uint64_t callbacks_run_ = 0;  // towards limits.callbacks
  std::uint64_t value_bytes_ = 0;    // towards limits.value_bytes
  std::optional<LimitCrossed> crossed_;

  TimePoint start_{};
  TimePoint loop_now_{};
  std::uint64_t tick_ = 0;
  std::uint64_t generation_ = 0;  // one per armed poll timeout
  bool armed_ = false;
  bool shut_down_ = false;
  std::atomic<bool> stop_{false};
  std::optional<TraceEvent> race_;  // the last race reported (RuntimeState::race)
  std::size_t decisions_met_ = 0;   // decide() calls so far: RacesFound's index
  bool loop_start_race_shown_ = false;  // report_loop_start_race said it (decide need not)
  std::vector<CallbackId> pool_order_sides_;  // the pool order being decided: each side's first task
  bool printed_ = false;          // the first console.log has set standard output up
  bool ticked_ = false;
  bool pool_started_ = false;     // a task has gone to the pool (PoolStart is charged)
  Duration charged_{};            // charged since the loop's time was last updated
  bool charges_ = true;           // a charge can be more than zero (see charge())           // the first nextTick/microtask drain has set its queue up
  std::uint64_t charge_seq_ = 0;  // orders the loop's charges among sleepers (no callback id)
  // What the spread of every cost charged so far could take off the loop's time (early) or
  // add to it (late); a timer keeps the figures of when it was set (timers_due_now).
  struct Slack {
    Duration early{};
    Duration late{};
  };
  Slack slack_;
  Slack waited_at_;  // slack_ when the loop last waited in the poll phase (timers_due_now)
  std::unordered_map<CallbackId, Slack> timer_slack_;
  std::unordered_map<CallbackId, bool> held_back_;  // timers one timers phase let wait
  // The last Node timer started: its libuv start and due times, and the iteration it was
  // started in (cross_ms_before_start).
  struct TimerStart {
    CallbackId id = 0;
    std::int64_t start = -1;
    std::int64_t due = -1;
    std::uint64_t tick = 0;
  };
  TimerStart last_start_;
  bool timer_set_up_ = false;  // a Node timer has been set (note_timer_set)
  // The kind of the pool task in flight for each callback id (a readFile's trips share
  // one id): whether its completion runs the program's code or only the next trip.
  std::unordered_map<CallbackId, TaskKind> trip_kind_;
  bool visible(const Completion& completion) const;
  // A response that came back but, by a SocketReady decision, is ready only once libuv's
  // clock reaches `ready_ms` (the timer's due time): the poll phases before that do not see it.
  struct HeldResponse {
    Completion completion;
    CallbackId timer = 0;
    std::int64_t ready_ms = 0;
  };
  std::vector<HeldResponse> held_responses_;
  // When each response seen by the poll phase first came back: how much later it could
  // have come is counted from there, also after it was held past one timer.
  std::unordered_map<CallbackId, TimePoint> response_back_;
  // The millisecond after work whose spread is a millisecond or more (ClockTurn), until
  // `until`: `ms`, the millisecond libuv's clock read first in it, unset until then; the
  // last read, so that one statement's clock reads at one instant are one point.
  struct ClockWindow {
    TimePoint until{};
    std::optional<std::int64_t> ms;
    TimePoint last_at{};
    std::optional<ClockRead> last_read;
    Cost cost = Cost::FirstPrint;  // the work that set the turn free
  };
  std::optional<ClockWindow> clock_window_;
  // Where libuv's millisecond turns, moved by ClockTurn decisions (loop_ms, time_of_ms):
  // the same run with its clock phase elsewhere in the millisecond. Zero without them.
  Duration ms_shift_{};
};

}  // namespace elt
