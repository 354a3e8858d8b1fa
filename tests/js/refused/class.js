class Clock {}
