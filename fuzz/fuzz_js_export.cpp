// libFuzzer target: elt::exporter::export_js on scenarios whose strings are arbitrary bytes.
//
// The contract under test (js_export.cpp, issue 25): every string a scenario supplies stays
// inside its literal or its comment, whatever it holds. The input is split at NUL bytes
// into the strings of one scenario: the scenario's file name, its description, a print's
// text, a print_content label, an fs_read path, a promise value, a URL path and an
// http_get_slow URL. The program exported from it is compared, through a small JavaScript
// tokenizer (strings, template literals, comments, regular expressions), with the program
// exported from the same scenario with every string replaced by "x":
// - both must tokenize to the end, with no literal or comment left open and no line
//   terminator (LF, CR, U+2028, U+2029) raw inside a string;
// - their code outside literals and comments must be the same, token for token: had a
//   value left its literal or comment, its text would be code in one and not the other;
// - the print's template literal and the label's string literal, decoded, must give back
//   exactly the text the scenario holds: escaped, not mangled.
// `node --check` on hostile programs is tests/cli/export-js/hostile_text.sh; this explores the space.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "export/js_export.h"
#include "scenario/scenario.h"

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "fuzz_js_export: %s\n  detail: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

enum Field { kFile, kDescription, kPrint, kLabel, kRead, kValue, kUrlPath, kSlowUrl, kFields };

// A scenario's template text for a literal `s`: "${" is written "$${" (scenario-format.md).
std::string as_template(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.substr(i, 2) == "${") out += '$';
    out += s[i];
  }
  return out;
}

std::string scenario_text(const std::vector<std::string>& f) {
  using nlohmann::json;
  json print_error = json::array({json{{"print", "${error}"}}});
  // Appended, not "a" + b: GCC 12 warns falsely (-Wrestrict) about operator+(const char*, string&&).
  std::string value = "v";  // a promise of "undefined" is written Promise.resolve(), another shape
  value += as_template(f[kValue]);
  std::string url = "http://127.0.0.1:1/";  // always this machine: the exporter takes one branch
  url += as_template(f[kUrlPath]);
  json program = json::array({
      json{{"print", as_template(f[kPrint])}},
      json{{"print_content", "c"}, {"label", f[kLabel]}},
      json{{"fs_read", as_template(f[kRead])}, {"as", "text"}, {"then", json::array({json{{"print", "${text}"}}})},
           {"catch", print_error}},
      json{{"promise", "resolve"}, {"value", value},
           {"chain", json::array({json{{"then", json::array()}, {"return", as_template(f[kValue])}}})}},
      json{{"http_get", url}, {"catch", print_error}},
      json{{"http_get_slow", as_template(f[kSlowUrl])}, {"delay_ms", 0}, {"catch", print_error}},
  });
  json root{{"description", f[kDescription]}, {"settings", {{"model", "node"}}}, {"program", program}};
  return root.dump(-1, ' ', false, json::error_handler_t::replace);
}

// ---- a small JavaScript tokenizer: enough for what the exporter writes ----

struct Tokens {
  std::string code;                   // code outside literals and comments; whitespace as one space
  std::vector<std::string> literals;  // each string literal and template chunk, decoded
};

bool line_terminator(std::string_view s, std::size_t i) {
  return s[i] == '\n' || s[i] == '\r' || s.substr(i, 3) == "\xe2\x80\xa8" || s.substr(i, 3) == "\xe2\x80\xa9";
}

void append_utf8(std::string& out, unsigned long c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xc0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3f));
  } else {
    out += static_cast<char>(0xe0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (c & 0x3f));
  }
}

// One escape after a backslash at s[i]; returns the index after it.
std::size_t decode_escape(std::string_view s, std::size_t i, std::string& out) {
  if (i + 1 >= s.size()) fail("a backslash ends the program", s.substr(i));
  const char c = s[i + 1];
  switch (c) {
    case 'n': out += '\n'; return i + 2;
    case 'r': out += '\r'; return i + 2;
    case 't': out += '\t'; return i + 2;
    case 'u': {
      const std::string hex(s.substr(i + 2, 4));
      if (hex.size() != 4 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
        fail("a \\u escape without four hex digits", s.substr(i, 8));
      }
      append_utf8(out, std::strtoul(hex.c_str(), nullptr, 16));
      return i + 6;
    }
    default:
      if (c >= '0' && c <= '9') fail("an octal or digit escape, refused in strict mode", s.substr(i, 4));
      out += c;  // \\ \" \` \$ \/ : the character itself
      return i + 2;
  }
}

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view s) : s_(s) {}

  Tokens run() {
    code(false);
    if (i_ != s_.size()) fail("a '}' closes nothing", around(i_));
    return std::move(out_);
  }

 private:
  // Code until the end (top level) or until the '}' that closes a template's `${`.
  void code(bool in_substitution) {
    int depth = 0;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == ' ' || c == '\t' || line_terminator(s_, i_)) {
        i_ += static_cast<unsigned char>(c) >= 0x80 ? 3 : 1;
        space();
      } else if (s_.substr(i_, 2) == "//") {
        while (i_ < s_.size() && !line_terminator(s_, i_)) ++i_;
        space();
      } else if (s_.substr(i_, 2) == "/*") {
        const auto end = s_.find("*/", i_ + 2);
        if (end == std::string_view::npos) fail("a block comment left open", around(i_));
        i_ = end + 2;
        space();
      } else if (c == '"' || c == '\'') {
        string(c);
      } else if (c == '`') {
        templ();
      } else if (c == '/' && regex_may_start()) {
        regex();
      } else if (c == '}' && in_substitution && depth == 0) {
        return;
      } else {
        depth += c == '{' ? 1 : c == '}' ? -1 : 0;
        out_.code += c;
        ++i_;
      }
    }
    if (in_substitution) fail("a template's ${ left open", "");
  }

  // Whitespace and comments, however many, separate tokens as one space would.
  void space() {
    if (!out_.code.empty() && out_.code.back() != ' ') out_.code += ' ';
  }

  std::string_view around(std::size_t at) const { return s_.substr(at < 40 ? 0 : at - 40, 80); }

  void string(char quote) {
    std::string value;
    for (++i_;; ) {
      if (i_ >= s_.size()) fail("a string left open", "");
      if (line_terminator(s_, i_)) fail("a line terminator raw inside a string", around(i_));
      if (s_[i_] == quote) break;
      if (s_[i_] == '\\') {
        i_ = decode_escape(s_, i_, value);
      } else {
        value += s_[i_++];
      }
    }
    ++i_;
    out_.code += "\"S\"";
    out_.literals.push_back(std::move(value));
  }

  void templ() {
    out_.code += '`';
    std::string chunk;
    for (++i_;;) {
      if (i_ >= s_.size()) fail("a template literal left open", "");
      if (s_[i_] == '`') break;
      if (s_[i_] == '\\') {
        i_ = decode_escape(s_, i_, chunk);
      } else if (s_.substr(i_, 2) == "${") {
        out_.literals.push_back(std::exchange(chunk, {}));
        out_.code += "T${";
        i_ += 2;
        code(true);
        out_.code += '}';
        ++i_;
      } else {
        chunk += s_[i_++];
      }
    }
    ++i_;
    out_.literals.push_back(std::move(chunk));
    out_.code += "T`";
  }

  // A '/' after an operator or an opening bracket starts a regular expression; after a
  // name, a number or a closing bracket it divides.
  bool regex_may_start() const {
    std::string_view done = out_.code;
    while (!done.empty() && done.back() == ' ') done.remove_suffix(1);
    return done.empty() || std::string_view("(,=:[!&|?{};").find(done.back()) != std::string_view::npos;
  }

  void regex() {
    const std::size_t start = i_;
    for (++i_; i_ < s_.size() && s_[i_] != '/'; ++i_) {
      if (line_terminator(s_, i_)) fail("a regular expression left open", around(start));
      if (s_[i_] == '\\') ++i_;
    }
    ++i_;
    out_.code += s_.substr(start, i_ - start);
  }

  std::string_view s_;
  std::size_t i_ = 0;
  Tokens out_;
};

bool contains(const std::vector<std::string>& all, const std::string& value) {
  for (const auto& v : all) {
    if (v == value) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> fields(kFields, "x");
  const std::vector<std::string> placeholders(kFields, "x");
  std::size_t start = 0;
  for (int f = 0; f < kFields && start <= input.size(); ++f) {
    const auto end = std::min(input.find('\0', start), input.size());
    fields[f] = std::string(input.substr(start, end - start));
    start = end + 1;
  }
  elt::scenario::Scenario hostile;
  elt::scenario::Scenario plain;
  try {
    hostile = elt::scenario::parse_scenario(scenario_text(fields), fields[kFile], "/nonexistent");
    plain = elt::scenario::parse_scenario(scenario_text(placeholders), placeholders[kFile], "/nonexistent");
  } catch (const elt::scenario::ScenarioError&) {
    return 0;  // refused before any program is written: not this target's concern
  }
  const std::string program = elt::exporter::export_js(hostile).source;
  const Tokens got = Tokenizer(program).run();
  const Tokens want = Tokenizer(elt::exporter::export_js(plain).source).run();
  if (got.code != want.code) fail("a value changed the program's code", program);
  const std::string& printed = hostile.program[0].text.segments[0].literal;
  if (!contains(got.literals, printed)) fail("the print's text is not a literal of the program", printed);
  std::string label = hostile.program[1].detail().label;
  for (char& c : label) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!contains(got.literals, label)) fail("the label is not a literal of the program", label);
  return 0;
}
