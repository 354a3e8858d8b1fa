// Scenario JSON -> Scenario. Every check names the file, the line:column and the JSON path.
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "scenario/scenario.h"

namespace elt::scenario {

using nlohmann::json;

ScenarioError::ScenarioError(std::string file, std::string where, std::string what)
    : std::runtime_error(where.empty() ? fmt::format("{}: {}", file, what)
                                       : fmt::format("{}:{}: {}", file, where, what)),
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
// Control characters (an escape sequence in a garbage file) are shown as \xNN so that a
// message can never drive the terminal.
std::string clip(std::string s, std::size_t max = kMaxMessage) {
  if (s.size() > max) {
    s.resize(max);
    s += "...";
  }
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  return out;
}

// A JSON string literal for a message; bytes that are not UTF-8 (a cut character, binary
// garbage) become U+FFFD instead of throwing.
std::string quote(const std::string& s) {
  return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

// A key as one token of a JSON pointer (RFC 6901): '~' and '/' are escaped.
std::string pointer_token(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

struct LineCol {
  std::size_t line = 1;
  std::size_t column = 1;
};

LineCol line_col_at(std::string_view text, std::size_t offset) {
  LineCol lc;
  offset = std::min(offset, text.size());
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++lc.line;
      lc.column = 1;
    } else {
      ++lc.column;
    }
  }
  return lc;
}

// Finds where the value at a JSON pointer starts in the text, so that errors found after
// parsing (a wrong type, a missing field) can still name a line and column. A small
// scanner over text that nlohmann already accepted, so it need not handle bad JSON.
class Locator {
 public:
  explicit Locator(std::string_view text) : text_(text) {}

  std::optional<std::size_t> find(const std::vector<std::string>& tokens) {
    pos_ = 0;
    skip_ws();
    for (const auto& token : tokens) {
      if (pos_ >= text_.size()) return std::nullopt;
      if (text_[pos_] == '{') {
        ++pos_;
        bool found = false;
        for (;;) {
          skip_ws();
          if (pos_ >= text_.size() || text_[pos_] == '}') break;
          std::string key = read_string();
          skip_ws();
          ++pos_;  // ':'
          skip_ws();
          if (key == token) {
            found = true;
            break;
          }
          skip_value();
          skip_ws();
          if (pos_ < text_.size() && text_[pos_] == ',') ++pos_;
        }
        if (!found) return std::nullopt;
      } else if (text_[pos_] == '[') {
        ++pos_;
        std::size_t index = 0;
        auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
        if (token.empty() || ec != std::errc() || end != token.data() + token.size()) return std::nullopt;
        for (std::size_t i = 0; i < index; ++i) {
          skip_ws();
          if (pos_ >= text_.size() || text_[pos_] == ']') return std::nullopt;  // no such element
          skip_value();
          skip_ws();
          if (pos_ < text_.size() && text_[pos_] == ',') ++pos_;
        }
        skip_ws();
      } else {
        return std::nullopt;
      }
    }
    return pos_;
  }

 private:
  void skip_ws() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  std::string read_string() {
    std::string out;
    ++pos_;  // opening quote
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
        out += text_[pos_ + 1];  // good enough to compare plain keys
        pos_ += 2;
        continue;
      }
      out += text_[pos_++];
    }
    ++pos_;
    return out;
  }
  // Iterative, so a deep value cannot overflow the stack.
  void skip_value() {
    int depth = 0;
    do {
      skip_ws();
      if (pos_ >= text_.size()) return;
      char c = text_[pos_];
      if (c == '"') {
        read_string();
      } else if (c == '{' || c == '[') {
        ++depth;
        ++pos_;
      } else if (c == '}' || c == ']') {
        --depth;
        ++pos_;
      } else {
        while (pos_ < text_.size() && !std::strchr(",}] \t\r\n", text_[pos_])) ++pos_;
      }
      skip_ws();
      if (depth > 0 && pos_ < text_.size() && (text_[pos_] == ',' || text_[pos_] == ':')) ++pos_;
    } while (depth > 0);
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// Where a key first repeats inside one object. Runs only on text nlohmann has already
// parsed up to the duplicate, so it can assume well-formed tokens; iterative, so deep
// nesting cannot overflow the stack.
std::size_t find_duplicate_key(std::string_view text, const std::string& key) {
  std::vector<std::set<std::string>> objects;
  std::vector<bool> in_object;  // per open container: object (keys expected) or array
  bool expect_key = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '{') {
      objects.emplace_back();
      in_object.push_back(true);
      expect_key = true;
    } else if (c == '[') {
      in_object.push_back(false);
      expect_key = false;
    } else if (c == '}' || c == ']') {
      if (!in_object.empty()) {
        if (in_object.back()) objects.pop_back();
        in_object.pop_back();
      }
      expect_key = false;
    } else if (c == ',') {
      expect_key = !in_object.empty() && in_object.back();
    } else if (c == '"') {
      std::size_t start = i;
      std::string s;
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        s += text[i];
      }
      if (expect_key && !objects.empty()) {
        if (!objects.back().insert(s).second && s == key) return start;
        expect_key = false;
      }
    }
  }
  return 0;
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

std::string describe(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return fmt::format("the boolean {}", j.get<bool>());
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return fmt::format("the number {}", j.dump());
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

const std::vector<std::string> kActionNames = {
    "print",        "print_content", "set_timeout",     "fs_read",        "encrypt",        "http_get_slow",
    "http_get",     "repeat",        "set_interval",    "set_immediate",  "next_tick",      "queue_microtask",
    "promise",      "clear_timeout", "clear_interval",  "clear_immediate", "block"};

std::string action_list() {
  std::string out;
  for (const auto& n : kActionNames) out += (out.empty() ? "" : ", ") + n;
  return out;
}

bool valid_name(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

class Parser {
 public:
  Parser(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& pointer, const std::string& what) {
    std::string where = pointer.empty() ? "/" : pointer;
    if (auto offset = Locator(text_).find(split_pointer(pointer))) {
      auto lc = line_col_at(text_, *offset);
      where = fmt::format("{}:{} (at {})", lc.line, lc.column, where);
    } else {
      where = fmt::format("(at {})", where);
    }
    throw ScenarioError(file_, clip(where, 200), clip(what));
  }

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
    out.program = parse_actions(root["program"], "/program", 0);
    for (const auto& [name, where] : clears_) {
      if (handles_.count(name) == 0) {
        fail(where, fmt::format("no timer, interval or immediate has \"id\": \"{}\" in this scenario", name));
      }
    }
    return out;
  }

 private:
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
        if (!value.is_string() || (value.get<std::string>() != "book" && value.get<std::string>() != "node")) {
          fail(path, fmt::format("\"model\" is \"book\" or \"node\"; found {}", describe(value)));
        }
        s.model = value.get<std::string>();
      } else {
        fail(path, fmt::format("unknown setting \"{}\"; expected \"threads\", \"http_latency_ms\", "
                               "\"http_timeout_ms\" or \"model\"", key));
      }
    }
    return s;
  }

  void parse_verify(const json& j, Scenario& out) {
    if (!j.is_object()) fail("/verify", fmt::format("\"verify\" must be an object such as {{\"racy\": true, \"why\": "
                                                    "\"...\"}}; found {}", describe(j)));
    for (const auto& [key, value] : j.items()) {
      std::string path = "/verify/" + pointer_token(key);
      if (key == "racy") {
        if (!value.is_boolean()) fail(path, fmt::format("\"racy\" must be true or false; found {}", describe(value)));
        out.racy_in_node = value.get<bool>();
      } else if (key == "why") {
        if (!value.is_string()) fail(path, fmt::format("\"why\" must be a string; found {}", describe(value)));
        out.racy_why = value.get<std::string>();
      } else {
        fail(path, fmt::format("unknown key \"{}\" in \"verify\"; expected \"racy\" or \"why\"", key));
      }
    }
  }

  std::int64_t whole(const json& j, const std::string& path, std::int64_t lo, std::int64_t hi,
                     std::string_view what) {
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

  IntArg int_arg(const json& j, const std::string& path, std::int64_t lo, std::int64_t hi, std::string_view what) {
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

  Template parse_template(const std::string& text, const std::string& path) {
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

  std::vector<Action> parse_actions(const json& j, const std::string& path, int depth) {
    if (!j.is_array()) fail(path, fmt::format("expected an array of actions; found {}", describe(j)));
    if (depth > kMaxNesting) fail(path, fmt::format("callbacks nested deeper than {} levels", kMaxNesting));
    std::vector<Action> out;
    out.reserve(j.size());
    for (std::size_t i = 0; i < j.size(); ++i) out.push_back(parse_action(j[i], fmt::format("{}/{}", path, i), depth));
    return out;
  }

  std::vector<Action> callback(const json& obj, const char* key, const std::string& path, int depth,
                               const std::vector<std::string>& binds) {
    if (!obj.contains(key)) return {};
    std::size_t mark = scope_.size();
    scope_.insert(scope_.end(), binds.begin(), binds.end());
    auto body = parse_actions(obj[key], path + "/" + key, depth + 1);
    scope_.resize(mark);
    return body;
  }

  Action parse_action(const json& j, const std::string& path, int depth) {
    if (!j.is_object()) {
      fail(path, fmt::format("expected an action object such as {{\"print\": \"hello\"}}; found {}", describe(j)));
    }
    std::vector<std::string> present;
    for (const auto& name : kActionNames) {
      if (j.contains(name)) present.push_back(name);
    }
    if (present.empty()) {
      std::string keys;
      for (const auto& [key, value] : j.items()) keys += (keys.empty() ? "\"" : ", \"") + key + "\"";
      fail(path, fmt::format("unknown action (keys {}); expected one of: {}", keys.empty() ? "none" : keys,
                             action_list()));
    }
    if (present.size() > 1) {
      fail(path, fmt::format("one action per object: found both \"{}\" and \"{}\"", present[0], present[1]));
    }
    const std::string& name = present[0];
    Action a;
    a.json_path = path;
    std::string at = path + "/" + name;
    const json& arg = j[name];

    auto allow = [&](std::initializer_list<const char*> keys) {
      for (const auto& [key, value] : j.items()) {
        if (key == name) continue;
        if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; })) {
          std::string list;
          for (const char* k : keys) list += fmt::format("{}\"{}\"", list.empty() ? "" : ", ", k);
          fail(path + "/" + pointer_token(key), fmt::format("\"{}\" does not take \"{}\"{}", name, key,
                                             list.empty() ? std::string() : "; it takes " + list));
        }
      }
    };
    auto text = [&](const json& v, const std::string& p, std::string_view what) {
      if (!v.is_string()) fail(p, fmt::format("expected {} (a string); found {}", what, describe(v)));
      return parse_template(v.get<std::string>(), p);
    };
    auto result_name = [&](const char* fallback) {
      if (!j.contains("as")) return std::string(fallback);
      const json& v = j["as"];
      std::string s = v.is_string() ? v.get<std::string>() : "";
      if (s.empty() || !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; })) {
        fail(path + "/as", fmt::format("\"as\" names the result: letters, digits and _; found {}", describe(v)));
      }
      return s;
    };

    // The callback of an operation with a result: `as` names the result in `then`, and
    // `catch` sees `error`.
    auto with_callback = [&](Action& op) {
      op.as = result_name("result");
      op.then = callback(j, "then", path, depth, {op.as});
      op.on_error = callback(j, "catch", path, depth, {"error"});
    };

    if (name == "print") {
      allow({});
      a.kind = ActionKind::Print;
      a.text = text(arg, at, "the text to print");
    } else if (name == "print_content") {
      allow({"label"});
      a.kind = ActionKind::PrintContent;
      a.text = text(arg, at, "the content to show");
      if (j.contains("label")) {
        if (!j["label"].is_string()) fail(path + "/label", fmt::format("\"label\" must be a string; found {}", describe(j["label"])));
        a.label = j["label"].get<std::string>();
      } else {
        a.label = "content";
      }
    } else if (name == "set_timeout" || name == "set_interval") {
      if (name == "set_timeout") {
        allow({"then", "id"});
      } else {
        allow({"then", "id", "times"});
      }
      a.kind = name == "set_timeout" ? ActionKind::SetTimeout : ActionKind::SetInterval;
      a.number = int_arg(arg, at, 0, kMaxDelayMs, "a delay in ms");
      a.handle = handle_name(j, path);
      if (j.contains("times")) a.times = whole(j["times"], path + "/times", 1, kMaxRepeat, "how many times it runs");
      a.then = callback(j, "then", path, depth, {});
    } else if (name == "set_immediate" || name == "next_tick" || name == "queue_microtask") {
      a.kind = name == "set_immediate" ? ActionKind::SetImmediate
               : name == "next_tick"   ? ActionKind::NextTick
                                       : ActionKind::QueueMicrotask;
      if (a.kind == ActionKind::SetImmediate) {
        allow({"id"});
        a.handle = handle_name(j, path);
      } else {
        allow({});
      }
      std::size_t mark = scope_.size();
      a.then = parse_actions(arg, at, depth + 1);
      scope_.resize(mark);
    } else if (name == "clear_timeout" || name == "clear_interval" || name == "clear_immediate") {
      allow({});
      a.kind = name == "clear_timeout"    ? ActionKind::ClearTimeout
               : name == "clear_interval" ? ActionKind::ClearInterval
                                          : ActionKind::ClearImmediate;
      if (!arg.is_string() || !valid_name(arg.get<std::string>())) {
        fail(at, fmt::format("expected the \"id\" of a timer, interval or immediate (letters, digits and _); "
                             "found {}", describe(arg)));
      }
      a.handle = arg.get<std::string>();
      clears_.emplace_back(a.handle, at);
    } else if (name == "block") {
      allow({});
      a.kind = ActionKind::Block;
      a.number = int_arg(arg, at, 0, 60'000, "how long to keep the main thread busy, in ms");
    } else if (name == "promise") {
      allow({"value", "chain"});
      a.kind = ActionKind::Promise;
      if (!arg.is_string() || (arg.get<std::string>() != "resolve" && arg.get<std::string>() != "reject")) {
        fail(at, fmt::format("\"promise\" is \"resolve\" or \"reject\"; found {}", describe(arg)));
      }
      a.reject = arg.get<std::string>() == "reject";
      if (j.contains("value")) {
        a.text = text(j["value"], path + "/value", "the value the promise settles with");
      } else {
        a.text.segments.push_back({"undefined", {}});
        a.text.source = "undefined";
      }
      if (!j.contains("chain")) fail(path, "\"promise\" needs \"chain\": its then/catch steps");
      a.chain = parse_chain(j["chain"], path + "/chain", depth);
    } else if (name == "fs_read") {
      allow({"delay_ms", "as", "then", "catch"});
      a.kind = ActionKind::FsRead;
      a.text = text(arg, at, "a file path, relative to the scenario's folder");
      a.delay.literal = 0;
      if (j.contains("delay_ms")) a.delay = int_arg(j["delay_ms"], path + "/delay_ms", 0, kMaxDelayMs, "a delay in ms");
      with_callback(a);
    } else if (name == "encrypt") {
      allow({"cost_ms", "as", "then", "catch"});
      a.kind = ActionKind::Encrypt;
      a.number = int_arg(arg, at, 0, 50, "n, the Fibonacci number to compute");
      if (j.contains("cost_ms")) a.cost_ms = whole(j["cost_ms"], path + "/cost_ms", 0, kMaxDelayMs, "a CPU cost in ms");
      with_callback(a);
    } else if (name == "http_get_slow") {
      allow({"delay_ms", "as", "then", "catch"});
      a.kind = ActionKind::HttpGetSlow;
      a.text = text(arg, at, "the url the delay service redirects to");
      if (!j.contains("delay_ms")) fail(path, "\"http_get_slow\" needs \"delay_ms\": how long the delay service waits");
      a.delay = int_arg(j["delay_ms"], path + "/delay_ms", 0, kMaxDelayMs, "a delay in ms");
      with_callback(a);
    } else if (name == "http_get") {
      allow({"as", "then", "catch"});
      a.kind = ActionKind::HttpGet;
      a.text = text(arg, at, "an http:// URL");
      with_callback(a);
    } else {  // repeat
      allow({"as", "do"});
      a.kind = ActionKind::Repeat;
      a.number = int_arg(arg, at, 0, kMaxRepeat, "a repeat count");
      a.as = result_name("i");
      if (!j.contains("do")) fail(path, "\"repeat\" needs \"do\": the actions to repeat");
      a.then = callback(j, "do", path, depth, {a.as});
    }
    return a;
  }

  std::string handle_name(const json& j, const std::string& path) {
    if (!j.contains("id")) return {};
    const json& v = j["id"];
    if (!v.is_string() || !valid_name(v.get<std::string>())) {
      fail(path + "/id", fmt::format("\"id\" names the handle for clear_*: letters, digits and _; found {}",
                                     describe(v)));
    }
    handles_.insert(v.get<std::string>());
    return v.get<std::string>();
  }

  std::vector<PromiseStep> parse_chain(const json& j, const std::string& path, int depth) {
    if (!j.is_array() || j.empty()) {
      fail(path, fmt::format("expected a non-empty array of steps such as {{\"then\": [...]}} or "
                             "{{\"catch\": [...]}}; found {}", describe(j)));
    }
    std::vector<PromiseStep> out;
    for (std::size_t i = 0; i < j.size(); ++i) {
      std::string at = fmt::format("{}/{}", path, i);
      const json& step = j[i];
      if (!step.is_object() || (step.contains("then") == step.contains("catch"))) {
        fail(at, "a step is an object with either \"then\" or \"catch\" (a list of actions)");
      }
      PromiseStep s;
      s.json_path = at;
      s.is_catch = step.contains("catch");
      for (const auto& [key, value] : step.items()) {
        if (key != "then" && key != "catch" && key != "as" && key != "return" && key != "throw") {
          fail(at + "/" + pointer_token(key), fmt::format("a step does not take \"{}\"; it takes \"{}\", \"as\", "
                                                "\"return\" and \"throw\"", key, s.is_catch ? "catch" : "then"));
        }
      }
      s.as = s.is_catch ? "error" : "value";
      if (step.contains("as")) {
        const json& v = step["as"];
        if (!v.is_string() || !valid_name(v.get<std::string>())) {
          fail(at + "/as", fmt::format("\"as\" names the value: letters, digits and _; found {}", describe(v)));
        }
        s.as = v.get<std::string>();
      }
      if (step.contains("return") && step.contains("throw")) fail(at, "a step either returns or throws, not both");
      std::size_t mark = scope_.size();
      scope_.push_back(s.as);
      for (const char* key : {"return", "throw"}) {
        if (!step.contains(key)) continue;
        const json& v = step[key];
        if (!v.is_string()) fail(at + "/" + key, fmt::format("expected a text (a string); found {}", describe(v)));
        s.result = parse_template(v.get<std::string>(), at + "/" + key);
        s.throws = std::string_view(key) == "throw";
      }
      s.body = parse_actions(step[s.is_catch ? "catch" : "then"], at + (s.is_catch ? "/catch" : "/then"), depth + 1);
      scope_.resize(mark);
      out.push_back(std::move(s));
    }
    return out;
  }

  std::string_view text_;
  std::string file_;
  std::vector<std::string> scope_;  // names visible at the action being parsed
  std::set<std::string> handles_;   // every "id" a timer, interval or immediate gives itself
  std::vector<std::pair<std::string, std::string>> clears_;  // clear_*: name, JSON path
};

bool node_only(ActionKind kind) {
  return kind == ActionKind::NextTick || kind == ActionKind::QueueMicrotask || kind == ActionKind::Promise;
}

const Action* find_node_only(const std::vector<Action>& actions) {
  for (const Action& a : actions) {
    if (node_only(a.kind)) return &a;
    if (const Action* inner = find_node_only(a.then)) return inner;
    if (const Action* inner = find_node_only(a.on_error)) return inner;
    for (const auto& step : a.chain) {
      if (const Action* inner = find_node_only(step.body)) return inner;
    }
  }
  return nullptr;
}

std::string_view kind_name(ActionKind kind) {
  switch (kind) {
    case ActionKind::NextTick: return "next_tick";
    case ActionKind::QueueMicrotask: return "queue_microtask";
    case ActionKind::Promise: return "promise";
    default: return "this action";
  }
}

}  // namespace

Scenario parse_scenario(std::string_view text, const std::string& file, const std::filesystem::path& base_dir) {
  auto error_at = [&](std::size_t offset, const std::string& what) -> ScenarioError {
    auto lc = line_col_at(text, offset);
    return ScenarioError(file, fmt::format("{}:{}", lc.line, lc.column), what);
  };
  if (text.empty() || std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); })) {
    throw ScenarioError(file, "", "the file is empty; a scenario is a JSON object with \"program\"");
  }
  if (text.starts_with("\xEF\xBB\xBF")) {
    throw ScenarioError(file, "1:1", "the file starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM");
  }

  // Checks that JSON itself allows but a scenario must not have: a key twice in one object
  // (nlohmann would keep the last silently), and absurd nesting.
  std::vector<std::set<std::string>> keys_seen;
  std::string duplicate;
  bool has_duplicate = false;
  bool too_deep = false;
  json::parser_callback_t check = [&](int depth, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        keys_seen.emplace_back();
        [[fallthrough]];
      case json::parse_event_t::array_start:
        if (depth >= kMaxJsonDepth) {
          too_deep = true;
          throw std::runtime_error("depth");
        }
        break;
      case json::parse_event_t::object_end:
        keys_seen.pop_back();
        break;
      case json::parse_event_t::key:
        if (!keys_seen.back().insert(parsed.get<std::string>()).second) {
          duplicate = parsed.get<std::string>();
          has_duplicate = true;
          throw std::runtime_error("duplicate");
        }
        break;
      default: break;
    }
    return true;
  };

  json root;
  try {
    root = json::parse(text, check);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..."
    auto colon = what.find(": ");
    std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
    std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    if (offset >= text.size()) reason = "the JSON ends too early (truncated file?): " + reason;
    throw error_at(offset, clip("invalid JSON: " + reason));
  } catch (const json::exception& e) {
    // Not a syntax error but a value JSON allows and nlohmann cannot hold (1e400).
    std::string what = e.what();
    auto bracket = what.find("] ");
    throw ScenarioError(file, "", clip("invalid JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2))));
  } catch (const std::runtime_error&) {
    if (too_deep) throw ScenarioError(file, "", fmt::format("JSON nested deeper than {} levels", kMaxJsonDepth));
    if (has_duplicate) {
      throw error_at(find_duplicate_key(text, duplicate),
                     fmt::format("the key {} appears twice in the same object", quote(duplicate)));
    }
    throw;
  }

  Scenario scenario = Parser(text, file).parse_document(root);
  scenario.file = file;
  scenario.base_dir = base_dir;
  return scenario;
}

void check_model_support(const Scenario& scenario, std::string_view model) {
  if (model != "book") return;
  // Recursion depth is bounded by kMaxNesting.
  if (const Action* a = find_node_only(scenario.program)) {
    std::string where = a->line > 0 ? fmt::format("{}:{} (at {})", a->line, a->column, a->json_path)
                                    : fmt::format("(at {})", a->json_path);
    throw ScenarioError(scenario.file, where,
                        fmt::format("\"{}\" needs Node's loop: the book's loop has no nextTick or microtask "
                                    "queue; run with --model node (or \"settings\": {{\"model\": \"node\"}})",
                                    kind_name(a->kind)));
  }
}

Scenario load_scenario(const std::filesystem::path& path) {
  std::string file = path.string();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw ScenarioError(file, "", fmt::format("cannot open the scenario: {}", std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) throw ScenarioError(file, "", "is a directory, not a scenario file");
  if (!S_ISREG(st.st_mode)) throw ScenarioError(file, "", "is not a regular file (a device or a pipe?)");
  if (static_cast<std::uintmax_t>(st.st_size) > kMaxFileBytes) {
    throw ScenarioError(file, "", fmt::format("is larger than {} MiB; that is not a scenario", kMaxFileBytes >> 20));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(file, "", fmt::format("cannot open the scenario: {}", std::strerror(errno)));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::path base = path.parent_path();
  if (base.empty()) base = ".";
  return parse_scenario(text, file, base);
}

}  // namespace elt::scenario
