# The fuzz targets' inputs replayed without libFuzzer (fuzz/replay_main.cpp), in every
# build with tests: the checked-in seeds and every past crash in fuzz/regressions/ run once
# each, under whatever sanitizer the build has (the GCC ASan+UBSan and TSan builds in CI).
# The fuzzing itself needs clang: fuzz/CMakeLists.txt, scripts/fuzz.sh.
foreach(target fuzz_scenario_parser fuzz_http_response fuzz_js_export fuzz_js_front)
  add_executable(replay-${target} ${CMAKE_CURRENT_LIST_DIR}/${target}.cpp ${CMAKE_CURRENT_LIST_DIR}/replay_main.cpp)
  target_link_libraries(replay-${target} PRIVATE elt_core elt_warnings)
endforeach()
add_test(NAME fuzz_replay.scenario_parser
  COMMAND replay-fuzz_scenario_parser ${CMAKE_CURRENT_LIST_DIR}/corpus/scenario
          ${CMAKE_CURRENT_LIST_DIR}/regressions/fuzz_scenario_parser)
add_test(NAME fuzz_replay.http_response
  COMMAND replay-fuzz_http_response ${CMAKE_CURRENT_LIST_DIR}/corpus/http
          ${CMAKE_CURRENT_LIST_DIR}/regressions/fuzz_http_response)
add_test(NAME fuzz_replay.js_export
  COMMAND replay-fuzz_js_export ${CMAKE_CURRENT_LIST_DIR}/corpus/js_export
          ${CMAKE_CURRENT_LIST_DIR}/regressions/fuzz_js_export)
add_test(NAME fuzz_replay.js_front
  COMMAND replay-fuzz_js_front ${CMAKE_CURRENT_LIST_DIR}/corpus/js_front
          ${CMAKE_CURRENT_LIST_DIR}/regressions/fuzz_js_front)
