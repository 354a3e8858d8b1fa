// The loop models the tool knows, by name: the one table the command line, the scenario
// parser, the interpreter and verify read.
//
// A model's name is looked up here, once, and everything after that reads the LoopModel
// it builds (loop/model.h): a new model is one row here and one builder there, and no
// other file compares a model's name.
// Thread-safety: the table is immutable; any thread may read it.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loop/model.h"

namespace elt {

struct ModelKind {
  std::string_view name;         // what --model and settings.model say
  std::string_view description;  // for --model's help
  LoopModel (*build)();
};

// Every model, the default first.
std::span<const ModelKind> model_kinds();
// The row named `name`; nullptr when there is none (the callers report that as bad input).
const ModelKind* find_model_kind(std::string_view name);
// The row named `name`, which must exist (a name that came through the parser or --model).
LoopModel build_model(std::string_view name);
// The names, in table order ("book", "node").
std::vector<std::string> model_names();
// The names as a message lists them: "\"book\" or \"node\"".
std::string model_names_quoted();
// --model's help: "book: ...; node: ..." from the descriptions.
std::string model_help();

}  // namespace elt
