#include "common/value.h"

namespace elt {

Value Value::integer(std::int64_t v) {
  Value out;
  out.kind_ = Kind::Int;
  out.int_ = v;
  return out;
}

Value Value::boolean(bool b) {
  Value out;
  out.kind_ = Kind::Bool;
  out.int_ = b ? 1 : 0;
  return out;
}

Value Value::string(std::string s) { return string_with_fields(std::move(s), {}); }

Value Value::string_with_fields(std::string s, Fields fields) {
  Value out;
  out.kind_ = Kind::String;
  out.data_ = std::make_shared<const Data>(Data{std::move(s), std::move(fields)});
  return out;
}

const std::string& Value::as_string() const {
  static const std::string kEmpty;
  return data_ ? data_->text : kEmpty;
}

std::optional<Value> Value::field(const std::string& name) const {
  if (data_) {
    for (const auto& [key, value] : data_->fields) {
      if (key == name) return value;
    }
  }
  if (kind_ == Kind::String && name == "length") {
    return integer(static_cast<std::int64_t>(as_string().size()));
  }
  return std::nullopt;
}

std::vector<std::string> Value::field_names() const {
  std::vector<std::string> names;
  if (kind_ == Kind::String) names.emplace_back("length");
  if (data_) {
    for (const auto& entry : data_->fields) names.push_back(entry.first);
  }
  return names;
}

std::string Value::to_display() const {
  switch (kind_) {
    case Kind::Null: return "null";
    case Kind::Int: return std::to_string(int_);
    case Kind::String: return as_string();
    case Kind::Bool: return int_ != 0 ? "true" : "false";
  }
  return {};
}

}  // namespace elt
