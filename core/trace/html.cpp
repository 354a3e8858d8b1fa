#include "trace/html.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "trace/chrome.h"
#include "trace/describe.h"
#include "trace/format.h"
#include "trace/html_codec.h"

namespace elt {

// The page, from html_page.html (cmake/embed.cmake writes it into a generated source).
extern const std::string_view kHtmlPage;

namespace {

double micros_of(Duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

// Every value a kind or phase can take, so that the page can name them: the enums are
// contiguous from 0, and to_string() answers "?" past the last, so a kind added later is
// named here with no change (and one this page has no rule for is drawn as an instant).
template <typename Enum>
nlohmann::json names() {
  nlohmann::json out = nlohmann::json::array();
  for (int i = 0; i < 256; ++i) {
    std::string_view name = to_string(static_cast<Enum>(i));
    if (name == "?") break;
    out.push_back(std::string(name));
  }
  return out;
}

// Inside <script type="application/json">, "</script" or "<!--" would end or change the
// element. '<' only occurs inside the head's JSON strings, where \u003c is the same
// character (a column's digits are '?' to '~').
void append_script_safe(std::string& out, std::string_view json) {
  for (std::size_t from = 0;;) {
    const std::size_t lt = json.find('<', from);
    out.append(json.substr(from, lt - from));
    if (lt == std::string_view::npos) return;
    out += "\\u003c";
    from = lt + 1;
  }
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// A list that slid on: cur is prev without its first `drop` items, then `add` appended.
std::optional<std::pair<std::size_t, nlohmann::json>> slide(const nlohmann::json& prev, const nlohmann::json& cur) {
  for (std::size_t drop = 0; drop <= prev.size(); ++drop) {
    const std::size_t kept = prev.size() - drop;
    if (kept > cur.size()) continue;
    if (!std::equal(prev.begin() + static_cast<std::ptrdiff_t>(drop), prev.end(), cur.begin())) continue;
    return std::make_pair(drop, nlohmann::json(cur.begin() + static_cast<std::ptrdiff_t>(kept), cur.end()));
  }
  return std::nullopt;
}

// {"^": {key: change}}: a key not named is as before; a change is {"=": value},
// {"<": drop, "+": [items]} for a list that slid on, or {"-": 1} for a key gone.
nlohmann::json state_delta(const nlohmann::json& prev, const nlohmann::json& cur) {
  nlohmann::json changes = nlohmann::json::object();
  for (const auto& [key, value] : cur.items()) {
    auto was = prev.find(key);
    if (was != prev.end() && *was == value) continue;
    if (was != prev.end() && was->is_array() && value.is_array()) {
      if (auto s = slide(*was, value)) {
        changes[key] = {{"<", s->first}, {"+", std::move(s->second)}};
        continue;
      }
    }
    changes[key] = {{"=", value}};
  }
  for (const auto& [key, value] : prev.items()) {
    if (!cur.contains(key)) changes[key] = {{"-", 1}};
  }
  return {{"^", std::move(changes)}};
}

constexpr auto kReplaceInvalid = nlohmann::json::error_handler_t::replace;

using page_codec::IntColumn;
using page_codec::IntReader;
using page_codec::StringColumn;
using page_codec::StringReader;

// The page's data (issue 22): one line of JSON (names, the string columns' templates, how
// many rows each table has), then one line per column in html_codec.h's compact form, in
// the order the JSON's "columns" lists them. As JSON arrays a 200,000-line run was 55 MB,
// and Chromium took seconds to read and parse it before it could draw anything; the page
// now reads the columns straight into typed arrays and builds a string when it shows it.
class DataWriter {
 public:
  nlohmann::json& head() { return head_; }
  void ints(const std::string& name, const IntColumn& c) { columns_.emplace_back(name, c.text()); }
  void strings(const std::string& name, const StringColumn& c) {
    head_["templates"][name] = c.templates();
    head_["numbers"][name] = c.numbers();
    columns_.emplace_back(name, c.text());
  }
  std::string finish() && {
    for (const auto& [name, text] : columns_) head_["columns"].push_back(name);
    std::string out = head_.dump(-1, ' ', false, kReplaceInvalid);
    for (const auto& [name, text] : columns_) {
      out += '\n';
      out += text;
    }
    return out;
  }

 private:
  nlohmann::json head_ = nlohmann::json::object();
  std::vector<std::pair<std::string, std::string>> columns_;
};

// A column of changes: the first value, then each one's difference from the one before
// (times, ticks and indexes that mostly go up by a little cost a character each).
class DeltaColumn {
 public:
  void put(std::int64_t v) {
    out_.put_signed(v - last_);
    last_ = v;
  }
  const IntColumn& column() const { return out_; }

 private:
  IntColumn out_;
  std::int64_t last_ = 0;
};

std::int64_t signed_of(std::uint64_t v) { return static_cast<std::int64_t>(v); }

// An event's thread, kind and phase as one number, an index into a table of the run's
// distinct triples (a few dozen): one character instead of three.
class ShapeColumn {
 public:
  void put(std::size_t thread, EventKind kind, Phase phase) {
    const std::array<std::uint64_t, 3> shape{thread, static_cast<std::uint64_t>(kind), static_cast<std::uint64_t>(phase)};
    auto [it, added] = index_.try_emplace(shape, table_.size());
    if (added) table_.push_back(shape);
    out_.put(it->second);
  }
  nlohmann::json table() const { return table_; }
  const IntColumn& column() const { return out_; }

 private:
  std::map<std::array<std::uint64_t, 3>, std::size_t> index_;
  std::vector<std::array<std::uint64_t, 3>> table_;
  IntColumn out_;
};

// Per event: its time (ns), shape (thread, kind, phase), id, tick, message, the book's line,
// origin and queue. The line is nearly always "Thread: NAME\t MESSAGE", the message being
// already there: then it is "none" and the page builds it when it shows it. A content
// block's lines are in its line, so its content is not written again.
void write_events(DataWriter& w, const std::vector<TraceEvent>& events, const Timeline& t) {
  DeltaColumn time, tick;
  ShapeColumn shape;
  IntColumn id;
  StringColumn message, line, origin, queue;
  std::string text, usual;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const TraceEvent& e = events[i];
    text.clear();
    render_text(e, text);
    if (!text.empty() && text.back() == '\n') text.pop_back();
    const std::string said = describe(e);
    usual = "Thread: " + t.threads[t.thread_of_event[i]] + "\t " + said;
    time.put(e.time.count());
    shape.put(t.thread_of_event[i], e.kind, e.phase);
    id.put(e.id);
    tick.put(signed_of(e.tick));
    message.put(said);
    if (text == usual && !text.empty()) line.put_none();
    else line.put(text);
    origin.put(e.origin);
    queue.put(queue_label(e));
  }
  w.ints("event.time_ns", time.column());
  w.head()["shapes"] = shape.table();
  w.ints("event.shape", shape.column());
  w.ints("event.id", id);
  w.ints("event.tick", tick.column());
  w.strings("event.message", message);
  w.strings("event.line", line);
  w.strings("event.origin", origin);
  w.strings("event.queue", queue);
}

// Per pause point: how many events came before it, its tick, its phase and whether a tick
// starts there (phase * 2 + 1 if it does), its time (ns) and the index of its stored state.
void write_pauses(DataWriter& w, const std::vector<HtmlPause>& pauses) {
  DeltaColumn before, tick, time, state;
  IntColumn phase_start;
  for (const HtmlPause& p : pauses) {
    before.put(static_cast<std::int64_t>(p.events_before));
    tick.put(signed_of(p.tick));
    phase_start.put(static_cast<std::uint64_t>(p.phase) * 2 + (p.tick_start ? 1 : 0));
    time.put(p.now.count());
    state.put(static_cast<std::int64_t>(p.state));
  }
  w.ints("pause.events_before", before.column());
  w.ints("pause.tick", tick.column());
  w.ints("pause.phase_start", phase_start);
  w.ints("pause.time_ns", time.column());
  w.ints("pause.state", state.column());
}

// The timeline (trace/chrome.h): slices, arrows, instants, as event indexes.
void write_timeline(DataWriter& w, const Timeline& t) {
  IntColumn thread, depth, id, flow_id;
  DeltaColumn begin, from, instants;
  IntColumn length, to;
  StringColumn category, name;
  for (const auto& s : t.slices) {
    thread.put(s.thread);
    category.put(to_string(s.category));
    name.put(s.name);
    begin.put(static_cast<std::int64_t>(s.begin));
    length.put_signed(static_cast<std::int64_t>(s.end) - static_cast<std::int64_t>(s.begin));
    depth.put(s.depth);
    id.put(s.id);
  }
  for (const auto& f : t.flows) {
    from.put(static_cast<std::int64_t>(f.from));
    to.put_signed(static_cast<std::int64_t>(f.to) - static_cast<std::int64_t>(f.from));
    flow_id.put(f.id);
  }
  for (std::size_t i : t.instants) instants.put(static_cast<std::int64_t>(i));
  w.ints("slice.thread", thread);
  w.strings("slice.category", category);
  w.strings("slice.name", name);
  w.ints("slice.begin", begin.column());
  w.ints("slice.length", length);
  w.ints("slice.depth", depth);
  w.ints("slice.id", id);
  w.ints("flow.from", from.column());
  w.ints("flow.to", to);
  w.ints("flow.id", flow_id);
  w.ints("instants", instants.column());
}

std::string data_text(const HtmlRun& run) {
  Timeline t = build_timeline(run.events);
  DataWriter w;
  nlohmann::json& head = w.head();
  head["clock"] = run.clock;
  head["model"] = run.model;
  head["title"] = run.title;
  head["subtitle"] = run.subtitle;
  head["threads"] = t.threads;
  head["kinds"] = names<EventKind>();
  head["phases"] = names<Phase>();
  head["counts"] = {{"events", run.events.size()}, {"pauses", run.pauses.size()}, {"slices", t.slices.size()},
                    {"flows", t.flows.size()}, {"instants", t.instants.size()},
                    {"states", run.states.stored().size()}};
  write_events(w, run.events, t);
  write_pauses(w, run.pauses);
  write_timeline(w, t);
  // The stored states (JSON text, whole or changes) as strings: the page parses one when
  // the stepper reaches it, and their numbers (ids, times, counts) compress as the trace's.
  StringColumn states;
  for (const std::string& s : run.states.stored()) states.put(s);
  w.strings("states", states);
  return std::move(w).finish();
}

// ---- reading the data back (html_data, for tests): the JSON the page used to embed ----

class DataReader {
 public:
  explicit DataReader(std::string_view text) {
    std::size_t at = text.find('\n');
    head_ = nlohmann::json::parse(text.substr(0, at));
    for (const auto& name : head_.at("columns")) {
      const std::size_t from = at + 1;
      at = text.find('\n', from);
      columns_[name.get<std::string>()] = text.substr(from, at == std::string_view::npos ? at : at - from);
    }
  }
  const nlohmann::json& head() const { return head_; }
  std::size_t count(const char* table) const { return head_.at("counts").at(table).get<std::size_t>(); }
  IntReader ints(const std::string& name) const { return IntReader(columns_.at(name)); }
  StringReader strings(const std::string& name) const {
    return StringReader(head_.at("templates").at(name), columns_.at(name));
  }

 private:
  nlohmann::json head_;
  std::map<std::string, std::string_view> columns_;
};

// A delta column read back.
struct Sum {
  IntReader in;
  std::int64_t value = 0;
  std::int64_t next() { return value += in.get_signed(); }
};

nlohmann::json string_or_none(std::optional<std::string> s) { return s ? nlohmann::json(*s) : nlohmann::json(0); }

double micros_of_ns(std::int64_t ns) { return micros_of(std::chrono::nanoseconds(ns)); }

nlohmann::json read_events(const DataReader& r) {
  Sum time{r.ints("event.time_ns")}, tick{r.ints("event.tick")};
  IntReader shape = r.ints("event.shape"), id = r.ints("event.id");
  StringReader message = r.strings("event.message"), line = r.strings("event.line");
  StringReader origin = r.strings("event.origin"), queue = r.strings("event.queue");
  const nlohmann::json& shapes = r.head().at("shapes");
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0, n = r.count("events"); i < n; ++i) {
    const double t = micros_of_ns(time.next());
    const nlohmann::json& s = shapes.at(shape.get());  // [thread, kind, phase]
    const std::uint64_t callback = id.get();
    // content (index 8) is not in the page: a content block's line holds it
    out.push_back({t, s.at(0), s.at(1), callback, tick.next(), s.at(2), *message.get(), string_or_none(line.get()),
                   nullptr, *origin.get(), *queue.get()});
  }
  return out;
}

nlohmann::json read_pauses(const DataReader& r) {
  Sum before{r.ints("pause.events_before")}, tick{r.ints("pause.tick")}, time{r.ints("pause.time_ns")};
  Sum state{r.ints("pause.state")};
  IntReader phase_start = r.ints("pause.phase_start");
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0, n = r.count("pauses"); i < n; ++i) {
    const std::int64_t b = before.next(), k = tick.next();
    const std::uint64_t ps = phase_start.get();
    out.push_back({b, k, ps / 2, ps % 2, micros_of_ns(time.next()), state.next()});
  }
  return out;
}

void read_timeline(const DataReader& r, nlohmann::json& d) {
  IntReader thread = r.ints("slice.thread"), length = r.ints("slice.length"), depth = r.ints("slice.depth");
  IntReader id = r.ints("slice.id");
  StringReader category = r.strings("slice.category"), name = r.strings("slice.name");
  Sum begin{r.ints("slice.begin")};
  d["slices"] = nlohmann::json::array();
  for (std::size_t i = 0, n = r.count("slices"); i < n; ++i) {
    const std::int64_t b = begin.next();
    d["slices"].push_back({thread.get(), *category.get(), *name.get(), b, b + length.get_signed(), depth.get(), id.get()});
  }
  Sum from{r.ints("flow.from")}, instants{r.ints("instants")};
  IntReader to = r.ints("flow.to"), flow_id = r.ints("flow.id");
  d["flows"] = nlohmann::json::array();
  for (std::size_t i = 0, n = r.count("flows"); i < n; ++i) {
    const std::int64_t f = from.next();
    d["flows"].push_back({f, f + to.get_signed(), flow_id.get()});
  }
  d["instants"] = nlohmann::json::array();
  for (std::size_t i = 0, n = r.count("instants"); i < n; ++i) d["instants"].push_back(instants.next());
}

nlohmann::json read_data(std::string_view text) {
  const DataReader r(text);
  nlohmann::json d = nlohmann::json::object();
  for (const char* key : {"clock", "model", "title", "subtitle", "threads", "kinds", "phases"}) d[key] = r.head().at(key);
  d["events"] = read_events(r);
  d["pauses"] = read_pauses(r);
  read_timeline(r, d);
  StringReader states = r.strings("states");
  d["states"] = nlohmann::json::array();
  for (std::size_t i = 0, n = r.count("states"); i < n; ++i) d["states"].push_back(nlohmann::json::parse(*states.get()));
  return d;
}

}  // namespace

// A state equal to the previous pause point's is stored once: a tick's phases often change
// nothing the snapshot shows.
std::size_t HtmlStates::add(nlohmann::json state) {
  if (!stored_.empty() && state == last_) return stored_.size() - 1;
  const bool whole = stored_.size() % kCheckpoint == 0;
  stored_.push_back((whole ? state : state_delta(last_, state)).dump(-1, ' ', false, kReplaceInvalid));
  last_ = std::move(state);
  return stored_.size() - 1;
}

nlohmann::json html_data(const HtmlRun& run) { return read_data(data_text(run)); }

// The page around its data, appended in place: a copy of a 70 MB page per replacement
// was most of the peak memory of a 200,000-line run (issue 22).
std::string render_html(const HtmlRun& run) {
  constexpr std::string_view kTitle = "<!--ELT_TITLE-->", kData = "/*ELT_DATA*/";
  const std::string_view page = kHtmlPage;
  const std::size_t title = page.find(kTitle), data = page.find(kData);
  if (title == std::string_view::npos || data == std::string_view::npos || title > data) {
    throw std::logic_error("html_page.html lost its <!--ELT_TITLE--> or /*ELT_DATA*/ mark");
  }
  const std::string json = data_text(run);
  std::string out;
  out.reserve(page.size() + json.size() + json.size() / 64);
  out.append(page.substr(0, title));
  out += html_escape(run.title);
  out.append(page.substr(title + kTitle.size(), data - title - kTitle.size()));
  append_script_safe(out, json);
  out.append(page.substr(data + kData.size()));
  return out;
}

}  // namespace elt
