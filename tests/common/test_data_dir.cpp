#include <catch2/catch.hpp>

#include <filesystem>

#include "common/data_dir.h"

TEST_CASE("the data folder is ../share/eventloop-trace beside the binary", "[data_dir]") {
  CHECK(elt::data_dir_for("/usr/bin/eventloop-trace") == "/usr/share/eventloop-trace");
  CHECK(elt::data_dir_for("/usr/local/bin/eventloop-trace") == "/usr/local/share/eventloop-trace");
  CHECK(elt::data_dir_for("/src/build/release/app/eventloop-trace") == "/src/build/release/share/eventloop-trace");
}

TEST_CASE("a built binary finds the data files the build staged from the source tree", "[data_dir]") {
  // elt_tests runs from BUILD/tests/, so its data folder is BUILD/share/eventloop-trace, the
  // same folder the built eventloop-trace (BUILD/app/) reads.
  auto schema = elt::find_data_file("scenario.schema.json");
  REQUIRE(schema.has_value());
  CHECK(std::filesystem::file_size(*schema) == std::filesystem::file_size(ELT_SOURCE_DIR "/docs/scenario.schema.json"));
  CHECK_FALSE(elt::find_data_file("no-such-file.json").has_value());
}
