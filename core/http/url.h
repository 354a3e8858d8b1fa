// The small part of URL handling the runtime needs: `http://host[:port][/path]`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace elt {

struct HttpUrl {
  std::string host;
  std::uint16_t port = 80;
  std::string target = "/";
};

// nullopt, with a reason in `error`, for anything but a plain http URL.
std::optional<HttpUrl> parse_http_url(std::string_view url, std::string& error);

// Escapes what may not appear raw in a request target (spaces, controls, '%', non-ASCII).
std::string percent_encode_path(std::string_view text);
std::string percent_decode(std::string_view text);

}  // namespace elt
