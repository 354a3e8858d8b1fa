#include "trace/chrome.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <chrono>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/task_kind.h"
#include "trace/describe.h"

namespace elt {

std::string_view to_string(Timeline::Category category) {
  switch (category) {
    case Timeline::Category::Script: return "script";
    case Timeline::Category::Tick: return "tick";
    case Timeline::Category::Phase: return "phase";
    case Timeline::Category::Shutdown: return "shutdown";
    case Timeline::Category::Callback: return "callback";
    case Timeline::Category::Wait: return "wait";
    case Timeline::Category::Task: return "task";
    case Timeline::Category::Latency: return "latency";
    case Timeline::Category::Work: return "work";
    case Timeline::Category::Event: return "event";
  }
  return "?";
}

namespace {

using Category = Timeline::Category;
constexpr std::size_t kMain = 0;
constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// A pool task whose whole time is CPU work (encrypt): on the virtual clock its cost is
// charged as time before the computation runs (the TaskWork marker sits between the two),
// but the thread is computing all along, not waiting as a slow disk would make it. Its
// task is drawn as one "work" slice, never as "simulated latency".
bool cpu_bound(std::string_view what) { return what == to_string(TaskKind::Encrypt); }

// "pool12" -> 12; anything else -> nullopt.
std::optional<unsigned> pool_index(const std::string& name) {
  if (!name.starts_with("pool") || name.size() == 4) return std::nullopt;
  unsigned n = 0;
  auto [end, ec] = std::from_chars(name.data() + 4, name.data() + name.size(), n);
  if (ec != std::errc() || end != name.data() + name.size()) return std::nullopt;
  return n;
}

// main, then the pool threads by number, then the others (epoll, ...) as they appear:
// the order a reader of the book's trace expects, whatever order the threads spoke in.
void name_threads(const std::vector<TraceEvent>& events, Timeline& t) {
  std::vector<std::pair<unsigned, std::string>> pools;
  std::vector<std::string> others;
  std::unordered_set<std::string> seen{"main"};
  for (const auto& e : events) {
    if (!seen.insert(e.thread).second) continue;
    if (auto n = pool_index(e.thread)) {
      pools.emplace_back(*n, e.thread);
    } else {
      others.push_back(e.thread);
    }
  }
  std::sort(pools.begin(), pools.end());
  t.threads = {"main"};
  for (auto& [n, name] : pools) t.threads.push_back(std::move(name));
  for (auto& name : others) t.threads.push_back(std::move(name));
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < t.threads.size(); ++i) index.emplace(t.threads[i], i);
  t.thread_of_event.reserve(events.size());
  for (const auto& e : events) t.thread_of_event.push_back(index.at(e.thread));
}

// Builds the slices with one stack of open slices per thread, so that nesting is right by
// construction: closing a slice first closes whatever is still open inside it.
class Builder {
 public:
  Builder(const std::vector<TraceEvent>& events, Timeline& t)
      : events_(events), t_(t), stacks_(t.threads.size()), bound_(events.size(), kNone) {}

  void run() {
    // Does a task's simulated latency end in a TaskWork before it finishes? Walk back from
    // the end, remembering per (thread, id) which of the two comes next (a model may send
    // one id through the pool several times).
    std::vector<bool> has_work(events_.size(), false);
    {
      std::map<std::pair<std::size_t, CallbackId>, bool> work_next;
      for (std::size_t i = events_.size(); i-- > 0;) {
        const TraceEvent& e = events_[i];
        auto key = std::make_pair(t_.thread_of_event[i], e.id);
        if (e.kind == EventKind::TaskWork) work_next[key] = true;
        if (e.kind == EventKind::TaskFinished) work_next[key] = false;
        if (e.kind == EventKind::TaskReceived) {
          auto it = work_next.find(key);
          has_work[i] = it != work_next.end() && it->second;
        }
      }
    }
    bool shutdown = false;
    for (std::size_t i = 0; i < events_.size(); ++i) {
      const TraceEvent& e = events_[i];
      const std::size_t th = t_.thread_of_event[i];
      deepest_closed_ = kNone;
      current_thread_ = th;
      if (i == 0 && e.phase == Phase::Script) open(kMain, Category::Script, "script", i, 0);
      if (e.phase == Phase::Shutdown && !shutdown) {
        shutdown = true;
        close_above(kMain, 0, i);
        open(kMain, Category::Shutdown, "shutdown", i, 0);
      }
      if (th == kMain) {
        on_main(e, i);
      } else {
        on_other(e, i, th, has_work);
      }
      if (e.id != 0) bind(i, th);
    }
    const std::size_t last = events_.empty() ? 0 : events_.size() - 1;
    for (std::size_t th = 0; th < stacks_.size(); ++th) close_above(th, 0, last);
    link();
  }

 private:
  void on_main(const TraceEvent& e, std::size_t i) {
    if (e.kind == EventKind::Tick) {
      close_above(kMain, 0, i);
      open(kMain, Category::Tick, fmt::format("tick {}", e.tick), i, 0);
      open_phase(e.phase, i);
      return;
    }
    // The loop moved to another phase: only the loop thread's own events say so (another
    // thread's event may carry the phase it read just before the loop moved on).
    if (e.phase != Phase::Script && e.phase != Phase::Shutdown && in_tick() && e.phase != phase_) {
      close_above(kMain, 1, i);
      open_phase(e.phase, i);
    }
    switch (e.kind) {
      case EventKind::CallbackStart:
        open(kMain, Category::Callback,
             e.what.empty() ? fmt::format("callback {}", e.id) : fmt::format("{} {} callback", e.what, e.id), i,
             e.id);
        break;
      case EventKind::CallbackEnd: close(kMain, Category::Callback, e.id, i); break;
      case EventKind::WaitStart: open(kMain, Category::Wait, "poll wait", i, 0); break;
      case EventKind::WaitEnd: close(kMain, Category::Wait, 0, i); break;
      default:
        if (!is_marker(e.kind)) t_.instants.push_back(i);
        break;
    }
  }

  void on_other(const TraceEvent& e, std::size_t i, std::size_t th, const std::vector<bool>& has_work) {
    switch (e.kind) {
      case EventKind::TaskReceived:
        if (e.id == 0) {  // Close: the thread's last task, nothing to run
          t_.instants.push_back(i);
          break;
        }
        open(th, Category::Task, fmt::format("{} {}", e.what, e.id), i, e.id);
        if (has_work[i] && !cpu_bound(e.what)) {
          open(th, Category::Latency, "simulated latency", i, e.id);
        } else {
          open(th, Category::Work, cpu_bound(e.what) ? "CPU work" : "work", i, e.id);
        }
        break;
      case EventKind::TaskWork:
        if (cpu_bound(e.what)) break;  // the charged cost and the computation: one work slice
        close(th, Category::Latency, e.id, i);
        open(th, Category::Work, "work", i, e.id);
        break;
      case EventKind::TaskFinished: close(th, Category::Task, e.id, i); break;
      // Markers of the loop thread's kind seen elsewhere (a model that runs callbacks off
      // the main thread): the same slices, on that thread.
      case EventKind::CallbackStart: open(th, Category::Callback, fmt::format("callback {}", e.id), i, e.id); break;
      case EventKind::CallbackEnd: close(th, Category::Callback, e.id, i); break;
      case EventKind::WaitStart: open(th, Category::Wait, "wait", i, 0); break;
      case EventKind::WaitEnd: close(th, Category::Wait, 0, i); break;
      default:
        if (!is_marker(e.kind)) t_.instants.push_back(i);
        break;
    }
  }

  bool in_tick() const {
    return !stacks_[kMain].empty() && t_.slices[stacks_[kMain].front()].category == Category::Tick;
  }

  void open_phase(Phase phase, std::size_t i) {
    phase_ = phase;
    open(kMain, Category::Phase, std::string(to_string(phase)), i, 0);
  }

  void open(std::size_t th, Category c, std::string name, std::size_t at, CallbackId id) {
    t_.slices.push_back({th, c, std::move(name), at, at, stacks_[th].size(), id});
    stacks_[th].push_back(t_.slices.size() - 1);
  }

  void pop(std::size_t th, std::size_t at) {
    std::size_t s = stacks_[th].back();
    stacks_[th].pop_back();
    t_.slices[s].end = at;
    // The innermost slice this event closed on its own thread (pops on another thread,
    // like the loop thread's at the shutdown, are not candidates for its arrows).
    if (th == current_thread_ && deepest_closed_ == kNone) deepest_closed_ = s;
  }

  // Closes every slice of `th` deeper than `depth`.
  void close_above(std::size_t th, std::size_t depth, std::size_t at) {
    while (stacks_[th].size() > depth) pop(th, at);
  }

  // Closes the innermost open slice of category `c` (and id, when given) with what is
  // open inside it; a close without its open (a run cut short) is ignored.
  void close(std::size_t th, Category c, CallbackId id, std::size_t at) {
    auto& stack = stacks_[th];
    for (std::size_t k = stack.size(); k-- > 0;) {
      const auto& s = t_.slices[stack[k]];
      if (s.category == c && (id == 0 || s.id == id)) {
        close_above(th, k, at);
        return;
      }
    }
  }

  // The slice an arrow at event i attaches to: the deepest one around it, which may be a
  // slice that event just closed (a task's work at TaskFinished) or just opened (a
  // callback at CallbackStart).
  void bind(std::size_t i, std::size_t th) {
    std::size_t top = stacks_[th].empty() ? kNone : stacks_[th].back();
    // Only a slice of this event's own thread: an event on a pool thread can close the
    // loop thread's slices (the first event of the shutdown does).
    const bool closed_here = deepest_closed_ != kNone && t_.slices[deepest_closed_].thread == th;
    if (closed_here && (top == kNone || t_.slices[deepest_closed_].depth > t_.slices[top].depth)) {
      bound_[i] = deepest_closed_;
    } else {
      bound_[i] = top;
    }
  }

  // Arrows follow each id across threads: from the event where the id was last seen on
  // one thread to the first event on the next, and from the last event before the
  // callback to the callback. A callback that runs again (an interval) gets an arrow
  // from the end of its previous run.
  void link() {
    std::unordered_map<CallbackId, std::size_t> last;
    for (std::size_t i = 0; i < events_.size(); ++i) {
      const TraceEvent& e = events_[i];
      if (e.id == 0) continue;
      auto it = last.find(e.id);
      const bool callback = e.kind == EventKind::CallbackStart;
      if (it != last.end() && e.kind != EventKind::CallbackEnd &&
          (callback || t_.thread_of_event[it->second] != t_.thread_of_event[i])) {
        add_flow(it->second, i, e.id);
      }
      last[e.id] = i;
    }
  }

  void add_flow(std::size_t from, std::size_t to, CallbackId id) {
    attach(from);
    attach(to);
    t_.flows.push_back({from, to, id});
  }

  // An arrow's end on a thread with nothing open there (the epoll thread's "ready") gets
  // a slice of its own, so that the arrow has something to attach to.
  void attach(std::size_t i) {
    if (bound_[i] != kNone) return;
    const TraceEvent& e = events_[i];
    t_.slices.push_back({t_.thread_of_event[i], Category::Event, describe(e), i, i, 0, e.id});
    bound_[i] = t_.slices.size() - 1;
  }

 public:
  std::vector<std::size_t> bound() && { return std::move(bound_); }

 private:
  const std::vector<TraceEvent>& events_;
  Timeline& t_;
  std::vector<std::vector<std::size_t>> stacks_;
  std::vector<std::size_t> bound_;  // event -> the slice an arrow there attaches to
  std::size_t deepest_closed_ = kNone;
  std::size_t current_thread_ = 0;  // the thread of the event being built
  Phase phase_ = Phase::Script;
};

Timeline build(const std::vector<TraceEvent>& events, std::vector<std::size_t>* bound) {
  Timeline t;
  name_threads(events, t);
  Builder builder(events, t);
  builder.run();
  if (bound != nullptr) *bound = std::move(builder).bound();
  return t;
}

// Microseconds with three decimals: nanosecond resolution, the unit the format expects.
std::string micros_text(Duration d) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  return fmt::format("{}.{:03}", ns / 1000, ns % 1000);
}

}  // namespace

Timeline build_timeline(const std::vector<TraceEvent>& events) { return build(events, nullptr); }

std::string_view chrome_head() {
  // Only what every run shares: the tracer writes it before the run ends (tracer.cpp), so
  // what depends on the whole run (otherData, with the stretch) comes after the events.
  return "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [";
}

std::int64_t stretched_step(const std::vector<TraceEvent>& events) {
  if (events.empty()) return 1;
  const auto run_us = std::chrono::duration_cast<std::chrono::microseconds>(events.back().time).count();
  const auto want = std::max<std::int64_t>(1, run_us / 4 / static_cast<std::int64_t>(events.size()));
  for (std::int64_t decade = 1;; decade *= 10) {
    for (std::int64_t m : {1, 2, 5}) {
      if (m * decade >= want) return m * decade;
    }
  }
}

namespace {

// What happens at each event, in an order that keeps every thread's stack right when
// several things share one event (and so one timestamp): arrows on slices that end here
// before those end, slices that begin here before arrows on them.
struct At {
  std::vector<std::size_t> ends, begins, points, flow_early, flow_late;  // slice or flow indexes
};

std::vector<At> what_happens_at(const Timeline& t, const std::vector<std::size_t>& bound, std::size_t events) {
  std::vector<At> at(events);
  for (std::size_t s = 0; s < t.slices.size(); ++s) {
    const auto& slice = t.slices[s];
    at[slice.begin].begins.push_back(s);
    if (slice.begin == slice.end) {
      at[slice.end].points.push_back(s);
    } else {
      at[slice.end].ends.push_back(s);
    }
  }
  for (std::size_t f = 0; f < t.flows.size(); ++f) {
    for (std::size_t i : {t.flows[f].from, t.flows[f].to}) {
      const auto& slice = t.slices[bound[i]];
      auto& list = slice.end == i && slice.begin < i ? at[i].flow_early : at[i].flow_late;
      if (std::find(list.begin(), list.end(), f) == list.end()) list.push_back(f);
    }
  }
  return at;
}

// Writes a timeline's Trace Event objects, one per line, in the order Perfetto needs.
class ChromeWriter {
 public:
  ChromeWriter(const std::vector<TraceEvent>& events, const Timeline& t, ChromeTime time)
      : events_(events),
        t_(t),
        stretched_(time == ChromeTime::Stretched),
        step_(stretched_ ? stretched_step(events) : 0) {}

  void names();
  void at_event(At& here, std::size_t i, bool instant);
  const std::string& body() const { return body_; }
  bool stretched() const { return stretched_; }
  std::chrono::microseconds step() const { return step_; }

 private:
  void put(const nlohmann::ordered_json& j);
  nlohmann::ordered_json base(const char* ph, std::size_t thread, std::size_t event, bool half_step = false) const;
  void where(nlohmann::ordered_json& args, const TraceEvent& e) const;
  void begin(std::size_t s);
  void end(std::size_t s) { put(base("E", t_.slices[s].thread, t_.slices[s].end)); }
  void flow(std::size_t f, std::size_t i);
  void instant(std::size_t i);
  bool by_thread_inner_first(std::size_t a, std::size_t b) const;
  bool by_thread_outer_first(std::size_t a, std::size_t b) const;

  const std::vector<TraceEvent>& events_;
  const Timeline& t_;
  // Stretched: event i is drawn i steps later than its time; a slice that begins and ends
  // at one event ends half a step after it, before the next event's place.
  const bool stretched_;
  const std::chrono::microseconds step_;
  std::string body_;
  bool first_ = true;
};

void ChromeWriter::put(const nlohmann::ordered_json& j) {
  body_ += first_ ? "\n" : ",\n";
  first_ = false;
  body_ += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::ordered_json ChromeWriter::base(const char* ph, std::size_t thread, std::size_t event,
                                          bool half_step) const {
  nlohmann::ordered_json j;
  j["ph"] = ph;
  j["pid"] = 1;
  j["tid"] = thread + 1;
  Duration drawn = events_[event].time + step_ * static_cast<std::int64_t>(event);
  if (half_step) drawn += step_ / 2;
  j["ts"] = nlohmann::ordered_json::parse(micros_text(drawn));
  return j;
}

void ChromeWriter::where(nlohmann::ordered_json& args, const TraceEvent& e) const {
  args["tick"] = e.tick;
  args["phase"] = to_string(e.phase);
  if (e.id != 0) args["id"] = e.id;
  if (stretched_) args["virtual_us"] = nlohmann::ordered_json::parse(micros_text(e.time));
}

void ChromeWriter::begin(std::size_t s) {
  const auto& slice = t_.slices[s];
  auto j = base("B", slice.thread, slice.begin);
  j["name"] = slice.name;
  j["cat"] = to_string(slice.category);
  nlohmann::ordered_json args;
  where(args, events_[slice.begin]);
  if (slice.id != 0) args["id"] = slice.id;
  if (!events_[slice.begin].origin.empty()) args["origin"] = events_[slice.begin].origin;
  j["args"] = std::move(args);
  put(j);
}

void ChromeWriter::flow(std::size_t f, std::size_t i) {
  const auto& fl = t_.flows[f];
  const bool start = i == fl.from;
  auto j = base(start ? "s" : "f", t_.thread_of_event[i], i);
  j["name"] = "leads to";
  j["cat"] = "flow";
  j["id"] = f + 1;
  if (!start) j["bp"] = "e";
  put(j);
}

void ChromeWriter::instant(std::size_t i) {
  const TraceEvent& e = events_[i];
  auto j = base("i", t_.thread_of_event[i], i);
  j["name"] = describe(e);
  j["cat"] = to_string(e.kind);
  j["s"] = "t";
  nlohmann::ordered_json args;
  where(args, e);
  if (!e.origin.empty()) args["origin"] = e.origin;
  if (e.queue != QueueName::None) args["queue"] = queue_label(e);
  if (!e.content.empty()) args["content"] = e.content;
  j["args"] = std::move(args);
  put(j);
}

// The process's and each thread's name, and the threads' order in the viewer.
void ChromeWriter::names() {
  nlohmann::ordered_json process;
  process["ph"] = "M";
  process["pid"] = 1;
  process["name"] = "process_name";
  process["args"]["name"] = "eventloop-trace";
  put(process);
  for (std::size_t th = 0; th < t_.threads.size(); ++th) {
    nlohmann::ordered_json name, sort;
    name["ph"] = "M";
    name["pid"] = 1;
    name["tid"] = th + 1;
    name["name"] = "thread_name";
    name["args"]["name"] = t_.threads[th];
    put(name);
    sort["ph"] = "M";
    sort["pid"] = 1;
    sort["tid"] = th + 1;
    sort["name"] = "thread_sort_index";
    sort["args"]["sort_index"] = th;
    put(sort);
  }
}

bool ChromeWriter::by_thread_inner_first(std::size_t a, std::size_t b) const {
  const auto &x = t_.slices[a], &y = t_.slices[b];
  return x.thread != y.thread ? x.thread < y.thread : x.depth > y.depth;
}

bool ChromeWriter::by_thread_outer_first(std::size_t a, std::size_t b) const {
  const auto &x = t_.slices[a], &y = t_.slices[b];
  return x.thread != y.thread ? x.thread < y.thread : x.depth < y.depth;
}

void ChromeWriter::at_event(At& here, std::size_t i, bool instant_here) {
  auto inner_first = [this](std::size_t a, std::size_t b) { return by_thread_inner_first(a, b); };
  auto outer_first = [this](std::size_t a, std::size_t b) { return by_thread_outer_first(a, b); };
  for (std::size_t f : here.flow_early) flow(f, i);
  std::sort(here.ends.begin(), here.ends.end(), inner_first);
  for (std::size_t s : here.ends) end(s);
  std::sort(here.begins.begin(), here.begins.end(), outer_first);
  for (std::size_t s : here.begins) begin(s);
  for (std::size_t f : here.flow_late) flow(f, i);
  std::sort(here.points.begin(), here.points.end(), inner_first);
  for (std::size_t s : here.points) put(base("E", t_.slices[s].thread, t_.slices[s].end, stretched_));
  if (instant_here) instant(i);
}

}  // namespace

void render_chrome(const std::vector<TraceEvent>& events, std::string& out, ChromeTime time) {
  std::vector<std::size_t> bound;
  Timeline t = build(events, &bound);
  std::vector<At> at = what_happens_at(t, bound, events.size());
  std::vector<bool> instant(events.size(), false);
  for (std::size_t i : t.instants) instant[i] = true;

  ChromeWriter writer(events, t, time);
  writer.names();
  for (std::size_t i = 0; i < events.size(); ++i) writer.at_event(at[i], i, instant[i]);
  out += chrome_head();
  out += writer.body();
  out += "\n], \"otherData\": {\"generator\": \"eventloop-trace\"";
  if (writer.stretched()) {
    out += fmt::format(
        ", \"stretch\": {{\"us_per_event\": {}, \"note\": \"virtual clock: every event is drawn {} us later "
        "than the one before it, on top of the time between them, so that work that takes no virtual time has "
        "a width; args.virtual_us is the exact time\"}}",
        writer.step().count(), writer.step().count());
  }
  out += "}}\n";
}

}  // namespace elt
