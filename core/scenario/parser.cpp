// Scenario JSON -> Scenario. Every check names the file, the line:column and the JSON path.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstring>
#include <exception>
#include <functional>
#include <optional>
#include <set>
#include <sstream>
#include <type_traits>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "common/check.h"
#include "common/did_you_mean.h"
#include "loop/limits.h"
#include "scenario/actions/action.h"
#include "loop/model_kinds.h"
#include "scenario/scenario.h"
#include "trace/format.h"

namespace elt::scenario {

using nlohmann::json;

// The file's name is shown as the trace shows scenario text (trace/format.h): a name with
// escape codes or a newline must not drive the terminal or forge a line of the message.
ScenarioError::ScenarioError(std::string file, std::string where, std::string what)
    : std::runtime_error(where.empty() ? fmt::format("{}: {}", shown_on_one_line(file), what)
                                       : fmt::format("{}:{}: {}", shown_on_one_line(file), where, what)),
      file_(std::move(file)),
      where_(std::move(where)),
      problem_(std::move(what)) {}

namespace {

// JSON nesting allowed in a file (objects and arrays). Scenarios nest callbacks a few
// levels deep; 100,000 levels is an attack or an accident, refused before it can hurt.
constexpr int kMaxJsonDepth = 256;
constexpr std::uintmax_t kMaxFileBytes = 64 * 1024 * 1024;

// Messages quote the user's keys and values; a 10 MB key must not become a 10 MB message.
constexpr std::size_t kMaxMessage = 400;
// The user's text in a message is shown as the trace shows scenario text on one line
// (trace/format.h): control characters (an escape sequence in a garbage file), newlines,
// bidirectional overrides (which would reorder a quoted key on screen) and bytes that are
// not UTF-8 appear escaped, so that a message can never drive the terminal or mislead.
std::string clip(std::string s, std::size_t max = kMaxMessage) {
  if (s.size() > max) {
    s.resize(max);
    s += "...";
  }
  return shown_on_one_line(s);
}

// A JSON string literal for a message; bytes that are not UTF-8 (a cut character, binary
// garbage) become U+FFFD instead of throwing.
std::string quote(const std::string& s) {
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

struct LineCol {
  std::size_t line = 1;
  std::size_t column = 1;
};

// Where each line starts, found in one pass over the text, so that any byte offset becomes
// line:column by a binary search; counting from the start of the file for each action
// would make a file of many actions quadratic. Columns count bytes, as editors that show a
// byte column do; a tab is one column.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) : size_(text.size()) {
    starts_.push_back(0);
    for (const char* p = text.data(); (p = static_cast<const char*>(
                                           std::memchr(p, '\n', text.data() + text.size() - p))) != nullptr;) {
      ++p;
      starts_.push_back(static_cast<std::size_t>(p - text.data()));
    }
  }

  LineCol at(std::size_t offset) const {
    offset = std::min(offset, size_);
    auto after = std::upper_bound(starts_.begin(), starts_.end(), offset);
    return {static_cast<std::size_t>(after - starts_.begin()), offset - *(after - 1) + 1};
  }

 private:
  std::size_t size_;
  std::vector<std::size_t> starts_;
};

// Where every value of the parsed tree starts in the text, keyed by the value's address in
// the tree. The tree is complete and never changes once parsing ends, so the addresses stay
// valid for as long as the tree lives.
class Locations {
 public:
  void add(const json* value, std::size_t offset) { entries_.push_back({value, offset}); }

  // Called once, when the tree is complete: lookups are then binary searches. (std::less,
  // not <: only it orders pointers into different allocations.)
  void seal() { seal_from(0); }

  // While the tree is still being built, the entries added since `mark` (one program
  // action's values) can be sealed on their own, searched, and then dropped with the action.
  std::size_t mark() const { return entries_.size(); }
  void seal_from(std::size_t mark) {
    std::sort(entries_.begin() + static_cast<std::ptrdiff_t>(mark), entries_.end(),
              [](const Entry& a, const Entry& b) { return std::less<const json*>()(a.value, b.value); });
    sealed_from_ = mark;
  }
  void drop_from(std::size_t mark) { entries_.resize(mark); }

  std::optional<std::size_t> find(const json* value) const {
    auto begin = entries_.begin() + static_cast<std::ptrdiff_t>(std::min(sealed_from_, entries_.size()));
    auto it = std::lower_bound(begin, entries_.end(), value,
                               [](const Entry& e, const json* v) { return std::less<const json*>()(e.value, v); });
    if (it == entries_.end() || it->value != value) return std::nullopt;
    return it->offset;
  }

 private:
  struct Entry {
    const json* value;
    std::size_t offset;
  };
  std::vector<Entry> entries_;
  std::size_t sealed_from_ = 0;
};

// Builds the JSON tree from nlohmann's SAX events, in one pass and time linear in the
// file, and records where each value starts. It also refuses what JSON allows but a
// scenario must not have: a key twice in one object (nlohmann's own tree would keep the
// last one silently) and absurd nesting.
//
// SAX events carry no position, so the builder follows the text itself: every token
// except ',' and ':' produces exactly one event, in order, and nlohmann has checked the
// token before it reports it. At each event the builder steps over white space, ',' and
// ':' to the token's first byte (that is where the value starts) and then over the token.
// Each byte is read twice in all: once by nlohmann's lexer and once here.
//
// (nlohmann's callback parser, used before, rescans the parent container at the end of
// every object; 400,000 sibling actions took 41 s.)
class TreeBuilder {
 public:
  explicit TreeBuilder(std::string_view text) : text_(text) {}

  enum class Stop { None, Syntax, Overflow, Duplicate, TooDeep };

  // Result of the parse.
  json root;
  Locations locations;
  Stop stop = Stop::None;
  std::size_t error_offset = 0;  // Syntax: where nlohmann stopped; Duplicate: the second key
  std::string error;             // Syntax, Overflow: nlohmann's message; Duplicate: the key

  // Streaming: when set, each element of the top-level "program" array is handed over as
  // soon as it is complete and then freed, so that the tree never holds the whole program
  // (400,000 sibling actions took 100 MB of tree). It returns false to stop streaming (the
  // element had an error, reported later); the rest of the array is then kept as usual.
  // `expected` guesses how many elements the array has, from the first one's size and the
  // bytes left (exact for a generated program of alike actions); 0 after the first.
  std::function<bool(const json& element, std::size_t expected)> on_program_element;
  bool streamed = false;  // "program" was an array and its elements went to on_program_element

  // --- nlohmann's SAX interface (json_sax<json>) ---
  bool null() { return value(json(nullptr)); }
  bool boolean(bool b) { return value(json(b)); }
  bool number_integer(json::number_integer_t n) { return value(json(n)); }
  bool number_unsigned(json::number_unsigned_t n) { return value(json(n)); }
  bool number_float(json::number_float_t n, const json::string_t& /*text: found again at its offset*/) {
    return value(json(n));
  }
  bool string(json::string_t& s) { return value(json(std::move(s))); }
  bool binary(json::binary_t& b) { return value(json(std::move(b))); }  // never sent for JSON text

  bool start_object(std::size_t /*unknown*/) { return open(json::object()); }
  bool start_array(std::size_t /*unknown*/) { return open(json::array()); }

  bool key(json::string_t& k) {
    std::size_t at = next_token('"');
    program_key_ = open_.size() == 1 && k == "program";
    auto [it, inserted] = open_.back().node->get_ref<json::object_t&>().try_emplace(std::move(k));
    if (!inserted) {
      stop = Stop::Duplicate;
      error_offset = at;
      error = it->first;
      return false;
    }
    member_ = &it->second;  // a std::map node: its address never changes
    return true;
  }

  bool end_object() {
    next_token('}');
    open_.pop_back();
    if (streaming_element()) stream_element();
    return true;
  }

  bool end_array() {
    next_token(']');
    // Only now is the array's storage final: earlier, adding an element could move the
    // ones before it. Moving the array itself later moves a pointer, not the elements.
    Open& closed = open_.back();
    const auto& elements = closed.node->get_ref<const json::array_t&>();
    // A streamed program's elements are gone (null), and their positions with them.
    std::size_t first = closed.node == program_ ? streamed_count_ : 0;
    for (std::size_t i = first; i < elements.size(); ++i) locations.add(&elements[i], closed.element_offsets[i]);
    open_.pop_back();
    if (streaming_element()) stream_element();
    return true;
  }

  template <class Exception>
  bool parse_error(std::size_t position, const std::string& /*last_token*/, const Exception& ex) {
    // A syntax error is a json::parse_error; a number too large for a double (1e400) is an
    // out_of_range error reported the same way.
    stop = std::is_same_v<Exception, json::parse_error> ? Stop::Syntax : Stop::Overflow;
    error_offset = position > 0 ? position - 1 : 0;
    error = ex.what();
    return false;
  }

  // After a successful parse: the root's own position, and lookups become possible.
  void finish() {
    locations.add(&root, root_offset_);
    locations.seal();
  }

 private:
  struct Open {
    json* node;
    std::vector<std::size_t> element_offsets;  // arrays: where each element starts
  };

  // Places a new value in the open container (or as the root) and returns it.
  json* place(json&& v, std::size_t at) {
    if (open_.empty()) {
      root = std::move(v);
      root_offset_ = at;
      return &root;
    }
    Open& parent = open_.back();
    if (parent.node->is_object()) {
      *member_ = std::move(v);
      locations.add(member_, at);
      return member_;
    }
    auto& elements = parent.node->get_ref<json::array_t&>();
    if (parent.node == program_) element_mark_ = locations.mark();
    elements.push_back(std::move(v));
    parent.element_offsets.push_back(at);
    return &elements.back();
  }

  bool value(json&& v) {
    std::size_t at = next_token(0);
    place(std::move(v), at);
    if (streaming_element()) stream_element();
    return true;
  }

  // Whether the value just completed is an element of the streamed program array.
  bool streaming_element() const {
    return program_ != nullptr && open_.size() == 2 && open_.back().node == program_ &&
           streamed_count_ + 1 == program_->size();
  }

  // Hands the element over with its own positions searchable, then frees it.
  void stream_element() {
    auto& elements = program_->get_ref<json::array_t&>();
    json& element = elements.back();
    locations.add(&element, open_.back().element_offsets.back());
    locations.seal_from(element_mark_);
    std::size_t expected = 0;
    if (streamed_count_ == 0) {
      std::size_t bytes = std::max<std::size_t>(pos_ - open_.back().element_offsets.back(), 1);
      expected = (text_.size() - pos_) / bytes + 1;
    }
    if (!on_program_element(element, expected)) {
      program_ = nullptr;  // stop streaming: the rest is kept, and located at end_array
      locations.drop_from(element_mark_);
      return;
    }
    element = nullptr;
    locations.drop_from(element_mark_);
    ++streamed_count_;
  }

  bool open(json&& container) {
    // nlohmann's callback parser counted depth as the containers already open; so does
    // this, so the limit means what it meant.
    if (open_.size() >= static_cast<std::size_t>(kMaxJsonDepth)) {
      stop = Stop::TooDeep;
      return false;
    }
    bool is_array = container.is_array();
    std::size_t at = next_token(container.is_object() ? '{' : '[');
    open_.push_back({place(std::move(container), at), {}});
    if (is_array && open_.size() == 2 && program_key_ && on_program_element) {
      program_ = open_.back().node;
      streamed = true;
    }
    program_key_ = false;
    return true;
  }

  // Steps to the next token, checks that it is the one nlohmann reported (`expect`, or 0
  // for a scalar value), steps over it, and returns where it starts.
  std::size_t next_token(char expect) {
    while (pos_ < text_.size() && std::strchr(" \t\r\n,:", text_[pos_]) != nullptr && text_[pos_] != '\0') ++pos_;
    ensure(pos_ < text_.size() && (expect == 0 || text_[pos_] == expect),
           "scenario parser: JSON token positions out of step with nlohmann's events");
    std::size_t start = pos_;
    char c = text_[pos_];
    if (c == '"') {
      ++pos_;
      while (pos_ < text_.size() && text_[pos_] != '"') pos_ += text_[pos_] == '\\' ? 2 : 1;
      ++pos_;
    } else if (c == 't' || c == 'n') {
      pos_ += 4;
    } else if (c == 'f') {
      pos_ += 5;
    } else if (c == '{' || c == '[' || c == '}' || c == ']') {
      ++pos_;
    } else {
      while (pos_ < text_.size() && std::strchr("0123456789+-.eE", text_[pos_]) != nullptr && text_[pos_] != '\0') {
        ++pos_;
      }
    }
    return start;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::vector<Open> open_;
  json* member_ = nullptr;  // the member of the innermost object whose key came last
  bool program_key_ = false;       // the last key was the top-level "program"
  json* program_ = nullptr;        // the program array while its elements are streamed
  std::size_t streamed_count_ = 0;  // its elements handed over (and freed) so far
  std::size_t element_mark_ = 0;   // where the current element's locations start
  std::size_t root_offset_ = 0;
};

// The number exactly as the file wrote it, if it is a whole number: nlohmann keeps integers
// beyond 64 bits only as a double, which would print 2^64 as 1.8446744073709552e+19.
std::optional<std::string_view> integer_text(std::string_view text, std::size_t offset) {
  std::size_t end = offset;
  if (end < text.size() && text[end] == '-') ++end;
  std::size_t digits = end;
  while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
  if (end == digits) return std::nullopt;
  if (end < text.size() && std::strchr(".eE", text[end]) != nullptr && text[end] != '\0') return std::nullopt;
  return text.substr(offset, end - offset);
}
std::vector<std::string> split_pointer(const std::string& pointer) {
  std::vector<std::string> tokens;
  std::size_t start = 1;
  while (start <= pointer.size() && !pointer.empty()) {
    auto slash = pointer.find('/', start);
    std::string raw = pointer.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    // JSON pointer escapes: ~1 is '/', ~0 is '~'
    std::string token;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token += raw[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        token += raw[i];
      }
    }
    tokens.push_back(std::move(token));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return tokens;
}

// `number`: a number as the file wrote it, when it differs from what nlohmann holds.
std::string describe(const json& j, std::optional<std::string_view> number = std::nullopt) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return fmt::format("the boolean {}", j.get<bool>());
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return fmt::format("the number {}", number ? std::string(*number) : j.dump());
    case json::value_t::string: {
      std::string s = j.get<std::string>();
      if (s.size() > 40) s = s.substr(0, 40) + "...";
      return fmt::format("the string {}", quote(s));
    }
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    default: return "an unknown value";
  }
}

// "print, print_content, ...": every action's name, in the registry's order.
std::string action_list() {
  std::string out;
  for (const ActionSpec* spec : action_specs()) out += fmt::format("{}{}", out.empty() ? "" : ", ", spec->name);
  return out;
}

class Parser final : public ActionReader, public WorkPlanner {
 public:
  Parser(std::string_view text, std::string file, const json& root, const Locations& locations,
         const LineIndex& lines)
      : text_(text), file_(std::move(file)), root_(root), locations_(locations), lines_(lines) {}


  // One action of the top-level program, read while the rest of the file is still being
  // parsed (parse_scenario streams them). An error is kept and reported where
  // parse_document would have found it, so that messages come in the same order as when
  // the whole tree was read first; returns false then.
  bool add_program_action(const json& j, std::size_t expected) {
    // Growing by doubling moved every action about twice and touched twice the memory.
    // The guess is capped by the most actions a run may have: a program over it is refused.
    if (program_.empty()) program_.reserve(std::min<std::size_t>(expected, kMaxActions + 1));
    try {
      program_.push_back(parse_action(j, fmt::format("/program/{}", program_.size()), 0));
      return true;
    } catch (const ScenarioError&) {
      program_error_ = std::current_exception();
      return false;
    }
  }

  // Set when the program's actions came through add_program_action.
  void set_streamed(bool streamed) { streamed_ = streamed; }

  Scenario parse_document(const json& root) {
    Scenario out;
    if (!root.is_object()) {
      fail("", fmt::format("a scenario is a JSON object with \"program\" (an array of actions); found {}",
                           describe(root)));
    }
    for (const auto& [key, value] : root.items()) {
      if (key != "description" && key != "settings" && key != "program" && key != "$schema" && key != "verify") {
        fail("/" + pointer_token(key), fmt::format("unknown top-level key \"{}\"; expected \"description\", \"settings\", "
                                    "\"program\", \"verify\" or \"$schema\"", key));
      }
    }
    if (root.contains("description")) {
      if (!root["description"].is_string()) fail("/description", "\"description\" must be a string");
      out.description = root["description"].get<std::string>();
    }
    if (root.contains("settings")) out.settings = parse_settings(root["settings"]);
    if (root.contains("verify")) parse_verify(root["verify"], out);
    if (!root.contains("program")) fail("", "missing \"program\": the list of actions to run");
    if (program_error_) std::rethrow_exception(program_error_);
    out.program = streamed_ ? std::move(program_) : parse_actions(root["program"], "/program", 0);
    for (const auto& [name, where] : clears_) {
      if (handles_.count(name) == 0) {
        fail_where(where, fmt::format("no timer, interval or immediate has \"id\": \"{}\" in this scenario", name));
      }
    }
    for (const auto& [name, value] : out.settings.limits) {
      if (name == "actions") actions_cap_ = static_cast<std::uint64_t>(value);
    }
    if (command_line_actions) actions_cap_ = *command_line_actions;
    check_total_work(out.program);
    return out;
  }

 private:
  [[noreturn]] void fail_where(const std::string& where, const std::string& what) {
    throw ScenarioError(file_, clip(where, 200), clip(what));
  }

  // "3:7 (at /program/2/print)", or "(at ...)" when the value has no known position.
  std::string where_of(const std::string& pointer) const {
    std::string where = pointer.empty() ? "/" : pointer;
    if (auto offset = offset_of(pointer)) {
      auto lc = lines_.at(*offset);
      return fmt::format("{}:{} (at {})", lc.line, lc.column, where);
    }
    return fmt::format("(at {})", where);
  }

  // The same place as fail(a.json_path), from the position the action kept: a streamed
  // action's values are no longer in the tree.
  [[noreturn]] void fail_action(const Action& a, const std::string& what) {
    fail_where(a.line > 0 ? fmt::format("{}:{} (at {})", a.line, a.column, a.json_path)
                          : fmt::format("(at {})", a.json_path),
               what);
  }

  // Where the value at a JSON pointer starts: the pointer is walked down the tree (keys as
  // nlohmann decoded them, so an escaped key such as "\u0070rint" is found too) and the
  // value's recorded position looked up.
  std::optional<std::size_t> offset_of(const std::string& pointer) const {
    const json* node = &root_;
    if (!pointer.empty()) {
      for (const auto& token : split_pointer(pointer)) {
        if (node->is_object()) {
          auto it = node->find(token);
          if (it == node->end()) return std::nullopt;
          node = &*it;
        } else if (node->is_array()) {
          std::size_t index = 0;
          auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
          if (token.empty() || ec != std::errc() || end != token.data() + token.size() || index >= node->size()) {
            return std::nullopt;
          }
          node = &(*node)[index];
        } else {
          return std::nullopt;
        }
      }
    }
    return locations_.find(node);
  }

  // The cap on total work (kMaxActions), checked before anything runs where the file
  // says how much there will be. An action counts once each time it runs; each spec's
  // plan says how often its callbacks run (plan_once: once, the larger of then and catch;
  // a repeat with a literal count: that many times, so counts multiply through nesting).
  // A count that is a template is unknown here and counts as 0: the interpreter's
  // run-time counter catches what this cannot see.
  void check_total_work(const std::vector<Action>& program) {
    std::uint64_t total = planned_work(program);
    if (total > actions_cap_) {
      fail("/program", fmt::format("the program would create {} actions; a run may create at most {} (see \"Limits\" "
                                   "in docs/scenario-format.md)", count_text(total), count_text(actions_cap_)));
    }
  }

  // The file's settings.limits.actions, else the default. Unlike the other limits,
  // --limit actions=N raises only the count while the run goes: the file is checked as it
  // is read, before the command line's limits are applied.
  std::uint64_t actions_cap_ = kMaxActions;

 public:
  std::optional<std::uint64_t> command_line_actions;  // --limit actions, which wins

 private:

  std::uint64_t planned_work(const std::vector<Action>& actions) {
    std::uint64_t total = 0;
    for (const Action& a : actions) total = saturating_add(total, planned_work(a));
    return total;
  }

  // Reports the innermost action whose own total is over the cap: the one to change.
  std::uint64_t planned_work(const Action& a) {
    std::uint64_t total = action_spec(a.kind).plan(*this, a);
    if (total > actions_cap_) {
      fail_action(a, fmt::format("this action and its callbacks would create {} actions; a run may create at most "
                                    "{} (see \"Limits\" in docs/scenario-format.md)", count_text(total),
                                    count_text(actions_cap_)));
    }
    return total;
  }

  // ---- WorkPlanner: what an action's own plan function uses ----

  std::uint64_t planned(const std::vector<Action>& actions) override { return planned_work(actions); }
  std::uint64_t cap() const override { return actions_cap_; }
  [[noreturn]] void refuse(const Action& a, const std::string& what) override { fail_action(a, what); }

  // Fills the action's line and column: where its object's '{' is.
  void locate(Action& a, const json& object) const {
    if (auto offset = locations_.find(&object)) {
      auto lc = lines_.at(*offset);
      a.line = lc.line;
      a.column = lc.column;
    }
  }


  std::optional<std::string_view> whole_number_text(const json& j) const {
    if (!j.is_number_float()) return std::nullopt;
    auto offset = locations_.find(&j);
    if (!offset) return std::nullopt;
    return integer_text(text_, *offset);
  }

  Settings parse_settings(const json& j) {
    Settings s;
    if (!j.is_object()) fail("/settings", fmt::format("\"settings\" must be an object; found {}", describe(j)));
    for (const auto& [key, value] : j.items()) {
      std::string path = "/settings/" + pointer_token(key);
      if (key == "threads") {
        s.threads = whole(value, path, 1, kMaxThreads, "the number of pool threads");
      } else if (key == "http_latency_ms") {
        s.http_latency_ms = whole(value, path, 0, 60'000, "a network latency in ms");
      } else if (key == "http_timeout_ms") {
        s.http_timeout_ms = whole(value, path, 1, kMaxDelayMs, "an HTTP timeout in ms");
      } else if (key == "model") {
        if (!value.is_string() || find_model_kind(value.get<std::string>()) == nullptr) {
          fail(path, fmt::format("\"model\" is {}; found {}", model_names_quoted(), describe(value)));
        }
        s.model = value.get<std::string>();
      } else if (key == "limits") {
        s.limits = parse_limits(value, path);
      } else {
        fail(path, fmt::format("unknown setting \"{}\"; expected \"threads\", \"http_latency_ms\", "
                               "\"http_timeout_ms\", \"model\" or \"limits\"", key));
      }
    }
    return s;
  }

  // "limits": {"callbacks": 1000, ...}, each a name of loop/limits.h and a whole number.
  std::vector<std::pair<std::string, std::int64_t>> parse_limits(const json& j, const std::string& path) {
    if (!j.is_object()) {
      fail(path, fmt::format("\"limits\" must be an object such as {{\"callbacks\": 100000}}; found {}", describe(j)));
    }
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (const auto& [key, value] : j.items()) {
      std::string at = path + "/" + pointer_token(key);
      if (RunLimits probe; !probe.set(key, 0)) {
        std::vector<std::string> names(kLimitNames.begin(), kLimitNames.end());
        std::string hint = did_you_mean(key, names);
        fail(at, fmt::format("unknown limit \"{}\"; {}", key,
                             hint.empty() ? fmt::format("expected one of {}", fmt::join(kLimitNames, ", "))
                                          : fmt::format("did you mean \"{}\"?", hint)));
      }
      std::int64_t n = whole(value, at, 1, static_cast<std::int64_t>(kMaxLimitValue), "a limit");
      // The defaults protect the one who runs this file: the file may lower them, never raise.
      if (static_cast<std::uint64_t>(n) > default_limit(key)) {
        fail(at, fmt::format("a scenario may only lower a limit: {} is above the default {} of {}; raising it needs "
                             "the command line (--limit {}=N)",
                             grouped(static_cast<std::uint64_t>(n)), key, grouped(default_limit(key)), key));
      }
      out.emplace_back(key, n);
    }
    return out;
  }

  void parse_verify(const json& j, Scenario& out) {
    if (!j.is_object()) fail("/verify", fmt::format("\"verify\" must be an object such as {{\"racy\": true, \"why\": "
                                                    "\"...\"}}; found {}", describe(j)));
    for (const auto& [key, value] : j.items()) {
      std::string path = "/verify/" + pointer_token(key);
      if (key == "racy") {
        if (!value.is_boolean()) fail(path, fmt::format("\"racy\" must be true or false; found {}", describe(value)));
        out.racy_in_node = value.get<bool>();
        out.racy_declared = true;
      } else if (key == "why") {
        if (!value.is_string()) fail(path, fmt::format("\"why\" must be a string; found {}", describe(value)));
        out.racy_why = value.get<std::string>();
      } else {
        fail(path, fmt::format("unknown key \"{}\" in \"verify\"; expected \"racy\" or \"why\"", key));
      }
    }
  }

  std::int64_t whole(const json& j, const std::string& path, std::int64_t lo, std::int64_t hi,
                     std::string_view what) override {
    if (auto digits = whole_number_text(j)) {  // beyond 64 bits, so beyond any range here
      fail(path, fmt::format("{} is out of range: expected {} from {} to {}", *digits, what, lo, hi));
    }
    if (!j.is_number_integer() && !j.is_number_unsigned()) {
      fail(path, fmt::format("expected {} (a whole number from {} to {}); found {}", what, lo, hi, describe(j)));
    }
    if (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)) {
      fail(path, fmt::format("{} is out of range: expected {} from {} to {}", j.dump(), what, lo, hi));
    }
    std::int64_t v = j.get<std::int64_t>();
    if (v < lo || v > hi) fail(path, fmt::format("{} is out of range: expected {} from {} to {}", v, what, lo, hi));
    return v;
  }

  IntArg int_arg(const json& j, const std::string& path, std::int64_t lo, std::int64_t hi,
                 std::string_view what) override {
    IntArg arg;
    if (j.is_string()) {
      arg.expr = parse_template(j.get<std::string>(), path);
      if (arg.expr.is_literal()) {
        fail(path, fmt::format("expected {}: a whole number, or a string with a ${{...}} reference; "
                               "found {}", what, describe(j)));
      }
      return arg;
    }
    arg.literal = whole(j, path, lo, hi, what);
    return arg;
  }

  Template parse_template(const std::string& text, const std::string& path) override {
    Template t;
    t.source = text;
    std::string literal;
    std::size_t i = 0;
    while (i < text.size()) {
      if (text.compare(i, 3, "$${") == 0) {  // escape: a literal "${"
        literal += "${";
        i += 3;
        continue;
      }
      if (text.compare(i, 2, "${") == 0) {
        auto close = text.find('}', i + 2);
        if (close == std::string::npos) fail(path, fmt::format("unclosed \"${{\" in {}", quote(text)));
        std::string expr = text.substr(i + 2, close - i - 2);
        Template::Segment seg;
        std::stringstream parts(expr);
        std::string part;
        while (std::getline(parts, part, '.')) seg.path.push_back(part);
        if (expr.empty() || expr.back() == '.' ||
            std::any_of(seg.path.begin(), seg.path.end(), [](const std::string& p) {
              return p.empty() || !std::all_of(p.begin(), p.end(), [](unsigned char c) {
                return std::isalnum(c) || c == '_' || c == '-';
              });
            })) {
          fail(path, fmt::format("\"${{{}}}\" is not a reference: write ${{name}} or ${{name.field}}", expr));
        }
        if (std::find(scope_.begin(), scope_.end(), seg.path[0]) == scope_.end()) {
          std::string known;
          for (const auto& name : scope_) known += (known.empty() ? "" : ", ") + name;
          fail(path, fmt::format("\"${{{}}}\": no value named \"{}\" here; names in scope: {}", expr,
                                 seg.path[0], known.empty() ? "none (only callbacks and repeat bind names)" : known));
        }
        if (!literal.empty()) t.segments.push_back({std::move(literal), {}});
        literal.clear();
        t.segments.push_back(std::move(seg));
        i = close + 1;
        continue;
      }
      literal += text[i++];
    }
    if (!literal.empty() || t.segments.empty()) t.segments.push_back({std::move(literal), {}});
    return t;
  }

  std::vector<Action> parse_actions(const json& j, const std::string& path, int depth,
                                    const std::function<void()>& at_end = nullptr) {
    if (!j.is_array()) fail(path, fmt::format("expected an array of actions; found {}", describe(j)));
    if (depth > kMaxNesting) fail(path, fmt::format("callbacks nested deeper than {} levels", kMaxNesting));
    std::vector<Action> out;
    out.reserve(j.size());
    const std::size_t names = scope_.size();  // a let's name ends with its list
    for (std::size_t i = 0; i < j.size(); ++i) out.push_back(parse_action(j[i], fmt::format("{}/{}", path, i), depth));
    if (at_end) at_end();
    scope_.resize(names);
    return out;
  }

  // The action an object is: exactly one of its keys names one.
  const ActionSpec& which_action(const json& j, const std::string& path) {
    if (!j.is_object()) {
      fail(path, fmt::format("expected an action object such as {{\"print\": \"hello\"}}; found {}", describe(j)));
    }
    // The object's own keys (one to four) looked up among the names, not each of the 17
    // names looked up in the object; the message names them in the registry's order.
    const ActionSpec* first = nullptr;
    const ActionSpec* second = nullptr;
    for (const auto& [key, value] : j.items()) {
      const ActionSpec* spec = find_action(key);
      if (spec == nullptr) continue;
      if (first == nullptr || spec->kind < first->kind) {
        second = first;
        first = spec;
      } else if (second == nullptr || spec->kind < second->kind) {
        second = spec;
      }
    }
    if (first == nullptr) unknown_action(j, path);
    if (second != nullptr) {
      fail(path, fmt::format("one action per object: found both \"{}\" and \"{}\"", first->name, second->name));
    }
    return *first;
  }

  [[noreturn]] void unknown_action(const json& j, const std::string& path) {
    std::vector<std::string> names;
    for (const ActionSpec* spec : action_specs()) names.emplace_back(spec->name);
    std::string keys, suggestion;
    for (const auto& [key, value] : j.items()) {
      keys += (keys.empty() ? "\"" : ", \"") + key + "\"";
      if (suggestion.empty()) suggestion = did_you_mean(key, names);
    }
    fail(path, fmt::format("unknown action (keys {}){}; expected one of: {}", keys.empty() ? "none" : keys,
                           suggestion.empty() ? "" : fmt::format("; did you mean \"{}\"?", suggestion),
                           action_list()));
  }

  // Every other key must be one the action takes.
  void allow_keys(const ActionSpec& spec, const json& j, const std::string& path) {
    for (const auto& [key, value] : j.items()) {
      if (key == spec.name) continue;
      if (std::find(spec.keys.begin(), spec.keys.end(), key) == spec.keys.end()) {
        std::string list;
        for (std::string_view k : spec.keys) list += fmt::format("{}\"{}\"", list.empty() ? "" : ", ", k);
        fail(path + "/" + pointer_token(key), fmt::format("\"{}\" does not take \"{}\"{}", spec.name, key,
                                                          list.empty() ? std::string() : "; it takes " + list));
      }
    }
  }

  Action parse_action(const json& j, const std::string& path, int depth) {
    const ActionSpec& spec = which_action(j, path);
    Action a;
    a.kind = spec.kind;
    a.json_path = path;
    locate(a, j);
    allow_keys(spec, j, path);
    std::string at = fmt::format("{}/{}", path, spec.name);
    spec.parse(*this, ActionSource{j, j[std::string(spec.name)], path, at, depth}, a);
    return a;
  }

  // ---- ActionReader: what an action's own parse function uses ----

  [[noreturn]] void fail(const std::string& pointer, const std::string& what) override {
    fail_where(where_of(pointer), what);
  }
  // Every message that shows a value goes through here, so that a whole number too large
  // for 64 bits is shown as the file wrote it.
  std::string describe(const json& j) const override { return elt::scenario::describe(j, whole_number_text(j)); }
  Template text(const json& v, const std::string& pointer, std::string_view what) override {
    if (!v.is_string()) fail(pointer, fmt::format("expected {} (a string); found {}", what, describe(v)));
    return parse_template(v.get<std::string>(), pointer);
  }
  std::vector<Action> actions(const json& list, const std::string& pointer, int depth) override {
    return parse_actions(list, pointer, depth + 1);
  }
  std::vector<Action> actions(const json& list, const std::string& pointer, int depth,
                              const std::function<void()>& at_end) override {
    return parse_actions(list, pointer, depth + 1, at_end);
  }
  std::size_t scope_mark() const override { return scope_.size(); }
  void bind(const std::string& name) override { scope_.push_back(name); }
  void unbind_to(std::size_t mark) override { scope_.resize(mark); }
  bool in_scope(const std::string& name) const override {
    return std::find(scope_.begin(), scope_.end(), name) != scope_.end();
  }
  void note_handle(const std::string& name) override { handles_.insert(name); }
  void note_clear(const std::string& name, const std::string& pointer) override {
    clears_.emplace_back(name, where_of(pointer));
  }

  std::string_view text_;
  std::string file_;
  const json& root_;
  const Locations& locations_;
  const LineIndex& lines_;
  std::vector<std::string> scope_;  // names visible at the action being parsed
  std::set<std::string> handles_;   // every "id" a timer, interval or immediate gives itself
  std::vector<std::pair<std::string, std::string>> clears_;  // clear_*: name, where (as fail shows it)
  std::vector<Action> program_;    // the streamed top-level actions
  bool streamed_ = false;
  std::exception_ptr program_error_;  // the first error in a streamed action
};

const Action* find_node_only(const std::vector<Action>& actions) {
  for (const Action& a : actions) {
    if (action_spec(a.kind).needs_node) return &a;
    if (const Action* inner = find_node_only(a.then)) return inner;
    if (const Action* inner = find_node_only(a.detail().on_error)) return inner;
    for (const auto& step : a.detail().chain) {
      if (const Action* inner = find_node_only(step.body)) return inner;
    }
  }
  return nullptr;
}

}  // namespace

Scenario parse_scenario(std::string_view text, const std::string& file, const std::filesystem::path& base_dir,
                        std::optional<std::uint64_t> actions) {
  if (text.empty() || std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); })) {
    throw ScenarioError(file, "", "the file is empty; a scenario is a JSON object with \"program\"");
  }
  if (text.starts_with("\xEF\xBB\xBF")) {
    throw ScenarioError(file, "1:1", "the file starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM");
  }

  LineIndex lines(text);
  auto error_at = [&](std::size_t offset, const std::string& what) -> ScenarioError {
    auto lc = lines.at(offset);
    return ScenarioError(file, fmt::format("{}:{}", lc.line, lc.column), what);
  };

  TreeBuilder builder(text);
  Parser parser(text, file, builder.root, builder.locations, lines);
  parser.command_line_actions = actions;
  builder.on_program_element = [&parser](const json& element, std::size_t expected) {
    return parser.add_program_action(element, expected);
  };
  json::sax_parse(text, &builder);
  switch (builder.stop) {
    case TreeBuilder::Stop::None: break;
    case TreeBuilder::Stop::Syntax: {
      // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..."
      const std::string& what = builder.error;
      auto colon = what.find(": ");
      std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
      if (builder.error_offset >= text.size()) reason = "the JSON ends too early (truncated file?): " + reason;
      throw error_at(builder.error_offset, clip("invalid JSON: " + reason));
    }
    case TreeBuilder::Stop::Overflow: {
      // Not a syntax error but a value JSON allows and nlohmann cannot hold (1e400).
      // nlohmann reports it as an out_of_range error without a place, stopped one character
      // past the number: the number it names is the last one that ends before there.
      const std::string& what = builder.error;
      auto bracket = what.find("] ");
      std::string reason = bracket == std::string::npos ? what : what.substr(bracket + 2);
      auto quote_open = what.find('\'');
      auto quote_close = what.rfind('\'');
      std::size_t at = builder.error_offset;
      if (quote_open != std::string::npos && quote_close > quote_open + 1) {
        std::string_view number(what.data() + quote_open + 1, quote_close - quote_open - 1);
        std::size_t found = text.rfind(number, builder.error_offset);
        if (found != std::string_view::npos) at = found;
      }
      throw error_at(at, clip("invalid JSON: " + reason));
    }
    case TreeBuilder::Stop::Duplicate:
      throw error_at(builder.error_offset,
                     clip(fmt::format("the key {} appears twice in the same object", quote(builder.error))));
    case TreeBuilder::Stop::TooDeep:
      throw ScenarioError(file, "", fmt::format("JSON nested deeper than {} levels", kMaxJsonDepth));
  }
  builder.finish();

  parser.set_streamed(builder.streamed);
  Scenario scenario = parser.parse_document(builder.root);
  scenario.file = file;
  scenario.base_dir = base_dir;
  return scenario;
}

void check_model_support(const Scenario& scenario, std::string_view model) {
  // A model with Node's queues runs every action; the others refuse the ones that need them.
  if (build_model(model).ticks_and_microtasks) return;
  // Recursion depth is bounded by kMaxNesting.
  if (const Action* a = find_node_only(scenario.program)) {
    std::string where = a->line > 0 ? fmt::format("{}:{} (at {})", a->line, a->column, a->json_path)
                                    : fmt::format("(at {})", a->json_path);
    throw ScenarioError(scenario.file, where,
                        fmt::format("\"{}\" needs Node's loop: the book's loop has no nextTick or microtask "
                                    "queue; run with --model node (or \"settings\": {{\"model\": \"node\"}})",
                                    action_spec(a->kind).name));
  }
}

Scenario load_scenario(const std::filesystem::path& path, std::optional<std::uint64_t> actions) {
  std::string file = path.string();
  // Examined before it is opened, so that a device is never opened (opening one can have
  // effects), and again once open, so that what was checked is what is read (the path may
  // have been swapped in between). O_NONBLOCK: a FIFO put there meanwhile cannot block the
  // open; it is refused by the second check.
  auto refuse_unless_regular = [&](const struct stat& st) {
    if (S_ISDIR(st.st_mode)) throw ScenarioError(file, "", "is a directory, not a scenario file");
    if (!S_ISREG(st.st_mode)) throw ScenarioError(file, "", "is not a regular file (a device or a pipe?)");
  };
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw ScenarioError(file, "", fmt::format("cannot open the scenario: {}", std::strerror(errno)));
  }
  refuse_unless_regular(st);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) throw ScenarioError(file, "", fmt::format("cannot open the scenario: {}", std::strerror(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::fstat(fd, &st) != 0) {
    throw ScenarioError(file, "", fmt::format("cannot open the scenario: {}", std::strerror(errno)));
  }
  refuse_unless_regular(st);
  if (static_cast<std::uintmax_t>(st.st_size) > kMaxFileBytes) {
    throw ScenarioError(file, "", fmt::format("is larger than {} MiB; that is not a scenario", kMaxFileBytes >> 20));
  }
  // The size from stat is only a hint: files under /proc say 0 and have content, and a file
  // can grow while it is read. So read until the end, and stop one byte past the limit.
  std::string text;
  text.resize(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t used = 0;
  for (;;) {
    if (used == text.size()) {
      if (text.size() > kMaxFileBytes) {
        throw ScenarioError(file, "", fmt::format("is larger than {} MiB; that is not a scenario", kMaxFileBytes >> 20));
      }
      text.resize(std::min<std::size_t>(std::max<std::size_t>(text.size() * 2, 4096), kMaxFileBytes + 1));
    }
    ssize_t n = ::read(fd, text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      // /proc/self/mem is a "regular file" whose read at offset 0 fails with EIO.
      throw ScenarioError(file, "", fmt::format("cannot read the scenario: {}", std::strerror(errno)));
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  text.resize(used);
  std::filesystem::path base = path.parent_path();
  if (base.empty()) base = ".";
  return parse_scenario(text, file, base, actions);
}

}  // namespace elt::scenario
