//! Helpers for Taskbell's end-to-end tests, which run the built desktop app under Xvfb.
