// fs_read: the book's Fs::read, Node's fs.readFile: a whole file read on a pool thread.
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "modules/fs.h"
#include "scenario/actions/action.h"
#include "scenario/actions/families.h"

namespace elt::scenario::actions {

namespace {

using nlohmann::ordered_json;

void parse_fs_read(ActionReader& r, const ActionSource& src, Action& a) {
  a.text = r.text(src.arg, src.at, "a file path, relative to the scenario's folder");
  a.edit_detail().delay.literal = 0;
  if (src.object.contains("delay_ms")) {
    a.edit_detail().delay =
        r.int_arg(src.object["delay_ms"], src.path + "/delay_ms", 0, kMaxDelayMs, "a delay in ms");
  }
  r.with_callback(src, a);
}

void run_fs_read(ActionRunner& runner, Runtime& rt, const Action& a, const ScopePtr& scope) {
  std::filesystem::path path = runner.text(rt, a, a.text, scope);
  auto ms = runner.number(a, a.detail().delay, scope, 0, kMaxDelayMs, "a delay in ms");
  CallbackId id =
      Fs(rt).read(std::move(path), Millis(ms), runner.result_callback(a, scope), SourcePos{a.line, a.column});
  rt.label_registration(id, runner.label(rt, "fs_read", a, a.then));
}

// An absolute path, or one whose `..` climbs out of the scenario's folder.
bool leaves_folder(std::string_view file) {
  const std::filesystem::path path = std::filesystem::path(file).lexically_normal();
  return path.is_absolute() || (!path.empty() && *path.begin() == "..");
}

void export_fs_read(JsWriter& w, const Action& a, std::string& out) {
  w.need(JsHelper::Fs);
  const IntArg& delay = a.detail().delay;
  if (!delay.literal || *delay.literal != 0) {
    w.note(fmt::format("fs_read's delay_ms ({} at {}): a simulated wait on a pool thread, which Node cannot "
                       "stage; here the read takes as long as the disk does.",
                       delay.literal ? fmt::format("{} ms", *delay.literal) : delay.expr.source, w.where(a)));
  }
  std::string file = w.text(a, a.text);
  if (!a.detail().on_error.empty()) w.need(JsHelper::FsError);
  if (a.text.is_literal() && leaves_folder(a.text.source)) {
    // Ours refuses it (docs/robustness.md), and verify's node may not read it either
    // (sandbox.h): both fail, each in its own words.
    w.refuse(fmt::format("fs_read at {}: {} is outside the scenario's folder, which neither eventloop-trace nor "
                         "verify's node may read", w.where(a), w.js_string(a.text.source)));
  }
  w.node_callback(a, fmt::format("fs.readFile(path.resolve(scenarioDir, {}), \"utf8\", ", file),
                  fmt::format("fsError({}, {})", w.err_name(), file), Bound::Text, out);
}

constexpr const char* kFsReadSchema = R"json({
  "title": "fs_read",
  "description": "Reads a whole file on a pool thread, like the book's Fs::read. The result is the file's text (a string; ${name.length} gives its length in bytes).",
  "type": "object",
  "properties": {
    "fs_read": {
      "description": "The file's path, relative to the scenario file's folder unless absolute; may contain ${...} references.",
      "$ref": "#/$defs/template"
    },
    "delay_ms": {
      "description": "How long the pool thread pretends to work before reading (default 0). The book sleeps 1000 ms to stand in for a large file.",
      "$ref": "#/$defs/delayMs"
    },
    "as": {
      "$ref": "#/$defs/resultName"
    },
    "then": {
      "$ref": "#/$defs/then"
    },
    "catch": {
      "$ref": "#/$defs/catch"
    }
  },
  "required": [
    "fs_read"
  ],
  "additionalProperties": false
})json";

constexpr std::string_view kFsReadKeys[] = {"delay_ms", "as", "then", "catch"};

}  // namespace

const ActionSpec kFsRead{ActionKind::FsRead, "fs_read", kFsReadKeys, false,
                         parse_fs_read, run_fs_read, export_fs_read, kFsReadSchema, plan_once};

}  // namespace elt::scenario::actions
