#include "loop/model_kinds.h"

#include <array>

#include <fmt/format.h>

#include "common/check.h"

namespace elt {

namespace {

constexpr std::array kKinds{
    ModelKind{"book", "the book's loop (default)", &book_model},
    ModelKind{"node",
              "Node 20's loop (libuv 1.46 phases, setImmediate, nextTick and microtasks, I/O polled on the loop "
              "thread)",
              &node_model},
};

}  // namespace

std::span<const ModelKind> model_kinds() { return kKinds; }

const ModelKind* find_model_kind(std::string_view name) {
  for (const ModelKind& kind : kKinds) {
    if (kind.name == name) return &kind;  // the one comparison with a model's name
  }
  return nullptr;
}

LoopModel build_model(std::string_view name) {
  const ModelKind* kind = find_model_kind(name);
  ensure(kind != nullptr, "a model name that was not checked against the table");
  return kind->build();
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const ModelKind& kind : kKinds) names.emplace_back(kind.name);
  return names;
}

std::string model_names_quoted() {
  std::string out;
  for (std::size_t i = 0; i < kKinds.size(); ++i) {
    if (i > 0) out += i + 1 == kKinds.size() ? " or " : ", ";
    out += fmt::format("\"{}\"", kKinds[i].name);
  }
  return out;
}

std::string model_help() {
  std::string out;
  for (const ModelKind& kind : kKinds) {
    if (!out.empty()) out += "; ";
    out += fmt::format("{}: {}", kind.name, kind.description);
  }
  return out;
}

}  // namespace elt
