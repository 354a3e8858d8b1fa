// Starting a thread the clock schedules, so that a thread that cannot start leaves nothing
// behind.
//
// The virtual clock hands its baton to participants in creation order; a participant
// registered for a thread that then fails to start (pthread_create's EAGAIN under a
// process or memory limit) would be waited for for ever, and shutdown would hang. So the
// thread is created first, waits until it is registered, and only then runs its body;
// if the thread cannot be created, std::system_error propagates and nothing was
// registered.
#pragma once

#include <exception>
#include <future>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "clock/clock.h"

namespace elt {

// `participant` is written before `body` starts, so the body may read it.
template <class Body>
std::thread start_participant_thread(Clock& clock, std::string_view name, Participant& participant, Body body) {
  std::promise<void> registered;
  std::thread thread;
  try {
    thread = std::thread([ready = registered.get_future(), body = std::move(body)]() mutable {
      try {
        ready.get();
      } catch (...) {
        return;  // never registered: the thread ends without running
      }
      body();
    });
  } catch (const std::system_error& e) {
    throw std::system_error(e.code(), "starting the " + std::string(name) + " thread");
  }
  try {
    participant = clock.add_participant(name);
  } catch (...) {
    registered.set_exception(std::current_exception());
    thread.join();
    throw;
  }
  registered.set_value();
  return thread;
}

}  // namespace elt
