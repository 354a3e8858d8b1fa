#include "step/inspector.h"

#include <algorithm>
#include <deque>
#include <variant>

#include <fmt/format.h>

#include "channel/channel.h"
#include "clock/clock.h"
#include "common/overloaded.h"
#include "loop/model_parts.h"
#include "pool/thread_pool.h"

namespace elt {

namespace {

// state()'s steps, each filling its part of the state from the loop's own records (the
// timer stores, the queues, the pool, the arrived completions, the registrations).
struct StateBuilder {
  const Runtime::View& v;
  std::size_t cap;
  TimePoint now;
  RuntimeState& s;

  // A reference, not a copy: the html page asks for the state at every pause point (issue 22).
  const std::string& label_of(CallbackId id) const {
    static const std::string kNoLabel;
    auto it = v.labels.find(id);
    return it == v.labels.end() ? kNoLabel : it->second;
  }

  // The book's heap, then each node timer list (whose timers also count as timers).
  void timers() {
    for (const auto& key : v.timers.sorted(cap)) s.timers.push_back({key.id, key.deadline - now, label_of(key.id)});
    s.timers_total = v.timers.size() + v.node_timers.size();
    for (const auto& [msecs, items, live] : v.node_timers.lists(cap)) {
      RuntimeState::NamedQueue list{fmt::format("timer list {} ms", msecs), {}, live};
      for (const auto& t : items) {
        if (s.timers.size() < cap) s.timers.push_back({t.id, v.ms_zero + Millis(t.due) - now, label_of(t.id)});
        list.items.push_back(fmt::format("id {} due at {} ms{}", t.id, t.due,
                                         label_of(t.id).empty() ? "" : ": " + label_of(t.id)));
      }
      s.queues.push_back(std::move(list));
    }
  }

  template <typename Queue>
  void queue(std::string name, const Queue& q) {
    RuntimeState::NamedQueue view{std::move(name), {}, 0};
    for (const auto& item : q) {
      if (&q == &v.immediates && v.immediate_live.count(item.id) == 0) continue;  // cleared
      if (view.total++ < cap) {
        view.items.push_back(fmt::format("id {}{}", item.id, label_of(item.id).empty() ? "" : ": " + label_of(item.id)));
      }
    }
    s.queues.push_back(std::move(view));
  }

  void queues() {
    if (v.model.ticks_and_microtasks) {
      queue("nextTick", v.ticks);
      queue("microtask", v.microtasks);
    }
    queue("immediate", v.immediates);
  }

  void pool() {
    for (const auto& w : v.pool.workers()) {
      std::optional<Duration> ends;
      if (w.until) ends = *w.until - v.start;
      s.workers.push_back({w.name, w.busy, w.task_id, std::string(to_string(w.kind)), w.since - v.start,
                           w.busy ? label_of(w.task_id) : std::string(), ends});
    }
    for (const auto& [id, kind] : v.pool.queued_tasks()) s.queued_tasks.emplace_back(id, std::string(to_string(kind)));
  }

  std::string describe(const Completion& c) const {
    return std::visit(Overloaded{
                          [](const TaskDone& t) {
                            return fmt::format("pool{} finished task {}{}", t.thread, t.id,
                                               t.outcome.failed() ? " (failed)" : "");
                          },
                          [&](const RequestDone& r) {
                            return fmt::format("{}: request {} complete{}", v.io.reporter(), r.id,
                                               r.outcome.failed() ? " (failed)" : "");
                          },
                          [](const WaitTimedOut&) { return std::string("epoll: timeout"); },
                      },
                      c);
  }

  // Completions taken and held (the book's hold-back), then those still in the channel.
  void completed() {
    for (const auto& a : v.arrived) s.completed.push_back(describe(a.completion));
    for (const auto& [key, a] : v.arrived_keyed) s.completed.push_back(describe(a.completion));
    for (const auto& c : v.channel.snapshot()) s.completed.push_back(describe(c));
    for (const auto& ready : v.callbacks_to_run) s.callbacks_to_run.push_back(ready.id);
  }

  void pending() {
    s.pending = v.callbacks.size() + v.timers.size() + v.node_timers.size() + v.immediate_live.size();
    // What alive() counts: an unref'd timer is listed, but does not keep the loop running. (A
    // book interval's entry is out of timers_ while its callback waits to run, hence the guard.)
    s.pending = s.pending > v.unrefed.size() ? s.pending - v.unrefed.size() : 0;
    // Timers in the order they are due, then the others by id (the maps have no order).
    for (const auto& t : s.timers) {
      s.pending_items.emplace_back(t.id, v.unrefed.count(t.id) > 0 ? "timer (unref'd: not counted)" : "timer");
    }
    std::vector<std::pair<CallbackId, std::string>> others;
    v.callbacks.for_each([&](CallbackId id, const auto& p) { others.emplace_back(id, std::string(p.what)); });
    for (const auto& [id, live] : v.immediate_live) others.emplace_back(id, "immediate");
    std::sort(others.begin(), others.end());
    for (auto& o : others) {
      if (s.pending_items.size() == cap) break;
      s.pending_items.push_back(std::move(o));
    }
  }
};

}  // namespace

RuntimeState Inspector::state(std::size_t cap) const {
  const Runtime::View v = loop_.view();
  RuntimeState s;
  s.tick = v.tick;
  s.phase = v.phase;
  TimePoint now = v.clock.now();
  s.now = now - v.start;
  s.phases = v.model.phases;
  s.race = v.race;
  StateBuilder build{v, cap, now, s};
  build.timers();
  build.queues();
  build.pool();
  s.sockets = v.io.registered();
  build.completed();
  build.pending();
  return s;
}

std::string Inspector::label_of(CallbackId id) const {
  const Runtime::View v = loop_.view();
  auto it = v.labels.find(id);
  return it == v.labels.end() ? std::string() : it->second;
}

}  // namespace elt
