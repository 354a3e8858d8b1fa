// print and print_content: what the program writes to its console.
#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "modules/console.h"
#include "scenario/actions/action.h"
#include "scenario/actions/families.h"

namespace elt::scenario::actions {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// ---- print ----

void parse_print(ActionReader& r, const ActionSource& src, Action& a) {
  a.text = r.text(src.arg, src.at, "the text to print");
}

void run_print(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  Console(rt).print(runner.text(rt, a, a.text, scope));
}

void export_print(JsWriter& w, const Action& a, std::string& out) {
  w.line(out, fmt::format("console.log({});", w.text(a, a.text)));
}

constexpr const char* kPrintSchema = R"json({
  "title": "print",
  "description": "Prints one trace line on the main thread: \"Thread: main<TAB> <text>\".",
  "type": "object",
  "properties": {
    "print": {
      "description": "The text to print; may contain ${...} references.",
      "$ref": "#/$defs/template"
    }
  },
  "required": [
    "print"
  ],
  "additionalProperties": false
})json";

// ---- print_content ----

void parse_print_content(ActionReader& r, const ActionSource& src, Action& a) {
  a.text = r.text(src.arg, src.at, "the content to show");
  if (src.object.contains("label")) {
    const json& label = src.object["label"];
    if (!label.is_string()) {
      r.fail(src.path + "/label", fmt::format("\"label\" must be a string; found {}", r.describe(label)));
    }
    a.edit_detail().label = label.get<std::string>();
  } else {
    a.edit_detail().label = "content";
  }
}

void run_print_content(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  // The label is printed with the content each time, so it counts like rendered text:
  // a long label repeated a million times is gigabytes of trace otherwise.
  std::string content = runner.text(rt, a, a.text, scope);
  runner.charge_value_bytes(rt, a.detail().label.size());
  Console(rt).print_content(std::move(content), a.detail().label);
}

std::string upper_ascii(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

void export_print_content(JsWriter& w, const Action& a, std::string& out) {
  w.need(JsHelper::PrintContent);
  w.line(out, fmt::format("printContent({}, {});", w.text(a, a.text), w.js_string(upper_ascii(a.detail().label))));
}

constexpr const char* kPrintContentSchema = R"json({
  "title": "print_content",
  "description": "Prints a content block, as the book's print_content does: a banner with the label in capitals, the first two lines of the content, its first Location line if there is one, and an abbreviation note.",
  "type": "object",
  "properties": {
    "print_content": {
      "description": "The content to show, usually a callback's result such as \"${text}\" or \"${response}\".",
      "$ref": "#/$defs/template"
    },
    "label": {
      "description": "The block's label, shown in capitals in its banner (default \"content\"). Plain text, not a template.",
      "type": "string"
    }
  },
  "required": [
    "print_content"
  ],
  "additionalProperties": false
})json";

constexpr std::string_view kPrintContentKeys[] = {"label"};

}  // namespace

const ActionSpec kPrint{ActionKind::Print, "print", {}, false, parse_print, run_print, export_print, kPrintSchema, plan_once};
const ActionSpec kPrintContent{ActionKind::PrintContent, "print_content", kPrintContentKeys, false,
                               parse_print_content, run_print_content, export_print_content, kPrintContentSchema, plan_once};

}  // namespace elt::scenario::actions
