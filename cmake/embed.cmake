# Writes OUTPUT, a C++ source defining `const std::string_view elt::SYMBOL` with the bytes of
# INPUT, so that a resource (the html page) ships inside the binary. Run with cmake -P.
file(READ "${INPUT}" content)
string(FIND "${content}" ")ELT_EMBED\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string's end marker )ELT_EMBED\"")
endif()
get_filename_component(name "${INPUT}" NAME)
file(WRITE "${OUTPUT}" "// Generated from ${name} by cmake/embed.cmake: edit that file, not this one.
#include <string_view>
namespace elt {
extern const std::string_view ${SYMBOL};
const std::string_view ${SYMBOL} = R\"ELT_EMBED(${content})ELT_EMBED\";
}  // namespace elt
")
