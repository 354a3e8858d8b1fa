#include "trace/html.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "trace/chrome.h"
#include "trace/describe.h"
#include "trace/format.h"

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
// element. '<' only occurs inside JSON strings, where \u003c is the same character.
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

// The page's JSON, written piece by piece: a 40,000-line run as one nlohmann tree took
// several times the page's size in memory (issue 22). The keys come in nlohmann's order
// (sorted), so the text is the one dump() of the whole tree would give.
class DataWriter {
 public:
  void key(std::string_view name) {
    out_ += out_.empty() ? '{' : ',';
    out_ += '"';
    out_ += name;
    out_ += "\":";
  }
  void value(const nlohmann::json& j) { out_ += j.dump(-1, ' ', false, kReplaceInvalid); }
  // A JSON array of `count` items, each written by item(i).
  template <typename F>
  void array(std::size_t count, F&& item) {
    out_ += '[';
    for (std::size_t i = 0; i < count; ++i) {
      if (i > 0) out_ += ',';
      item(i);
    }
    out_ += ']';
  }
  void raw(std::string_view text) { out_ += text; }
  std::string finish() && {
    out_ += '}';
    return std::move(out_);
  }

 private:
  std::string out_;
};

// Events as arrays, [time_us, thread, kind, id, tick, phase, message, text, content,
// origin, queue]: a 10,000-event run stays a few megabytes. `text`, the book's line, is
// nearly always "Thread: NAME\t MESSAGE": then it is 0, and the page builds it (it was a
// fifth of a page of timers: issue 22).
void write_events(DataWriter& w, const std::vector<TraceEvent>& events, const Timeline& t) {
  std::string text, usual;
  w.array(events.size(), [&](std::size_t i) {
    const TraceEvent& e = events[i];
    text.clear();
    render_text(e, text);
    if (!text.empty() && text.back() == '\n') text.pop_back();
    std::string message = describe(e);
    usual = "Thread: " + t.threads[t.thread_of_event[i]] + "\t " + message;
    nlohmann::json line = text == usual && !text.empty() ? nlohmann::json(0) : nlohmann::json(text);
    w.value(nlohmann::json::array({micros_of(e.time), t.thread_of_event[i], static_cast<int>(e.kind), e.id, e.tick,
                                   static_cast<int>(e.phase), std::move(message), std::move(line), e.content, e.origin,
                                   queue_label(e)}));
  });
}

// Pause points as arrays, [events_before, tick, phase, tick_start (0/1), time_us, state]:
// objects with their keys were a quarter of a page of timers (issue 22).
void write_pauses(DataWriter& w, const std::vector<HtmlPause>& pauses) {
  w.array(pauses.size(), [&](std::size_t i) {
    const HtmlPause& p = pauses[i];
    w.value(nlohmann::json::array({p.events_before, p.tick, static_cast<int>(p.phase), p.tick_start ? 1 : 0,
                                   micros_of(p.now), p.state}));
  });
}

std::string data_text(const HtmlRun& run) {
  Timeline t = build_timeline(run.events);
  DataWriter w;
  w.key("clock");
  w.value(run.clock);
  w.key("events");
  write_events(w, run.events, t);
  w.key("flows");
  w.array(t.flows.size(), [&](std::size_t i) { w.value({t.flows[i].from, t.flows[i].to, t.flows[i].id}); });
  w.key("instants");
  w.value(t.instants);
  w.key("kinds");
  w.value(names<EventKind>());
  w.key("model");
  w.value(run.model);
  w.key("pauses");
  write_pauses(w, run.pauses);
  w.key("phases");
  w.value(names<Phase>());
  w.key("slices");
  w.array(t.slices.size(), [&](std::size_t i) {
    const auto& s = t.slices[i];
    w.value({s.thread, std::string(to_string(s.category)), s.name, s.begin, s.end, s.depth, s.id});
  });
  w.key("states");
  w.array(run.states.stored().size(), [&](std::size_t i) { w.raw(run.states.stored()[i]); });
  w.key("subtitle");
  w.value(run.subtitle);
  w.key("threads");
  w.value(t.threads);
  w.key("title");
  w.value(run.title);
  return std::move(w).finish();
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

nlohmann::json html_data(const HtmlRun& run) { return nlohmann::json::parse(data_text(run)); }

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
