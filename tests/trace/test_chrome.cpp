// The timeline (trace/chrome.h) and the page's data (trace/html.h), from hand-made events:
// nesting by construction, arrows from registration to callback, and kinds or phases this
// code has never heard of drawn as plain instants rather than breaking anything.
#include <catch2/catch.hpp>

#include <map>

#include <nlohmann/json.hpp>

#include "trace/chrome.h"
#include "trace/html.h"
#include "trace/tracer.h"

using namespace elt;

namespace {

// `fact`: what a pool task or a callback is ("File read", a literal), else the event's text.
TraceEvent ev(std::string thread, EventKind kind, CallbackId id = 0, std::uint64_t tick = 0, Phase phase = Phase::Script,
              std::string_view fact = "m", int ms = 0) {
  TraceEvent e;
  e.thread = std::move(thread);
  e.kind = kind;
  e.id = id;
  e.tick = tick;
  e.phase = phase;
  switch (kind) {
    case EventKind::TaskReceived:
    case EventKind::TaskFinished:
    case EventKind::TaskWork:
    case EventKind::TaskQueued:
    case EventKind::CallbackStart:
    case EventKind::CallbackEnd: e.what = fact; break;
    default: e.text = std::string(fact); break;
  }
  e.time = std::chrono::milliseconds(ms);
  return e;
}

const Timeline::Slice* find(const Timeline& t, Timeline::Category c, CallbackId id = 0) {
  for (const auto& s : t.slices) {
    if (s.category == c && (id == 0 || s.id == id)) return &s;
  }
  return nullptr;
}

// The book's shape in miniature: a timer registered by the program, a file read on pool3
// with a simulated latency, both callbacks in tick 1.
std::vector<TraceEvent> small_run() {
  return {
      ev("main", EventKind::Print, 0, 0, Phase::Script, "start"),
      ev("pool3", EventKind::TaskReceived, 1, 0, Phase::Script, "File read"),
      ev("main", EventKind::TimerRegistered, 2, 0, Phase::Script, ""),
      ev("main", EventKind::Tick, 0, 1, Phase::Timers, ""),
      ev("main", EventKind::CallbackStart, 2, 1, Phase::Pending, "Timer"),
      ev("main", EventKind::Print, 0, 1, Phase::Pending, "timed out"),
      ev("main", EventKind::CallbackEnd, 2, 1, Phase::Pending, "Timer"),
      ev("main", EventKind::WaitStart, 0, 1, Phase::Poll, ""),
      ev("pool3", EventKind::TaskWork, 1, 1, Phase::Poll, "File read", 1000),
      ev("pool3", EventKind::TaskFinished, 1, 1, Phase::Poll, "File read", 1000),
      ev("main", EventKind::WaitEnd, 0, 1, Phase::Poll, "", 1000),
      ev("main", EventKind::CallbackStart, 1, 1, Phase::Poll, "File read", 1000),
      ev("main", EventKind::Print, 0, 1, Phase::Poll, "read it", 1000),
      ev("main", EventKind::CallbackEnd, 1, 1, Phase::Poll, "File read", 1000),
      ev("main", EventKind::Finished, 0, 1, Phase::Shutdown, "", 1000),
  };
}

// Walks a chrome document in file order as an importer does: every E closes a B of its
// thread, and every flow end falls inside a slice open on its own thread.
void check_bindings(const std::string& chrome) {
  auto doc = nlohmann::json::parse(chrome);
  std::map<int, int> open;
  for (const auto& e : doc["traceEvents"]) {
    if (!e.contains("tid")) continue;
    int tid = e["tid"];
    std::string ph = e["ph"];
    if (ph == "B") ++open[tid];
    if (ph == "E") {
      CHECK(open[tid] > 0);
      --open[tid];
    }
    if (ph == "s" || ph == "f") {
      INFO("flow " << e["id"] << " " << ph << " on tid " << tid);
      CHECK(open[tid] > 0);
    }
  }
  for (const auto& [tid, n] : open) CHECK(n == 0);
}

}  // namespace

TEST_CASE("timeline: threads, nested slices and a task's two parts", "[trace][chrome]") {
  auto events = small_run();
  Timeline t = build_timeline(events);
  REQUIRE(t.threads == std::vector<std::string>{"main", "pool3"});

  const auto* tick = find(t, Timeline::Category::Tick);
  const auto* timer = find(t, Timeline::Category::Callback, 2);
  const auto* read = find(t, Timeline::Category::Callback, 1);
  const auto* wait = find(t, Timeline::Category::Wait);
  REQUIRE(tick);
  REQUIRE(timer);
  REQUIRE(read);
  REQUIRE(wait);
  CHECK(timer->begin == 4);
  CHECK(timer->end == 6);
  CHECK(timer->depth == tick->depth + 2);  // tick > phase > callback
  CHECK(wait->begin == 7);
  CHECK(wait->end == 10);
  CHECK(timer->name == "Timer 2 callback");

  const auto* task = find(t, Timeline::Category::Task, 1);
  const auto* latency = find(t, Timeline::Category::Latency, 1);
  const auto* work = find(t, Timeline::Category::Work, 1);
  REQUIRE(task);
  REQUIRE(latency);
  REQUIRE(work);
  CHECK(task->name == "File read 1");
  CHECK(latency->begin == 1);
  CHECK(latency->end == 8);
  CHECK(work->begin == 8);
  CHECK(work->end == 9);
  CHECK(task->end == 9);
  CHECK(latency->depth == 1);
}

TEST_CASE("timeline: arrows from registration to callback, across threads", "[trace][chrome]") {
  Timeline t = build_timeline(small_run());
  std::vector<std::pair<std::size_t, std::size_t>> flows;
  for (const auto& f : t.flows) flows.emplace_back(f.from, f.to);
  // the timer: its registration -> its callback; the read: the pool's finish -> the callback
  CHECK(flows == std::vector<std::pair<std::size_t, std::size_t>>{{2, 4}, {9, 11}});
}

TEST_CASE("timeline: a kind and a phase it does not know are instants, and nothing breaks", "[trace][chrome]") {
  auto events = small_run();
  auto odd = ev("main", static_cast<EventKind>(250), 0, 1, static_cast<Phase>(77), "a new kind of event");
  events.insert(events.begin() + 5, odd);
  // A close without its open, and a slice still open when the run ends.
  events.insert(events.begin() + 1, ev("main", EventKind::CallbackEnd, 9));
  events.push_back(ev("epoll", EventKind::WaitStart, 0, 1, Phase::Shutdown));
  Timeline t = build_timeline(events);
  CHECK(std::find(t.instants.begin(), t.instants.end(), 6) != t.instants.end());
  for (const auto& s : t.slices) {
    CHECK(s.begin <= s.end);
    CHECK(s.end < events.size());
  }
  std::string out;
  render_chrome(events, out);
  auto doc = nlohmann::json::parse(out);
  int depth_main = 0;
  bool found = false;
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] == "i" && e["name"] == "a new kind of event") {
      found = true;
      CHECK(e["cat"] == "?");
      CHECK(e["args"]["phase"] == "?");
    }
    if (e.contains("tid") && e["tid"] == 1) {
      if (e["ph"] == "B") ++depth_main;
      if (e["ph"] == "E") --depth_main;
      CHECK(depth_main >= 0);
    }
  }
  CHECK(found);
  CHECK(depth_main == 0);
}

TEST_CASE("chrome: the same events give the same bytes", "[trace][chrome]") {
  std::string a, b;
  render_chrome(small_run(), a);
  render_chrome(small_run(), b);
  CHECK(a == b);
  CHECK(a.find("\"ph\":\"s\"") != std::string::npos);
  CHECK(a.find("\"ph\":\"f\"") != std::string::npos);
}

TEST_CASE("html: the page embeds the run, and a message cannot end its script element", "[trace][html]") {
  HtmlRun run;
  run.title = "t<b>.json";
  run.events = small_run();
  run.events[0].text = "</script><script>alert(1)</script>";
  TraceEvent block = ev("main", EventKind::Content, 0, 1, Phase::Shutdown, "");
  block.text = "file.txt";
  block.content = "one\ntwo";
  run.events.push_back(block);  // a line of another shape, kept whole
  run.pauses.push_back({3, 1, Phase::Timers, true, {}, run.states.add(nlohmann::json{{"pending", 2}})});
  run.pauses.push_back({5, 1, Phase::Pending, false, {}, run.states.add(nlohmann::json{{"pending", 2}})});
  std::string page = render_html(run);
  CHECK(page.find("alert(1)</script>") == std::string::npos);
  CHECK(page.find("t&lt;b&gt;.json") != std::string::npos);
  CHECK(page.find("/*ELT_DATA*/") == std::string::npos);
  auto d = html_data(run);
  CHECK(d["events"].size() == run.events.size());
  CHECK(d["states"].size() == 1);  // two equal snapshots, stored once
  CHECK(d["pauses"][1][5] == 0);       // [events_before, tick, phase, tick_start, time_us, state]
  CHECK(d["pauses"][0][3] == 1);
  CHECK(d["events"][5][6] == "timed out");
  CHECK(d["events"][5][7] == 0);       // the book's line is the usual "Thread: main\t timed out": the page builds it
  CHECK(d["events"][4][7] == "");      // a marker has no line
  CHECK(d["events"].back()[7].get<std::string>().find("===== THREAD main START CONTENT - file.txt =====\none\ntwo\n") !=
        std::string::npos);
  // every kind and phase is named, whatever was added to the enums
  CHECK(d["kinds"][static_cast<int>(EventKind::WaitEnd)] == "wait_end");
  CHECK(d["kinds"][static_cast<int>(EventKind::Print)] == "print");
  CHECK(d["phases"][static_cast<int>(Phase::Shutdown)] == "shutdown");
}

TEST_CASE("tracer: the chrome format keeps the run and writes one document at the end", "[trace][chrome]") {
  Tracer tracer(TraceFormat::Chrome, -1);
  CHECK(tracer.wants_markers());
  tracer.emit({.kind = EventKind::Print, .text = "hello"});
  tracer.emit({.kind = EventKind::TimerRegistered, .id = 2});
  // Only the document's constant head until the run is over (a reader that wants no more
  // can leave at once; issue 25, item 5).
  CHECK(tracer.captured() == chrome_head());
  tracer.finish();
  auto doc = nlohmann::json::parse(tracer.captured());
  std::size_t instants = 0;
  for (const auto& e : doc["traceEvents"]) instants += e["ph"] == "i" ? 1 : 0;
  CHECK(instants == 2);
  tracer.finish();  // idempotent: still one document
  CHECK_NOTHROW(nlohmann::json::parse(tracer.captured()));
}

TEST_CASE("tracer: the book's text wants no markers, and renders none", "[trace]") {
  Tracer text(TraceFormat::Text, -1);
  CHECK_FALSE(text.wants_markers());
  text.emit({.kind = EventKind::CallbackStart, .id = 3, .what = "Timer"});
  text.emit({.kind = EventKind::Print, .text = "in the callback"});
  text.emit({.kind = EventKind::CallbackEnd, .id = 3, .what = "Timer"});
  std::string out = text.captured();  // one line: the markers print nothing
  CHECK(std::count(out.begin(), out.end(), '\n') == 1);
  CHECK(out.ends_with("\t in the callback\n"));
  Tracer shown(TraceFormat::Text, -1);
  shown.set_extras(TextExtras{false, false, true});
  CHECK(shown.wants_markers());
}

TEST_CASE("chrome: an arrow leaving a pool thread at the shutdown binds to that thread's slice", "[trace][chrome]") {
  // The first event of the shutdown is a pool thread's (a queued task handed out as the
  // loop stops): it closes the loop thread's tick and opens its own task, and the arrow
  // into it must end in that task, not in the loop thread's slice it closed.
  std::vector<TraceEvent> events = {
      ev("main", EventKind::Print, 0, 0, Phase::Script, "start"),
      ev("pool3", EventKind::TaskReceived, 5, 0, Phase::Script, "Encrypt"),
      ev("main", EventKind::Tick, 0, 1, Phase::Timers, ""),
      ev("main", EventKind::WaitStart, 0, 1, Phase::Poll, ""),
      ev("main", EventKind::TaskQueued, 6, 1, Phase::Poll, "Encrypt"),
      ev("pool2", EventKind::TaskReceived, 6, 1, Phase::Shutdown, "Encrypt", 5),
      ev("pool3", EventKind::TaskFinished, 5, 1, Phase::Shutdown, "Encrypt", 5),
      ev("main", EventKind::CallbackError, 5, 1, Phase::Shutdown, "interrupted by shutdown", 5),
      ev("pool2", EventKind::TaskFinished, 6, 1, Phase::Shutdown, "Encrypt", 5),
      ev("main", EventKind::Finished, 0, 1, Phase::Shutdown, "", 5),
  };
  std::string out;
  render_chrome(events, out);
  check_bindings(out);
  check_bindings([] {
    std::string book;
    render_chrome(small_run(), book);
    return book;
  }());
}

TEST_CASE("chrome: the virtual clock's instant work is stretched, the real clock's is not", "[trace][chrome]") {
  // small_run(): timer 2's callback starts and ends at 0 ms, the read's latency lasts 1000 ms.
  auto widths = [](ChromeTime time) {
    std::string out;
    render_chrome(small_run(), out, time);
    auto doc = nlohmann::json::parse(out);
    std::map<std::string, double> width;
    std::map<int, std::vector<nlohmann::json>> open;
    for (const auto& e : doc["traceEvents"]) {
      if (e["ph"] == "B") open[e["tid"].get<int>()].push_back(e);
      if (e["ph"] == "E") {
        auto& stack = open[e["tid"].get<int>()];
        width[stack.back()["name"].get<std::string>()] = e["ts"].get<double>() - stack.back()["ts"].get<double>();
        stack.pop_back();
      }
    }
    return std::make_pair(width, doc);
  };
  auto [as_run, as_run_doc] = widths(ChromeTime::AsRun);
  CHECK(as_run["Timer 2 callback"] == 0);  // honest: it took no time
  CHECK(as_run["simulated latency"] == 1000000);
  CHECK_FALSE(as_run_doc["otherData"].contains("stretch"));
  const std::int64_t step = stretched_step(small_run());
  CHECK(step == 20000);  // 1000 ms / 4 / 16 events is 15.6 ms: 20 ms, the next 1-2-5 number
  auto [drawn, doc] = widths(ChromeTime::Stretched);
  CHECK(drawn["Timer 2 callback"] == static_cast<double>(2 * step));  // start, print, end: two steps
  CHECK(drawn["simulated latency"] > 1000000);
  CHECK(doc["otherData"]["stretch"]["us_per_event"] == step);
}

TEST_CASE("chrome: the stretch step is a 1-2-5 number near a quarter of the run's time per event", "[trace][chrome]") {
  std::vector<TraceEvent> events(10, ev("main", EventKind::Print));
  CHECK(stretched_step(events) == 1);  // no time passes: one microsecond
  events.back().time = std::chrono::milliseconds(1000);
  CHECK(stretched_step(events) == 50000);  // 25 ms an event, rounded up
  events.back().time = std::chrono::milliseconds(4);
  CHECK(stretched_step(events) == 100);
  CHECK(stretched_step({}) == 1);
}

TEST_CASE("timeline: encrypt's time is CPU work, not a simulated latency", "[trace][chrome]") {
  // On the virtual clock the pool thread is charged encrypt's cost (400 ms) before the
  // computation runs: the TaskWork marker comes between, but the thread computes all along.
  std::vector<TraceEvent> events = {
      ev("main", EventKind::Print, 0, 0, Phase::Script, "start"),
      ev("pool3", EventKind::TaskReceived, 8, 0, Phase::Script, "Encrypt"),
      ev("pool3", EventKind::TaskWork, 8, 0, Phase::Script, "Encrypt", 400),
      ev("pool3", EventKind::TaskFinished, 8, 0, Phase::Script, "Encrypt", 400),
      ev("pool2", EventKind::TaskReceived, 9, 0, Phase::Script, "File read", 400),
      ev("pool2", EventKind::TaskWork, 9, 0, Phase::Script, "File read", 1400),
      ev("pool2", EventKind::TaskFinished, 9, 0, Phase::Script, "File read", 1400),
  };
  Timeline t = build_timeline(events);
  const auto* work = find(t, Timeline::Category::Work, 8);
  REQUIRE(work != nullptr);
  CHECK(work->begin == 1);  // from the moment the thread takes it
  CHECK(work->name == "CPU work");
  CHECK(work->end == 3);
  CHECK(find(t, Timeline::Category::Latency, 8) == nullptr);
  // A file read keeps its two parts: the disk's latency, then the read.
  const auto* latency = find(t, Timeline::Category::Latency, 9);
  REQUIRE(latency != nullptr);
  CHECK(latency->end == 5);
  CHECK(find(t, Timeline::Category::Work, 9)->begin == 5);
}

namespace {
// The page's replay (html_page.html, applyDelta), in C++: a change per key.
nlohmann::json apply_delta(nlohmann::json prev, const nlohmann::json& changes) {
  for (const auto& [key, ch] : changes.items()) {
    if (ch.contains("=")) {
      prev[key] = ch["="];
    } else if (ch.contains("<")) {
      nlohmann::json list(prev[key].begin() + ch["<"].get<std::ptrdiff_t>(), prev[key].end());
      for (const auto& item : ch["+"]) list.push_back(item);
      prev[key] = std::move(list);
    } else {
      prev.erase(key);
    }
  }
  return prev;
}
}  // namespace

TEST_CASE("html: snapshots between checkpoints are stored as changes, and replay to the same state", "[trace][html]") {
  // 200 pause points whose timer list slides on by one each time (the first 20 of many
  // timers), as a run of thousands of timers gives, and a key that comes and goes.
  HtmlRun run;
  run.events = small_run();
  std::vector<nlohmann::json> originals;
  for (int p = 0; p < 200; ++p) {
    nlohmann::json timers = nlohmann::json::array();
    for (int t = p; t < p + 20; ++t) timers.push_back({{"id", t}, {"due_at_ms", t}});
    nlohmann::json state{{"timers", timers}, {"pending", 1000 - p}, {"workers", nlohmann::json::array({"idle"})}};
    if (p % 7 == 0) state["extra"] = p;
    originals.push_back(state);
    run.pauses.push_back({3, 1, Phase::Timers, true, {}, run.states.add(state)});
  }
  auto d = html_data(run);
  REQUIRE(d["states"].size() == 200);
  std::size_t whole = 0;
  nlohmann::json replayed;
  for (std::size_t k = 0; k < 200; ++k) {
    const auto& stored = d["states"][k];
    if (stored.contains("^")) {
      replayed = apply_delta(replayed, stored["^"]);
      CHECK(stored["^"]["timers"]["<"] == 1);  // slid on by one: one timer dropped, one added
      CHECK(stored["^"]["timers"]["+"].size() == 1);
      CHECK_FALSE(stored["^"].contains("workers"));  // unchanged: not stored
    } else {
      replayed = stored;
      ++whole;
    }
    CHECK(replayed == originals[k]);
    CHECK(d["pauses"][k][5] == k);
  }
  CHECK(whole == 4);  // 0, 64, 128, 192
}
