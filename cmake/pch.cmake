# Precompiled headers (issue 22, CI time): the standard and third-party headers that most
# files include are parsed once per build instead of once per file.
#
# Why: nlohmann/json, fmt, Catch2 and CLI11 are header libraries (CLI11 2.1 alone is 5.5 s
# of parsing at -O3 for a file that includes nothing else), and a file of the release build
# spent more of its time reading them than compiling its own code. One precompiled header
# is shared by the core's libraries (REUSE_FROM: they are compiled with the same flags);
# the tests add Catch2 and the command line CLI11, each in a header of their own.
#
# The cost: a file that uses fmt without including it still compiles when the precompiled
# header holds fmt. The debug preset turns ELT_PCH off, and builds each file with only
# its own includes.
option(ELT_PCH "Precompile the standard and third-party headers most files include" ON)

set(ELT_PCH_HEADERS
  <algorithm> <chrono> <cstdint> <functional> <map> <memory> <mutex> <optional> <string>
  <string_view> <vector> <fmt/format.h> <nlohmann/json.hpp>)

# ccache reuses a compile that reads a precompiled header only with this sloppiness (the
# header's time stamps and __DATE__ change with each build of it; see ccache's manual,
# "Precompiled headers"). Without it every such compile is a miss, but still correct.
if(ELT_PCH AND CMAKE_CXX_COMPILER_LAUNCHER MATCHES "ccache" AND NOT CMAKE_CXX_COMPILER_LAUNCHER MATCHES "SLOPPINESS")
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env
      CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      ${CMAKE_CXX_COMPILER_LAUNCHER})
endif()

# elt_precompile_headers(TARGET [EXTRA header...]): TARGET compiles with the shared
# precompiled header (the first target to ask builds it), or with one of its own that
# also holds EXTRA. A file that must see its headers in its own order (Catch2's main,
# which defines CATCH_CONFIG_MAIN first) sets SKIP_PRECOMPILE_HEADERS.
function(elt_precompile_headers target)
  if(NOT ELT_PCH)
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "EXTRA")
  # The header is compiled with fmt's and nlohmann's definitions (fmt::fmt defines
  # FMT_SHARED), and GCC refuses it (-Winvalid-pch, an error under -Werror) in a file
  # compiled without them: every target that reads it links them.
  target_link_libraries(${target} PRIVATE fmt::fmt nlohmann_json::nlohmann_json)
  get_property(owner GLOBAL PROPERTY ELT_PCH_OWNER)
  if(arg_EXTRA)
    target_precompile_headers(${target} PRIVATE ${ELT_PCH_HEADERS} ${arg_EXTRA})
  elseif(owner)
    target_precompile_headers(${target} REUSE_FROM ${owner})
  else()
    target_precompile_headers(${target} PRIVATE ${ELT_PCH_HEADERS})
    set_property(GLOBAL PROPERTY ELT_PCH_OWNER ${target})
  endif()
endfunction()
