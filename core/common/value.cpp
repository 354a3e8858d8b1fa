#include "common/value.h"

namespace elt {

Value Value::integer(std::int64_t v) {
  Value out;
  out.kind_ = Kind::Int;
  out.int_ = v;
  return out;
}

Value Value::string(std::string s) {
  Value out;
  out.kind_ = Kind::String;
  out.str_ = std::move(s);
  return out;
}

Value Value::string_with_fields(std::string s, Fields fields) {
  Value out = string(std::move(s));
  out.fields_ = std::make_shared<const Fields>(std::move(fields));
  return out;
}

std::optional<Value> Value::field(const std::string& name) const {
  if (fields_) {
    for (const auto& [key, value] : *fields_) {
      if (key == name) return value;
    }
  }
  if (kind_ == Kind::String && name == "length") {
    return integer(static_cast<std::int64_t>(str_.size()));
  }
  return std::nullopt;
}

std::vector<std::string> Value::field_names() const {
  std::vector<std::string> names;
  if (kind_ == Kind::String) names.emplace_back("length");
  if (fields_) {
    for (const auto& entry : *fields_) names.push_back(entry.first);
  }
  return names;
}

std::string Value::to_display() const {
  switch (kind_) {
    case Kind::Null: return "null";
    case Kind::Int: return std::to_string(int_);
    case Kind::String: return str_;
  }
  return {};
}

}  // namespace elt
