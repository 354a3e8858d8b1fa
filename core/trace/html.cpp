#include "trace/html.h"

#include <algorithm>
#include <chrono>
#include <optional>
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
std::string script_safe(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (char c : json) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
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

// Every kStateCheckpoint-th distinct state is stored whole; those between as what changed
// since the one before (state_delta), which the page replays from the checkpoint. A run of
// thousands of timers changes its snapshot a little at every pause point (the first 20
// timers slide on by one), and whole snapshots were most of the page (issue 22).
constexpr std::size_t kStateCheckpoint = 64;

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

void replace_once(std::string& page, std::string_view key, const std::string& value) {
  auto at = page.find(key);
  if (at != std::string::npos) page.replace(at, key.size(), value);
}

}  // namespace

nlohmann::json html_data(const HtmlRun& run) {
  Timeline t = build_timeline(run.events);
  nlohmann::json d;
  d["title"] = run.title;
  d["subtitle"] = run.subtitle;
  d["clock"] = run.clock;
  d["model"] = run.model;
  d["kinds"] = names<EventKind>();
  d["phases"] = names<Phase>();
  d["threads"] = t.threads;

  // Events as arrays, [time_us, thread, kind, id, tick, phase, message, text, content,
  // origin, queue]: a 10,000-event run stays a few megabytes.
  nlohmann::json events = nlohmann::json::array();
  std::string text;
  for (std::size_t i = 0; i < run.events.size(); ++i) {
    const TraceEvent& e = run.events[i];
    text.clear();
    render_text(e, text);
    if (!text.empty() && text.back() == '\n') text.pop_back();
    events.push_back(nlohmann::json::array({micros_of(e.time), t.thread_of_event[i], static_cast<int>(e.kind), e.id,
                                            e.tick, static_cast<int>(e.phase), describe(e), text, e.content,
                                            e.origin, queue_label(e)}));
  }
  d["events"] = std::move(events);

  nlohmann::json slices = nlohmann::json::array();
  for (const auto& s : t.slices) {
    slices.push_back(nlohmann::json::array(
        {s.thread, std::string(to_string(s.category)), s.name, s.begin, s.end, s.depth, s.id}));
  }
  d["slices"] = std::move(slices);
  d["instants"] = t.instants;
  nlohmann::json flows = nlohmann::json::array();
  for (const auto& f : t.flows) flows.push_back(nlohmann::json::array({f.from, f.to, f.id}));
  d["flows"] = std::move(flows);

  // A state equal to the previous pause point's is stored once: a tick's phases often
  // change nothing the snapshot shows.
  nlohmann::json pauses = nlohmann::json::array();
  nlohmann::json states = nlohmann::json::array();
  const nlohmann::json* last = nullptr;  // the last distinct state, whole
  std::size_t distinct = 0;
  for (const auto& p : run.pauses) {
    if (last == nullptr || *last != p.state) {
      states.push_back(distinct % kStateCheckpoint == 0 ? p.state : state_delta(*last, p.state));
      last = &p.state;
      ++distinct;
    }
    pauses.push_back({{"e", p.events_before},
                      {"tick", p.tick},
                      {"phase", static_cast<int>(p.phase)},
                      {"start", p.tick_start},
                      {"t", micros_of(p.now)},
                      {"s", distinct - 1}});
  }
  d["pauses"] = std::move(pauses);
  d["states"] = std::move(states);
  return d;
}

std::string render_html(const HtmlRun& run) {
  std::string page(kHtmlPage);
  replace_once(page, "<!--ELT_TITLE-->", html_escape(run.title));
  replace_once(page, "/*ELT_DATA*/",
               script_safe(html_data(run).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  return page;
}

}  // namespace elt
