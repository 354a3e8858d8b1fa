// The values that operations hand to their callbacks, like the book's `Js` enum.
//
// A value is null, an integer, a string or a boolean (a program's own variables and
// conditions, core/scenario/expr.h), and may carry named fields (an HTTP response is
// its raw text plus `status`, `body` and `headers`). Strings answer `length`, as in
// JavaScript. Immutable once built, so it can be moved from a pool thread to the loop.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace elt {

class Value {
 public:
  enum class Kind { Null, Int, String, Bool };
  using Fields = std::vector<std::pair<std::string, Value>>;

  Value() = default;
  static Value integer(std::int64_t v);
  static Value string(std::string s);
  static Value string_with_fields(std::string s, Fields fields);
  static Value boolean(bool b);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::Null; }
  std::int64_t as_int() const { return int_; }
  bool as_bool() const { return kind_ == Kind::Bool && int_ != 0; }
  const std::string& as_string() const;

  // `length` of a string, or a named field; nullopt when there is no such field.
  std::optional<Value> field(const std::string& name) const;
  // Names a learner can use after a dot, for error messages.
  std::vector<std::string> field_names() const;
  // How the value prints inside a template: null prints "null".
  std::string to_display() const;

 private:
  // Strings and fields live behind one shared pointer, so a Value is 32 bytes and copying
  // one (every callback scope holds one) never copies text.
  struct Data {
    std::string text;
    Fields fields;
  };
  Kind kind_ = Kind::Null;
  std::int64_t int_ = 0;
  std::shared_ptr<const Data> data_;
};

// What an operation delivers: a value, or an error message (a missing file, a refused
// connection). Errors are expected outcomes, never exceptions.
struct Outcome {
  Value value;
  std::optional<std::string> error;

  static Outcome ok(Value v) { return Outcome{std::move(v), std::nullopt}; }
  static Outcome fail(std::string message) { return Outcome{Value{}, std::move(message)}; }
  bool failed() const { return error.has_value(); }
};

}  // namespace elt
